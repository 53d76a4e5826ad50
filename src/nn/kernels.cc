#include "nn/kernels.h"

#include <algorithm>
#include <vector>

namespace dc::nn {
namespace {

constexpr int kOcBlock = 4;

// Adds wt * row[x + dx] to acc[x] for every x where the shifted index is inside [0, w).
inline void Axpy(float* acc, const float* row, int w, int dx, float wt) {
  const int x0 = std::max(0, -dx), x1 = std::min(w, w - dx);
  for (int x = x0; x < x1; ++x) acc[x] += wt * row[x + dx];
}

}  // namespace

void Conv2d(const float* in, int cin, int h, int w, const float* wt, const float* bias, int cout,
            int k, bool relu_input, float* out) {
  const long plane = static_cast<long>(h) * w;
  std::vector<float> relu_buf;
  if (relu_input) {
    relu_buf.assign(in, in + cin * plane);
    Relu(relu_buf.data(), static_cast<long>(relu_buf.size()));
    in = relu_buf.data();
  }
  const int r = k / 2;
  const int kk = k * k;
  for (int o0 = 0; o0 < cout; o0 += kOcBlock) {
    const int nb = std::min(kOcBlock, cout - o0);
    for (int y = 0; y < h; ++y) {
      float* acc[kOcBlock];
      for (int b = 0; b < nb; ++b) {
        acc[b] = out + (o0 + b) * plane + static_cast<long>(y) * w;
        std::fill(acc[b], acc[b] + w, bias[o0 + b]);
      }
      for (int i = 0; i < cin; ++i) {
        for (int ky = 0; ky < k; ++ky) {
          const int yy = y + ky - r;
          if (yy < 0 || yy >= h) continue;
          const float* row = in + i * plane + static_cast<long>(yy) * w;
          for (int kx = 0; kx < k; ++kx) {
            for (int b = 0; b < nb; ++b) {
              const float wv = wt[((o0 + b) * cin + i) * kk + ky * k + kx];
              Axpy(acc[b], row, w, kx - r, wv);
            }
          }
        }
      }
    }
  }
}

void Relu(float* x, long n) {
  for (long i = 0; i < n; ++i) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void AddInPlace(float* dst, const float* src, long n) {
  for (long i = 0; i < n; ++i) dst[i] += src[i];
}

}  // namespace dc::nn
