#include "entropy/rans.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "entropy/cdf_table.h"

namespace dc::rans {
namespace {

std::vector<double> RandomPmf(std::mt19937& rng, int n, double skew) {
  std::vector<double> p(n);
  std::exponential_distribution<double> e(1.0);
  for (auto& v : p) v = std::pow(e(rng), skew);
  return p;
}

uint32_t Sample(std::mt19937& rng, const std::vector<double>& pmf) {
  std::discrete_distribution<uint32_t> d(pmf.begin(), pmf.end());
  return d(rng);
}

TEST(Rans, RandomTablesRoundTrip) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const int n = 2 + static_cast<int>(rng() % 300);
    const int prec = 10 + static_cast<int>(rng() % 7);
    if (n > (1 << prec)) continue;
    auto pmf = RandomPmf(rng, n, 1.0 + (rng() % 5));
    auto t = BuildCdfTable(pmf, prec, false);
    ASSERT_TRUE(t.ok());
    std::vector<uint32_t> syms(1 + rng() % 5000);
    for (auto& s : syms) s = Sample(rng, pmf);
    Encoder enc;
    for (auto s : syms) EncodeSymbol(&enc, *t, s);
    std::vector<uint8_t> out;
    ASSERT_TRUE(enc.Finish(&out).ok());
    Decoder dec;
    ASSERT_TRUE(dec.Init(out.data(), out.size()).ok());
    for (auto s : syms) {
      uint32_t v;
      ASSERT_TRUE(DecodeSymbol(&dec, *t, &v).ok());
      ASSERT_EQ(v, s);
    }
    EXPECT_TRUE(dec.Finish().ok());
  }
}

TEST(Rans, MixedPrecisionAndRawBits) {
  std::mt19937 rng(3);
  std::vector<std::tuple<uint32_t, uint32_t, int>> ops;
  Encoder enc;
  for (int i = 0; i < 20000; ++i) {
    const int prec = 1 + static_cast<int>(rng() % 16);
    const uint32_t total = 1u << prec;
    const uint32_t start = rng() % total;
    const uint32_t freq = 1 + rng() % (total - start);
    enc.Put(start, freq, prec);
    ops.emplace_back(start, freq, prec);
  }
  std::vector<uint8_t> out;
  ASSERT_TRUE(enc.Finish(&out).ok());
  Decoder dec;
  ASSERT_TRUE(dec.Init(out.data(), out.size()).ok());
  for (auto [start, freq, prec] : ops) {
    const uint32_t v = dec.Peek(prec);
    ASSERT_GE(v, start);
    ASSERT_LT(v, start + freq);
    ASSERT_TRUE(dec.Advance(start, freq, prec).ok());
  }
  EXPECT_TRUE(dec.Finish().ok());
}

TEST(Rans, CodedSizeWithinHalfPercentOfInformation) {
  std::mt19937 rng(11);
  for (double skew : {1.0, 3.0, 6.0}) {
    auto pmf = RandomPmf(rng, 256, skew);
    double total = 0;
    for (double p : pmf) total += p;
    auto t = BuildCdfTable(pmf, 16, false);
    ASSERT_TRUE(t.ok());
    Encoder enc;
    double info_bits = 0;
    for (int i = 0; i < 1000000; ++i) {
      const uint32_t s = Sample(rng, pmf);
      info_bits -= std::log2(pmf[s] / total);
      EncodeSymbol(&enc, *t, s);
    }
    std::vector<uint8_t> out;
    ASSERT_TRUE(enc.Finish(&out).ok());
    const double ratio = out.size() * 8.0 / info_bits;
    EXPECT_LT(ratio, 1.005) << "skew " << skew;
    EXPECT_GT(ratio, 0.99);
  }
}

TEST(Rans, EscapeCodesAnyValue) {
  std::vector<double> pmf(17, 1.0);
  auto t = BuildCdfTable(pmf, 12, true);
  ASSERT_TRUE(t.ok());
  const std::vector<uint32_t> vals = {0, 5, 15, 16, 17, 100, 65535, 65536, 1u << 20, 0xFFFFFFFFu, 0xFFFFFFF0u};
  Encoder enc;
  for (auto v : vals) EncodeSymbol(&enc, *t, v);
  std::vector<uint8_t> out;
  ASSERT_TRUE(enc.Finish(&out).ok());
  Decoder dec;
  ASSERT_TRUE(dec.Init(out.data(), out.size()).ok());
  for (auto v : vals) {
    uint32_t got;
    ASSERT_TRUE(DecodeSymbol(&dec, *t, &got).ok());
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(dec.Finish().ok());
}

TEST(Rans, EveryTruncationIsAnError) {
  std::mt19937 rng(5);
  auto pmf = RandomPmf(rng, 64, 2.0);
  auto t = BuildCdfTable(pmf, 14, false);
  ASSERT_TRUE(t.ok());
  std::vector<uint32_t> syms(3000);
  for (auto& s : syms) s = Sample(rng, pmf);
  Encoder enc;
  for (auto s : syms) EncodeSymbol(&enc, *t, s);
  std::vector<uint8_t> out;
  ASSERT_TRUE(enc.Finish(&out).ok());
  for (size_t len = 0; len < out.size(); ++len) {
    Decoder dec;
    Status st = dec.Init(out.data(), len);
    for (size_t i = 0; st.ok() && i < syms.size(); ++i) {
      uint32_t v;
      st = DecodeSymbol(&dec, *t, &v);
    }
    if (st.ok()) st = dec.Finish();
    EXPECT_FALSE(st.ok()) << "prefix of " << len << " bytes decoded cleanly";
  }
}

TEST(Rans, CorruptionIsDetectedAtTheEnd) {
  std::mt19937 rng(9);
  auto pmf = RandomPmf(rng, 32, 2.0);
  auto t = BuildCdfTable(pmf, 15, false);
  ASSERT_TRUE(t.ok());
  std::vector<uint32_t> syms(2000);
  for (auto& s : syms) s = Sample(rng, pmf);
  Encoder enc;
  for (auto s : syms) EncodeSymbol(&enc, *t, s);
  std::vector<uint8_t> out;
  ASSERT_TRUE(enc.Finish(&out).ok());
  int detected = 0, trials = 0;
  for (size_t pos = 0; pos < out.size(); pos += 7) {
    auto bad = out;
    bad[pos] ^= 0x10;
    Decoder dec;
    Status st = dec.Init(bad.data(), bad.size());
    bool same = true;
    for (size_t i = 0; st.ok() && i < syms.size(); ++i) {
      uint32_t v;
      st = DecodeSymbol(&dec, *t, &v);
      same = same && v == syms[i];
    }
    if (st.ok()) st = dec.Finish();
    ++trials;
    if (!st.ok() || !same) ++detected;
    // A flip may only pass the final-state check if it changed nothing decoded.
    if (st.ok()) {
      EXPECT_TRUE(same);
    }
  }
  EXPECT_EQ(detected, trials);
}

TEST(CdfTable, SerializeRoundTripAndRejectsBadTables) {
  std::mt19937 rng(1);
  auto t = BuildCdfTable(RandomPmf(rng, 40, 2.0), 13, true);
  ASSERT_TRUE(t.ok());
  std::vector<uint8_t> ser;
  SerializeCdfTable(*t, &ser);
  size_t used = 0;
  auto back = ParseCdfTable(ser.data(), ser.size(), &used);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(used, ser.size());
  EXPECT_EQ(back->cdf, t->cdf);
  EXPECT_EQ(back->escape, true);
  for (size_t len = 0; len < ser.size(); ++len)
    EXPECT_FALSE(ParseCdfTable(ser.data(), len, &used).ok());
  auto bad = ser;
  bad[3] = 0;  // a zero frequency
  EXPECT_FALSE(ParseCdfTable(bad.data(), bad.size(), &used).ok());
  bad = ser;
  bad[1] = 2;  // reserved flag bit
  EXPECT_EQ(ParseCdfTable(bad.data(), bad.size(), &used).status().code(), DC_ERR_RESERVED_BITS);
  EXPECT_FALSE(BuildCdfTable({1.0, -1.0}, 8, false).ok());
  EXPECT_FALSE(BuildCdfTable(std::vector<double>(300, 1.0), 8, false).ok());
}

}  // namespace
}  // namespace dc::rans
