// Deterministic elementary functions: built only from IEEE-754 adds, multiplies, divides and
// exact conversions in a fixed order (compiled with -ffp-contract=off), so every platform and
// build computes the same bits. libm's exp/tanh are not used where the decoder must agree with
// the encoder, because their last-bit results differ between library versions.
#ifndef DIFFCOMP_COMMON_DETMATH_H_
#define DIFFCOMP_COMMON_DETMATH_H_

#include <cstdint>
#include <cstring>

namespace dc::nn {

// exp(x) for float, relative error ~2e-7 over [-87, 88]; clamped outside.
inline float DetExp(float x) {
  if (!(x > -87.0f)) return 0.0f;  // also maps NaN to 0
  if (x > 88.0f) x = 88.0f;
  const float kLog2e = 1.44269504f;
  const float kLn2Hi = 0.693145752f;  // exact in 16 bits: n * kLn2Hi is exact
  const float kLn2Lo = 1.42860677e-06f;
  const float t = x * kLog2e;
  int n = static_cast<int>(t);
  if (t < 0.0f && static_cast<float>(n) != t) --n;  // floor
  if (t - static_cast<float>(n) > 0.5f) ++n;         // nearest
  const float fn = static_cast<float>(n);
  const float r = (x - fn * kLn2Hi) - fn * kLn2Lo;  // |r| <= ~0.35
  // Taylor/minimax polynomial of exp on the reduced range, Horner order fixed.
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  // Scale by 2^n through the exponent bits (n in [-126, 127] here; below that, two steps).
  float scale;
  if (n < -126) {
    const uint32_t b1 = static_cast<uint32_t>(n + 126 + 127) << 23;
    std::memcpy(&scale, &b1, 4);
    return p * scale * 1.17549435e-38f;  // 2^-126
  }
  const uint32_t bits = static_cast<uint32_t>(n + 127) << 23;
  std::memcpy(&scale, &bits, 4);
  return p * scale;
}

inline float DetTanh(float x) {
  if (x > 9.0f) return 1.0f;
  if (x < -9.0f) return -1.0f;
  return 1.0f - 2.0f / (DetExp(2.0f * x) + 1.0f);
}

}  // namespace dc::nn

#endif  // DIFFCOMP_COMMON_DETMATH_H_
