// Y4M (YUV4MPEG2) parsing and rebuilding, outside the core library.
#ifndef DIFFCOMP_EXTRAS_Y4M_H_
#define DIFFCOMP_EXTRAS_Y4M_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "diffcomp/status.h"

namespace dc::extras {

// Y4M: "YUV4MPEG2 W.. H.. F.. ..." header line, then "FRAME...\n" + planes per frame.
// Supported chroma: 420 (420jpeg, 420paldv, 420mpeg2, or no C tag) and 444, 8-bit.
struct Y4m {
  uint32_t width = 0, height = 0;
  uint32_t chroma = 420;              // 420 or 444
  std::vector<uint8_t> header_line;   // the stream header line, verbatim, with its '\n'
  std::vector<std::vector<uint8_t>> frame_headers;  // each "FRAME...\n" line verbatim
  std::vector<std::vector<uint8_t>> frames;         // Y, U, V planes of each frame
};
// Decoding limits: more frames than kMaxY4mFrames is DC_ERR_TOO_LARGE (each frame costs two
// heap buffers, so a stream of tiny frames would otherwise cost far more memory than its size);
// a header or FRAME line longer than kMaxY4mLineBytes is DC_ERR_CORRUPT. Frame sizes are bounded
// by DC_MAX_IMAGE_DIM / DC_MAX_IMAGE_PIXELS (DC_ERR_TOO_LARGE). A frame cut short is
// DC_ERR_TRUNCATED. Other chroma modes (422, mono, 10-bit, ...) are DC_ERR_UNSUPPORTED_FORMAT.
inline constexpr size_t kMaxY4mFrames = size_t{1} << 20;
inline constexpr size_t kMaxY4mLineBytes = 4096;
StatusOr<Y4m> DecodeY4m(const uint8_t* data, size_t size);
// Checks that header_line agrees with width/height/chroma and that every frame has the right
// size (DC_ERR_INVALID_ARGUMENT otherwise), then concatenates the parts verbatim.
StatusOr<std::vector<uint8_t>> EncodeY4m(const Y4m& y4m);

}  // namespace dc::extras

#endif  // DIFFCOMP_EXTRAS_Y4M_H_
