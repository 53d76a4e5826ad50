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
    // The same table in half the cache: entry i is lo16[i] + (i >= full_from).
    full_from = static_cast<int>(v.size()) - 1;
    while (full_from > 0 && v[static_cast<size_t>(full_from - 1)] == 65536) --full_from;
    for (size_t i = 0; i < v.size(); ++i) lo16[i] = static_cast<uint16_t>(std::min<uint32_t>(v[i], 65535));
  }
  std::array<uint16_t, 2 * kZ + 1> lo16;
  int full_from;
  uint32_t At(int64_t i) const { return uint32_t{lo16[static_cast<size_t>(i)]} + (i >= full_from ? 1u : 0u); }
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
  const SigmoidTable& tab = Sigmoid();
  uint64_t acc = 0;
  for (int k = 0; k < d.k; ++k) {
    if (d.weight[k] == 0) continue;
    // z = (b - mean) / scale, Q8 * Q16 -> Q24, then to the table's Q8.
    int64_t z = (static_cast<int64_t>(b) - d.mean[k]) * d.inv_scale[k];
    z = z >= 0 ? (z >> 16) : -((-z) >> 16);
    if (z < -kZ) z = -kZ;
    if (z > kZ) z = kZ;
    acc += static_cast<uint64_t>(d.weight[k]) * tab.At(z + kZ);
  }
  return static_cast<uint32_t>(acc >> 15);  // <= 2^16
}

void CdfBelowPair(const ChannelDist& d, int v, uint32_t* below_v, uint32_t* below_next) {
  const int32_t b = v * 256 - 128;  // boundary v - 1/2 in Q8; the next one is 256 higher
  const SigmoidTable& tab = Sigmoid();
  uint64_t acc0 = 0, acc1 = 0;
  const auto lookup = [&](int64_t z) {
    z = z >= 0 ? (z >> 16) : -((-z) >> 16);
    if (z < -kZ) z = -kZ;
    if (z > kZ) z = kZ;
    return static_cast<uint64_t>(tab.At(z + kZ));
  };
  for (int k = 0; k < d.k; ++k) {
    if (d.weight[k] == 0) continue;
    const int64_t z0 = (static_cast<int64_t>(b) - d.mean[k]) * d.inv_scale[k];
    const int64_t z1 = z0 + int64_t{256} * d.inv_scale[k];  // (b + 256 - mean) * inv_scale
    const uint64_t w = static_cast<uint64_t>(d.weight[k]);
    acc0 += w * lookup(z0);
    acc1 += w * lookup(z1);
  }
  *below_v = static_cast<uint32_t>(acc0 >> 15);
  *below_next = static_cast<uint32_t>(acc1 >> 15);
}

int SearchStart(const ChannelDist& d) {
  int64_t mu = 0;  // Q8 x Q15
  for (int k = 0; k < d.k; ++k) mu += static_cast<int64_t>(d.weight[k]) * d.mean[k];
  const int64_t v = (mu + (int64_t{1} << 22)) >> 23;  // Q23 -> values, rounded (floor of x + 1/2)
  return static_cast<int>(std::clamp<int64_t>(v, 0, 255));
}

Status DecodeValue(rans::Decoder* dec, const ChannelDist& d, int* v) {
  const uint32_t target = dec->Peek(kCdfPrecision);
  uint32_t s, e;
  const int value = SearchValue([&](int x) { return SymbolStart(d, x); }, target, SearchStart(d), &s, &e);
  RETURN_IF_ERROR(dec->Advance(s, e - s, kCdfPrecision));
  *v = value;
  return Status::Ok();
}

double FreqBits(uint32_t freq) { return 16.0 - std::log2(static_cast<double>(freq)); }

double ValueBits(const ChannelDist& d, int v) {
  uint32_t s;
  return FreqBits(SymbolFreq(d, v, &s));
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
