// The measurement behind docs/codecs/signal-lossy.md, "What limits it", on a real WAV file. It
// lives here, not beside the codec, because it reads a file through extras/ (the core library's
// tests never include extras/: tests/cli/layering.sh). Disabled: ~1 minute.
//   diffcomp_tests --gtest_also_run_disabled_tests --gtest_filter='SignalLossyMeasure.*'
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "codecs/signal_lossy/signal_lossy.h"
#include "codecs/signal_lossy/test_util.h"
#include "extras/audio_io.h"
#include "extras/file_io.h"

namespace dc::slossy {
namespace {

using testing::SnrDb;

TEST(SignalLossyMeasure, DISABLED_ChunkBitsAndOvershoot) {
  auto bytes = extras::ReadFile(std::string(DC_SHARED_DATA) + "/signals/audio/sonicpi_drum_roll.wav");
  ASSERT_TRUE(bytes.ok());
  auto w = extras::DecodeWav(bytes->data(), bytes->size());
  ASSERT_TRUE(w.ok());
  const SignalView v{w->samples.data(), w->frames, w->channels, static_cast<int>(w->bits_per_sample)};
  struct Setting {
    int chunk_bits;
    double overshoot;
  };
  for (const Setting s : {Setting{8, 1.0}, Setting{8, 1.2}, Setting{10, 1.0}, Setting{10, 1.2}}) {
    EncodeOptions o;
    o.threads = 2;
    o.chunk_bits = s.chunk_bits;
    o.overshoot = s.overshoot;
    o.max_payload_bytes = static_cast<uint64_t>(2.5 * w->samples.size() / 8);
    std::vector<uint8_t> p;
    EncodeStats st;
    ASSERT_TRUE(EncodeSignal(v, o, &p, &st).ok());
    std::vector<int32_t> out(w->samples.size());
    ASSERT_TRUE(DecodeSignal(p.data(), p.size(), w->frames, w->channels, w->bits_per_sample, {2, nullptr}, out.data()).ok());
    std::printf("block 2^%d, frame 2^%d; chunk_bits %d overshoot %.1f: payload %.3f bits/sample, SNR %.2f dB, %zu steps, last noise ratio %.3f\n",
                st.block_log2, st.frame_log2, s.chunk_bits, s.overshoot, 8.0 * p.size() / out.size(), SnrDb(w->samples, out), st.steps.size(),
                st.steps.back().noise_ratio);
  }
}

}  // namespace
}  // namespace dc::slossy
