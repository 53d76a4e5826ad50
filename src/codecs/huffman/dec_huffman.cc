// Huffman decoder. Everything in the payload is untrusted: the table is checked for a complete
// code before use, the output size is bounded by the payload size before allocating, and the
// bit stream must end exactly at the last code plus zero padding.
#include <algorithm>
#include <new>

#include "codecs/huffman/huffman.h"

#include "common/codec_entry.h"
#include "common/bytes.h"

namespace dc {
namespace {

using huffman_internal::kClOrder;
using huffman_internal::kMaxClCodeLength;
using huffman_internal::kMaxCodeLength;
using huffman_internal::kNumClSymbols;

Status Corrupt(const char* what) { return Error(DC_ERR_CORRUPT, std::string("huffman: ") + what); }
Status Truncated(const char* what) {
  return Error(DC_ERR_TRUNCATED, std::string("huffman: ") + what);
}

// A decoding table indexed by the next max_len bits. Entry = symbol << 4 | length; length 0
// marks the codeword left unused by a single-symbol code.
struct DecodeTable {
  int max_len = 0;
  bool single = false;  // one symbol, coded as "0"
  int single_symbol = 0;
  std::vector<uint16_t> entries;
};

// Accepts only complete codes, or a single symbol of length 1: anything else would leave bit
// patterns that decode to nothing (incomplete) or to two symbols (over-subscribed).
Status BuildTable(const uint8_t* lengths, int num_symbols, DecodeTable* t) {
  uint32_t kraft = 0;  // in units of 2^-kMaxCodeLength
  int used = 0, max_len = 0, last = 0;
  for (int s = 0; s < num_symbols; ++s) {
    if (lengths[s] == 0) continue;
    if (lengths[s] > kMaxCodeLength) return Corrupt("code length over 15");
    kraft += 1u << (kMaxCodeLength - lengths[s]);
    ++used;
    last = s;
    max_len = std::max(max_len, static_cast<int>(lengths[s]));
  }
  if (used == 0) return Corrupt("code has no symbols");
  if (used == 1) {
    if (max_len != 1) return Corrupt("single-symbol code must have length 1");
  } else if (kraft > (1u << kMaxCodeLength)) {
    return Corrupt("over-subscribed code");
  } else if (kraft < (1u << kMaxCodeLength)) {
    return Corrupt("incomplete code");
  }
  t->max_len = max_len;
  t->single = used == 1;
  t->single_symbol = last;
  t->entries.assign(size_t{1} << max_len, 0);
  uint16_t codes[256];
  huffman_internal::CanonicalCodes(lengths, num_symbols, codes);
  for (int s = 0; s < num_symbols; ++s) {
    const int len = lengths[s];
    if (len == 0) continue;
    const size_t first = size_t{codes[s]} << (max_len - len);
    const size_t n = size_t{1} << (max_len - len);
    std::fill(t->entries.begin() + first, t->entries.begin() + first + n,
              static_cast<uint16_t>((s << 4) | len));
  }
  return Status::Ok();
}

// Bit reader for the table: checked on every read, reading past the end is DC_ERR_TRUNCATED.
class MsbReader {
 public:
  MsbReader(const uint8_t* p, size_t n) : p_(p), bits_(uint64_t{n} * 8) {}
  Status Read(int bits, uint32_t* v) {
    if (pos_ + bits > bits_) return Truncated("table ends early");
    *v = Peek(bits);
    pos_ += bits;
    return Status::Ok();
  }
  // The next `bits` bits, zero beyond the end.
  uint32_t Peek(int bits) const {
    uint32_t v = 0;
    for (int i = 0; i < bits; ++i) {
      const uint64_t b = pos_ + i;
      const uint32_t bit = b < bits_ ? (p_[b >> 3] >> (7 - (b & 7))) & 1 : 0;
      v = (v << 1) | bit;
    }
    return v;
  }
  Status Symbol(const DecodeTable& t, int* sym) {
    const uint16_t e = t.entries[Peek(t.max_len)];
    const int len = e & 15;
    if (len == 0) return Corrupt("invalid code-length code");
    if (pos_ + len > bits_) return Truncated("table ends early");
    pos_ += len;
    *sym = e >> 4;
    return Status::Ok();
  }
  // Consumes the zero padding up to the next byte; returns the bytes used so far.
  Status Align(size_t* bytes_used) {
    const uint64_t pad = (8 - (pos_ & 7)) & 7;
    uint32_t v = 0;
    if (pad) RETURN_IF_ERROR(Read(static_cast<int>(pad), &v));
    if (v != 0) return Corrupt("non-zero padding after table");
    *bytes_used = static_cast<size_t>(pos_ / 8);
    return Status::Ok();
  }

 private:
  const uint8_t* p_;
  uint64_t bits_;
  uint64_t pos_ = 0;
};

Status ReadTable(const uint8_t* p, size_t n, uint8_t* lengths, size_t* bytes_used) {
  MsbReader r(p, n);
  uint32_t k = 0;
  RETURN_IF_ERROR(r.Read(4, &k));
  k += 4;
  if (k > kNumClSymbols) return Corrupt("too many code-length-code lengths");
  uint8_t cl_lengths[kNumClSymbols] = {0};
  for (uint32_t i = 0; i < k; ++i) {
    uint32_t v = 0;
    RETURN_IF_ERROR(r.Read(3, &v));
    cl_lengths[kClOrder[i]] = static_cast<uint8_t>(v);
  }
  static_assert(kMaxClCodeLength == 7, "3-bit fields hold lengths up to 7");
  DecodeTable cl;
  RETURN_IF_ERROR(BuildTable(cl_lengths, kNumClSymbols, &cl));

  int i = 0;
  while (i < 256) {
    int sym = 0;
    RETURN_IF_ERROR(r.Symbol(cl, &sym));
    if (sym < 16) {
      lengths[i++] = static_cast<uint8_t>(sym);
      continue;
    }
    uint32_t extra = 0;
    int run = 0;
    uint8_t value = 0;
    if (sym == 16) {
      if (i == 0) return Corrupt("length repeat without a previous length");
      RETURN_IF_ERROR(r.Read(2, &extra));
      run = 3 + static_cast<int>(extra);
      value = lengths[i - 1];
    } else if (sym == 17) {
      RETURN_IF_ERROR(r.Read(3, &extra));
      run = 3 + static_cast<int>(extra);
    } else {
      RETURN_IF_ERROR(r.Read(7, &extra));
      run = 11 + static_cast<int>(extra);
    }
    if (run > 256 - i) return Corrupt("length run past symbol 255");
    std::fill(lengths + i, lengths + i + run, value);
    i += run;
  }
  return r.Align(bytes_used);
}

inline uint64_t LoadBE64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

// Decodes n symbols from [begin, end) with a complete code.
Status DecodeSymbols(const DecodeTable& t, const uint8_t* begin, const uint8_t* end, uint8_t* out,
                     size_t n) {
  const uint16_t* table = t.entries.data();
  const int shift = 64 - t.max_len;
  const uint8_t* p = begin;
  uint64_t buf = 0;  // unread bits, left-aligned; the `count` top bits are accounted for
  int count = 0;
  size_t i = 0;

  // Fast path: a branch-free refill leaves at least 56 accounted bits, enough for three codes.
  // Bits below `count` are already the following stream bits, so OR-ing them again is harmless.
  while (n - i >= 3 && end - p >= 8) {
    buf |= LoadBE64(p) >> count;
    p += (63 - count) >> 3;
    count |= 56;
    for (int k = 0; k < 3; ++k) {
      const uint16_t e = table[buf >> shift];
      out[i++] = static_cast<uint8_t>(e >> 4);
      buf <<= (e & 15);
      count -= (e & 15);
    }
  }

  // Tail: byte-wise refill; past the end zeros are fed in and counted, and consuming any of them
  // means the stream was cut short.
  uint64_t overrun_bits = 0;
  while (i < n) {
    while (count <= 56) {
      if (p < end) {
        buf |= uint64_t{*p++} << (56 - count);
      } else {
        overrun_bits += 8;
      }
      count += 8;
    }
    const uint16_t e = table[buf >> shift];
    out[i++] = static_cast<uint8_t>(e >> 4);
    buf <<= (e & 15);
    count -= (e & 15);
    if (overrun_bits > static_cast<uint64_t>(count)) return Truncated("symbol stream ends early");
  }

  // Exactly the padding of the last byte may remain, and it must be zero.
  const uint64_t loaded = uint64_t(p - begin) * 8 + overrun_bits;
  const uint64_t consumed = loaded - static_cast<uint64_t>(count);
  const uint64_t total = uint64_t(end - begin) * 8;
  if (consumed > total) return Truncated("symbol stream ends early");
  const uint64_t pad = total - consumed;
  if (pad >= 8) return Corrupt("trailing data after the last symbol");
  if (pad > 0 && (buf >> (64 - pad)) != 0) return Corrupt("non-zero padding bits");
  return Status::Ok();
}

Status DecodeImpl(const uint8_t* payload, size_t payload_size, uint64_t original_size,
                  std::vector<uint8_t>* out) {
  if (original_size == 0) {
    if (payload_size != 0) return Corrupt("data present for an empty output");
    return Status::Ok();
  }
  if (original_size > DC_MAX_BYTES_INPUT) {
    return Error(DC_ERR_TOO_LARGE, "huffman: original size larger than DC_MAX_BYTES_INPUT");
  }
  if (payload_size == 0) return Truncated("empty payload");

  ByteReader header(payload, payload_size);
  uint64_t count = 0;
  RETURN_IF_ERROR(header.Varint(&count));
  if (count != original_size) return Corrupt("symbol count differs from the original size");
  const size_t header_bytes = payload_size - header.remaining();

  uint8_t lengths[256];
  size_t table_bytes = 0;
  RETURN_IF_ERROR(ReadTable(payload + header_bytes, header.remaining(), lengths, &table_bytes));
  const uint8_t* body = payload + header_bytes + table_bytes;
  const size_t body_size = payload_size - header_bytes - table_bytes;
  // Every symbol costs at least one bit: refuse before allocating for an impossible size.
  if (original_size > uint64_t{body_size} * 8) {
    return body_size == 0 ? Truncated("no symbol data")
                          : Corrupt("original size exceeds what the payload can hold");
  }

  DecodeTable t;
  RETURN_IF_ERROR(BuildTable(lengths, 256, &t));
  const size_t n = static_cast<size_t>(original_size);
  if (t.single) {
    // The only codeword is "0": the stream must be exactly ceil(n/8) zero bytes.
    const size_t need = n / 8 + (n % 8 != 0);
    if (body_size < need) return Truncated("symbol stream ends early");
    if (body_size > need) return Corrupt("trailing data after the last symbol");
    for (size_t j = 0; j < body_size; ++j) {
      if (body[j] != 0) return Corrupt("invalid code for a single-symbol table");
    }
    out->assign(n, static_cast<uint8_t>(t.single_symbol));
    return Status::Ok();
  }
  out->resize(n);
  return DecodeSymbols(t, body, body + body_size, out->data(), n);
}

}  // namespace

Status HuffmanDecode(const uint8_t* payload, size_t payload_size, uint64_t original_size,
                 std::vector<uint8_t>* out) {
  return RunByteCodec("huffman", payload, payload_size, UINT64_MAX, out,
                      [&] { return DecodeImpl(payload, payload_size, original_size, out); });
}

}  // namespace dc
