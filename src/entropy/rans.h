// rANS entropy coder: 32-bit state, byte-wise renormalisation, per-symbol precision of 1 to 16
// bits. Independent of any model: it codes (start, frequency) pairs against a power-of-two total,
// either given directly (model-driven CDFs) or through quantised CDF tables (cdf_table.h).
//
// The state starts at kRansL and the decoder checks that it ends there with every byte consumed:
// the cheapest detector of an encoder/decoder desync or a corrupt stream.
#ifndef DIFFCOMP_ENTROPY_RANS_H_
#define DIFFCOMP_ENTROPY_RANS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace dc::rans {

constexpr uint32_t kRansL = 1u << 23;  // lower bound of the normalised state
constexpr int kMaxPrecision = 16;

// Records symbols in coding order and writes the stream in reverse at Finish(), so that the
// decoder reads them in the same order.
class Encoder {
 public:
  // Codes an interval [start, start + freq) of a total 2^precision. Requires freq >= 1,
  // start + freq <= 2^precision, 1 <= precision <= 16 (checked with DC_ERR_INTERNAL at Finish).
  void Put(uint32_t start, uint32_t freq, int precision) {
    ops_.push_back({start, freq, static_cast<uint32_t>(precision)});
  }
  // Codes `nbits` (0..16) raw bits, each equiprobable.
  void PutBits(uint32_t value, int nbits) {
    if (nbits > 0) Put(value & ((1u << nbits) - 1), 1, nbits);
  }
  size_t pending() const { return ops_.size(); }
  // Appends the symbols recorded by `other` after this encoder's (a trial coded apart).
  void Append(const Encoder& other) { ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end()); }
  // Appends the coded stream to *out and clears the encoder.
  Status Finish(std::vector<uint8_t>* out);

 private:
  struct Op {
    uint32_t start, freq, precision;
  };
  std::vector<Op> ops_;
};

class Decoder {
 public:
  // The stream is read from data[0, size). Fails with DC_ERR_TRUNCATED if shorter than 4 bytes.
  Status Init(const uint8_t* data, size_t size);
  // The value in [0, 2^precision) that selects the next symbol.
  uint32_t Peek(int precision) const { return state_ & ((1u << precision) - 1); }
  // Consumes the symbol [start, start + freq). The caller found it with Peek(); a stream that
  // needs bytes past its end is DC_ERR_TRUNCATED.
  Status Advance(uint32_t start, uint32_t freq, int precision);
  Status GetBits(int nbits, uint32_t* value);
  // DC_ERR_CORRUPT unless the final state is kRansL and every byte was consumed.
  Status Finish() const;

 private:
  uint32_t state_ = 0;
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
};

}  // namespace dc::rans

#endif  // DIFFCOMP_ENTROPY_RANS_H_
