// Test helpers: small random "sig1" models, so that codec tests need no training and no file.
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSLESS_TEST_UTIL_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSLESS_TEST_UTIL_H_

#include <cmath>
#include <random>
#include <string>

#include "codecs/signal_lossless/signal_net.h"
#include "nn/weights.h"

namespace dc::sig::testing {

// The real architecture with random weights (deterministic for a seed; mt19937's raw output is
// fixed by the standard, std::*_distribution is not).
inline nn::WeightsFile RandomWeights(uint32_t seed, int features = 8, int trunk_blocks = 1, int head_blocks = 1,
                                     int mixtures = 2) {
  NetConfig cfg;
  cfg.features = features;
  cfg.trunk_blocks = trunk_blocks;
  cfg.head_blocks = head_blocks;
  cfg.mixtures = mixtures;
  nn::WeightsFile w;
  w.arch = kArch;
  w.model_id = kDefaultModelId;
  w.config_json = cfg.ToJson();
  std::mt19937 rng(seed);
  const auto n = [](std::mt19937& r) { return (static_cast<float>(r() >> 8) / 16777216.0f * 2.0f - 1.0f) * 1.7320508f; };
  const auto conv = [&](const std::string& name, int out, int in, int k, float gain) {
    nn::Tensor t;
    t.shape = {out, in, k};
    t.data.resize(static_cast<size_t>(out) * in * k);
    for (auto& v : t.data) v = n(rng) * gain / std::sqrt(static_cast<float>(in * k));
    w.tensors[name + "_w"] = t;
    nn::Tensor b;
    b.shape = {out};
    b.data.resize(out);
    for (auto& v : b.data) v = n(rng) * 0.1f;
    w.tensors[name + "_b"] = b;
  };
  conv("trunk_in", features, kTrunkInputs, 3, 1.0f);
  for (int i = 0; i < trunk_blocks; ++i) {
    conv("trunk_b" + std::to_string(i) + "_c1", features, features, 3, 1.0f);
    conv("trunk_b" + std::to_string(i) + "_c2", features, features, 3, 0.5f);
  }
  conv("gap_conv", features, features, 2, 1.0f);
  conv("gap_side", features, kGapInputs, 1, 1.0f);
  for (int i = 0; i < head_blocks; ++i) {
    conv("head_b" + std::to_string(i) + "_c1", features, features, 3, 1.0f);
    conv("head_b" + std::to_string(i) + "_c2", features, features, 3, 0.5f);
  }
  conv("head_out", cfg.outputs(), features, 1, 0.5f);
  conv("linear", mixtures, kTrunkInputs, kLinearTaps, 0.3f);
  return w;
}

}  // namespace dc::sig::testing

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSLESS_TEST_UTIL_H_
