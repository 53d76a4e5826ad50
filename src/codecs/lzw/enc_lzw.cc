// LZW encoder: a hash table maps (string code, next byte) to the code of the extended string.
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
using lzw_internal::kMinBits;
using lzw_internal::kNumCodes;

// Once the dictionary is full the ratio is checked every kCheckGap input bytes, as compress(1)
// does; shorter gaps react faster but clear on noise.
constexpr uint64_t kCheckGap = 10000;

class LsbWriter {
 public:
  explicit LsbWriter(std::vector<uint8_t>* out) : out_(out) {}
  void Put(uint32_t code, int bits) {
    acc_ |= uint64_t{code} << count_;
    count_ += bits;
    while (count_ >= 8) {
      out_->push_back(static_cast<uint8_t>(acc_));
      acc_ >>= 8;
      count_ -= 8;
    }
    total_bits_ += static_cast<uint64_t>(bits);
  }
  void Flush() {
    if (count_ > 0) out_->push_back(static_cast<uint8_t>(acc_));
    acc_ = 0;
    count_ = 0;
  }
  uint64_t total_bits() const { return total_bits_; }

 private:
  std::vector<uint8_t>* out_;
  uint64_t acc_ = 0;
  int count_ = 0;
  uint64_t total_bits_ = 0;
};

// Open addressing with linear probing; at most 65279 keys in 2^18 slots keeps probes short.
class Dictionary {
 public:
  static constexpr int kHashBits = 18;
  Dictionary() : keys_(new uint32_t[kSlots]), codes_(new uint16_t[kSlots]) { Clear(); }
  void Clear() { std::fill(keys_.get(), keys_.get() + kSlots, 0u); }
  // Key = prefix code << 8 | byte, stored + 1 so that 0 means empty. Returns the slot where the
  // key is or would go.
  uint32_t Find(uint32_t key, bool* found) const {
    const uint32_t stored = key + 1;
    uint32_t slot = (key * 2654435761u) >> (32 - kHashBits);
    while (true) {
      const uint32_t k = keys_[slot];
      if (k == stored) {
        *found = true;
        return slot;
      }
      if (k == 0) {
        *found = false;
        return slot;
      }
      slot = (slot + 1) & (kSlots - 1);
    }
  }
  uint32_t CodeAt(uint32_t slot) const { return codes_[slot]; }
  void Insert(uint32_t slot, uint32_t key, uint32_t code) {
    keys_[slot] = key + 1;
    codes_[slot] = static_cast<uint16_t>(code);
  }

 private:
  static constexpr uint32_t kSlots = 1u << kHashBits;
  std::unique_ptr<uint32_t[]> keys_;
  std::unique_ptr<uint16_t[]> codes_;
};

Status EncodeImpl(const uint8_t* data, size_t size, std::vector<uint8_t>* out) {
  out->clear();
  if (size == 0) return Status::Ok();
  out->reserve(size / 2 + 16);

  Dictionary dict;
  LsbWriter w(out);
  uint32_t next = kFirstFree;
  int width = kMinBits;
  uint32_t step = 0;  // codes written since the start or the last CLEAR
  // Ratio in/out in 1/2^19 units (out counted in bits), over the whole stream as in compress(1):
  // a drop means the frozen dictionary no longer fits the data.
  uint64_t best_ratio = 0;
  uint64_t checkpoint = kCheckGap;

  auto emit = [&](uint32_t code) {
    w.Put(code, width);
    ++step;
    if (256 + step >= (1u << width) && width < kMaxBits) ++width;
  };

  uint32_t cur = data[0];
  for (size_t i = 1; i < size; ++i) {
    const uint8_t c = data[i];
    const uint32_t key = (cur << 8) | c;
    bool found = false;
    const uint32_t slot = dict.Find(key, &found);
    if (found) {
      cur = dict.CodeAt(slot);
      continue;
    }
    emit(cur);
    if (next < kNumCodes) {
      dict.Insert(slot, key, next++);
    } else if (i >= checkpoint) {
      checkpoint = i + kCheckGap;
      const uint64_t ratio = (uint64_t{i} << 19) / w.total_bits();
      if (ratio > best_ratio) {
        best_ratio = ratio;
      } else {
        emit(kClear);
        dict.Clear();
        next = kFirstFree;
        width = kMinBits;
        step = 0;
        best_ratio = 0;
      }
    }
    cur = c;
  }
  emit(cur);
  w.Flush();
  return Status::Ok();
}

}  // namespace

Status LzwEncode(const uint8_t* data, size_t size, std::vector<uint8_t>* out) {
  return RunByteCodec("lzw", data, size, DC_MAX_BYTES_INPUT, out, [&] { return EncodeImpl(data, size, out); });
}

}  // namespace dc
