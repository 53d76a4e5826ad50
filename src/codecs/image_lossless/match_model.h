// Revision 2 of the lossless image codec: the "neighbour colour" model, learned from the tile
// while it is coded (docs/codecs/image-lossless.md, "Revision 2"; pilot and ablation in
// docs/design-adaptive.md).
//
// Before the channels of a pixel are coded, the distinct colours of its already revealed
// neighbours (absorbing diffusion: from stage 1 on, all four sides) are offered as candidates,
// most supported first. A binary flag per candidate says "the pixel is this colour"; the first
// flag that is 1 ends the pixel (no channel is coded), otherwise the channels follow as in
// revision 1. Each flag's probability comes from a logistic mixer (CM-style, integer) of
//   - the network's own probability of the candidate colour (product of its channel intervals),
//   - adaptive bit counters in hashed contexts (neighbour equality pattern, support of the
//     candidate, outcomes of the previous pixels, hashes of the neighbour colours),
// Encoder and decoder run the same integer updates
// in the same order, so a certain pixel costs a few thousandths of a bit.
//
// Video-lossless revision 2 uses a *temporal* model in predicted frames: the reference frame's
// co-located pixel is one more candidate and a sixth counter table sees its agreement with the
// neighbourhood (docs/codecs/video-lossless.md, "Revision 2"). Image models are unchanged.
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSLESS_MATCH_MODEL_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSLESS_MATCH_MODEL_H_

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/mixture.h"

namespace dc::adm {

// Logistic-domain helpers shared with the tests (12-bit probabilities, stretch in 1/256 nats).
int Squash(int d);   // d in any range -> p in [1, 4095]
int Stretch(int p);  // p in [0, 4095] -> d in [-2047, 2047]

class MatchModel {
 public:
  static constexpr int kMaxCandidates = 8;
  static constexpr int kColourHashBits = 17;  // slots of each colour table: 2^17, two colours each
  static constexpr int kInputs = 7;       // mixer inputs (bias included) of an image model
  static constexpr int kCounterBits = 16;  // entries per hashed counter table: 2^16
  static constexpr int kTables = 5;        // counter tables of an image model
  // A temporal model (video-lossless revision 2, predicted frames) has one more counter table
  // and mixer input.
  static constexpr int kMaxTables = kTables + 1;
  static constexpr int kMaxInputs = kInputs + 1;

  // temporal = false: image-lossless revision 2 (and video keyframes). temporal = true: video
  // predicted frames; Prepare must then be given the reference level.
  explicit MatchModel(bool temporal = false);
  bool temporal() const { return temporal_; }

  // Gathers the candidates of the pixel (y, x) revealed by `stage` in `cur` (coded channels
  // only: `coded` is 3 or 1). `net_p16(rgb)` returns the network's probability of a candidate
  // colour in 1/65536 (tile_coder.h). Returns the number of candidates. `ref` (temporal models
  // only, else ignored): the reference frame's co-located level, the same size as `cur`, whose
  // pixel (y, x) is one more candidate.
  template <typename NetProb>
  int Prepare(const Level& cur, const Level* ref, int stage, int y, int x, int coded, NetProb&& net_p16) {
    Gather(cur, temporal_ ? ref : nullptr, stage, y, x, coded);
    for (int k = 0; k < n_; ++k) net_p_[k] = net_p16(cand_[k].rgb);
    return n_;
  }
  template <typename NetProb>
  int Prepare(const Level& cur, int stage, int y, int x, int coded, NetProb&& net_p16) {
    return Prepare(cur, nullptr, stage, y, x, coded, std::forward<NetProb>(net_p16));
  }
  const uint8_t* candidate(int k) const { return cand_[k].rgb; }
  // Index of the candidate equal to px (its coded channels), -1 if none.
  int Find(const uint8_t* px) const;
  // P(flag = 1) in 1/65536 (in [16, 65520]) of flag `slot`: slot 0 = "the pixel is one of the
  // candidates", slot k + 1 = "it is candidate k" (given that it is none of 0..k-1).
  uint32_t P16(int slot);
  // Channel flags of a pixel that is none of the candidates, before its channel c is coded
  // with `d` (its final distribution). A candidate whose channels before c equal the pixel's is
  // "consistent"; in the last coded channel its value is impossible (the pixel would be that
  // candidate) and goes to *impossible. The other distinct values of channel c among the
  // candidates are offered, consistent ones first, then by support. Returns their number; then
  // P16Channel(0) = "the value is one of them", P16Channel(k + 1) = "it is value k", as for the
  // pixel flags.
  int PrepareChannel(int c, const uint8_t* px, const mix::ChannelDist& d, Exclusion* impossible);
  int channel_value(int k) const { return val_[k].v; }
  uint32_t channel_freq(int k) const { return val_p_[k]; }
  int FindValue(int v) const;
  uint32_t P16Channel(int slot);
  // After a channel's flags: whether its any-flag was 1 (a context of the next channel's flags).
  void EndChannel(bool hit) { prev_hit_ = hit ? 1 : 2; }
  // Learns the flag value of the P16 / P16Channel call just made.
  void Update(int bit);
  // Ends the pixel: `px` is its final colour (3 bytes).
  void EndPixel(int stage, int y, int x, const uint8_t* px);
  // Called at the start of each level's stages (outcome maps are per stage).
  void StartStage(int h, int w);

 private:
  struct Val {
    uint8_t v;
    uint8_t consistent;  // some candidate with this value agrees with the pixel's earlier channels
    uint8_t support;     // sum of the supports of the candidates with this value (saturated at 255)
    uint8_t mask;        // union of their near-neighbour masks
  };
  uint32_t Predict(const uint64_t ctx[], int net_st, int wset);
  struct Cand {
    uint8_t rgb[3];
    uint8_t support;  // weighted count of neighbours of this colour
    uint8_t mask;     // which of the 4 near neighbours have this colour
    uint8_t src;      // bit 0: the near-context colour table says this colour; bit 1: the wide one
    uint8_t ref;      // temporal: 1 if this is the reference pixel's colour
  };
  void Gather(const Level& cur, const Level* ref, int stage, int y, int x, int coded);

  bool temporal_ = false;
  int tables_ = kTables, inputs_ = kInputs;
  // Temporal: the reference pixel's colour, and how many near / far neighbours equal their
  // reference pixels (the local "nothing moved" evidence).
  uint32_t ref_colour_ = 0;
  int ref_near_ = 0, ref_far_ = 0;

  int n_ = 0;
  std::array<Cand, kMaxCandidates> cand_{};
  std::array<uint32_t, kMaxCandidates> net_p_{};
  int nv_ = 0, ch_ = 0, prev_hit_ = 0;
  std::array<Val, kMaxCandidates> val_{};
  std::array<uint32_t, kMaxCandidates> val_p_{};
  uint32_t pattern_ = 0;   // equality partition of the near neighbours
  uint32_t near_hash_ = 0, all_hash_ = 0;
  int stage_ = 0, coded_ = 3, outcome_w_ = 0, outcome_n_ = 0, any_support_ = 0;
  // Outcome of every pixel of the current stage (index in the stage's coarse grid), 0 = not
  // coded yet / no candidate, 1 = no match, 2 + k = matched candidate k.
  std::vector<uint8_t> outcome_;
  int grid_w_ = 0;

  // Adaptive counters: p (Q16, probability of 1) in the high 16 bits... kept as two arrays.
  // Counter t, entry i: probability p (Q16) in bits 0..15 and count n in bits 16..23 (one
  // memory access per counter).
  std::vector<uint32_t> ctr_[kMaxTables];
  // Colour tables: the last colour seen after the same near (0) / near + far (1) neighbour
  // colours; an entry is colour | 1 << 24 once written (0: empty).
  std::vector<uint32_t> colour_[2];
  uint32_t colour_idx_[2] = {};
  std::vector<int32_t> w_;  // mixer weights, Q16, per weight set
  // Per P16 call, for Update.
  uint32_t idx_[kMaxTables] = {};
  int st_[kMaxInputs] = {};
  int wset_ = 0, mix_p12_ = 0, final_p12_ = 0;
};

}  // namespace dc::adm

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSLESS_MATCH_MODEL_H_
