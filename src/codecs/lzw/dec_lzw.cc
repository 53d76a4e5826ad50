// LZW decoder. Every code is checked against the dictionary as it stands; output is written into
// a buffer that grows with the data actually decoded and never beyond original_size.
#include <algorithm>
#include <memory>
#include <new>

#include "codecs/lzw/lzw.h"

#include "common/codec_entry.h"

namespace dc {
namespace {

using lzw_internal::kClear;
using lzw_internal::kFirstFree;
using lzw_internal::kMaxBits;
using lzw_internal::kMaxStringLength;
using lzw_internal::kMinBits;
using lzw_internal::kNumCodes;

Status Corrupt(const char* what) { return Error(DC_ERR_CORRUPT, std::string("lzw: ") + what); }
Status Truncated() { return Error(DC_ERR_TRUNCATED, "lzw: code stream ends early"); }

inline uint64_t LoadLE64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Each string is its prefix's string plus one byte; `first` and `length` are cached so that a
// string can be written back to front in one pass and the new entry built without a walk.
struct Table {
  std::unique_ptr<uint16_t[]> prefix{new uint16_t[kNumCodes]};
  std::unique_ptr<uint8_t[]> last{new uint8_t[kNumCodes]};
  std::unique_ptr<uint8_t[]> first{new uint8_t[kNumCodes]};
  std::unique_ptr<uint16_t[]> length{new uint16_t[kNumCodes]};
};

Status DecodeImpl(const uint8_t* payload, size_t payload_size, uint64_t original_size,
                  std::vector<uint8_t>* out) {
  if (original_size == 0) {
    if (payload_size != 0) return Corrupt("data present for an empty output");
    return Status::Ok();
  }
  if (original_size > DC_MAX_BYTES_INPUT) {
    return Error(DC_ERR_TOO_LARGE, "lzw: original size larger than DC_MAX_BYTES_INPUT");
  }
  if (payload_size == 0) return Truncated();
  // Codes take at least 9 bits and yield at most kMaxStringLength bytes each.
  const uint64_t max_codes = uint64_t{payload_size} * 8 / kMinBits;
  if (original_size / kMaxStringLength > max_codes) {
    return Corrupt("original size exceeds what the payload can hold");
  }
  const size_t n = static_cast<size_t>(original_size);

  Table t;
  for (uint32_t c = 0; c < 256; ++c) {
    t.last[c] = t.first[c] = static_cast<uint8_t>(c);
    t.length[c] = 1;
    t.prefix[c] = 0;
  }

  // Start with room for a typical ratio and double on demand, so that a false original_size
  // costs memory only in proportion to what the payload really decodes to.
  size_t capacity = static_cast<size_t>(
      std::min<uint64_t>(original_size, uint64_t{payload_size} * 4 + 4096));
  out->resize(capacity);
  uint8_t* o = out->data();
  size_t pos = 0;

  const uint8_t* p = payload;
  const uint8_t* const end = payload + payload_size;
  uint64_t buf = 0;  // bits LSB first; the low `count` bits are accounted for
  int count = 0;

  int width = kMinBits;
  uint32_t step = 0;      // codes read since the start or the last CLEAR
  uint32_t next = kFirstFree - 1;  // entry the next code after `prev` defines (256 + step)
  uint32_t prev = 0;

  while (pos < n) {
    if (end - p >= 8) {
      buf |= LoadLE64(p) << count;
      p += (63 - count) >> 3;
      count |= 56;
    } else {
      while (count <= 56 && p < end) {
        buf |= uint64_t{*p++} << count;
        count += 8;
      }
    }
    if (count < width) return Truncated();
    const uint32_t code = static_cast<uint32_t>(buf & ((1u << width) - 1));
    buf >>= width;
    count -= width;

    uint32_t len;
    if (step == 0) {
      if (code > 255) return Corrupt("first code after a reset is not a byte");
      len = 1;
    } else if (code == kClear) {
      step = 0;
      width = kMinBits;
      next = kFirstFree - 1;
      continue;
    } else {
      // Once the dictionary is full next == kNumCodes, above any 16-bit code.
      if (code > next) return Corrupt("code beyond the next free dictionary entry");
      if (next < kNumCodes) {
        // For code == next (the KwKwK case) the new entry is the string itself, so its first byte
        // is prev's first byte either way once the entry is in place.
        const uint8_t first_byte = code == next ? t.first[prev] : t.first[code];
        t.prefix[next] = static_cast<uint16_t>(prev);
        t.last[next] = first_byte;
        t.first[next] = t.first[prev];
        t.length[next] = static_cast<uint16_t>(t.length[prev] + 1);
      }
      len = t.length[code];
    }

    if (len > n - pos) return Corrupt("output longer than the original size");
    if (len > capacity - pos) {
      capacity = static_cast<size_t>(
          std::min<uint64_t>(n, std::max<uint64_t>(uint64_t{capacity} * 2, uint64_t{pos} + len)));
      out->resize(capacity);
      o = out->data();
    }
    uint8_t* dst = o + pos + len - 1;
    uint32_t c = code;
    while (c > 255) {
      *dst-- = t.last[c];
      c = t.prefix[c];
    }
    *dst = static_cast<uint8_t>(c);
    pos += len;

    prev = code;
    ++step;
    if (next < kNumCodes) next = 256 + step;
    if (256 + step >= (1u << width) && width < kMaxBits) ++width;
  }

  // Only the zero padding of the last byte may remain.
  if (p != end || count >= 8) return Corrupt("trailing data after the last code");
  if (buf != 0) return Corrupt("non-zero padding bits");
  out->resize(n);
  return Status::Ok();
}

}  // namespace

Status LzwDecode(const uint8_t* payload, size_t payload_size, uint64_t original_size,
                 std::vector<uint8_t>* out) {
  return RunByteCodec("lzw", payload, payload_size, UINT64_MAX, out,
                      [&] { return DecodeImpl(payload, payload_size, original_size, out); });
}

}  // namespace dc
