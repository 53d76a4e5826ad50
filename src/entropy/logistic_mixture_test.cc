#include "entropy/logistic_mixture.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace dc::mix {
namespace {

// Random mixtures over the whole parameter range the coders use: means inside and outside the
// window, scales from far below a value to far above the window, zero and dominant weights.
ChannelDist RandomDist(std::mt19937& rng) {
  std::uniform_int_distribution<int> kk(1, kMaxMixtures);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  const int K = kk(rng);
  std::vector<float> logits(static_cast<size_t>(K));
  for (float& l : logits) l = u(rng) < 0.2f ? -40.0f : 12.0f * u(rng) - 6.0f;
  ChannelDist d;
  SetWeights(logits.data(), 1, K, &d);
  for (int k = 0; k < K; ++k) {
    const float mean = 400.0f * u(rng) - 72.0f;
    const float scale = std::exp(14.0f * u(rng) - 8.0f);  // e^-8 .. e^6 values
    SetComponent(k, mean, 1.0f / scale, &d);
  }
  return d;
}

TEST(LogisticMixture, PairAndFreqEqualSeparateEvaluations) {
  std::mt19937 rng(5);
  for (int t = 0; t < 300; ++t) {
    const ChannelDist d = RandomDist(rng);
    for (int v = 0; v < 256; ++v) {
      uint32_t a, b;
      CdfBelowPair(d, v, &a, &b);
      if (v >= 1) {
        ASSERT_EQ(a, CdfBelow(d, v)) << t << " " << v;
      }
      if (v + 1 <= 255) {
        ASSERT_EQ(b, CdfBelow(d, v + 1)) << t << " " << v;
      }
      uint32_t s;
      const uint32_t f = SymbolFreq(d, v, &s);
      ASSERT_EQ(s, SymbolStart(d, v)) << t << " " << v;
      ASSERT_EQ(f, SymbolStart(d, v + 1) - SymbolStart(d, v)) << t << " " << v;
      ASSERT_GE(f, 1u);
    }
  }
}

TEST(LogisticMixture, SimdPairEqualsScalar) {
  if (!CdfBelowPairIsSimd()) GTEST_SKIP() << "no SIMD path on this CPU or build";
  std::mt19937 rng(17);
  for (int t = 0; t < 2000; ++t) {
    ChannelDist d = RandomDist(rng);
    if (t % 3 == 0) {  // the extremes of the fixed-point ranges
      for (int k = 0; k < d.k; ++k) {
        d.mean[k] = (rng() % 2) ? -65536 : 131072;
        d.inv_scale[k] = (rng() % 2) ? 1 : 2147483647;
      }
    }
    for (int v = 0; v < 256; ++v) {
      uint32_t a, b, sa, sb;
      CdfBelowPair(d, v, &a, &b);
      CdfBelowPairScalar(d, v, &sa, &sb);
      ASSERT_EQ(a, sa) << t << " " << v;
      ASSERT_EQ(b, sb) << t << " " << v;
    }
  }
}

TEST(LogisticMixture, SearchFindsTheIntervalFromAnyGuess) {
  std::mt19937 rng(9);
  for (int t = 0; t < 40; ++t) {
    const ChannelDist d = RandomDist(rng);
    const auto start = [&](int x) { return SymbolStart(d, x); };
    const int s0 = SearchStart(d);
    ASSERT_GE(s0, 0);
    ASSERT_LE(s0, 255);
    for (int v = 0; v < 256; ++v) {
      const uint32_t lo = SymbolStart(d, v), hi = SymbolStart(d, v + 1);
      // The first, the last and a middle target of v's interval, from several guesses.
      for (const uint32_t target : {lo, hi - 1, lo + (hi - lo) / 2})
        for (const int guess : {0, 255, v, s0, (v * 7 + 13) % 256}) {
          uint32_t sl = 0, sh = 0;
          ASSERT_EQ(SearchValue(start, target, guess, &sl, &sh), v) << t << " " << v << " " << guess;
          ASSERT_EQ(sl, lo);
          ASSERT_EQ(sh, hi);
        }
    }
  }
}

TEST(LogisticMixture, DecodeValueInvertsEncodeValue) {
  std::mt19937 rng(3);
  std::vector<ChannelDist> dists;
  std::vector<int> values;
  rans::Encoder enc;
  for (int i = 0; i < 5000; ++i) {
    dists.push_back(RandomDist(rng));
    values.push_back(static_cast<int>(rng() % 256));
  }
  for (size_t i = 0; i < dists.size(); ++i) EncodeValue(&enc, dists[i], values[i]);
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(enc.Finish(&bytes).ok());
  rans::Decoder dec;
  ASSERT_TRUE(dec.Init(bytes.data(), bytes.size()).ok());
  for (size_t i = 0; i < dists.size(); ++i) {
    int v = -1;
    ASSERT_TRUE(DecodeValue(&dec, dists[i], &v).ok());
    ASSERT_EQ(v, values[i]) << i;
  }
  EXPECT_TRUE(dec.Finish().ok());
}

}  // namespace
}  // namespace dc::mix
