// The parsed fields of a .dfc container header (docs/format.md). Kept apart from the parser so
// that codecs can fill and read it without depending on the container code.
#ifndef DIFFCOMP_CONTAINER_HEADER_H_
#define DIFFCOMP_CONTAINER_HEADER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "diffcomp/diffcomp.h"

namespace dc::container {

constexpr uint32_t kCoderFlagAdapt = 1;
constexpr int kCoderFlagShift = 13;  // tile_size varint = tile_size | coder_flags << 13

constexpr uint8_t kMagic[4] = {0xDF, 'D', 'F', 'C'};
// Files are written at container version 2.0; version 1.0 files are read as revision 1.
constexpr uint8_t kVersionMajor = 2, kVersionMinor = 0;
constexpr uint8_t kFlagModel = 0x01;
constexpr uint8_t kReservedFlags = 0xFE;

struct Header {
  uint32_t version_major = kVersionMajor, version_minor = kVersionMinor;
  dc_codec codec = DC_CODEC_STORE;
  uint32_t revision = 1;                 // the codec's bitstream revision (1 for version 1.0 files)
  dc_format format = DC_FORMAT_RAW;
  dc_kind kind = DC_KIND_BYTES;
  uint64_t original_size = 0;            // kind bytes
  uint32_t width = 0, height = 0, channels = 0;  // kind image (signals: channels)
  uint64_t frames = 0;                   // kind signal: samples per channel
  uint32_t bit_depth = 0;                // kind signal: significant bits per sample (2..32)
  std::vector<uint8_t> side;             // kind signal: the format layer's side data
  bool has_model = false;
  uint32_t model_id = 0, fingerprint = 0;
  uint32_t tile_size = 0;                // image-lossless, video-lossless parameter
  // image-lossless, video-lossless: coder flags, sent in bits 13 and up of the tile_size varint
  // (so files from before the flags existed read as 0). Bit 0: the online mixture correction
  // (entropy/mixture_adapt.h). Other bits reserved.
  uint32_t coder_flags = 0;
  uint32_t chroma = 0;                   // kind video: 420 or 444 (frames, side as above)
  uint32_t keyint = 0;                   // video-lossless, video-lossy parameter
  // Filled by Parse:
  size_t payload_offset = 0, payload_size = 0;
  uint32_t checksum = 0;         // lossless: CRC-32 of the content; lossy: of the payload
  uint32_t output_checksum = 0;  // lossy codecs, version 2.0: CRC-32 of the decoded content
  bool has_output_checksum = false;
};

constexpr uint64_t kMaxSignalSamples = uint64_t{1} << 30;  // frames x channels
constexpr uint64_t kMaxSideBytes = uint64_t{1} << 24;
constexpr uint64_t kMaxVideoFrames = uint64_t{1} << 20;
constexpr uint64_t kMaxVideoBytes = uint64_t{1} << 40;  // frames x frame bytes
// Bytes of one 8-bit video frame (Y, U, V planes; 4:2:0 chroma of ceil(W/2) x ceil(H/2)).
inline uint64_t VideoFrameBytes(uint64_t w, uint64_t h, uint32_t chroma) {
  return chroma == 444 ? 3 * w * h : w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2);
}

}  // namespace dc::container

#endif  // DIFFCOMP_CONTAINER_HEADER_H_
