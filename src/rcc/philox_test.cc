#include "rcc/philox.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace dc::rcc {
namespace {

// Random123 kat_vectors, "philox4x32 10" lines: counter, key, expected output.
TEST(Philox, Random123KnownAnswers) {
  struct Kat {
    std::array<uint32_t, 4> ctr;
    std::array<uint32_t, 2> key;
    std::array<uint32_t, 4> want;
  };
  const Kat kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const Kat& k : kats) EXPECT_EQ(Philox4x32(k.ctr, k.key), k.want);
}

TEST(NormalTransform, LogMatchesDoubleLibm) {
  double worst = 0;
  for (uint32_t v = 0; v < (1u << 23); v += 997) {
    const float u = (static_cast<float>(v) + 0.5f) * (1.0f / 8388608.0f);
    const double ref = std::log(static_cast<double>(u));
    const double got = DetLog(u);
    worst = std::max(worst, std::fabs(got - ref) / std::max(1e-3, std::fabs(ref)));
  }
  EXPECT_LT(worst, 4e-7);
  EXPECT_EQ(DetLog(1.0f), 0.0f);
  EXPECT_NEAR(DetLog(0.5f), -0.69314718, 1e-7);
  EXPECT_NEAR(DetLog(1000.0f), 6.90775528, 1e-6);  // also right above 1 (arrival times)
}

TEST(NormalTransform, SinCosMatchDoubleLibm) {
  double worst = 0;
  for (uint32_t v = 0; v < (1u << 24); v += 1237) {
    float c, s;
    DetSinCos2Pi(v, &c, &s);
    const double th = 2 * M_PI * (v + 0.5) / 16777216.0;
    worst = std::max({worst, std::fabs(c - std::cos(th)), std::fabs(s - std::sin(th))});
  }
  EXPECT_LT(worst, 3e-7);
  float c, s;
  DetSinCos2Pi(1u << 22, &c, &s);  // just past a quarter turn
  EXPECT_NEAR(c, 0.0, 1e-6);
  EXPECT_NEAR(s, 1.0, 1e-7);
}

TEST(NormalTransform, BoxMullerKnownValues) {
  // Against the same formula in double precision with libm.
  const uint32_t words[][2] = {{0, 0}, {0xFFFFFFFFu, 0xFFFFFFFFu}, {0x80000000u, 0x40000000u},
                               {0x12345678u, 0x9ABCDEF0u}, {0x00000200u, 0xC0000000u}};
  for (const auto& w : words) {
    float z0, z1;
    BoxMuller(w[0], w[1], &z0, &z1);
    const double u = ((w[0] >> 9) + 0.5) / 8388608.0;
    const double th = 2 * M_PI * ((w[1] >> 8) + 0.5) / 16777216.0;
    const double r = std::sqrt(-2 * std::log(u));
    EXPECT_NEAR(z0, r * std::cos(th), 2e-6 * std::max(1.0, r)) << w[0] << " " << w[1];
    EXPECT_NEAR(z1, r * std::sin(th), 2e-6 * std::max(1.0, r)) << w[0] << " " << w[1];
  }
  // The largest radius: u = 2^-24.
  float z0, z1;
  BoxMuller(0, 0, &z0, &z1);
  EXPECT_NEAR(std::hypot(z0, z1), std::sqrt(48 * std::log(2.0)), 1e-5);
}

TEST(NormalTransform, MomentsAndQuantiles) {
  const size_t n = 1 << 21;
  std::vector<float> z(n);
  StdNormals(12345, 7, 3, 11, n, z.data());
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
  size_t below[4] = {0, 0, 0, 0};
  const double cuts[4] = {-1.96, -1.0, 0.0, 1.0};
  for (float v : z) {
    const double x = v;
    m1 += x, m2 += x * x, m3 += x * x * x, m4 += x * x * x * x;
    for (int i = 0; i < 4; ++i) below[i] += x < cuts[i];
  }
  m1 /= n, m2 /= n, m3 /= n, m4 /= n;
  // Tolerances: about 5 standard errors for 2^21 draws.
  EXPECT_NEAR(m1, 0.0, 0.0035);
  EXPECT_NEAR(m2, 1.0, 0.005);
  EXPECT_NEAR(m3, 0.0, 0.009);
  EXPECT_NEAR(m4, 3.0, 0.03);
  const double cdf[4] = {0.0249979, 0.1586553, 0.5, 0.8413447};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(static_cast<double>(below[i]) / n, cdf[i], 0.0015) << cuts[i];
}

TEST(NormalTransform, StreamLayoutAndPrefixes) {
  const uint64_t seed = 0x0123456789ABCDEFull;
  std::vector<float> z(103);
  StdNormals(seed, 5, 9, 42, z.size(), z.data());
  for (uint32_t j = 0; j < 26; ++j) {
    const auto w = Philox4x32({j, 42, 9, 5}, {0x89ABCDEFu, 0x01234567u});
    float e[4];
    BoxMuller(w[0], w[1], &e[0], &e[1]);
    BoxMuller(w[2], w[3], &e[2], &e[3]);
    for (int r = 0; r < 4 && 4 * j + r < z.size(); ++r) {
      uint32_t a, b;
      std::memcpy(&a, &z[4 * j + r], 4);
      std::memcpy(&b, &e[r], 4);
      EXPECT_EQ(a, b) << "normal " << 4 * j + r;  // vector path = scalar path, bit for bit
    }
  }
  for (size_t n : {1, 3, 4, 5, 64, 65}) {
    std::vector<float> p(n);
    StdNormals(seed, 5, 9, 42, n, p.data());
    EXPECT_EQ(0, std::memcmp(p.data(), z.data(), n * 4)) << n;
  }
  std::vector<float> other(103);
  StdNormals(seed, 5, 9, 43, other.size(), other.data());
  EXPECT_NE(0, std::memcmp(other.data(), z.data(), z.size() * 4));
}

TEST(NormalTransform, GoldenStream) {
  // Pins the bits of the stream (any change breaks every lossy file): FNV-1a of the first
  // 4096 normals of (seed 1, step 2, chunk 3, candidate 4), computed by this implementation when
  // the format was fixed (identical with gcc -O0/-O2/-O3 -march=native, SSE2-only and clang); the
  // other tests tie those bits to Philox and libm.
  std::vector<float> z(4096);
  StdNormals(1, 2, 3, 4, z.size(), z.data());
  uint64_t h = 1469598103934665603ull;
  for (float v : z) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    for (int i = 0; i < 4; ++i) h = (h ^ ((b >> (8 * i)) & 0xFF)) * 1099511628211ull;
  }
  EXPECT_EQ(h, 0xb2a0b6c8d6a02d3aull) << std::hex << h;
}

TEST(CandidateDots, MatchStdNormals) {
  const size_t d = 37;
  std::vector<float> w(d);
  for (size_t k = 0; k < d; ++k) w[k] = 0.25f * static_cast<float>(k % 7) - 0.6f;
  std::vector<double> dots(50);
  CandidateDots(99, 1, 2, 10, 50, w.data(), d, dots.data());
  std::vector<float> z(d);
  for (uint32_t i = 0; i < 50; ++i) {
    StdNormals(99, 1, 2, 10 + i, d, z.data());
    double ref = 0;
    for (size_t k = 0; k < d; ++k) ref += static_cast<double>(w[k]) * z[k];
    EXPECT_EQ(dots[i], ref) << i;
  }
}

TEST(LogArrivals, IncreasingPoissonTimes) {
  std::vector<float> lt(4096);
  LogArrivals(5, 6, 7, 4096, lt.data());
  for (size_t i = 1; i < lt.size(); ++i) EXPECT_GE(lt[i], lt[i - 1]);
  // T_i ~ i + 1 for a unit-rate process: ln T_4095 close to ln 4096 (sd of T is 64).
  EXPECT_NEAR(lt.back(), std::log(4096.0), 0.08);
}

}  // namespace
}  // namespace dc::rcc
