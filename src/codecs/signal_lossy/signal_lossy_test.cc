#include "codecs/signal_lossy/signal_lossy.h"
#include "codecs/signal_lossy/test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "codecs/signal_lossy/signal_lossy_internal.h"
#include "diffcomp/diffcomp.h"
#include "rcc/progressive.h"

namespace dc::slossy {
namespace {

// A deterministic test signal: two tones with a slow envelope, a click train and noise.
std::vector<int32_t> TestSignal(uint64_t frames, uint32_t channels, int bits, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0, 1);
  std::vector<int32_t> s(frames * channels);
  const double amp = std::ldexp(1.0, bits - 3);
  for (uint64_t t = 0; t < frames; ++t)
    for (uint32_t c = 0; c < channels; ++c) {
      const double env = 0.5 + 0.5 * std::sin(2 * M_PI * t / 5000.0 + c);
      double v = amp * env * (std::sin(2 * M_PI * t * (0.01 + 0.003 * c)) + 0.3 * std::sin(2 * M_PI * t * 0.071));
      if (t % 1500 < 3) v += amp * 0.8;
      v += 0.01 * amp * g(rng);
      s[t * channels + c] = static_cast<int32_t>(std::lround(std::max(-amp * 4, std::min(amp * 4 - 1, v))));
    }
  return s;
}

using testing::SnrDb;

EncodeOptions Fast() {
  EncodeOptions o;
  o.chunk_bits = 8;  // fast for tests; the default is 10
  o.threads = 2;
  return o;
}

TEST(SignalLossyPieces, DctIsOrthonormal) {
  for (int l : {4, 6, 8}) {
    const auto m = DctMatrix(l);
    const uint32_t n = 1u << l;
    double worst = 0;
    for (uint32_t a = 0; a < n; ++a)
      for (uint32_t b = 0; b < n; ++b) {
        double dot = 0;
        for (uint32_t i = 0; i < n; ++i) dot += double(m[a * n + i]) * m[b * n + i];
        worst = std::max(worst, std::fabs(dot - (a == b ? 1.0 : 0.0)));
      }
    EXPECT_LT(worst, 1e-6) << l;
    // Against libm: cos(pi (2i + 1) k / 2n).
    for (uint32_t k = 1; k < n; k += 7)
      for (uint32_t i = 0; i < n; i += 5)
        EXPECT_NEAR(m[k * n + i], std::sqrt(2.0 / n) * std::cos(M_PI * (2 * i + 1) * k / (2.0 * n)), 1e-7);
  }
}

TEST(SignalLossyPieces, ScheduleAndEnvelopeValues) {
  EXPECT_EQ(EnvVariance(0), 1.0f);
  EXPECT_EQ(EnvVariance(8), 16.0f);
  EXPECT_NEAR(EnvVariance(1), std::sqrt(2.0), 1e-6);
  EXPECT_EQ(SigmaSquared(-32), 1.0f / 16);
  EXPECT_NEAR(SigmaSquared(-2) * SigmaSquared(2), 1.0, 1e-6);
  const auto e = BandEdges(256);
  EXPECT_EQ(e.front(), 0u);
  EXPECT_EQ(e.back(), 256u);
  for (size_t i = 1; i < e.size(); ++i) EXPECT_LT(e[i - 1], e[i]);
}

TEST(SignalLossyPieces, HeaderRoundTripAndErrors) {
  Header h;
  h.block_log2 = 6;
  h.chunk_bits = 9;
  h.step_q = 3;
  h.seed = 123456789;
  h.e0 = 300;
  const uint64_t frames = 10000;
  const size_t bands = BandEdges(64).size() - 1;
  h.frame_log2 = 9;
  const size_t env_frames = (BlocksFor(frames, 6) + FrameBlocks(6, 9) - 1) / FrameBlocks(6, 9);
  std::mt19937 rng(1);
  for (int c = 0; c < 2; ++c) {
    std::vector<uint8_t> env(env_frames * bands);
    for (auto& q : env) q = static_cast<uint8_t>(rng() % (kEnvMax + 1));
    h.env.push_back(env);
  }
  const auto bytes = WriteHeader(h);
  auto back = ParseHeader(bytes.data(), bytes.size(), frames, 2);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->env, h.env);
  EXPECT_EQ(back->seed, h.seed);
  EXPECT_EQ(back->e0, h.e0);
  EXPECT_EQ(back->step_q, 3);
  EXPECT_EQ(back->frame_log2, 9);
  for (size_t len = 0; len < bytes.size(); ++len)
    EXPECT_FALSE(ParseHeader(bytes.data(), len, frames, 2).ok()) << len;
  auto bad = bytes;
  bad[0] = 9;
  EXPECT_EQ(ParseHeader(bad.data(), bad.size(), frames, 2).status().code(), DC_ERR_UNSUPPORTED_VERSION);
  bad = bytes;
  bad[1] = 30;
  EXPECT_EQ(ParseHeader(bad.data(), bad.size(), frames, 2).status().code(), DC_ERR_CORRUPT);
  bad = bytes;
  bad[4] = 5;  // envelope frame shorter than a block
  EXPECT_EQ(ParseHeader(bad.data(), bad.size(), frames, 2).status().code(), DC_ERR_CORRUPT);
  // Geometry that needs more envelope codes than the stream holds.
  EXPECT_FALSE(ParseHeader(bytes.data(), bytes.size(), frames * 1000, 2).ok());
}

TEST(SignalLossy, RoundTripRateTargetAndThreads) {
  const auto sig = TestSignal(20000, 2, 16, 3);
  EncodeOptions o = Fast();
  o.max_payload_bytes = 20000 * 2 * 3 / 8;  // 3 bits per sample
  std::vector<uint8_t> p1, p2;
  EncodeStats st;
  ASSERT_TRUE(EncodeSignal({sig.data(), 20000, 2, 16}, o, &p1, &st).ok());
  EXPECT_LE(p1.size(), o.max_payload_bytes);
  EXPECT_GT(p1.size(), o.max_payload_bytes * 9 / 10);  // the budget is used
  o.threads = 1;
  ASSERT_TRUE(EncodeSignal({sig.data(), 20000, 2, 16}, o, &p2, nullptr).ok());
  EXPECT_EQ(p1, p2) << "thread count changed the bytes";
  std::vector<int32_t> a(sig.size()), b(sig.size());
  ASSERT_TRUE(DecodeSignal(p1.data(), p1.size(), 20000, 2, 16, {1, nullptr}, a.data()).ok());
  ASSERT_TRUE(DecodeSignal(p1.data(), p1.size(), 20000, 2, 16, {3, nullptr}, b.data()).ok());
  EXPECT_EQ(a, b);
  // The decoded SNR is what the encoder predicted (coefficient domain; rounding adds little).
  ASSERT_FALSE(st.steps.empty());
  EXPECT_NEAR(SnrDb(sig, a), st.steps.back().snr_db, 0.5);
  EXPECT_GT(SnrDb(sig, a), 20.0);
  for (size_t i = 0; i < a.size(); ++i) ASSERT_TRUE(a[i] >= -32768 && a[i] <= 32767);
}

TEST(SignalLossy, SnrTargetStopsWhereAsked) {
  const auto sig = TestSignal(12000, 1, 12, 5);
  for (double target : {15.0, 30.0}) {
    EncodeOptions o = Fast();
    o.target_snr_db = target;
    std::vector<uint8_t> p;
    EncodeStats st;
    ASSERT_TRUE(EncodeSignal({sig.data(), 12000, 1, 12}, o, &p, &st).ok());
    std::vector<int32_t> out(sig.size());
    ASSERT_TRUE(DecodeSignal(p.data(), p.size(), 12000, 1, 12, {}, out.data()).ok());
    EXPECT_GE(st.steps.back().snr_db, target);
    EXPECT_GT(SnrDb(sig, out), target - 0.5);
    EXPECT_LT(st.steps[st.steps.size() - 2].snr_db, target);  // and no step later than needed
  }
}

TEST(SignalLossy, EveryPrefixOfStepsDecodesAndImproves) {
  const auto sig = TestSignal(8000, 1, 16, 7);
  EncodeOptions o = Fast();
  o.target_snr_db = 35;
  std::vector<uint8_t> p;
  EncodeStats st;
  ASSERT_TRUE(EncodeSignal({sig.data(), 8000, 1, 16}, o, &p, &st).ok());
  std::vector<size_t> ends = {st.header_bytes};
  for (const auto& s : st.steps) ends.push_back(s.payload_end);
  ASSERT_EQ(ends.back(), p.size());
  double prev = -1e9;
  std::vector<int32_t> out(sig.size());
  for (size_t k = 0; k < ends.size(); k += std::max<size_t>(1, ends.size() / 12)) {
    ASSERT_TRUE(DecodeSignal(p.data(), ends[k], 8000, 1, 16, {}, out.data()).ok()) << k;
    const double snr = SnrDb(sig, out);
    EXPECT_GT(snr, prev - 0.3) << k;  // more steps, better (up to the rcc noise)
    prev = std::max(prev, snr);
  }
  // A cut inside a segment or inside the header is an error, never a decode.
  for (size_t len = 0; len < p.size(); len += 7) {
    if (std::find(ends.begin(), ends.end(), len) != ends.end()) continue;
    EXPECT_FALSE(DecodeSignal(p.data(), len, 8000, 1, 16, {}, out.data()).ok()) << len;
  }
  // A segment past the schedule's end is corrupt.
  auto view = rcc::ParseProgressive(p.data(), p.size());
  ASSERT_TRUE(view.ok());
  std::vector<uint8_t> more = p;
  for (int i = 0; i < kMaxSteps + 1; ++i) rcc::AppendSegment(view->segments.back().data, view->segments.back().size, &more);
  EXPECT_EQ(DecodeSignal(more.data(), more.size(), 8000, 1, 16, {}, out.data()).code(), DC_ERR_CORRUPT);
}

TEST(SignalLossy, BadArguments) {
  const auto sig = TestSignal(1000, 1, 16, 1);
  std::vector<uint8_t> p;
  EncodeOptions o = Fast();
  EXPECT_EQ(EncodeSignal({sig.data(), 0, 1, 16}, o, &p, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(EncodeSignal({sig.data(), 1000, 1, 40}, o, &p, nullptr).code(), DC_ERR_UNSUPPORTED_FORMAT);
  o.chunk_bits = 20;
  EXPECT_EQ(EncodeSignal({sig.data(), 1000, 1, 16}, o, &p, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  o = Fast();
  o.max_payload_bytes = 5;  // below the codec header
  EXPECT_EQ(EncodeSignal({sig.data(), 1000, 1, 16}, o, &p, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  std::vector<int32_t> out(1000);
  const uint8_t junk[] = {3, 1, 2, 3};
  EXPECT_FALSE(DecodeSignal(junk, sizeof(junk), 1000, 1, 16, {}, out.data()).ok());
  EXPECT_EQ(DecodeSignal(junk, sizeof(junk), uint64_t{1} << 40, 1, 16, {}, out.data()).code(), DC_ERR_TOO_LARGE);
}

// Through the C API: the container's checksum covers the payload, truncate keeps whole steps,
// and the result decodes.
TEST(SignalLossyApi, CompressTruncateDecompress) {
  const auto sig = TestSignal(16000, 1, 16, 9);
  dc_content c{};
  c.kind = DC_KIND_SIGNAL;
  c.format = DC_FORMAT_RAW_S16LE;
  c.data = reinterpret_cast<const uint8_t*>(sig.data());
  c.size = sig.size() * 4;
  c.width = 16000;
  c.height = 1;
  c.channels = 1;
  c.bit_depth = 16;
  dc_params p;
  dc_params_init(&p);
  p.codec = DC_CODEC_SIGNAL_LOSSY;
  p.bits_per_sample = 2.5;
  dc_buffer file{};
  ASSERT_EQ(dc_compress(&c, &p, &file, nullptr), DC_OK) << dc_last_error_message();
  EXPECT_LE(file.size * 8.0 / 16000, 2.5);
  EXPECT_GT(file.size * 8.0 / 16000, 2.2);
  dc_decoded d{};
  ASSERT_EQ(dc_decompress(file.data, file.size, nullptr, &d), DC_OK) << dc_last_error_message();
  std::vector<int32_t> full(sig.size());
  std::memcpy(full.data(), d.content.data, d.content.size);
  dc_decoded_free(&d);
  double prev_snr = SnrDb(sig, full), prev_size = file.size;
  for (double rate : {2.0, 1.0, 0.5}) {
    dc_buffer cut{};
    ASSERT_EQ(dc_truncate(file.data, file.size, rate, &cut), DC_OK) << dc_last_error_message();
    EXPECT_LE(cut.size * 8.0 / 16000, rate);
    EXPECT_LT(cut.size, prev_size);
    ASSERT_EQ(dc_decompress(cut.data, cut.size, nullptr, &d), DC_OK) << dc_last_error_message();
    std::vector<int32_t> out(sig.size());
    std::memcpy(out.data(), d.content.data, d.content.size);
    dc_decoded_free(&d);
    const double snr = SnrDb(sig, out);
    EXPECT_LT(snr, prev_snr + 0.3) << rate;
    prev_snr = snr;
    prev_size = cut.size;
    // Any other cut of the file fails the payload checksum before decoding.
    ASSERT_GT(cut.size, 40u);
    EXPECT_EQ(dc_decompress(cut.data, cut.size - 3, nullptr, &d), DC_ERR_CHECKSUM);
    dc_buffer_free(&cut);
  }
  dc_buffer tiny{};
  EXPECT_EQ(dc_truncate(file.data, file.size, 0.001, &tiny), DC_ERR_INVALID_ARGUMENT);
  file.data[file.size / 2] ^= 1;
  EXPECT_EQ(dc_decompress(file.data, file.size, nullptr, &d), DC_ERR_CHECKSUM);
  EXPECT_EQ(dc_truncate(file.data, file.size, 1.0, &tiny), DC_ERR_CHECKSUM);
  dc_buffer_free(&file);
}

}  // namespace
}  // namespace dc::slossy
