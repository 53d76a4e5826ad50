#include "entropy/mixture_adapt.h"

#include <algorithm>

namespace dc::mix {
namespace {

// Chosen on held-back photos of ../shared/data/photos and CIFAR-10 training images (never on
// Kodak or the CIFAR-10 test set): halving at 64/128/256 and decay 1/32, 1/64, 1/128 differ by
// under 0.1 %.
constexpr int32_t kHalveAt = 256;  // bias sums and count halve here
constexpr int kCostDecayShift = 6;
// The bias is shrunk toward zero as if 64 values with no bias had been seen: with 2 (the first
// choice) 32x32 images lost 1.1 % (few values per context); 16/32/64/128/256 all gain on
// CIFAR-10 training images, 64x64 and 128x128 crops and whole held-back photos, within 0.1 % of
// each other beyond 64.
constexpr int64_t kBiasPrior = 64;
constexpr int64_t kMeanLo = -65536, kMeanHi = 131072;  // SetComponent's range (Q8)

int BitLength(uint64_t x) {
  int n = 0;
  while (x) {
    ++n;
    x >>= 1;
  }
  return n;
}

// 16 - log2(f) in Q8 for a frequency f in [1, 2^16], log2 linear between powers of two.
int32_t CostQ8(uint32_t f) {
  const int b = BitLength(f) - 1;  // 2^b <= f < 2^(b+1)
  const int32_t frac = static_cast<int32_t>(((static_cast<uint64_t>(f) << 8) >> b) - 256);  // [0, 256)
  return ((16 - b) << 8) - frac;
}

// Sets out's inverse scales (and float scales) to in's times 1 / kFactor (Q16); out's other
// fields must already equal in's. The divisor is a compile-time constant (a multiply, not a
// division: the update runs this for every coded value).
template <int32_t kFactor>
void ScaleIntoConst(const ChannelDist& in, ChannelDist* out) {
  for (int k = 0; k < in.k; ++k) {
    // scale x factor = inv_scale / factor
    out->inv_scale[k] = static_cast<int32_t>(std::max<int64_t>(1, (static_cast<int64_t>(in.inv_scale[k]) << 16) / kFactor));
    out->scale_f[k] = in.scale_f[k] * static_cast<float>(kFactor) / 65536.0f;  // statistics only
  }
}
// ScaleIntoConst with factor kScaleFactors[f].
void ScaleIntoFactor(int f, const ChannelDist& in, ChannelDist* out) {
  using A = MixtureAdapter;
  static_assert(A::kFactors == 5, "one case per factor");
  switch (f) {
    case 0: ScaleIntoConst<A::kScaleFactors[0]>(in, out); return;
    case 1: ScaleIntoConst<A::kScaleFactors[1]>(in, out); return;
    case 2: ScaleIntoConst<A::kScaleFactors[2]>(in, out); return;
    case 3: ScaleIntoConst<A::kScaleFactors[3]>(in, out); return;
    default: ScaleIntoConst<A::kScaleFactors[4]>(in, out); return;
  }
}
}  // namespace

MixtureAdapter::MixtureAdapter(int stages, int channels)
    : channels_(channels), ctx_(static_cast<size_t>(stages) * channels * kScaleBuckets) {}

int MixtureAdapter::Apply(int stage, int channel, ChannelDist* d) {
  // The network's mixture mean and dominant component (largest weight, lowest index on ties).
  int64_t mu = 0;
  int top = 0;
  for (int k = 0; k < d->k; ++k) {
    mu += static_cast<int64_t>(d->weight[k]) * d->mean[k];
    if (d->weight[k] > d->weight[top]) top = k;
  }
  mu = (mu >= 0 ? mu : mu - ((int64_t{1} << 15) - 1)) / (int64_t{1} << 15);  // floor
  const int64_t scale = (int64_t{1} << 24) / d->inv_scale[top];  // Q8
  const int bucket = std::clamp(BitLength(static_cast<uint64_t>(scale)) - 6, 0, kScaleBuckets - 1);
  const int ctx = (stage * channels_ + channel) * kScaleBuckets + bucket;
  const Ctx& c = ctx_[static_cast<size_t>(ctx)];
  const int64_t bias = c.bias_sum / (c.n + kBiasPrior);  // truncation toward zero
  for (int k = 0; k < d->k; ++k) {
    d->mean[k] = static_cast<int32_t>(std::clamp(d->mean[k] + bias, kMeanLo, kMeanHi));
    d->mean_f[k] += static_cast<float>(bias) / 256.0f;  // statistics only
  }
  mu_net_ = mu;
  base_ = *d;
  int best = 0;
  for (int f = 1; f < kFactors; ++f)
    if (c.cost[f] < c.cost[best]) best = f;
  if (best != 0) ScaleIntoFactor(best, base_, d);
  return ctx;
}

void MixtureAdapter::Update(int ctx, int v) {
  Ctx& c = ctx_[static_cast<size_t>(ctx)];
  c.bias_sum += int64_t{v} * 256 - mu_net_;
  if (++c.n >= kHalveAt) {
    c.bias_sum /= 2;
    c.n /= 2;
  }
  // One scratch copy; each factor rewrites only its inverse scales.
  scratch_ = base_;
  for (int f = 0; f < kFactors; ++f) {
    if (f != 0) ScaleIntoFactor(f, base_, &scratch_);
    uint32_t start;
    const uint32_t freq = SymbolFreq(scratch_, v, &start);
    c.cost[f] += CostQ8(freq) - (c.cost[f] >> kCostDecayShift);
  }
}

}  // namespace dc::mix
