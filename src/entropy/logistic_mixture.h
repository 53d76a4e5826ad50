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

// start(v) for v in 1..255 from the Q16 CDF below v (see above).
inline uint32_t StartFromCdf(uint32_t cdf_below, int v) {
  return ((cdf_below * uint32_t{65280}) >> 16) + static_cast<uint32_t>(v);
}

// Symbol interval of v in 0..255 (see above).
inline uint32_t SymbolStart(const ChannelDist& d, int v) {
  if (v <= 0) return 0;
  if (v >= 256) return 1u << kCdfPrecision;
  return StartFromCdf(CdfBelow(d, v), v);
}

// CdfBelow(d, v) and CdfBelow(d, v + 1) in one pass over the components (v in 0..255; a
// boundary outside 1..255 is computed but meaningless). Same values as two CdfBelow calls.
void CdfBelowPair(const ChannelDist& d, int v, uint32_t* below_v, uint32_t* below_next);
// The portable path of CdfBelowPair (CdfBelowPair uses AVX2 where the CPU has it; both give the
// same integers), and whether CdfBelowPair runs the SIMD path here. For tests.
void CdfBelowPairScalar(const ChannelDist& d, int v, uint32_t* below_v, uint32_t* below_next);
bool CdfBelowPairIsSimd();

// SymbolStart(d, v) and the frequency SymbolStart(d, v + 1) - SymbolStart(d, v), v in 0..255,
// in one pass: every caller that needs an interval uses this.
inline uint32_t SymbolFreq(const ChannelDist& d, int v, uint32_t* start) {
  uint32_t c0, c1;
  CdfBelowPair(d, v, &c0, &c1);
  const uint32_t s = v <= 0 ? 0 : StartFromCdf(c0, v);
  const uint32_t e = v >= 255 ? (1u << kCdfPrecision) : StartFromCdf(c1, v + 1);
  *start = s;
  return e - s;
}

// Rounded mean of the mixture's component means, in values, clamped to 0..255: where a decoder's
// search for the coded value starts (any start gives the same value; a good one is faster).
int SearchStart(const ChannelDist& d);

// The value v in 0..255 with start(v) <= target < start(v + 1) for a monotone `start` (start(0)
// = 0, start(256) = 2^16 > target), searched outward from `guess` by doubling steps, then by
// bisection. Returns v and sets *s_lo = start(v), *s_hi = start(v + 1).
template <typename StartFn>
int SearchValue(StartFn&& start, uint32_t target, int guess, uint32_t* s_lo, uint32_t* s_hi) {
  // Invariant once set: start(lo) <= target < start(hi), with sl = start(lo), sh = start(hi).
  int lo = 0, hi = 256;
  uint32_t sl = 0, sh = 1u << kCdfPrecision;
  const uint32_t sg = start(guess);
  if (sg <= target) {
    lo = guess;
    sl = sg;
    for (int step = 1; lo + step < 256; step *= 2) {
      const int x = lo + step;
      const uint32_t sx = start(x);
      if (sx > target) {
        hi = x;
        sh = sx;
        break;
      }
      lo = x;
      sl = sx;
    }
  } else {
    hi = guess;
    sh = sg;
    for (int step = 1; hi - step > 0; step *= 2) {
      const int x = hi - step;
      const uint32_t sx = start(x);
      if (sx <= target) {
        lo = x;
        sl = sx;
        break;
      }
      hi = x;
      sh = sx;
    }
  }
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    const uint32_t sm = start(mid);
    if (sm <= target) {
      lo = mid;
      sl = sm;
    } else {
      hi = mid;
      sh = sm;
    }
  }
  *s_lo = sl;
  *s_hi = sh;
  return lo;
}

inline void EncodeValue(rans::Encoder* enc, const ChannelDist& d, int v) {
  uint32_t s;
  const uint32_t f = SymbolFreq(d, v, &s);
  enc->Put(s, f, kCdfPrecision);
}

// Finds the value whose interval holds the decoder's next target (SearchValue from SearchStart).
Status DecodeValue(rans::Decoder* dec, const ChannelDist& d, int* v);

// Ideal cost in bits of coding v with d's quantised intervals (what rANS approaches).
double ValueBits(const ChannelDist& d, int v);
// The same for an interval's frequency (in 1/2^16).
double FreqBits(uint32_t freq);
// The model's own negative log-likelihood of v in bits: the float mixture, as in training.
double ModelNllBits(const ChannelDist& d, int v);

}  // namespace dc::mix

#endif  // DIFFCOMP_ENTROPY_LOGISTIC_MIXTURE_H_
