#include "entropy/rans.h"

#include <algorithm>

namespace dc::rans {

Status Encoder::Finish(std::vector<uint8_t>* out) {
  // Bytes come out last-first; collect them reversed, then flip.
  std::vector<uint8_t> rev;
  rev.reserve(ops_.size() / 2 + 16);
  uint32_t x = kRansL;
  for (size_t i = ops_.size(); i-- > 0;) {
    const Op& op = ops_[i];
    if (op.precision < 1 || op.precision > kMaxPrecision || op.freq == 0 ||
        op.start + op.freq > (1u << op.precision)) {
      ops_.clear();
      return Error(DC_ERR_INTERNAL, "rANS: invalid symbol interval");
    }
    // Renormalise so that x stays below 2^31 after the update.
    const uint32_t x_max = ((kRansL >> op.precision) << 8) * op.freq;
    while (x >= x_max) {
      rev.push_back(static_cast<uint8_t>(x & 0xFF));
      x >>= 8;
    }
    x = ((x / op.freq) << op.precision) + (x % op.freq) + op.start;
  }
  for (int i = 0; i < 4; ++i) {
    rev.push_back(static_cast<uint8_t>(x & 0xFF));
    x >>= 8;
  }
  ops_.clear();
  out->insert(out->end(), rev.rbegin(), rev.rend());
  return Status::Ok();
}

Status Decoder::Init(const uint8_t* data, size_t size) {
  if (size < 4) return Error(DC_ERR_TRUNCATED, "rANS stream shorter than its state");
  // The encoder's last bytes out were the state's low bytes; after reversal the state's most
  // significant byte comes first.
  state_ = (uint32_t{data[0]} << 24) | (uint32_t{data[1]} << 16) | (uint32_t{data[2]} << 8) | data[3];
  p_ = data + 4;
  end_ = data + size;
  if (state_ < kRansL) return Error(DC_ERR_CORRUPT, "rANS initial state out of range");
  return Status::Ok();
}

Status Decoder::Advance(uint32_t start, uint32_t freq, int precision) {
  state_ = freq * (state_ >> precision) + (state_ & ((1u << precision) - 1)) - start;
  while (state_ < kRansL) {
    if (p_ == end_) return Error(DC_ERR_TRUNCATED, "rANS stream ends early");
    state_ = (state_ << 8) | *p_++;
  }
  return Status::Ok();
}

Status Decoder::GetBits(int nbits, uint32_t* value) {
  if (nbits == 0) {
    *value = 0;
    return Status::Ok();
  }
  *value = Peek(nbits);
  return Advance(*value, 1, nbits);
}

Status Decoder::Finish() const {
  if (state_ != kRansL || p_ != end_) return Error(DC_ERR_CORRUPT, "rANS stream did not end cleanly (corrupt data or model mismatch)");
  return Status::Ok();
}

}  // namespace dc::rans
