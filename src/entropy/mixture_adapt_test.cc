#include "entropy/mixture_adapt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace dc::mix {
namespace {

// A one-component "network" distribution: logistic(mean, scale) in pixel units.
ChannelDist Logistic(float mean, float scale) {
  ChannelDist d;
  d.k = 1;
  d.weight[0] = 1 << 15;
  SetComponent(0, mean, 1.0f / scale, &d);
  return d;
}

int Draw(std::mt19937& rng, double mean, double scale) {
  std::uniform_real_distribution<double> u(1e-9, 1 - 1e-9);
  const double p = u(rng);
  const double x = mean + scale * std::log(p / (1 - p));
  return static_cast<int>(std::lround(std::fmin(255.0, std::fmax(0.0, x))));
}

// Bits of coding `n` values drawn from logistic(true_mean, true_scale) under the network's
// logistic(net_mean, net_scale), with and without the adapter.
void Bits(double true_mean, double true_scale, float net_mean, float net_scale, int n, double* plain, double* adapted) {
  std::mt19937 rng(11);
  MixtureAdapter a(3, 3);
  *plain = *adapted = 0;
  for (int i = 0; i < n; ++i) {
    const int v = Draw(rng, true_mean, true_scale);
    ChannelDist d = Logistic(net_mean, net_scale);
    *plain += ValueBits(d, v);
    const int ctx = a.Apply(i % 3, 0, &d);
    *adapted += ValueBits(d, v);
    a.Update(ctx, v);
  }
}

TEST(MixtureAdapter, LearnsABiasAndAScale) {
  double plain, adapted;
  Bits(128 + 6, 3.0, 128, 3.0, 20000, &plain, &adapted);  // network off by 2 scales
  EXPECT_LT(adapted, 0.9 * plain);
  Bits(100, 8.0, 100, 3.0, 20000, &plain, &adapted);  // network too confident
  EXPECT_LT(adapted, 0.95 * plain);
  Bits(100, 2.0, 100, 5.0, 20000, &plain, &adapted);  // network too cautious
  EXPECT_LT(adapted, 0.95 * plain);
}

TEST(MixtureAdapter, CostsLittleWhenTheNetworkIsRight) {
  double plain, adapted;
  Bits(90.3, 4.0, 90.3f, 4.0f, 20000, &plain, &adapted);
  EXPECT_LT(adapted, 1.01 * plain);
}

// Both sides replay the same Apply/Update sequence: the corrected distributions are identical.
TEST(MixtureAdapter, TwoInstancesAgreeBitForBit) {
  std::mt19937 rng(3);
  MixtureAdapter enc(3, 3), dec(3, 3);
  for (int i = 0; i < 5000; ++i) {
    ChannelDist a = Logistic(50.0f + static_cast<float>(i % 100), 0.5f + static_cast<float>(i % 17));
    ChannelDist b = a;
    const int ca = enc.Apply(i % 3, (i / 3) % 3, &a);
    const int cb = dec.Apply(i % 3, (i / 3) % 3, &b);
    ASSERT_EQ(ca, cb);
    ASSERT_EQ(a.mean[0], b.mean[0]);
    ASSERT_EQ(a.inv_scale[0], b.inv_scale[0]);
    const int v = Draw(rng, 60 + i % 100, 3.0);
    enc.Update(ca, v);
    dec.Update(cb, v);
  }
}

}  // namespace
}  // namespace dc::mix
