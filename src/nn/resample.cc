#include "nn/resample.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "nn/kernels.h"

namespace dc::nn {

void PixelShuffle(const float* in, int c, int h, int w, int r, float* out) {
  const long W = static_cast<long>(w) * r, H = static_cast<long>(h) * r;
  for (int k = 0; k < c; ++k)
    for (int i = 0; i < r; ++i)
      for (int j = 0; j < r; ++j) {
        const float* src = in + (static_cast<long>(k) * r * r + i * r + j) * h * w;
        for (int y = 0; y < h; ++y) {
          float* dst = out + (k * H + static_cast<long>(y) * r + i) * W + j;
          const float* s = src + static_cast<long>(y) * w;
          for (int x = 0; x < w; ++x) dst[static_cast<long>(x) * r] = s[x];
        }
      }
}

void PixelUnshuffle(const float* in, int c, int h, int w, int r, float* out) {
  const long W = static_cast<long>(w) * r, H = static_cast<long>(h) * r;
  for (int k = 0; k < c; ++k)
    for (int i = 0; i < r; ++i)
      for (int j = 0; j < r; ++j) {
        float* dst = out + (static_cast<long>(k) * r * r + i * r + j) * h * w;
        for (int y = 0; y < h; ++y) {
          const float* s = in + (k * H + static_cast<long>(y) * r + i) * W + j;
          float* d = dst + static_cast<long>(y) * w;
          for (int x = 0; x < w; ++x) d[x] = s[static_cast<long>(x) * r];
        }
      }
}

void Conv2dThreads(const float* in, int cin, int h, int w, const float* wt, const float* bias, int cout,
                   int k, bool relu_input, float* out, int threads) {
  // Groups of whole 8-channel blocks (the kernel's register block) keep the work per group even.
  const int blocks = (cout + 7) / 8;
  threads = std::max(1, std::min(threads, blocks));
  if (threads == 1) {
    Conv2d(in, cin, h, w, wt, bias, cout, k, relu_input, out);
    return;
  }
  const long plane = static_cast<long>(h) * w;
  const long wsize = static_cast<long>(cin) * k * k;
  auto run = [&](int g) {
    const int o0 = std::min(cout, blocks * g / threads * 8), o1 = std::min(cout, blocks * (g + 1) / threads * 8);
    if (o1 > o0) Conv2d(in, cin, h, w, wt + o0 * wsize, bias + o0, o1 - o0, k, relu_input, out + o0 * plane);
  };
  std::vector<std::thread> pool;
  for (int g = 1; g < threads; ++g) pool.emplace_back(run, g);
  run(0);
  for (auto& t : pool) t.join();
}

}  // namespace dc::nn
