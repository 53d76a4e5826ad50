#include "codecs/huffman/huffman.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <queue>
#include <random>
#include <string>

namespace dc {
namespace {

using huffman_internal::CanonicalCodes;
using huffman_internal::kClOrder;
using huffman_internal::LengthLimitedCodeLengths;

std::vector<uint8_t> ReadFilePrefix(const std::string& path, size_t max_bytes) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  std::vector<uint8_t> v;
  if (!f) return v;
  v.resize(std::min<size_t>(max_bytes, static_cast<size_t>(f.tellg())));
  f.seekg(0);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size()));
  v.resize(static_cast<size_t>(f.gcount()));
  return v;
}

// Order-0 entropy of the data, in bytes (entropy in bits per byte * size / 8).
double EntropyBytes(const std::vector<uint8_t>& v) {
  std::array<uint64_t, 256> h{};
  for (uint8_t b : v) ++h[b];
  double bits = 0;
  for (uint64_t c : h) {
    if (c) bits -= static_cast<double>(c) * std::log2(static_cast<double>(c) / v.size());
  }
  return bits / 8;
}

void ExpectRoundTrip(const std::vector<uint8_t>& data, std::vector<uint8_t>* payload_out = nullptr) {
  std::vector<uint8_t> payload, back;
  ASSERT_TRUE(HuffmanEncode(data.data(), data.size(), &payload).ok());
  const Status st = HuffmanDecode(payload.data(), payload.size(), data.size(), &back);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(back, data);
  if (payload_out) *payload_out = std::move(payload);
}

bool IsDecodeError(const Status& st) {
  return st.code() == DC_ERR_CORRUPT || st.code() == DC_ERR_TRUNCATED;
}

// Optimal unrestricted Huffman cost (sum of freq * length) by the classic merge of the two
// lightest nodes: an independent reference for the package-merge lengths.
uint64_t HuffmanCost(const std::vector<uint64_t>& freqs) {
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>> q;
  for (uint64_t f : freqs) {
    if (f) q.push(f);
  }
  if (q.size() == 1) return q.top();
  uint64_t cost = 0;
  while (q.size() > 1) {
    const uint64_t a = q.top();
    q.pop();
    const uint64_t b = q.top();
    q.pop();
    cost += a + b;
    q.push(a + b);
  }
  return cost;
}

// MSB-first bit writer for building payloads by hand, following the format in huffman.h.
class BitSink {
 public:
  void Put(uint32_t v, int bits) {
    for (int i = bits - 1; i >= 0; --i) {
      acc_ = static_cast<uint8_t>((acc_ << 1) | ((v >> i) & 1));
      if (++n_ == 8) {
        bytes.push_back(acc_);
        acc_ = 0;
        n_ = 0;
      }
    }
  }
  void Align() {
    if (n_) Put(0, 8 - n_);
  }
  std::vector<uint8_t> bytes;

 private:
  uint8_t acc_ = 0;
  int n_ = 0;
};

// A table whose code-length code gives every literal length 0..15 four bits, so that the 256
// main lengths can be written verbatim, whatever (possibly invalid) values they have.
void PutVerbatimTable(BitSink* s, const std::array<uint8_t, 256>& lengths) {
  s->Put(19 - 4, 4);
  for (int i = 0; i < 19; ++i) s->Put(kClOrder[i] < 16 ? 4 : 0, 3);
  for (uint8_t l : lengths) s->Put(l, 4);  // all-4 canonical code: symbol i has code i
  s->Align();
}

std::vector<uint8_t> Payload(uint64_t count, const BitSink& table_and_body) {
  std::vector<uint8_t> p;
  while (count >= 0x80) {
    p.push_back(static_cast<uint8_t>(count | 0x80));
    count >>= 7;
  }
  p.push_back(static_cast<uint8_t>(count));
  p.insert(p.end(), table_and_body.bytes.begin(), table_and_body.bytes.end());
  return p;
}

Status DecodeVec(const std::vector<uint8_t>& payload, uint64_t n, std::vector<uint8_t>* out) {
  return HuffmanDecode(payload.data(), payload.size(), n, out);
}

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed, int alphabet, bool skewed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  std::geometric_distribution<int> geo(0.15);
  std::uniform_int_distribution<int> uni(0, alphabet - 1);
  for (auto& b : v) b = static_cast<uint8_t>(skewed ? geo(rng) % alphabet : uni(rng));
  return v;
}

TEST(HuffmanTest, EmptyInput) {
  std::vector<uint8_t> payload = {1, 2, 3}, out = {9};
  ASSERT_TRUE(HuffmanEncode(nullptr, 0, &payload).ok());
  EXPECT_TRUE(payload.empty());
  ASSERT_TRUE(HuffmanDecode(nullptr, 0, 0, &out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(HuffmanDecode(nullptr, 0, 1, &out).code(), DC_ERR_TRUNCATED);
  const uint8_t junk[1] = {0};
  EXPECT_EQ(HuffmanDecode(junk, 1, 0, &out).code(), DC_ERR_CORRUPT);
}

TEST(HuffmanTest, OneByte) {
  std::vector<uint8_t> payload;
  ExpectRoundTrip({0x42}, &payload);
  EXPECT_LE(payload.size(), 16u);
}

TEST(HuffmanTest, AllEqualCostsOneBitPerByte) {
  const std::vector<uint8_t> data(100000, 'a');
  std::vector<uint8_t> payload;
  ExpectRoundTrip(data, &payload);
  EXPECT_GE(payload.size(), 100000u / 8);
  EXPECT_LE(payload.size(), 100000u / 8 + 16);
}

TEST(HuffmanTest, AllSymbolsUniform) {
  std::vector<uint8_t> data;
  for (int rep = 0; rep < 40; ++rep) {
    for (int s = 0; s < 256; ++s) data.push_back(static_cast<uint8_t>(s));
  }
  std::vector<uint8_t> payload;
  ExpectRoundTrip(data, &payload);
  // All lengths are 8: the symbols cost exactly the input size, the table only a few bytes.
  EXPECT_LE(payload.size(), data.size() + 24);
}

TEST(HuffmanTest, AllSymbolsExponentialNeedsLengthLimit) {
  // Frequencies ~ 1.5^-s: an unrestricted Huffman code would be far deeper than 15 bits.
  std::vector<uint8_t> data;
  for (int s = 0; s < 256; ++s) {
    const size_t reps = static_cast<size_t>(std::max(1.0, 200000.0 * std::pow(1.5, -s)));
    data.insert(data.end(), reps, static_cast<uint8_t>(s));
  }
  std::shuffle(data.begin(), data.end(), std::mt19937(7));
  std::vector<uint8_t> payload;
  ExpectRoundTrip(data, &payload);
  EXPECT_LE(payload.size(), EntropyBytes(data) * 1.03 + 200);
}

TEST(HuffmanTest, RandomRoundTrip) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    for (size_t n : {1, 2, 3, 5, 8, 9, 100, 1000, 4097, 65536, 1 << 20}) {
      for (int alphabet : {2, 3, 17, 256}) {
        for (bool skewed : {false, true}) {
          SCOPED_TRACE(testing::Message() << "seed " << seed << " n " << n << " alphabet "
                                          << alphabet << " skewed " << skewed);
          const std::vector<uint8_t> data = RandomBytes(n, seed, alphabet, skewed);
          std::vector<uint8_t> payload;
          ExpectRoundTrip(data, &payload);
          // Huffman spends less than one bit per symbol above the entropy; the table and the
          // count are at most a few hundred bytes.
          EXPECT_LE(payload.size(), EntropyBytes(data) + n / 8.0 + 300);
        }
      }
    }
  }
}

TEST(HuffmanTest, LengthLimitedCodesAreCompleteAndOptimal) {
  std::mt19937 rng(11);
  int binding = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int n = 2 + static_cast<int>(rng() % 255);
    std::vector<uint64_t> freqs(n);
    for (auto& f : freqs) f = (rng() % 4 == 0) ? 0 : 1 + rng() % (trial % 3 ? 1000 : 100000);
    freqs[0] = std::max<uint64_t>(freqs[0], 1);
    freqs[1] = std::max<uint64_t>(freqs[1], 1);
    uint64_t cost[2] = {0, 0};
    int longest[2] = {0, 0};
    const int limits[2] = {15, 30};  // 30 bits never bind for these weights
    for (int j = 0; j < 2; ++j) {
      std::vector<uint8_t> len(n);
      ASSERT_TRUE(LengthLimitedCodeLengths(freqs.data(), n, limits[j], len.data()));
      double kraft = 0;
      for (int s = 0; s < n; ++s) {
        ASSERT_EQ(len[s] == 0, freqs[s] == 0);
        ASSERT_LE(len[s], limits[j]);
        if (len[s]) kraft += std::ldexp(1.0, -len[s]);
        cost[j] += freqs[s] * len[s];
        longest[j] = std::max<int>(longest[j], len[s]);
      }
      EXPECT_EQ(kraft, 1.0);
    }
    // Without a binding limit package-merge is plain Huffman; with one it costs a little more.
    EXPECT_EQ(cost[1], HuffmanCost(freqs));
    if (longest[1] <= 15) {
      EXPECT_EQ(cost[0], cost[1]);
    } else {
      ++binding;
      EXPECT_GE(cost[0], cost[1]);
      EXPECT_LT(cost[0], cost[1] + cost[1] / 100);
    }
  }
  EXPECT_GT(binding, 0);  // the limit was exercised
}

TEST(HuffmanTest, LengthLimitBindsOnFibonacciWeights) {
  std::vector<uint64_t> freqs(40);
  freqs[0] = freqs[1] = 1;
  for (size_t i = 2; i < freqs.size(); ++i) freqs[i] = freqs[i - 1] + freqs[i - 2];
  std::vector<uint8_t> len(freqs.size());
  ASSERT_TRUE(LengthLimitedCodeLengths(freqs.data(), 40, 15, len.data()));
  uint64_t kraft = 0;
  int max_len = 0;
  for (uint8_t l : len) {
    kraft += uint64_t{1} << (15 - l);
    max_len = std::max<int>(max_len, l);
  }
  EXPECT_EQ(kraft, 1u << 15);
  EXPECT_EQ(max_len, 15);  // unrestricted, Fibonacci weights give a 39-bit code
}

TEST(HuffmanTest, LengthLimitedMatchesBruteForce) {
  // Exhaustive search over all length vectors with Kraft sum <= 1: package-merge must find the
  // minimum cost.
  std::mt19937 rng(5);
  for (int trial = 0; trial < 100; ++trial) {
    const int n = 3 + static_cast<int>(rng() % 5);
    const int limit = 3 + static_cast<int>(rng() % 2);
    if (n > (1 << limit)) continue;
    std::vector<uint64_t> freqs(n);
    for (auto& f : freqs) f = 1 + rng() % (trial % 2 ? 10 : 100000);
    std::vector<uint8_t> len(n);
    ASSERT_TRUE(LengthLimitedCodeLengths(freqs.data(), n, limit, len.data()));
    uint64_t cost = 0;
    for (int s = 0; s < n; ++s) cost += freqs[s] * len[s];
    uint64_t best = UINT64_MAX;
    std::vector<int> l(n, 1);
    while (true) {
      double kraft = 0;
      uint64_t c = 0;
      for (int s = 0; s < n; ++s) {
        kraft += std::ldexp(1.0, -l[s]);
        c += freqs[s] * l[s];
      }
      if (kraft <= 1.0) best = std::min(best, c);
      int s = 0;
      while (s < n && ++l[s] > limit) l[s++] = 1;
      if (s == n) break;
    }
    EXPECT_EQ(cost, best) << "n " << n << " limit " << limit;
  }
}

TEST(HuffmanTest, LengthLimitRejectsImpossible) {
  std::vector<uint64_t> freqs(9, 1);
  std::vector<uint8_t> len(9);
  EXPECT_FALSE(LengthLimitedCodeLengths(freqs.data(), 9, 3, len.data()));  // 9 > 2^3
  EXPECT_TRUE(LengthLimitedCodeLengths(freqs.data(), 8, 3, len.data()));
}

struct RealFile {
  const char* path;
  size_t max_bytes;
};
const RealFile kRealFiles[] = {
    {DC_SHARED_DATA "/kodak/kodim01.png", SIZE_MAX},
    {DC_SHARED_DATA "/signals/audio/sonicpi_guit_em9.wav", SIZE_MAX},
    {DC_SHARED_DATA "/signals/ecg_mitbih/100.dat", SIZE_MAX},
    {DC_SHARED_DATA "/cifar10/test_batch.bin", 1 << 20},
};

TEST(HuffmanTest, RealFilesWithinThreePercentOfEntropy) {
  for (const RealFile& f : kRealFiles) {
    SCOPED_TRACE(f.path);
    const std::vector<uint8_t> data = ReadFilePrefix(f.path, f.max_bytes);
    ASSERT_GT(data.size(), 100000u) << "missing test data";
    std::vector<uint8_t> payload;
    ExpectRoundTrip(data, &payload);
    const double entropy = EntropyBytes(data);
    // No prefix code beats the order-0 entropy; the table must not push us past 3 % above it.
    EXPECT_GE(static_cast<double>(payload.size()), entropy);
    EXPECT_LE(static_cast<double>(payload.size()), entropy * 1.03);
  }
}

const std::vector<uint8_t>& SmallText() {
  static const std::vector<uint8_t> v = [] {
    const std::string s =
        "It was the best of times, it was the worst of times, it was the age of wisdom, it was "
        "the age of foolishness, it was the epoch of belief, it was the epoch of incredulity.";
    return std::vector<uint8_t>(s.begin(), s.end());
  }();
  return v;
}

TEST(HuffmanTest, EveryTruncationIsAnError) {
  const std::vector<uint8_t>& data = SmallText();
  std::vector<uint8_t> payload, out;
  ASSERT_TRUE(HuffmanEncode(data.data(), data.size(), &payload).ok());
  for (size_t len = 0; len < payload.size(); ++len) {
    const Status st = HuffmanDecode(payload.data(), len, data.size(), &out);
    EXPECT_TRUE(IsDecodeError(st)) << "prefix " << len << ": " << st.message();
    EXPECT_TRUE(out.empty());
  }
}

TEST(HuffmanTest, TrailingGarbageAndPaddingAreCorrupt) {
  const std::vector<uint8_t>& data = SmallText();
  std::vector<uint8_t> payload, out;
  ASSERT_TRUE(HuffmanEncode(data.data(), data.size(), &payload).ok());
  std::vector<uint8_t> longer = payload;
  longer.push_back(0);
  EXPECT_EQ(DecodeVec(longer, data.size(), &out).code(), DC_ERR_CORRUPT);
  // The constant case has its own path; check it too.
  const std::vector<uint8_t> same(1001, 'x');
  ASSERT_TRUE(HuffmanEncode(same.data(), same.size(), &payload).ok());
  longer = payload;
  longer.push_back(0);
  EXPECT_EQ(DecodeVec(longer, same.size(), &out).code(), DC_ERR_CORRUPT);
  // 1001 one-bit codes leave 7 padding bits in the last byte.
  for (int bit = 0; bit < 7; ++bit) {
    std::vector<uint8_t> bad = payload;
    bad.back() ^= static_cast<uint8_t>(1 << bit);
    EXPECT_EQ(DecodeVec(bad, same.size(), &out).code(), DC_ERR_CORRUPT) << bit;
  }
}

TEST(HuffmanTest, WrongOriginalSizeIsAnError) {
  for (const std::vector<uint8_t>& data :
       {SmallText(), std::vector<uint8_t>(1000, 'z'), RandomBytes(5000, 3, 256, true)}) {
    std::vector<uint8_t> payload, out;
    ASSERT_TRUE(HuffmanEncode(data.data(), data.size(), &payload).ok());
    for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{data.size() - 1},
                       uint64_t{data.size() + 1}, uint64_t{data.size() * 2},
                       uint64_t{1} << 40, UINT64_MAX}) {
      const Status st = DecodeVec(payload, n, &out);
      EXPECT_FALSE(st.ok()) << "size " << n;
      EXPECT_TRUE(out.empty());
    }
  }
}

TEST(HuffmanTest, FlippedBitsAreDetectedOrChangeTheOutput) {
  for (const std::vector<uint8_t>& data :
       {SmallText(), RandomBytes(300, 9, 5, true), std::vector<uint8_t>(200, 'q')}) {
    std::vector<uint8_t> payload, out;
    ASSERT_TRUE(HuffmanEncode(data.data(), data.size(), &payload).ok());
    int detected = 0;
    for (size_t bit = 0; bit < payload.size() * 8; ++bit) {
      std::vector<uint8_t> bad = payload;
      bad[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
      const Status st = DecodeVec(bad, data.size(), &out);
      if (!st.ok()) {
        EXPECT_TRUE(IsDecodeError(st)) << st.message();
        ++detected;
        continue;
      }
      // A payload decodes to one output only, so a changed payload that still decodes must give
      // a different output of the right size.
      EXPECT_EQ(out.size(), data.size());
      EXPECT_NE(out, data) << "bit " << bit;
    }
    EXPECT_GT(detected, 0);
  }
}

TEST(HuffmanTest, RandomGarbageNeverCrashes) {
  std::mt19937 rng(1234);
  std::vector<uint8_t> out;
  int ok = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint8_t> junk(rng() % 300);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    // A plausible count makes the decoder go past the varint check into the table and body.
    uint64_t n = rng() % 2000;
    if (!junk.empty() && trial % 2) {
      junk[0] = static_cast<uint8_t>(n & 0x7F);
      n &= 0x7F;
    }
    const Status st = DecodeVec(junk, n, &out);
    if (st.ok()) {
      EXPECT_EQ(out.size(), n);
      ++ok;
    } else {
      EXPECT_TRUE(IsDecodeError(st)) << st.message();
      EXPECT_TRUE(out.empty());
    }
  }
  EXPECT_LT(ok, 3000);
}

TEST(HuffmanTest, HandBuiltTableDecodes) {
  // Positive control for the hand-built payloads below: 'a' = 0, 'b' = 1.
  std::array<uint8_t, 256> len{};
  len['a'] = 1;
  len['b'] = 1;
  BitSink s;
  PutVerbatimTable(&s, len);
  s.Put(0b0110, 4);
  s.Align();
  std::vector<uint8_t> out;
  const Status st = DecodeVec(Payload(4, s), 4, &out);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(std::string(out.begin(), out.end()), "abba");
}

TEST(HuffmanTest, BadMainTablesAreCorrupt) {
  struct Case {
    const char* name;
    std::vector<std::pair<int, int>> lengths;  // (symbol, length)
  };
  const Case cases[] = {
      {"over-subscribed", {{'a', 1}, {'b', 1}, {'c', 1}}},
      {"incomplete", {{'a', 1}, {'b', 2}}},
      {"single symbol of length 2", {{'a', 2}}},
      {"no symbols", {}},
      {"deep and incomplete", {{'a', 1}, {'b', 15}}},
  };
  for (const Case& c : cases) {
    std::array<uint8_t, 256> len{};
    for (auto [sym, l] : c.lengths) len[sym] = static_cast<uint8_t>(l);
    BitSink s;
    PutVerbatimTable(&s, len);
    s.Put(0, 8);
    std::vector<uint8_t> out;
    EXPECT_EQ(DecodeVec(Payload(3, s), 3, &out).code(), DC_ERR_CORRUPT) << c.name;
  }
}

TEST(HuffmanTest, SingleSymbolCodeRejectsTheUnusedCodeword) {
  std::array<uint8_t, 256> len{};
  len['a'] = 1;
  BitSink s;
  PutVerbatimTable(&s, len);
  s.Put(0b00100000, 8);  // third symbol uses the codeword "1", which means nothing
  std::vector<uint8_t> out;
  EXPECT_EQ(DecodeVec(Payload(8, s), 8, &out).code(), DC_ERR_CORRUPT);
}

// Table built from explicit run-length symbols with a code-length code given per symbol.
std::vector<uint8_t> RleTablePayload(const std::array<uint8_t, 19>& cl_len,
                                     const std::vector<std::pair<int, int>>& items) {
  uint16_t codes[19];
  CanonicalCodes(cl_len.data(), 19, codes);
  BitSink s;
  s.Put(19 - 4, 4);
  for (int i = 0; i < 19; ++i) s.Put(cl_len[kClOrder[i]], 3);
  for (auto [sym, extra] : items) {
    s.Put(codes[sym], cl_len[sym]);
    if (sym == 16) s.Put(extra, 2);
    if (sym == 17) s.Put(extra, 3);
    if (sym == 18) s.Put(extra, 7);
  }
  s.Align();
  s.Put(0, 8);
  return Payload(2, s);
}

TEST(HuffmanTest, BadRunLengthTablesAreCorrupt) {
  // Code-length code: 1, 16, 17, 18 -> two bits each (complete).
  std::array<uint8_t, 19> cl{};
  cl[1] = cl[16] = cl[17] = cl[18] = 2;
  std::vector<uint8_t> out;
  // Valid: 'a'..'b' (97, 98) length 1, everything else 0. Zeros: 97 = 11+86, then 256-99 = 157
  // = 138 + 19.
  const std::vector<std::pair<int, int>> good = {{18, 86}, {1, 0}, {1, 0}, {18, 127}, {18, 8}};
  EXPECT_TRUE(DecodeVec(RleTablePayload(cl, good), 2, &out).ok());
  // Repeat-previous as the first item has nothing to repeat.
  EXPECT_EQ(DecodeVec(RleTablePayload(cl, {{16, 0}}), 2, &out).code(), DC_ERR_CORRUPT);
  // A run of zeros that crosses symbol 255.
  EXPECT_EQ(DecodeVec(RleTablePayload(cl, {{1, 0}, {1, 0}, {18, 127}, {18, 127}}), 2, &out).code(),
            DC_ERR_CORRUPT);
  // Over-subscribed code-length code: five 2-bit codes.
  std::array<uint8_t, 19> over = cl;
  over[0] = 2;
  EXPECT_EQ(DecodeVec(RleTablePayload(over, good), 2, &out).code(), DC_ERR_CORRUPT);
  // Incomplete code-length code: three 2-bit codes.
  std::array<uint8_t, 19> under = cl;
  under[17] = 0;
  EXPECT_EQ(DecodeVec(RleTablePayload(under, good), 2, &out).code(), DC_ERR_CORRUPT);
}

TEST(HuffmanTest, MutatedPayloadsNeverCrash) {
  // Small edits of valid payloads reach deep into the table and body code, unlike pure noise.
  std::mt19937 rng(77);
  const std::vector<std::vector<uint8_t>> inputs = {SmallText(), RandomBytes(3000, 8, 40, true)};
  int errors = 0, total = 0;
  for (const std::vector<uint8_t>& data : inputs) {
    std::vector<uint8_t> payload, out;
    ASSERT_TRUE(HuffmanEncode(data.data(), data.size(), &payload).ok());
    for (int trial = 0; trial < 2000; ++trial, ++total) {
      std::vector<uint8_t> bad = payload;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !bad.empty(); ++e) {
        const size_t at = rng() % bad.size();
        switch (rng() % 4) {
          case 0: bad[at] = static_cast<uint8_t>(rng()); break;
          case 1: bad.erase(bad.begin() + static_cast<std::ptrdiff_t>(at)); break;
          case 2: bad.insert(bad.begin() + static_cast<std::ptrdiff_t>(at), static_cast<uint8_t>(rng())); break;
          default: bad.resize(at); break;
        }
      }
      const Status st = DecodeVec(bad, data.size(), &out);
      if (st.ok()) {
        EXPECT_EQ(out.size(), data.size());
      } else {
        EXPECT_TRUE(IsDecodeError(st)) << st.message();
        EXPECT_TRUE(out.empty());
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, total / 2);
}

TEST(HuffmanTest, NullArgumentsAreInvalid) {
  std::vector<uint8_t> out;
  EXPECT_EQ(HuffmanEncode(nullptr, 5, &out).code(), DC_ERR_INVALID_ARGUMENT);
  const uint8_t b = 1;
  EXPECT_EQ(HuffmanEncode(&b, 1, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(HuffmanDecode(nullptr, 5, 5, &out).code(), DC_ERR_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace dc
