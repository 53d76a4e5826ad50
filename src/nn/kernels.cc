#include "nn/kernels.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace dc::nn {
namespace {

// Register blocking: kOb output channels x kXb pixels of one row are accumulated in registers
// over the whole (input channel, ky, kx) loop, in that fixed order. Vector lanes are distinct
// pixels, so SSE2 and AVX2 builds (target_clones below) compute identical bits.
constexpr int kOb = 8;
constexpr int kXb = 8;

// Clang (14) rejects target_clones on a function template: clang builds (the fuzz targets)
// use the default target only, which computes the same bits.
#if defined(__clang__) || !(defined(__x86_64__) || defined(__i386__))  // AVX2 clones: GCC on x86 only
#define DC_CONV_TARGET_CLONES
#else
#define DC_CONV_TARGET_CLONES __attribute__((target_clones("avx2", "default")))
#endif

// in_pad: cin planes of (h + 2r) x wp, zero borders; wp >= w + 2r rounded up for the last strip.
template <int K>
DC_CONV_TARGET_CLONES
void ConvRows(const float* in_pad, int cin, int h, int w, int wp, const float* wpack, const float* bias,
              int cout, float* out) {
  const long plane_pad = static_cast<long>(h + K - 1) * wp;
  const long plane = static_cast<long>(h) * w;
  for (int o0 = 0; o0 < cout; o0 += kOb) {
    const int nb = std::min(kOb, cout - o0);
    for (int y = 0; y < h; ++y) {
      for (int x0 = 0; x0 < w; x0 += kXb) {
        // GCC vector extensions: lane-wise IEEE ops, 2 x SSE or 1 x AVX per row of 8 pixels.
        typedef float V8 __attribute__((vector_size(32)));
        V8 acc[kOb];
        for (int b = 0; b < kOb; ++b) {
          const float bv = b < nb ? bias[o0 + b] : 0.0f;
          acc[b] = V8{bv, bv, bv, bv, bv, bv, bv, bv};
        }
        for (int i = 0; i < cin; ++i) {
          // Packed weights: [o0 / kOb][i][ky][kx][kOb], zeros past cout (see PackTaps).
          const float* wi = wpack + ((static_cast<long>(o0 / kOb) * cin + i) * K * K) * kOb;
          for (int ky = 0; ky < K; ++ky) {
            const float* row = in_pad + i * plane_pad + static_cast<long>(y + ky) * wp + x0;
            for (int kx = 0; kx < K; ++kx) {
              V8 r;
              std::memcpy(&r, row + kx, sizeof(r));
#pragma GCC unroll 8
              for (int b = 0; b < kOb; ++b) {
                acc[b] = acc[b] + wi[(ky * K + kx) * kOb + b] * r;
              }
            }
          }
        }
        const int nx = std::min(kXb, w - x0);
        for (int b = 0; b < nb; ++b) {
          float* dst = out + (o0 + b) * plane + static_cast<long>(y) * w + x0;
          for (int l = 0; l < nx; ++l) dst[l] = acc[b][l];
        }
      }
    }
  }
}

// One line: the 1-D analogue of ConvRows (order: bias, input channel, tap).
constexpr int kMaxTaps = 32;
// taps: the kernel width when it is not the template's (the generic instance); same order.
template <int K>
DC_CONV_TARGET_CLONES
void ConvLine(const float* in_pad, int cin, int np, int out_n, const float* wpack, const float* bias, int cout,
              float* out, int taps = K) {
  for (int o0 = 0; o0 < cout; o0 += kOb) {
    const int nb = std::min(kOb, cout - o0);
    for (int x0 = 0; x0 < out_n; x0 += kXb) {
      typedef float V8 __attribute__((vector_size(32)));
      V8 acc[kOb];
      for (int b = 0; b < kOb; ++b) {
        const float bv = b < nb ? bias[o0 + b] : 0.0f;
        acc[b] = V8{bv, bv, bv, bv, bv, bv, bv, bv};
      }
      for (int i = 0; i < cin; ++i) {
        const float* wi = wpack + (static_cast<long>(o0 / kOb) * cin + i) * taps * kOb;
        const float* row = in_pad + static_cast<long>(i) * np + x0;
        for (int t = 0; t < taps; ++t) {
          V8 r;
          std::memcpy(&r, row + t, sizeof(r));
#pragma GCC unroll 8
          for (int b = 0; b < kOb; ++b) acc[b] = acc[b] + wi[t * kOb + b] * r;
        }
      }
      const int nx = std::min(kXb, out_n - x0);
      for (int b = 0; b < nb; ++b) {
        float* dst = out + static_cast<long>(o0 + b) * out_n + x0;
        for (int l = 0; l < nx; ++l) dst[l] = acc[b][l];
      }
    }
  }
}

// Reorders cout x cin x taps weights so that the kOb weights of one (block, i, tap) are
// adjacent; the padding outputs get zero weights (their results are never stored).
std::vector<float> PackTaps(const float* wt, int cin, int cout, int taps) {
  const int blocks = (cout + kOb - 1) / kOb;
  std::vector<float> p(static_cast<size_t>(blocks) * cin * taps * kOb, 0.0f);
  for (int o = 0; o < cout; ++o)
    for (int i = 0; i < cin; ++i)
      for (int t = 0; t < taps; ++t)
        p[((static_cast<size_t>(o / kOb) * cin + i) * taps + t) * kOb + o % kOb] =
            wt[(static_cast<size_t>(o) * cin + i) * taps + t];
  return p;
}

}  // namespace

void Conv1d(const float* in, int cin, int n, const float* wt, const float* bias, int cout, int k, int pad,
            int out_n, bool relu_input, float* out) {
  if (out_n <= 0) return;
  // Padded line: element x of the padded line is in[x - pad]; long enough for the last strip.
  const int strips = (out_n + kXb - 1) / kXb;
  const int np = strips * kXb + k;
  std::vector<float> line(static_cast<size_t>(cin) * np, 0.0f);
  for (int i = 0; i < cin; ++i)
    for (int x = 0; x < np; ++x) {
      const int s = x - pad;
      if (s < 0 || s >= n) continue;
      const float v = in[static_cast<long>(i) * n + s];
      line[static_cast<size_t>(i) * np + x] = relu_input ? (v > 0.0f ? v : 0.0f) : v;
    }
  const std::vector<float> packed = PackTaps(wt, cin, cout, k);
  switch (k) {
    case 1: ConvLine<1>(line.data(), cin, np, out_n, packed.data(), bias, cout, out); break;
    case 2: ConvLine<2>(line.data(), cin, np, out_n, packed.data(), bias, cout, out); break;
    case 3: ConvLine<3>(line.data(), cin, np, out_n, packed.data(), bias, cout, out); break;
    case 16: ConvLine<16>(line.data(), cin, np, out_n, packed.data(), bias, cout, out); break;
    default: ConvLine<kMaxTaps>(line.data(), cin, np, out_n, packed.data(), bias, cout, out, k); break;
  }
}

void Conv2d(const float* in, int cin, int h, int w, const float* wt, const float* bias, int cout,
            int k, bool relu_input, float* out) {
  const int r = k / 2;
  // Padded copy: r zero rows/columns around, and the row length rounded up so the last strip
  // of kXb pixels reads zeros instead of running past the row.
  const int strips = (w + kXb - 1) / kXb;
  const int wp = strips * kXb + 2 * r;
  const int hp = h + 2 * r;
  std::vector<float> pad(static_cast<size_t>(cin) * hp * wp, 0.0f);
  for (int i = 0; i < cin; ++i)
    for (int y = 0; y < h; ++y) {
      const float* src = in + (static_cast<long>(i) * h + y) * w;
      float* dst = pad.data() + (static_cast<long>(i) * hp + y + r) * wp + r;
      if (relu_input)
        for (int x = 0; x < w; ++x) dst[x] = src[x] > 0.0f ? src[x] : 0.0f;
      else
        std::copy(src, src + w, dst);
    }
  const std::vector<float> packed = PackTaps(wt, cin, cout, k * k);
  if (k == 3)
    ConvRows<3>(pad.data(), cin, h, w, wp, packed.data(), bias, cout, out);
  else
    ConvRows<1>(pad.data(), cin, h, w, wp, packed.data(), bias, cout, out);
}

void AddInPlace(float* dst, const float* src, long n) {
  for (long i = 0; i < n; ++i) dst[i] += src[i];
}

}  // namespace dc::nn
