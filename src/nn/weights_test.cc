#include "nn/weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "codecs/image_lossless/test_util.h"

namespace dc::nn {
namespace {

TEST(Half, ExactValuesAndRounding) {
  for (float f : {0.0f, 1.0f, -2.0f, 0.5f, 65504.0f, 6.103515625e-05f /* min normal */,
                  5.9604645e-08f /* min subnormal */, 1024.0f, -0.333251953125f})
    EXPECT_EQ(HalfToFloat(FloatToHalf(f)), f) << f;
  EXPECT_EQ(HalfToFloat(FloatToHalf(1e6f)), std::numeric_limits<float>::infinity());
  EXPECT_EQ(HalfToFloat(FloatToHalf(1e-9f)), 0.0f);
  EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(std::nanf("")))));
  // Round to nearest even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10.
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f + 1.0f / 2048)), 1.0f);
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f + 3.0f / 2048)), 1.0f + 2.0f / 1024);
  // Every half value survives half -> float -> half.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF)) continue;  // NaN payloads
    EXPECT_EQ(FloatToHalf(HalfToFloat(static_cast<uint16_t>(h))), h);
  }
}

TEST(Weights, SerializeParseRoundTripAndFingerprint) {
  WeightsFile w = adm::testing::RandomWeights(3);
  w.info_json = R"({"command":"test"})";
  for (DType dt : {DType::kF32, DType::kF16}) {
    const auto bytes = SerializeWeights(w, dt);
    auto back = ParseWeights(bytes.data(), bytes.size());
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->arch, w.arch);
    EXPECT_EQ(back->tensors.size(), w.tensors.size());
    for (const auto& [name, t] : w.tensors) {
      const auto& b = back->tensors.at(name);
      EXPECT_EQ(b.shape, t.shape);
      for (size_t i = 0; i < t.data.size(); ++i)
        EXPECT_EQ(b.data[i], dt == DType::kF32 ? t.data[i] : HalfToFloat(FloatToHalf(t.data[i])));
    }
    // Changing the provenance does not change the fingerprint; changing a weight does.
    WeightsFile w2 = w;
    w2.info_json = R"({"command":"other"})";
    const auto b2 = SerializeWeights(w2, dt);
    EXPECT_EQ(ParseWeights(b2.data(), b2.size())->fingerprint, back->fingerprint);
    w2.tensors.begin()->second.data[0] += 1.0f;
    const auto b3 = SerializeWeights(w2, dt);
    EXPECT_NE(ParseWeights(b3.data(), b3.size())->fingerprint, back->fingerprint);
  }
}

TEST(Weights, RejectsDamagedFiles) {
  const auto bytes = SerializeWeights(adm::testing::RandomWeights(4), DType::kF16);
  for (size_t len : {size_t{0}, size_t{3}, size_t{8}, size_t{40}, bytes.size() / 2, bytes.size() - 1})
    EXPECT_FALSE(ParseWeights(bytes.data(), len).ok()) << len;
  auto bad = bytes;
  bad[0] = 'X';
  EXPECT_EQ(ParseWeights(bad.data(), bad.size()).status().code(), DC_ERR_BAD_MAGIC);
  bad = bytes;
  bad[4] = 9;
  EXPECT_EQ(ParseWeights(bad.data(), bad.size()).status().code(), DC_ERR_UNSUPPORTED_VERSION);
  bad = bytes;
  bad[14] = '#';  // inside the JSON
  EXPECT_FALSE(ParseWeights(bad.data(), bad.size()).ok());
  EXPECT_EQ(LoadWeights("/nonexistent/model.dcw").status().code(), DC_ERR_MODEL_NOT_FOUND);
}

}  // namespace
}  // namespace dc::nn
