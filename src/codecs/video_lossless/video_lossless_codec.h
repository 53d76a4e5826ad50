// video-lossless (id 7) in the codec registry, and the container helpers both video codecs
// (and the frame-by-frame decoder API, src/api/video_api.cc) share.
#ifndef DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_CODEC_H_
#define DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_CODEC_H_

#include <cstdint>

#include "codecs/image_lossless/image_lossless.h"
#include "codecs/video_lossless/video_lossless.h"
#include "common/bytes.h"
#include "common/status.h"
#include "container/header.h"
#include "diffcomp/diffcomp.h"
#include "models/model_store.h"

namespace dc {

// The options of a video-lossless file of `revision` (1 or 2): the image core's revision is the
// same number (docs/codecs/video-lossless.md).
adm::CodecOptions VideoOptions(uint32_t tile, uint32_t coder_flags, int threads, uint32_t revision);
video::Geometry GeometryOf(const container::Header& h);
Status CheckVideoContent(const dc_content& in);
// The keyframe interval asked for (0: the default).
StatusOr<uint32_t> KeyintOf(const dc_params& p);
// The container fields every video file has.
void FillVideoHeader(const dc_content& in, const LoadedModel& model, uint32_t keyint, container::Header* h);
// The keyframe-interval parameter (video-lossless after its tile parameter; video-lossy alone).
void WriteKeyint(const container::Header& h, ByteWriter& w);
Status ParseKeyint(ByteReader& r, container::Header* h);
// The tile parameter of image-lossless and video-lossless (image_lossless_codec.cc).
void WriteTileParameter(const container::Header& h, ByteWriter& w);
Status ParseTileParameter(ByteReader& r, container::Header* h);

}  // namespace dc

#endif  // DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_CODEC_H_
