#include <algorithm>
#include <cmath>
#include <string>

#include "codecs/image_lossy/image_lossy.h"
#include "codecs/image_lossy/lossy_internal.h"
#include "codecs/image_lossy/refine.h"
#include "diffusion/gaussian.h"
#include "rcc/progressive.h"
#include "rcc/rcc.h"

namespace dc::lossy {

namespace internal {

void Finish(const LdmNet& net, const Schedule& s, const Latents& g, std::vector<float> x, float lam, uint32_t width,
            uint32_t height, uint32_t channels, int threads, uint8_t* out) {
  std::vector<float> xn(g.n), z0(g.n);
  if (s.decode_steps > 0 && s.decode_end > lam) {
    const float step = (s.decode_end - lam) / s.decode_steps;
    for (int i = 0; i < s.decode_steps; ++i) {
      const float next = i + 1 == s.decode_steps ? s.decode_end : lam + step * (i + 1);
      net.Denoise(x.data(), g.h, g.w, lam, threads, z0.data());
      diffusion::DdimStep(lam, next, x.data(), z0.data(), g.n, xn.data());
      x.swap(xn);
      lam = next;
    }
  }
  net.Denoise(x.data(), g.h, g.w, lam, threads, z0.data());
  const auto to8 = [](float v) {
    const float p = std::floor((v + 1.0f) * 127.5f + 0.5f);
    return static_cast<uint8_t>(!(p > 0.0f) ? 0.0f : p > 255.0f ? 255.0f : p);  // NaN -> 0
  };
  // One tile of the autoencoder's output at a time (ldm_net.h, "Tiles"): the colour transform and
  // the rounding are per pixel, so the pixels are those of a decode of the whole image.
  net.DecodeTiles(z0.data(), g.h, g.w, threads, [&](const DecodedTile& t) {
    const size_t plane = static_cast<size_t>(t.ph) * t.pw;
    const uint32_t ye = std::min<uint32_t>(height, t.y0 + t.h), xe = std::min<uint32_t>(width, t.x0 + t.w);
    for (uint32_t y = t.y0; y < ye; ++y)
      for (uint32_t xx = t.x0; xx < xe; ++xx) {
        const size_t i = static_cast<size_t>(t.oy + (y - t.y0)) * t.pw + t.ox + (xx - t.x0);
        float px[3] = {t.img[i], t.img[plane + i], t.img[2 * plane + i]};
        if (s.has_colour) {
          const float* m = s.colour;
          const float r = px[0], gg = px[1], b = px[2];
          for (int c = 0; c < 3; ++c) px[c] = ((m[4 * c + 3] + m[4 * c] * r) + m[4 * c + 1] * gg) + m[4 * c + 2] * b;
        }
        uint8_t* d = out + (static_cast<size_t>(y) * width + xx) * channels;
        if (channels == 3) {
          for (int c = 0; c < 3; ++c) d[c] = to8(px[c]);
        } else {
          d[0] = to8((px[0] + px[1] + px[2]) / 3.0f);
        }
      }
  });
}

}  // namespace internal

Status DecodePrefixes(const LdmNet& net, const uint8_t* payload, size_t size, uint32_t width, uint32_t height,
                      uint32_t channels, const DecodeOptions& opt, const std::vector<int>& prefixes,
                      const std::function<void(int, const std::vector<uint8_t>&)>& out) {
  if (!payload && size) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: null argument");
  if (channels != 1 && channels != 3) return Error(DC_ERR_CORRUPT, "image-lossy: channel count not 1 or 3");
  if (width == 0 || height == 0) return Error(DC_ERR_CORRUPT, "image-lossy: empty image");
  ASSIGN_OR_RETURN(const rcc::ProgressiveView view, rcc::ParseProgressive(payload, size));
  ASSIGN_OR_RETURN(const Schedule s, ParseHeader(view.header.data, view.header.size, opt.revision));
  const int S = static_cast<int>(s.lambdas.size()) - 1;
  const int P = static_cast<int>(s.refine_steps.size());  // 0 in revision 1
  const int K = static_cast<int>(view.segments.size());
  if (K > S + P)
    return Error(DC_ERR_CORRUPT, P ? "image-lossy: more segments than the schedule's steps and refinement passes"
                                   : "image-lossy: more step segments than the schedule has steps");
  for (size_t i = 0; i < prefixes.size(); ++i)
    if (prefixes[i] < 0 || prefixes[i] > K || (i > 0 && prefixes[i] <= prefixes[i - 1]))
      return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: prefixes must increase within the segments present");
  const int last = prefixes.empty() ? 0 : prefixes.back();
  const int last_step = std::min(last, S);
  const int L = net.config().latent;
  const internal::Latents g(width, height, L);
  const int threads = std::max(1, opt.threads);
  const uint64_t total = static_cast<uint64_t>(last) + prefixes.size();
  uint64_t done = 0;
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * channels);
  std::vector<float> x(g.n), mp(g.n), xn(g.n);
  internal::StartNoise(s, g.n, x.data());
  size_t next = 0;
  bool have_step_image = false;  // pixels hold the image of all S steps
  for (int k = 0; k <= last_step; ++k) {
    if (k > 0) {
      const float lt = s.lambdas[k - 1], ls = s.lambdas[k];
      internal::PriorMean(net, g, lt, ls, x.data(), threads, mp.data());
      const float sigma = internal::StepSigma(lt, ls);
      const rcc::ByteSpan& seg = view.segments[k - 1];
      const Status st = rcc::DecodeGaussian(mp.data(), sigma, g.n, internal::StepConfig(s, k, threads), seg.data,
                                            seg.size, xn.data());
      if (!st.ok()) return Error(st.code(), "image-lossy step " + std::to_string(k) + ": " + st.message());
      x.swap(xn);
      if (opt.progress) opt.progress(++done, total);
    }
    const bool wanted = next < prefixes.size() && prefixes[next] == k;
    if (wanted || (k == S && last > S)) {
      if (opt.x_final) *opt.x_final = x;
      internal::Finish(net, s, g, x, s.lambdas[k], width, height, channels, threads, pixels.data());
      have_step_image = k == S;
    }
    if (wanted) {
      out(k, pixels);
      ++next;
      if (opt.progress) opt.progress(++done, total);
    }
  }
  // Revision 2: refinement passes on the 8-bit image of all S steps (integer arithmetic).
  refine::Intervals iv;
  for (int k = S + 1; k <= last; ++k) {
    if (!have_step_image) return Error(DC_ERR_INTERNAL, "image-lossy: refinement without the steps' image");
    const rcc::ByteSpan& seg = view.segments[k - 1];
    const Status st = refine::DecodePass(seg.data, seg.size, pixels.data(), &iv, width, height, channels, k - S - 1,
                                         s.refine_steps[k - S - 1]);
    if (!st.ok()) return Error(st.code(), "image-lossy refinement pass " + std::to_string(k - S) + ": " + st.message());
    if (opt.progress) opt.progress(++done, total);
    if (next < prefixes.size() && prefixes[next] == k) {
      out(k, pixels);
      ++next;
      if (opt.progress) opt.progress(++done, total);
    }
  }
  return Status::Ok();
}

Status DecodeImage(const LdmNet& net, const uint8_t* payload, size_t size, uint32_t width, uint32_t height,
                   uint32_t channels, const DecodeOptions& opt, uint8_t* out) {
  if (!out || (!payload && size)) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: null argument");
  ASSIGN_OR_RETURN(const rcc::ProgressiveView view, rcc::ParseProgressive(payload, size));
  const int K = static_cast<int>(view.segments.size());
  return DecodePrefixes(net, payload, size, width, height, channels, opt, {K},
                        [out](int, const std::vector<uint8_t>& px) { std::copy(px.begin(), px.end(), out); });
}

}  // namespace dc::lossy
