// Conv1d: the vectorised path equals a plain scalar loop in the contract's order, bit for bit.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "nn/kernels.h"

namespace dc::nn {
namespace {

std::vector<float> Reference1d(const std::vector<float>& in, int cin, int n, const std::vector<float>& wt,
                               const std::vector<float>& b, int cout, int k, int pad, int out_n, bool relu) {
  std::vector<float> out(static_cast<size_t>(cout) * out_n);
  for (int o = 0; o < cout; ++o)
    for (int x = 0; x < out_n; ++x) {
      float acc = b[o];
      for (int i = 0; i < cin; ++i)
        for (int t = 0; t < k; ++t) {
          const int s = x + t - pad;
          float v = (s >= 0 && s < n) ? in[static_cast<size_t>(i) * n + s] : 0.0f;
          if (relu && v < 0.0f) v = 0.0f;
          const float prod = wt[(static_cast<size_t>(o) * cin + i) * k + t] * v;
          acc = acc + prod;
        }
      out[static_cast<size_t>(o) * out_n + x] = acc;
    }
  return out;
}

TEST(Kernels, Conv1dMatchesScalarReferenceBitForBit) {
  std::mt19937 rng(7);
  std::normal_distribution<float> g(0.0f, 1.0f);
  struct Case { int cin, n, cout, k, pad, out_n; bool relu; };
  const Case cases[] = {{3, 1, 5, 3, 1, 1, false}, {4, 17, 9, 3, 1, 17, true}, {16, 64, 16, 2, 0, 64, true},
                        {16, 63, 16, 2, 0, 62, false}, {3, 9, 12, 1, 0, 9, false}, {1, 100, 8, 3, 1, 100, true},
                        {7, 5, 3, 3, 2, 9, true},       {3, 40, 6, 16, 7, 39, false}, {2, 9, 9, 16, 7, 9, false},
                        {3, 30, 5, 7, 3, 30, true}};
  for (const Case& c : cases) {
    std::vector<float> in(static_cast<size_t>(c.cin) * c.n), wt(static_cast<size_t>(c.cout) * c.cin * c.k), b(c.cout);
    for (auto& v : in) v = g(rng);
    for (auto& v : wt) v = g(rng) * 0.3f;
    for (auto& v : b) v = g(rng);
    std::vector<float> out(static_cast<size_t>(c.cout) * c.out_n, -1.0f);
    Conv1d(in.data(), c.cin, c.n, wt.data(), b.data(), c.cout, c.k, c.pad, c.out_n, c.relu, out.data());
    const auto ref = Reference1d(in, c.cin, c.n, wt, b, c.cout, c.k, c.pad, c.out_n, c.relu);
    ASSERT_EQ(out.size(), ref.size());
    EXPECT_EQ(std::memcmp(out.data(), ref.data(), out.size() * sizeof(float)), 0)
        << "cin " << c.cin << " n " << c.n << " k " << c.k;
  }
}

}  // namespace
}  // namespace dc::nn
