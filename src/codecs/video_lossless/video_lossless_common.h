// Internal pieces shared by enc_ and dec_video_lossless.cc: the tiles of a frame's planes.
#ifndef DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_COMMON_H_
#define DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_COMMON_H_

#include <algorithm>
#include <array>
#include <vector>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/video_lossless/video_lossless.h"

namespace dc::video {

// One tile of one plane: planes Y, U, V in order, tiles row-major within a plane.
struct TileTask {
  int plane;
  size_t plane_offset;  // of the plane within the frame
  uint32_t plane_width;
  uint32_t x0, y0, tw, th;
};
std::vector<TileTask> FrameTiles(const Geometry& g, uint32_t tile);
// The tile's pixels as a gray level (value replicated into the network's three channels).
adm::Level TileLevel(const uint8_t* frame, const TileTask& t);
// Whether the tile's pixels are the same in both frames.
bool TileEqual(const uint8_t* a, const uint8_t* b, const TileTask& t);

// Revision 2's coded motion field (mode 2): per block in raster order, each component v = 4 d + f
// (quarter pixels, -60..63) minus its predictor (the left block's, else the upper block's, else
// 0), binarised (zero flag, sign, unary magnitude - 1) into adaptive binary flags.
class FieldCoder {
 public:
  // component x (zero, sign, magnitude bins 0..13), then 2 of the filter flag (by the last one)
  static constexpr int kContexts = 2 * 16 + 2;
  static int FilterContext(int last) { return 32 + last; }
  // Context of bin `bin` (0 zero flag, 1 sign, 2 + i magnitude bin i) of component `comp`.
  static int Context(int comp, int bin) { return comp * 16 + std::min(bin, 15); }
  // P(bit = 1) in 1/65536 for coding, in [64, 65472].
  uint32_t P16(int ctx) const { return std::clamp<uint32_t>(p_[static_cast<size_t>(ctx)], 64, 65472); }
  void Update(int ctx, int bit) {
    int32_t& p = p_[static_cast<size_t>(ctx)];
    p += ((bit ? 65536 : 0) - p) >> 4;  // arithmetic shift
  }
  // The predictor of block b's component (0: x, 1: y) from the values already coded.
  static int Predictor(const std::vector<int>& v, uint32_t cols, size_t b, int comp) {
    const uint32_t bx = static_cast<uint32_t>(b % cols);
    if (bx > 0) return v[2 * (b - 1) + comp];
    if (b >= cols) return v[2 * (b - cols) + comp];
    return 0;
  }

 private:
  std::array<int32_t, kContexts> p_ = FilledWith(32768);
  static std::array<int32_t, kContexts> FilledWith(int32_t x) {
    std::array<int32_t, kContexts> a{};
    a.fill(x);
    return a;
  }
};

}  // namespace dc::video

#endif  // DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_COMMON_H_
