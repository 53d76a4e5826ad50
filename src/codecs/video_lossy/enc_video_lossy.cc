// Encoder side of the lossy video codec.
#include <algorithm>
#include <cmath>

#include "codecs/image_lossy/lossy_internal.h"
#include "codecs/video_lossy/video_lossy.h"
#include "common/bytes.h"
#include "container/container.h"
#include "diffusion/gaussian.h"
#include "rcc/progressive.h"
#include "rcc/rcc.h"

namespace dc::vlossy {

namespace {

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 128) {
    v >>= 7;
    ++n;
  }
  return n;
}

// One frame: appends its progressive data (docs/codecs/video-lossy.md) to *out and writes the
// frame the decoder will make to recon. start: MakeStart of the stream. prev: the previous decoded frame or null (keyframe);
// prev_orig: the previous original frame (motion is estimated between originals, where it is
// cleanest, and applied to the decoded frame); budget: bytes the frame may take (0: no limit).
Status EncodeFrame(const lossy::LdmNet& net, const video::Geometry& g, const lossy::Schedule& s, const Start& start,
                   const uint8_t* frame, const uint8_t* prev, const uint8_t* prev_orig, uint64_t budget, int max_steps,
                   int threads, std::vector<uint8_t>* out, uint8_t* recon, FrameInfo* info) {
  const lossy::internal::Latents lg(g.width, g.height, net.config().latent);
  const int H = lg.h * lossy::kFactor, W = lg.w * lossy::kFactor;
  std::vector<float> z(lg.n), planes(static_cast<size_t>(3) * H * W);
  FrameToPlanes(g, frame, H, W, planes.data());
  net.Encode(planes.data(), H, W, threads, z.data());
  std::vector<float> x = start.x0, d = start.d0, xn(lg.n), zh(lg.n), zn(lg.n), mp(lg.n), mq(lg.n), r;
  *info = FrameInfo{};
  info->key = prev == nullptr;
  std::vector<uint8_t> head;
  if (prev) {
    // The reference with the field and without; the one nearer the frame's latents is sent.
    video::MotionField m = video::EstimateMotion(g, frame, prev_orig);
    r.resize(lg.n);
    ReferenceLatents(net, g, prev, nullptr, threads, r.data());
    if (!m.zero()) {
      std::vector<float> rm(lg.n);
      ReferenceLatents(net, g, prev, &m, threads, rm.data());
      const auto err = [&](const std::vector<float>& v) {
        double e = 0;
        for (size_t i = 0; i < lg.n; ++i) e += (static_cast<double>(v[i]) - z[i]) * (static_cast<double>(v[i]) - z[i]);
        return e;
      };
      if (err(rm) < err(r)) r.swap(rm);
      else m = video::MotionField{};
    }
    const int w0 = BestWeight(d.data(), r.data(), z.data(), lg.n);
    Blend(d.data(), r.data(), w0, lg.n, zh.data());
    head.push_back(static_cast<uint8_t>(w0));
    head.push_back(m.zero() ? 0 : 1);
    info->motion = !m.zero();
    if (!m.zero()) RETURN_IF_ERROR(WriteMotion(m, &head));
    info->weights.push_back(static_cast<uint8_t>(w0));
  } else {
    zh = d;
  }
  std::vector<uint8_t> data;
  rcc::BeginProgressive(head.data(), head.size(), &data);
  const int S = static_cast<int>(s.lambdas.size()) - 1;
  const int last = max_steps < 0 ? S : std::min(S, max_steps);
  std::vector<uint8_t> seg, rseg;
  for (int k = 1; k <= last; ++k) {
    const float lt = s.lambdas[k - 1], ls = s.lambdas[k];
    const diffusion::StepCoefs c = diffusion::PosteriorCoefs(lt, ls);
    diffusion::StepMean(c, x.data(), zh.data(), lg.n, mp.data());
    diffusion::StepMean(c, x.data(), z.data(), lg.n, mq.data());
    rcc::RccStats rs;
    rseg.clear();
    rcc::RccConfig rc = lossy::internal::StepConfig(s, k, threads);
    rc.min_kl_bits = kMinStepKlBits;
    RETURN_IF_ERROR(rcc::EncodeGaussian(mp.data(), mq.data(), c.c, lg.n, rc, &rseg, xn.data(), &rs));
    seg.assign(prev ? 1 : 0, 0);  // the weight byte, filled below
    seg.insert(seg.end(), rseg.begin(), rseg.end());
    if (budget && data.size() + VarintSize(seg.size()) + seg.size() > budget) break;
    net.Denoise(xn.data(), lg.h, lg.w, ls, threads, d.data());
    if (prev) {
      const int w = BestWeight(d.data(), r.data(), z.data(), lg.n);
      Blend(d.data(), r.data(), w, lg.n, zn.data());
      seg[0] = static_cast<uint8_t>(w);
      info->weights.push_back(static_cast<uint8_t>(w));
    } else {
      zn = d;
    }
    rcc::AppendSegment(seg.data(), seg.size(), &data);
    x.swap(xn);
    zh.swap(zn);
    info->steps = k;
    info->kl_bits += rs.kl_bits;
  }
  info->bytes = data.size();
  out->insert(out->end(), data.begin(), data.end());
  net.Decode(zh.data(), lg.h, lg.w, threads, planes.data());
  PlanesToFrame(g, planes.data(), H, W, recon);
  info->recon_crc = container::Crc32(recon, g.frame_bytes());
  return Status::Ok();
}

}  // namespace

Status EncodeVideo(const lossy::LdmNet& net, const video::Geometry& g, const uint8_t* frames, uint64_t count,
                   const EncodeOptions& opt, uint64_t payload_overhead, std::vector<uint8_t>* payload,
                   std::vector<FrameInfo>* info) {
  if (opt.keyint < 1 || opt.keyint > video::kMaxKeyint)
    return Error(DC_ERR_INVALID_ARGUMENT, "keyframe interval out of range");
  if (count == 0 || count > video::kMaxFrames) return Error(DC_ERR_INVALID_ARGUMENT, "frame count out of range");
  if (!(opt.bpp >= 0) || !std::isfinite(opt.bpp)) return Error(DC_ERR_INVALID_ARGUMENT, "video-lossy: bad --bpp");
  lossy::Schedule sched = opt.schedule;
  sched.has_colour = false;
  if (sched.decode_steps != 0) return Error(DC_ERR_INVALID_ARGUMENT, "video-lossy: the schedule must end with one denoising step");
  RETURN_IF_ERROR(lossy::internal::CheckSchedule(sched));
  const std::vector<uint8_t> header = lossy::WriteHeader(sched);
  ASSIGN_OR_RETURN(const lossy::Schedule s, lossy::ParseHeader(header.data(), header.size()));
  const int threads = std::max(1, opt.threads);
  const size_t fb = g.frame_bytes();

  // Rate control: bytes per frame on average, spent per GOP (keyframe weighted kKeyWeight).
  const double per_frame = opt.bpp * g.width * g.height / 8.0;
  double bank = -static_cast<double>(payload_overhead + header.size() + VarintSize(header.size()));
  std::vector<uint8_t> data;
  std::vector<uint64_t> sizes;
  std::vector<uint32_t> crcs;
  std::vector<uint8_t> prev(fb), recon(fb);
  const Start start = MakeStart(net, g, s, threads);
  if (info) info->clear();
  for (uint64_t f = 0; f < count; ++f) {
    const bool key = f % opt.keyint == 0;
    uint64_t budget = 0;
    if (opt.bpp > 0) {
      const uint64_t gop_end = std::min(count, f - f % opt.keyint + opt.keyint);
      if (key) bank += per_frame * static_cast<double>(gop_end - f);
      const double weights = (key ? kKeyWeight : 1.0) + static_cast<double>(gop_end - f - 1);
      const double share = bank * (key ? kKeyWeight : 1.0) / weights - 6.0;  // about its index entry (settled exactly below)
      budget = share >= 1.0 ? static_cast<uint64_t>(share) : 1;
    }
    const size_t before = data.size();
    FrameInfo fi;
    RETURN_IF_ERROR(EncodeFrame(net, g, s, start, frames + f * fb, key ? nullptr : prev.data(),
                                key ? nullptr : frames + (f - 1) * fb, budget, opt.max_steps,
                                threads, &data, recon.data(), &fi));
    const uint64_t size = data.size() - before;
    sizes.push_back(size);
    crcs.push_back(container::Crc32(data.data() + before, size));
    bank -= static_cast<double>(size + VarintSize(size) + 4);
    prev.swap(recon);
    if (info) info->push_back(std::move(fi));
    if (opt.progress) opt.progress(f + 1, count);
  }
  payload->clear();
  ByteWriter w(payload);
  w.Varint(header.size());
  w.Bytes(header.data(), header.size());
  for (uint64_t f = 0; f < count; ++f) {
    w.Varint(sizes[f]);
    w.U32(crcs[f]);
  }
  w.Bytes(data.data(), data.size());
  return Status::Ok();
}

}  // namespace dc::vlossy
