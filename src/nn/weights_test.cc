#include "nn/weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "codecs/image_lossless/test_util.h"
#include "common/sha256.h"

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


// The fingerprint is defined over bytes (docs/weights-format.md, "Fingerprint"): SHA-256 of the
// values of the metadata's top-level "config" and "tensors" members exactly as they stand in the
// file less the JSON whitespace outside strings, then the data section to the end of the file.
// Computed here from those bytes, written out by hand, independently of the reader.
TEST(Weights, FingerprintIsSha256OfTheDocumentedBytes) {
  WeightsFile w;
  w.arch = "test";
  w.model_id = 99;
  w.config_json = R"({"name":"a \"b\" c","eps":1e-05,"features":4,"list":[1,2.5,-0.0]})";
  w.info_json = R"({"command":"x"})";
  w.tensors["w"] = Tensor{{2, 3}, {1.0f, -2.0f, 0.5f, 0.0f, 3.0f, -0.25f}};
  w.tensors["b"] = Tensor{{2}, {0.125f, 4.0f}};
  const auto bytes = SerializeWeights(w, DType::kF32);

  // Members in the file sorted by name; the tensors in name order, each 16-aligned.
  const std::string config = R"({"eps":1e-05,"features":4,"list":[1,2.5,-0.0],"name":"a \"b\" c"})";
  const std::string table =
      R"([{"bytes":8,"dtype":"f32","name":"b","offset":0,"shape":[2]},)"
      R"({"bytes":24,"dtype":"f32","name":"w","offset":16,"shape":[2,3]}])";
  std::vector<uint8_t> data;
  const auto put = [&data](float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    for (int i = 0; i < 4; ++i) data.push_back(static_cast<uint8_t>(u >> (8 * i)));
  };
  put(0.125f), put(4.0f);
  data.resize(16, 0);
  for (float f : {1.0f, -2.0f, 0.5f, 0.0f, 3.0f, -0.25f}) put(f);
  std::vector<uint8_t> hashed(config.begin(), config.end());
  hashed.insert(hashed.end(), table.begin(), table.end());
  hashed.insert(hashed.end(), data.begin(), data.end());
  const auto digest = Sha256Of(hashed.data(), hashed.size());
  const std::string hex = ToHex(digest.data(), digest.size());

  // The file's data section is those bytes, and its metadata holds the two values.
  const uint32_t mlen = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (uint32_t{bytes[11]} << 24);
  ASSERT_EQ(std::vector<uint8_t>(bytes.begin() + (12 + mlen + 15) / 16 * 16, bytes.end()), data);
  std::string squeezed;  // metadata less whitespace outside strings
  bool in_string = false;
  for (uint32_t i = 0; i < mlen; ++i) {
    const char c = static_cast<char>(bytes[12 + i]);
    if (in_string) {
      squeezed.push_back(c);
      if (c == '\\') squeezed.push_back(static_cast<char>(bytes[12 + ++i]));
      else if (c == '"') in_string = false;
    } else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
      squeezed.push_back(c);
      in_string = c == '"';
    }
  }
  EXPECT_NE(squeezed.find("\"config\":" + config + ","), std::string::npos) << squeezed;
  EXPECT_NE(squeezed.find("\"tensors\":" + table + "}"), std::string::npos) << squeezed;

  const auto back = ParseWeights(bytes.data(), bytes.size());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->fingerprint_hex, hex);
  EXPECT_EQ(back->fingerprint, (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) |
                                   (uint32_t{digest[2]} << 8) | digest[3]);
  EXPECT_EQ(Metadata(bytes).at("sha256").get<std::string>(), hex);
  // Pinned: a change of this value changes the fingerprint of every model.
  EXPECT_EQ(hex, "9070b0645928f8fd170a5fa7b520295fa6463e560be23ba0261be8acd6a61ade");

  // Whitespace outside strings does not count; the bytes of a number do (1e-05 and 0.00001 are
  // the same value, not the same bytes); the member order of the top level does not count.
  const std::string meta_text = R"({"tensors" :)" + table + R"(,
    "arch":"test","model_id":99,"format":"diffcomp-weights",  "config":	)" + config + "}";
  auto same = WithMetadata(bytes, meta_text);
  EXPECT_EQ(ParseWeights(same.data(), same.size())->fingerprint_hex, hex);
  std::string other_text = meta_text;
  other_text.replace(other_text.find("1e-05"), 5, "0.00001");
  auto other = WithMetadata(bytes, other_text);
  ASSERT_TRUE(ParseWeights(other.data(), other.size()).ok());
  EXPECT_NE(ParseWeights(other.data(), other.size())->fingerprint_hex, hex);
  // A repeated or escaped top-level name would let the parsed and the hashed values differ.
  for (const std::string& bad_text :
       {meta_text.substr(0, meta_text.size() - 1) + R"(,"config":{}})",
        R"({"\u0063onfig":{},)" + meta_text.substr(1)}) {
    auto bad = WithMetadata(bytes, bad_text);
    EXPECT_EQ(ParseWeights(bad.data(), bad.size()).status().code(), DC_ERR_CORRUPT) << bad_text;
  }
}

// The shipped models keep the fingerprints that every .dfc file made with them records.
TEST(Weights, ShippedModelFingerprints) {
  const std::pair<const char*, uint32_t> shipped[] = {{"image-lossless-adm1.dcw", 0x89b217c3},
                                                      {"signal-lossless-sig1.dcw", 0x4d763fc7},
                                                      {"image-lossy-ldm1.dcw", 0x2930df60},
                                                      {"video-lossless-adm1.dcw", 0x3183c543}};
  for (const auto& [file, fp] : shipped) {
    const auto w = LoadWeights(std::string(DC_SOURCE_DIR) + "/models/" + file);
    ASSERT_TRUE(w.ok()) << file << ": " << w.status().message();
    EXPECT_EQ(w->fingerprint, fp) << file;
  }
}

// Until 2026-12-07 the fingerprint was the SHA-256 of nlohmann's compact re-serialisation of the
// parsed config and tensor table, then the data section. For every file nlohmann wrote (every
// model so far) that is the same digest as the byte definition: checked on the shipped models
// and on a model whose config holds escapes, non-ASCII text and awkward numbers.
std::string FormerFingerprintHex(const std::vector<uint8_t>& bytes) {
  const uint32_t mlen = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (uint32_t{bytes[11]} << 24);
  const nlohmann::json meta = Metadata(bytes);
  const std::string text = meta.at("config").dump() + meta.at("tensors").dump();
  std::vector<uint8_t> hashed(text.begin(), text.end());
  hashed.insert(hashed.end(), bytes.begin() + (12 + mlen + 15) / 16 * 16, bytes.end());
  const auto d = Sha256Of(hashed.data(), hashed.size());
  return ToHex(d.data(), d.size());
}

TEST(Weights, FingerprintEqualsTheFormerDefinitionForNlohmannFiles) {
  WeightsFile w = adm::testing::RandomWeights(7);
  w.config_json = R"({"s":"caf\u00e9 \"q\" \\ / \u0001 \t","f":[0.1,1e300,-0.0,5e-324,123456789012345678,)"
                  R"(-7,2.5e-05,3.0],"o":{"z":{"y":[]},"a":{}},"b":true,"n":null})";
  for (DType dt : {DType::kF32, DType::kF16}) {
    const auto bytes = SerializeWeights(w, dt);
    const auto back = ParseWeights(bytes.data(), bytes.size());
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->fingerprint_hex, FormerFingerprintHex(bytes));
  }
  for (const char* file : {"image-lossless-adm1.dcw", "signal-lossless-sig1.dcw", "image-lossy-ldm1.dcw",
                           "video-lossless-adm1.dcw"}) {
    FILE* f = std::fopen((std::string(DC_SOURCE_DIR) + "/models/" + file).c_str(), "rb");
    ASSERT_NE(f, nullptr) << file;
    std::vector<uint8_t> bytes;
    uint8_t buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
    std::fclose(f);
    const auto back = ParseWeights(bytes.data(), bytes.size());
    ASSERT_TRUE(back.ok()) << file;
    EXPECT_EQ(back->fingerprint_hex, FormerFingerprintHex(bytes)) << file;
    EXPECT_EQ(back->fingerprint_hex, Metadata(bytes).at("sha256").get<std::string>()) << file;
  }
}

}  // namespace
}  // namespace dc::nn
