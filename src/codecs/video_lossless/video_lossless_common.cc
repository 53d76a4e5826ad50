// Pieces of the lossless video codec shared by enc_ and dec_video_lossless.cc.
#include "codecs/video_lossless/video_lossless_common.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "codecs/image_lossless/adm_layout.h"
#include "common/bytes.h"

namespace dc::video {

Status CheckVideoNet(const adm::AdmNet& net) {
  const auto& c = net.config();
  if (c.extra_trunk_inputs != adm::kPrevTrunkInputs || c.extra_head_inputs != adm::kPrevHeadInputs)
    return Error(DC_ERR_MODEL_MISMATCH, "not a video-lossless model (it lacks the previous-frame inputs " +
                                            std::to_string(adm::kPrevTrunkInputs) + "/" +
                                            std::to_string(adm::kPrevHeadInputs) + ")");
  return Status::Ok();
}

std::vector<TileTask> FrameTiles(const Geometry& g, uint32_t tile) {
  std::vector<TileTask> t;
  size_t off = 0;
  for (int p = 0; p < 3; ++p) {
    const uint32_t W = g.plane_width(p), H = g.plane_height(p);
    for (uint32_t y0 = 0; y0 < H; y0 += tile)
      for (uint32_t x0 = 0; x0 < W; x0 += tile)
        t.push_back({p, off, W, x0, y0, std::min(tile, W - x0), std::min(tile, H - y0)});
    off += g.plane_bytes(p);
  }
  return t;
}

adm::Level TileLevel(const uint8_t* frame, const TileTask& t) {
  adm::Level l;
  l.height = static_cast<int>(t.th);
  l.width = static_cast<int>(t.tw);
  l.rgb.resize(static_cast<size_t>(t.th) * t.tw * 3);
  for (uint32_t y = 0; y < t.th; ++y) {
    const uint8_t* row = frame + t.plane_offset + static_cast<size_t>(t.y0 + y) * t.plane_width + t.x0;
    uint8_t* d = &l.rgb[static_cast<size_t>(y) * t.tw * 3];
    for (uint32_t x = 0; x < t.tw; ++x) d[3 * x] = d[3 * x + 1] = d[3 * x + 2] = row[x];
  }
  return l;
}

bool TileEqual(const uint8_t* a, const uint8_t* b, const TileTask& t) {
  for (uint32_t y = 0; y < t.th; ++y) {
    const size_t o = t.plane_offset + static_cast<size_t>(t.y0 + y) * t.plane_width + t.x0;
    if (std::memcmp(a + o, b + o, t.tw) != 0) return false;
  }
  return true;
}

bool MotionField::zero() const {
  for (size_t i = 0; i < dx.size(); ++i)
    if (dx[i] || dy[i] || (sub() && (fx[i] || fy[i]))) return false;
  return true;
}

namespace {
inline int Clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }
}  // namespace

namespace {
// Added to a fractional vector's cost: it must beat the integer one by more than a few grey
// levels over the block (pilot, docs/design-adaptive.md: 0 vs 32 within 0.1 %).
constexpr long kSubPenalty = 32;
// The 8-tap interpolation filter of each quarter phase (HEVC's luma filter; taps at offsets
// -3..4, sum 64).
constexpr int kTaps[4][8] = {{0, 0, 0, 64, 0, 0, 0, 0},
                             {-1, 4, -10, 58, 17, -5, 1, 0},
                             {-1, 4, -11, 40, 40, -11, 4, -1},
                             {0, 1, -5, 17, 58, -10, 4, -1}};
// The reference sample of plane (W x H, row-major) at (y + fy / 4, x + fx / 4), fx and fy in
// 0..3, coordinates clamped to the plane. filter 0: bilinear weights in quarters, rounded;
// filter 1: the separable 8-tap filter (rows first), rounded and clamped to 0..255.
inline int SubSample(const uint8_t* p, int W, int H, int y, int x, int fy, int fx, int filter) {
  const int y0 = Clampi(y, 0, H - 1), x0 = Clampi(x, 0, W - 1);
  if (!fx && !fy) return p[static_cast<size_t>(y0) * W + x0];
  if (filter) {
    const auto row = [&](int yy) {  // horizontal pass of row yy (unrounded, x 64)
      const uint8_t* r = p + static_cast<size_t>(Clampi(yy, 0, H - 1)) * W;
      int s = 0;
      for (int i = 0; i < 8; ++i) s += kTaps[fx][i] * r[Clampi(x + i - 3, 0, W - 1)];
      return s;
    };
    int v;
    if (!fy) {
      v = (row(y) + 32) >> 6;
    } else if (!fx) {
      int s = 0;
      for (int k = 0; k < 8; ++k) s += kTaps[fy][k] * p[static_cast<size_t>(Clampi(y + k - 3, 0, H - 1)) * W + x0];
      v = (s + 32) >> 6;
    } else {
      int s = 0;
      for (int k = 0; k < 8; ++k) s += kTaps[fy][k] * row(y + k - 3);
      v = (s + 2048) >> 12;
    }
    return Clampi(v, 0, 255);
  }
  const int y1 = Clampi(y + 1, 0, H - 1), x1 = Clampi(x + 1, 0, W - 1);
  const uint8_t* r0 = p + static_cast<size_t>(y0) * W;
  const uint8_t* r1 = p + static_cast<size_t>(y1) * W;
  return ((4 - fx) * (4 - fy) * r0[x0] + fx * (4 - fy) * r0[x1] + (4 - fx) * fy * r1[x0] + fx * fy * r1[x1] + 8) >> 4;
}
// SAD of the block [y0, y1) x [x0, x1) against the reference moved by v4 (quarter pixels), with
// early exit once `limit` is reached.
long SubSad(const uint8_t* cur, const uint8_t* prev, int W, int H, int y0, int y1, int x0, int x1, int v4x, int v4y,
            int filter, long cost, long limit) {
  for (int y = y0; y < y1 && cost < limit; ++y) {
    const uint8_t* c = cur + static_cast<size_t>(y) * W;
    for (int x = x0; x < x1; ++x)
      cost += std::abs(c[x] - SubSample(prev, W, H, y + (v4y >> 2), x + (v4x >> 2), v4y & 3, v4x & 3, filter));
  }
  return cost;
}
}  // namespace

MotionField EstimateMotion(const Geometry& g, const uint8_t* cur, const uint8_t* prev, bool subpel) {
  MotionField m;
  if (subpel) m.range = kSubRange;
  const int W = static_cast<int>(g.width), H = static_cast<int>(g.height), B = kMotionBlock, R = m.range;
  m.cols = (g.width + B - 1) / B;
  m.rows = (g.height + B - 1) / B;
  m.dx.assign(static_cast<size_t>(m.cols) * m.rows, 0);
  m.dy.assign(m.dx.size(), 0);
  if (subpel) {
    m.fx.assign(m.dx.size(), 0);
    m.fy.assign(m.dx.size(), 0);
    m.filter.assign(m.dx.size(), 0);
  }
  for (uint32_t by = 0; by < m.rows; ++by)
    for (uint32_t bx = 0; bx < m.cols; ++bx) {
      const int y0 = static_cast<int>(by) * B, x0 = static_cast<int>(bx) * B;
      const int y1 = std::min(y0 + B, H), x1 = std::min(x0 + B, W);
      long best = -1;
      int bdx = 0, bdy = 0;
      for (int dy = -R; dy <= R; ++dy)
        for (int dx = -R; dx <= R; ++dx) {
          long cost = 4L * (std::abs(dx) + std::abs(dy));
          for (int y = y0; y < y1 && (best < 0 || cost < best); ++y) {
            const uint8_t* c = cur + static_cast<size_t>(y) * W;
            const uint8_t* p = prev + static_cast<size_t>(Clampi(y + dy, 0, H - 1)) * W;
            for (int x = x0; x < x1; ++x) cost += std::abs(c[x] - p[Clampi(x + dx, 0, W - 1)]);
          }
          if (best < 0 || cost < best) {
            best = cost;
            bdx = dx;
            bdy = dy;
          }
        }
      m.dx[by * m.cols + bx] = static_cast<int8_t>(bdx);
      m.dy[by * m.cols + bx] = static_cast<int8_t>(bdy);
      if (!subpel) continue;
      // For each filter (bilinear, then 8-tap): the 8 half-pixel positions around the best
      // integer vector, then the 8 quarter-pixel positions around the best so far (integer part
      // kept in range); the same cost plus kSubPenalty, strictly smaller wins (ties: bilinear).
      const long base = 4L * (std::abs(bdx) + std::abs(bdy)) + kSubPenalty, integer_best = best;
      int f4x = 4 * bdx, f4y = 4 * bdy, ffilter = 0;
      for (int filter = 0; filter < 2; ++filter) {
        int b4x = 4 * bdx, b4y = 4 * bdy;
        long fbest = integer_best;
        for (const int step : {2, 1}) {
          const int cx = b4x, cy = b4y;
          for (int ey = -1; ey <= 1; ++ey)
            for (int ex = -1; ex <= 1; ++ex) {
              if (!ey && !ex) continue;
              const int v4x = cx + step * ex, v4y = cy + step * ey;
              if ((v4x >> 2) < -R || (v4x >> 2) > R || (v4y >> 2) < -R || (v4y >> 2) > R) continue;
              const long cost = SubSad(cur, prev, W, H, y0, y1, x0, x1, v4x, v4y, filter, base, fbest);
              if (cost < fbest) {
                fbest = cost;
                b4x = v4x;
                b4y = v4y;
              }
            }
        }
        if (fbest < best) {
          best = fbest;
          f4x = b4x;
          f4y = b4y;
          ffilter = filter;
        }
      }
      m.dx[by * m.cols + bx] = static_cast<int8_t>(f4x >> 2);
      m.dy[by * m.cols + bx] = static_cast<int8_t>(f4y >> 2);
      m.fx[by * m.cols + bx] = static_cast<uint8_t>(f4x & 3);
      m.fy[by * m.cols + bx] = static_cast<uint8_t>(f4y & 3);
      m.filter[by * m.cols + bx] = static_cast<uint8_t>((f4x & 3) || (f4y & 3) ? ffilter : 0);
    }
  return m;
}

void Compensate(const Geometry& g, const uint8_t* prev, const MotionField& m, uint8_t* out) {
  size_t off = 0;
  for (int p = 0; p < 3; ++p) {
    const int W = static_cast<int>(g.plane_width(p)), H = static_cast<int>(g.plane_height(p));
    const bool half = p > 0 && g.chroma == kChroma420;
    const int B = half ? kMotionBlock / 2 : kMotionBlock;
    for (int y = 0; y < H; ++y) {
      const uint32_t by = std::min<uint32_t>(static_cast<uint32_t>(y / B), m.rows - 1);
      for (int x = 0; x < W; ++x) {
        const uint32_t bx = std::min<uint32_t>(static_cast<uint32_t>(x / B), m.cols - 1);
        const size_t b = by * m.cols + bx;
        int dx = m.dx[b], dy = m.dy[b];
        if (m.sub()) {  // mode 2: quarter-pixel units (4 d + f), halved (floor) for 4:2:0 chroma
          int v4x = 4 * dx + m.fx[b], v4y = 4 * dy + m.fy[b];
          if (half) {
            v4x >>= 1;
            v4y >>= 1;
          }
          out[off + static_cast<size_t>(y) * W + x] =
              static_cast<uint8_t>(SubSample(prev + off, W, H, y + (v4y >> 2), x + (v4x >> 2), v4y & 3, v4x & 3, m.filter.empty() ? 0 : m.filter[b]));
          continue;
        }
        if (half) {
          dx >>= 1;
          dy >>= 1;
        }
        out[off + static_cast<size_t>(y) * W + x] =
            prev[off + static_cast<size_t>(Clampi(y + dy, 0, H - 1)) * W + Clampi(x + dx, 0, W - 1)];
      }
    }
    off += g.plane_bytes(p);
  }
}

StatusOr<std::vector<FrameEntry>> ParseIndex(const uint8_t* payload, size_t size, uint64_t frames) {
  ByteReader r(payload, size);
  std::vector<FrameEntry> idx;
  idx.reserve(static_cast<size_t>(std::min<uint64_t>(frames, size)));  // each entry takes >= 5 bytes
  uint64_t total = 0;
  for (uint64_t f = 0; f < frames; ++f) {
    FrameEntry e;
    RETURN_IF_ERROR(r.Varint(&e.size));
    RETURN_IF_ERROR(r.U32(&e.crc));
    if (e.size > size) return Error(DC_ERR_CORRUPT, "frame " + std::to_string(f) + " larger than the payload");
    total += e.size;
    if (total > size) return Error(DC_ERR_TRUNCATED, "frame data ends early (frame " + std::to_string(f) + ")");
    idx.push_back(e);
  }
  uint64_t off = size - r.remaining();
  if (off + total > size) return Error(DC_ERR_TRUNCATED, "frame data ends early");
  if (off + total < size) return Error(DC_ERR_CORRUPT, "trailing bytes after the last frame");
  for (auto& e : idx) {
    e.offset = off;
    off += e.size;
  }
  return idx;
}

}  // namespace dc::video
