#include "codecs/image_lossy/refine.h"

#include <algorithm>
#include <array>
#include <memory>
#include <type_traits>
#include <cstdlib>
#include <string>

#include "common/bytes.h"
#include "entropy/rans.h"

namespace dc::lossy::refine {

std::vector<int> DefaultSteps() { return {16, 8, 4, 2, 1}; }

namespace {

constexpr int kPrecision = 16;
constexpr uint32_t kOne = 1u << kPrecision;
constexpr uint32_t kMinFreq = 64;  // each binary symbol keeps at least 64 / 65536 of the range
constexpr int kUnary = 14;         // magnitude bins before the Exp-Golomb escape
constexpr int kMaxEscapeBits = 8;

// Adaptation speed: shift 1 for a context's first bit, then 1 + floor(log2(n + 1)) up to 7.
constexpr std::array<uint8_t, 256> MakeShifts() {
  std::array<uint8_t, 256> t{};
  for (int n = 0; n < 256; ++n) {
    int s = 1;
    while (s < 7 && ((n + 1) >> s) != 0) ++s;
    t[n] = static_cast<uint8_t>(s);
  }
  return t;
}
constexpr std::array<uint8_t, 256> kShift = MakeShifts();

// An adaptive binary model: p0 = probability of a 0 in units of 2^-16.
struct Bit {
  uint32_t p0 = kOne / 2;
  uint32_t n = 0;
  uint32_t Freq0() const { return std::min(std::max(p0, kMinFreq), kOne - kMinFreq); }
  void Update(int bit) {
    const int s = kShift[n];
    if (bit) p0 -= p0 >> s;
    else p0 += (kOne - p0) >> s;
    if (n < 255) ++n;
  }
};

// Context counts (docs/codecs/image-lossy.md, "Revision 2").
constexpr int kActivity = 8, kTexture = 5, kGuide = 3, kClasses = 3;
constexpr int kZeroCtx = kClasses * kGuide * kActivity * kTexture;
constexpr int kSignCtx = kClasses * 3 * 3;
constexpr int kMagCtx = kClasses * kGuide * kActivity * 8;

struct Models {
  Bit zero[kZeroCtx];
  Bit sign[kSignCtx];
  Bit mag[kMagCtx];
};

class EncCoder {
 public:
  Status Code(Bit& b, int* bit) {
    const uint32_t f0 = b.Freq0();
    if (*bit) enc_.Put(f0, kOne - f0, kPrecision);
    else enc_.Put(0, f0, kPrecision);
    b.Update(*bit);
    return Status::Ok();
  }
  Status Raw(int* bit) {
    enc_.PutBits(static_cast<uint32_t>(*bit), 1);
    return Status::Ok();
  }
  rans::Encoder enc_;
};

class DecCoder {
 public:
  Status Code(Bit& b, int* bit) {
    const uint32_t f0 = b.Freq0();
    const uint32_t v = dec_.Peek(kPrecision);
    *bit = v >= f0 ? 1 : 0;
    RETURN_IF_ERROR(*bit ? dec_.Advance(f0, kOne - f0, kPrecision) : dec_.Advance(0, f0, kPrecision));
    b.Update(*bit);
    return Status::Ok();
  }
  Status Raw(int* bit) {
    uint32_t v;
    RETURN_IF_ERROR(dec_.GetBits(1, &v));
    *bit = static_cast<int>(v);
    return Status::Ok();
  }
  rans::Decoder dec_;
};

int ActivityBucket(int a) {
  return a == 0 ? 0 : a <= 2 ? 1 : a <= 4 ? 2 : a <= 7 ? 3 : a <= 11 ? 4 : a <= 17 ? 5 : a <= 29 ? 6 : 7;
}
int TextureBucket(int u) { return u == 0 ? 0 : u == 1 ? 1 : u <= 3 ? 2 : u <= 7 ? 3 : 4; }
int Sign3(int v) { return v < 0 ? 0 : v == 0 ? 1 : 2; }
int Clamp255(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

// Codes (encoder: *q given) or decodes (*q set) one quantized value.
template <bool kEnc, class C>
Status CodeValue(C& c, Models& m, int zc, int sc, int mc, int* q) {
  int nz = kEnc ? (*q != 0) : 0;
  RETURN_IF_ERROR(c.Code(m.zero[zc], &nz));
  if (!nz) {
    *q = 0;
    return Status::Ok();
  }
  int neg = kEnc ? (*q < 0) : 0;
  RETURN_IF_ERROR(c.Code(m.sign[sc], &neg));
  const int mag = kEnc ? std::abs(*q) - 1 : 0;  // >= 0
  int k = 0;
  for (; k < kUnary; ++k) {
    int more = kEnc ? (mag > k) : 0;
    RETURN_IF_ERROR(c.Code(m.mag[mc * 8 + std::min(k, 7)], &more));
    if (!more) break;
  }
  int value = k;
  if (k == kUnary) {  // Exp-Golomb of order 0 of mag - kUnary, raw bits
    const int v1 = kEnc ? mag - kUnary + 1 : 0;
    int nbits = 0;
    if (kEnc)
      while ((v1 >> (nbits + 1)) != 0) ++nbits;
    for (int i = 0;; ++i) {
      int one = kEnc ? (i < nbits) : 0;
      RETURN_IF_ERROR(c.Raw(&one));
      if (!one) {
        if (!kEnc) nbits = i;
        break;
      }
      if (!kEnc && i + 1 > kMaxEscapeBits) return Error(DC_ERR_CORRUPT, "image-lossy refinement: escape code too long");
    }
    int rest = 1;
    for (int i = nbits - 1; i >= 0; --i) {
      int b = kEnc ? (v1 >> i) & 1 : 0;
      RETURN_IF_ERROR(c.Raw(&b));
      rest = (rest << 1) | b;
    }
    value = kUnary + rest - 1;
  }
  if (value + 1 > kMaxMagnitude) return Error(DC_ERR_CORRUPT, "image-lossy refinement: value out of range");
  if (!kEnc) *q = neg ? -(value + 1) : value + 1;
  return Status::Ok();
}

// Weight of a predictor whose recent neighbourhood error is e: 2^26 / (e^2 + 16).
constexpr int kInvSize = 4096;
const std::array<uint32_t, kInvSize>& InvTable() {
  static const std::array<uint32_t, kInvSize> t = [] {
    std::array<uint32_t, kInvSize> v{};
    for (int e = 0; e < kInvSize; ++e) v[e] = static_cast<uint32_t>((uint64_t{1} << 26) / (uint64_t(e) * e + 16));
    return v;
  }();
  return t;
}

int Med(int a, int b, int c) {  // LOCO-I median edge detector: a = W, b = N, c = NW
  const int mx = std::max(a, b), mn = std::min(a, b);
  return c >= mx ? mn : c <= mn ? mx : a + b - c;
}
int FloorHalf(int v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }
int FloorDiv(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }  // b > 0
int64_t FloorDiv64(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }  // b > 0

constexpr int kSpatial = 5;          // predictors per channel before the inter-channel ones
constexpr int kPredictors = 2 * kSpatial;

// The pass, shared by encoder and decoder. Encoder: original given, segment written; decoder:
// original null, segment read.
template <bool kEnc>
Status Pass(const uint8_t* original, uint8_t* rec, Intervals* iv, uint32_t width, uint32_t height, uint32_t channels,
            int step, const uint8_t* in, size_t in_size, std::vector<uint8_t>* out, const PilotKnobs& knobs) {
  const size_t W = width, H = height, C = channels;
  const size_t row = W * C;
  const auto& inv = InvTable();
  // Per row (previous and current): pre-pass values, q, corrections d = new - pre-pass, each
  // predictor's absolute error and the blended prediction's absolute error.
  std::vector<uint8_t> pre_prev(row), pre_cur(row);
  std::vector<int16_t> q_prev(row, 0), q_cur(row, 0), d_prev(row, 0), d_cur(row, 0);
  std::vector<int16_t> pe_prev(row * kPredictors, 0), pe_cur(row * kPredictors, 0);
  std::vector<int16_t> be_prev(row, 0), be_cur(row, 0);
  auto models = std::make_unique<Models>();
  static const int kOrder3[3] = {1, 0, 2};  // G first, then R, then B
  static const int kOrder1[1] = {0};
  const int* order = C == 3 ? kOrder3 : kOrder1;
  const int guide = order[0];
  ByteReader reader(in, in_size);
  ByteWriter writer(out);
  for (size_t band = 0; band * kBandRows < H; ++band) {
    const size_t y0 = band * kBandRows, y1 = std::min(H, y0 + kBandRows);
    std::conditional_t<kEnc, EncCoder, DecCoder> coder;
    if constexpr (!kEnc) {
      uint64_t n;
      RETURN_IF_ERROR(reader.Varint(&n));
      if (n > reader.remaining()) return Error(DC_ERR_TRUNCATED, "image-lossy refinement: band longer than its segment");
      const uint8_t* p;
      RETURN_IF_ERROR(reader.Bytes(static_cast<size_t>(n), &p));
      RETURN_IF_ERROR(coder.dec_.Init(p, static_cast<size_t>(n)));
    }
    for (size_t y = y0; y < y1; ++y) {
      uint8_t* r = rec + y * row;
      const uint8_t* rn = y > 0 ? rec + (y - 1) * row : nullptr;  // the row above, already refined
      std::copy(r, r + row, pre_cur.begin());
      const uint8_t* up = y > 0 ? pre_prev.data() : pre_cur.data();
      const uint8_t* down = y + 1 < H ? rec + (y + 1) * row : pre_cur.data();
      for (size_t x = 0; x < W; ++x) {
        const size_t px = x * C;
        const size_t xl = x > 0 ? x - 1 : 0, xr = x + 1 < W ? x + 1 : x;
        int pg[kSpatial] = {};  // the guide channel's spatial predictions at this pixel
        for (size_t k = 0; k < C; ++k) {
          const int c = order[k];
          const size_t i = px + c;
          const int base = pre_cur[i];
          int pred = base;
          int np = 0;
          int preds[kPredictors];
          if (knobs.predictor == 3) {
            const int w = x > 0 ? r[i - C] : rn ? rn[i] : base;
            const int n = rn ? rn[i] : w;
            const int nw = rn && x > 0 ? rn[i - C] : n;
            const int rw = x > 0 ? pre_cur[i - C] : base;
            const int rnn = y > 0 ? pre_prev[i] : base;
            preds[0] = base;
            preds[1] = Med(w, n, nw);
            preds[2] = Clamp255(base + FloorHalf((w - rw) + (n - rnn)));
            const int ne = rn && x + 1 < W ? rn[i + C] : n;
            preds[3] = (w + ne + 1) >> 1;
            preds[4] = Clamp255(w + n - nw);
            np = kSpatial;
            if (k == 0) {
              for (int j = 0; j < kSpatial; ++j) pg[j] = preds[j];
            } else {
              const int gv = r[px + guide];
              for (int j = 0; j < kSpatial; ++j) preds[kSpatial + j] = Clamp255(preds[j] + gv - pg[j]);
              np = kPredictors;
            }
            uint64_t sw = 0, sp = 0;
            for (int j = 0; j < np; ++j) {
              const size_t e = i * kPredictors + j;
              int err = 0;
              if (x > 0) err += 2 * pe_cur[e - C * kPredictors];
              if (y > 0) {
                err += 2 * pe_prev[e];
                if (x > 0) err += pe_prev[e - C * kPredictors];
                if (x + 1 < W) err += pe_prev[e + C * kPredictors];
              }
              const uint32_t wt = inv[std::min(err, kInvSize - 1)];
              sw += wt;
              sp += uint64_t{wt} * static_cast<uint32_t>(preds[j]);
            }
            pred = static_cast<int>((sp + sw / 2) / sw);
          } else {
            if (knobs.predictor >= 1 && k > 0) pred = Clamp255(base + d_cur[px + guide]);
            if (knobs.predictor == 2) {
              const int g = k > 0 ? guide : -1;
              const int ew = x > 0 ? d_cur[i - C] - (g >= 0 ? d_cur[(x - 1) * C + g] : 0) : 0;
              const int en = y > 0 ? d_prev[i] - (g >= 0 ? d_prev[px + g] : 0) : 0;
              const int s2 = ew + en;
              pred = Clamp255(pred + (s2 >= 0 ? s2 / 4 : -((-s2 + 3) / 4)));
            }
          }
          const int qw = x > 0 ? q_cur[i - C] : 0;
          const int qn = q_prev[i];
          int act;
          if (knobs.predictor == 3) {
            int eb = 0;
            if (x > 0) eb += 2 * be_cur[i - C];
            if (y > 0) {
              eb += 2 * be_prev[i];
              if (x > 0) eb += be_prev[i - C];
              if (x + 1 < W) eb += be_prev[i + C];
            }
            act = ActivityBucket(eb / step);
          } else {
            const int qnw = x > 0 ? q_prev[i - C] : 0;
            const int qne = x + 1 < W ? q_prev[i + C] : 0;
            act = ActivityBucket(2 * std::abs(qw) + 2 * std::abs(qn) + std::abs(qnw) + std::abs(qne));
          }
          const int t = std::abs(int{pre_cur[xr * C + c]} - int{pre_cur[xl * C + c]}) + std::abs(int{down[i]} - int{up[i]});
          const int tex = TextureBucket(t / step);
          const int qg = k > 0 ? q_cur[px + guide] : 0;
          const int gb = std::min(std::abs(qg), 2);
          const int cls = static_cast<int>(k);
          const int zc = ((cls * kGuide + gb) * kActivity + act) * kTexture + tex;
          const int sc = (cls * 3 + Sign3(qg)) * 3 + Sign3(qw + qn);
          const int mc = (cls * kGuide + gb) * kActivity + act;
          int q = 0;
          if (kEnc) {
            const int e = int{original[y * row + i]} - pred;
            q = knobs.deadzone ? (e < 0 ? -(-e / step) : e / step) : FloorDiv(e + step / 2, step);
          }
          RETURN_IF_ERROR((CodeValue<kEnc>(coder, *models, zc, sc, mc, &q)));
          // The original lies in [lo, hi]: the step's integers around pred + q step, within 0..255.
          int lo = pred + q * step - step / 2, hi = lo + step - 1;
          if (knobs.deadzone) {  // pilot only: |e| < step for q = 0, [q step, q step + step - 1] (mirrored) otherwise
            lo = q == 0 ? pred - step + 1 : q > 0 ? pred + q * step : pred + q * step - step + 1;
            hi = q == 0 ? pred + step - 1 : q > 0 ? pred + q * step + step - 1 : pred + q * step;
          }
          if (lo > 255 || hi < 0) return Error(DC_ERR_CORRUPT, "image-lossy refinement: value out of range");
          const int lo8 = std::max(lo, 0), hi8 = std::min(hi, 255);
          iv->lo[y * row + i] = static_cast<uint8_t>(lo8);
          iv->hi[y * row + i] = static_cast<uint8_t>(hi8);
          iv->pred[y * row + i] = static_cast<uint8_t>(pred);
          // The centre, moved 3 step / 16 towards the prediction when q != 0 (residuals are peaked).
          int v = (lo8 + hi8 + 1) >> 1;
          if (knobs.deadzone && q == 0) v = std::min(std::max(pred, lo8), hi8);
          if (q > 0) v = std::max(lo8, v - step * 3 / 16);
          if (q < 0) v = std::min(hi8, v + step * 3 / 16);
          r[i] = static_cast<uint8_t>(v);
          q_cur[i] = static_cast<int16_t>(q);
          d_cur[i] = static_cast<int16_t>(v - base);
          be_cur[i] = static_cast<int16_t>(std::abs(v - pred));
          for (int j = 0; j < np; ++j) pe_cur[i * kPredictors + j] = static_cast<int16_t>(std::abs(v - preds[j]));
        }
      }
      pre_prev.swap(pre_cur);
      q_prev.swap(q_cur);
      d_prev.swap(d_cur);
      pe_prev.swap(pe_cur);
      be_prev.swap(be_cur);
    }
    if constexpr (kEnc) {
      std::vector<uint8_t> bytes;
      RETURN_IF_ERROR(coder.enc_.Finish(&bytes));
      writer.Varint(bytes.size());
      writer.Bytes(bytes.data(), bytes.size());
    } else {
      const Status s2 = coder.dec_.Finish();
      if (!s2.ok()) return Error(DC_ERR_CORRUPT, "image-lossy refinement band " + std::to_string(band) + ": " + s2.message());
    }
  }
  if (!kEnc && reader.remaining() != 0) return Error(DC_ERR_CORRUPT, "image-lossy refinement: bytes left over in a segment");
  return Status::Ok();
}

// A splitting pass: every interval [lo, hi] of more than one value is halved at
// mid = lo + (hi - lo + 1) / 2 by one bit (original >= mid), coded with a context from a
// prediction out of the four neighbours (W and N already split in this pass, E and S not yet)
// relative to mid. The reconstruction is each interval's centre, (lo + hi + 1) / 2.
constexpr int kSplitPull = 16;
constexpr int kSplitOffset = 8, kSplitActivity = 4, kSplitGuide = 3;
constexpr int kSplitCtx = kClasses * kSplitGuide * kSplitOffset * kSplitActivity;

template <bool kEnc>
Status Split(const uint8_t* original, uint8_t* rec, Intervals* iv, uint32_t width, uint32_t height, uint32_t channels,
             int step, const uint8_t* in, size_t in_size, std::vector<uint8_t>* out, const PilotKnobs& knobs) {
  const size_t W = width, H = height, C = channels;
  const size_t row = W * C;
  const auto& inv = InvTable();
  std::vector<Bit> models(kSplitCtx + 64);  // + 64: the pilot-only deadzone splits
  static const int kOrder3[3] = {1, 0, 2};
  static const int kOrder1[1] = {0};
  const int* order = C == 3 ? kOrder3 : kOrder1;
  const int guide = order[0];
  constexpr int kNp = 3;
  // Per predictor, its absolute error (quarter units) at each sample of the previous and current
  // row; and the blend's.
  std::vector<int16_t> pe_prev(row * kNp, 0), pe_cur(row * kNp, 0), be_prev(row, 0), be_cur(row, 0);
  ByteReader reader(in, in_size);
  ByteWriter writer(out);
  for (size_t band = 0; band * kBandRows < H; ++band) {
    const size_t y0 = band * kBandRows, y1 = std::min(H, y0 + kBandRows);
    std::conditional_t<kEnc, EncCoder, DecCoder> coder;
    if constexpr (!kEnc) {
      uint64_t n;
      RETURN_IF_ERROR(reader.Varint(&n));
      if (n > reader.remaining()) return Error(DC_ERR_TRUNCATED, "image-lossy refinement: band longer than its segment");
      const uint8_t* p;
      RETURN_IF_ERROR(reader.Bytes(static_cast<size_t>(n), &p));
      RETURN_IF_ERROR(coder.dec_.Init(p, static_cast<size_t>(n)));
    }
    for (size_t y = y0; y < y1; ++y) {
      uint8_t* r = rec + y * row;
      uint8_t* lo = iv->lo.data() + y * row;
      uint8_t* hi = iv->hi.data() + y * row;
      const uint8_t* rn = y > 0 ? r - row : nullptr;
      const uint8_t* rs = y + 1 < H ? r + row : nullptr;
      for (size_t x = 0; x < W; ++x) {
        const size_t px = x * C;
        int g_old = 0, g_bit = 0;  // the guide channel at this pixel: centre before the pass; 0 none, 1 low, 2 high
        for (size_t k = 0; k < C; ++k) {
          const int c = order[k];
          const size_t i = px + c;
          const int cur = r[i];
          if (k == 0) g_old = cur;
          const int w = x > 0 ? r[i - C] : cur;
          const int n = rn ? rn[i] : cur;
          const int e = x + 1 < W ? r[i + C] : cur;
          const int s = rs ? rs[i] : cur;
          const int gmove = k > 0 ? 4 * (int{r[px + guide]} - g_old) : 0;
          // Four times the predictions; R and B add four times the guide's move in this pass.
          int p4 = w + n + e + s + gmove;
          int preds[kNp] = {0, 0, 0};
          int eb = 0;
          if (knobs.split_blend) {
            const int nw = rn && x > 0 ? rn[i - C] : n;
            preds[0] = p4;
            preds[1] = 4 * iv->pred[y * row + i] + gmove;
            preds[2] = 4 * Med(w, n, nw) + gmove;
            uint64_t sw = 0;
            int64_t sp = 0;
            for (int j = 0; j < kNp; ++j) {
              const size_t ej = i * kNp + j;
              int err = 0;
              if (x > 0) err += 2 * pe_cur[ej - C * kNp];
              if (y > 0) {
                err += 2 * pe_prev[ej];
                if (x > 0) err += pe_prev[ej - C * kNp];
                if (x + 1 < W) err += pe_prev[ej + C * kNp];
              }
              const uint32_t wt = inv[std::min(err / 4, kInvSize - 1)];
              sw += wt;
              sp += int64_t{wt} * preds[j];
            }
            p4 = static_cast<int>(FloorDiv64(2 * sp + static_cast<int64_t>(sw), 2 * static_cast<int64_t>(sw)));
            if (x > 0) eb += 2 * be_cur[i - C];
            if (y > 0) {
              eb += 2 * be_prev[i];
              if (x > 0) eb += be_prev[i - C];
              if (x + 1 < W) eb += be_prev[i + C];
            }
          }
          if (knobs.deadzone && lo[i] != hi[i]) {  // pilot only
            const int p0 = iv->pred[y * row + i];
            const int cls = static_cast<int>(k);
            int bit = 0;
            if (lo[i] <= p0 && p0 <= hi[i]) {  // the zero bin: |e| < 2 step -> |e| < step, or the two sides
              const bool pos = p0 + step <= hi[i], neg = lo[i] <= p0 - step;
              if (pos || neg) {
                const int o = kEnc ? int{original[y * row + i]} - p0 : 0;
                int sig = kEnc ? (std::abs(o) >= step) : 0;
                const int d4 = std::abs(p4 - 4 * p0) / step;
                const int dctx = d4 == 0 ? 0 : d4 <= 1 ? 1 : d4 <= 3 ? 2 : 3;
                const int a = eb / (4 * step);
                const int act = a == 0 ? 0 : a <= 2 ? 1 : a <= 5 ? 2 : 3;
                RETURN_IF_ERROR(coder.Code(models[kSplitCtx + (cls * 4 + dctx) * 4 + act], &sig));
                if (!sig) {
                  lo[i] = static_cast<uint8_t>(std::max(int{lo[i]}, p0 - step + 1));
                  hi[i] = static_cast<uint8_t>(std::min(int{hi[i]}, p0 + step - 1));
                } else {
                  int up = pos && !neg ? 1 : 0;
                  if (pos && neg) {
                    up = kEnc ? (o > 0) : 0;
                    const int sctx = p4 > 4 * p0 ? 2 : p4 < 4 * p0 ? 0 : 1;
                    RETURN_IF_ERROR(coder.Code(models[kSplitCtx + 48 + cls * 3 + sctx], &up));
                  }
                  if (up) lo[i] = static_cast<uint8_t>(p0 + step);
                  else hi[i] = static_cast<uint8_t>(p0 - step);
                }
                bit = sig;
              }
              const int c0 = (lo[i] + hi[i] + 1) >> 1;
              const bool zero = lo[i] <= p0 && p0 <= hi[i];
              const int t4 = std::min(std::max(zero ? 4 * p0 : p4, 4 * int{lo[i]}), 4 * int{hi[i]});
              r[i] = static_cast<uint8_t>(zero ? t4 / 4 : c0 + FloorDiv(t4 - 4 * c0, kSplitPull));
            } else {  // a bin on one side: halve it on the grid p0 + m step
              int lower_hi;  // the lower part is [lo, lower_hi]
              if (lo[i] > p0) lower_hi = p0 + (FloorDiv(lo[i] - p0, step) + 1) * step - 1;
              else lower_hi = p0 - (FloorDiv(p0 - hi[i], step) + 1) * step;
              if (lower_hi >= lo[i] && lower_hi < hi[i]) {
                const int wd = hi[i] - lo[i] + 1;
                const int off = std::min(std::max(FloorDiv(p4 - (4 * lower_hi + 2), wd), -kSplitOffset / 2), kSplitOffset / 2 - 1);
                const int a = eb / (4 * wd);
                const int act = a == 0 ? 0 : a <= 2 ? 1 : a <= 5 ? 2 : 3;
                const int gctx = k > 0 ? g_bit : 0;
                const int ctx = ((cls * kSplitGuide + gctx) * kSplitOffset + (off + kSplitOffset / 2)) * kSplitActivity + act;
                bit = kEnc ? (original[y * row + i] > lower_hi) : 0;
                RETURN_IF_ERROR(coder.Code(models[ctx], &bit));
                if (bit) lo[i] = static_cast<uint8_t>(lower_hi + 1);
                else hi[i] = static_cast<uint8_t>(lower_hi);
              }
              const int c0 = (lo[i] + hi[i] + 1) >> 1;
              const int t4 = std::min(std::max(p4, 4 * int{lo[i]}), 4 * int{hi[i]});
              r[i] = static_cast<uint8_t>(c0 + FloorDiv(t4 - 4 * c0, kSplitPull));
            }
            if (k == 0) g_bit = 1 + bit;
          } else if (lo[i] != hi[i]) {
            const int width_ = hi[i] - lo[i] + 1;
            const int mid = lo[i] + width_ / 2;
            const int off =
                std::min(std::max(FloorDiv(p4 - (4 * mid - 2), width_), -kSplitOffset / 2), kSplitOffset / 2 - 1);
            int act;
            if (knobs.split_blend) {
              const int a = eb / (4 * width_);
              act = a == 0 ? 0 : a <= 2 ? 1 : a <= 5 ? 2 : 3;
            } else {
              const int a = (std::abs(w - e) + std::abs(n - s)) / width_;
              act = a == 0 ? 0 : a == 1 ? 1 : a <= 3 ? 2 : 3;
            }
            const int cls = static_cast<int>(k);
            const int gctx = k > 0 ? g_bit : 0;
            const int ctx = ((cls * kSplitGuide + gctx) * kSplitOffset + (off + kSplitOffset / 2)) * kSplitActivity + act;
            int bit = kEnc ? (original[y * row + i] >= mid) : 0;
            RETURN_IF_ERROR(coder.Code(models[ctx], &bit));
            if (bit) lo[i] = static_cast<uint8_t>(mid);
            else hi[i] = static_cast<uint8_t>(mid - 1);
            {
              // The centre, moved a quarter of the way towards the prediction (clamped into the interval).
              const int c0 = (lo[i] + hi[i] + 1) >> 1;
              const int t4 = std::min(std::max(p4, 4 * int{lo[i]}), 4 * int{hi[i]});
              r[i] = static_cast<uint8_t>(c0 + FloorDiv(t4 - 4 * c0, kSplitPull));
            }
            if (k == 0) g_bit = 1 + bit;
          }
          if (knobs.split_blend) {
            const int v4 = 4 * r[i];
            be_cur[i] = static_cast<int16_t>(std::min(std::abs(v4 - p4), 32767));
            for (int j = 0; j < kNp; ++j) pe_cur[i * kNp + j] = static_cast<int16_t>(std::min(std::abs(v4 - preds[j]), 32767));
          }
        }
      }
      pe_prev.swap(pe_cur);
      be_prev.swap(be_cur);
    }
    if constexpr (kEnc) {
      std::vector<uint8_t> bytes;
      RETURN_IF_ERROR(coder.enc_.Finish(&bytes));
      writer.Varint(bytes.size());
      writer.Bytes(bytes.data(), bytes.size());
    } else {
      const Status s2 = coder.dec_.Finish();
      if (!s2.ok()) return Error(DC_ERR_CORRUPT, "image-lossy refinement band " + std::to_string(band) + ": " + s2.message());
    }
  }
  if (!kEnc && reader.remaining() != 0) return Error(DC_ERR_CORRUPT, "image-lossy refinement: bytes left over in a segment");
  return Status::Ok();
}

Status CheckArgs(const uint8_t* rec, Intervals* iv, uint32_t width, uint32_t height, uint32_t channels, int pass,
                 int step) {
  if (!rec || !iv) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy refinement: null argument");
  if (channels != 1 && channels != 3) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy refinement: 1 or 3 channels");
  if (step < 1 || step > 255) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy refinement: step out of 1..255");
  const size_t n = static_cast<size_t>(width) * height * channels;
  if (pass == 0) {
    iv->lo.assign(n, 0);
    iv->hi.assign(n, 255);
    iv->pred.assign(n, 0);
  } else if (iv->lo.size() != n || iv->hi.size() != n || iv->pred.size() != n) {
    return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy refinement: a later pass before the first");
  }
  return Status::Ok();
}

}  // namespace

Status CheckSteps(const std::vector<int>& steps) {
  if (steps.empty()) return Status::Ok();
  if (steps.size() > static_cast<size_t>(kMaxPasses)) return Error(DC_ERR_CORRUPT, "more than 16 refinement passes");
  if (steps[0] < 1 || steps[0] > 128 || (steps[0] & (steps[0] - 1)) != 0)
    return Error(DC_ERR_CORRUPT, "first refinement step not a power of two in 1..128");
  for (size_t j = 1; j < steps.size(); ++j)
    if (steps[j - 1] < 2 || steps[j] != steps[j - 1] / 2)
      return Error(DC_ERR_CORRUPT, "refinement steps do not halve down to at least 1");
  return Status::Ok();
}

Status EncodePass(const uint8_t* original, uint8_t* rec, Intervals* iv, uint32_t width, uint32_t height,
                  uint32_t channels, int pass, int step, std::vector<uint8_t>* segment, const PilotKnobs& knobs) {
  RETURN_IF_ERROR(CheckArgs(rec, iv, width, height, channels, pass, step));
  if (pass > 0 && knobs.embedded) return Split<true>(original, rec, iv, width, height, channels, step, nullptr, 0, segment, knobs);
  return Pass<true>(original, rec, iv, width, height, channels, step, nullptr, 0, segment, knobs);
}

Status DecodePass(const uint8_t* segment, size_t size, uint8_t* rec, Intervals* iv, uint32_t width, uint32_t height,
                  uint32_t channels, int pass, int step, const PilotKnobs& knobs) {
  RETURN_IF_ERROR(CheckArgs(rec, iv, width, height, channels, pass, step));
  std::vector<uint8_t> unused;
  if (pass > 0 && knobs.embedded) return Split<false>(nullptr, rec, iv, width, height, channels, step, segment, size, &unused, knobs);
  return Pass<false>(nullptr, rec, iv, width, height, channels, step, segment, size, &unused, knobs);
}

}  // namespace dc::lossy::refine
