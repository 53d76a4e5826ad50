#include "api/image_lossy_api.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "api/model_store.h"
#include "codecs/image_lossy/image_lossy.h"

namespace dc {

uint64_t LossyContainerOverhead(const container::Header& h, size_t payload_size) {
  (void)payload_size;  // the container stores no payload length: its fields and CRC are fixed
  return container::Write(h, nullptr, 0, 0).size();
}

namespace {
std::function<void(uint64_t, uint64_t)> Progress(const dc_params& p) {
  if (!p.progress) return {};
  auto* cb = p.progress;
  void* op = p.progress_opaque;
  return [cb, op](uint64_t d, uint64_t t) { cb(op, d, t); };
}
}  // namespace

Status CompressImageLossy(const dc_content& in, const dc_params& p, container::Header* h,
                          std::vector<uint8_t>* payload, int threads) {
  if (in.channels == 4 || in.channels == 2)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "image-lossy codes gray and RGB images; this one has alpha");
  if (!(p.bpp >= 0) || !std::isfinite(p.bpp) || p.bpp > 64)
    return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: --bpp must be in (0, 64]");
  if (!(p.quality >= 0) || p.quality > 100) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: --quality must be in [0, 100]");
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
  o.progress = Progress(p);
  const int S = static_cast<int>(o.schedule.lambdas.size()) - 1;
  if (p.bpp > 0) {
    const double bits = p.bpp * in.width * in.height;
    // The same budget as dc_truncate: a fresh encode at a rate is the truncation at that rate.
    const double budget = std::floor(bits / 8) - static_cast<double>(LossyContainerOverhead(*h, 0));
    if (budget < 1) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: --bpp too small for the container and codec header");
    o.max_payload_bytes = static_cast<uint64_t>(budget);
  } else {
    const double q = p.quality > 0 ? p.quality : 75.0;
    o.max_steps = static_cast<int>(std::lround(q / 100.0 * S));
  }
  lossy::EncodeStats st;
  RETURN_IF_ERROR(lossy::EncodeImage(*model->image_lossy, {in.data, in.width, in.height, in.channels}, o, payload, &st));
  return Status::Ok();
}

Status DecompressImageLossy(const container::Header& h, const uint8_t* payload, const dc_params& p,
                            std::vector<uint8_t>* out, int threads) {
  ASSIGN_OR_RETURN(auto model, GetModel(DC_CODEC_IMAGE_LOSSY, p.model_path));
  if (model->model_id != h.model_id || model->fingerprint != h.fingerprint) {
    char buf[200];
    std::snprintf(buf, sizeof(buf), "file needs model id %u fingerprint %08x; loaded model %s is id %u fingerprint %08x",
                  h.model_id, h.fingerprint, model->path.c_str(), model->model_id, model->fingerprint);
    return Error(DC_ERR_MODEL_MISMATCH, buf);
  }
  if (h.channels != 1 && h.channels != 3) return Error(DC_ERR_CORRUPT, "image-lossy: channel count not 1 or 3");
  lossy::DecodeOptions o;
  o.threads = threads;
  o.progress = Progress(p);
  out->assign(static_cast<size_t>(h.width) * h.height * h.channels, 0);
  return lossy::DecodeImage(*model->image_lossy, payload, h.payload_size, h.width, h.height, h.channels, o, out->data());
}

}  // namespace dc
