#include "codecs/image_lossless/adm_layout.h"

#include <algorithm>

namespace dc::adm {

Level Downsample(const Level& fine) {
  Level c;
  c.height = CoarseDim(fine.height);
  c.width = CoarseDim(fine.width);
  c.rgb.resize(static_cast<size_t>(c.height) * c.width * 3);
  for (int i = 0; i < c.height; ++i)
    for (int j = 0; j < c.width; ++j)
      for (int ch = 0; ch < 3; ++ch)
        c.rgb[(static_cast<size_t>(i) * c.width + j) * 3 + ch] = fine.at(2 * i, 2 * j, ch);
  return c;
}

void BuildTrunkInput(const Level& level, float* out) {
  const int h = CoarseDim(level.height), w = CoarseDim(level.width);
  const size_t plane = static_cast<size_t>(h) * w;
  for (int ch = 0; ch < 3; ++ch)
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j) out[ch * plane + i * w + j] = Norm(level.at(2 * i, 2 * j, ch));
}

void BuildHeadInput(const Level& level, int stage, float* out, int32_t* predictor) {
  const int H = level.height, W = level.width;
  const int h = CoarseDim(H), w = CoarseDim(W);
  const size_t plane = static_cast<size_t>(h) * w;
  std::fill(out, out + kHeadInputs * plane, 0.0f);
  // Phases revealed so far: the coarse phase and those of earlier stages.
  for (int p = 0; p <= stage; ++p) {
    for (int i = 0; i < h; ++i) {
      const int y = 2 * i + kPhaseDy[p];
      if (y >= H) continue;
      for (int j = 0; j < w; ++j) {
        const int x = 2 * j + kPhaseDx[p];
        if (x >= W) continue;
        for (int ch = 0; ch < 3; ++ch)
          out[(p * 3 + ch) * plane + i * w + j] = Norm(level.at(y, x, ch));
      }
    }
  }
  const auto px = [&level](int y, int x, int c) { return static_cast<int>(level.at(y, x, c)); };
  const int dy = kPhaseDy[stage + 1], dx = kPhaseDx[stage + 1];
  for (int i = 0; i < h; ++i) {
    for (int j = 0; j < w; ++j) {
      const int y = 2 * i + dy, x = 2 * j + dx;
      const bool exists = y < H && x < W;
      for (int ch = 0; ch < 3; ++ch) {
        const int p = exists ? StagePredictor(stage, y, x, ch, H, W, px) : 128;
        predictor[ch * plane + i * w + j] = p;
        out[(12 + ch) * plane + i * w + j] = exists ? Norm(p) : 0.0f;
      }
    }
  }
  for (int i = 0; i < static_cast<int>(plane); ++i) out[(15 + stage) * plane + i] = 1.0f;
}

}  // namespace dc::adm
