// Measurements behind docs/rcc.md (disabled: they print tables and take ~1 minute). Run with
//   diffcomp_tests --gtest_also_run_disabled_tests --gtest_filter='RccMeasure.*'
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "common/bytes.h"
#include "rcc/rcc.h"

namespace dc::rcc {
namespace {

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(RccMeasure, DISABLED_DrawSpeed) {
  std::vector<float> z(1 << 24);
  auto t0 = std::chrono::steady_clock::now();
  StdNormals(1, 2, 3, 4, z.size(), z.data());
  std::printf("StdNormals, 1 thread: %.0f M normals/s\n", z.size() / Seconds(t0) / 1e6);
  for (size_t d : {8, 32, 128, 1024}) {
    std::vector<float> w(d, 0.1f);
    std::vector<double> dots(1 << 16);
    const size_t reps = std::max<size_t>(1, (1u << 26) / (d * dots.size()));
    t0 = std::chrono::steady_clock::now();
    for (size_t r = 0; r < reps; ++r) CandidateDots(1, 2, static_cast<uint32_t>(r), 0, 1u << 16, w.data(), d, dots.data());
    std::printf("CandidateDots d=%zu, 1 thread: %.0f M normals/s\n", d, reps * d * dots.size() / Seconds(t0) / 1e6);
  }
}

// Rate and sample quality on synthetic steps: mu_q - mu_p ~ N(0, s^2 sigma^2) per dimension.
TEST(RccMeasure, DISABLED_OverheadAndShrinkage) {
  std::printf("%-4s %-6s %-9s %-10s %-10s %-8s %-9s %-10s %-12s\n", "cb", "margin", "KL/dim", "KL bits", "coded bits",
              "rate/KL", "bits/chunk", "shrinkage", "draws/s (T=2)");
  for (int cb : {8, 12, 16}) {
    for (double margin : {0.0, 1.0, 2.0, 3.0}) {
      for (double kl_dim : {0.05, 0.5}) {
        const size_t n = cb == 16 ? 20000 : 100000;
        std::mt19937 rng(cb * 100 + static_cast<int>(margin * 10));
        std::normal_distribution<double> g(0, 1);
        std::vector<float> mp(n), mq(n), x(n);
        const float sigma = 0.4f;
        for (size_t i = 0; i < n; ++i) {
          mp[i] = static_cast<float>(g(rng));
          mq[i] = static_cast<float>(mp[i] + sigma * std::sqrt(2 * kl_dim * std::log(2.0)) * g(rng));
        }
        RccConfig cfg;
        cfg.chunk_bits = cb;
        cfg.margin_bits = margin;
        cfg.threads = 2;
        std::vector<uint8_t> seg;
        RccStats st;
        const auto t0 = std::chrono::steady_clock::now();
        ASSERT_TRUE(EncodeGaussian(mp.data(), mq.data(), sigma, n, cfg, &seg, x.data(), &st).ok());
        const double secs = Seconds(t0);
        double num = 0, den = 0;
        for (size_t i = 0; i < n; ++i) {
          const double r = (x[i] - mq[i]) / sigma, d = (mq[i] - mp[i]) / sigma;
          num += r * d;
          den += d * d;
        }
        std::printf("%-4d %-6.1f %-9.2f %-10.0f %-10zu %-8.3f %-9.2f %-10.3f %-12.3g\n", cb, margin, kl_dim, st.kl_bits,
                    8 * seg.size(), 8.0 * seg.size() / st.kl_bits, 8.0 * seg.size() / st.chunks, num / den,
                    static_cast<double>(n) * (1u << cb) / secs);
      }
    }
  }
}

// The index distribution: entropy of the bit length of the chosen indices (plus the raw bits)
// against the cost of the fixed shapes f(b) ~ (b + a)^p and of a uniform code.
TEST(RccMeasure, DISABLED_IndexDistribution) {
  for (int cb : {8, 12, 16}) {
    const size_t n = 40000;
    std::mt19937 rng(5);
    std::normal_distribution<double> g(0, 1);
    std::vector<float> mp(n), mq(n), x(n);
    const float sigma = 0.5f;
    std::vector<double> hist(cb + 1, 0);
    double total = 0;
    for (uint32_t step = 0; step < 6; ++step) {
      for (size_t i = 0; i < n; ++i) {
        mp[i] = static_cast<float>(g(rng));
        mq[i] = static_cast<float>(mp[i] + sigma * std::sqrt(2 * 0.3 * std::log(2.0)) * g(rng));
      }
      RccConfig cfg;
      cfg.chunk_bits = cb;
      cfg.step = step;
      cfg.threads = 2;
      std::vector<uint8_t> seg;
      ASSERT_TRUE(EncodeGaussian(mp.data(), mq.data(), sigma, n, cfg, &seg, x.data(), nullptr).ok());
      ByteReader r(seg.data(), seg.size());
      uint64_t chunks;
      ASSERT_TRUE(r.Varint(&chunks).ok());
      rans::Decoder d;
      ASSERT_TRUE(d.Init(r.pos(), r.remaining()).ok());
      for (uint64_t c = 0; c < chunks; ++c) {
        uint32_t v;
        ASSERT_TRUE(GetIndex(&d, cb, &v).ok());
        int b = 0;
        while (b < 32 && (v >> b)) ++b;
        hist[b] += 1;
        total += 1;
      }
    }
    double entropy = 0, fixed = 0;
    for (int b = 0; b <= cb; ++b) {
      const double p = hist[b] / total;
      if (p > 0) entropy += p * (-std::log2(p) + (b > 0 ? b - 1 : 0));
    }
    for (int b = 0; b <= cb; ++b) fixed += hist[b] / total * IndexCostBits(b == 0 ? 0 : 1u << (b - 1), cb);
    std::printf("chunk_bits %d (margin 2): bit-length entropy + raw bits %.3f, our code %.3f, uniform %d\n", cb,
                entropy, fixed, cb);
    for (double a : {0.5, 1.0, 2.0, 4.0, 8.0})
      for (double pw : {1.0, 2.0}) {
        double z = 0, cost = 0;
        for (int b = 0; b <= cb; ++b) z += std::pow(b + a, pw);
        for (int b = 0; b <= cb; ++b)
          cost += hist[b] / total * (-std::log2(std::pow(b + a, pw) / z) + (b > 0 ? b - 1 : 0));
        std::printf("  shape (b + %.1f)^%.0f: %.3f\n", a, pw, cost);
      }
  }
}

}  // namespace
}  // namespace dc::rcc
