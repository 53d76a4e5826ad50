// LZW in the manner of Unix compress(1) (codec DC_CODEC_LZW).
//
// Payload format (the container stores original_size):
//   original_size == 0:  empty payload.
//   otherwise:           a sequence of codes, packed LSB first (the first code starts at bit 0 of
//                        the first byte), zero-padded to a whole byte.
//
// Codes 0..255 are the single bytes, 256 is CLEAR, 257..65535 are dictionary strings, assigned
// in order: after each code except the first, the decoder adds "previous string + first byte of
// this string" until code 65535 is used. The width of the k-th code after the start or after a
// CLEAR (k = 0, 1, ...) is the number of bits of min(256 + k, 65535), at least 9: exactly what
// the largest code legal at that point needs. A code equal to the entry about to be added (the
// KwKwK case) is legal; anything larger is DC_ERR_CORRUPT. The first code after the start or a
// CLEAR must be a single byte.
//
// Unlike compress(1) there is no magic header and no padding of code groups when the width
// changes; the dictionary policy is the same: once the dictionary is full, the encoder keeps it
// while the compression ratio keeps improving and emits CLEAR when it drops.
//
// The decoder stops when original_size bytes are produced; what may follow is at most the zero
// padding of the last byte. Output longer than original_size, non-zero padding and trailing
// bytes are DC_ERR_CORRUPT; a stream that ends early is DC_ERR_TRUNCATED.
#ifndef DIFFCOMP_CODECS_LZW_LZW_H_
#define DIFFCOMP_CODECS_LZW_LZW_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace dc {

// Replaces *out with the payload. size may be 0. Inputs over DC_MAX_BYTES_INPUT are
// DC_ERR_TOO_LARGE.
Status LzwEncode(const uint8_t* data, size_t size, std::vector<uint8_t>* out);

// Replaces *out with the original_size decoded bytes; on error *out is left empty. Memory grows
// with the output actually produced, never beyond original_size.
Status LzwDecode(const uint8_t* payload, size_t payload_size, uint64_t original_size,
                 std::vector<uint8_t>* out);

namespace lzw_internal {

constexpr uint32_t kClear = 256;
constexpr uint32_t kFirstFree = 257;
constexpr uint32_t kNumCodes = 1u << 16;
constexpr int kMinBits = 9;
constexpr int kMaxBits = 16;
// Longest possible string: code 256 + j holds at most j + 1 bytes.
constexpr uint32_t kMaxStringLength = kNumCodes - 256;

}  // namespace lzw_internal
}  // namespace dc

#endif  // DIFFCOMP_CODECS_LZW_LZW_H_
