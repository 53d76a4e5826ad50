#include "codecs/image_lossless/match_model.h"

#include <algorithm>
#include <cstdlib>

namespace dc::adm {
namespace {

// squash(d) = 4096 / (1 + e^(-d/256)) at d = -2048, -1920, ..., 2048 (lpaq1's table).
constexpr int kSquashPts[33] = {1,    2,    3,    6,    10,   16,   27,   45,   73,   120,  194,
                                310,  488,  747,  1101, 1546, 2047, 2549, 2994, 3348, 3607, 3785,
                                3901, 3975, 4022, 4050, 4068, 4079, 4085, 4089, 4092, 4093, 4094};

struct StretchTable {
  std::array<int16_t, 4096> t;
  StretchTable() {
    int pi = 0;
    for (int x = -2047; x <= 2047; ++x) {
      const int v = Squash(x);
      for (int j = pi; j <= v; ++j) t[static_cast<size_t>(j)] = static_cast<int16_t>(x);
      pi = v + 1;
    }
    for (int j = pi; j < 4096; ++j) t[static_cast<size_t>(j)] = 2047;
  }
};
const StretchTable& StretchT() {
  static const StretchTable t;
  return t;
}

// 1 / (n + 1.5) in Q16: the adaptation rate of a counter that has seen n values.
struct RateTable {
  std::array<int32_t, 256> r;
  RateTable() {
    for (int n = 0; n < 256; ++n) r[static_cast<size_t>(n)] = (2 * 65536 + (2 * n + 3) / 2) / (2 * n + 3);
  }
};
const RateTable& Rates() {
  static const RateTable t;
  return t;
}

constexpr int kWays = 2;
constexpr int kCounterLimit = 60;  // rate floor 1/61.5
// Pixel flags: (slot 0..8) x stage x (candidate has the top support); channel flags after them:
// (slot 0..8) x channel x consistent.
constexpr int kPixelWeightSets = (MatchModel::kMaxCandidates + 1) * kStages * 2;
constexpr int kWeightSets = kPixelWeightSets + (MatchModel::kMaxCandidates + 1) * 3 * 2;
constexpr int kMixerShift = 12;  // weight step = stretch * err >> kMixerShift
constexpr int kMixerRate = 2;

inline uint32_t Hash(uint64_t x, int bits) {
  x *= 0x9E3779B97F4A7C15ull;
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  return static_cast<uint32_t>(x >> (64 - bits));
}
inline uint64_t Mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001B3ull + (h >> 31); }
// |a - b| in 8 buckets: 0, 1, 2, 3, 4-5, 6-8, 9-15, 16+.
inline uint64_t DistanceBucket(int a, uint32_t b) {
  const int d = std::abs(a - static_cast<int>(b));
  return d < 4 ? static_cast<uint64_t>(d) : d < 6 ? 4 : d < 9 ? 5 : d < 16 ? 6 : 7;
}

// Revealed neighbours of a stage's target (dy, dx): the four near ones (weight 2 in a
// candidate's support), then the farther ones (weight 1). Same-stage offsets (0, -2), (-2, *)
// lie on earlier grid rows or columns and are already coded.
constexpr int kNear[kStages][4][2] = {{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}},
                                      {{-1, 0}, {0, -1}, {0, 1}, {1, 0}},
                                      {{-1, 0}, {0, -1}, {0, 1}, {1, 0}}};
constexpr int kFarCount[kStages] = {4, 4, 8};
constexpr int kFar[kStages][8][2] = {{{0, -2}, {-2, 0}, {-2, -2}, {-2, 2}},
                                     {{0, -2}, {-2, 0}, {-2, -2}, {-2, 2}},
                                     {{0, -2}, {-2, 0}, {-2, -2}, {-2, 2}, {-1, -1}, {-1, 1}, {1, -1}, {1, 1}}};

}  // namespace

int Squash(int d) {
  if (d > 2047) return 4095;
  if (d < -2047) return 1;
  const int w = d & 127;
  const int i = (d >> 7) + 16;
  return std::clamp((kSquashPts[i] * (128 - w) + kSquashPts[i + 1] * w + 64) >> 7, 1, 4095);
}

int Stretch(int p) { return StretchT().t[static_cast<size_t>(std::clamp(p, 0, 4095))]; }

MatchModel::MatchModel(bool temporal)
    : temporal_(temporal), tables_(temporal ? kMaxTables : kTables), inputs_(temporal ? kMaxInputs : kInputs) {
  for (int t = 0; t < tables_; ++t) {
    ctr_[t].assign(size_t{1} << kCounterBits, 32768);
  }
  for (auto& c : colour_) c.assign((size_t{1} << kColourHashBits) * kWays, 0);
  // Start with the counters averaged and the network input at weight 1/2.
  w_.assign(static_cast<size_t>(kWeightSets) * inputs_, 0);
  for (int s = 0; s < kWeightSets; ++s) {
    for (int i = 0; i < tables_; ++i) w_[static_cast<size_t>(s) * inputs_ + i] = 65536 / tables_;
    w_[static_cast<size_t>(s) * inputs_ + tables_] = 32768;
  }
}

void MatchModel::StartStage(int h, int w) {
  grid_w_ = w;
  outcome_.assign(static_cast<size_t>(h) * w, 0);
}

void MatchModel::Gather(const Level& cur, const Level* ref, int stage, int y, int x, int coded) {
  const int H = cur.height, W = cur.width;
  stage_ = stage;
  coded_ = coded;
  n_ = 0;
  prev_hit_ = 0;
  uint64_t nh = static_cast<uint64_t>(stage) + 1, ah = nh;
  uint32_t near_rgb[4];
  const auto rgb_at = [&](int yy, int xx) {
    const uint8_t* p = &cur.rgb[(static_cast<size_t>(yy) * W + xx) * 3];
    return coded == 3 ? (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16) : uint32_t{p[0]};
  };
  const auto add = [&](uint32_t c, int weight, int near_index, int src = 0) {
    for (int k = 0; k < n_; ++k) {
      uint32_t ck = uint32_t{cand_[k].rgb[0]} | uint32_t{cand_[k].rgb[1]} << 8 | uint32_t{cand_[k].rgb[2]} << 16;
      if (coded == 1) ck = cand_[k].rgb[0];
      if (ck == c) {
        cand_[k].support = static_cast<uint8_t>(cand_[k].support + weight);
        if (near_index >= 0) cand_[k].mask = static_cast<uint8_t>(cand_[k].mask | 1 << near_index);
        cand_[k].src = static_cast<uint8_t>(cand_[k].src | src);
        return k;
      }
    }
    if (n_ == kMaxCandidates) return -1;
    Cand& d = cand_[n_];
    d.rgb[0] = static_cast<uint8_t>(c);
    d.rgb[1] = static_cast<uint8_t>(coded == 3 ? c >> 8 : c);
    d.rgb[2] = static_cast<uint8_t>(coded == 3 ? c >> 16 : c);
    d.support = static_cast<uint8_t>(weight);
    d.mask = static_cast<uint8_t>(near_index >= 0 ? 1 << near_index : 0);
    d.src = static_cast<uint8_t>(src);
    d.ref = 0;
    return n_++;
  };
  if (ref) {
    // Temporal: the reference pixel is the first candidate gathered (so never dropped), with a
    // support of 1 + 2 x (near neighbours equal to their reference pixels).
    const auto ref_at = [&](int yy, int xx) {
      const uint8_t* p = &ref->rgb[(static_cast<size_t>(yy) * W + xx) * 3];
      return coded == 3 ? (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16) : uint32_t{p[0]};
    };
    ref_near_ = ref_far_ = 0;
    for (int a = 0; a < 4; ++a) {
      const int yy = y + kNear[stage][a][0], xx = x + kNear[stage][a][1];
      if (yy >= 0 && xx >= 0 && yy < H && xx < W && rgb_at(yy, xx) == ref_at(yy, xx)) ++ref_near_;
    }
    for (int a = 0; a < kFarCount[stage]; ++a) {
      const int yy = y + kFar[stage][a][0], xx = x + kFar[stage][a][1];
      if (yy >= 0 && xx >= 0 && yy < H && xx < W && rgb_at(yy, xx) == ref_at(yy, xx)) ++ref_far_;
    }
    ref_colour_ = ref_at(y, x);
    add(ref_colour_, 1 + 2 * ref_near_, -1);
  }
  for (int a = 0; a < 4; ++a) {
    const int yy = y + kNear[stage][a][0], xx = x + kNear[stage][a][1];
    if (yy < 0 || xx < 0 || yy >= H || xx >= W) {
      near_rgb[a] = 0xFFFFFFFFu;  // absent
      continue;
    }
    near_rgb[a] = rgb_at(yy, xx);
    add(near_rgb[a], 2, a);
  }
  for (int a = 0; a < kFarCount[stage]; ++a) {
    const int yy = y + kFar[stage][a][0], xx = x + kFar[stage][a][1];
    uint32_t c = 0xFFFFFFFFu;
    if (yy >= 0 && xx >= 0 && yy < H && xx < W) {
      c = rgb_at(yy, xx);
      add(c, 1, -1);
    }
    ah = Mix(ah, c);
  }
  // Near equality partition: each neighbour's label is the first equal neighbour's index (4 =
  // absent).
  pattern_ = 0;
  for (int a = 0; a < 4; ++a) {
    int label = 4;
    if (near_rgb[a] != 0xFFFFFFFFu) {
      label = a;
      for (int b = 0; b < a; ++b)
        if (near_rgb[b] == near_rgb[a]) {
          label = b;
          break;
        }
    }
    pattern_ = pattern_ * 5 + static_cast<uint32_t>(label);
    nh = Mix(nh, near_rgb[a]);
  }
  near_hash_ = static_cast<uint32_t>(nh ^ (nh >> 32));
  all_hash_ = static_cast<uint32_t>(Mix(ah, nh) >> 16);
  // The colour tables' predictions (weight 0: they add a candidate or mark an existing one).
  colour_idx_[0] = Hash(nh, kColourHashBits);
  colour_idx_[1] = Hash(Mix(ah, nh), kColourHashBits);
  for (int t = 0; t < 2; ++t)
    for (int e = 0; e < kWays; ++e) {
      const uint32_t v = colour_[t][colour_idx_[t] * kWays + e];
      if (v != 0) add(v & 0xFFFFFFu, 0, -1, (1 << t) * (e == 0 ? 1 : 4));
    }
  // Most supported first; ties keep the order of first appearance (stable).
  std::stable_sort(cand_.begin(), cand_.begin() + n_, [](const Cand& a, const Cand& b) { return a.support > b.support; });
  if (ref)
    for (int k = 0; k < n_; ++k) {
      const uint32_t ck = uint32_t{cand_[k].rgb[0]} | uint32_t{cand_[k].rgb[1]} << 8 | uint32_t{cand_[k].rgb[2]} << 16;
      cand_[k].ref = (coded == 1 ? cand_[k].rgb[0] : ck) == ref_colour_ ? 1 : 0;
    }
  // Outcomes of the same stage's previous pixels (left and above in the stage's grid).
  const int i = (y - kPhaseDy[stage + 1]) / 2, j = (x - kPhaseDx[stage + 1]) / 2;
  outcome_w_ = j > 0 ? outcome_[static_cast<size_t>(i) * grid_w_ + j - 1] : 7;
  outcome_n_ = i > 0 ? outcome_[static_cast<size_t>(i - 1) * grid_w_ + j] : 7;
  any_support_ = n_ > 0 ? cand_[0].support : 0;
}

int MatchModel::Find(const uint8_t* px) const {
  for (int k = 0; k < n_; ++k) {
    bool eq = true;
    for (int c = 0; c < coded_; ++c) eq = eq && px[c] == cand_[k].rgb[c];
    if (eq) return k;
  }
  return -1;
}

uint32_t MatchModel::P16(int slot) {
  const int k = slot > 0 ? slot - 1 : 0;
  const Cand& c = cand_[k];
  // Temporal: the slot key also says whether the candidate is the reference colour (always 0
  // in image models, so their contexts are unchanged).
  const uint64_t kk = static_cast<uint64_t>(slot) + 1 + 32u * c.ref;
  // The network's probability of the event: any candidate (slot 0), or candidate k among
  // candidates k.. (slot k + 1), 12-bit.
  uint64_t rest = 0;
  for (int j = k; j < n_; ++j) rest += net_p_[j];
  const uint64_t net_p12 = slot == 0 ? rest >> 4 : (uint64_t{net_p_[k]} << 12) / std::max<uint64_t>(rest, 1);
  const int net_st = Stretch(static_cast<int>(std::min<uint64_t>(net_p12, 4095)));
  const uint64_t st = static_cast<uint64_t>(stage_);
  const uint32_t colour = uint32_t{c.rgb[0]} | uint32_t{c.rgb[1]} << 8 | uint32_t{c.rgb[2]} << 16;
  const int net_bucket = std::clamp((net_st + 2048) >> 7, 0, 31);
  const uint64_t ctx[kMaxTables] = {
      ((((kk * 4 + st) * 16 + std::min<int>(c.support, 15)) * 8 + std::min(n_, 7)) * 16 + c.mask) * 16 + c.src,
      Mix(Mix(Mix(Mix(kk * 4 + st, pattern_), c.mask), static_cast<uint64_t>(outcome_w_)), static_cast<uint64_t>(outcome_n_)),
      Mix(Mix(Mix(kk * 4 + st, near_hash_), c.mask * 16 + c.src), 0x1234),
      Mix(Mix(Mix(kk * 4 + st, all_hash_), colour), 0x5678),
      Mix(Mix(Mix(kk * 4 + st, static_cast<uint64_t>(net_bucket)), std::min<int>(c.support, 15) * 16 + c.src), 0x9ABC),
      // Temporal only: far neighbours unchanged, the candidate's distance to the reference
      // colour (coded channel 0), the outcomes of the stage's left and upper pixels.
      Mix(Mix(Mix(Mix(Mix(kk * 4 + st, static_cast<uint64_t>(ref_far_)), DistanceBucket(c.rgb[0], ref_colour_ & 0xFF)),
                  static_cast<uint64_t>(outcome_w_)), static_cast<uint64_t>(outcome_n_)), 0xDEF0),
  };
  const int wset = (std::min(slot, kMaxCandidates) * kStages + stage_) * 2 + (c.support == any_support_ ? 1 : 0);
  return Predict(ctx, net_st, wset);
}

uint32_t MatchModel::Predict(const uint64_t ctx[], int net_st, int wset) {
  for (int t = 0; t < tables_; ++t) {
    idx_[t] = Hash(ctx[t] * 8 + static_cast<uint64_t>(t), kCounterBits);
    st_[t] = Stretch(static_cast<int>((ctr_[t][idx_[t]] & 0xFFFF) >> 4));
  }
  st_[tables_] = net_st;
  st_[tables_ + 1] = 256;
  wset_ = wset;
  const int32_t* w = &w_[static_cast<size_t>(wset_) * inputs_];
  int64_t dot = 0;
  for (int i = 0; i < inputs_; ++i) dot += static_cast<int64_t>(st_[i]) * w[i];
  const int64_t d = dot >= 0 ? dot >> 16 : -((-dot) >> 16);
  mix_p12_ = Squash(static_cast<int>(std::clamp<int64_t>(d, -2047, 2047)));
  final_p12_ = mix_p12_;
  return std::clamp<uint32_t>(static_cast<uint32_t>(final_p12_) << 4, 16, 65520);
}

int MatchModel::PrepareChannel(int c, const uint8_t* px, const mix::ChannelDist& d, Exclusion* impossible) {
  ch_ = c;
  nv_ = 0;
  // Interval starts under d, each boundary computed once (neighbouring values share one).
  int bnd[2 * kMaxCandidates + 2];
  uint32_t bstart[2 * kMaxCandidates + 2];
  int nb = 0;
  const auto find = [&](int b) {
    for (int i = 0; i < nb; ++i)
      if (bnd[i] == b) return i;
    return -1;
  };
  const auto freq = [&](int v) {
    const int i0 = find(v), i1 = find(v + 1);
    if (i0 >= 0 && i1 >= 0) return bstart[i1] - bstart[i0];
    uint32_t s;
    const uint32_t f = mix::SymbolFreq(d, v, &s);  // both boundaries in one pass
    if (i0 < 0) {
      bnd[nb] = v;
      bstart[nb++] = s;
    }
    if (i1 < 0) {
      bnd[nb] = v + 1;
      bstart[nb++] = s + f;
    }
    return f;
  };
  for (int k = 0; k < n_; ++k) {
    const Cand& cd = cand_[k];
    bool cons = true;
    for (int e = 0; e < c; ++e) cons = cons && cd.rgb[e] == px[e];
    if (cons && c == coded_ - 1) {
      impossible->Add(cd.rgb[c], freq(cd.rgb[c]));
      continue;
    }
    int j = 0;
    while (j < nv_ && val_[j].v != cd.rgb[c]) ++j;
    if (j == nv_) {
      val_[j] = Val{cd.rgb[c], 0, 0, 0};
      ++nv_;
    }
    Val& v = val_[j];
    v.consistent = static_cast<uint8_t>(v.consistent | (cons ? 1 : 0));
    v.support = static_cast<uint8_t>(std::min(255, v.support + cd.support));
    v.mask = static_cast<uint8_t>(v.mask | cd.mask);
  }
  // A value both impossible (via one candidate) and offered (via another) is not offered.
  int m = 0;
  for (int k = 0; k < nv_; ++k) {
    bool out = false;
    for (int e = 0; e < impossible->n; ++e) out = out || impossible->v[e] == val_[k].v;
    if (!out) val_[m++] = val_[k];
  }
  nv_ = m;
  // Consistent values first, then by support; ties keep the candidates' order (stable).
  std::stable_sort(val_.begin(), val_.begin() + nv_, [](const Val& a, const Val& b) {
    return a.consistent != b.consistent ? a.consistent > b.consistent : a.support > b.support;
  });
  for (int k = 0; k < nv_; ++k) val_p_[k] = freq(val_[k].v);
  return nv_;
}

int MatchModel::FindValue(int v) const {
  for (int k = 0; k < nv_; ++k)
    if (val_[k].v == v) return k;
  return -1;
}

uint32_t MatchModel::P16Channel(int slot) {
  const int k = slot > 0 ? slot - 1 : 0;
  const Val& v = val_[k];
  const uint64_t kk = static_cast<uint64_t>(slot) + 16;  // apart from the pixel flags' slots
  uint64_t rest = 0;
  for (int j = k; j < nv_; ++j) rest += val_p_[j];
  const uint64_t net_p12 = slot == 0 ? rest >> 4 : (uint64_t{val_p_[k]} << 12) / std::max<uint64_t>(rest, 1);
  const int net_st = Stretch(static_cast<int>(std::min<uint64_t>(net_p12, 4095)));
  const uint64_t sc = static_cast<uint64_t>(stage_ * 3 + ch_);
  const int net_bucket = std::clamp((net_st + 2048) >> 7, 0, 31);
  const uint64_t ctx[kMaxTables] = {
      (((((kk * 16 + sc) * 16 + std::min<int>(v.support, 15)) * 8 + std::min(nv_, 7)) * 16 + v.mask) * 2 + v.consistent) * 4 +
          static_cast<uint64_t>(prev_hit_),
      Mix(Mix(Mix(Mix(kk * 16 + sc, pattern_), v.mask * 2 + v.consistent), static_cast<uint64_t>(outcome_w_)),
          static_cast<uint64_t>(outcome_n_)),
      Mix(Mix(Mix(kk * 16 + sc, near_hash_), v.mask * 2 + v.consistent), 0x2345),
      Mix(Mix(Mix(kk * 16 + sc, all_hash_), v.v), 0x6789),
      Mix(Mix(Mix(kk * 16 + sc, static_cast<uint64_t>(net_bucket)), std::min<int>(v.support, 15) * 2 + v.consistent), 0xABCD),
      // Temporal only (channel flags need 3 coded channels; video planes are gray).
      Mix(Mix(Mix(kk * 16 + sc, static_cast<uint64_t>(ref_far_)), DistanceBucket(v.v, ref_colour_ >> (8 * ch_) & 0xFF)), 0xEF01),
  };
  const int wset = kPixelWeightSets + (std::min(slot, kMaxCandidates) * 3 + ch_) * 2 + v.consistent;
  return Predict(ctx, net_st, wset);
}

void MatchModel::Update(int bit) {
  for (int t = 0; t < tables_; ++t) {
    uint32_t& e = ctr_[t][idx_[t]];
    const int32_t p = static_cast<int32_t>(e & 0xFFFF);
    const int n = static_cast<int>(e >> 16);
    const int32_t target = bit ? 65535 : 0;
    const int32_t q = p + (((target - p) * Rates().r[static_cast<size_t>(n)]) >> 16);
    e = static_cast<uint32_t>(q) | static_cast<uint32_t>(std::min(n + 1, kCounterLimit)) << 16;
  }
  const int err = ((bit << 12) - mix_p12_) * kMixerRate;
  int32_t* w = &w_[static_cast<size_t>(wset_) * inputs_];
  for (int i = 0; i < inputs_; ++i) {
    const int64_t step = static_cast<int64_t>(st_[i]) * err;
    w[i] += static_cast<int32_t>(step >= 0 ? step >> kMixerShift : -((-step) >> kMixerShift));
  }
}

void MatchModel::EndPixel(int stage, int y, int x, const uint8_t* px) {
  const int truth = Find(px);
  const uint32_t colour = (coded_ == 3 ? uint32_t{px[0]} | uint32_t{px[1]} << 8 | uint32_t{px[2]} << 16 : uint32_t{px[0]}) | 1u << 24;
  for (int t = 0; t < 2; ++t) {
    uint32_t* e = &colour_[t][colour_idx_[t] * kWays];
    if (e[0] == colour) continue;
    for (int w = kWays - 1; w > 0; --w) e[w] = e[w - 1];
    e[0] = colour;
  }
  const int i = (y - kPhaseDy[stage + 1]) / 2, j = (x - kPhaseDx[stage + 1]) / 2;
  outcome_[static_cast<size_t>(i) * grid_w_ + j] = static_cast<uint8_t>(n_ == 0 ? 0 : truth < 0 ? 1 : 2 + std::min(truth, 4));
}

}  // namespace dc::adm
