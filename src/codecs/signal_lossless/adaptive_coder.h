// Revision 2's time-order coder of a block of the cascade's residual (block mode 1): each
// residual, in increasing frame and channel order, is coded with a discretised logistic of mean 0
// and a scale from the running mean of the channel's |r| in the block (mean |r| = 2 ln 2 scale),
// corrected online by the mixture adapter (entropy/mixture_adapt.h), through the same gap coder
// (window of 256 bins, raw low bits, escapes) as the network's distributions. Nothing but integer
// state and one IEEE division per value: both sides build the same intervals.
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSLESS_ADAPTIVE_CODER_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSLESS_ADAPTIVE_CODER_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "codecs/signal_lossless/gap_coder.h"
#include "common/status.h"
#include "entropy/logistic_mixture.h"
#include "entropy/mixture_adapt.h"

namespace dc::sig {

// Running mean of |r| in Q4 (m = 16 x mean): m += min(|r|, 2^36) - (m >> 4), starting at 16.
constexpr uint64_t kAdaptiveMeanStart = 16;
constexpr uint64_t kAdaptiveMeanCap = uint64_t{1} << 36;

// The distribution of the next residual given the channel's running mean m (Q4).
inline void MakeAdaptiveDist(uint64_t m, GapDist* gd) {
  m = std::max<uint64_t>(m, 2);
  // Scale s = m / (16 x 2 ln 2) = m / 22.18; low bits b = max(0, floor(log2 s) - 1), from the
  // integer s' = (m x 739) >> 14 (739 / 2^14 = 1 / 22.17): b = min(32, max(0, bitlength(s') - 2)).
  const uint64_t sq = (m * 739) >> 14;
  int bl = 0;
  for (uint64_t v = sq; v; v >>= 1) ++bl;
  const int b = std::min(std::max(0, bl - 2), 32);
  gd->b = b;
  gd->center = 0;
  const float logit = 0;
  mix::SetWeights(&logit, 1, 1, &gd->d);
  // In bin units (double precision, then rounded to float): mean 2^-b / 2 - 1/2 + 128 (the bin
  // centre of residual 0), 1 / scale = 22.1807097779182 x 2^b / m (one IEEE division).
  const double mean = std::ldexp(0.5, -b) - 0.5 + 128.0;
  const double inv = std::ldexp(22.1807097779182, b) / static_cast<double>(m);
  mix::SetComponent(0, static_cast<float>(mean), static_cast<float>(inv), &gd->d);
}

inline uint64_t UpdateAdaptiveMean(uint64_t m, int64_t r) {
  const uint64_t a = r < 0 ? static_cast<uint64_t>(-r) : static_cast<uint64_t>(r);
  return m + std::min(a, kAdaptiveMeanCap) - (m >> 4);
}

// Side as in block_coder.h (only Gap is used, with level 0 and prediction 0). The state starts
// afresh in every block, so blocks stay independent (coded and decoded in parallel). The mixture
// adapter's contexts: 3 "burst" classes (the channel's previous |r| x 16 below half the running
// mean, up to twice it, above) x channel (0, 1 and up).
template <typename Side>
Status CodeBlockAdaptive(int32_t* block, uint32_t n, uint32_t channels, Side& side) {
  std::vector<uint64_t> mean(channels, kAdaptiveMeanStart), last(channels, 0);
  mix::MixtureAdapter adapt(3, 2);
  GapDist gd;
  for (uint32_t t = 0; t < n; ++t)
    for (uint32_t c = 0; c < channels; ++c) {
      MakeAdaptiveDist(mean[c], &gd);
      // Context: the previous |r| (x 16) against the running mean: below half, up to twice, above.
      const uint64_t q = last[c] * 16;
      const int burst = q * 2 < mean[c] ? 0 : (q <= mean[c] * 2 ? 1 : 2);
      const int ctx = adapt.Apply(burst, std::min<int>(static_cast<int>(c), 1), &gd.d);
      int32_t* x = &block[static_cast<size_t>(t) * channels + c];
      RETURN_IF_ERROR(side.Gap(0, gd, 0, x));
      const int64_t r = *x;
      adapt.Update(ctx, static_cast<int>(std::clamp<int64_t>((r >> gd.b) + 128, 0, 255)));
      mean[c] = UpdateAdaptiveMean(mean[c], r);
      last[c] = std::min<uint64_t>(r < 0 ? static_cast<uint64_t>(-r) : static_cast<uint64_t>(r), kAdaptiveMeanCap);
    }
  return Status::Ok();
}

}  // namespace dc::sig

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSLESS_ADAPTIVE_CODER_H_
