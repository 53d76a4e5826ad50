#include <algorithm>
#include <cmath>
#include <string>

#include "codecs/image_lossy/image_lossy.h"
#include "codecs/image_lossy/lossy_internal.h"
#include "codecs/image_lossy/refine.h"
#include "rcc/progressive.h"
#include "rcc/rcc.h"

namespace dc::lossy {

namespace {


// Least squares, per output channel, of the original on [r, g, b, 1] of the reconstruction over
// the image's own pixels (not the padding). False if the system is singular or the result is
// out of range (then no transform is sent).
bool FitColour(const std::vector<float>& orig, const std::vector<float>& rec, int H, int W, uint32_t width,
               uint32_t height, float* out) {
  const size_t plane = static_cast<size_t>(H) * W;
  double A[4][4] = {}, B[3][4] = {};
  for (uint32_t y = 0; y < height; ++y)
    for (uint32_t x = 0; x < width; ++x) {
      const size_t i = static_cast<size_t>(y) * W + x;
      const double v[4] = {rec[i], rec[plane + i], rec[2 * plane + i], 1.0};
      for (int a = 0; a < 4; ++a) {
        for (int b = 0; b < 4; ++b) A[a][b] += v[a] * v[b];
        for (int c = 0; c < 3; ++c) B[c][a] += v[a] * orig[c * plane + i];
      }
    }
  // Gauss-Jordan on [A | B^T] with partial pivoting; a tiny ridge keeps flat images solvable.
  double M[4][7];
  for (int a = 0; a < 4; ++a) {
    for (int b = 0; b < 4; ++b) M[a][b] = A[a][b] + (a == b ? 1e-6 * (A[a][a] + 1) : 0.0);
    for (int c = 0; c < 3; ++c) M[a][4 + c] = B[c][a];
  }
  for (int col = 0; col < 4; ++col) {
    int piv = col;
    for (int r = col + 1; r < 4; ++r)
      if (std::fabs(M[r][col]) > std::fabs(M[piv][col])) piv = r;
    if (!(std::fabs(M[piv][col]) > 1e-12)) return false;
    for (int k = 0; k < 7; ++k) std::swap(M[col][k], M[piv][k]);
    for (int r = 0; r < 4; ++r) {
      if (r == col) continue;
      const double f = M[r][col] / M[col][col];
      for (int k = 0; k < 7; ++k) M[r][k] -= f * M[col][k];
    }
  }
  for (int c = 0; c < 3; ++c)
    for (int a = 0; a < 4; ++a) {
      const double v = M[a][4 + c] / M[a][a];
      if (!(std::fabs(v) <= kMaxColourCoef)) return false;
      out[4 * c + a] = static_cast<float>(v);
    }
  return true;
}

}  // namespace

Status EncodeImage(const LdmNet& net, const ImageView& img, const EncodeOptions& opt,
                   std::vector<uint8_t>* payload, EncodeStats* stats) {
  if (!payload || !img.pixels) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: null argument");
  if (img.channels != 1 && img.channels != 3)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "image-lossy codes gray and RGB images (no alpha)");
  if (img.width == 0 || img.height == 0) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: empty image");
  Schedule s = opt.schedule;
  if (opt.revision != kRevision1 && opt.revision != kRevision2)
    return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: revision " + std::to_string(opt.revision) + " is not 1 or 2");
  s.refine_steps = opt.refine_steps;
  RETURN_IF_ERROR(internal::CheckSchedule(s, opt.revision));
  const int L = net.config().latent;
  const internal::Latents g(img.width, img.height, L);
  const int H = g.h * kFactor, W = g.w * kFactor;
  const int threads = std::max(1, opt.threads);

  if (!opt.latents.empty() && opt.latents.size() != g.n)
    return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: latents of " + std::to_string(opt.latents.size()) +
                                              " values for a grid of " + std::to_string(g.n));
  std::vector<float> z(g.n);
  {
    const std::vector<float> planes = internal::ToPlanes(img, H, W);
    if (opt.latents.empty())
      net.Encode(planes.data(), H, W, threads, z.data());
    else
      z = opt.latents;
    s.has_colour = false;
    if (opt.colour_transform) {
      std::vector<float> rec(planes.size());
      net.Decode(z.data(), g.h, g.w, threads, rec.data());
      s.has_colour = FitColour(planes, rec, H, W, img.width, img.height, s.colour);
    }
  }
  // The schedule as the decoder will read it (lambdas rounded to 1/256, colour to f16).
  const std::vector<uint8_t> header = WriteHeader(s);
  ASSIGN_OR_RETURN(const Schedule sched, ParseHeader(header.data(), header.size(), opt.revision));
  payload->clear();
  rcc::BeginProgressive(header.data(), header.size(), payload);
  std::vector<float> x(g.n), mp(g.n), mq(g.n), xn(g.n);
  internal::StartNoise(sched, g.n, x.data());
  const int S = static_cast<int>(sched.lambdas.size()) - 1;
  const int P = static_cast<int>(sched.refine_steps.size());
  const int last_segment = opt.max_steps < 0 ? S + P : std::min(S + P, opt.max_steps);
  const int last = std::min(S, last_segment);
  if (stats) *stats = EncodeStats{};
  int kept = 0;
  std::vector<uint8_t> seg;
  for (int k = 1; k <= last; ++k) {
    const float lt = sched.lambdas[k - 1], ls = sched.lambdas[k];
    internal::PriorMean(net, g, lt, ls, x.data(), threads, mp.data(), z.data(), mq.data());
    const float sigma = internal::StepSigma(lt, ls);
    seg.clear();
    rcc::RccStats rs;
    RETURN_IF_ERROR(rcc::EncodeGaussian(mp.data(), mq.data(), sigma, g.n, internal::StepConfig(sched, k, threads),
                                        &seg, xn.data(), &rs));
    const size_t before = payload->size();
    rcc::AppendSegment(seg.data(), seg.size(), payload);
    if (stats) stats->steps.push_back({ls, rs.kl_bits, payload->size(), rs.chunks});
    if (opt.max_payload_bytes && payload->size() > opt.max_payload_bytes) {
      payload->resize(before);
      break;
    }
    x.swap(xn);
    kept = k;
    if (opt.progress) opt.progress(k, last_segment);
  }
  if (stats) {
    stats->kept_steps = kept;
    stats->x_final = x;
  }
  // Revision 2: refinement passes, once every latent step is in and the budget allows.
  if (kept == S && last_segment > S) {
    const size_t n = static_cast<size_t>(img.width) * img.height * img.channels;
    std::vector<uint8_t> rec(n);
    internal::Finish(net, sched, g, x, sched.lambdas[S], img.width, img.height, img.channels, threads, rec.data());
    refine::Intervals iv;
    for (int j = 0; j < last_segment - S; ++j) {
      seg.clear();
      RETURN_IF_ERROR(refine::EncodePass(img.pixels, rec.data(), &iv, img.width, img.height, img.channels, j,
                                         sched.refine_steps[j], &seg));
      const size_t before = payload->size();
      rcc::AppendSegment(seg.data(), seg.size(), payload);
      if (opt.max_payload_bytes && payload->size() > opt.max_payload_bytes) {
        payload->resize(before);
        break;
      }
      if (stats) stats->passes.push_back({sched.refine_steps[j], payload->size()});
      if (opt.progress) opt.progress(S + j + 1, last_segment);
    }
  }
  return Status::Ok();
}

namespace internal {

std::vector<float> ToPlanes(const ImageView& img, int H, int W) {
  std::vector<float> x(static_cast<size_t>(3) * H * W);
  for (int y = 0; y < H; ++y) {
    const uint32_t sy = std::min<uint32_t>(y, img.height - 1);
    for (int xx = 0; xx < W; ++xx) {
      const uint32_t sx = std::min<uint32_t>(xx, img.width - 1);
      const uint8_t* p = img.pixels + (static_cast<size_t>(sy) * img.width + sx) * img.channels;
      for (int c = 0; c < 3; ++c)
        x[(static_cast<size_t>(c) * H + y) * W + xx] = p[img.channels == 3 ? c : 0] / 127.5f - 1.0f;
    }
  }
  return x;
}

}  // namespace internal

}  // namespace dc::lossy
