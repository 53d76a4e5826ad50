// Huffman encoder: histogram, package-merge code lengths, run-length coded table, bit packing.
#include <algorithm>
#include <array>
#include <new>

#include "codecs/huffman/huffman.h"

#include "common/codec_entry.h"
#include "common/bytes.h"

namespace dc {
namespace huffman_internal {

bool LengthLimitedCodeLengths(const uint64_t* freqs, int num_symbols, int max_len,
                              uint8_t* lengths) {
  if (max_len < 1 || max_len > 30 || num_symbols < 0) return false;
  std::fill(lengths, lengths + num_symbols, 0);
  std::vector<int> syms;
  for (int s = 0; s < num_symbols; ++s) {
    if (freqs[s] != 0) syms.push_back(s);
  }
  const size_t m = syms.size();
  if (m == 0) return true;
  if (m == 1) {
    lengths[syms[0]] = 1;
    return true;
  }
  if (m > (size_t{1} << max_len)) return false;
  // Ties broken by symbol so that the result does not depend on the sort implementation.
  std::sort(syms.begin(), syms.end(), [freqs](int a, int b) {
    return freqs[a] != freqs[b] ? freqs[a] < freqs[b] : a < b;
  });

  // Package-merge (coin collector). List 0 holds the leaves; list j merges the leaves with the
  // pairwise packages of list j-1. Only whether each position is a package must be kept: the
  // leaves inside any prefix of a list are a prefix of the sorted leaves, and choosing the first
  // t items of list j chooses exactly the first 2*(packages among them) items of list j-1.
  std::vector<std::vector<uint8_t>> is_package(max_len);
  std::vector<uint64_t> prev(m);
  for (size_t i = 0; i < m; ++i) prev[i] = freqs[syms[i]];
  is_package[0].assign(m, 0);
  std::vector<uint64_t> cur;
  for (int level = 1; level < max_len; ++level) {
    const size_t num_packages = prev.size() / 2;
    cur.clear();
    std::vector<uint8_t>& flags = is_package[level];
    flags.clear();
    size_t leaf = 0, pkg = 0;
    while (leaf < m || pkg < num_packages) {
      const bool take_leaf =
          pkg >= num_packages ||
          (leaf < m && freqs[syms[leaf]] <= prev[2 * pkg] + prev[2 * pkg + 1]);
      if (take_leaf) {
        cur.push_back(freqs[syms[leaf++]]);
        flags.push_back(0);
      } else {
        cur.push_back(prev[2 * pkg] + prev[2 * pkg + 1]);
        ++pkg;
        flags.push_back(1);
      }
    }
    prev.swap(cur);
  }

  size_t take = 2 * m - 2;
  for (int level = max_len - 1; level >= 0; --level) {
    const std::vector<uint8_t>& flags = is_package[level];
    if (take > flags.size()) return false;
    size_t packages = 0;
    for (size_t i = 0; i < take; ++i) packages += flags[i];
    const size_t leaves = take - packages;
    for (size_t i = 0; i < leaves; ++i) ++lengths[syms[i]];
    take = 2 * packages;
  }
  return take == 0;
}

}  // namespace huffman_internal

namespace {

using huffman_internal::kClOrder;
using huffman_internal::kMaxClCodeLength;
using huffman_internal::kMaxCodeLength;
using huffman_internal::kNumClSymbols;

// Small MSB-first writer for the table; the symbol stream has its own unrolled loop.
class MsbWriter {
 public:
  explicit MsbWriter(std::vector<uint8_t>* out) : out_(out) {}
  void Put(uint32_t value, int bits) {
    acc_ = (acc_ << bits) | value;
    count_ += bits;
    while (count_ >= 8) {
      count_ -= 8;
      out_->push_back(static_cast<uint8_t>(acc_ >> count_));
    }
    acc_ &= (1u << count_) - 1;
  }
  void Align() {
    if (count_ > 0) out_->push_back(static_cast<uint8_t>(acc_ << (8 - count_)));
    acc_ = 0;
    count_ = 0;
  }

 private:
  std::vector<uint8_t>* out_;
  uint32_t acc_ = 0;
  int count_ = 0;
};

struct RleItem {
  uint8_t symbol;
  uint8_t extra;
};

std::vector<RleItem> RunLengthCode(const uint8_t* lengths) {
  std::vector<RleItem> items;
  int i = 0;
  while (i < 256) {
    const uint8_t len = lengths[i];
    int run = 1;
    while (i + run < 256 && lengths[i + run] == len) ++run;
    if (len == 0) {
      while (run >= 11) {
        const int r = std::min(run, 138);
        items.push_back({18, static_cast<uint8_t>(r - 11)});
        run -= r;
        i += r;
      }
      if (run >= 3) {
        items.push_back({17, static_cast<uint8_t>(run - 3)});
        i += run;
        run = 0;
      }
    } else {
      items.push_back({len, 0});
      --run;
      ++i;
      while (run >= 3) {
        const int r = std::min(run, 6);
        items.push_back({16, static_cast<uint8_t>(r - 3)});
        run -= r;
        i += r;
      }
    }
    for (; run > 0; --run, ++i) items.push_back({len, 0});
  }
  return items;
}

int ExtraBits(uint8_t rle_symbol) {
  switch (rle_symbol) {
    case 16: return 2;
    case 17: return 3;
    case 18: return 7;
    default: return 0;
  }
}

void WriteTable(const uint8_t* lengths, std::vector<uint8_t>* out) {
  const std::vector<RleItem> items = RunLengthCode(lengths);
  uint64_t freqs[kNumClSymbols] = {0};
  for (const RleItem& it : items) ++freqs[it.symbol];
  uint8_t cl_lengths[kNumClSymbols];
  // Cannot fail: at most 19 symbols under a limit of 7 bits.
  huffman_internal::LengthLimitedCodeLengths(freqs, kNumClSymbols, kMaxClCodeLength, cl_lengths);
  uint16_t cl_codes[kNumClSymbols];
  huffman_internal::CanonicalCodes(cl_lengths, kNumClSymbols, cl_codes);

  int k = kNumClSymbols;
  while (k > 4 && cl_lengths[kClOrder[k - 1]] == 0) --k;
  MsbWriter w(out);
  w.Put(static_cast<uint32_t>(k - 4), 4);
  for (int i = 0; i < k; ++i) w.Put(cl_lengths[kClOrder[i]], 3);
  for (const RleItem& it : items) {
    w.Put(cl_codes[it.symbol], cl_lengths[it.symbol]);
    const int extra = ExtraBits(it.symbol);
    if (extra) w.Put(it.extra, extra);
  }
  w.Align();
}

inline void StoreBE64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
}

// Writes the code of each byte into dst, which has room for every bit plus 8 bytes of slack (the
// unrolled loop stores whole 64-bit words). Returns the number of bytes written.
size_t PackSymbols(const uint8_t* data, size_t size, const uint8_t* lengths,
                   const uint16_t* codes, uint8_t* dst) {
  uint32_t table[256];
  for (int s = 0; s < 256; ++s) table[s] = (static_cast<uint32_t>(codes[s]) << 4) | lengths[s];
  uint8_t* o = dst;
  uint64_t acc = 0;  // the low `count` bits are pending output, older bits above them
  int count = 0;
  size_t i = 0;
  // Three codes of at most 15 bits on top of < 8 pending bits fit into 64 bits.
  for (; i + 3 <= size; i += 3) {
    const uint32_t e0 = table[data[i]], e1 = table[data[i + 1]], e2 = table[data[i + 2]];
    acc = (acc << (e0 & 15)) | (e0 >> 4);
    acc = (acc << (e1 & 15)) | (e1 >> 4);
    acc = (acc << (e2 & 15)) | (e2 >> 4);
    count += static_cast<int>((e0 & 15) + (e1 & 15) + (e2 & 15));
    StoreBE64(o, acc << (64 - count));  // count >= 3: every used symbol has a length >= 1
    o += count >> 3;
    count &= 7;
  }
  for (; i < size; ++i) {
    const uint32_t e = table[data[i]];
    acc = (acc << (e & 15)) | (e >> 4);
    count += static_cast<int>(e & 15);
    StoreBE64(o, acc << (64 - count));
    o += count >> 3;
    count &= 7;
  }
  if (count > 0) *o++ = static_cast<uint8_t>(acc << (8 - count));
  return static_cast<size_t>(o - dst);
}

Status EncodeImpl(const uint8_t* data, size_t size, std::vector<uint8_t>* out) {
  out->clear();
  if (size == 0) return Status::Ok();

  // Four histograms break the store-to-load dependency on runs of equal bytes; with at most
  // 2^32 input bytes each counter stays below 2^30.
  std::array<std::array<uint32_t, 256>, 4> hist{};
  size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    ++hist[0][data[i]];
    ++hist[1][data[i + 1]];
    ++hist[2][data[i + 2]];
    ++hist[3][data[i + 3]];
  }
  for (; i < size; ++i) ++hist[0][data[i]];
  uint64_t freqs[256];
  for (int s = 0; s < 256; ++s) {
    freqs[s] = uint64_t{hist[0][s]} + hist[1][s] + hist[2][s] + hist[3][s];
  }

  uint8_t lengths[256];
  if (!huffman_internal::LengthLimitedCodeLengths(freqs, 256, kMaxCodeLength, lengths)) {
    return Error(DC_ERR_INTERNAL, "huffman: code length construction failed");
  }
  uint16_t codes[256];
  huffman_internal::CanonicalCodes(lengths, 256, codes);

  ByteWriter header(out);
  header.Varint(size);
  WriteTable(lengths, out);

  uint64_t total_bits = 0;
  for (int s = 0; s < 256; ++s) total_bits += freqs[s] * lengths[s];
  const size_t body = static_cast<size_t>((total_bits + 7) / 8);
  const size_t start = out->size();
  out->resize(start + body + 8);
  const size_t written = PackSymbols(data, size, lengths, codes, out->data() + start);
  if (written != body) return Error(DC_ERR_INTERNAL, "huffman: bit count mismatch");
  out->resize(start + body);
  return Status::Ok();
}

}  // namespace

Status HuffmanEncode(const uint8_t* data, size_t size, std::vector<uint8_t>* out) {
  return RunByteCodec("huffman", data, size, DC_MAX_BYTES_INPUT, out, [&] { return EncodeImpl(data, size, out); });
}

}  // namespace dc
