// Decoder side of the lossless image codec. Every read is checked; a stream that does not end
// exactly where the encoder's did is an error (rans::Decoder::Finish).
#include <algorithm>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/image_lossless.h"
#include "common/parallel.h"
#include "codecs/image_lossless/mixture.h"
#include "codecs/image_lossless/tile_coder.h"
#include "common/bytes.h"
#include "entropy/rans.h"

namespace dc::adm {

Status DecodeGroup(const AdmNet& net, int H0, int W0, const Level* prev, int coded, bool adapt, rans::Decoder* dec,
                   Level* out, int revision, GroupState* state) {
  if (state && (revision < kRevision2 || !prev)) return Error(DC_ERR_INTERNAL, "a carried state needs revision 2 and a reference");
  const auto sizes = LevelSizes(H0, W0);
  std::vector<Level> prev_levels;
  if (prev) {
    if (prev->height != H0 || prev->width != W0) return Error(DC_ERR_INTERNAL, "previous frame tile of another size");
    prev_levels.push_back(*prev);
    while (prev_levels.size() < sizes.size()) prev_levels.push_back(Downsample(prev_levels.back()));
  }
  // Revision 2: a small group says whether it uses the neighbour colour model.
  bool match = revision >= kRevision2;
  if (match && !state && static_cast<int64_t>(H0) * W0 <= kSmallGroupPixels) {
    uint32_t on;
    RETURN_IF_ERROR(dec->GetBits(1, &on));
    match = on != 0;
  }
  // Decode the 1x1 base, then rebuild each finer level from its coarse grid and three stages.
  Level coarse;
  coarse.height = coarse.width = 1;
  coarse.rgb.assign(3, 0);
  for (int c = 0; c < coded; ++c) {
    uint32_t v;
    RETURN_IF_ERROR(dec->GetBits(8, &v));
    coarse.rgb[c] = static_cast<uint8_t>(v);
  }
  if (coded == 1) coarse.rgb[1] = coarse.rgb[2] = coarse.rgb[0];

  NetScratch s;
  s.use_adapt = adapt;
  if (state) {  // video: the tile's model and adapter continue from its previous frame
    if (!state->match) state->match = std::make_unique<MatchModel>(true);
    s.match = std::move(state->match);
    s.adapt = std::move(state->adapt);
  } else if (match) {
    s.match = std::make_unique<MatchModel>(prev != nullptr);  // temporal when a reference is given
  }
  for (int l = static_cast<int>(sizes.size()) - 2; l >= 0; --l) {
    Level cur;
    cur.height = sizes[l].first;
    cur.width = sizes[l].second;
    const int W = cur.width, h = CoarseDim(cur.height), w = CoarseDim(W);
    cur.rgb.assign(static_cast<size_t>(cur.height) * W * 3, 0);
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j)
        for (int c = 0; c < 3; ++c) cur.rgb[(static_cast<size_t>(2 * i) * W + 2 * j) * 3 + c] = coarse.at(i, j, c);
    RETURN_IF_ERROR(CodeLevel(net, &cur, prev ? &prev_levels[l] : nullptr, coded, &s, [dec](int, const uint8_t*, int, const ChannelDist& d, const Exclusion& e, int* v) {
      return e.n == 0 ? DecodeValue(dec, d, v) : DecodeValueExcl(dec, d, e, v);
    }, [dec](uint32_t p16, int, int* bit) {
      *bit = dec->Peek(16) < p16 ? 1 : 0;
      return *bit ? dec->Advance(0, p16, 16) : dec->Advance(p16, 65536 - p16, 16);
    }));
    coarse = std::move(cur);
  }
  if (state) {
    state->match = std::move(s.match);
    state->adapt = std::move(s.adapt);
  }
  *out = std::move(coarse);
  return Status::Ok();
}

Status DecodeImage(const AdmNet& net, const uint8_t* payload, size_t size, uint32_t width,
                   uint32_t height, uint32_t channels, const CodecOptions& opt, uint8_t* out) {
  const auto groups = PlaneGroups(channels);
  if (groups.empty()) return Error(DC_ERR_UNSUPPORTED_FORMAT, "image-lossless codes 1, 3 or 4 channels");
  if (opt.tile_size < kMinTileSize || opt.tile_size > kMaxTileSize)
    return Error(DC_ERR_CORRUPT, "tile size out of range");
  if (opt.revision != kRevision1 && opt.revision != kRevision2)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "image-lossless revision not supported by this decoder");
  const TileGrid grid(width, height, opt.tile_size);
  // Split the payload into tile streams first (cheap, sequential, fully checked).
  std::vector<std::pair<const uint8_t*, size_t>> streams(grid.count());
  ByteReader r(payload, size);
  for (uint64_t t = 0; t < grid.count(); ++t) {
    uint64_t len = r.remaining();
    if (grid.count() > 1) RETURN_IF_ERROR(r.Varint(&len));
    if (len > r.remaining()) return Error(DC_ERR_TRUNCATED, "tile stream ends early");
    const uint8_t* p;
    RETURN_IF_ERROR(r.Bytes(static_cast<size_t>(len), &p));
    streams[t] = {p, static_cast<size_t>(len)};
  }
  if (r.remaining() != 0) return Error(DC_ERR_CORRUPT, "trailing bytes after the last tile");

  return ParallelFor(grid.count(), opt.threads, [&](uint64_t t) -> Status {
    const uint32_t x0 = static_cast<uint32_t>(t % grid.cols) * grid.tile;
    const uint32_t y0 = static_cast<uint32_t>(t / grid.cols) * grid.tile;
    const uint32_t tw = std::min(grid.tile, width - x0), th = std::min(grid.tile, height - y0);
    rans::Decoder dec;
    RETURN_IF_ERROR(dec.Init(streams[t].first, streams[t].second));
    for (const auto& g : groups) {
      Level l;
      bool constant = false;
      uint32_t value = 0;
      if (g.alpha) {
        uint32_t flag;
        RETURN_IF_ERROR(dec.GetBits(1, &flag));
        constant = flag != 0;
        if (constant) RETURN_IF_ERROR(dec.GetBits(8, &value));
      }
      if (!constant) RETURN_IF_ERROR(DecodeGroup(net, static_cast<int>(th), static_cast<int>(tw), nullptr, g.coded, opt.adapt, &dec, &l, opt.revision));
      for (uint32_t y = 0; y < th; ++y)
        for (uint32_t x = 0; x < tw; ++x) {
          uint8_t* p = out + (static_cast<size_t>(y0 + y) * width + x0 + x) * channels + g.first_plane;
          for (int c = 0; c < g.coded; ++c) p[c] = constant ? static_cast<uint8_t>(value) : l.at(y, x, c);
        }
    }
    return dec.Finish();
  }, opt.progress);
}

}  // namespace dc::adm
