#include <algorithm>
#include <string>

#include "codecs/image_lossy/image_lossy.h"
#include "codecs/image_lossy/lossy_internal.h"
#include "rcc/progressive.h"
#include "rcc/rcc.h"

namespace dc::lossy {

namespace {

// RGB in [-1, 1], 3 x (8h) x (8w), padded by edge replication; gray is replicated to RGB.
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

}  // namespace

Status EncodeImage(const LdmNet& net, const ImageView& img, const EncodeOptions& opt,
                   std::vector<uint8_t>* payload, EncodeStats* stats) {
  if (!payload || !img.pixels) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: null argument");
  if (img.channels != 1 && img.channels != 3)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "image-lossy codes gray and RGB images (no alpha)");
  if (img.width == 0 || img.height == 0) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: empty image");
  const Schedule& s = opt.schedule;
  RETURN_IF_ERROR(internal::CheckSchedule(s));
  // The schedule as the decoder will read it (lambdas rounded to 1/256).
  const std::vector<uint8_t> header = WriteHeader(s);
  ASSIGN_OR_RETURN(const Schedule sched, ParseHeader(header.data(), header.size()));
  const int L = net.config().latent;
  const internal::Latents g(img.width, img.height, L);
  const int H = g.h * kFactor, W = g.w * kFactor;
  const int threads = std::max(1, opt.threads);

  std::vector<float> z(g.n);
  {
    const std::vector<float> planes = ToPlanes(img, H, W);
    net.Encode(planes.data(), H, W, threads, z.data());
  }
  payload->clear();
  rcc::BeginProgressive(header.data(), header.size(), payload);
  std::vector<float> x(g.n), mp(g.n), mq(g.n), xn(g.n);
  internal::StartNoise(sched, g.n, x.data());
  const int S = static_cast<int>(sched.lambdas.size()) - 1;
  const int last = opt.max_steps < 0 ? S : std::min(S, opt.max_steps);
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
    if (opt.progress) opt.progress(k, last);
  }
  if (stats) {
    stats->kept_steps = kept;
    stats->x_final = x;
  }
  return Status::Ok();
}

}  // namespace dc::lossy
