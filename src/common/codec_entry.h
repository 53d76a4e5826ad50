// The shared entry-point discipline of the byte codecs (huffman, lzw): argument checks,
// std::bad_alloc turned into DC_ERR_OUT_OF_MEMORY, and *out left empty after any error.
#ifndef DIFFCOMP_COMMON_CODEC_ENTRY_H_
#define DIFFCOMP_COMMON_CODEC_ENTRY_H_

#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "common/status.h"

namespace dc {

// Runs impl() for the codec `name` on in[0, in_size); max_in bounds in_size (encoders pass
// DC_MAX_BYTES_INPUT, decoders their own limit or UINT64_MAX).
template <typename Impl>
Status RunByteCodec(const char* name, const uint8_t* in, size_t in_size, uint64_t max_in,
                    std::vector<uint8_t>* out, Impl&& impl) {
  if (out == nullptr || (in == nullptr && in_size != 0))
    return Error(DC_ERR_INVALID_ARGUMENT, std::string(name) + ": null buffer");
  out->clear();
  if (uint64_t{in_size} > max_in)
    return Error(DC_ERR_TOO_LARGE, std::string(name) + ": input larger than DC_MAX_BYTES_INPUT");
  Status st;
  try {
    st = impl();
  } catch (const std::bad_alloc&) {
    st = Error(DC_ERR_OUT_OF_MEMORY, std::string(name) + ": out of memory");
  }
  if (!st.ok()) {
    out->clear();
    out->shrink_to_fit();
  }
  return st;
}

}  // namespace dc

#endif  // DIFFCOMP_COMMON_CODEC_ENTRY_H_
