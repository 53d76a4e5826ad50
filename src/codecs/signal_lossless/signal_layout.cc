#include "codecs/signal_lossless/signal_layout.h"

#include <cmath>
#include <cstdlib>

#include "codecs/signal_lossless/signal_net.h"

namespace dc::sig {

LevelGeom Geometry(uint32_t n, int level) {
  LevelGeom g;
  g.stride = 1u << level;
  const uint64_t s = g.stride;
  g.coarse = n == 0 ? 0 : static_cast<uint32_t>((n - 1) / (2 * s) + 1);
  g.gaps = n > s ? static_cast<uint32_t>((n - 1 - s) / (2 * s) + 1) : 0;
  return g;
}

int TopLevel(uint32_t n) {
  if (n < 2) return -1;
  int l = 0;
  while ((uint64_t{2} << l) < n) ++l;  // largest l with 2^l < n
  return l;
}

void BuildLevel(const int32_t* block, uint32_t channels, uint32_t c, uint32_t n, int level,
                const int64_t* prev_residual, LevelInputs* out) {
  const LevelGeom geo = Geometry(n, level);
  out->geom = geo;
  const uint32_t m = geo.coarse, g = geo.gaps;
  const uint64_t step = uint64_t{2} * geo.stride * channels;
  std::vector<int64_t> y(m);
  for (uint32_t j = 0; j < m; ++j) y[j] = block[j * step + c];
  // Normalisation: k = floor(log2(1 + mean |first difference|)) of the coarse sequence.
  int k = 0;
  if (m >= 2) {
    uint64_t sum = 0;
    for (uint32_t j = 1; j < m; ++j) sum += static_cast<uint64_t>(std::llabs(y[j] - y[j - 1]));
    uint64_t mean = sum / (m - 1) + 1;
    while (mean > 1) {
      mean >>= 1;
      ++k;
    }
  } else {
    uint64_t a = static_cast<uint64_t>(std::llabs(y[0])) + 1;
    while (a > 1) {
      a >>= 1;
      ++k;
    }
  }
  out->k = k;
  out->trunk.assign(static_cast<size_t>(kTrunkInputs) * m, 0.0f);
  float* d = out->trunk.data();
  for (uint32_t j = 1; j < m; ++j) d[j] = std::ldexp(static_cast<float>(y[j] - y[j - 1]), -k);
  for (uint32_t j = 0; j < m; ++j) {
    d[m + j] = static_cast<float>(level) / 8.0f;
    d[2 * m + j] = static_cast<float>(k) / 8.0f;
  }
  // Predictor: 4-tap cubic interpolation (-1, 9, 9, -1) / 16 where all four coarse neighbours
  // exist, the mean of the two inner ones at the edges, the left one past the last.
  out->pred.resize(g);
  out->gap.assign(static_cast<size_t>(kGapInputs) * g, 0.0f);
  float* gi = out->gap.data();
  for (uint32_t j = 0; j < g; ++j) {
    const bool right = j + 1 < m;
    int64_t p;
    if (right && j >= 1 && j + 2 < m)
      p = (-y[j - 1] + 9 * y[j] + 9 * y[j + 1] - y[j + 2] + 8) >> 4;
    else if (right)
      p = (y[j] + y[j + 1] + 1) >> 1;
    else
      p = y[j];
    out->pred[j] = p;
    if (prev_residual) {
      gi[j] = std::ldexp(static_cast<float>(prev_residual[j]), -k);
      gi[g + j] = 1.0f;
    }
    gi[2 * g + j] = right ? 1.0f : 0.0f;
  }
}

}  // namespace dc::sig
