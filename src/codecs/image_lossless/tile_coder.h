// Per-tile plane groups and level pyramids, shared by enc_ and dec_image_lossless.cc.
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSLESS_TILE_CODER_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSLESS_TILE_CODER_H_

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/adm_net.h"
#include "codecs/image_lossless/match_model.h"
#include "codecs/image_lossless/mixture.h"
#include "common/status.h"
#include "entropy/mixture_adapt.h"
#include "entropy/rans.h"

namespace dc::adm {

// A plane group is coded as one recursive pass: RGB (3 coded channels) or a single plane
// (gray, or alpha) replicated into the three network channels (1 coded channel).
struct PlaneGroup {
  int first_plane;  // index of the first image channel of the group
  int coded;        // 3 or 1
  bool alpha;       // alpha planes start with a "constant plane" flag
};
std::vector<PlaneGroup> PlaneGroups(uint32_t channels);

// Level sizes from the tile (index 0) down to 1 x 1.
std::vector<std::pair<int, int>> LevelSizes(int height, int width);

// Scratch buffers of one tile's network passes.
struct NetScratch {
  std::vector<float> trunk_in, feats, head_in, out;
  std::vector<int32_t> pred;
  // The online mixture correction of the plane group (entropy/mixture_adapt.h): one per group,
  // carried from the coarsest level to the finest.
  mix::MixtureAdapter adapt{kStages, 3};
  bool use_adapt = true;
  // Revision 2: the neighbour colour model (match_model.h), null in revision 1.
  std::unique_ptr<MatchModel> match;
  CellMixture cell;
  void Reserve(const NetConfig& cfg, int h, int w);
};

// Runs one level's network passes (trunk once, then a head per stage) and visits every
// sub-pixel the stages reveal, in coding order (stage, grid raster, channel). For each, `fn(st,
// px, c, d)` gets the stage, the level pixel being revealed (3 bytes; the decoder writes it, and
// the next stage's inputs read it), the channel and its distribution. fn returns the channel's
// value (the encoder reads it, the decoder decodes it) or an error. `coded` is 3 (RGB) or 1 (the
// value is then replicated into the three channels, as the network expects).
//
// Video: a network with extra inputs (NetConfig::extra_*_inputs, which must then be
// kPrevTrunkInputs and kPrevHeadInputs) also sees `prev`, the previous frame's co-located level
// of the same size (null at a keyframe: the extra planes are zero). Image networks ignore prev.
//
// Revision 2 (s->match set): before a pixel's channels, `bitfn(p16, truth, &bit)` codes the
// flags of the match model (match_model.h), p16 = P(bit = 1) in 1/65536; the encoder codes
// `truth` (computed from its true pixel), the decoder decodes the bit. A pixel that is one of the
// candidates takes the candidate's colour and codes no channel. A temporal model
// (MatchModel::temporal(), video-lossless revision 2) also offers prev's pixel (y, x).
constexpr int kMaxPrice = MatchModel::kMaxCandidates;
template <typename Fn, typename BitFn>
Status CodeLevel(const AdmNet& net, Level* cur, const Level* prev, int coded, NetScratch* s, Fn&& fn, BitFn&& bitfn) {
  const int H = cur->height, W = cur->width, h = CoarseDim(H), w = CoarseDim(W);
  const long plane = static_cast<long>(h) * w;
  const int K = net.config().mixtures;
  const bool video = net.config().extra_trunk_inputs > 0;
  s->Reserve(net.config(), h, w);
  BuildTrunkInput(*cur, s->trunk_in.data());
  if (video) BuildPrevTrunkInput(prev, H, W, s->trunk_in.data() + kTrunkInputs * plane);
  net.Trunk(s->trunk_in.data(), h, w, s->feats.data());
  for (int st = 0; st < kStages; ++st) {
    BuildHeadInput(*cur, st, s->head_in.data(), s->pred.data());
    if (video) BuildPrevHeadInput(prev, st, H, W, s->pred.data(), s->head_in.data() + kHeadInputs * plane);
    net.Head(s->head_in.data(), s->feats.data(), h, w, s->out.data());
    MatchModel* mm = s->match.get();
    if (mm) mm->StartStage(h, w);
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j) {
        if (!StageTargetExists(st, i, j, H, W)) continue;
        const long cell = static_cast<long>(i) * w + j;
        const int y = 2 * i + kPhaseDy[st + 1], x = 2 * j + kPhaseDx[st + 1];
        const int32_t pred[3] = {s->pred[cell], s->pred[plane + cell], s->pred[2 * plane + cell]};
        int32_t residual[3] = {0, 0, 0};
        uint8_t* px = &cur->rgb[(static_cast<size_t>(y) * W + x) * 3];
        int n = 0;  // the pixel's candidates (revision 2)
        if (mm) {
          const float* cell_out = s->out.data() + cell;
          // The network's probability of a candidate colour in 1/65536: the product of its
          // channel intervals (each channel conditioned on the candidate's earlier channels).
          PrepareCell(cell_out, plane, K, pred, coded, &s->cell);
          // Channel 0's distribution is the same for every candidate: its frequencies are
          // computed once per value.
          ChannelDist d0;
          const int32_t no_residual[3] = {0, 0, 0};
          CellChannelDist(s->cell, 0, no_residual, &d0);
          uint32_t f0[kMaxPrice];
          int f0_value[kMaxPrice], f0_n = 0;
          ChannelDist dc[3];  // channels 1 and 2: the cell's base, means set per candidate
          for (int c = 1; c < coded; ++c) dc[c] = s->cell.base[c];
          n = mm->Prepare(*cur, prev, st, y, x, coded, [&](const uint8_t* rgb) {
            int32_t res[3] = {0, 0, 0};
            int f = 0;
            while (f < f0_n && f0_value[f] != rgb[0]) ++f;
            if (f == f0_n) {
              f0_value[f] = rgb[0];
              uint32_t start;
              f0[f] = mix::SymbolFreq(d0, rgb[0], &start);
              ++f0_n;
            }
            uint64_t prod = f0[f];
            res[0] = rgb[0] - pred[0];
            for (int c = 1; c < coded; ++c) {
              SetCellMeans(s->cell, c, res, &dc[c]);
              uint32_t start;
              prod *= mix::SymbolFreq(dc[c], rgb[c], &start);
              res[c] = rgb[c] - pred[c];
            }
            return static_cast<uint32_t>(prod >> (16 * coded - 16));
          });
          int matched = -1;
          if (n > 0) {
            // The encoder's truth (its level holds the true pixel); the decoder ignores it.
            const int truth = mm->Find(px);
            const uint32_t p_any = mm->P16(0);
            {
              int bit = 0;
              RETURN_IF_ERROR(bitfn(p_any, truth >= 0 ? 1 : 0, &bit));
              mm->Update(bit);
              if (bit) {
                matched = n - 1;
                for (int k = 0; k + 1 < n; ++k) {
                  const uint32_t p16 = mm->P16(k + 1);
                  RETURN_IF_ERROR(bitfn(p16, truth == k ? 1 : 0, &bit));
                  mm->Update(bit);
                  if (bit) {
                    matched = k;
                    break;
                  }
                }
              }
            }
          }
          if (matched >= 0) {
            const uint8_t* cand = mm->candidate(matched);
            for (int c = 0; c < 3; ++c) px[c] = cand[coded == 3 ? c : 0];
            mm->EndPixel(st, y, x, px);
            continue;
          }
        }
        for (int c = 0; c < coded; ++c) {
          ChannelDist d;
          // (Revision 2 has the cell's mixtures prepared: the same distribution, cheaper.)
          if (mm) CellChannelDist(s->cell, c, residual, &d);
          else MakeChannelDist(s->out.data() + cell, plane, K, c, pred, residual, &d);
          const int ctx = s->use_adapt ? s->adapt.Apply(st, c, &d) : 0;
          int v = 0;
          bool flagged = false;
          Exclusion excl;  // revision 2: values this channel cannot take
          if (n > 0) {
            // Revision 2 channel flags: is the value one of the candidates' values of channel c?
            const int nv = mm->PrepareChannel(c, px, d, &excl);
            if (nv > 0) {
              const int truth = mm->FindValue(px[c]);  // the encoder's truth; the decoder ignores it
              int bit = 0;
              RETURN_IF_ERROR(bitfn(mm->P16Channel(0), truth >= 0 ? 1 : 0, &bit));
              mm->Update(bit);
              mm->EndChannel(bit != 0);
              if (bit) {
                int idx = nv - 1;
                for (int k = 0; k + 1 < nv; ++k) {
                  RETURN_IF_ERROR(bitfn(mm->P16Channel(k + 1), truth == k ? 1 : 0, &bit));
                  mm->Update(bit);
                  if (bit) {
                    idx = k;
                    break;
                  }
                }
                v = mm->channel_value(idx);
                flagged = true;
              } else {
                for (int k = 0; k < nv; ++k) excl.Add(mm->channel_value(k), mm->channel_freq(k));
              }
            }
          }
          if (!flagged) RETURN_IF_ERROR(fn(st, px, c, d, excl, &v));
          if (s->use_adapt) s->adapt.Update(ctx, v);
          px[c] = static_cast<uint8_t>(v);
          residual[c] = v - pred[c];
        }
        if (coded == 1) px[1] = px[2] = px[0];
        if (mm) mm->EndPixel(st, y, x, px);
      }
  }
  return Status::Ok();
}
// Revision 1 (no match model; bitfn is never called).
template <typename Fn>
Status CodeLevel(const AdmNet& net, Level* cur, const Level* prev, int coded, NetScratch* s, Fn&& fn) {
  return CodeLevel(net, cur, prev, coded, s, std::forward<Fn>(fn),
                   [](uint32_t, int, int*) { return Error(DC_ERR_INTERNAL, "no match model"); });
}
template <typename Fn>
Status CodeLevel(const AdmNet& net, Level* cur, int coded, NetScratch* s, Fn&& fn) {
  return CodeLevel(net, cur, nullptr, coded, s, std::forward<Fn>(fn));
}

// Revision 2: a plane group of at most this many pixels (tile width x height) starts with one raw
// bit, 1 = the neighbour colour model is used, 0 = the group is coded as in revision 1 (the
// encoder codes both and keeps the smaller: on tiny images the model has too little to learn
// from). Larger groups always use it.
constexpr int64_t kSmallGroupPixels = 4096;

// Video-lossless revision 2: the adaptive state of one tile position, carried from each
// predicted frame of a group of pictures to the next (tiles never share one, so the thread
// count does not change the bytes). A group coded with a state has no small-group bit.
struct GroupState {
  std::unique_ptr<MatchModel> match;  // temporal; created by the group's first predicted frame
  mix::MixtureAdapter adapt{kStages, 3};
};

struct EncodeStats;
// One plane group of one tile (`coded` 3 or 1), coded into `enc`: the 1x1 base raw, then every
// level's three stages. `prev` (video: the previous frame's co-located tile, same size; null for
// images and keyframes) is brought down the same pyramid. Adds the quantised and float-model
// bits to *bits and *nll and the per-level/stage NLL to stats.
// `adapt`: the online mixture correction (CodecOptions::adapt), the same on both sides.
// `revision`: kRevision1 or kRevision2 (image_lossless.h); video-lossless passes its own revision
// (1 or 2). `state` (video-lossless revision 2, predicted frames; needs revision 2 and prev): the
// tile's carried model and adapter, used and updated in place; the group then has no small-group
// bit. Without a state, revision 2 creates a fresh model (temporal when prev is given).
Status EncodeGroup(const AdmNet& net, const Level& tile_level, const Level* prev, int coded, bool adapt,
                   rans::Encoder* enc, double* bits, double* nll, EncodeStats* stats, int revision = 1,
                   GroupState* state = nullptr);
// The decoder's side: rebuilds the H0 x W0 tile level of one plane group into *out.
Status DecodeGroup(const AdmNet& net, int H0, int W0, const Level* prev, int coded, bool adapt, rans::Decoder* dec,
                   Level* out, int revision = 1, GroupState* state = nullptr);

}  // namespace dc::adm

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSLESS_TILE_CODER_H_
