// The frame-by-frame video decoder of the C API (dc_video_decoder_*), for both video codecs.
#include "api/abi.h"

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <thread>

#include "codecs/codec.h"
#include "codecs/video_lossless/video_lossless.h"
#include "codecs/video_lossless/video_lossless_codec.h"
#include "codecs/video_lossy/video_lossy.h"
#include "common/last_error.h"
#include "container/container.h"
#include "models/model_store.h"

struct dc_video_decoder {
  dc::container::Header header;
  const uint8_t* payload = nullptr;
  dc_params params{};
  std::string model_path;
  std::unique_ptr<dc::video::FrameDecoder> dec;          // video-lossless
  std::unique_ptr<dc::vlossy::FrameDecoder> lossy_dec;   // video-lossy
  std::vector<dc::video::FrameEntry> index;  // until a decoder is made
  dc::lossy::Schedule schedule;              // video-lossy
  std::shared_ptr<const dc::LoadedModel> model;
  uint64_t next_in_order = 0;  // frames 0..next-1 decoded in order, their CRC in crc_all
  uLong crc_all = 0;
};

namespace {

template <typename Fn>
dc_error VGuard(Fn&& fn) {
  try {
    const dc::Status s = fn();
    return s.ok() ? DC_OK : dc::SetLastError(s);
  } catch (const std::bad_alloc&) {
    return dc::SetLastError(dc::Error(DC_ERR_OUT_OF_MEMORY, "out of memory"));
  } catch (const std::exception& e) {
    return dc::SetLastError(dc::Error(DC_ERR_INTERNAL, std::string("internal error: ") + e.what()));
  }
}

}  // namespace

extern "C" {

dc_error dc_video_decoder_open(const uint8_t* data, size_t size, const dc_params* params, dc_video_decoder** out) {
  if ((!data && size) || !out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  *out = nullptr;
  return VGuard([&]() -> dc::Status {
    ASSIGN_OR_RETURN(dc::container::Header h, dc::container::Parse(data, size));
    if (h.codec != DC_CODEC_VIDEO_LOSSLESS && h.codec != DC_CODEC_VIDEO_LOSSY)
      return dc::Error(DC_ERR_INVALID_ARGUMENT, std::string("not a video file (codec ") + dc_codec_name(h.codec) + ")");
    dc_params p;
    dc_params_init(&p);
    if (params) RETURN_IF_ERROR(dc::ReadParams(params, &p));
    // Two decoded frames, the decoder's working set and the index, within the memory limit.
    const dc::Codec* codec = dc::FindCodec(h.codec);
    const uint64_t fb = dc::container::VideoFrameBytes(h.width, h.height, h.chroma);
    ASSIGN_OR_RETURN(p.threads, dc::ThreadsWithinMemory(dc::ResolveThreads(p.threads), p.memory_limit, [&](int n) {
                       return codec->DecodeMemory(h, n) - h.original_size + 2 * fb;
                     }));
    if (h.payload_size < codec->MinPayload(h)) return dc::Error(DC_ERR_TRUNCATED, "payload shorter than its frame index");
    auto d = std::make_unique<dc_video_decoder>();
    if (h.codec == DC_CODEC_VIDEO_LOSSY) {
      // The checksum covers the payload: verified before anything is decoded.
      if (dc::container::Crc32(data + h.payload_offset, h.payload_size) != h.checksum)
        return dc::Error(DC_ERR_CHECKSUM, "payload does not match its checksum");
      ASSIGN_OR_RETURN(auto stream, dc::vlossy::ParseStream(data + h.payload_offset, h.payload_size, h.frames));
      d->index = std::move(stream.index);
      d->schedule = std::move(stream.schedule);
    } else {
      ASSIGN_OR_RETURN(d->index, dc::video::ParseIndex(data + h.payload_offset, h.payload_size, h.frames));
    }
    // The side data is returned by pointer into the file: keep the header's copy's position.
    d->payload = data + h.payload_offset;
    d->header = std::move(h);
    dc_params_init(&d->params);
    if (params) RETURN_IF_ERROR(dc::ReadParams(params, &d->params));  // struct_size (api/abi.h)
    if (d->params.model_path) {
      d->model_path = d->params.model_path;
      d->params.model_path = d->model_path.c_str();
    }
    d->params.progress = nullptr;
    d->params.threads = p.threads;  // within the memory limit (ThreadsWithinMemory above)
    d->crc_all = crc32(0L, Z_NULL, 0);
    *out = d.release();
    return dc::Status::Ok();
  });
}

dc_error dc_video_decoder_info(const dc_video_decoder* d, dc_video_info* out) {
  if (!d || !out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  *out = dc_video_info{};
  out->width = d->header.width;
  out->height = d->header.height;
  out->chroma = d->header.chroma;
  out->frames = d->header.frames;
  out->keyint = d->header.keyint;
  out->frame_bytes = dc::container::VideoFrameBytes(d->header.width, d->header.height, d->header.chroma);
  out->format = d->header.format;
  out->side = d->header.side.empty() ? nullptr : d->header.side.data();
  out->side_size = d->header.side.size();
  return DC_OK;
}

dc_error dc_video_frame_coded_size(const dc_video_decoder* d, uint64_t frame, uint64_t* bytes) {
  if (!d || !bytes) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  const auto& idx = d->dec ? d->dec->index() : d->lossy_dec ? d->lossy_dec->index() : d->index;
  if (frame >= idx.size()) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "frame beyond the last"));
  *bytes = idx[frame].size;
  return DC_OK;
}

dc_error dc_video_decode_frame(dc_video_decoder* d, uint64_t frame, uint8_t* out, size_t out_size) {
  if (!d || !out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  return VGuard([&]() -> dc::Status {
    const dc::container::Header& h = d->header;
    const uint64_t fb = dc::container::VideoFrameBytes(h.width, h.height, h.chroma);
    if (out_size < fb) return dc::Error(DC_ERR_INVALID_ARGUMENT, "output buffer smaller than a frame");
    if (frame >= h.frames) return dc::Error(DC_ERR_INVALID_ARGUMENT, "frame " + std::to_string(frame) + " beyond the last");
    if (h.codec == DC_CODEC_VIDEO_LOSSY) {
      if (!d->lossy_dec) {
        ASSIGN_OR_RETURN(d->model, dc::ModelForFile(h, d->params.model_path));
        d->lossy_dec = std::make_unique<dc::vlossy::FrameDecoder>(
            d->model->image_lossy.get(), dc::GeometryOf(h), h.keyint, dc::ResolveThreads(d->params.threads), d->payload,
            dc::vlossy::Stream{d->schedule, std::move(d->index)});
      }
      RETURN_IF_ERROR(d->lossy_dec->Decode(frame, out));
      if (frame == d->next_in_order) {
        d->crc_all = crc32(d->crc_all, out, static_cast<uInt>(fb));
        ++d->next_in_order;
      }
      return dc::Status::Ok();
    }
    if (!d->dec) {
      ASSIGN_OR_RETURN(d->model, dc::ModelForFile(h, d->params.model_path));
      dc::video::Geometry g = dc::GeometryOf(h);
      d->dec = std::make_unique<dc::video::FrameDecoder>(d->model->image_lossless.get(), g, h.keyint,
                                                         dc::VideoOptions(h.tile_size, h.coder_flags, dc::ResolveThreads(d->params.threads), h.revision),
                                                         d->payload, std::move(d->index));
    }
    RETURN_IF_ERROR(d->dec->Decode(frame, out));
    if (frame == d->next_in_order) {
      d->crc_all = crc32(d->crc_all, out, static_cast<uInt>(fb));
      ++d->next_in_order;
    }
    return dc::Status::Ok();
  });
}

dc_error dc_video_decoder_verify_all(const dc_video_decoder* d) {
  if (!d) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  if (d->next_in_order != d->header.frames)
    return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "not every frame was decoded in order"));
  // video-lossy: the payload checksum was verified at open; a version 2.0 file also holds the
  // checksum of the decoded frames. video-lossless: the checksum of the decoded frames.
  if (d->header.codec == DC_CODEC_VIDEO_LOSSY && !d->header.has_output_checksum) return DC_OK;
  const uint32_t want = d->header.codec == DC_CODEC_VIDEO_LOSSY ? d->header.output_checksum : d->header.checksum;
  if (static_cast<uint32_t>(d->crc_all) != want)
    return dc::SetLastError(dc::Error(DC_ERR_CHECKSUM, "decoded content does not match its checksum"));
  return DC_OK;
}

void dc_video_decoder_free(dc_video_decoder* d) { delete d; }

}  // extern "C"
