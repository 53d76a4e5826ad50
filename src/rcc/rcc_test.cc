#include "rcc/rcc.h"

#include "common/bytes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace dc::rcc {
namespace {

struct Problem {
  std::vector<float> mu_p, mu_q;
  float sigma;
};

// mu_q - mu_p ~ N(0, (s sigma)^2) per dimension: KL per dimension s^2 / (2 ln 2) bits on average.
Problem MakeProblem(size_t n, double kl_bits_per_dim, uint32_t seed, float sigma = 0.3f) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0, 1);
  Problem p;
  p.sigma = sigma;
  const double s = std::sqrt(2 * kl_bits_per_dim * std::log(2.0));
  for (size_t i = 0; i < n; ++i) {
    p.mu_p.push_back(static_cast<float>(g(rng)));
    p.mu_q.push_back(static_cast<float>(p.mu_p.back() + sigma * s * g(rng)));
  }
  return p;
}

struct Coded {
  std::vector<uint8_t> seg;
  std::vector<float> x;
  RccStats stats;
};

Coded Encode(const Problem& p, const RccConfig& cfg) {
  Coded c;
  c.x.resize(p.mu_p.size());
  const Status s = EncodeGaussian(p.mu_p.data(), p.mu_q.data(), p.sigma, p.mu_p.size(), cfg, &c.seg, c.x.data(), &c.stats);
  EXPECT_TRUE(s.ok()) << s.message();
  return c;
}

TEST(Rcc, RoundTripGivesTheEncodersSample) {
  for (int cb : {4, 8, 12}) {
    for (size_t n : {1, 2, 7, 100, 3000}) {
      for (double kl : {0.01, 0.5, 3.0}) {
        const Problem p = MakeProblem(n, kl, static_cast<uint32_t>(n * 31 + cb));
        RccConfig cfg;
        cfg.chunk_bits = cb;
        cfg.seed = 0xFEEDull << 20 | n;
        cfg.step = cb;
        cfg.margin_bits = cb >= 8 ? 2.0 : 1.0;
        const Coded c = Encode(p, cfg);
        EXPECT_EQ(c.stats.bytes, c.seg.size());
        std::vector<float> y(n, -1.0f);
        const Status s = DecodeGaussian(p.mu_p.data(), p.sigma, n, cfg, c.seg.data(), c.seg.size(), y.data());
        ASSERT_TRUE(s.ok()) << s.message();
        EXPECT_EQ(0, std::memcmp(y.data(), c.x.data(), n * 4)) << "cb " << cb << " n " << n << " kl " << kl;
        // A different step is a different candidate stream: the same segment gives another sample.
        RccConfig other = cfg;
        other.step += 1;
        std::vector<float> z(n);
        ASSERT_TRUE(DecodeGaussian(p.mu_p.data(), p.sigma, n, other, c.seg.data(), c.seg.size(), z.data()).ok());
        EXPECT_NE(0, std::memcmp(z.data(), c.x.data(), n * 4));
      }
    }
  }
}

std::vector<uint32_t> Indices(const std::vector<uint8_t>& seg, int cb) {
  ByteReader r(seg.data(), seg.size());
  uint64_t chunks = 0;
  EXPECT_TRUE(r.Varint(&chunks).ok());
  std::vector<uint32_t> idx(chunks);
  if (!chunks) return idx;
  rans::Decoder d;
  EXPECT_TRUE(d.Init(r.pos(), r.remaining()).ok());
  for (auto& i : idx) EXPECT_TRUE(GetIndex(&d, cb, &i).ok());
  EXPECT_TRUE(d.Finish().ok());
  return idx;
}

TEST(Rcc, RateIsKlPlusTheDocumentedOverhead) {
  for (int cb : {8, 12, 16}) {
    const Problem p = MakeProblem(cb == 16 ? 4000 : 20000, 0.4, 11);
    RccConfig cfg;
    cfg.chunk_bits = cb;
    cfg.margin_bits = 2.0;
    cfg.threads = 2;
    const Coded c = Encode(p, cfg);
    const double bits = 8.0 * c.seg.size();
    const double kl = c.stats.kl_bits;
    // C = ceil(KL / (cb - margin)) chunks.
    EXPECT_EQ(c.stats.chunks, static_cast<uint32_t>(std::ceil(kl / (cb - cfg.margin_bits))));
    // The bytes are the index costs under the fixed distribution, plus the chunk-count varint and
    // the rANS state (at most 3 + 4 bytes).
    const auto idx = Indices(c.seg, cb);
    ASSERT_EQ(idx.size(), c.stats.chunks);
    double cost = 0;
    for (uint32_t i : idx) cost += IndexCostBits(i, cb);
    EXPECT_GE(bits, cost);
    EXPECT_LE(bits, cost + 8 * 7);
    // The length code saves bits against sending chunk_bits per index (docs/rcc.md: 1.5-2.7),
    // and the rate stays near the KL (within -10 % .. +10 % at margin 2).
    EXPECT_LT(cost / idx.size(), cb - 1.3) << cb;
    EXPECT_GT(bits, 0.9 * kl) << cb;
    EXPECT_LT(bits, 1.1 * kl + 8 * 7) << cb;
  }
}

TEST(Rcc, IndexCodeRoundTripsEveryIndex) {
  for (int cb : {kMinChunkBits, 9, kMaxChunkBits}) {
    rans::Encoder e;
    double cost = 0, p = 0;
    for (uint32_t i = 0; i < (1u << cb); ++i) {
      PutIndex(&e, i, cb);
      cost += IndexCostBits(i, cb);
      p += std::exp2(-IndexCostBits(i, cb));
    }
    EXPECT_NEAR(p, 1.0, 1e-9) << cb;  // the costs form a distribution
    std::vector<uint8_t> out;
    ASSERT_TRUE(e.Finish(&out).ok());
    EXPECT_LE(8.0 * out.size(), cost * 1.0001 + 40);  // rANS loses ~1e-5 bits per symbol
    rans::Decoder d;
    ASSERT_TRUE(d.Init(out.data(), out.size()).ok());
    for (uint32_t i = 0; i < (1u << cb); ++i) {
      uint32_t v;
      ASSERT_TRUE(GetIndex(&d, cb, &v).ok());
      ASSERT_EQ(v, i);
    }
    EXPECT_TRUE(d.Finish().ok());
  }
}

// Regression of (x - mu_q) / sigma on delta = (mu_q - mu_p) / sigma: 0 for an exact sample of q,
// -1 for a sample of the prior. Its standard error here is about 0.01.
double Shrinkage(const Problem& p, const std::vector<float>& x) {
  double num = 0, den = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double r = (x[i] - p.mu_q[i]) / p.sigma, d = (p.mu_q[i] - p.mu_p[i]) / p.sigma;
    num += r * d;
    den += d * d;
  }
  return num / den;
}

TEST(Rcc, SampleFollowsThePosterior) {
  const Problem p = MakeProblem(40000, 0.3, 5);
  RccConfig cfg;
  cfg.chunk_bits = 12;
  cfg.threads = 2;
  double prev = -2;
  for (double margin : {0.0, 2.0, 5.0}) {
    cfg.margin_bits = margin;
    const Coded c = Encode(p, cfg);
    const double b = Shrinkage(p, c.x);
    // Never the prior's -1, and closer to the posterior as the margin grows (docs/rcc.md).
    EXPECT_GT(b, -0.35) << margin;
    EXPECT_LT(b, 0.05) << margin;
    EXPECT_GT(b, prev - 0.02) << margin;
    prev = b;
    // Residual variance along the other directions stays the prior's sigma^2.
    double r2 = 0;
    for (size_t i = 0; i < c.x.size(); ++i) r2 += std::pow((c.x[i] - p.mu_q[i]) / p.sigma, 2);
    EXPECT_NEAR(r2 / c.x.size(), 1.0, 0.05) << margin;
  }
  // With no information to send the sample is the prior's and costs one byte.
  Problem same = p;
  same.mu_q = same.mu_p;
  const Coded c0 = Encode(same, cfg);
  EXPECT_EQ(c0.seg.size(), 1u);
  EXPECT_EQ(c0.stats.chunks, 0u);
  double m2 = 0;
  for (size_t i = 0; i < c0.x.size(); ++i) m2 += std::pow((c0.x[i] - same.mu_p[i]) / p.sigma, 2);
  EXPECT_NEAR(m2 / c0.x.size(), 1.0, 0.03);
}

TEST(Rcc, ThreadsDoNotChangeTheBytes) {
  const Problem p = MakeProblem(50000, 0.2, 9);
  RccConfig cfg;
  cfg.chunk_bits = 10;
  cfg.seed = 3;
  cfg.step = 17;
  cfg.threads = 1;
  const Coded one = Encode(p, cfg);
  for (int t : {2, 3, 8}) {
    cfg.threads = t;
    const Coded c = Encode(p, cfg);
    EXPECT_EQ(c.seg, one.seg) << t;
    EXPECT_EQ(0, std::memcmp(c.x.data(), one.x.data(), one.x.size() * 4)) << t;
    std::vector<float> y(p.mu_p.size());
    ASSERT_TRUE(DecodeGaussian(p.mu_p.data(), p.sigma, y.size(), cfg, one.seg.data(), one.seg.size(), y.data()).ok());
    EXPECT_EQ(0, std::memcmp(y.data(), one.x.data(), y.size() * 4)) << t;
  }
}

TEST(Rcc, EveryTruncationAndCorruptionIsDetected) {
  const Problem p = MakeProblem(500, 0.5, 2);
  RccConfig cfg;
  cfg.chunk_bits = 8;
  const Coded c = Encode(p, cfg);
  ASSERT_GT(c.seg.size(), 10u);
  std::vector<float> y(500);
  for (size_t len = 0; len < c.seg.size(); ++len) {
    const Status s = DecodeGaussian(p.mu_p.data(), p.sigma, 500, cfg, c.seg.data(), len, y.data());
    EXPECT_TRUE(s.code() == DC_ERR_TRUNCATED || s.code() == DC_ERR_CORRUPT) << len << " " << s.message();
  }
  std::vector<uint8_t> longer = c.seg;
  longer.push_back(0);
  EXPECT_EQ(DecodeGaussian(p.mu_p.data(), p.sigma, 500, cfg, longer.data(), longer.size(), y.data()).code(), DC_ERR_CORRUPT);
  // A chunk count beyond the dimensions.
  const uint8_t big[] = {0xF5, 0x03, 0, 0, 0x80, 0};  // varint 501
  EXPECT_EQ(DecodeGaussian(p.mu_p.data(), p.sigma, 500, cfg, big, sizeof(big), y.data()).code(), DC_ERR_CORRUPT);
  // A huge chunk count with few bytes is refused before any allocation.
  const uint8_t huge[] = {0xFF, 0xFF, 0xFF, 0x0F, 0, 0, 0x80, 0};
  EXPECT_NE(DecodeGaussian(p.mu_p.data(), p.sigma, 1u << 30, cfg, huge, sizeof(huge), nullptr).code(), DC_OK);
  // An empty segment with trailing bytes.
  const uint8_t empty_tail[] = {0, 1};
  EXPECT_EQ(DecodeGaussian(p.mu_p.data(), p.sigma, 500, cfg, empty_tail, 2, y.data()).code(), DC_ERR_CORRUPT);
  // Flipping any byte never decodes silently to the same segment length without an error or a
  // different sample (the rANS end-state check catches most).
  int silent = 0;
  for (size_t i = 0; i < c.seg.size(); ++i) {
    std::vector<uint8_t> bad = c.seg;
    bad[i] ^= 0x5A;
    const Status s = DecodeGaussian(p.mu_p.data(), p.sigma, 500, cfg, bad.data(), bad.size(), y.data());
    if (s.ok() && std::memcmp(y.data(), c.x.data(), 2000) == 0) ++silent;
  }
  EXPECT_EQ(silent, 0);
}

TEST(Rcc, BadArguments) {
  const Problem p = MakeProblem(10, 0.5, 1);
  std::vector<uint8_t> out;
  std::vector<float> x(10);
  RccConfig cfg;
  for (int cb : {0, 3, 17}) {
    cfg.chunk_bits = cb;
    EXPECT_EQ(EncodeGaussian(p.mu_p.data(), p.mu_q.data(), 1.0f, 10, cfg, &out, x.data(), nullptr).code(), DC_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(DecodeGaussian(p.mu_p.data(), 1.0f, 10, cfg, out.data(), out.size(), x.data()).code(), DC_ERR_INVALID_ARGUMENT);
  }
  cfg.chunk_bits = 12;
  for (float s : {0.0f, -1.0f, INFINITY, NAN})
    EXPECT_EQ(EncodeGaussian(p.mu_p.data(), p.mu_q.data(), s, 10, cfg, &out, x.data(), nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  std::vector<float> nan_q = p.mu_q;
  nan_q[3] = NAN;
  EXPECT_EQ(EncodeGaussian(p.mu_p.data(), nan_q.data(), 1.0f, 10, cfg, &out, x.data(), nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  cfg.margin_bits = 12;
  EXPECT_EQ(EncodeGaussian(p.mu_p.data(), p.mu_q.data(), 1.0f, 10, cfg, &out, x.data(), nullptr).code(), DC_ERR_INVALID_ARGUMENT);
}

TEST(Rcc, PermutationIsAPermutationAndDependsOnTheStep) {
  const auto a = Permutation(1, 2, 1000), b = Permutation(1, 3, 1000);
  std::vector<int> seen(1000, 0);
  for (uint32_t v : a) {
    ASSERT_LT(v, 1000u);
    ++seen[v];
  }
  for (int s : seen) EXPECT_EQ(s, 1);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, Permutation(1, 2, 1000));
  // Chunks partition [0, n) with sizes differing by at most one.
  for (size_t chunks : {1, 3, 7, 1000}) {
    EXPECT_EQ(ChunkStart(0, chunks, 1000), 0u);
    EXPECT_EQ(ChunkStart(chunks, chunks, 1000), 1000u);
    for (size_t c = 0; c < chunks; ++c) {
      const size_t len = ChunkStart(c + 1, chunks, 1000) - ChunkStart(c, chunks, 1000);
      EXPECT_TRUE(len == 1000 / chunks || len == 1000 / chunks + 1);
    }
  }
}

}  // namespace
}  // namespace dc::rcc
