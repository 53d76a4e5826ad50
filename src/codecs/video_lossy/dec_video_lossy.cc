// Decoder side of the lossy video codec. Every length is checked; a frame's data must hold whole
// segments only, at most one per step of the schedule.
#include <algorithm>
#include <cstring>
#include <string>

#include "codecs/image_lossy/lossy_internal.h"
#include "codecs/video_lossy/video_lossy.h"
#include "container/container.h"
#include "diffusion/gaussian.h"
#include "rcc/progressive.h"
#include "rcc/rcc.h"

namespace dc::vlossy {

Status DecodeFrame(const lossy::LdmNet& net, const video::Geometry& g, const lossy::Schedule& s, const Start& start,
                   const uint8_t* data, size_t size, const uint8_t* prev, int threads, uint8_t* out) {
  ASSIGN_OR_RETURN(const rcc::ProgressiveView view, rcc::ParseProgressive(data, size));
  const size_t head = prev ? 1 : 0;  // the weight byte of each segment
  if (prev ? view.header.size < 2 : view.header.size != 0)
    return Error(DC_ERR_CORRUPT, prev ? "video-lossy: predicted frame without its start weight and motion mode"
                                      : "video-lossy: keyframe with a frame header");
  const int S = static_cast<int>(s.lambdas.size()) - 1;
  const int K = static_cast<int>(view.segments.size());
  if (K > S) return Error(DC_ERR_CORRUPT, "video-lossy: more step segments than the schedule has steps");
  const auto weight = [](uint8_t w) -> StatusOr<int> {
    if (w > kWeightOne) return Error(DC_ERR_CORRUPT, "video-lossy: reference weight above 64");
    return static_cast<int>(w);
  };
  const lossy::internal::Latents lg(g.width, g.height, net.config().latent);
  if (start.x0.size() != lg.n || start.d0.size() != lg.n) return Error(DC_ERR_INTERNAL, "video-lossy: start of another geometry");
  std::vector<float> x = start.x0, d = start.d0, xn(lg.n), zh(lg.n), mp(lg.n), r;
  const float* ref = nullptr;
  if (prev) {
    const uint8_t mode = view.header.data[1];
    if (mode > 1) return Error(DC_ERR_CORRUPT, "video-lossy: unknown motion mode " + std::to_string(mode));
    if (mode == 0 && view.header.size != 2) return Error(DC_ERR_CORRUPT, "video-lossy: bytes after a frame header");
    video::MotionField m;
    if (mode == 1) RETURN_IF_ERROR(ReadMotion(view.header.data + 2, view.header.size - 2, g, &m));
    r.resize(lg.n);
    ReferenceLatents(net, g, prev, mode == 1 ? &m : nullptr, threads, r.data());
    ref = r.data();
  }
  if (ref) {
    ASSIGN_OR_RETURN(const int w0, weight(view.header.data[0]));
    Blend(d.data(), ref, w0, lg.n, zh.data());
  } else {
    zh = d;
  }
  for (int k = 1; k <= K; ++k) {
    const rcc::ByteSpan& seg = view.segments[k - 1];
    if (seg.size < head) return Error(DC_ERR_CORRUPT, "video-lossy: step segment without its weight");
    const float lt = s.lambdas[k - 1], ls = s.lambdas[k];
    const diffusion::StepCoefs c = diffusion::PosteriorCoefs(lt, ls);
    diffusion::StepMean(c, x.data(), zh.data(), lg.n, mp.data());
    const Status st = rcc::DecodeGaussian(mp.data(), c.c, lg.n, lossy::internal::StepConfig(s, k, threads),
                                          seg.data + head, seg.size - head, xn.data());
    if (!st.ok()) return Error(st.code(), "video-lossy step " + std::to_string(k) + ": " + st.message());
    x.swap(xn);
    net.Denoise(x.data(), lg.h, lg.w, ls, threads, d.data());
    if (ref) {
      ASSIGN_OR_RETURN(const int w, weight(seg.data[0]));
      Blend(d.data(), ref, w, lg.n, zh.data());
    } else {
      zh = d;
    }
  }
  const int H = lg.h * lossy::kFactor, W = lg.w * lossy::kFactor;
  std::vector<float> planes(static_cast<size_t>(3) * H * W);
  net.Decode(zh.data(), lg.h, lg.w, threads, planes.data());
  PlanesToFrame(g, planes.data(), H, W, out);
  return Status::Ok();
}

Status FrameDecoder::Decode(uint64_t i, uint8_t* out) {
  const auto& index = stream_.index;
  if (i >= index.size()) return Error(DC_ERR_INVALID_ARGUMENT, "frame " + std::to_string(i) + " beyond the last");
  const size_t fb = g_.frame_bytes();
  if (last_index_ != static_cast<int64_t>(i)) {
    const uint64_t start = video::DecodeStart(i, keyint_, last_index_);
    last_.resize(fb);
    cur_.resize(fb);
    for (uint64_t j = start; j <= i; ++j) {
      const video::FrameEntry& e = index[j];
      if (container::Crc32(payload_ + e.offset, e.size) != e.crc)
        return Error(DC_ERR_CHECKSUM, "frame " + std::to_string(j) + " data does not match its checksum");
      const uint8_t* prev = j % keyint_ == 0 ? nullptr : last_.data();
      last_index_ = -1;  // last_ stays valid only if this frame decodes
      if (start_.d0.empty()) start_ = MakeStart(*net_, g_, stream_.schedule, threads_);
      RETURN_IF_ERROR(
          DecodeFrame(*net_, g_, stream_.schedule, start_, payload_ + e.offset, e.size, prev, threads_, cur_.data()));
      std::swap(last_, cur_);
      last_index_ = static_cast<int64_t>(j);
    }
  }
  std::memcpy(out, last_.data(), fb);
  return Status::Ok();
}

}  // namespace dc::vlossy
