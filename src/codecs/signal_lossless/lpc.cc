#include "codecs/signal_lossless/lpc.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace dc::sig {

namespace {
inline int64_t Predict(const Lpc& l, const int32_t* x, uint32_t t, uint32_t stride) {
  if (t == 0) return 0;
  if (static_cast<int>(t) < l.order) return x[static_cast<size_t>(t - 1) * stride];
  int64_t s = 0;
  for (int i = 0; i < l.order; ++i) s += int64_t{l.coef[i]} * x[static_cast<size_t>(t - 1 - i) * stride];
  return s >> l.shift;  // arithmetic: floor
}

// The prediction of x[t] (x[<t] known), in increasing t: block mode uses l; backward mode refits
// `cur` at every hop once a window is full, and predicts by first differences while it has none.
class Predictor {
 public:
  explicit Predictor(const Lpc& l) : l_(l) {}
  int64_t operator()(const int32_t* x, uint32_t t, uint32_t stride) {
    if (!l_.backward) return Predict(l_, x, t, stride);
    const BackMode& m = kBackModes[l_.backward];
    if (t >= m.window && t % m.hop == 0)
      cur_ = FitLpc(x + static_cast<size_t>(t - m.window) * stride, m.window, stride, m.order);
    if (cur_.order == 0) return t ? x[static_cast<size_t>(t - 1) * stride] : 0;
    return Predict(cur_, x, t, stride);
  }

 private:
  const Lpc& l_;
  Lpc cur_;
};
}  // namespace

Lpc FitLpc(const int32_t* x, uint32_t n, uint32_t stride, int order) {
  Lpc l;
  if (order <= 0 || order > kMaxLpcOrder || n < static_cast<uint32_t>(4 * order)) return l;
  // Welch window (no libm: the same coefficients from every C library). Buffers reused: the
  // backward modes refit every 64 or 128 samples.
  thread_local std::vector<double> w;
  w.resize(n);
  const double half = n / 2.0;
  for (uint32_t t = 0; t < n; ++t) {
    const double u = (t + 0.5 - half) / half;
    w[t] = x[static_cast<size_t>(t) * stride] * (1.0 - u * u);
  }
  // r_k = sum over t = k .. n-1, in increasing t, of w_t w_{t-k}: the lags are summed side by
  // side (independent sums, each in its own order: the same bits as one lag after another).
  double r[kMaxLpcOrder + 1] = {};
  for (uint32_t t = 0; t < n; ++t) {
    const int kmax = t < static_cast<uint32_t>(order) ? static_cast<int>(t) : order;
    for (int k = 0; k <= kmax; ++k) r[k] += w[t] * w[t - k];
  }
  if (!(r[0] > 0)) return l;
  r[0] *= 1 + 1e-9;  // a little white noise keeps the system well conditioned
  double a[kMaxLpcOrder + 1] = {}, prev[kMaxLpcOrder + 1];
  double err = r[0];
  for (int i = 1; i <= order; ++i) {
    double acc = r[i];
    for (int j = 1; j < i; ++j) acc -= a[j] * r[i - j];
    const double k = acc / err;
    std::copy(a, a + order + 1, prev);
    a[i] = k;
    for (int j = 1; j < i; ++j) a[j] = prev[j] - k * prev[i - j];
    err *= 1 - k * k;
    if (!(err > 0)) return Lpc{};
  }
  double mx = 0;
  for (int i = 1; i <= order; ++i) mx = std::max(mx, std::fabs(a[i]));
  int shift = kMaxLpcShift - 1;
  while (shift > 0 && mx * std::ldexp(1.0, shift) >= 32767.0) --shift;
  if (mx * std::ldexp(1.0, shift) >= 32767.0) return Lpc{};
  l.order = order;
  l.shift = shift;
  for (int i = 0; i < order; ++i) l.coef[i] = static_cast<int32_t>(std::lround(a[i + 1] * std::ldexp(1.0, shift)));
  return l;
}

bool LpcResidual(const Lpc& l, const int32_t* x, uint32_t n, uint32_t stride, int bits, int32_t* e) {
  const int64_t lo = -(int64_t{1} << (bits - 1)), hi = (int64_t{1} << (bits - 1)) - 1;
  Predictor pred(l);
  for (uint32_t t = 0; t < n; ++t) {
    const int64_t v = x[static_cast<size_t>(t) * stride] - pred(x, t, stride);
    if (v < lo || v > hi) return false;
    e[static_cast<size_t>(t) * stride] = static_cast<int32_t>(v);
  }
  return true;
}

Status LpcRestore(const Lpc& l, int32_t* ex, uint32_t n, uint32_t stride, int64_t lo, int64_t hi) {
  Predictor pred(l);
  for (uint32_t t = 0; t < n; ++t) {
    const int64_t v = ex[static_cast<size_t>(t) * stride] + pred(ex, t, stride);
    if (v < lo || v > hi) return Error(DC_ERR_CORRUPT, "linear prediction rebuilds a sample outside the bit depth");
    ex[static_cast<size_t>(t) * stride] = static_cast<int32_t>(v);
  }
  return Status::Ok();
}

int BlockResidual(const int32_t* block, uint32_t n, uint32_t channels, int bit_depth, bool backward,
                  std::vector<Lpc>* lpc, int32_t* res) {
  const int rd = ResidualDepth(bit_depth);
  lpc->assign(channels, Lpc{});
  int bits = 0;
  for (uint32_t c = 0; c < channels; ++c) {
    Lpc& l = (*lpc)[c];
    if (backward) {
      // The backward mode whose residual is smaller (sum of bit lengths: no network, no libm).
      uint64_t best = UINT64_MAX;
      std::vector<int32_t> tmp(static_cast<size_t>(n) * channels);
      for (int m = 1; m <= kNumBackModes; ++m) {
        Lpc cand;
        cand.backward = m;
        if (!LpcResidual(cand, block + c, n, channels, rd, tmp.data() + c)) continue;
        uint64_t bits = 0;
        for (uint32_t t = 0; t < n; ++t) {
          const int64_t v = tmp[static_cast<size_t>(t) * channels + c];
          for (uint64_t a = static_cast<uint64_t>(v < 0 ? -v : v); a; a >>= 1) ++bits;
        }
        if (bits < best) {
          best = bits;
          l = cand;
        }
      }
    } else {
      l = FitLpc(block + c, n, channels, kMaxLpcOrder);
    }
    if (!LpcResidual(l, block + c, n, channels, rd, res + c)) {
      l = Lpc{};
      LpcResidual(l, block + c, n, channels, rd, res + c);  // order 0: a copy, always fits
    }
    bits += LpcBits(l);
  }
  return bits;
}

void PutLpc(rans::Encoder* enc, const Lpc& l) {
  if (l.backward) return enc->PutBits(BackwardCode(l.backward), 6);
  enc->PutBits(static_cast<uint32_t>(l.order), 6);
  if (l.order == 0) return;
  enc->PutBits(static_cast<uint32_t>(l.shift), 4);
  for (int i = 0; i < l.order; ++i) enc->PutBits(static_cast<uint32_t>(l.coef[i]) & 0xFFFFu, kLpcCoefBits);
}

Status GetLpc(rans::Decoder* dec, Lpc* l) {
  *l = Lpc{};
  uint32_t order;
  RETURN_IF_ERROR(dec->GetBits(6, &order));
  for (int m = 1; m <= kNumBackModes; ++m)
    if (order == BackwardCode(m)) {
      l->backward = m;
      return Status::Ok();
    }
  if (order > kMaxLpcOrder) return Error(DC_ERR_CORRUPT, "linear prediction order " + std::to_string(order) + " above 32");
  l->order = static_cast<int>(order);
  if (order == 0) return Status::Ok();
  uint32_t shift;
  RETURN_IF_ERROR(dec->GetBits(4, &shift));
  if (shift > kMaxLpcShift) return Error(DC_ERR_CORRUPT, "linear prediction shift above 15");
  l->shift = static_cast<int>(shift);
  for (int i = 0; i < l->order; ++i) {
    uint32_t v;
    RETURN_IF_ERROR(dec->GetBits(kLpcCoefBits, &v));
    l->coef[i] = static_cast<int32_t>(static_cast<int16_t>(static_cast<uint16_t>(v)));
  }
  return Status::Ok();
}

int LpcBits(const Lpc& l) { return 6 + (l.order && !l.backward ? 4 + kLpcCoefBits * l.order : 0); }

}  // namespace dc::sig
