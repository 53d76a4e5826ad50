// Test helper: a tiny ldm1 model with random weights, so that codec tests need no model file.
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSY_TEST_UTIL_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSY_TEST_UTIL_H_

#include <cmath>
#include <random>
#include <string>

#include "codecs/image_lossy/ldm_net.h"
#include "nn/weights.h"

namespace dc::lossy::testing {

// A tiny ldm1 model with random weights (small, so the latents stay in a sane range).
inline nn::WeightsFile TinyModel(uint32_t seed) {
  NetConfig c;
  c.latent = 2;
  c.c1 = 4;
  c.c2 = 4;
  c.c3 = 8;
  c.blocks3 = 1;
  c.den_features = 8;
  c.den_blocks = 1;
  nn::WeightsFile w;
  w.arch = kArch;
  w.model_id = kDefaultModelId;
  w.config_json = c.ToJson();
  w.info_json = "{}";
  std::mt19937 g(seed);
  std::normal_distribution<float> n(0.0f, 1.0f);
  const auto conv = [&](const std::string& name, int out, int in) {
    nn::Tensor t, b;
    t.shape = {out, in, 3, 3};
    t.data.resize(static_cast<size_t>(out) * in * 9);
    for (auto& v : t.data) v = n(g) * std::sqrt(1.0f / (in * 9));
    b.shape = {out};
    b.data.resize(out);
    for (auto& v : b.data) v = 0.1f * n(g);
    w.tensors[name + "_w"] = t;
    w.tensors[name + "_b"] = b;
  };
  const auto res = [&](const std::string& name, int f) {
    conv(name + "_c1", f, f);
    conv(name + "_c2", f, f);
  };
  conv("enc_in1", c.c1, 12);
  res("enc_r1", c.c1);
  conv("enc_in2", c.c2, 4 * c.c1);
  res("enc_r2", c.c2);
  conv("enc_in3", c.c3, 4 * c.c2);
  res("enc_r3_0", c.c3);
  conv("enc_out", c.latent, c.c3);
  conv("dec_in", c.c3, c.latent);
  res("dec_r3_0", c.c3);
  conv("dec_up3", 4 * c.c2, c.c3);
  res("dec_r2", c.c2);
  conv("dec_up2", 4 * c.c1, c.c2);
  res("dec_r1", c.c1);
  conv("dec_up1", 12, c.c1);
  conv("den_in", c.den_features, c.latent + 1);
  res("den_b0", c.den_features);
  conv("den_out", c.latent, c.den_features);
  return w;
}

}  // namespace dc::lossy::testing

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSY_TEST_UTIL_H_
