// Integer CDFs of the discretised logistic mixtures the network predicts (shared by encoder and
// decoder). Network outputs (deterministic floats) are turned into fixed-point parameters once
// per sub-pixel; from there everything is integer arithmetic and a sigmoid table, so the
// encoder and the decoder derive identical symbol intervals.
//
// Symbol interval of value v in 0..255 with precision 16:
//   start(v) = floor(C(v - 1/2) * (2^16 - 256) / 2^16) + v,  start(0) = 0, start(256) = 2^16
// where C is the mixture CDF in Q16 (C(-1/2) treated as 0, C(255 + 1/2) as 2^16): every value
// gets a frequency of at least 1, and the mass lost to that floor is 256 / 2^16 = 0.4 %.
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSLESS_MIXTURE_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSLESS_MIXTURE_H_

#include <cstdint>

#include "codecs/image_lossless/adm_net.h"
#include "common/status.h"
#include "entropy/rans.h"

namespace dc::adm {

constexpr int kCdfPrecision = 16;

// One channel's distribution in fixed point.
struct ChannelDist {
  int k = 0;
  int32_t weight[kMaxMixtures];  // Q15, sum exactly 2^15
  int32_t mean[kMaxMixtures];    // pixel units, Q8
  int32_t inv_scale[kMaxMixtures];  // 1 / (scale in pixels), Q16, >= 1
  // The same parameters before quantisation, for statistics only (never for coding).
  float weight_f[kMaxMixtures], mean_f[kMaxMixtures], scale_f[kMaxMixtures];
};

// Builds channel c's distribution from the network outputs of one grid cell (`out` points at
// output channel 0 of the cell, `stride` floats between consecutive output channels), the
// predictor of the three channels and the residuals (value - predictor) of the channels
// already coded in this pixel (c = 0: none; 1: R; 2: R, G).
void MakeChannelDist(const float* out, long stride, int K, int c, const int32_t pred[3],
                     const int32_t residual[3], ChannelDist* d);

// Q16 CDF at the bin boundary between values v - 1 and v (v in 1..255).
uint32_t CdfBelow(const ChannelDist& d, int v);

// Symbol interval of v in 0..255 (see above).
inline uint32_t SymbolStart(const ChannelDist& d, int v) {
  if (v <= 0) return 0;
  if (v >= 256) return 1u << kCdfPrecision;
  return ((CdfBelow(d, v) * uint32_t{65280}) >> 16) + static_cast<uint32_t>(v);
}

inline void EncodeValue(rans::Encoder* enc, const ChannelDist& d, int v) {
  const uint32_t s = SymbolStart(d, v);
  enc->Put(s, SymbolStart(d, v + 1) - s, kCdfPrecision);
}

// Finds the value whose interval holds the decoder's next target by bisection.
Status DecodeValue(rans::Decoder* dec, const ChannelDist& d, int* v);

// Ideal cost in bits of coding v with d's quantised intervals (what rANS approaches).
double ValueBits(const ChannelDist& d, int v);
// The model's own negative log-likelihood of v in bits: the float mixture, as in training.
double ModelNllBits(const ChannelDist& d, int v);

}  // namespace dc::adm

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSLESS_MIXTURE_H_
