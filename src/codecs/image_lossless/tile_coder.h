// Per-tile plane groups and level pyramids, shared by enc_ and dec_image_lossless.cc.
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSLESS_TILE_CODER_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSLESS_TILE_CODER_H_

#include <cstdint>
#include <vector>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/adm_net.h"
#include "codecs/image_lossless/mixture.h"
#include "common/status.h"

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

// Runs one level's network passes (trunk once, then a head per stage) and visits every
// sub-pixel the stages reveal, in coding order (stage, grid raster, channel). For each, `fn(st,
// px, c, d)` gets the stage, the level pixel being revealed (3 bytes; the decoder writes it, and
// the next stage's inputs read it), the channel and its distribution. fn returns the channel's
// value (the encoder reads it, the decoder decodes it) or an error. `coded` is 3 (RGB) or 1 (the
// value is then replicated into the three channels, as the network expects).
template <typename Fn>
Status CodeLevel(const AdmNet& net, Level* cur, int coded, NetScratch* s, Fn&& fn) {
  const int H = cur->height, W = cur->width, h = CoarseDim(H), w = CoarseDim(W);
  const long plane = static_cast<long>(h) * w;
  const int K = net.config().mixtures;
  s->Reserve(net.config(), h, w);
  BuildTrunkInput(*cur, s->trunk_in.data());
  net.Trunk(s->trunk_in.data(), h, w, s->feats.data());
  for (int st = 0; st < kStages; ++st) {
    BuildHeadInput(*cur, st, s->head_in.data(), s->pred.data());
    net.Head(s->head_in.data(), s->feats.data(), h, w, s->out.data());
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j) {
        if (!StageTargetExists(st, i, j, H, W)) continue;
        const long cell = static_cast<long>(i) * w + j;
        const int y = 2 * i + kPhaseDy[st + 1], x = 2 * j + kPhaseDx[st + 1];
        const int32_t pred[3] = {s->pred[cell], s->pred[plane + cell], s->pred[2 * plane + cell]};
        int32_t residual[3] = {0, 0, 0};
        uint8_t* px = &cur->rgb[(static_cast<size_t>(y) * W + x) * 3];
        for (int c = 0; c < coded; ++c) {
          ChannelDist d;
          MakeChannelDist(s->out.data() + cell, plane, K, c, pred, residual, &d);
          int v = 0;
          RETURN_IF_ERROR(fn(st, px, c, d, &v));
          px[c] = static_cast<uint8_t>(v);
          residual[c] = v - pred[c];
        }
        if (coded == 1) px[1] = px[2] = px[0];
      }
  }
  return Status::Ok();
}

}  // namespace dc::adm

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSLESS_TILE_CODER_H_
