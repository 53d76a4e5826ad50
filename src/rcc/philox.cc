#include "rcc/philox.h"

#include <cmath>
#include <cstring>

namespace dc::rcc {
namespace {

// Philox4x32 constants (Random123): multipliers and the Weyl key increments.
constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
constexpr int kRounds = 10;

// Lanes processed together: independent Philox blocks, vectorised by the compiler (AVX2: 8
// 32-bit lanes, 4 64-bit products per vpmuludq). 16 keeps two vectors in flight.
constexpr int kLanes = 16;

#if defined(__clang__) || !(defined(__x86_64__) || defined(__i386__))  // AVX2 clones: GCC on x86 only
#define DC_RCC_TARGET_CLONES
#else
#define DC_RCC_TARGET_CLONES __attribute__((target_clones("avx2", "default")))
#endif

#define DC_INLINE inline __attribute__((always_inline))

DC_INLINE float Bits2Float(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
DC_INLINE uint32_t Float2Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// ln(u), u a positive normal float. u = m 2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s),
// s = (m - 1) / (m + 1), |s| <= 0.1716, by its odd series to s^9 (truncation < 1e-9).
DC_INLINE float LogImpl(float u) {
  const uint32_t bits = Float2Bits(u);
  const uint32_t mant = bits & 0x7FFFFFu;
  const uint32_t big = mant > 0x3504F3u ? 1u : 0u;  // m > sqrt(2) (0x3FB504F3 is sqrt 2)
  const int32_t e = static_cast<int32_t>(bits >> 23) - 127 + static_cast<int32_t>(big);
  const float m = Bits2Float((mant | 0x3F800000u) - (big << 23));
  const float s = (m - 1.0f) / (m + 1.0f);  // m - 1 is exact (Sterbenz)
  const float s2 = s * s;
  float p = 1.0f / 9.0f;
  p = p * s2 + 1.0f / 7.0f;
  p = p * s2 + 1.0f / 5.0f;
  p = p * s2 + 1.0f / 3.0f;
  p = p * s2 + 1.0f;
  const float fe = static_cast<float>(e);
  const float kLn2Hi = 0.693145752f;  // 16 significant bits: fe * kLn2Hi is exact
  const float kLn2Lo = 1.42860677e-06f;
  return fe * kLn2Hi + (fe * kLn2Lo + 2.0f * s * p);
}

// cos and sin of 2 pi (v + 0.5) / 2^24. The nearest quadrant q and the remainder r are integer
// arithmetic, so the polynomial argument is |x| <= pi/4 and exact up to one rounding.
DC_INLINE void SinCosImpl(uint32_t v, float* cs, float* sn) {
  const uint32_t t = (v + (1u << 21)) & 0xFFFFFFu;
  const uint32_t q = t >> 22;
  const int32_t r = static_cast<int32_t>(t & 0x3FFFFFu) - (1 << 21);
  const float kStep = 3.7450702e-07f;  // 2 pi / 2^24
  const float x = (static_cast<float>(r) + 0.5f) * kStep;
  const float x2 = x * x;
  float ps = -1.0f / 5040.0f + x2 * (1.0f / 362880.0f);
  ps = 1.0f / 120.0f + x2 * ps;
  ps = -1.0f / 6.0f + x2 * ps;
  const float s = x + x * (x2 * ps);
  float pc = 1.0f / 40320.0f - x2 * (1.0f / 3628800.0f);
  pc = -1.0f / 720.0f + x2 * pc;
  pc = 1.0f / 24.0f + x2 * pc;
  pc = -0.5f + x2 * pc;
  const float c = 1.0f + x2 * pc;
  // theta = q pi/2 + x: (cos, sin) = (c, s), (-s, c), (-c, -s), (s, -c) for q = 0..3.
  const uint32_t swap = q & 1u;
  const float a = swap ? s : c;
  const float b = swap ? c : s;
  const uint32_t neg_cos = ((q + 1u) >> 1) & 1u;  // q = 1, 2
  const uint32_t neg_sin = q >> 1;                // q = 2, 3
  *cs = Bits2Float(Float2Bits(a) ^ (neg_cos << 31));
  *sn = Bits2Float(Float2Bits(b) ^ (neg_sin << 31));
}

DC_INLINE void BoxMullerImpl(uint32_t a, uint32_t b, float* z0, float* z1) {
  const float u = (static_cast<float>(a >> 9) + 0.5f) * (1.0f / 8388608.0f);  // exact, in (0, 1)
  const float rad = std::sqrt(-2.0f * LogImpl(u));
  float c, s;
  SinCosImpl(b >> 8, &c, &s);
  *z0 = rad * c;
  *z1 = rad * s;
}

// In-place Philox4x32-10 on kLanes counters held as four word arrays.
DC_INLINE void PhiloxLanes(uint32_t* c0, uint32_t* c1, uint32_t* c2, uint32_t* c3, uint32_t k0, uint32_t k1) {
  for (int round = 0; round < kRounds; ++round) {
    for (int l = 0; l < kLanes; ++l) {
      const uint64_t p0 = uint64_t{kM0} * c0[l];
      const uint64_t p1 = uint64_t{kM1} * c2[l];
      const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1[l] ^ k0;
      const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3[l] ^ k1;
      c0[l] = n0;
      c1[l] = static_cast<uint32_t>(p1);
      c2[l] = n2;
      c3[l] = static_cast<uint32_t>(p0);
    }
    k0 += kW0;
    k1 += kW1;
  }
}

// Normals of one candidate; lanes are consecutive blocks j.
DC_RCC_TARGET_CLONES
void StdNormalsImpl(uint64_t seed, uint32_t step, uint32_t chunk, uint32_t candidate, size_t n, float* out) {
  const uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  const size_t blocks = (n + 3) / 4;
  alignas(64) uint32_t c0[kLanes], c1[kLanes], c2[kLanes], c3[kLanes];
  alignas(64) float z[4][kLanes];
  for (size_t j0 = 0; j0 < blocks; j0 += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      c0[l] = static_cast<uint32_t>(j0 + l);
      c1[l] = candidate;
      c2[l] = chunk;
      c3[l] = step;
    }
    PhiloxLanes(c0, c1, c2, c3, k0, k1);
    for (int l = 0; l < kLanes; ++l) {
      BoxMullerImpl(c0[l], c1[l], &z[0][l], &z[1][l]);
      BoxMullerImpl(c2[l], c3[l], &z[2][l], &z[3][l]);
    }
    const size_t nb = blocks - j0 < static_cast<size_t>(kLanes) ? blocks - j0 : kLanes;
    for (size_t l = 0; l < nb; ++l)
      for (size_t r = 0; r < 4; ++r) {
        const size_t k = (j0 + l) * 4 + r;
        if (k < n) out[k] = z[r][l];
      }
  }
}

// Dot products of kLanes candidates at a time with w; lanes are candidates.
DC_RCC_TARGET_CLONES
void CandidateDotsImpl(uint64_t seed, uint32_t step, uint32_t chunk, uint32_t cand0, uint32_t count,
                       const float* w, size_t d, double* dot) {
  const uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  const size_t blocks = (d + 3) / 4;
  alignas(64) uint32_t c0[kLanes], c1[kLanes], c2[kLanes], c3[kLanes];
  alignas(64) float z[4][kLanes];
  alignas(64) double acc[kLanes];
  for (uint32_t i0 = 0; i0 < count; i0 += kLanes) {
    for (int l = 0; l < kLanes; ++l) acc[l] = 0.0;
    for (size_t j = 0; j < blocks; ++j) {
      for (int l = 0; l < kLanes; ++l) {
        c0[l] = static_cast<uint32_t>(j);
        c1[l] = cand0 + i0 + static_cast<uint32_t>(l);
        c2[l] = chunk;
        c3[l] = step;
      }
      PhiloxLanes(c0, c1, c2, c3, k0, k1);
      for (int l = 0; l < kLanes; ++l) {
        BoxMullerImpl(c0[l], c1[l], &z[0][l], &z[1][l]);
        BoxMullerImpl(c2[l], c3[l], &z[2][l], &z[3][l]);
      }
      const size_t nr = d - 4 * j < 4 ? d - 4 * j : 4;
      for (size_t r = 0; r < nr; ++r) {
        const double wr = w[4 * j + r];
        for (int l = 0; l < kLanes; ++l) acc[l] += wr * static_cast<double>(z[r][l]);
      }
    }
    const uint32_t nl = count - i0 < static_cast<uint32_t>(kLanes) ? count - i0 : kLanes;
    for (uint32_t l = 0; l < nl; ++l) dot[i0 + l] = acc[l];
  }
}

DC_RCC_TARGET_CLONES
void LogArrivalsImpl(uint64_t seed, uint32_t step, uint32_t chunk, uint32_t k, float* out) {
  const std::array<uint32_t, 2> key = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
  const uint32_t k0 = key[0], k1 = key[1];
  alignas(64) uint32_t c0[kLanes], c1[kLanes], c2[kLanes], c3[kLanes];
  // E_i = -ln u_i from the words of blocks {i / 4, chunk, kReservedChunk + 1, step}.
  for (uint32_t i0 = 0; i0 < k; i0 += 4 * kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      c0[l] = i0 / 4 + static_cast<uint32_t>(l);
      c1[l] = chunk;
      c2[l] = kReservedChunk + 1;
      c3[l] = step;
    }
    PhiloxLanes(c0, c1, c2, c3, k0, k1);
    alignas(64) float e[4 * kLanes];
    for (int l = 0; l < kLanes; ++l) {
      const uint32_t wd[4] = {c0[l], c1[l], c2[l], c3[l]};
      for (int r = 0; r < 4; ++r)
        e[4 * l + r] = -LogImpl((static_cast<float>(wd[r] >> 9) + 0.5f) * (1.0f / 8388608.0f));
    }
    const uint32_t m = k - i0 < 4u * kLanes ? k - i0 : 4u * kLanes;
    for (uint32_t i = 0; i < m; ++i) out[i0 + i] = e[i];
  }
  double t = 0;  // arrival times: running sums, in order
  for (uint32_t i = 0; i < k; ++i) {
    t += static_cast<double>(out[i]);
    out[i] = static_cast<float>(t);
  }
  for (uint32_t i = 0; i < k; ++i) out[i] = LogImpl(out[i]);
}

}  // namespace

void LogArrivals(uint64_t seed, uint32_t step, uint32_t chunk, uint32_t k, float* out) {
  if (k) LogArrivalsImpl(seed, step, chunk, k, out);
}

std::array<uint32_t, 4> Philox4x32(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key) {
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < kRounds; ++round) {
    const uint64_t p0 = uint64_t{kM0} * counter[0];
    const uint64_t p1 = uint64_t{kM1} * counter[2];
    counter = {static_cast<uint32_t>(p1 >> 32) ^ counter[1] ^ k0, static_cast<uint32_t>(p1),
               static_cast<uint32_t>(p0 >> 32) ^ counter[3] ^ k1, static_cast<uint32_t>(p0)};
    k0 += kW0;
    k1 += kW1;
  }
  return counter;
}

void StdNormals(uint64_t seed, uint32_t step, uint32_t chunk, uint32_t candidate, size_t n, float* out) {
  if (n) StdNormalsImpl(seed, step, chunk, candidate, n, out);
}

void BoxMuller(uint32_t a, uint32_t b, float* z0, float* z1) { BoxMullerImpl(a, b, z0, z1); }
float DetLog(float u) { return LogImpl(u); }
void DetSinCos2Pi(uint32_t v24, float* c, float* s) { SinCosImpl(v24 & 0xFFFFFFu, c, s); }

void CandidateDots(uint64_t seed, uint32_t step, uint32_t chunk, uint32_t cand0, uint32_t count,
                   const float* w, size_t d, double* dot) {
  if (count) CandidateDotsImpl(seed, step, chunk, cand0, count, w, d, dot);
}

}  // namespace dc::rcc
