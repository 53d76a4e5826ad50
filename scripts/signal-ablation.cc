// The ablation of signal-lossless revision 2 (docs/codecs/signal-lossless.md, "What each stage
// buys"): for each file, the cascade the encoder chooses, built up one stage at a time, each
// residual coded by the real revision-2 block coder (adaptive; bytes of the payload), and the
// full cascade's residual coded by the network instead (the model given).
// Build and run: scripts/signal-ablation.sh MODEL FILE...
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "codecs/signal_lossless/cascade.h"
#include "codecs/signal_lossless/signal_lossless.h"
#include "extras/signal_io.h"
#include "nn/weights.h"

using namespace dc;

static size_t Code(const sig::SigNet& net, const std::vector<int32_t>& r, uint64_t frames, uint32_t ch, int depth,
                   int coder) {
  sig::CodecOptions o;
  o.threads = 2;
  o.revision = sig::kRevision2;
  o.cascade_profile = 0;  // the residual given is coded as it is
  o.block_coder = coder;
  std::vector<uint8_t> p;
  Status s = sig::EncodeSignal(net, {r.data(), frames, ch, depth}, o, &p, nullptr);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    std::exit(1);
  }
  return p.size();
}

int main(int argc, char** argv) {
  auto wf = nn::LoadWeights(argv[1]);
  if (!wf.ok()) return 1;
  auto net = sig::SigNet::FromWeights(wf.value());
  if (!net.ok()) return 1;
  for (int a = 2; a < argc; ++a) {
    auto sf = extras::ReadSignalFile(argv[a]);
    if (!sf.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[a], sf.status().message().c_str());
      return 1;
    }
    const auto& s = sf.value();
    const int code = sig::ChooseCascadeCode({s.samples.data(), s.frames, s.channels, s.bit_depth});
    const sig::CascadeProfile full = sig::CascadeProfileOf(code);
    std::vector<int32_t> in = s.samples;
    const bool ms = code & sig::kCascadeMidSideBit;
    struct Row { const char* name; sig::CascadeProfile p; bool ms; };
    sig::CascadeProfile p{};
    std::vector<Row> rows;
    rows.push_back({"samples (no cascade)", p, false});
    // Stage 1 runs whenever any stage is on (a profile of zeros is "none"), so it is measured
    // together with the bias stage.
    p.bias = 1;
    rows.push_back({"+ stage 1 (31/32 x[t-1]) and bias (6)", p, false});
    p.nlms_taps = full.nlms_taps, p.nlms_mu_log2 = full.nlms_mu_log2;
    rows.push_back({"+ NLMS (2)", p, false});
    p.long_taps = full.long_taps, p.long_shift = full.long_shift;
    rows.push_back({"+ long sign-LMS (3)", p, false});
    p.short_taps = full.short_taps, p.short_shift = full.short_shift;
    rows.push_back({"+ short sign-LMS (4)", p, false});
    p.cross_taps = full.cross_taps;
    rows.push_back({"+ cross-channel residual (5)", p, false});
    p.mix_step = full.mix_step;
    rows.push_back({"+ stage mixer (7)", p, false});
    rows.push_back({"+ mid/side (byte bit 6)", p, ms});
    p.stereo_taps = full.stereo_taps;
    rows.push_back({"+ stereo stage (1b) = encoder's choice", p, ms});
    std::printf("%s: %u ch, %d bit, %llu frames, cascade byte %d (profile %d%s%s)\n", argv[a], s.channels, s.bit_depth,
                static_cast<unsigned long long>(s.frames), code, code & 0x3f, ms ? ", mid/side" : "",
                (code & sig::kCascadeStereoBit) ? ", stereo stage" : "");
    const uint64_t n = s.frames * s.channels;
    std::vector<int32_t> r(n);
    size_t prev = 0;
    for (const Row& row : rows) {
      std::vector<int32_t> x = s.samples;
      if (row.ms) sig::ToMidSide(x.data(), s.frames);
      const int depth = row.ms ? s.bit_depth + 1 : s.bit_depth;
      sig::Cascade::Residual(row.p, x.data(), s.frames, s.channels, depth, r.data());
      const size_t bytes = Code(net.value(), r, s.frames, s.channels, depth, 1);
      std::printf("  %-42s %9zu bytes %7.4f bits/sample %+6.2f %%\n", row.name, bytes, 8.0 * bytes / n,
                  prev ? 100.0 * (static_cast<double>(bytes) / prev - 1) : 0.0);
      prev = bytes;
    }
    // The full cascade's residual coded by the network (dyadic stages) instead.
    std::vector<int32_t> x = s.samples;
    if (ms) sig::ToMidSide(x.data(), s.frames);
    const int depth = ms ? s.bit_depth + 1 : s.bit_depth;
    sig::Cascade::Residual(full, x.data(), s.frames, s.channels, depth, r.data());
    const size_t nb = Code(net.value(), r, s.frames, s.channels, depth, 0);
    const size_t best = Code(net.value(), r, s.frames, s.channels, depth, -1);
    std::printf("  %-42s %9zu bytes %7.4f bits/sample %+6.2f %%\n", "full cascade, network block coder", nb, 8.0 * nb / n,
                100.0 * (static_cast<double>(nb) / prev - 1));
    std::printf("  %-42s %9zu bytes %7.4f bits/sample %+6.2f %%\n", "full cascade, cheaper coder per block", best,
                8.0 * best / n, 100.0 * (static_cast<double>(best) / prev - 1));
  }
  return 0;
}
