// The lossless image codec's mixtures: network outputs of one grid cell -> a channel's
// fixed-point logistic mixture (entropy/logistic_mixture.h codes it).
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSLESS_MIXTURE_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSLESS_MIXTURE_H_

#include <cstdint>

#include "codecs/image_lossless/adm_net.h"
#include "entropy/logistic_mixture.h"

namespace dc::adm {

using mix::CdfBelow;
using mix::ChannelDist;
using mix::DecodeValue;
using mix::EncodeValue;
using mix::kCdfPrecision;
using mix::ModelNllBits;
using mix::SymbolStart;
using mix::ValueBits;

// Builds channel c's distribution from the network outputs of one grid cell (`out` points at
// output channel 0 of the cell, `stride` floats between consecutive output channels), the
// predictor of the three channels and the residuals (value - predictor) of the channels
// already coded in this pixel (c = 0: none; 1: R; 2: R, G).
void MakeChannelDist(const float* out, long stride, int K, int c, const int32_t pred[3],
                     const int32_t residual[3], ChannelDist* d);

// Revision 2: values known to be impossible (a pixel's channel that is none of the offered
// values) keep frequency 1 and the remaining intervals are stretched back to 2^16:
//   G(v) = start(v) - sum over excluded u < v of (freq(u) - 1)
//   start'(v) = floor(G(v) * 2^16 / (2^16 - sum over excluded u of (freq(u) - 1)))
// so start'(0) = 0, start'(256) = 2^16 and every value keeps a frequency >= 1.
struct Exclusion {  // at most 8 values in practice (the distinct values of 8 candidates)
  int n = 0;
  int v[16];
  uint32_t drop[16];  // freq(v) - 1
  uint32_t total = 0;
  // Adds `value` (frequency `freq` >= 1 under the distribution) unless already there.
  void Add(int value, uint32_t freq) {
    for (int k = 0; k < n; ++k)
      if (v[k] == value) return;
    if (n == 16) return;  // unreachable (8 candidates)
    v[n] = value;
    drop[n] = freq - 1;
    total += drop[n];
    ++n;
  }
  void Add(const ChannelDist& d, int value) {
    uint32_t s;
    Add(value, mix::SymbolFreq(d, value, &s));
  }
};
// start'(v) from start(v) (= SymbolStart(d, v)).
inline uint32_t ExclFromStart(const Exclusion& e, int v, uint32_t g) {
  if (v >= 256) return 1u << kCdfPrecision;
  if (e.n == 0) return g;
  for (int k = 0; k < e.n; ++k)
    if (e.v[k] < v) g -= e.drop[k];
  return static_cast<uint32_t>((static_cast<uint64_t>(g) << kCdfPrecision) / ((1u << kCdfPrecision) - e.total));
}
inline uint32_t ExclStart(const ChannelDist& d, const Exclusion& e, int v) {
  return ExclFromStart(e, v, SymbolStart(d, v));
}
// v's interval under the exclusion: sets *start and returns the frequency.
inline uint32_t ExclFreq(const ChannelDist& d, const Exclusion& e, int v, uint32_t* start) {
  uint32_t s;
  const uint32_t f = mix::SymbolFreq(d, v, &s);
  const uint32_t s1 = ExclFromStart(e, v, s), s2 = ExclFromStart(e, v + 1, s + f);
  *start = s1;
  return s2 - s1;
}
inline void EncodeValueExcl(rans::Encoder* enc, const ChannelDist& d, const Exclusion& e, int v) {
  uint32_t s;
  const uint32_t f = ExclFreq(d, e, v, &s);
  enc->Put(s, f, kCdfPrecision);
}
Status DecodeValueExcl(rans::Decoder* dec, const ChannelDist& d, const Exclusion& e, int* v);

// The parts of a cell's three channel distributions that do not depend on the values coded
// (weights, scales, coupling coefficients, mean before coupling), computed once; then
// CellChannelDist gives exactly MakeChannelDist's result for any residuals (same float
// operations in the same order), cheaply. Used by revision 2 to price candidate colours.
struct CellMixture {
  int K = 0;
  ChannelDist base[3];           // weights and inverse scales final; means unset
  float mean0[3][kMaxMixtures];  // predn + offset
  float tR[3][kMaxMixtures], tG[kMaxMixtures];  // tanh coupling coefficients (c = 1, 2: on R; c = 2: on G)
};
void PrepareCell(const float* out, long stride, int K, const int32_t pred[3], int coded, CellMixture* m);
void CellChannelDist(const CellMixture& m, int c, const int32_t residual[3], ChannelDist* d);
// CellChannelDist's means only: d must already hold m.base[c] but for its means (the candidate
// prices copy the base once per cell and then set the means of each candidate).
void SetCellMeans(const CellMixture& m, int c, const int32_t residual[3], ChannelDist* d);

}  // namespace dc::adm

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSLESS_MIXTURE_H_
