#include "nn/weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

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

// A copy of a weights file with other metadata JSON (the data section kept).
std::vector<uint8_t> WithMetadata(const std::vector<uint8_t>& bytes, const std::string& js) {
  const uint32_t mlen = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (uint32_t{bytes[11]} << 24);
  std::vector<uint8_t> out(bytes.begin(), bytes.begin() + 8);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(js.size() >> (8 * i)));
  out.insert(out.end(), js.begin(), js.end());
  while (out.size() % 16) out.push_back(0);
  out.insert(out.end(), bytes.begin() + (12 + mlen + 15) / 16 * 16, bytes.end());
  return out;
}

nlohmann::json Metadata(const std::vector<uint8_t>& bytes) {
  const uint32_t mlen = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (uint32_t{bytes[11]} << 24);
  return nlohmann::json::parse(bytes.begin() + 12, bytes.begin() + 12 + mlen);
}

// Found by tests/fuzz/fuzz_weights: a number too large for 64 bits (nlohmann parses it as a
// float) in an integer field was converted with undefined behaviour. Integer fields must be
// JSON integers in range; anything else is DC_ERR_CORRUPT.
TEST(Weights, NonIntegerNumbersInIntegerFieldsAreCorrupt) {
  const auto bytes = SerializeWeights(adm::testing::RandomWeights(5), DType::kF16);
  const nlohmann::json meta = Metadata(bytes);
  const auto same = WithMetadata(bytes, meta.dump());
  ASSERT_TRUE(ParseWeights(same.data(), same.size()).ok());
  const std::vector<std::pair<std::string, nlohmann::json>> edits = {
      {"/model_id", 1e42}, {"/model_id", -1}, {"/model_id", 4294967297ull}, {"/model_id", 1.5},
      {"/tensors/0/shape/0", 1e42}, {"/tensors/0/shape/0", -1e42}, {"/tensors/0/shape/0", 2.5},
      {"/tensors/0/offset", 1e42}, {"/tensors/0/offset", -16}, {"/tensors/0/bytes", 1e300},
      {"/tensors/0/bytes", "8"}};
  for (const auto& [ptr, value] : edits) {
    nlohmann::json m = meta;
    m[nlohmann::json::json_pointer(ptr)] = value;
    const auto bad = WithMetadata(bytes, m.dump());
    EXPECT_EQ(ParseWeights(bad.data(), bad.size()).status().code(), DC_ERR_CORRUPT) << ptr << " = " << value;
  }
  // The fuzzer's input: an integer literal of 43 digits.
  std::string js = meta.dump();
  const std::string key = "\"shape\":[";
  js.insert(js.find(key) + key.size(), "1111111111111111111111111111111111111111113,");
  const auto bad = WithMetadata(bytes, js);
  EXPECT_EQ(ParseWeights(bad.data(), bad.size()).status().code(), DC_ERR_CORRUPT);
}

// Deeply nested metadata overflowed the stack when the config, tensor table or info was dumped
// (nlohmann's serializer recurses per level); nesting is now limited.
TEST(Weights, DeeplyNestedMetadataIsCorrupt) {
  const auto bytes = SerializeWeights(adm::testing::RandomWeights(6), DType::kF16);
  const nlohmann::json meta = Metadata(bytes);
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  for (const char* field : {"config", "info", "other"}) {
    nlohmann::json m = meta;
    m[field] = "@";
    std::string js = m.dump();
    const std::string placeholder = std::string("\"") + field + "\":\"@\"";
    js.replace(js.find(placeholder), placeholder.size(), std::string("\"") + field + "\":" + deep);
    const auto bad = WithMetadata(bytes, js);
    EXPECT_EQ(ParseWeights(bad.data(), bad.size()).status().code(), DC_ERR_CORRUPT) << field;
  }
  // A little nesting in the provenance is fine.
  nlohmann::json m = meta;
  m["info"] = nlohmann::json::parse(R"({"a":[[{"b":[1,[2,[3]]]}]]})");
  const auto ok = WithMetadata(bytes, m.dump());
  EXPECT_TRUE(ParseWeights(ok.data(), ok.size()).ok());
}

}  // namespace
}  // namespace dc::nn
