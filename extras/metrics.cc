#include "extras/metrics.h"
#include "common/status.h"  // the macros (extras is built with the library's private headers)

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <string>
#include <vector>

namespace dc::extras {
namespace {

Status CheckPair(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels) {
    return Error(DC_ERR_INVALID_ARGUMENT, "images differ in shape: " + std::to_string(a.width) +
                                              "x" + std::to_string(a.height) + "x" +
                                              std::to_string(a.channels) + " vs " +
                                              std::to_string(b.width) + "x" +
                                              std::to_string(b.height) + "x" +
                                              std::to_string(b.channels));
  }
  if (a.width == 0 || a.height == 0 || a.channels == 0) {
    return Error(DC_ERR_INVALID_ARGUMENT, "empty image");
  }
  const uint64_t n = uint64_t{a.width} * a.height * a.channels;
  if (a.pixels.size() != n || b.pixels.size() != n) {
    return Error(DC_ERR_INVALID_ARGUMENT, "image buffer size does not match its shape");
  }
  return Status::Ok();
}

constexpr int kWindow = 11;
constexpr double kSigma = 1.5;
constexpr double kC1 = (0.01 * 255) * (0.01 * 255);
constexpr double kC2 = (0.03 * 255) * (0.03 * 255);
constexpr double kWeights[5] = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};

struct Plane {
  size_t w = 0, h = 0;
  std::vector<double> v;
  double at(size_t x, size_t y) const { return v[y * w + x]; }
};

std::vector<double> GaussianWindow() {
  std::vector<double> g(kWindow);
  double sum = 0;
  for (int i = 0; i < kWindow; ++i) {
    const double x = static_cast<double>(i - kWindow / 2);  // -5 .. 5
    g[i] = std::exp(-(x * x) / (2 * kSigma * kSigma));
    sum += g[i];
  }
  for (double& x : g) x /= sum;
  return g;
}

// Separable Gaussian over the "valid" region only (no padding), vertical pass first, as
// pytorch_msssim does; the result is (w - 10) x (h - 10).
Plane FilterValid(const Plane& in, const std::vector<double>& g) {
  Plane tmp;
  tmp.w = in.w;
  tmp.h = in.h - kWindow + 1;
  tmp.v.assign(tmp.w * tmp.h, 0.0);
  for (size_t y = 0; y < tmp.h; ++y) {
    double* row = &tmp.v[y * tmp.w];
    for (int k = 0; k < kWindow; ++k) {
      const double* src = &in.v[(y + k) * in.w];
      for (size_t x = 0; x < tmp.w; ++x) row[x] += g[k] * src[x];
    }
  }
  Plane out;
  out.w = in.w - kWindow + 1;
  out.h = tmp.h;
  out.v.assign(out.w * out.h, 0.0);
  for (size_t y = 0; y < out.h; ++y) {
    const double* src = &tmp.v[y * tmp.w];
    double* row = &out.v[y * out.w];
    for (size_t x = 0; x < out.w; ++x) {
      double s = 0;
      for (int k = 0; k < kWindow; ++k) s += g[k] * src[x + k];
      row[x] = s;
    }
  }
  return out;
}

Plane Product(const Plane& a, const Plane& b) {
  Plane p;
  p.w = a.w;
  p.h = a.h;
  p.v.resize(a.v.size());
  for (size_t i = 0; i < a.v.size(); ++i) p.v[i] = a.v[i] * b.v[i];
  return p;
}

// 2x2 average pooling. An odd side gets one zero of padding in front, and the zeros count in
// the average (torch avg_pool2d with padding = side % 2 and count_include_pad, as in
// pytorch_msssim), so the first row/column of an odd-sized plane is halved.
Plane Downsample(const Plane& in) {
  const size_t pad_x = in.w % 2, pad_y = in.h % 2;
  Plane out;
  out.w = (in.w + pad_x) / 2;
  out.h = (in.h + pad_y) / 2;
  out.v.resize(out.w * out.h);
  const auto sample = [&](size_t x, size_t y) {  // coordinates in the padded plane
    return (x < pad_x || y < pad_y) ? 0.0 : in.at(x - pad_x, y - pad_y);
  };
  for (size_t y = 0; y < out.h; ++y) {
    for (size_t x = 0; x < out.w; ++x) {
      out.v[y * out.w + x] = (sample(2 * x, 2 * y) + sample(2 * x + 1, 2 * y) +
                              sample(2 * x, 2 * y + 1) + sample(2 * x + 1, 2 * y + 1)) /
                             4.0;
    }
  }
  return out;
}

// Mean SSIM and mean contrast-structure term of one plane pair at one scale.
void SsimAndCs(const Plane& x, const Plane& y, const std::vector<double>& g, double* ssim,
               double* cs) {
  const Plane mu1 = FilterValid(x, g);
  const Plane mu2 = FilterValid(y, g);
  const Plane xx = FilterValid(Product(x, x), g);
  const Plane yy = FilterValid(Product(y, y), g);
  const Plane xy = FilterValid(Product(x, y), g);
  double ssim_sum = 0, cs_sum = 0;
  for (size_t i = 0; i < mu1.v.size(); ++i) {
    const double m1 = mu1.v[i], m2 = mu2.v[i];
    const double s1 = xx.v[i] - m1 * m1;
    const double s2 = yy.v[i] - m2 * m2;
    const double s12 = xy.v[i] - m1 * m2;
    const double c = (2 * s12 + kC2) / (s1 + s2 + kC2);
    cs_sum += c;
    ssim_sum += (2 * m1 * m2 + kC1) / (m1 * m1 + m2 * m2 + kC1) * c;
  }
  *ssim = ssim_sum / static_cast<double>(mu1.v.size());
  *cs = cs_sum / static_cast<double>(mu1.v.size());
}

// The most scales (up to 5) for which the coarsest plane is still at least one window wide.
int ScaleCount(size_t min_side) {
  int levels = 0;
  size_t side = min_side;
  while (levels < 5 && side >= static_cast<size_t>(kWindow)) {
    ++levels;
    side = (side + 1) / 2;
  }
  return levels;
}

}  // namespace

StatusOr<double> Psnr(const Image& a, const Image& b) {
  RETURN_IF_ERROR(CheckPair(a, b));
  uint64_t sse = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    const int d = static_cast<int>(a.pixels[i]) - static_cast<int>(b.pixels[i]);
    sse += static_cast<uint64_t>(d * d);
  }
  if (sse == 0) return std::numeric_limits<double>::infinity();
  const double mse = static_cast<double>(sse) / static_cast<double>(a.pixels.size());
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

StatusOr<double> MsSsim(const Image& a, const Image& b) {
  RETURN_IF_ERROR(CheckPair(a, b));
  const int levels = ScaleCount(std::min(a.width, a.height));
  if (levels == 0) {
    return Error(DC_ERR_INVALID_ARGUMENT, "MS-SSIM needs images at least " +
                                              std::to_string(kWindow) + " pixels on a side");
  }
  double weight_sum = 0;
  for (int l = 0; l < levels; ++l) weight_sum += kWeights[l];

  const std::vector<double> g = GaussianWindow();
  const size_t channels = a.channels;
  double total = 0;
  try {
    for (size_t c = 0; c < channels; ++c) {
      Plane x, y;
      x.w = y.w = a.width;
      x.h = y.h = a.height;
      x.v.resize(x.w * x.h);
      y.v.resize(y.w * y.h);
      for (size_t i = 0; i < x.v.size(); ++i) {
        x.v[i] = a.pixels[i * channels + c];
        y.v[i] = b.pixels[i * channels + c];
      }
      double value = 1.0;
      for (int l = 0; l < levels; ++l) {
        double ssim = 0, cs = 0;
        SsimAndCs(x, y, g, &ssim, &cs);
        const bool last = l == levels - 1;
        // Negative terms are clamped to 0 (pytorch_msssim's relu) so that pow stays real.
        const double term = std::max(last ? ssim : cs, 0.0);
        value *= std::pow(term, kWeights[l] / weight_sum);
        if (!last) {
          x = Downsample(x);
          y = Downsample(y);
        }
      }
      total += value;
    }
  } catch (const std::bad_alloc&) {
    return Error(DC_ERR_OUT_OF_MEMORY, "out of memory computing MS-SSIM");
  }
  return total / static_cast<double>(channels);
}

}  // namespace dc::extras
