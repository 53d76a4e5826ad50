// The .dfc container, versions 1.0 and 2.0 (docs/format.md). One definition of the header, written and
// parsed here; the parser checks every field against the spec and the library's limits.
#ifndef DIFFCOMP_CONTAINER_CONTAINER_H_
#define DIFFCOMP_CONTAINER_CONTAINER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "container/header.h"
#include "diffcomp/diffcomp.h"

namespace dc::container {

// Whether an original-format id belongs to a content kind (raw: bytes; png/ppm/pgm: images;
// wav/wfdb/csv/raw-s16le/raw-s32le: signals; y4m/raw-i420: video).
bool FormatFitsKind(dc_format f, dc_kind k);

// A version 2.0 container: the header (with h.revision and a CRC-32 of its bytes), the payload,
// then `checksum` (lossless codecs: of the content; lossy codecs: of the payload) and, for lossy
// codecs, h.output_checksum (of the decoded content).
std::vector<uint8_t> Write(const Header& h, const uint8_t* payload, size_t payload_size,
                           uint32_t checksum);
// Bytes of a container around a payload (header and trailer), for rate targets.
uint64_t Overhead(const Header& h);
// Reads a version 1.0 or 2.0 container's header and trailer; checks every field against the
// spec and the limits, and the header checksum of a 2.0 file (DC_ERR_CHECKSUM).
StatusOr<Header> Parse(const uint8_t* data, size_t size);

uint32_t Crc32(const uint8_t* data, size_t size);

}  // namespace dc::container

#endif  // DIFFCOMP_CONTAINER_CONTAINER_H_
