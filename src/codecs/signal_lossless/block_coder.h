// The stage loop of one block, shared by the encoder and the decoder: both walk the levels,
// channels and gaps in the same order and build the same distributions; only the Side differs
// (it codes the known sample, or decodes it into the block).
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSLESS_BLOCK_CODER_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSLESS_BLOCK_CODER_H_

#include <algorithm>
#include <vector>

#include "codecs/signal_lossless/gap_coder.h"
#include "codecs/signal_lossless/signal_layout.h"
#include "codecs/signal_lossless/signal_net.h"
#include "common/status.h"
#include "entropy/mixture_adapt.h"

namespace dc::sig {

// Side must provide:
//   Status Base(int bit_depth, int32_t* x);                         // block sample 0 of a channel
//   Status Gap(int level, const GapDist& gd, int64_t pred, int32_t* x);
template <typename Side>
Status CodeBlock(const SigNet& net, int32_t* block, uint32_t n, uint32_t channels, int bit_depth, Side& side) {
  for (uint32_t c = 0; c < channels; ++c) RETURN_IF_ERROR(side.Base(bit_depth, &block[c]));
  const int K = net.config().mixtures;
  LevelInputs li;
  std::vector<float> out;
  std::vector<int64_t> prev, cur;
  GapDist gd;
  // Online mixture correction (entropy/mixture_adapt.h) over the block: contexts by level
  // (0, 1, 2 and up) and channel (0, 1 and up); it learns from each coded window value.
  mix::MixtureAdapter adapt(3, 2);
  for (int l = TopLevel(n); l >= 0; --l) {
    for (uint32_t c = 0; c < channels; ++c) {
      BuildLevel(block, channels, c, n, l, c > 0 ? prev.data() : nullptr, &li);
      const uint32_t m = li.geom.coarse, g = li.geom.gaps;
      out.resize(static_cast<size_t>(net.config().outputs()) * g);
      net.Forward(li.trunk.data(), static_cast<int>(m), li.gap.data(), static_cast<int>(g), out.data());
      cur.resize(g);
      const uint64_t stride = li.geom.stride;
      for (uint32_t j = 0; j < g; ++j) {
        MakeGapDist(&out[j], g, K, li.k, &gd);
        const int ctx = adapt.Apply(std::min(l, 2), std::min<int>(static_cast<int>(c), 1), &gd.d);
        int32_t* x = &block[((2 * j + 1) * stride) * channels + c];
        RETURN_IF_ERROR(side.Gap(l, gd, li.pred[j], x));
        cur[j] = *x - li.pred[j];
        const int64_t h = cur[j] >> gd.b;  // the high part (arithmetic shift: floor, as gap_coder.cc)
        adapt.Update(ctx, static_cast<int>(std::clamp<int64_t>(h - gd.center + 128, 0, 255)));
      }
      prev.swap(cur);
    }
  }
  return Status::Ok();
}

inline int64_t MinSample(int bit_depth) { return -(int64_t{1} << (bit_depth - 1)); }
inline int64_t MaxSample(int bit_depth) { return (int64_t{1} << (bit_depth - 1)) - 1; }

}  // namespace dc::sig

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSLESS_BLOCK_CODER_H_
