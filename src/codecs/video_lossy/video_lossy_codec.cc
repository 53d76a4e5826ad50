// video-lossy (id 8) in the codec registry: rate parameters and container fields.
#include <string>

#include "codecs/codec.h"
#include "codecs/image_lossy/image_lossy_codec.h"
#include "codecs/video_lossless/video_lossless_codec.h"
#include "codecs/video_lossy/video_lossy.h"
#include "container/container.h"

namespace dc {
namespace {

Status CompressVideoLossy(const dc_content& in, const dc_params& p, container::Header* h, std::vector<uint8_t>* payload,
                          const CodecContext& c) {
  RETURN_IF_ERROR(CheckVideoContent(in));
  RETURN_IF_ERROR(CheckLossyRate(p, "video-lossy"));
  ASSIGN_OR_RETURN(const uint32_t keyint, KeyintOf(p));
  ASSIGN_OR_RETURN(auto model, GetModel(DC_CODEC_VIDEO_LOSSY, c.model_path));
  FillVideoHeader(in, *model, keyint, h);
  vlossy::EncodeOptions o;
  o.threads = c.threads;
  o.keyint = keyint;
  o.progress = c.progress;
  const int S = static_cast<int>(o.schedule.lambdas.size()) - 1;
  if (p.bpp > 0) o.bpp = p.bpp;
  else o.max_steps = StepsForQuality(p.quality, S);
  return vlossy::EncodeVideo(*model->image_lossy, GeometryOf(*h), in.data, in.frames, o, LossyContainerOverhead(*h, 0),
                             payload, nullptr);
}

Status DecompressVideoLossy(const container::Header& h, const uint8_t* payload, std::vector<uint8_t>* out,
                            const CodecContext& c) {
  ASSIGN_OR_RETURN(auto model, ModelForFile(h, c.model_path));
  ASSIGN_OR_RETURN(auto stream, vlossy::ParseStream(payload, h.payload_size, h.frames));
  const video::Geometry g = GeometryOf(h);
  vlossy::FrameDecoder dec(model->image_lossy.get(), g, h.keyint, c.threads, payload, std::move(stream));
  const size_t fb = g.frame_bytes();
  out->assign(h.original_size, 0);
  for (uint64_t f = 0; f < h.frames; ++f) {
    RETURN_IF_ERROR(dec.Decode(f, out->data() + f * fb));
    if (c.progress) c.progress(f + 1, h.frames);
  }
  return Status::Ok();
}

// The image-lossy decoder's working memory per frame pixel, and the decoder's frame buffers.
constexpr uint64_t kDecodeBytesPerPixel = 400;

class VideoLossy final : public Codec {
 public:
  VideoLossy() {
    id = DC_CODEC_VIDEO_LOSSY;
    name = "video-lossy";
    kind = DC_KIND_VIDEO;
    needs_model = true;
    lossy = true;
  }
  Status Compress(const dc_content& in, const CodecContext& c, container::Header* h, std::vector<uint8_t>* payload,
                  CodecStats*) const override {
    return CompressVideoLossy(in, *c.params, h, payload, c);
  }
  uint64_t DecodeMemory(const container::Header& h, int) const override {
    return h.original_size + h.side.size() + uint64_t{h.width} * h.height * kDecodeBytesPerPixel;
  }
  uint64_t MinPayload(const container::Header& h) const override { return h.frames; }
  Status Decompress(const container::Header& h, const uint8_t* payload, const CodecContext& c,
                    std::vector<uint8_t>* out) const override {
    return DecompressVideoLossy(h, payload, out, c);
  }
  void WriteParams(const container::Header& h, ByteWriter& w) const override { WriteKeyint(h, w); }
  Status ParseParams(ByteReader& r, container::Header* h) const override { return ParseKeyint(r, h); }
};

}  // namespace

const Codec& VideoLossyCodec() {
  static const VideoLossy kCodec;
  return kCodec;
}

}  // namespace dc
