#include "api/video_api.h"

#include "api/abi.h"

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <thread>

#include "api/image_lossy_api.h"
#include "api/model_store.h"
#include "api/progress.h"
#include "codecs/video_lossless/video_lossless.h"
#include "codecs/video_lossy/video_lossy.h"
#include "common/last_error.h"

namespace dc {
namespace {

int Threads(int t) {
  if (t > 0) return t;
  const unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(hc) : 1;
}

adm::CodecOptions VideoOptions(const dc_params& p, uint32_t tile, uint32_t coder_flags, int threads) {
  adm::CodecOptions o;
  o.threads = threads;
  o.tile_size = tile;
  o.adapt = (coder_flags & container::kCoderFlagAdapt) != 0;
  o.progress = ProgressOf(p);
  return o;
}

video::Geometry GeometryOf(const container::Header& h) {
  video::Geometry g;
  g.width = h.width;
  g.height = h.height;
  g.chroma = h.chroma == 444 ? video::kChroma444 : video::kChroma420;
  return g;
}

Status CheckVideoContent(const dc_content& in) {
  if (in.chroma != 420 && in.chroma != 444)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "video chroma " + std::to_string(in.chroma) + " (420 or 444 supported)");
  if (in.bit_depth != 8) return Error(DC_ERR_UNSUPPORTED_FORMAT, "only 8-bit video is supported");
  if (in.width == 0 || in.height == 0 || in.frames == 0)
    return Error(DC_ERR_INVALID_ARGUMENT, "video has a zero dimension or no frames");
  if (in.width > DC_MAX_IMAGE_DIM || in.height > DC_MAX_IMAGE_DIM || uint64_t{in.width} * in.height > DC_MAX_IMAGE_PIXELS)
    return Error(DC_ERR_TOO_LARGE, "video frame dimensions beyond the limit");
  if (in.frames > container::kMaxVideoFrames) return Error(DC_ERR_TOO_LARGE, "more frames than the limit (2^20)");
  const uint64_t fb = container::VideoFrameBytes(in.width, in.height, in.chroma);
  if (in.size != fb * in.frames)
    return Error(DC_ERR_INVALID_ARGUMENT, "video buffer size does not match frames x frame size");
  if (!container::FormatFitsKind(in.format, DC_KIND_VIDEO))
    return Error(DC_ERR_INVALID_ARGUMENT, "video content needs format y4m or raw-i420");
  if (in.format == DC_FORMAT_RAW_I420 && in.chroma != 420) return Error(DC_ERR_INVALID_ARGUMENT, "raw I420 is 4:2:0");
  if (in.side_size > container::kMaxSideBytes) return Error(DC_ERR_TOO_LARGE, "side data beyond the limit");
  if (in.side_size && !in.side) return Error(DC_ERR_INVALID_ARGUMENT, "side data pointer is null");
  return Status::Ok();
}

// The keyframe interval asked for (0: the default).
StatusOr<uint32_t> KeyintOf(const dc_params& p) {
  const uint32_t keyint = p.keyint ? p.keyint : video::kDefaultKeyint;
  if (keyint > video::kMaxKeyint) return Error(DC_ERR_INVALID_ARGUMENT, "keyframe interval beyond 2^20");
  return keyint;
}

// The container fields every video file has.
void FillVideoHeader(const dc_content& in, const LoadedModel& model, uint32_t keyint, container::Header* h) {
  h->width = in.width;
  h->height = in.height;
  h->chroma = in.chroma;
  h->channels = 3;
  h->frames = in.frames;
  h->side.assign(in.side, in.side + in.side_size);
  h->has_model = true;
  h->model_id = model.model_id;
  h->fingerprint = model.fingerprint;
  h->keyint = keyint;
}

}  // namespace

Status CompressVideoLossless(const dc_content& in, const dc_params& p, container::Header* h,
                             std::vector<uint8_t>* payload, int threads, double* model_bits, double* nll_bits) {
  RETURN_IF_ERROR(CheckVideoContent(in));
  ASSIGN_OR_RETURN(const uint32_t keyint, KeyintOf(p));
  uint32_t tile = p.tile_size ? p.tile_size : video::kDefaultTileSize;
  if (tile < adm::kMinTileSize || tile > adm::kMaxTileSize) return Error(DC_ERR_INVALID_ARGUMENT, "tile size out of range (16 to 4096)");
  // A tile larger than the frame codes it the same way as one the frame's size.
  tile = std::min(tile, std::max(adm::kMinTileSize, std::max(in.width, in.height)));
  ASSIGN_OR_RETURN(auto model, GetModel(DC_CODEC_VIDEO_LOSSLESS, p.model_path));
  FillVideoHeader(in, *model, keyint, h);
  h->tile_size = tile;
  h->coder_flags = container::kCoderFlagAdapt;  // new files: the online mixture correction on
  video::FrameStats st;
  RETURN_IF_ERROR(video::EncodeVideo(*model->image_lossless, GeometryOf(*h), in.data, in.frames, keyint,
                                     VideoOptions(p, tile, h->coder_flags, threads), payload, &st, nullptr));
  *model_bits = st.model_bits;
  *nll_bits = st.model_nll_bits;
  return Status::Ok();
}

Status DecompressVideoLossless(const container::Header& h, const uint8_t* payload, const dc_params& p,
                               std::vector<uint8_t>* out, int threads) {
  ASSIGN_OR_RETURN(auto model, ModelForFile(h, p.model_path));
  ASSIGN_OR_RETURN(auto index, video::ParseIndex(payload, h.payload_size, h.frames));
  const video::Geometry g = GeometryOf(h);
  adm::CodecOptions o = VideoOptions(p, h.tile_size, h.coder_flags, threads);
  auto progress = o.progress;
  o.progress = nullptr;
  video::FrameDecoder dec(model->image_lossless.get(), g, h.keyint, o, payload, std::move(index));
  const size_t fb = g.frame_bytes();
  out->assign(h.original_size, 0);
  for (uint64_t f = 0; f < h.frames; ++f) {
    RETURN_IF_ERROR(dec.Decode(f, out->data() + f * fb));
    if (progress) progress(f + 1, h.frames);
  }
  return Status::Ok();
}

Status CompressVideoLossy(const dc_content& in, const dc_params& p, container::Header* h, std::vector<uint8_t>* payload,
                          int threads) {
  RETURN_IF_ERROR(CheckVideoContent(in));
  RETURN_IF_ERROR(CheckLossyRate(p, "video-lossy"));
  ASSIGN_OR_RETURN(const uint32_t keyint, KeyintOf(p));
  ASSIGN_OR_RETURN(auto model, GetModel(DC_CODEC_VIDEO_LOSSY, p.model_path));
  FillVideoHeader(in, *model, keyint, h);
  vlossy::EncodeOptions o;
  o.threads = threads;
  o.keyint = keyint;
  o.progress = ProgressOf(p);
  const int S = static_cast<int>(o.schedule.lambdas.size()) - 1;
  if (p.bpp > 0) o.bpp = p.bpp;
  else o.max_steps = StepsForQuality(p.quality, S);
  return vlossy::EncodeVideo(*model->image_lossy, GeometryOf(*h), in.data, in.frames, o, LossyContainerOverhead(*h, 0),
                             payload, nullptr);
}

Status DecompressVideoLossy(const container::Header& h, const uint8_t* payload, const dc_params& p,
                            std::vector<uint8_t>* out, int threads) {
  ASSIGN_OR_RETURN(auto model, ModelForFile(h, p.model_path));
  ASSIGN_OR_RETURN(auto stream, vlossy::ParseStream(payload, h.payload_size, h.frames));
  const video::Geometry g = GeometryOf(h);
  vlossy::FrameDecoder dec(model->image_lossy.get(), g, h.keyint, threads, payload, std::move(stream));
  const size_t fb = g.frame_bytes();
  out->assign(h.original_size, 0);
  for (uint64_t f = 0; f < h.frames; ++f) {
    RETURN_IF_ERROR(dec.Decode(f, out->data() + f * fb));
    if (p.progress) p.progress(p.progress_opaque, f + 1, h.frames);
  }
  return Status::Ok();
}

}  // namespace dc

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
            d->model->image_lossy.get(), dc::GeometryOf(h), h.keyint, dc::Threads(d->params.threads), d->payload,
            dc::vlossy::Stream{d->schedule, std::move(d->index)});
      }
      RETURN_IF_ERROR(d->lossy_dec->Decode(frame, out));
      if (frame == d->next_in_order) ++d->next_in_order;
      return dc::Status::Ok();
    }
    if (!d->dec) {
      ASSIGN_OR_RETURN(d->model, dc::ModelForFile(h, d->params.model_path));
      dc::video::Geometry g = dc::GeometryOf(h);
      d->dec = std::make_unique<dc::video::FrameDecoder>(d->model->image_lossless.get(), g, h.keyint,
                                                         dc::VideoOptions(d->params, h.tile_size, h.coder_flags, dc::Threads(d->params.threads)),
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
  if (d->header.codec == DC_CODEC_VIDEO_LOSSY) return DC_OK;  // payload checksum verified at open
  if (static_cast<uint32_t>(d->crc_all) != d->header.checksum)
    return dc::SetLastError(dc::Error(DC_ERR_CHECKSUM, "decoded content does not match its checksum"));
  return DC_OK;
}

void dc_video_decoder_free(dc_video_decoder* d) { delete d; }

}  // extern "C"
