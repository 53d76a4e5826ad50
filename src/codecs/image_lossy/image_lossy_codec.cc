#include "codecs/image_lossy/image_lossy_codec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "codecs/codec.h"
#include "models/model_store.h"
#include "codecs/image_lossy/image_lossy.h"
#include "codecs/image_lossy/refine.h"

namespace dc {

uint64_t LossyContainerOverhead(const container::Header& h, size_t payload_size) {
  (void)payload_size;  // the container stores no payload length: its fields and CRCs are fixed
  return container::Overhead(h);
}

Status CheckLossyRate(const dc_params& p, const char* codec) {
  if (!(p.bpp >= 0) || !std::isfinite(p.bpp) || p.bpp > 64)
    return Error(DC_ERR_INVALID_ARGUMENT, std::string(codec) + ": --bpp must be in (0, 64]");
  if (!(p.quality >= 0) || p.quality > 100)
    return Error(DC_ERR_INVALID_ARGUMENT, std::string(codec) + ": --quality must be in [0, 100]");
  return Status::Ok();
}

int StepsForQuality(double quality, int steps) {
  const double q = quality > 0 ? quality : 75.0;
  return static_cast<int>(std::lround(q / 100.0 * steps));
}

namespace {

Status CompressImageLossy(const dc_content& in, const dc_params& p, container::Header* h,
                          std::vector<uint8_t>* payload, const CodecContext& c) {
  if (in.channels == 4 || in.channels == 2)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "image-lossy codes gray and RGB images; this one has alpha");
  RETURN_IF_ERROR(CheckLossyRate(p, "image-lossy"));
  ASSIGN_OR_RETURN(auto model, GetModel(DC_CODEC_IMAGE_LOSSY, c.model_path));
  h->width = in.width;
  h->height = in.height;
  h->channels = in.channels;
  h->format = DC_FORMAT_PNG;  // decompress writes a PNG whatever the input was
  h->has_model = true;
  h->model_id = model->model_id;
  h->fingerprint = model->fingerprint;
  lossy::EncodeOptions o;
  o.threads = c.threads;
  o.progress = c.progress;
  o.revision = static_cast<int>(h->revision);  // the API sets the codec's latest revision
  if (o.revision >= lossy::kRevision2) o.refine_steps = lossy::refine::DefaultSteps();
  const int S = static_cast<int>(o.schedule.lambdas.size()) - 1;
  if (p.bpp > 0) {
    const double bits = p.bpp * in.width * in.height;
    // The same budget as dc_truncate: a fresh encode at a rate is the truncation at that rate.
    const double budget = std::floor(bits / 8) - static_cast<double>(LossyContainerOverhead(*h, 0));
    if (budget < 1) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: --bpp too small for the container and codec header");
    o.max_payload_bytes = static_cast<uint64_t>(budget);
  } else {
    o.max_steps = lossy::SegmentsForQuality(p.quality > 0 ? p.quality : 75.0, o.revision, S,
                                            static_cast<int>(o.refine_steps.size()));
  }
  lossy::EncodeStats st;
  RETURN_IF_ERROR(lossy::EncodeImage(*model->image_lossy, {in.data, in.width, in.height, in.channels}, o, payload, &st));
  return Status::Ok();
}

Status DecompressImageLossy(const container::Header& h, const uint8_t* payload, std::vector<uint8_t>* out,
                            const CodecContext& c) {
  ASSIGN_OR_RETURN(auto model, ModelForFile(h, c.model_path));
  if (h.channels != 1 && h.channels != 3) return Error(DC_ERR_CORRUPT, "image-lossy: channel count not 1 or 3");
  lossy::DecodeOptions o;
  o.threads = c.threads;
  o.progress = c.progress;
  o.revision = static_cast<int>(h.revision);
  out->assign(static_cast<size_t>(h.width) * h.height * h.channels, 0);
  return lossy::DecodeImage(*model->image_lossy, payload, h.payload_size, h.width, h.height, h.channels, o, out->data());
}

// Working memory of the decoder (docs/codecs/image-lossy.md, "Memory"), for the shipped model's
// widths (c1 32, F 96, L 8): per image pixel, the output, its working copy and the refinement
// intervals (5 bytes a sample) and the latent states (3 bytes); plus the activations of one
// denoiser tile and one autoencoder tile (ldm_net.h, "Tiles"), per latent cell of the tile with
// its halo, each thread adding its padded input copy. Whatever the image size, the float
// activations are those of at most one tile of each.
uint64_t DecodeBytes(uint32_t width, uint32_t height, uint32_t channels, int threads) {
  const uint64_t t = static_cast<uint64_t>(std::max(1, threads));
  const uint64_t h = (uint64_t{height} + lossy::kFactor - 1) / lossy::kFactor;
  const uint64_t w = (uint64_t{width} + lossy::kFactor - 1) / lossy::kFactor;
  const auto tile_cells = [&](uint64_t tile, uint64_t halo) {
    return (h <= tile ? h : tile + 2 * halo) * (w <= tile ? w : tile + 2 * halo);
  };
  const uint64_t den = tile_cells(lossy::kDenoiseTile, 14) * (1400 + 400 * t);
  const uint64_t dec = tile_cells(lossy::kDecodeTile, 9) * (10000 + 2100 * t);
  return (uint64_t{64} << 20) + uint64_t{width} * height * (5 * uint64_t{channels} + 3) + den + dec;
}

class ImageLossy final : public Codec {
 public:
  ImageLossy() {
    id = DC_CODEC_IMAGE_LOSSY;
    name = "image-lossy";
    kind = DC_KIND_IMAGE;
    needs_model = true;
    lossy = true;
    progressive = true;
    latest_revision = lossy::kLatestRevision;
  }
  Status Compress(const dc_content& in, const CodecContext& c, container::Header* h, std::vector<uint8_t>* payload,
                  CodecStats*) const override {
    RETURN_IF_ERROR(CheckImageContent(in));
    return CompressImageLossy(in, *c.params, h, payload, c);
  }
  uint64_t DecodeMemory(const container::Header& h, int threads) const override {
    return DecodeBytes(h.width, h.height, h.channels, threads);
  }
  // The progressive payload's header-size varint and at least one byte of codec header.
  uint64_t MinPayload(const container::Header&) const override { return 2; }
  Status Decompress(const container::Header& h, const uint8_t* payload, const CodecContext& c,
                    std::vector<uint8_t>* out) const override {
    return DecompressImageLossy(h, payload, out, c);
  }
};

}  // namespace

const Codec& ImageLossyCodec() {
  static const ImageLossy kCodec;
  return kCodec;
}

}  // namespace dc
