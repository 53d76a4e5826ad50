// Canonical order-0 Huffman coding of bytes (codec DC_CODEC_HUFFMAN).
//
// Payload format. The container stores original_size; the payload repeats it because otherwise a
// size one too large could be "decoded" from zero padding bits, and a decoder must catch that.
//
//   original_size == 0:  empty payload.
//   otherwise:           varint   symbol count (LEB128, must equal original_size)
//                        table    code lengths, bit stream, zero-padded to a whole byte
//                        symbols  canonical codes, bit stream, zero-padded to a whole byte
//
// Bit streams are MSB first: the first bit is bit 7 of the first byte, and a code or extra-bits
// field is written most significant bit first.
//
// Table: the 256 code lengths (0 = symbol absent, else 1..15) are run-length coded with the
// alphabet 0..15 (a literal length), 16 (repeat the previous length 3..6 times, 2 extra bits),
// 17 (3..10 zeros, 3 extra bits), 18 (11..138 zeros, 7 extra bits), and those run-length symbols
// are themselves Huffman coded:
//   4 bits        k - 4, where k (4..19) is the number of code-length-code lengths that follow
//   k x 3 bits    lengths (0..7) of the run-length symbols, in the order of kClOrder; the rest 0
//   ...           run-length symbols with their extra bits until 256 lengths are defined
//                 (a run may not cross symbol 255; 16 needs a previous length)
// Both codes must be complete (Kraft sum exactly 1). The one exception: a code with a single
// symbol gives it length 1 (code "0"), and the other codeword "1" is then invalid.
//
// Symbols: each byte costs at least one bit, so a payload of B bytes can hold at most 8*B symbols;
// the decoder rejects a larger original_size before allocating anything. A constant input is coded
// at one bit per byte (that is what order-0 Huffman can do; the container can pick another codec).
// The decoder accepts exactly what the encoder can produce: trailing bytes, non-zero padding bits
// and a count different from original_size are all DC_ERR_CORRUPT; data that ends early is
// DC_ERR_TRUNCATED.
#ifndef DIFFCOMP_CODECS_HUFFMAN_HUFFMAN_H_
#define DIFFCOMP_CODECS_HUFFMAN_HUFFMAN_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace dc {

// Replaces *out with the payload. size may be 0. Inputs over DC_MAX_BYTES_INPUT are
// DC_ERR_TOO_LARGE.
Status HuffmanEncode(const uint8_t* data, size_t size, std::vector<uint8_t>* out);

// Replaces *out with the original_size decoded bytes; on error *out is left empty.
Status HuffmanDecode(const uint8_t* payload, size_t payload_size, uint64_t original_size,
                     std::vector<uint8_t>* out);

namespace huffman_internal {

constexpr int kMaxCodeLength = 15;
constexpr int kMaxClCodeLength = 7;
constexpr int kNumClSymbols = 19;
// Transmission order of the code-length-code lengths: the symbols most often used first, so that
// the zero tail can be cut off.
constexpr uint8_t kClOrder[kNumClSymbols] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
                                             11, 4, 12, 3, 13, 2, 14, 1, 15};

// Optimal code lengths under a maximum length (package-merge). Symbols with frequency 0 get
// length 0; a single used symbol gets length 1. For two or more used symbols the code is
// complete. Returns false (and leaves lengths undefined) if more than 2^max_len symbols are used
// or max_len is outside 1..30.
bool LengthLimitedCodeLengths(const uint64_t* freqs, int num_symbols, int max_len,
                              uint8_t* lengths);

// Canonical codes (right-aligned, MSB first) for the given lengths: shorter codes first, equal
// lengths in symbol order. lengths must satisfy the Kraft inequality and be <= kMaxCodeLength.
inline void CanonicalCodes(const uint8_t* lengths, int num_symbols, uint16_t* codes) {
  int count[kMaxCodeLength + 1] = {0};
  for (int s = 0; s < num_symbols; ++s) ++count[lengths[s]];
  count[0] = 0;
  uint32_t next[kMaxCodeLength + 2] = {0};
  uint32_t code = 0;
  for (int len = 1; len <= kMaxCodeLength; ++len) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
  }
  for (int s = 0; s < num_symbols; ++s) {
    codes[s] = lengths[s] ? static_cast<uint16_t>(next[lengths[s]]++) : 0;
  }
}

}  // namespace huffman_internal
}  // namespace dc

#endif  // DIFFCOMP_CODECS_HUFFMAN_HUFFMAN_H_
