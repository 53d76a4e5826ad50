// signal-lossy decoder: replays the chain with the transmitted steps, denoises once and inverts
// the transform. Every field of the payload is checked (untrusted data).
#include <algorithm>
#include <cmath>
#include <string>

#include "codecs/signal_lossy/signal_lossy_internal.h"
#include "rcc/progressive.h"
#include "rcc/rcc.h"

namespace dc::slossy {

Status DecodeSignal(const uint8_t* payload, size_t size, uint64_t frames, uint32_t channels, int bit_depth,
                    const DecodeOptions& opt, int32_t* out) {
  if (!out || (size && !payload)) return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: null argument");
  if (frames == 0 || channels == 0 || channels > kMaxChannels) return Error(DC_ERR_CORRUPT, "signal-lossy: bad geometry");
  if (bit_depth < 2 || bit_depth > 32) return Error(DC_ERR_CORRUPT, "signal-lossy: bad bit depth");
  if (frames * channels > kMaxSamples) return Error(DC_ERR_TOO_LARGE, "signal-lossy: more than 2^26 samples");
  ASSIGN_OR_RETURN(const rcc::ProgressiveView view, rcc::ParseProgressive(payload, size));
  ASSIGN_OR_RETURN(const Header h, ParseHeader(view.header.data, view.header.size, frames, channels));
  if (static_cast<int64_t>(view.segments.size()) > MaxStepsFor(h))
    return Error(DC_ERR_CORRUPT, "signal-lossy: more step segments than the schedule has");
  const uint64_t blocks = BlocksFor(frames, h.block_log2);
  Chain chain = StartChain(h, blocks);
  std::vector<float> mp, xa;
  for (size_t j = 0; j < view.segments.size(); ++j) {
    const StepPrior prior = PrepareStep(chain);
    const size_t na = prior.active.size();
    mp.resize(na);
    xa.resize(na);
    for (size_t a = 0; a < na; ++a) mp[a] = prior.mu_p[prior.active[a]];
    rcc::RccConfig cfg;
    cfg.chunk_bits = h.chunk_bits;
    cfg.seed = h.seed;
    cfg.step = static_cast<uint32_t>(j + 1);
    cfg.threads = opt.threads;
    RETURN_IF_ERROR(rcc::DecodeGaussian(mp.data(), prior.std, na, cfg, view.segments[j].data, view.segments[j].size, xa.data()));
    FinishStep(&chain, prior, xa.data());
  }
  std::vector<float> est(chain.y.size());
  RETURN_IF_ERROR(Denoise(chain, opt.refiner, est.data()));
  InverseDct(est, blocks, frames, channels, h.block_log2, bit_depth, out);
  return Status::Ok();
}

}  // namespace dc::slossy
