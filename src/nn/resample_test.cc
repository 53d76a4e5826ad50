#include "nn/resample.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "nn/kernels.h"

namespace dc::nn {
namespace {

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = u(g);
  return v;
}

TEST(Resample, PixelShuffleMatchesDefinition) {
  const int c = 3, h = 5, w = 7, r = 2;
  const auto in = Random(static_cast<size_t>(c) * r * r * h * w, 1);
  std::vector<float> out(in.size());
  PixelShuffle(in.data(), c, h, w, r, out.data());
  for (int k = 0; k < c; ++k)
    for (int y = 0; y < h * r; ++y)
      for (int x = 0; x < w * r; ++x) {
        const int src_c = k * r * r + (y % r) * r + (x % r);
        EXPECT_EQ(out[(k * h * r + y) * w * r + x], in[(src_c * h + y / r) * w + x / r]);
      }
}

TEST(Resample, UnshuffleInvertsShuffle) {
  for (int r : {2, 3}) {
    const int c = 4, h = 3, w = 6;
    const auto in = Random(static_cast<size_t>(c) * r * r * h * w, 2 + r);
    std::vector<float> mid(in.size()), back(in.size());
    PixelShuffle(in.data(), c, h, w, r, mid.data());
    PixelUnshuffle(mid.data(), c, h, w, r, back.data());
    EXPECT_EQ(0, std::memcmp(in.data(), back.data(), in.size() * sizeof(float)));
  }
}

// Scalar reference of Conv2d's documented order: bias, then input channel, row, column.
void ScalarConv(const std::vector<float>& in, int cin, int h, int w, const std::vector<float>& wt,
                const std::vector<float>& b, int cout, int k, bool relu, std::vector<float>* out) {
  const int r = k / 2;
  for (int o = 0; o < cout; ++o)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        float acc = b[o];
        for (int i = 0; i < cin; ++i)
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              const int yy = y + ky - r, xx = x + kx - r;
              float v = (yy < 0 || yy >= h || xx < 0 || xx >= w) ? 0.0f : in[(i * h + yy) * w + xx];
              if (relu && v < 0) v = 0;
              acc = acc + wt[((o * cin + i) * k + ky) * k + kx] * v;
            }
        (*out)[(o * h + y) * w + x] = acc;
      }
}

TEST(Resample, ThreadedConvIsBitIdenticalToScalarReference) {
  const int cin = 5, h = 9, w = 13;
  for (int cout : {3, 8, 21, 40}) {
    const auto in = Random(static_cast<size_t>(cin) * h * w, 10 + cout);
    const auto wt = Random(static_cast<size_t>(cout) * cin * 9, 20 + cout);
    const auto b = Random(cout, 30 + cout);
    std::vector<float> ref(static_cast<size_t>(cout) * h * w);
    ScalarConv(in, cin, h, w, wt, b, cout, 3, true, &ref);
    for (int t : {1, 2, 3, 7}) {
      std::vector<float> out(ref.size(), -99.0f);
      Conv2dThreads(in.data(), cin, h, w, wt.data(), b.data(), cout, 3, true, out.data(), t);
      EXPECT_EQ(0, std::memcmp(ref.data(), out.data(), ref.size() * sizeof(float))) << "cout " << cout << " threads " << t;
    }
  }
}

}  // namespace
}  // namespace dc::nn
