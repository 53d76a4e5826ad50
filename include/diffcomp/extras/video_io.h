// Video files (Y4M, raw I420) for the video codecs: reading into DC_KIND_VIDEO content with the
// side data that rebuilds the original file byte for byte, and writing decoded frames back,
// frame by frame, to a file that appears only when complete.
//
// Side data (stored verbatim in the container, docs/codecs/video-lossless.md):
//   Y4M:      varint header_len, the stream header line (with its '\n'), u8 mode;
//             mode 0: every frame line is exactly "FRAME\n"; mode 1: then per frame
//             varint len + the frame line verbatim (with its '\n').
//   raw I420: varint len + the frame rate as given (--fps, text, e.g. "12" or "30000:1001").
#ifndef DIFFCOMP_EXTRAS_VIDEO_IO_H_
#define DIFFCOMP_EXTRAS_VIDEO_IO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "diffcomp/status.h"
#include "diffcomp/diffcomp.h"

namespace dc::extras {

struct VideoFile {
  dc_format format = DC_FORMAT_Y4M;
  uint32_t width = 0, height = 0, chroma = 420;
  uint64_t frames = 0;
  std::vector<uint8_t> data;  // frames x (Y, U, V planes)
  std::vector<uint8_t> side;
  dc_content Content() const;
};

// A Y4M stream (by its content), or, when raw_width > 0, headerless I420 frames of that size.
// Truncated frames, a raw size that is not a whole number of frames, unsupported chroma: errors.
StatusOr<VideoFile> ParseVideo(const uint8_t* bytes, size_t size, uint32_t raw_width, uint32_t raw_height,
                               const std::string& raw_fps);
// "WxH" -> width, height.
Status ParseSize(const std::string& s, uint32_t* w, uint32_t* h);
bool IsY4m(const uint8_t* bytes, size_t size);

// "A:B" (frames A to B-1; A or B may be empty: from the start / to the end), or "A" (one frame).
struct FrameRange {
  uint64_t first = 0, end = UINT64_MAX;
};
StatusOr<FrameRange> ParseFrameRange(const std::string& s);

struct VideoDecodeResult {
  uint64_t bytes = 0, frames = 0, first = 0, network_frames = 0;
  bool whole = false;  // every frame decoded and the container checksum verified
};
// Decodes a video container (frames of `range`, clamped to the file; empty range: all) to
// out_path in the original format (Y4M: header, frame lines and planes; raw: planes), frame by
// frame through a temporary file renamed at the end (nothing is left on error).
StatusOr<VideoDecodeResult> DecompressVideoToFile(const uint8_t* data, size_t size, const dc_params& params,
                                                  const std::string& out_path, bool overwrite,
                                                  const std::string& range);

// What `diffcomp info` shows of a video container: geometry, frames, keyframes, bytes per frame.
struct VideoSummary {
  dc_video_info info{};
  std::string fps;
  std::vector<uint64_t> frame_bytes;
};
StatusOr<VideoSummary> SummariseVideo(const uint8_t* data, size_t size);

}  // namespace dc::extras

#endif  // DIFFCOMP_EXTRAS_VIDEO_IO_H_
