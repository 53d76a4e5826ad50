#include "api/image_lossy_api.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "api/model_store.h"
#include "api/progress.h"
#include "codecs/image_lossy/image_lossy.h"
#include "codecs/image_lossy/refine.h"

namespace dc {

uint64_t LossyContainerOverhead(const container::Header& h, size_t payload_size) {
  (void)payload_size;  // the container stores no payload length: its fields and CRC are fixed
  return container::Write(h, nullptr, 0, 0).size();
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

Status CompressImageLossy(const dc_content& in, const dc_params& p, container::Header* h,
                          std::vector<uint8_t>* payload, int threads) {
  if (in.channels == 4 || in.channels == 2)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "image-lossy codes gray and RGB images; this one has alpha");
  RETURN_IF_ERROR(CheckLossyRate(p, "image-lossy"));
  ASSIGN_OR_RETURN(auto model, GetModel(DC_CODEC_IMAGE_LOSSY, p.model_path));
  h->width = in.width;
  h->height = in.height;
  h->channels = in.channels;
  h->format = DC_FORMAT_PNG;  // decompress writes a PNG whatever the input was
  h->has_model = true;
  h->model_id = model->model_id;
  h->fingerprint = model->fingerprint;
  lossy::EncodeOptions o;
  o.threads = threads;
  o.progress = ProgressOf(p);
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

Status DecompressImageLossy(const container::Header& h, const uint8_t* payload, const dc_params& p,
                            std::vector<uint8_t>* out, int threads) {
  ASSIGN_OR_RETURN(auto model, ModelForFile(h, p.model_path));
  if (h.channels != 1 && h.channels != 3) return Error(DC_ERR_CORRUPT, "image-lossy: channel count not 1 or 3");
  lossy::DecodeOptions o;
  o.threads = threads;
  o.progress = ProgressOf(p);
  out->assign(static_cast<size_t>(h.width) * h.height * h.channels, 0);
  return lossy::DecodeImage(*model->image_lossy, payload, h.payload_size, h.width, h.height, h.channels, o, out->data());
}

}  // namespace dc
