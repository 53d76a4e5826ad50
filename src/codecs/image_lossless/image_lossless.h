// The lossless image codec: tiles, plane groups and the stage loop around AdmNet and rANS.
// Payload layout: docs/codecs/image-lossless.md.
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSLESS_IMAGE_LOSSLESS_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSLESS_IMAGE_LOSSLESS_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "codecs/image_lossless/adm_net.h"
#include "common/status.h"

namespace dc::adm {

// Bitstream revisions of the payload (docs/codecs/image-lossless.md). A file once written decodes
// forever: the decoder must be told the file's revision (the container records it).
//   1: network mixtures (+ the online mixture correction when CodecOptions::adapt).
//   2: revision 1 plus the neighbour colour model learned per tile (match_model.h).
constexpr int kRevision1 = 1;
constexpr int kRevision2 = 2;
constexpr int kLatestRevision = kRevision2;

constexpr uint32_t kDefaultTileSize = 256;
constexpr uint32_t kMinTileSize = 16;
constexpr uint32_t kMaxTileSize = 4096;

struct ImageView {
  const uint8_t* pixels = nullptr;  // interleaved, row-major
  uint32_t width = 0, height = 0, channels = 0;
};

struct CodecOptions {
  int threads = 1;
  uint32_t tile_size = kDefaultTileSize;
  // Online mixture correction (entropy/mixture_adapt.h); part of the bitstream, recorded in the
  // container's coder flags. Off only to read files made before it existed (and in tests).
  bool adapt = true;
  // Which bitstream revision to write (encoder) or read (decoder): kRevision1 or kRevision2.
  int revision = kLatestRevision;
  std::function<void(uint64_t done, uint64_t total)> progress;  // called on the calling thread
};

struct EncodeStats {
  double model_bits = 0;  // sum of -log2 p of the quantised CDFs actually used
  double model_nll_bits = 0;  // the float model's NLL (training's measure), raw base bits included
  double level_nll_bits[24] = {};  // per pyramid level (0 = tile resolution); base in the coarsest
  double stage_nll_bits[3] = {};
};

// Tile geometry shared by both sides.
struct TileGrid {
  uint32_t tile, cols, rows;
  TileGrid(uint32_t width, uint32_t height, uint32_t tile_size)
      : tile(tile_size), cols((width + tile_size - 1) / tile_size), rows((height + tile_size - 1) / tile_size) {}
  uint64_t count() const { return uint64_t{cols} * rows; }
};

Status EncodeImage(const AdmNet& net, const ImageView& img, const CodecOptions& opt,
                   std::vector<uint8_t>* payload, EncodeStats* stats);

// Decodes into out (width * height * channels bytes, preallocated).
Status DecodeImage(const AdmNet& net, const uint8_t* payload, size_t size, uint32_t width,
                   uint32_t height, uint32_t channels, const CodecOptions& opt, uint8_t* out);

}  // namespace dc::adm

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSLESS_IMAGE_LOSSLESS_H_
