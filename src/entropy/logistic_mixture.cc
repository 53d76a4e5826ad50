#include "entropy/logistic_mixture.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "common/detmath.h"

namespace dc::mix {
namespace {


// sigmoid(z) in Q16 for z = i / 256, i in [-kZ, kZ]; built with DetExp so that every build
// holds the same table.
constexpr int kZ = 16 * 256;
struct SigmoidTable {
  std::array<uint32_t, 2 * kZ + 1> v;
  SigmoidTable() {
    for (int i = -kZ; i <= kZ; ++i) {
      const float e = nn::DetExp(-static_cast<float>(i) / 256.0f);
      const float s = 65536.0f / (1.0f + e);
      v[i + kZ] = static_cast<uint32_t>(s + 0.5f);
    }
    // The CDFs built from this table must be monotone whatever the last bits of DetExp do.
    for (size_t i = 1; i < v.size(); ++i) v[i] = std::max(v[i], v[i - 1]);
    v[0] = 0;
    v[2 * kZ] = 65536;
  }
};
const SigmoidTable& Sigmoid() {
  static const SigmoidTable t;
  return t;
}

inline int32_t RoundToInt(float x, float lo, float hi) {
  x = x >= lo ? std::min(x, hi) : lo;  // NaN -> lo: converting NaN to an integer is undefined
  return static_cast<int32_t>(x >= 0 ? x + 0.5f : x - 0.5f);
}

}  // namespace

void SetWeights(const float* logits, long stride, int K, ChannelDist* d) {
  d->k = K;
  float mx = logits[0];
  for (int k = 1; k < K; ++k) mx = std::max(mx, logits[k * stride]);
  float e[kMaxMixtures], sum = 0.0f;
  for (int k = 0; k < K; ++k) {
    e[k] = nn::DetExp(logits[k * stride] - mx);
    sum += e[k];
  }
  // Only non-finite logits (a model with non-finite or overflowing weights) can make every term
  // 0; the weights are then uniform rather than 0/0, whose conversion below is undefined.
  if (!(sum > 0.0f)) {
    for (int k = 0; k < K; ++k) e[k] = 1.0f;
    sum = static_cast<float>(K);
  }
  int32_t used = 0, best = 0;
  for (int k = 0; k < K; ++k) {
    d->weight_f[k] = e[k] / sum;
    d->weight[k] = static_cast<int32_t>(e[k] / sum * 32768.0f);
    used += d->weight[k];
    if (e[k] > e[best]) best = k;
  }
  d->weight[best] += 32768 - used;
}

void SetMean(int k, float mean, ChannelDist* d) {
  d->mean_f[k] = mean;
  d->mean[k] = RoundToInt(mean * 256.0f, -65536.0f, 131072.0f);
}

void SetComponent(int k, float mean, float inv_scale, ChannelDist* d) {
  SetMean(k, mean, d);
  d->scale_f[k] = 1.0f / inv_scale;
  d->inv_scale[k] = std::max(1, RoundToInt(inv_scale * 65536.0f, 0.0f, 1.0e9f));
}

uint32_t CdfBelow(const ChannelDist& d, int v) {
  const int32_t b = v * 256 - 128;  // boundary v - 1/2 in Q8
  const auto& tab = Sigmoid().v;
  uint64_t acc = 0;
  for (int k = 0; k < d.k; ++k) {
    if (d.weight[k] == 0) continue;
    // z = (b - mean) / scale, Q8 * Q16 -> Q24, then to the table's Q8.
    int64_t z = (static_cast<int64_t>(b) - d.mean[k]) * d.inv_scale[k];
    z = z >= 0 ? (z >> 16) : -((-z) >> 16);
    if (z < -kZ) z = -kZ;
    if (z > kZ) z = kZ;
    acc += static_cast<uint64_t>(d.weight[k]) * tab[static_cast<size_t>(z + kZ)];
  }
  return static_cast<uint32_t>(acc >> 15);  // <= 2^16
}

Status DecodeValue(rans::Decoder* dec, const ChannelDist& d, int* v) {
  const uint32_t target = dec->Peek(kCdfPrecision);
  int lo = 0, hi = 256;  // invariant: start(lo) <= target < start(hi)
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (SymbolStart(d, mid) <= target) lo = mid; else hi = mid;
  }
  const uint32_t s = SymbolStart(d, lo);
  RETURN_IF_ERROR(dec->Advance(s, SymbolStart(d, lo + 1) - s, kCdfPrecision));
  *v = lo;
  return Status::Ok();
}

double ValueBits(const ChannelDist& d, int v) {
  const uint32_t f = SymbolStart(d, v + 1) - SymbolStart(d, v);
  return 16.0 - std::log2(static_cast<double>(f));
}

double ModelNllBits(const ChannelDist& d, int v) {
  const auto sig = [](double z) { return 1.0 / (1.0 + std::exp(-z)); };
  double p = 0;
  for (int k = 0; k < d.k; ++k) {
    const double hi = v >= 255 ? 1.0 : sig((v + 0.5 - d.mean_f[k]) / d.scale_f[k]);
    const double lo = v <= 0 ? 0.0 : sig((v - 0.5 - d.mean_f[k]) / d.scale_f[k]);
    p += d.weight_f[k] * (hi - lo);
  }
  return -std::log2(std::max(p, 1e-30));
}
}  // namespace dc::mix
