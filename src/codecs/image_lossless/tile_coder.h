// Per-tile plane groups and level pyramids, shared by enc_ and dec_image_lossless.cc.
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSLESS_TILE_CODER_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSLESS_TILE_CODER_H_

#include <cstdint>
#include <vector>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/adm_net.h"

namespace dc::adm {

// A plane group is coded as one recursive pass: RGB (3 coded channels) or a single plane
// (gray, or alpha) replicated into the three network channels (1 coded channel).
struct PlaneGroup {
  int first_plane;  // index of the first image channel of the group
  int coded;        // 3 or 1
  bool alpha;       // alpha planes start with a "constant plane" flag
};
std::vector<PlaneGroup> PlaneGroups(uint32_t channels);

// Level sizes from the tile (index 0) down to 1 x 1.
std::vector<std::pair<int, int>> LevelSizes(int height, int width);

// Scratch buffers of one tile's network passes.
struct NetScratch {
  std::vector<float> trunk_in, feats, head_in, out;
  std::vector<int32_t> pred;
  void Reserve(const NetConfig& cfg, int h, int w);
};

}  // namespace dc::adm

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSLESS_TILE_CODER_H_
