#include "codecs/video_lossless/video_lossless_codec.h"

#include <algorithm>
#include <string>

#include "codecs/codec.h"
#include "container/container.h"

namespace dc {


adm::CodecOptions VideoOptions(uint32_t tile, uint32_t coder_flags, int threads, uint32_t revision) {
  adm::CodecOptions o;
  o.threads = threads;
  o.tile_size = tile;
  o.adapt = (coder_flags & container::kCoderFlagAdapt) != 0;
  // Revision 1 codes the planes with image-lossless revision 1; revision 2 with image-lossless
  // revision 2 plus the temporal candidate and copied tiles (video_lossless.h).
  o.revision = static_cast<int>(revision);
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

StatusOr<uint32_t> KeyintOf(const dc_params& p) {
  const uint32_t keyint = p.keyint ? p.keyint : video::kDefaultKeyint;
  if (keyint > video::kMaxKeyint) return Error(DC_ERR_INVALID_ARGUMENT, "keyframe interval beyond 2^20");
  return keyint;
}

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

void WriteKeyint(const container::Header& h, ByteWriter& w) { w.Varint(h.keyint); }

Status ParseKeyint(ByteReader& r, container::Header* h) {
  uint64_t k;
  RETURN_IF_ERROR(r.Varint(&k));
  if (k < 1 || k > container::kMaxVideoFrames) return Error(DC_ERR_CORRUPT, "keyframe interval out of range");
  h->keyint = static_cast<uint32_t>(k);
  return Status::Ok();
}

namespace {

adm::CodecOptions Options(uint32_t tile, uint32_t coder_flags, uint32_t revision, const CodecContext& c) {
  adm::CodecOptions o = VideoOptions(tile, coder_flags, c.threads, revision);
  o.progress = c.progress;
  return o;
}

Status CompressVideoLossless(const dc_content& in, const dc_params& p, container::Header* h,
                             std::vector<uint8_t>* payload, const CodecContext& c, double* model_bits, double* nll_bits) {
  RETURN_IF_ERROR(CheckVideoContent(in));
  ASSIGN_OR_RETURN(const uint32_t keyint, KeyintOf(p));
  uint32_t tile = p.tile_size ? p.tile_size : video::kDefaultTileSize;
  if (tile < adm::kMinTileSize || tile > adm::kMaxTileSize) return Error(DC_ERR_INVALID_ARGUMENT, "tile size out of range (16 to 4096)");
  // A tile larger than the frame codes it the same way as one the frame's size.
  tile = std::min(tile, std::max(adm::kMinTileSize, std::max(in.width, in.height)));
  ASSIGN_OR_RETURN(auto model, GetModel(DC_CODEC_VIDEO_LOSSLESS, c.model_path));
  FillVideoHeader(in, *model, keyint, h);
  h->tile_size = tile;
  h->coder_flags = container::kCoderFlagAdapt;  // new files: the online mixture correction on
  video::FrameStats st;
  RETURN_IF_ERROR(video::EncodeVideo(*model->image_lossless, GeometryOf(*h), in.data, in.frames, keyint,
                                     Options(tile, h->coder_flags, h->revision, c), payload, &st, nullptr));
  *model_bits = st.model_bits;
  *nll_bits = st.model_nll_bits;
  return Status::Ok();
}

Status DecompressVideoLossless(const container::Header& h, const uint8_t* payload, std::vector<uint8_t>* out,
                               const CodecContext& c) {
  ASSIGN_OR_RETURN(auto model, ModelForFile(h, c.model_path));
  ASSIGN_OR_RETURN(auto index, video::ParseIndex(payload, h.payload_size, h.frames));
  const video::Geometry g = GeometryOf(h);
  if (h.revision < 1 || h.revision > video::kLatestRevision)  // container::Parse refuses these already
    return Error(DC_ERR_UNSUPPORTED_VERSION, "video-lossless revision " + std::to_string(h.revision));
  const adm::CodecOptions o = VideoOptions(h.tile_size, h.coder_flags, c.threads, h.revision);
  const auto& progress = c.progress;
  video::FrameDecoder dec(model->image_lossless.get(), g, h.keyint, o, payload, std::move(index));
  const size_t fb = g.frame_bytes();
  out->assign(h.original_size, 0);
  for (uint64_t f = 0; f < h.frames; ++f) {
    RETURN_IF_ERROR(dec.Decode(f, out->data() + f * fb));
    if (progress) progress(f + 1, h.frames);
  }
  return Status::Ok();
}

// Working memory per thread in bytes per tile pixel (as image-lossless), and the two frame
// buffers of the decoder.
constexpr uint64_t kTileBytesPerPixel = 1024;
// Revision 2: every tile's carried model (MatchModel: six 2^16-entry counter tables of 4 bytes,
// two colour tables of 2^17 x 2 entries of 4 bytes, weights), rounded up.
constexpr uint64_t kStateBytesPerTile = uint64_t{4} << 20;

class VideoLossless final : public Codec {
 public:
  VideoLossless() {
    id = DC_CODEC_VIDEO_LOSSLESS;
    name = "video-lossless";
    kind = DC_KIND_VIDEO;
    needs_model = true;
    latest_revision = video::kLatestRevision;
  }
  Status Compress(const dc_content& in, const CodecContext& c, container::Header* h, std::vector<uint8_t>* payload,
                  CodecStats* stats) const override {
    return CompressVideoLossless(in, *c.params, h, payload, c, &stats->model_bits, &stats->model_nll_bits);
  }
  uint64_t DecodeMemory(const container::Header& h, int threads) const override {
    const uint64_t tile = std::min<uint64_t>(h.tile_size, std::max(h.width, h.height));
    uint64_t states = 0;  // counted, not listed: the header is untrusted
    if (h.revision >= video::kRevision2 && tile > 0) {
      const video::Geometry g = GeometryOf(h);
      for (int p = 0; p < 3; ++p)
        states += ((g.plane_width(p) + tile - 1) / tile) * ((g.plane_height(p) + tile - 1) / tile) * kStateBytesPerTile;
    }
    return h.original_size + h.side.size() + 2 * container::VideoFrameBytes(h.width, h.height, h.chroma) +
           uint64_t(threads) * tile * tile * kTileBytesPerPixel + states;
  }
  uint32_t EncodeTileSize(const dc_content&, const dc_params& p) const override {
    return p.tile_size ? p.tile_size : video::kDefaultTileSize;
  }
  // The frame index: a size varint per frame.
  uint64_t MinPayload(const container::Header& h) const override { return h.frames; }
  Status Decompress(const container::Header& h, const uint8_t* payload, const CodecContext& c,
                    std::vector<uint8_t>* out) const override {
    return DecompressVideoLossless(h, payload, out, c);
  }
  void WriteParams(const container::Header& h, ByteWriter& w) const override {
    WriteTileParameter(h, w);
    WriteKeyint(h, w);
  }
  Status ParseParams(ByteReader& r, container::Header* h) const override {
    RETURN_IF_ERROR(ParseTileParameter(r, h));
    return ParseKeyint(r, h);
  }
};

}  // namespace

const Codec& VideoLosslessCodec() {
  static const VideoLossless kCodec;
  return kCodec;
}

}  // namespace dc
