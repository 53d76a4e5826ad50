// Test helpers: small random models, so that codec tests need no training and no model file.
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSLESS_TEST_UTIL_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSLESS_TEST_UTIL_H_

#include <random>
#include <string>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/adm_net.h"
#include "nn/weights.h"

namespace dc::adm::testing {

// A model of the real architecture with random weights (deterministic for a seed). Scales are
// chosen so that outputs vary per pixel and the mixtures are neither flat nor degenerate.
// extra_trunk / extra_head: extra input planes (the video codec's previous-frame inputs).
inline nn::WeightsFile RandomWeights(uint32_t seed, int features = 8, int trunk_blocks = 1,
                                     int head_blocks = 1, int mixtures = 3, int extra_trunk = 0,
                                     int extra_head = 0) {
  NetConfig cfg;
  cfg.features = features;
  cfg.trunk_blocks = trunk_blocks;
  cfg.head_blocks = head_blocks;
  cfg.mixtures = mixtures;
  cfg.extra_trunk_inputs = extra_trunk;
  cfg.extra_head_inputs = extra_head;
  nn::WeightsFile w;
  w.arch = kArch;
  w.model_id = kDefaultModelId;
  w.config_json = cfg.ToJson();
  // mt19937's raw output is fixed by the standard (std::*_distribution is not): map it to
  // [-sqrt(3), sqrt(3)], unit variance, with exact integer-to-float steps.
  std::mt19937 rng(seed);
  const auto n = [](std::mt19937& r) {
    return (static_cast<float>(r() >> 8) / 16777216.0f * 2.0f - 1.0f) * 1.7320508f;
  };
  const auto conv = [&](const std::string& name, int out, int in, int k, float gain) {
    nn::Tensor t;
    t.shape = {out, in, k, k};
    t.data.resize(static_cast<size_t>(out) * in * k * k);
    for (auto& v : t.data) v = n(rng) * gain / std::sqrt(static_cast<float>(in * k * k));
    w.tensors[name + "_w"] = t;
    nn::Tensor b;
    b.shape = {out};
    b.data.resize(out);
    for (auto& v : b.data) v = n(rng) * 0.1f;
    w.tensors[name + "_b"] = b;
  };
  conv("trunk_in", features, kTrunkInputs + extra_trunk, 3, 1.0f);
  for (int i = 0; i < trunk_blocks; ++i) {
    conv("trunk_b" + std::to_string(i) + "_c1", features, features, 3, 1.0f);
    conv("trunk_b" + std::to_string(i) + "_c2", features, features, 3, 0.5f);
  }
  conv("head_in", features, kHeadInputs + extra_head, 3, 1.0f);
  for (int i = 0; i < head_blocks; ++i) {
    conv("head_b" + std::to_string(i) + "_c1", features, features, 3, 1.0f);
    conv("head_b" + std::to_string(i) + "_c2", features, features, 3, 0.5f);
  }
  conv("head_out", cfg.outputs(), features, 1, 0.5f);
  return w;
}

}  // namespace dc::adm::testing

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSLESS_TEST_UTIL_H_
