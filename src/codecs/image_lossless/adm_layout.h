// The stage layout of the lossless image codec (shared by encoder, decoder and training).
//
// An absorbing-state diffusion in the sense of ADM (Hoogeboom et al. 2022), run in reverse:
// the image is revealed level by level, coarse to fine. Level l+1 is the (0,0) phase of level l
// (every second row and column). Given level l+1 (the "coarse grid", h x w = ceil(H/2) x
// ceil(W/2)), the other three phases of level l are revealed in three stages:
//   stage 0: phase (1,1)   stage 1: phase (0,1)   stage 2: phase (1,0)
// Positions of a phase that fall outside the level's H x W are absent and never coded.
// Each stage is one network pass on the coarse grid (see adm_net.h); its inputs are built here,
// identically for training and coding, from 8-bit pixels only.
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSLESS_ADM_LAYOUT_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSLESS_ADM_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dc::adm {

constexpr int kStages = 3;
constexpr int kPhases = 4;
// Phase offsets (dy, dx): index 0 = (0,0) coarse; then stage s reveals phase s+1.
constexpr int kPhaseDy[kPhases] = {0, 1, 0, 1};
constexpr int kPhaseDx[kPhases] = {0, 1, 1, 0};
// Planes the trunk sees: the coarse phase, 3 channels.
constexpr int kTrunkInputs = 3;
// Planes a stage head sees: 4 phases x 3 channels (0 where unrevealed or absent), the
// predictor of the target phase (3), the stage one-hot (3).
constexpr int kHeadInputs = 4 * 3 + 3 + kStages;

// Video (the previous decoded frame as extra planes, appended after the image planes; all zero
// when there is no previous frame, e.g. at a keyframe). `prev` is the previous frame's level of
// the same size as the level being coded, co-located.
// Trunk: the previous level's 4 phases x 3 channels at each coarse cell (phase order as above,
// 0 where a phase position is outside the level), then a plane of 1 (0 without a previous frame).
constexpr int kPrevTrunkInputs = 4 * 3 + 1;
// Head: the same 4 x 3 planes, then at the stage's target position the previous frame's value
// minus the current frame's stage predictor ((prev - predictor) / 127.5, 3 planes: the mean
// offset that continues a static scene), then the previous frame's residual from its own stage
// predictor ((prev - predictor(prev)) / 127.5, 3 planes). Zero at absent targets.
constexpr int kPrevHeadInputs = 4 * 3 + 3 + 3;

// One 8-bit level with 3 channels (gray is replicated to 3 by the caller), interleaved.
struct Level {
  int height = 0, width = 0;
  std::vector<uint8_t> rgb;  // height * width * 3
  uint8_t at(int y, int x, int c) const { return rgb[(static_cast<size_t>(y) * width + x) * 3 + c]; }
};

inline int CoarseDim(int d) { return (d + 1) / 2; }

// Level l+1 from level l: every second pixel, starting at (0,0).
Level Downsample(const Level& fine);

// Whether the target position of stage s at grid cell (i, j) exists in a level of size H x W.
inline bool StageTargetExists(int stage, int i, int j, int H, int W) {
  return 2 * i + kPhaseDy[stage + 1] < H && 2 * j + kPhaseDx[stage + 1] < W;
}

// Integer interpolation predictor of stage s at full-resolution position (y, x): the rounded
// mean of the available revealed neighbours (diagonal for stage 0, 4-neighbourhood otherwise).
// `px(y, x, c)` reads a revealed pixel. Always has at least one neighbour.
template <typename PixelFn>
inline int StagePredictor(int stage, int y, int x, int c, int H, int W, PixelFn px) {
  static constexpr int kDiag[4][2] = {{-1, -1}, {-1, 1}, {1, -1}, {1, 1}};
  static constexpr int kCross[4][2] = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
  const int(*nb)[2] = stage == 0 ? kDiag : kCross;
  int sum = 0, n = 0;
  for (int k = 0; k < 4; ++k) {
    const int yy = y + nb[k][0], xx = x + nb[k][1];
    if (yy < 0 || xx < 0 || yy >= H || xx >= W) continue;
    sum += px(yy, xx, c);
    ++n;
  }
  return (2 * sum + n) / (2 * n);  // round half up; n in 1..4
}

// Normalises a pixel value to the network's input range [-1, 1].
inline float Norm(int v) { return static_cast<float>(v) * (1.0f / 127.5f) - 1.0f; }

// Fills the trunk input, CHW float planes of size kTrunkInputs x h x w (h, w: coarse dims).
void BuildTrunkInput(const Level& level, float* out);

// Fills a stage head's input, CHW kHeadInputs x h x w, and the integer predictor of every target
// (3 x h x w, CHW; value for absent targets unspecified). `level` holds the true pixels; only
// what is revealed before `stage` is read.
void BuildHeadInput(const Level& level, int stage, float* out, int32_t* predictor);

// Fills the kPrevTrunkInputs extra trunk planes (h x w: coarse dims of a level of H x W) from
// prev (H x W, or null: all zero).
void BuildPrevTrunkInput(const Level* prev, int H, int W, float* out);
// Fills the kPrevHeadInputs extra planes of stage `stage` (prev as above); `predictor` is the
// current frame's integer predictor of the stage as BuildHeadInput returns it.
void BuildPrevHeadInput(const Level* prev, int stage, int H, int W, const int32_t* predictor, float* out);

}  // namespace dc::adm

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSLESS_ADM_LAYOUT_H_
