// Integer CDFs of discretised logistic mixtures over a 256-value window (shared by every codec
// whose network predicts such mixtures, and by both sides of each). Network outputs
// (deterministic floats) are turned into fixed-point parameters once per value; from there
// everything is integer arithmetic and a sigmoid table, so encoder and decoder derive identical
// symbol intervals.
//
// Symbol interval of value v in 0..255 with precision 16:
//   start(v) = floor(C(v - 1/2) * (2^16 - 256) / 2^16) + v,  start(0) = 0, start(256) = 2^16
// where C is the mixture CDF in Q16 (C(-1/2) treated as 0, C(255 + 1/2) as 2^16): every value
// gets a frequency of at least 1, and the mass lost to that floor is 256 / 2^16 = 0.4 %. Values
// 0 and 255 carry the tails below and above the window.
#ifndef DIFFCOMP_ENTROPY_LOGISTIC_MIXTURE_H_
#define DIFFCOMP_ENTROPY_LOGISTIC_MIXTURE_H_

#include <cstdint>

#include "common/status.h"
#include "entropy/rans.h"

namespace dc::mix {

constexpr int kCdfPrecision = 16;
constexpr int kMaxMixtures = 16;

// One value's distribution in fixed point.
struct ChannelDist {
  int k = 0;
  int32_t weight[kMaxMixtures];  // Q15, sum exactly 2^15
  int32_t mean[kMaxMixtures];    // window units, Q8, within [-256, 512]
  int32_t inv_scale[kMaxMixtures];  // 1 / (scale in window units), Q16, >= 1
  // The same parameters before quantisation, for statistics only (never for coding).
  float weight_f[kMaxMixtures], mean_f[kMaxMixtures], scale_f[kMaxMixtures];
};

// Fills d's weights from K logits (softmax, quantised to sum to exactly 2^15).
void SetWeights(const float* logits, long stride, int K, ChannelDist* d);
// Sets component k's mean and inverse scale (window units) in fixed point.
void SetComponent(int k, float mean, float inv_scale, ChannelDist* d);
// Sets only component k's mean (SetComponent's mean half).
void SetMean(int k, float mean, ChannelDist* d);

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

}  // namespace dc::mix

#endif  // DIFFCOMP_ENTROPY_LOGISTIC_MIXTURE_H_
