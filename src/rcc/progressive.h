// Progressive payloads of the lossy codecs (image-lossy, signal-lossy): a codec header and a
// sequence of step segments, coarse to fine, each with its length, so that any prefix of whole
// segments is a valid smaller payload (fewer diffusion steps decoded). Layout (docs/rcc.md):
//
//   varint header_size, header bytes          the codec's own header
//   { varint segment_size, segment bytes }*   the steps in coding order, to the payload's end
//
// A payload cut inside a segment (or inside a length) is DC_ERR_TRUNCATED, never decoded.
#ifndef DIFFCOMP_RCC_PROGRESSIVE_H_
#define DIFFCOMP_RCC_PROGRESSIVE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace dc::rcc {

struct ByteSpan {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// Starts a payload with the codec header; then AppendSegment once per step.
void BeginProgressive(const uint8_t* header, size_t header_size, std::vector<uint8_t>* payload);
void AppendSegment(const uint8_t* segment, size_t segment_size, std::vector<uint8_t>* payload);

struct ProgressiveView {
  ByteSpan header;
  std::vector<ByteSpan> segments;  // point into the parsed payload
};

// Splits a payload. Untrusted data: every length is checked against what remains.
StatusOr<ProgressiveView> ParseProgressive(const uint8_t* data, size_t size);

// The size of the longest prefix of the payload that ends at a segment boundary and is at most
// max_bytes (the header always stays). DC_ERR_INVALID_ARGUMENT if even the header alone is larger
// than max_bytes; errors of ParseProgressive otherwise.
StatusOr<size_t> CutProgressive(const uint8_t* data, size_t size, size_t max_bytes);

}  // namespace dc::rcc

#endif  // DIFFCOMP_RCC_PROGRESSIVE_H_
