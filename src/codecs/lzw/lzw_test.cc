#include "codecs/lzw/lzw.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

namespace dc {
namespace {

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

std::vector<uint8_t> Bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

bool IsDecodeError(const Status& st) {
  return st.code() == DC_ERR_CORRUPT || st.code() == DC_ERR_TRUNCATED;
}

Status DecodeVec(const std::vector<uint8_t>& payload, uint64_t n, std::vector<uint8_t>* out) {
  return LzwDecode(payload.data(), payload.size(), n, out);
}

void ExpectRoundTrip(const std::vector<uint8_t>& data, std::vector<uint8_t>* payload_out = nullptr) {
  std::vector<uint8_t> payload, back;
  ASSERT_TRUE(LzwEncode(data.data(), data.size(), &payload).ok());
  const Status st = DecodeVec(payload, data.size(), &back);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(back, data);
  if (payload_out) *payload_out = std::move(payload);
}

// Packs codes LSB first with the width rule of lzw.h, written out independently of the codec:
// the k-th code after a start or CLEAR has the bit length of min(256 + k, 65535), at least 9.
std::vector<uint8_t> PackCodes(const std::vector<uint32_t>& codes) {
  std::vector<uint8_t> out;
  uint64_t acc = 0;
  int n = 0;
  uint32_t k = 0;
  for (uint32_t c : codes) {
    uint32_t largest = std::min<uint32_t>(256 + k, 65535);
    int width = 0;
    while (largest >> width) ++width;
    width = std::max(width, 9);
    acc |= uint64_t{c} << n;
    n += width;
    while (n >= 8) {
      out.push_back(static_cast<uint8_t>(acc));
      acc >>= 8;
      n -= 8;
    }
    k = (c == 256) ? 0 : k + 1;
  }
  if (n) out.push_back(static_cast<uint8_t>(acc));
  return out;
}

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed, int alphabet) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng() % alphabet);
  return v;
}

// Text-like data with repeats, so that LZW finds long strings.
std::vector<uint8_t> WordSoup(size_t n, uint32_t seed) {
  static const char* const kWords[] = {"the ",   "quick ", "brown ", "fox ",  "jumps ",
                                       "over ",  "lazy ",  "dog ",   "and ",  "runs ",
                                       "away\n", "from ",  "a ",     "cat. ", "LZW "};
  std::mt19937 rng(seed);
  std::vector<uint8_t> v;
  while (v.size() < n) {
    const char* w = kWords[rng() % 15];
    v.insert(v.end(), w, w + std::char_traits<char>::length(w));
  }
  v.resize(n);
  return v;
}

TEST(LzwTest, EmptyInput) {
  std::vector<uint8_t> payload = {1}, out = {2};
  ASSERT_TRUE(LzwEncode(nullptr, 0, &payload).ok());
  EXPECT_TRUE(payload.empty());
  ASSERT_TRUE(LzwDecode(nullptr, 0, 0, &out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(LzwDecode(nullptr, 0, 1, &out).code(), DC_ERR_TRUNCATED);
  const uint8_t junk[1] = {0};
  EXPECT_EQ(LzwDecode(junk, 1, 0, &out).code(), DC_ERR_CORRUPT);
}

TEST(LzwTest, OneByte) {
  std::vector<uint8_t> payload;
  ExpectRoundTrip({0xC3}, &payload);
  EXPECT_EQ(payload, PackCodes({0xC3}));  // one 9-bit code: two bytes
}

TEST(LzwTest, KnownCodeSequence) {
  // The textbook example, with 256 reserved for CLEAR so that new entries start at 257.
  const std::vector<uint8_t> data = Bytes("TOBEORNOTTOBEORTOBEORNOT");
  std::vector<uint8_t> payload;
  ExpectRoundTrip(data, &payload);
  EXPECT_EQ(payload, PackCodes({'T', 'O', 'B', 'E', 'O', 'R', 'N', 'O', 'T', 257, 259, 261, 266,
                                260, 262, 264}));
}

TEST(LzwTest, AllEqualUsesGrowingStrings) {
  const std::vector<uint8_t> data(100000, 'a');
  std::vector<uint8_t> payload;
  ExpectRoundTrip(data, &payload);
  // Every code is a KwKwK code one longer than the last: about sqrt(2 * 100000) = 447 codes.
  EXPECT_LE(payload.size(), 460u * 10 / 8);
}

TEST(LzwTest, KwKwKCodesDecode) {
  std::vector<uint8_t> out;
  ASSERT_TRUE(DecodeVec(PackCodes({'a', 257}), 3, &out).ok());
  EXPECT_EQ(out, Bytes("aaa"));
  ASSERT_TRUE(DecodeVec(PackCodes({'a', 257, 258}), 6, &out).ok());
  EXPECT_EQ(out, Bytes("aaaaaa"));
  ASSERT_TRUE(DecodeVec(PackCodes({'a', 'b', 258}), 4, &out).ok());  // 258 = "b" + 'b'
  EXPECT_EQ(out, Bytes("abbb"));
}

TEST(LzwTest, CodesBeyondTheNextEntryAreCorrupt) {
  std::vector<uint8_t> out;
  EXPECT_EQ(DecodeVec(PackCodes({'a', 258}), 3, &out).code(), DC_ERR_CORRUPT);
  EXPECT_EQ(DecodeVec(PackCodes({'a', 'b', 260}), 4, &out).code(), DC_ERR_CORRUPT);
  EXPECT_EQ(DecodeVec(PackCodes({'a', 511}), 3, &out).code(), DC_ERR_CORRUPT);
  // The first code after the start or a CLEAR must be a byte.
  EXPECT_EQ(DecodeVec(PackCodes({257}), 2, &out).code(), DC_ERR_CORRUPT);
  EXPECT_EQ(DecodeVec(PackCodes({256, 'a'}), 1, &out).code(), DC_ERR_CORRUPT);
  EXPECT_EQ(DecodeVec(PackCodes({'a', 256, 257}), 3, &out).code(), DC_ERR_CORRUPT);
  EXPECT_TRUE(out.empty());
}

TEST(LzwTest, ClearResetsDictionaryAndWidth) {
  std::vector<uint8_t> out;
  ASSERT_TRUE(DecodeVec(PackCodes({'a', 'b', 256, 'c', 'a', 257}), 6, &out).ok());
  // After CLEAR, 257 is "ca" (new dictionary), not "ab".
  EXPECT_EQ(out, Bytes("abcaca"));
}

TEST(LzwTest, WidthGrowsAtThePowersOfTwo) {
  // 700 single-byte codes cross 512 possible codes at k = 256: 9-bit codes, then 10-bit codes.
  std::vector<uint32_t> codes;
  std::vector<uint8_t> expect;
  for (int i = 0; i < 700; ++i) {
    codes.push_back(static_cast<uint32_t>(i * 7 % 256));
    expect.push_back(static_cast<uint8_t>(i * 7 % 256));
  }
  const std::vector<uint8_t> payload = PackCodes(codes);
  EXPECT_EQ(payload.size(), (256 * 9 + 444 * 10 + 7) / 8u);
  std::vector<uint8_t> out;
  ASSERT_TRUE(DecodeVec(payload, expect.size(), &out).ok());
  EXPECT_EQ(out, expect);
}

TEST(LzwTest, RandomRoundTrip) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    for (size_t n : {1, 2, 3, 10, 1000, 65536, 300000}) {
      for (int alphabet : {1, 2, 16, 256}) {
        SCOPED_TRACE(testing::Message() << "seed " << seed << " n " << n << " alphabet "
                                        << alphabet);
        ExpectRoundTrip(RandomBytes(n, seed, alphabet));
      }
    }
  }
}

// Reads the codes back with the same width rule; the zero padding (< 9 bits) is ignored.
std::vector<uint32_t> UnpackCodes(const std::vector<uint8_t>& payload) {
  std::vector<uint32_t> codes;
  uint64_t acc = 0;
  int n = 0;
  size_t i = 0;
  uint32_t k = 0;
  while (true) {
    uint32_t largest = std::min<uint32_t>(256 + k, 65535);
    int width = 0;
    while (largest >> width) ++width;
    width = std::max(width, 9);
    while (n < width && i < payload.size()) {
      acc |= uint64_t{payload[i++]} << n;
      n += 8;
    }
    if (n < width) break;
    const uint32_t c = static_cast<uint32_t>(acc & ((1u << width) - 1));
    acc >>= width;
    n -= width;
    codes.push_back(c);
    k = (c == 256) ? 0 : k + 1;
  }
  return codes;
}

TEST(LzwTest, ClearOnlyWhenFullAndRatioDrops) {
  // Text fills the dictionary; random bytes then make the ratio drop, which must trigger CLEAR,
  // and 3 MB in all cover several dictionary generations.
  std::vector<uint8_t> data = WordSoup(1 << 20, 1);
  const std::vector<uint8_t> noise = RandomBytes(1 << 20, 2, 256);
  data.insert(data.end(), noise.begin(), noise.end());
  const std::vector<uint8_t> text = WordSoup(1 << 20, 3);
  data.insert(data.end(), text.begin(), text.end());
  std::vector<uint8_t> payload;
  ExpectRoundTrip(data, &payload);

  const std::vector<uint32_t> codes = UnpackCodes(payload);
  int clears = 0;
  size_t since_reset = 0;
  for (uint32_t c : codes) {
    if (c == 256) {
      ++clears;
      // All 65279 entries (codes 257..65535) must be in use before the dictionary is dropped.
      EXPECT_GE(since_reset, 65279u);
      since_reset = 0;
    } else {
      ++since_reset;
    }
  }
  EXPECT_GE(clears, 1);

  // A steady source never makes the ratio drop: the first, full dictionary is kept.
  const std::vector<uint8_t> steady = WordSoup(1 << 20, 4);
  ExpectRoundTrip(steady, &payload);
  const std::vector<uint32_t> steady_codes = UnpackCodes(payload);
  EXPECT_GT(steady_codes.size(), 65279u);
  EXPECT_EQ(std::count(steady_codes.begin(), steady_codes.end(), 256u), 0);
}

TEST(LzwTest, RandomDataExpandsBoundedly) {
  const std::vector<uint8_t> data = RandomBytes(1 << 20, 4, 256);
  std::vector<uint8_t> payload;
  ExpectRoundTrip(data, &payload);
  EXPECT_LT(payload.size(), data.size() * 3 / 2);
}

bool HaveCompress() { return std::system("command -v compress >/dev/null 2>&1") == 0; }

// Size of `compress -b16 -c path`, or -1.
long CompressSize(const std::string& path) {
  const std::string cmd = "compress -b16 -c '" + path + "' | wc -c";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return -1;
  long size = -1;
  if (std::fscanf(f, "%ld", &size) != 1) size = -1;
  pclose(f);
  return size;
}

TEST(LzwTest, RealFilesWithinTenPercentOfCompress) {
  struct RealFile {
    const char* path;
    size_t max_bytes;
  };
  const RealFile files[] = {
      {DC_SHARED_DATA "/kodak/kodim01.png", SIZE_MAX},
      {DC_SHARED_DATA "/signals/audio/sonicpi_guit_em9.wav", SIZE_MAX},
      {DC_SHARED_DATA "/signals/ecg_mitbih/100.dat", SIZE_MAX},
      {DC_SHARED_DATA "/cifar10/test_batch.bin", 1 << 20},
  };
  const bool have_compress = HaveCompress();
  for (const RealFile& f : files) {
    SCOPED_TRACE(f.path);
    const std::vector<uint8_t> data = ReadFilePrefix(f.path, f.max_bytes);
    ASSERT_GT(data.size(), 100000u) << "missing test data";
    std::vector<uint8_t> payload;
    ExpectRoundTrip(data, &payload);
    if (!have_compress) continue;
    // compress needs a file holding exactly these bytes (the CIFAR prefix is not one).
    char tmp[] = "/tmp/lzw_test_XXXXXX";
    const int fd = mkstemp(tmp);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    close(fd);
    const long reference = CompressSize(tmp);
    unlink(tmp);
    ASSERT_GT(reference, 0);
    // Same algorithm and dictionary policy: the sizes must be close either way.
    EXPECT_LE(static_cast<double>(payload.size()), reference * 1.10) << "compress: " << reference;
    EXPECT_GE(static_cast<double>(payload.size()), reference * 0.90) << "compress: " << reference;
  }
  if (!have_compress) GTEST_SKIP() << "compress(1) not on PATH: only the round trips were checked";
}

const std::vector<uint8_t>& SmallText() {
  static const std::vector<uint8_t> v =
      Bytes("It was the best of times, it was the worst of times, it was the age of wisdom, it "
            "was the age of foolishness, it was the epoch of belief, it was the epoch of "
            "incredulity, it was the season of Light, it was the season of Darkness.");
  return v;
}

TEST(LzwTest, EveryTruncationIsAnError) {
  const std::vector<uint8_t>& data = SmallText();
  std::vector<uint8_t> payload, out;
  ASSERT_TRUE(LzwEncode(data.data(), data.size(), &payload).ok());
  for (size_t len = 0; len < payload.size(); ++len) {
    const Status st = LzwDecode(payload.data(), len, data.size(), &out);
    EXPECT_TRUE(IsDecodeError(st)) << "prefix " << len << ": " << st.message();
    EXPECT_TRUE(out.empty());
  }
}

TEST(LzwTest, TrailingGarbageAndPaddingAreCorrupt) {
  std::vector<uint8_t> out;
  // Two 9-bit codes leave 6 padding bits in the third byte.
  std::vector<uint8_t> p = PackCodes({'h', 'i'});
  ASSERT_EQ(p.size(), 3u);
  ASSERT_TRUE(DecodeVec(p, 2, &out).ok());
  for (int bit = 2; bit < 8; ++bit) {
    std::vector<uint8_t> bad = p;
    bad[2] ^= static_cast<uint8_t>(1 << bit);
    EXPECT_EQ(DecodeVec(bad, 2, &out).code(), DC_ERR_CORRUPT) << bit;
  }
  p.push_back(0);
  EXPECT_EQ(DecodeVec(p, 2, &out).code(), DC_ERR_CORRUPT);
  // A whole extra code after the end counts as trailing data too.
  EXPECT_EQ(DecodeVec(PackCodes({'h', 'i', '!'}), 2, &out).code(), DC_ERR_CORRUPT);
}

TEST(LzwTest, WrongOriginalSizeIsAnError) {
  for (const std::vector<uint8_t>& data :
       {SmallText(), std::vector<uint8_t>(1000, 'z'), RandomBytes(5000, 3, 7)}) {
    std::vector<uint8_t> payload, out;
    ASSERT_TRUE(LzwEncode(data.data(), data.size(), &payload).ok());
    for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{data.size() - 1},
                       uint64_t{data.size() + 1}, uint64_t{data.size() * 2},
                       uint64_t{1} << 40, UINT64_MAX}) {
      const Status st = DecodeVec(payload, n, &out);
      EXPECT_FALSE(st.ok()) << "size " << n;
      EXPECT_TRUE(out.empty());
    }
  }
}

TEST(LzwTest, ImpossibleOriginalSizeIsRejectedUpFront) {
  // Two bytes hold one 9-bit code, which yields one byte: anything beyond what 1 code could ever
  // produce must not even be attempted.
  std::vector<uint8_t> out;
  const std::vector<uint8_t> p = PackCodes({'x'});
  EXPECT_EQ(DecodeVec(p, 1ull << 31, &out).code(), DC_ERR_CORRUPT);
}

TEST(LzwTest, FlippedBitsNeverCrash) {
  for (const std::vector<uint8_t>& data :
       {SmallText(), RandomBytes(400, 9, 4), std::vector<uint8_t>(300, 'q')}) {
    std::vector<uint8_t> payload, out;
    ASSERT_TRUE(LzwEncode(data.data(), data.size(), &payload).ok());
    int detected = 0;
    for (size_t bit = 0; bit < payload.size() * 8; ++bit) {
      std::vector<uint8_t> bad = payload;
      bad[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
      const Status st = DecodeVec(bad, data.size(), &out);
      if (st.ok()) {
        EXPECT_EQ(out.size(), data.size());
      } else {
        EXPECT_TRUE(IsDecodeError(st)) << st.message();
        EXPECT_TRUE(out.empty());
        ++detected;
      }
    }
    EXPECT_GT(detected, 0);
  }
}

TEST(LzwTest, RandomGarbageNeverCrashes) {
  std::mt19937 rng(99);
  std::vector<uint8_t> out;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint8_t> junk(rng() % 400);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    const uint64_t n = rng() % 5000;
    const Status st = DecodeVec(junk, n, &out);
    if (st.ok()) {
      EXPECT_EQ(out.size(), n);
    } else {
      EXPECT_TRUE(IsDecodeError(st)) << st.message();
      EXPECT_TRUE(out.empty());
    }
  }
}

TEST(LzwTest, MutatedPayloadsNeverCrash) {
  // Small edits of valid payloads reach deep into the table and body code, unlike pure noise.
  std::mt19937 rng(77);
  const std::vector<std::vector<uint8_t>> inputs = {SmallText(), WordSoup(20000, 8)};
  int errors = 0, total = 0;
  for (const std::vector<uint8_t>& data : inputs) {
    std::vector<uint8_t> payload, out;
    ASSERT_TRUE(LzwEncode(data.data(), data.size(), &payload).ok());
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

TEST(LzwTest, NullArgumentsAreInvalid) {
  std::vector<uint8_t> out;
  EXPECT_EQ(LzwEncode(nullptr, 5, &out).code(), DC_ERR_INVALID_ARGUMENT);
  const uint8_t b = 1;
  EXPECT_EQ(LzwEncode(&b, 1, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(LzwDecode(nullptr, 5, 5, &out).code(), DC_ERR_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace dc
