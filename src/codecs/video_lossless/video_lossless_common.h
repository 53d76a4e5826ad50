// Internal pieces shared by enc_ and dec_video_lossless.cc: the tiles of a frame's planes.
#ifndef DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_COMMON_H_
#define DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_COMMON_H_

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

}  // namespace dc::video

#endif  // DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_COMMON_H_
