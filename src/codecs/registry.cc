// The codec registry: one line per codec (docs/adding-a-codec.md). Ids and names are pinned and
// append-only (docs/format.md, "Registries").
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "codecs/codec.h"
#include "container/container.h"

namespace dc {

// Each codec's folder defines its instance (src/codecs/<codec>/<codec>_codec.cc).
const Codec& StoreCodec();
const Codec& HuffmanCodec();
const Codec& LzwCodec();
const Codec& ImageLosslessCodec();
const Codec& SignalLosslessCodec();
const Codec& ImageLossyCodec();
const Codec& SignalLossyCodec();
const Codec& VideoLosslessCodec();
const Codec& VideoLossyCodec();

const std::vector<const Codec*>& AllCodecs() {
  static const std::vector<const Codec*> kAll = {
      &StoreCodec(),          // 0
      &HuffmanCodec(),        // 1
      &LzwCodec(),            // 2
      &ImageLosslessCodec(),  // 3
      &SignalLosslessCodec(), // 4
      &ImageLossyCodec(),     // 5
      &SignalLossyCodec(),    // 6
      &VideoLosslessCodec(),  // 7
      &VideoLossyCodec(),     // 8
  };
  return kAll;
}

const Codec* FindCodec(dc_codec id) {
  for (const Codec* c : AllCodecs())
    if (c->id == id) return c;
  return nullptr;
}

const Codec* FindCodec(const char* name) {
  for (const Codec* c : AllCodecs())
    if (std::strcmp(c->name, name) == 0) return c;
  return nullptr;
}

uint64_t Codec::DecodeMemory(const container::Header& h, int threads) const {
  (void)threads;
  return h.original_size + h.side.size();
}

uint32_t Codec::EncodeTileSize(const dc_content& in, const dc_params& p) const {
  (void)in;
  return p.tile_size ? p.tile_size : 256;
}

uint64_t Codec::MinPayload(const container::Header& h) const {
  (void)h;
  return 0;
}

void Codec::WriteParams(const container::Header& h, ByteWriter& w) const {
  (void)h;
  (void)w;
}

Status Codec::ParseParams(ByteReader& r, container::Header* h) const {
  (void)r;
  (void)h;
  return Status::Ok();
}

int ResolveThreads(int t) {
  if (t > 0) return t;
  const unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(hc) : 1;
}

Status CheckMemory(uint64_t need, uint64_t limit) {
  if (limit == 0) limit = kDefaultMemoryLimit;
  if (need <= limit) return Status::Ok();
  char buf[160];
  std::snprintf(buf, sizeof(buf), "needs about %llu MiB, over the memory limit of %llu MiB (dc_params.memory_limit, "
                "--memory-limit)", static_cast<unsigned long long>((need + (1 << 20) - 1) >> 20),
                static_cast<unsigned long long>(limit >> 20));
  return Error(DC_ERR_TOO_LARGE, buf);
}

Status CheckImageContent(const dc_content& in) {
  if (in.channels != 1 && in.channels != 3 && in.channels != 4)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "images need 1, 3 or 4 channels");
  if (in.bit_depth != 8) return Error(DC_ERR_UNSUPPORTED_FORMAT, "only 8-bit images are supported");
  if (in.width == 0 || in.height == 0) return Error(DC_ERR_INVALID_ARGUMENT, "image has a zero dimension");
  if (in.width > DC_MAX_IMAGE_DIM || in.height > DC_MAX_IMAGE_DIM ||
      uint64_t{in.width} * in.height > DC_MAX_IMAGE_PIXELS)
    return Error(DC_ERR_TOO_LARGE, "image dimensions beyond the limit");
  if (in.size != uint64_t{in.width} * in.height * in.channels)
    return Error(DC_ERR_INVALID_ARGUMENT, "pixel buffer size does not match the dimensions");
  return Status::Ok();
}

void SetSignalFields(const dc_content& in, container::Header* h) {
  h->frames = in.width;
  h->width = in.width;
  h->height = 1;
  h->channels = in.channels;
  h->bit_depth = in.bit_depth;
  h->side.assign(in.side, in.side + in.side_size);
}

Status CheckSignalContent(const dc_content& in) {
  if (in.channels == 0 || in.channels > 255) return Error(DC_ERR_UNSUPPORTED_FORMAT, "signals need 1 to 255 channels");
  if (in.bit_depth < 2 || in.bit_depth > 32)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "signal bit depth " + std::to_string(in.bit_depth) + " (2 to 32 supported)");
  if (in.width == 0) return Error(DC_ERR_INVALID_ARGUMENT, "signal has no samples");
  if (uint64_t{in.width} * in.channels > container::kMaxSignalSamples)
    return Error(DC_ERR_TOO_LARGE, "signal beyond the limit of 2^30 samples");
  if (in.size != uint64_t{in.width} * in.channels * 4)
    return Error(DC_ERR_INVALID_ARGUMENT, "sample buffer size does not match frames x channels x 4 bytes");
  if (!container::FormatFitsKind(in.format, DC_KIND_SIGNAL))
    return Error(DC_ERR_INVALID_ARGUMENT, "signal content needs format wav, wfdb, csv, raw-s16le or raw-s32le");
  if (in.side_size > container::kMaxSideBytes) return Error(DC_ERR_TOO_LARGE, "side data beyond the limit");
  if (in.side_size && !in.side) return Error(DC_ERR_INVALID_ARGUMENT, "side data pointer is null");
  return Status::Ok();
}

}  // namespace dc
