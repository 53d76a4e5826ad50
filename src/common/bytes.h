// Bounds-checked little-endian byte reading and writing, and LEB128 varints.
#ifndef DIFFCOMP_COMMON_BYTES_H_
#define DIFFCOMP_COMMON_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace dc {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(v); }
  void U16(uint16_t v) { U8(v & 0xFF); U8(v >> 8); }
  void U32(uint32_t v) { for (int i = 0; i < 4; ++i) U8((v >> (8 * i)) & 0xFF); }
  void U64(uint64_t v) { for (int i = 0; i < 8; ++i) U8((v >> (8 * i)) & 0xFF); }
  void Varint(uint64_t v) {
    while (v >= 0x80) { U8(static_cast<uint8_t>(v | 0x80)); v >>= 7; }
    U8(static_cast<uint8_t>(v));
  }
  void Bytes(const uint8_t* p, size_t n) { out_->insert(out_->end(), p, p + n); }
  size_t size() const { return out_->size(); }

 private:
  std::vector<uint8_t>* out_;
};

// Every read checks the remaining length; a short read yields DC_ERR_TRUNCATED.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* pos() const { return p_; }

  Status U8(uint8_t* v) {
    if (remaining() < 1) return Truncated();
    *v = *p_++;
    return Status::Ok();
  }
  Status U16(uint16_t* v) {
    if (remaining() < 2) return Truncated();
    *v = static_cast<uint16_t>(p_[0] | (p_[1] << 8));
    p_ += 2;
    return Status::Ok();
  }
  Status U32(uint32_t* v) {
    if (remaining() < 4) return Truncated();
    *v = 0;
    for (int i = 0; i < 4; ++i) *v |= static_cast<uint32_t>(p_[i]) << (8 * i);
    p_ += 4;
    return Status::Ok();
  }
  Status U64(uint64_t* v) {
    if (remaining() < 8) return Truncated();
    *v = 0;
    for (int i = 0; i < 8; ++i) *v |= static_cast<uint64_t>(p_[i]) << (8 * i);
    p_ += 8;
    return Status::Ok();
  }
  // LEB128, at most 10 bytes; overlong or overflowing encodings are DC_ERR_CORRUPT.
  Status Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b;
      RETURN_IF_ERROR(U8(&b));
      if (shift == 63 && b > 1) return Error(DC_ERR_CORRUPT, "varint overflows 64 bits");
      r |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) { *v = r; return Status::Ok(); }
    }
    return Error(DC_ERR_CORRUPT, "varint too long");
  }
  Status Bytes(size_t n, const uint8_t** out) {
    if (remaining() < n) return Truncated();
    *out = p_;
    p_ += n;
    return Status::Ok();
  }

 private:
  static Status Truncated() { return Error(DC_ERR_TRUNCATED, "data ends early"); }
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace dc

#endif  // DIFFCOMP_COMMON_BYTES_H_
