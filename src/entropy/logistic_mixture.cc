#include "entropy/logistic_mixture.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "common/detmath.h"

// An AVX2 path for the CDF boundaries, chosen at run time (GCC and Clang on x86-64); it computes
// the scalar path's integers exactly (tested: LogisticMixture.SimdPairEqualsScalar).
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define DC_MIX_AVX2 1
#include <immintrin.h>
#else
#define DC_MIX_AVX2 0
#endif

namespace dc::mix {
namespace {


// sigmoid(z) in Q16 for z = i / 256, i in [-kZ, kZ]; built with DetExp so that every build
// holds the same table.
constexpr int kZ = 16 * 256;
struct SigmoidTable {
  std::array<uint32_t, 2 * kZ + 1> v;
  SigmoidTable() {
    for (int i = -kZ; i <= kZ; ++i) {
      const float e = nn::DetExp(-static_cast<float>(i) / 256.0f);
      const float s = 65536.0f / (1.0f + e);
      v[i + kZ] = static_cast<uint32_t>(s + 0.5f);
    }
    // The CDFs built from this table must be monotone whatever the last bits of DetExp do.
    for (size_t i = 1; i < v.size(); ++i) v[i] = std::max(v[i], v[i - 1]);
    v[0] = 0;
    v[2 * kZ] = 65536;
    // The same table in half the cache: entry i is lo16[i] + (i >= full_from).
    full_from = static_cast<int>(v.size()) - 1;
    while (full_from > 0 && v[static_cast<size_t>(full_from - 1)] == 65536) --full_from;
    for (size_t i = 0; i < v.size(); ++i) lo16[i] = static_cast<uint16_t>(std::min<uint32_t>(v[i], 65535));
  }
  std::array<uint16_t, 2 * kZ + 1> lo16;
  int full_from;
  uint32_t At(int64_t i) const { return uint32_t{lo16[static_cast<size_t>(i)]} + (i >= full_from ? 1u : 0u); }
};
const SigmoidTable& Sigmoid() {
  static const SigmoidTable t;
  return t;
}

// The table index of z in Q24: z / 2^16 rounded toward zero, clamped to [-kZ, kZ], plus kZ.
// Branch-free: adding 2^16 - 1 to a negative z before the arithmetic shift rounds it toward zero.
inline int64_t TableIndex(int64_t z) {
  const int64_t q = (z + ((z >> 63) & 0xFFFF)) >> 16;
  return std::min<int64_t>(std::max<int64_t>(q, -kZ), kZ) + kZ;
}

inline int32_t RoundToInt(float x, float lo, float hi) {
  x = x >= lo ? std::min(x, hi) : lo;  // NaN -> lo: converting NaN to an integer is undefined
  return static_cast<int32_t>(x >= 0 ? x + 0.5f : x - 0.5f);
}

}  // namespace

void SetWeights(const float* logits, long stride, int K, ChannelDist* d) {
  d->k = K;
  float mx = logits[0];
  for (int k = 1; k < K; ++k) mx = std::max(mx, logits[k * stride]);
  float e[kMaxMixtures], sum = 0.0f;
  for (int k = 0; k < K; ++k) {
    e[k] = nn::DetExp(logits[k * stride] - mx);
    sum += e[k];
  }
  // Only non-finite logits (a model with non-finite or overflowing weights) can make every term
  // 0; the weights are then uniform rather than 0/0, whose conversion below is undefined.
  if (!(sum > 0.0f)) {
    for (int k = 0; k < K; ++k) e[k] = 1.0f;
    sum = static_cast<float>(K);
  }
  int32_t used = 0, best = 0;
  for (int k = 0; k < K; ++k) {
    d->weight_f[k] = e[k] / sum;
    d->weight[k] = static_cast<int32_t>(e[k] / sum * 32768.0f);
    used += d->weight[k];
    if (e[k] > e[best]) best = k;
  }
  d->weight[best] += 32768 - used;
}

void SetMean(int k, float mean, ChannelDist* d) {
  d->mean_f[k] = mean;
  d->mean[k] = RoundToInt(mean * 256.0f, -65536.0f, 131072.0f);
}

void SetComponent(int k, float mean, float inv_scale, ChannelDist* d) {
  SetMean(k, mean, d);
  d->scale_f[k] = 1.0f / inv_scale;
  d->inv_scale[k] = std::max(1, RoundToInt(inv_scale * 65536.0f, 0.0f, 1.0e9f));
}

uint32_t CdfBelow(const ChannelDist& d, int v) {
  const int32_t b = v * 256 - 128;  // boundary v - 1/2 in Q8
  const SigmoidTable& tab = Sigmoid();
  uint64_t acc = 0;
  for (int k = 0; k < d.k; ++k) {  // (a zero weight adds zero)
    // z = (b - mean) / scale, Q8 * Q16 -> Q24, then to the table's Q8.
    const int64_t z = (static_cast<int64_t>(b) - d.mean[k]) * d.inv_scale[k];
    acc += static_cast<uint64_t>(d.weight[k]) * tab.At(TableIndex(z));
  }
  return static_cast<uint32_t>(acc >> 15);  // <= 2^16
}

namespace {

void CdfBelowPairScalarImpl(const ChannelDist& d, int v, uint32_t* below_v, uint32_t* below_next) {
  const int32_t b = v * 256 - 128;  // boundary v - 1/2 in Q8; the next one is 256 higher
  const SigmoidTable& tab = Sigmoid();
  uint64_t acc0 = 0, acc1 = 0;
  for (int k = 0; k < d.k; ++k) {  // (a zero weight adds zero)
    const int64_t z0 = (static_cast<int64_t>(b) - d.mean[k]) * d.inv_scale[k];
    const int64_t z1 = z0 + int64_t{256} * d.inv_scale[k];  // (b + 256 - mean) * inv_scale
    const uint64_t w = static_cast<uint64_t>(d.weight[k]);
    acc0 += w * tab.At(TableIndex(z0));
    acc1 += w * tab.At(TableIndex(z1));
  }
  *below_v = static_cast<uint32_t>(acc0 >> 15);
  *below_next = static_cast<uint32_t>(acc1 >> 15);
}

#if DC_MIX_AVX2
// The same integers, four components at a time. (b - mean) * inv_scale has at most 49 bits, so
// it and its product with 2^-16 are exact in double; clamping to [-kZ, kZ] and then truncating
// toward zero (cvttpd) gives the scalar path's index (its integer bounds commute with
// truncation). Products weight x table entry (< 2^32) are summed in 64 bits, as in the scalar
// path, and the sum's order does not matter for integers.
__attribute__((target("avx2"))) void CdfBelowPairAvx2(const ChannelDist& d, int v, uint32_t* below_v,
                                                      uint32_t* below_next) {
  const SigmoidTable& tab = Sigmoid();
  const int* table = reinterpret_cast<const int*>(tab.v.data());
  const __m128i bq = _mm_set1_epi32(v * 256 - 128);
  const __m256d lo = _mm256_set1_pd(-kZ), hi = _mm256_set1_pd(kZ), q16 = _mm256_set1_pd(1.0 / 65536.0),
                step = _mm256_set1_pd(256.0);
  const __m128i off = _mm_set1_epi32(kZ);
  __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
  for (int k = 0; k < d.k; k += 4) {
    const int n = std::min(4, d.k - k);
    const __m128i lane = _mm_setr_epi32(0, 1, 2, 3);
    const __m128i mask = _mm_cmplt_epi32(lane, _mm_set1_epi32(n));  // lanes past d.k read nothing
    const __m128i mean = _mm_maskload_epi32(&d.mean[k], mask);
    const __m128i inv = _mm_maskload_epi32(&d.inv_scale[k], mask);
    const __m128i w = _mm_maskload_epi32(&d.weight[k], mask);  // zero past d.k
    const __m256d diff = _mm256_cvtepi32_pd(_mm_sub_epi32(bq, mean));
    const __m256d sc = _mm256_cvtepi32_pd(inv);
    const __m256d z0 = _mm256_mul_pd(_mm256_mul_pd(diff, sc), q16);
    const __m256d z1 = _mm256_mul_pd(_mm256_mul_pd(_mm256_add_pd(diff, step), sc), q16);
    const __m128i i0 = _mm_add_epi32(_mm256_cvttpd_epi32(_mm256_min_pd(_mm256_max_pd(z0, lo), hi)), off);
    const __m128i i1 = _mm_add_epi32(_mm256_cvttpd_epi32(_mm256_min_pd(_mm256_max_pd(z1, lo), hi)), off);
    const __m128i t0 = _mm_i32gather_epi32(table, i0, 4), t1 = _mm_i32gather_epi32(table, i1, 4);
    acc0 = _mm256_add_epi64(acc0, _mm256_mul_epu32(_mm256_cvtepu32_epi64(w), _mm256_cvtepu32_epi64(t0)));
    acc1 = _mm256_add_epi64(acc1, _mm256_mul_epu32(_mm256_cvtepu32_epi64(w), _mm256_cvtepu32_epi64(t1)));
  }
  alignas(32) uint64_t a0[4], a1[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(a0), acc0);
  _mm256_store_si256(reinterpret_cast<__m256i*>(a1), acc1);
  *below_v = static_cast<uint32_t>((a0[0] + a0[1] + a0[2] + a0[3]) >> 15);
  *below_next = static_cast<uint32_t>((a1[0] + a1[1] + a1[2] + a1[3]) >> 15);
}
#endif

using PairFn = void (*)(const ChannelDist&, int, uint32_t*, uint32_t*);
PairFn ChoosePair() {
#if DC_MIX_AVX2
  if (__builtin_cpu_supports("avx2")) return CdfBelowPairAvx2;
#endif
  return CdfBelowPairScalarImpl;
}
PairFn Pair() {
  static const PairFn f = ChoosePair();  // (not a global: callers may run during static init)
  return f;
}

}  // namespace

void CdfBelowPair(const ChannelDist& d, int v, uint32_t* below_v, uint32_t* below_next) {
  Pair()(d, v, below_v, below_next);
}

void CdfBelowPairScalar(const ChannelDist& d, int v, uint32_t* below_v, uint32_t* below_next) {
  CdfBelowPairScalarImpl(d, v, below_v, below_next);
}

bool CdfBelowPairIsSimd() {
#if DC_MIX_AVX2
  return Pair() == CdfBelowPairAvx2;
#else
  return false;
#endif
}

int SearchStart(const ChannelDist& d) {
  int64_t mu = 0;  // Q8 x Q15
  for (int k = 0; k < d.k; ++k) mu += static_cast<int64_t>(d.weight[k]) * d.mean[k];
  const int64_t v = (mu + (int64_t{1} << 22)) >> 23;  // Q23 -> values, rounded (floor of x + 1/2)
  return static_cast<int>(std::clamp<int64_t>(v, 0, 255));
}

Status DecodeValue(rans::Decoder* dec, const ChannelDist& d, int* v) {
  const uint32_t target = dec->Peek(kCdfPrecision);
  uint32_t s, e;
  const int value = SearchValue([&](int x) { return SymbolStart(d, x); }, target, SearchStart(d), &s, &e);
  RETURN_IF_ERROR(dec->Advance(s, e - s, kCdfPrecision));
  *v = value;
  return Status::Ok();
}

double FreqBits(uint32_t freq) { return 16.0 - std::log2(static_cast<double>(freq)); }

double ValueBits(const ChannelDist& d, int v) {
  uint32_t s;
  return FreqBits(SymbolFreq(d, v, &s));
}

double ModelNllBits(const ChannelDist& d, int v) {
  const auto sig = [](double z) { return 1.0 / (1.0 + std::exp(-z)); };
  double p = 0;
  for (int k = 0; k < d.k; ++k) {
    const double hi = v >= 255 ? 1.0 : sig((v + 0.5 - d.mean_f[k]) / d.scale_f[k]);
    const double lo = v <= 0 ? 0.0 : sig((v - 0.5 - d.mean_f[k]) / d.scale_f[k]);
    p += d.weight_f[k] * (hi - lo);
  }
  return -std::log2(std::max(p, 1e-30));
}
}  // namespace dc::mix
