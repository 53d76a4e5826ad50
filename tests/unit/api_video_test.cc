// The video codec through the C API: round trips (4:2:0, 4:4:4), the frame-by-frame decoder
// (ranges, coded sizes, whole-content checksum), refused content and damaged containers. Uses a
// random video model written to a temporary file, so no trained model is needed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/test_util.h"
#include "diffcomp/diffcomp.h"
#include "extras/file_io.h"
#include "nn/weights.h"

namespace {

using Bytes = std::vector<uint8_t>;

class ApiVideo : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = "/tmp/dc_api_video_" + std::to_string(::getpid()) + ".dcw";
    auto w = dc::adm::testing::RandomWeights(21, 8, 1, 1, 3, dc::adm::kPrevTrunkInputs, dc::adm::kPrevHeadInputs);
    w.model_id = 7;
    const auto b = dc::nn::SerializeWeights(w, dc::nn::DType::kF16);
    ASSERT_TRUE(dc::extras::WriteFileAtomic(model_, b.data(), b.size(), true).ok());
    image_model_ = "/tmp/dc_api_video_img_" + std::to_string(::getpid()) + ".dcw";
    const auto bi = dc::nn::SerializeWeights(dc::adm::testing::RandomWeights(22), dc::nn::DType::kF16);
    ASSERT_TRUE(dc::extras::WriteFileAtomic(image_model_, bi.data(), bi.size(), true).ok());
  }
  static void TearDownTestSuite() {
    std::remove(model_.c_str());
    std::remove(image_model_.c_str());
  }
  static std::string model_, image_model_;

  static dc_params Params(int threads = 2, uint32_t keyint = 0) {
    dc_params p;
    dc_params_init(&p);
    p.codec = DC_CODEC_VIDEO_LOSSLESS;
    p.threads = threads;
    p.model_path = model_.c_str();
    p.keyint = keyint;
    p.tile_size = 16;
    return p;
  }
};
std::string ApiVideo::model_, ApiVideo::image_model_;

uint64_t FrameBytes(uint32_t w, uint32_t h, uint32_t chroma) {
  return chroma == 444 ? 3ull * w * h : uint64_t{w} * h + 2ull * ((w + 1) / 2) * ((h + 1) / 2);
}

Bytes Frames(uint32_t w, uint32_t h, uint32_t chroma, uint32_t n) {
  std::mt19937 rng(9);
  Bytes v(FrameBytes(w, h, chroma) * n);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>((i * 7 / 5) % 200 + rng() % 6);
  return v;
}

dc_content Video(const Bytes& d, uint32_t w, uint32_t h, uint32_t chroma, uint32_t n, const Bytes& side) {
  dc_content c{};
  c.kind = DC_KIND_VIDEO;
  c.format = DC_FORMAT_Y4M;
  c.data = d.data();
  c.size = d.size();
  c.width = w;
  c.height = h;
  c.channels = 3;
  c.bit_depth = 8;
  c.frames = n;
  c.chroma = chroma;
  c.side = side.empty() ? nullptr : side.data();
  c.side_size = side.size();
  return c;
}

TEST_F(ApiVideo, RoundTripKeepsFramesSideDataAndHeaderFacts) {
  const Bytes side = {3, 'a', 'b', 'c', 0};
  for (uint32_t chroma : {420u, 444u}) {
    const uint32_t w = 23, h = 18, n = 4;
    const Bytes d = Frames(w, h, chroma, n);
    const dc_content c = Video(d, w, h, chroma, n, side);
    dc_buffer b{}, b1{};
    dc_params p = Params(2), p1 = Params(1);
    ASSERT_EQ(dc_compress(&c, &p, &b, nullptr), DC_OK) << dc_last_error_message();
    ASSERT_EQ(dc_compress(&c, &p1, &b1, nullptr), DC_OK) << dc_last_error_message();
    EXPECT_EQ(Bytes(b.data, b.data + b.size), Bytes(b1.data, b1.data + b1.size)) << "threads changed the bytes";
    dc_info info;
    ASSERT_EQ(dc_read_info(b.data, b.size, &info), DC_OK);
    EXPECT_EQ(info.codec, DC_CODEC_VIDEO_LOSSLESS);
    EXPECT_EQ(info.kind, DC_KIND_VIDEO);
    EXPECT_EQ(info.format, DC_FORMAT_Y4M);
    EXPECT_EQ(info.original_size, d.size());
    dc_decoded out{};
    p1.model_path = model_.c_str();
    ASSERT_EQ(dc_decompress(b.data, b.size, &p1, &out), DC_OK) << dc_last_error_message();
    EXPECT_EQ(Bytes(out.content.data, out.content.data + out.content.size), d);
    EXPECT_EQ(out.content.kind, DC_KIND_VIDEO);
    EXPECT_EQ(out.content.frames, n);
    EXPECT_EQ(out.content.chroma, chroma);
    EXPECT_EQ(Bytes(out.content.side, out.content.side + out.content.side_size), side);
    dc_decoded_free(&out);
    dc_buffer_free(&b);
    dc_buffer_free(&b1);
  }
}

TEST_F(ApiVideo, FrameDecoderRangesSizesAndChecksum) {
  const uint32_t w = 20, h = 14, n = 7;
  const Bytes d = Frames(w, h, 420, n);
  const dc_content c = Video(d, w, h, 420, n, {});
  dc_buffer b{};
  const dc_params p = Params(2, 3);
  ASSERT_EQ(dc_compress(&c, &p, &b, nullptr), DC_OK) << dc_last_error_message();
  dc_video_decoder* dec = nullptr;
  ASSERT_EQ(dc_video_decoder_open(b.data, b.size, &p, &dec), DC_OK) << dc_last_error_message();
  dc_video_info vi;
  ASSERT_EQ(dc_video_decoder_info(dec, &vi), DC_OK);
  EXPECT_EQ(vi.frames, n);
  EXPECT_EQ(vi.keyint, 3u);
  EXPECT_EQ(vi.frame_bytes, FrameBytes(w, h, 420));
  uint64_t total = 0;
  for (uint64_t f = 0; f < n; ++f) {
    uint64_t s = 0;
    ASSERT_EQ(dc_video_frame_coded_size(dec, f, &s), DC_OK);
    EXPECT_GT(s, 0u);
    total += s;
  }
  EXPECT_LT(total, b.size);
  uint64_t s;
  EXPECT_EQ(dc_video_frame_coded_size(dec, n, &s), DC_ERR_INVALID_ARGUMENT);
  Bytes f(vi.frame_bytes);
  ASSERT_EQ(dc_video_decode_frame(dec, 5, f.data(), f.size()), DC_OK) << dc_last_error_message();
  EXPECT_EQ(0, std::memcmp(f.data(), d.data() + 5 * vi.frame_bytes, vi.frame_bytes));
  EXPECT_EQ(dc_video_decoder_verify_all(dec), DC_ERR_INVALID_ARGUMENT) << "not every frame decoded in order";
  EXPECT_EQ(dc_video_decode_frame(dec, n, f.data(), f.size()), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(dc_video_decode_frame(dec, 0, f.data(), f.size() - 1), DC_ERR_INVALID_ARGUMENT);
  dc_video_decoder_free(dec);
  ASSERT_EQ(dc_video_decoder_open(b.data, b.size, &p, &dec), DC_OK);
  for (uint64_t i = 0; i < n; ++i) {
    ASSERT_EQ(dc_video_decode_frame(dec, i, f.data(), f.size()), DC_OK);
    EXPECT_EQ(0, std::memcmp(f.data(), d.data() + i * vi.frame_bytes, vi.frame_bytes)) << i;
  }
  EXPECT_EQ(dc_video_decoder_verify_all(dec), DC_OK);
  dc_video_decoder_free(dec);
  // A damaged container CRC: every frame still checks (its own CRC), the whole content does not.
  Bytes bad(b.data, b.data + b.size);
  bad.back() ^= 1;
  ASSERT_EQ(dc_video_decoder_open(bad.data(), bad.size(), &p, &dec), DC_OK);
  for (uint64_t i = 0; i < n; ++i) ASSERT_EQ(dc_video_decode_frame(dec, i, f.data(), f.size()), DC_OK);
  EXPECT_EQ(dc_video_decoder_verify_all(dec), DC_ERR_CHECKSUM);
  dc_video_decoder_free(dec);
  dc_buffer_free(&b);
}

TEST_F(ApiVideo, BadContentModelsAndDamagedFiles) {
  const uint32_t w = 16, h = 16, n = 2;
  const Bytes d = Frames(w, h, 420, n);
  dc_content c = Video(d, w, h, 420, n, {});
  dc_buffer b{};
  dc_params p = Params();
  c.chroma = 422;
  EXPECT_EQ(dc_compress(&c, &p, &b, nullptr), DC_ERR_UNSUPPORTED_FORMAT);
  c.chroma = 420;
  c.size -= 1;
  EXPECT_EQ(dc_compress(&c, &p, &b, nullptr), DC_ERR_INVALID_ARGUMENT);
  c.size += 1;
  c.format = DC_FORMAT_PNG;
  EXPECT_EQ(dc_compress(&c, &p, &b, nullptr), DC_ERR_INVALID_ARGUMENT);
  c.format = DC_FORMAT_Y4M;
  p.model_path = image_model_.c_str();
  EXPECT_EQ(dc_compress(&c, &p, &b, nullptr), DC_ERR_MODEL_MISMATCH) << "an image model is not a video model";
  p.model_path = model_.c_str();
  ASSERT_EQ(dc_compress(&c, &p, &b, nullptr), DC_OK) << dc_last_error_message();
  const Bytes file(b.data, b.data + b.size);
  dc_buffer_free(&b);
  // The video model is not an image-lossless model either.
  dc_model_info mi;
  EXPECT_EQ(dc_model_describe(DC_CODEC_IMAGE_LOSSLESS, model_.c_str(), &mi), DC_ERR_MODEL_MISMATCH);
  EXPECT_EQ(dc_model_describe(DC_CODEC_VIDEO_LOSSLESS, model_.c_str(), &mi), DC_OK);
  dc_decoded out{};
  for (size_t cut = 0; cut < file.size(); cut += 3) {
    const dc_error e = dc_decompress(file.data(), cut, &p, &out);
    EXPECT_NE(e, DC_OK) << cut;
    EXPECT_EQ(out.content.data, nullptr);
  }
  int refused = 0;
  for (size_t i = 8; i < file.size(); i += 5) {
    Bytes m = file;
    m[i] ^= 0x21;
    const dc_error e = dc_decompress(m.data(), m.size(), &p, &out);
    if (e != DC_OK) ++refused;
    else EXPECT_EQ(Bytes(out.content.data, out.content.data + out.content.size), d) << "byte " << i;
    dc_decoded_free(&out);
  }
  EXPECT_GT(refused, 0);
}

}  // namespace
