// image-lossless (id 3) in the codec registry: container fields, options and revisions.
#include <algorithm>

#include "codecs/codec.h"
#include "codecs/image_lossless/image_lossless.h"
#include "container/container.h"
#include "models/model_store.h"

namespace dc {

// The tile parameter of image-lossless and video-lossless: tile size in bits 0-12, coder flags
// above (bit 0: the online mixture correction; others reserved).
void WriteTileParameter(const container::Header& h, ByteWriter& w) {
  w.Varint(h.tile_size | (uint64_t{h.coder_flags} << container::kCoderFlagShift));
}

Status ParseTileParameter(ByteReader& r, container::Header* h) {
  uint64_t v;
  RETURN_IF_ERROR(r.Varint(&v));
  const uint64_t t = v & ((uint64_t{1} << container::kCoderFlagShift) - 1), flags = v >> container::kCoderFlagShift;
  if (flags & ~uint64_t{container::kCoderFlagAdapt}) return Error(DC_ERR_RESERVED_BITS, "reserved coder flags set");
  if (t < adm::kMinTileSize || t > adm::kMaxTileSize) return Error(DC_ERR_CORRUPT, "tile size out of range");
  h->tile_size = static_cast<uint32_t>(t);
  h->coder_flags = static_cast<uint32_t>(flags);
  return Status::Ok();
}

namespace {

// Working memory of a decode: a fixed part (model, runtime) and, per thread, one tile coder's
// network activations and scratch per tile pixel. Measured peak RSS of 1-thread decodes
// (`/usr/bin/time -f %M`): 29-30 MiB at tile 256 and 221-232 MiB at tile 1024 x 900 (1024 x 900
// crops of a plot and a photo), i.e. about 240 bytes a tile pixel above the fixed part; the
// constants below have a margin of a third.
constexpr uint64_t kFixedBytes = uint64_t{32} << 20;
constexpr uint64_t kTileBytesPerPixel = 320;

// The encoder's tile when the caller sets none (an encoder choice; docs/codecs/image-lossless.md,
// "Tile size"): the revision 2 model learns from the tile it codes, and on synthetic images
// (flat areas, repeated panels) a larger tile saves 3.7 % on the graphics set; on photos it
// gains little and costs parallelism. An image where at least half the pixels equal their left
// neighbour gets kSyntheticTile, if one tile coder of that size fits the memory limit.
constexpr uint32_t kSyntheticTile = 1024;

uint64_t DecodeBytes(uint64_t original_size, uint64_t tile, int threads) {
  return kFixedBytes + original_size + uint64_t(threads) * tile * tile * kTileBytesPerPixel;
}

bool MostlyFlat(const dc_content& in) {
  const uint32_t c = in.channels;
  uint64_t same = 0;
  for (uint32_t y = 0; y < in.height; ++y) {
    const uint8_t* row = in.data + static_cast<size_t>(y) * in.width * c;
    for (uint32_t x = 1; x < in.width; ++x) same += std::equal(row + (x - 1) * c, row + x * c, row + x * c);
  }
  return 2 * same >= uint64_t{in.height} * in.width;
}

// The tile when the caller sets none, for an image that is (or not) MostlyFlat.
uint32_t DefaultTile(const dc_content& in, const dc_params& p, bool mostly_flat) {
  const uint64_t limit = p.memory_limit ? p.memory_limit : kDefaultMemoryLimit;
  const uint64_t tile = std::min<uint64_t>(kSyntheticTile, std::max(in.width, in.height));
  if (mostly_flat && in.size + DecodeBytes(in.size, tile, 1) <= limit) return kSyntheticTile;
  return adm::kDefaultTileSize;
}

class ImageLossless final : public Codec {
 public:
  ImageLossless() {
    id = DC_CODEC_IMAGE_LOSSLESS;
    name = "image-lossless";
    kind = DC_KIND_IMAGE;
    needs_model = true;
    latest_revision = adm::kLatestRevision;
  }

  Status Compress(const dc_content& in, const CodecContext& c, container::Header* h, std::vector<uint8_t>* payload,
                  CodecStats* stats) const override {
    RETURN_IF_ERROR(CheckImageContent(in));
    if (in.format != DC_FORMAT_PNG && in.format != DC_FORMAT_PPM && in.format != DC_FORMAT_PGM)
      return Error(DC_ERR_INVALID_ARGUMENT, "image content needs format png, ppm or pgm");
    if (in.format == DC_FORMAT_PPM && in.channels != 3) return Error(DC_ERR_INVALID_ARGUMENT, "PPM is RGB");
    if (in.format == DC_FORMAT_PGM && in.channels != 1) return Error(DC_ERR_INVALID_ARGUMENT, "PGM is gray");
    ASSIGN_OR_RETURN(auto model, GetModel(id, c.model_path));
    h->width = in.width;
    h->height = in.height;
    h->channels = in.channels;
    h->has_model = true;
    h->model_id = model->model_id;
    h->fingerprint = model->fingerprint;
    adm::CodecOptions o;
    o.threads = c.threads;
    o.progress = c.progress;
    o.revision = static_cast<int>(h->revision);  // the API sets the codec's latest revision
    const bool mostly_flat = MostlyFlat(in);  // one pass over the pixels, for the tile and the correction
    o.tile_size = c.params->tile_size ? c.params->tile_size : DefaultTile(in, *c.params, mostly_flat);
    // A tile larger than the image tiles it the same way as one the image's size; the smaller
    // value saves a header byte on small images (CIFAR: 0.003 bits per sub-pixel).
    o.tile_size = std::min(o.tile_size, std::max(adm::kMinTileSize, std::max(in.width, in.height)));
    h->tile_size = o.tile_size;
    // The online mixture correction (of the network's bias and scale) helps photos (1.96 % on
    // Kodak) but not synthetic images, whose values the match model mostly codes: over the
    // graphics set, switching it off where the image is larger than the default tile and mostly
    // flat (the images that get the synthetic tile) saves 0.54 % (ablation of session 7,
    // docs/design-adaptive.md). The container's coder flag records the choice.
    o.adapt = !(std::max(in.width, in.height) > adm::kDefaultTileSize && mostly_flat);
    h->coder_flags = o.adapt ? container::kCoderFlagAdapt : 0;
    adm::EncodeStats es;
    RETURN_IF_ERROR(adm::EncodeImage(*model->image_lossless, {in.data, in.width, in.height, in.channels}, o, payload, &es));
    stats->model_bits = es.model_bits;
    stats->model_nll_bits = es.model_nll_bits;
    std::copy(es.level_nll_bits, es.level_nll_bits + 24, stats->level_nll_bits);
    std::copy(es.stage_nll_bits, es.stage_nll_bits + 3, stats->stage_nll_bits);
    return Status::Ok();
  }

  uint64_t DecodeMemory(const container::Header& h, int threads) const override {
    const uint64_t tile = std::min<uint64_t>(h.tile_size, std::max(h.width, h.height));
    return DecodeBytes(h.original_size, tile, threads);
  }

  uint32_t EncodeTileSize(const dc_content& in, const dc_params& p) const override {
    if (p.tile_size) return p.tile_size;
    // Called before the content is checked: look only at a well-formed buffer.
    const bool well_formed = in.data && in.channels >= 1 && in.channels <= 4 && in.width > 1 &&
                             in.size == uint64_t{in.width} * in.height * in.channels;
    return DefaultTile(in, p, well_formed && MostlyFlat(in));
  }

  // Every tile has at least its length varint (or, alone, its stream's first byte).
  uint64_t MinPayload(const container::Header& h) const override {
    return adm::TileGrid(h.width, h.height, h.tile_size).count();
  }

  Status Decompress(const container::Header& h, const uint8_t* payload, const CodecContext& c,
                    std::vector<uint8_t>* out) const override {
    ASSIGN_OR_RETURN(auto model, ModelForFile(h, c.model_path));
    if ((h.format == DC_FORMAT_PPM && h.channels != 3) || (h.format == DC_FORMAT_PGM && h.channels != 1))
      return Error(DC_ERR_CORRUPT, "original format does not fit the image");
    adm::CodecOptions o;
    o.threads = c.threads;
    o.progress = c.progress;
    o.tile_size = h.tile_size;
    o.adapt = (h.coder_flags & container::kCoderFlagAdapt) != 0;
    o.revision = static_cast<int>(h.revision);
    out->assign(h.original_size, 0);
    return adm::DecodeImage(*model->image_lossless, payload, h.payload_size, h.width, h.height, h.channels, o,
                            out->data());
  }

  void WriteParams(const container::Header& h, ByteWriter& w) const override { WriteTileParameter(h, w); }
  Status ParseParams(ByteReader& r, container::Header* h) const override { return ParseTileParameter(r, h); }
};

}  // namespace

const Codec& ImageLosslessCodec() {
  static const ImageLossless kCodec;
  return kCodec;
}

}  // namespace dc
