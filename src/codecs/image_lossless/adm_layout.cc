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

namespace {
// The 12 planes of the previous level's four phases (shared by trunk and head extras).
void PrevPhases(const Level& prev, int h, int w, float* out) {
  const size_t plane = static_cast<size_t>(h) * w;
  for (int p = 0; p < kPhases; ++p)
    for (int i = 0; i < h; ++i) {
      const int y = 2 * i + kPhaseDy[p];
      for (int j = 0; j < w; ++j) {
        const int x = 2 * j + kPhaseDx[p];
        const bool in = y < prev.height && x < prev.width;
        for (int ch = 0; ch < 3; ++ch) out[(p * 3 + ch) * plane + i * w + j] = in ? Norm(prev.at(y, x, ch)) : 0.0f;
      }
    }
}
}  // namespace

void BuildPrevTrunkInput(const Level* prev, int H, int W, float* out) {
  const int h = CoarseDim(H), w = CoarseDim(W);
  const size_t plane = static_cast<size_t>(h) * w;
  if (!prev) {
    std::fill(out, out + kPrevTrunkInputs * plane, 0.0f);
    return;
  }
  PrevPhases(*prev, h, w, out);
  std::fill(out + 12 * plane, out + 13 * plane, 1.0f);
}

void BuildPrevHeadInput(const Level* prev, int stage, int H, int W, const int32_t* predictor, float* out) {
  const int h = CoarseDim(H), w = CoarseDim(W);
  const size_t plane = static_cast<size_t>(h) * w;
  std::fill(out, out + kPrevHeadInputs * plane, 0.0f);
  if (!prev) return;
  PrevPhases(*prev, h, w, out);
  const auto px = [prev](int y, int x, int c) { return static_cast<int>(prev->at(y, x, c)); };
  const int dy = kPhaseDy[stage + 1], dx = kPhaseDx[stage + 1];
  for (int i = 0; i < h; ++i)
    for (int j = 0; j < w; ++j) {
      const int y = 2 * i + dy, x = 2 * j + dx;
      if (y >= H || x >= W) continue;
      for (int ch = 0; ch < 3; ++ch) {
        const int v = prev->at(y, x, ch);
        const int p = StagePredictor(stage, y, x, ch, H, W, px);
        out[(12 + ch) * plane + i * w + j] = static_cast<float>(v - predictor[ch * plane + i * w + j]) * (1.0f / 127.5f);
        out[(15 + ch) * plane + i * w + j] = static_cast<float>(v - p) * (1.0f / 127.5f);
      }
    }
}

}  // namespace dc::adm
