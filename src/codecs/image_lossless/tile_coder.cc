#include "codecs/image_lossless/tile_coder.h"

namespace dc::adm {

std::vector<PlaneGroup> PlaneGroups(uint32_t channels) {
  switch (channels) {
    case 1: return {{0, 1, false}};
    case 3: return {{0, 3, false}};
    case 4: return {{0, 3, false}, {3, 1, true}};
    default: return {};
  }
}

std::vector<std::pair<int, int>> LevelSizes(int height, int width) {
  std::vector<std::pair<int, int>> s{{height, width}};
  while (s.back().first > 1 || s.back().second > 1)
    s.push_back({CoarseDim(s.back().first), CoarseDim(s.back().second)});
  return s;
}

void NetScratch::Reserve(const NetConfig& cfg, int h, int w) {
  const size_t plane = static_cast<size_t>(h) * w;
  trunk_in.resize(static_cast<size_t>(cfg.trunk_inputs()) * plane);
  feats.resize(static_cast<size_t>(cfg.features) * plane);
  head_in.resize(static_cast<size_t>(cfg.head_inputs()) * plane);
  out.resize(static_cast<size_t>(cfg.outputs()) * plane);
  pred.resize(3 * plane);
}

}  // namespace dc::adm
