// Encoder side of the lossless image codec.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/image_lossless.h"
#include "common/parallel.h"
#include "codecs/image_lossless/mixture.h"
#include "codecs/image_lossless/tile_coder.h"
#include "common/bytes.h"
#include "entropy/rans.h"

namespace dc::adm {

namespace {

// One coding of a plane group's pyramid (levels: tile first, 1x1 last; CodeLevel rewrites the
// same values): the 1x1 base raw, then every level's three stages; `match`: revision 2's model.
Status EncodeGroupPass(const AdmNet& net, std::vector<Level>& levels, std::vector<Level>& prev_levels, bool has_prev,
                       int coded, bool adapt, bool match, rans::Encoder* enc, double* bits, double* nll,
                       EncodeStats* stats, GroupState* state) {
  const Level* prev = has_prev ? &prev_levels[0] : nullptr;
  for (int c = 0; c < coded; ++c) enc->PutBits(levels.back().at(0, 0, c), 8);
  *bits += 8.0 * coded;
  *nll += 8.0 * coded;
  stats->level_nll_bits[std::min<size_t>(levels.size() - 1, 23)] += 8.0 * coded;

  NetScratch s;
  s.use_adapt = adapt;
  if (state) {  // video: the tile's model and adapter continue from its previous frame
    if (!state->match) state->match = std::make_unique<MatchModel>(true);
    s.match = std::move(state->match);
    s.adapt = std::move(state->adapt);
  } else if (match) {
    s.match = std::make_unique<MatchModel>(has_prev);  // temporal when a reference is given
  }
  for (int l = static_cast<int>(levels.size()) - 2; l >= 0; --l) {
    // The encoder's levels hold every true pixel already; CodeLevel rewrites the same values.
    const Status st = CodeLevel(net, &levels[l], prev ? &prev_levels[l] : nullptr, coded, &s,
                                [&](int stage, const uint8_t* px, int c, const ChannelDist& d, const Exclusion& e, int* v) {
      *v = px[c];
      uint32_t start;
      const uint32_t freq = e.n == 0 ? mix::SymbolFreq(d, *v, &start) : ExclFreq(d, e, *v, &start);
      enc->Put(start, freq, kCdfPrecision);
      *bits += mix::FreqBits(freq);
      const double b = ModelNllBits(d, *v);
      *nll += b;
      stats->level_nll_bits[std::min(l, 23)] += b;
      stats->stage_nll_bits[stage] += b;
      return Status::Ok();
    }, [&](uint32_t p16, int truth, int* bit) {
      *bit = truth;
      const uint32_t f = *bit ? p16 : 65536 - p16;
      enc->Put(*bit ? 0 : p16, f, 16);
      const double b = 16.0 - std::log2(static_cast<double>(f));
      *bits += b;
      *nll += b;
      stats->level_nll_bits[std::min(l, 23)] += b;
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  if (state) {
    state->match = std::move(s.match);
    state->adapt = std::move(s.adapt);
  }
  return Status::Ok();
}

}  // namespace

// Codes one plane group of one tile (revision 2: small groups first carry the model's on/off bit).
Status EncodeGroup(const AdmNet& net, const Level& tile_level, const Level* prev, int coded, bool adapt,
                   rans::Encoder* enc, double* bits, double* nll, EncodeStats* stats, int revision,
                   GroupState* state) {
  std::vector<Level> levels{tile_level};
  while (levels.back().height > 1 || levels.back().width > 1) levels.push_back(Downsample(levels.back()));
  std::vector<Level> prev_levels;
  if (prev) {
    if (prev->height != tile_level.height || prev->width != tile_level.width)
      return Error(DC_ERR_INTERNAL, "previous frame tile of another size");
    prev_levels.push_back(*prev);
    while (prev_levels.size() < levels.size()) prev_levels.push_back(Downsample(prev_levels.back()));
  }
  const bool small = static_cast<int64_t>(tile_level.height) * tile_level.width <= kSmallGroupPixels;
  if (state && (revision < kRevision2 || !prev)) return Error(DC_ERR_INTERNAL, "a carried state needs revision 2 and a reference");
  if (revision < kRevision2 || !small || state)
    return EncodeGroupPass(net, levels, prev_levels, prev != nullptr, coded, adapt, revision >= kRevision2, enc, bits,
                           nll, stats, state);
  rans::Encoder trial[2];
  double tbits[2] = {0, 0}, tnll[2] = {0, 0};
  EncodeStats tstats[2];
  for (int m = 0; m < 2; ++m)
    RETURN_IF_ERROR(EncodeGroupPass(net, levels, prev_levels, prev != nullptr, coded, adapt, m == 1, &trial[m],
                                    &tbits[m], &tnll[m], &tstats[m], nullptr));
  const int on = tbits[1] < tbits[0] ? 1 : 0;
  enc->PutBits(static_cast<uint32_t>(on), 1);
  enc->Append(trial[on]);
  *bits += 1.0 + tbits[on];
  *nll += 1.0 + tnll[on];
  stats->level_nll_bits[std::min<size_t>(levels.size() - 1, 23)] += 1.0;
  for (int l = 0; l < 24; ++l) stats->level_nll_bits[l] += tstats[on].level_nll_bits[l];
  for (int k = 0; k < 3; ++k) stats->stage_nll_bits[k] += tstats[on].stage_nll_bits[k];
  return Status::Ok();
}

namespace {

Level GroupLevel(const ImageView& img, uint32_t x0, uint32_t y0, uint32_t tw, uint32_t th,
                 const PlaneGroup& g) {
  Level l;
  l.height = static_cast<int>(th);
  l.width = static_cast<int>(tw);
  l.rgb.resize(static_cast<size_t>(th) * tw * 3);
  for (uint32_t y = 0; y < th; ++y)
    for (uint32_t x = 0; x < tw; ++x) {
      const uint8_t* p = img.pixels + ((static_cast<size_t>(y0 + y) * img.width + x0 + x) * img.channels) + g.first_plane;
      uint8_t* d = &l.rgb[(static_cast<size_t>(y) * tw + x) * 3];
      for (int c = 0; c < 3; ++c) d[c] = p[g.coded == 3 ? c : 0];
    }
  return l;
}

}  // namespace

Status EncodeImage(const AdmNet& net, const ImageView& img, const CodecOptions& opt,
                   std::vector<uint8_t>* payload, EncodeStats* stats) {
  const auto groups = PlaneGroups(img.channels);
  if (groups.empty()) return Error(DC_ERR_UNSUPPORTED_FORMAT, "image-lossless codes 1, 3 or 4 channels");
  if (opt.tile_size < kMinTileSize || opt.tile_size > kMaxTileSize)
    return Error(DC_ERR_INVALID_ARGUMENT, "tile size out of range (16 to 4096)");
  if (opt.revision != kRevision1 && opt.revision != kRevision2)
    return Error(DC_ERR_INVALID_ARGUMENT, "image-lossless revision must be 1 or 2");
  const TileGrid grid(img.width, img.height, opt.tile_size);
  std::vector<std::vector<uint8_t>> streams(grid.count());
  std::vector<double> bits(grid.count(), 0.0), nll(grid.count(), 0.0);
  std::vector<EncodeStats> tile_stats(grid.count());
  RETURN_IF_ERROR(ParallelFor(grid.count(), opt.threads, [&](uint64_t t) -> Status {
    const uint32_t x0 = static_cast<uint32_t>(t % grid.cols) * grid.tile;
    const uint32_t y0 = static_cast<uint32_t>(t / grid.cols) * grid.tile;
    const uint32_t tw = std::min(grid.tile, img.width - x0), th = std::min(grid.tile, img.height - y0);
    rans::Encoder enc;
    for (const auto& g : groups) {
      const Level l = GroupLevel(img, x0, y0, tw, th, g);
      if (g.alpha) {
        const bool constant = std::all_of(l.rgb.begin(), l.rgb.end(), [&](uint8_t v) { return v == l.rgb[0]; });
        enc.PutBits(constant ? 1 : 0, 1);
        bits[t] += 1;
        nll[t] += 1;
        if (constant) {
          enc.PutBits(l.rgb[0], 8);
          bits[t] += 8;
          nll[t] += 8;
          continue;
        }
      }
      RETURN_IF_ERROR(EncodeGroup(net, l, nullptr, g.coded, opt.adapt, &enc, &bits[t], &nll[t], &tile_stats[t],
                                  opt.revision));
    }
    return enc.Finish(&streams[t]);
  }, opt.progress));
  ByteWriter w(payload);
  for (uint64_t t = 0; t < grid.count(); ++t) {
    if (grid.count() > 1) w.Varint(streams[t].size());
    w.Bytes(streams[t].data(), streams[t].size());
  }
  if (stats) {
    *stats = EncodeStats{};
    for (uint64_t t = 0; t < grid.count(); ++t) {
      stats->model_bits += bits[t];
      stats->model_nll_bits += nll[t];
      for (int l = 0; l < 24; ++l) stats->level_nll_bits[l] += tile_stats[t].level_nll_bits[l];
      for (int k = 0; k < 3; ++k) stats->stage_nll_bits[k] += tile_stats[t].stage_nll_bits[k];
    }
  }
  return Status::Ok();
}

}  // namespace dc::adm
