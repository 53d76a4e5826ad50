// Pieces of the lossy video codec shared by enc_ and dec_video_lossy.cc.
#include <algorithm>
#include <cmath>
#include <string>

#include "codecs/video_lossy/video_lossy.h"
#include "codecs/image_lossy/lossy_internal.h"
#include "common/bytes.h"
#include "entropy/cdf_table.h"
#include "entropy/rans.h"

namespace dc::vlossy {

namespace {

inline uint8_t To8(float v) {
  const float r = std::floor(v + 0.5f);
  return static_cast<uint8_t>(!(r > 0.0f) ? 0.0f : r > 255.0f ? 255.0f : r);  // NaN -> 0
}

}  // namespace

void FrameToPlanes(const video::Geometry& g, const uint8_t* frame, int H, int W, float* planes) {
  const size_t plane = static_cast<size_t>(H) * W;
  const uint8_t* Yp = frame;
  const uint8_t* Up = frame + g.plane_bytes(0);
  const uint8_t* Vp = Up + g.plane_bytes(1);
  const uint32_t cs = g.chroma == video::kChroma420 ? 1 : 0;  // chroma subsampling shift
  const uint32_t cw = g.plane_width(1);
  for (int y = 0; y < H; ++y) {
    const uint32_t sy = std::min<uint32_t>(static_cast<uint32_t>(y), g.height - 1);
    for (int x = 0; x < W; ++x) {
      const uint32_t sx = std::min<uint32_t>(static_cast<uint32_t>(x), g.width - 1);
      const size_t ci = static_cast<size_t>(sy >> cs) * cw + (sx >> cs);  // chroma replicated in 4:2:0
      // BT.601, limited range (16-235 luma, 16-240 chroma) to full-range RGB.
      const float Y = 1.164383f * (Yp[static_cast<size_t>(sy) * g.width + sx] - 16.0f);
      const float U = Up[ci] - 128.0f, V = Vp[ci] - 128.0f;
      const float rgb[3] = {Y + 1.596027f * V, Y - 0.391762f * U - 0.812968f * V, Y + 2.017232f * U};
      const size_t i = static_cast<size_t>(y) * W + x;
      for (int c = 0; c < 3; ++c) planes[c * plane + i] = std::clamp(rgb[c], 0.0f, 255.0f) / 127.5f - 1.0f;
    }
  }
}

void PlanesToFrame(const video::Geometry& g, const float* planes, int H, int W, uint8_t* frame) {
  const size_t plane = static_cast<size_t>(H) * W;
  const auto yuv = [&](uint32_t x, uint32_t y, float* out) {
    const size_t i = static_cast<size_t>(y) * W + x;
    const float r = (planes[i] + 1.0f) * 127.5f, gg = (planes[plane + i] + 1.0f) * 127.5f,
                b = (planes[2 * plane + i] + 1.0f) * 127.5f;
    out[0] = 16.0f + 0.256788f * r + 0.504129f * gg + 0.097906f * b;
    out[1] = 128.0f - 0.148223f * r - 0.290993f * gg + 0.439216f * b;
    out[2] = 128.0f + 0.439216f * r - 0.367788f * gg - 0.071427f * b;
  };
  uint8_t* Yp = frame;
  uint8_t* Up = frame + g.plane_bytes(0);
  uint8_t* Vp = Up + g.plane_bytes(1);
  float v[3];
  for (uint32_t y = 0; y < g.height; ++y)
    for (uint32_t x = 0; x < g.width; ++x) {
      yuv(x, y, v);
      Yp[static_cast<size_t>(y) * g.width + x] = To8(v[0]);
      if (g.chroma == video::kChroma444) {
        Up[static_cast<size_t>(y) * g.width + x] = To8(v[1]);
        Vp[static_cast<size_t>(y) * g.width + x] = To8(v[2]);
      }
    }
  if (g.chroma == video::kChroma444) return;
  const uint32_t cw = g.plane_width(1), ch = g.plane_height(1);
  for (uint32_t cy = 0; cy < ch; ++cy)
    for (uint32_t cx = 0; cx < cw; ++cx) {
      float su = 0, sv = 0;
      int n = 0;
      for (uint32_t dy = 0; dy < 2; ++dy)
        for (uint32_t dx = 0; dx < 2; ++dx) {
          const uint32_t x = 2 * cx + dx, y = 2 * cy + dy;
          if (x >= g.width || y >= g.height) continue;
          yuv(x, y, v);
          su += v[1];
          sv += v[2];
          ++n;
        }
      Up[static_cast<size_t>(cy) * cw + cx] = To8(su / n);
      Vp[static_cast<size_t>(cy) * cw + cx] = To8(sv / n);
    }
}

void Blend(const float* d, const float* r, int w, size_t n, float* out) {
  const float f = static_cast<float>(w) / kWeightOne;
  for (size_t i = 0; i < n; ++i) out[i] = d[i] + f * (r[i] - d[i]);
}

int BestWeight(const float* d, const float* r, const float* z, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; ++i) {
    const double e = static_cast<double>(r[i]) - d[i];
    num += e * (static_cast<double>(z[i]) - d[i]);
    den += e * e;
  }
  if (!(den > 0)) return kWeightOne;  // r == d: any weight gives the same estimate
  const double w = std::clamp(num / den, 0.0, 1.0);
  return static_cast<int>(std::lround(w * kWeightOne));
}

namespace {

constexpr int kMaxDiff = 2 * video::kMotionRange;  // component differences in -14..14

// Static distribution of a component difference: p(d) proportional to e^(-1.2 |d|).
const rans::CdfTable& DiffTable() {
  static const rans::CdfTable t = [] {
    std::vector<double> pmf;
    for (int d = -kMaxDiff; d <= kMaxDiff; ++d) pmf.push_back(std::exp(-1.2 * std::abs(d)));
    return rans::BuildCdfTable(pmf, 12, false).value();
  }();
  return t;
}

// The predictor of block b's component: its left neighbour, else the block above, else 0.
inline int Predict(const std::vector<int8_t>& v, uint32_t cols, size_t b) {
  if (b % cols) return v[b - 1];
  return b >= cols ? v[b - cols] : 0;
}

}  // namespace

Status WriteMotion(const video::MotionField& m, std::vector<uint8_t>* out) {
  rans::Encoder enc;
  for (size_t b = 0; b < m.dx.size(); ++b) {
    EncodeSymbol(&enc, DiffTable(), static_cast<uint32_t>(m.dx[b] - Predict(m.dx, m.cols, b) + kMaxDiff));
    EncodeSymbol(&enc, DiffTable(), static_cast<uint32_t>(m.dy[b] - Predict(m.dy, m.cols, b) + kMaxDiff));
  }
  return enc.Finish(out);
}

Status ReadMotion(const uint8_t* data, size_t size, const video::Geometry& g, video::MotionField* m) {
  m->cols = (g.width + video::kMotionBlock - 1) / video::kMotionBlock;
  m->rows = (g.height + video::kMotionBlock - 1) / video::kMotionBlock;
  const size_t n = static_cast<size_t>(m->cols) * m->rows;
  m->dx.assign(n, 0);
  m->dy.assign(n, 0);
  rans::Decoder dec;
  RETURN_IF_ERROR(dec.Init(data, size));
  for (size_t b = 0; b < n; ++b)
    for (std::vector<int8_t>* v : {&m->dx, &m->dy}) {
      uint32_t s;
      RETURN_IF_ERROR(DecodeSymbol(&dec, DiffTable(), &s));
      const int c = static_cast<int>(s) - kMaxDiff + Predict(*v, m->cols, b);
      if (c < -video::kMotionRange || c > video::kMotionRange)
        return Error(DC_ERR_CORRUPT, "video-lossy: motion vector out of range");
      (*v)[b] = static_cast<int8_t>(c);
    }
  return dec.Finish();
}

void ReferenceLatents(const lossy::LdmNet& net, const video::Geometry& g, const uint8_t* prev,
                      const video::MotionField* m, int threads, float* r) {
  const lossy::internal::Latents lg(g.width, g.height, net.config().latent);
  const int H = lg.h * lossy::kFactor, W = lg.w * lossy::kFactor;
  std::vector<uint8_t> moved;
  if (m) {
    moved.resize(g.frame_bytes());
    video::Compensate(g, prev, *m, moved.data());
    prev = moved.data();
  }
  std::vector<float> planes(static_cast<size_t>(3) * H * W);
  FrameToPlanes(g, prev, H, W, planes.data());
  net.Encode(planes.data(), H, W, threads, r);
}

Start MakeStart(const lossy::LdmNet& net, const video::Geometry& g, const lossy::Schedule& s, int threads) {
  const lossy::internal::Latents lg(g.width, g.height, net.config().latent);
  Start st;
  st.x0.resize(lg.n);
  st.d0.resize(lg.n);
  lossy::internal::StartNoise(s, lg.n, st.x0.data());
  net.Denoise(st.x0.data(), lg.h, lg.w, s.lambdas[0], threads, st.d0.data());
  return st;
}

StatusOr<Stream> ParseStream(const uint8_t* payload, size_t size, uint64_t frames) {
  ByteReader r(payload, size);
  uint64_t hs;
  RETURN_IF_ERROR(r.Varint(&hs));
  if (hs > r.remaining()) return Error(DC_ERR_TRUNCATED, "video-lossy: schedule ends early");
  const uint8_t* h;
  RETURN_IF_ERROR(r.Bytes(static_cast<size_t>(hs), &h));
  Stream s;
  ASSIGN_OR_RETURN(s.schedule, lossy::ParseHeader(h, static_cast<size_t>(hs)));
  if (s.schedule.has_colour) return Error(DC_ERR_CORRUPT, "video-lossy: colour transform flag set in the schedule");
  if (s.schedule.decode_steps != 0) return Error(DC_ERR_CORRUPT, "video-lossy: the schedule has decoding steps");
  const size_t off = size - r.remaining();
  ASSIGN_OR_RETURN(s.index, video::ParseIndex(payload + off, r.remaining(), frames));
  for (auto& e : s.index) e.offset += off;
  return s;
}

}  // namespace dc::vlossy
