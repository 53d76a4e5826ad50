// The signal codec through the C API: round trips with side data, thread independence, model
// checks and damaged containers. Uses a random "sig1" model written to a temporary file, so no
// trained model is needed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "codecs/signal_lossless/test_util.h"
#include "container/container.h"
#include "diffcomp/diffcomp.h"
#include "extras/file_io.h"
#include "nn/weights.h"

namespace {

using Bytes = std::vector<uint8_t>;

class ApiSignal : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = "/tmp/dc_api_signal_" + std::to_string(::getpid()) + ".dcw";
    const auto w = dc::nn::SerializeWeights(dc::sig::testing::RandomWeights(11, 8, 1, 1, 2), dc::nn::DType::kF16);
    ASSERT_TRUE(dc::extras::WriteFileAtomic(model_, w.data(), w.size(), true).ok());
  }
  static void TearDownTestSuite() { std::remove(model_.c_str()); }
  static std::string model_;

  static dc_params Params(int threads = 2) {
    dc_params p;
    dc_params_init(&p);
    p.codec = DC_CODEC_SIGNAL_LOSSLESS;
    p.threads = threads;
    p.model_path = model_.c_str();
    return p;
  }
  static dc_content Signal(const std::vector<int32_t>& s, uint32_t frames, uint32_t ch, uint32_t bd, const Bytes& side,
                           dc_format f = DC_FORMAT_RAW_S32LE) {
    dc_content c{};
    c.kind = DC_KIND_SIGNAL;
    c.format = f;
    c.data = reinterpret_cast<const uint8_t*>(s.data());
    c.size = s.size() * 4;
    c.width = frames;
    c.height = 1;
    c.channels = ch;
    c.bit_depth = bd;
    c.side = side.empty() ? nullptr : side.data();
    c.side_size = side.size();
    return c;
  }
  static Bytes Compress(const dc_content& c, int threads = 2) {
    dc_buffer b{};
    const dc_params p = Params(threads);
    EXPECT_EQ(dc_compress(&c, &p, &b, nullptr), DC_OK) << dc_last_error_message();
    Bytes out(b.data, b.data + b.size);
    dc_buffer_free(&b);
    return out;
  }
};
std::string ApiSignal::model_;

std::vector<int32_t> Wave(uint32_t frames, uint32_t ch) {
  std::vector<int32_t> s(frames * ch);
  std::mt19937 rng(3);
  for (uint32_t f = 0; f < frames; ++f)
    for (uint32_t c = 0; c < ch; ++c)
      s[f * ch + c] = static_cast<int32_t>(1000 * std::sin(0.02 * f + c)) + static_cast<int32_t>(rng() % 21) - 10;
  return s;
}

TEST_F(ApiSignal, RoundTripKeepsSamplesSideDataAndHeaderFacts) {
  const auto s = Wave(20000, 2);
  const Bytes side = {'R', 3, 1, 2, 3};
  const Bytes file = Compress(Signal(s, 20000, 2, 16, side));
  EXPECT_EQ(Compress(Signal(s, 20000, 2, 16, side), 1), file) << "bytes depend on the thread count";
  dc_info info;
  ASSERT_EQ(dc_read_info(file.data(), file.size(), &info), DC_OK);
  EXPECT_EQ(info.codec, DC_CODEC_SIGNAL_LOSSLESS);
  EXPECT_EQ(info.kind, DC_KIND_SIGNAL);
  EXPECT_EQ(info.width, 20000u);
  EXPECT_EQ(info.channels, 2u);
  EXPECT_EQ(info.bit_depth, 16u);
  for (int t : {1, 2}) {
    dc_decoded d{};
    const dc_params p = Params(t);
    ASSERT_EQ(dc_decompress(file.data(), file.size(), &p, &d), DC_OK) << dc_last_error_message();
    ASSERT_EQ(d.content.size, s.size() * 4);
    EXPECT_EQ(std::memcmp(d.content.data, s.data(), d.content.size), 0);
    ASSERT_EQ(d.content.side_size, side.size());
    EXPECT_EQ(Bytes(d.content.side, d.content.side + d.content.side_size), side);
    EXPECT_EQ(d.content.format, DC_FORMAT_RAW_S32LE);
    EXPECT_EQ(d.content.bit_depth, 16u);
    dc_decoded_free(&d);
  }
}

TEST_F(ApiSignal, BadContentIsRejected) {
  const auto s = Wave(100, 1);
  dc_buffer b{};
  const dc_params p = Params();
  struct Case { const char* what; dc_content c; dc_error e; };
  std::vector<int32_t> loud = s;
  loud[5] = 40000;
  const Case cases[] = {
      {"bit depth 33", Signal(s, 100, 1, 33, {}), DC_ERR_UNSUPPORTED_FORMAT},
      {"bit depth 1", Signal(s, 100, 1, 1, {}), DC_ERR_UNSUPPORTED_FORMAT},
      {"no channels", Signal(s, 100, 0, 16, {}), DC_ERR_UNSUPPORTED_FORMAT},
      {"size mismatch", Signal(s, 99, 1, 16, {}), DC_ERR_INVALID_ARGUMENT},
      {"image format", Signal(s, 100, 1, 16, {}, DC_FORMAT_PNG), DC_ERR_INVALID_ARGUMENT},
      {"sample beyond the bit depth", Signal(loud, 100, 1, 16, {}), DC_ERR_INVALID_ARGUMENT},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(dc_compress(&c.c, &p, &b, nullptr), c.e) << c.what;
    EXPECT_EQ(b.data, nullptr) << c.what;
  }
  // A signal given to an image codec, and an image model given to the signal codec.
  dc_params ip = p;
  ip.codec = DC_CODEC_IMAGE_LOSSLESS;
  const dc_content sc = Signal(s, 100, 1, 16, {});
  EXPECT_EQ(dc_compress(&sc, &ip, &b, nullptr), DC_ERR_INVALID_ARGUMENT);
}

TEST_F(ApiSignal, DamagedFilesFailCleanly) {
  const auto s = Wave(3000, 1);
  const Bytes file = Compress(Signal(s, 3000, 1, 16, {'R', 0}));
  const dc_params p = Params();
  for (size_t n = 0; n < file.size(); n += (n < 64 ? 1 : 97)) {
    dc_decoded d{};
    EXPECT_NE(dc_decompress(file.data(), n, &p, &d), DC_OK) << n;
    EXPECT_EQ(d.storage_, nullptr);
  }
  std::mt19937 rng(5);
  for (int i = 0; i < 300; ++i) {
    Bytes bad = file;
    bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    dc_decoded d{};
    const dc_error e = dc_decompress(bad.data(), bad.size(), &p, &d);
    if (e == DC_OK) {  // only possible if the flip hit nothing the samples depend on
      EXPECT_EQ(std::memcmp(d.content.data, s.data(), s.size() * 4), 0);
    }
    dc_decoded_free(&d);
  }
  // A different model: refused by fingerprint before decoding.
  const std::string other = "/tmp/dc_api_signal_other_" + std::to_string(::getpid()) + ".dcw";
  const auto w = dc::nn::SerializeWeights(dc::sig::testing::RandomWeights(12, 8, 1, 1, 2), dc::nn::DType::kF16);
  ASSERT_TRUE(dc::extras::WriteFileAtomic(other, w.data(), w.size(), true).ok());
  dc_params op = p;
  op.model_path = other.c_str();
  dc_decoded d{};
  EXPECT_EQ(dc_decompress(file.data(), file.size(), &op, &d), DC_ERR_MODEL_MISMATCH);
  std::remove(other.c_str());
}

// Hand-made signal headers with fields out of range: refused before any allocation.
TEST_F(ApiSignal, HeaderFieldsOutOfRangeAreRefused) {
  const auto s = Wave(300, 1);
  const Bytes good = Compress(Signal(s, 300, 1, 16, {'R', 0}));
  auto parsed = dc::container::Parse(good.data(), good.size());
  ASSERT_TRUE(parsed.ok());
  const Bytes payload(good.begin() + static_cast<long>(parsed->payload_offset),
                      good.begin() + static_cast<long>(parsed->payload_offset + parsed->payload_size));
  struct Case { const char* what; uint64_t frames; uint32_t ch, bd; size_t side; dc_error e; };
  const Case cases[] = {
      {"2^30 + 1 frames", (uint64_t{1} << 30) + 1, 1, 16, 2, DC_ERR_TOO_LARGE},
      {"2^29 frames x 3 channels", uint64_t{1} << 29, 3, 16, 2, DC_ERR_TOO_LARGE},
      {"zero frames", 0, 1, 16, 2, DC_ERR_CORRUPT},
      {"zero channels", 300, 0, 16, 2, DC_ERR_CORRUPT},
      {"bit depth 33", 300, 1, 33, 2, DC_ERR_UNSUPPORTED_FORMAT},
      {"bit depth 1", 300, 1, 1, 2, DC_ERR_UNSUPPORTED_FORMAT},
      {"side data past 16 MiB", 300, 1, 16, (size_t{1} << 24) + 1, DC_ERR_TOO_LARGE},
  };
  for (const Case& c : cases) {
    dc::container::Header h = *parsed;
    h.frames = c.frames;
    h.width = static_cast<uint32_t>(c.frames);
    h.channels = c.ch;
    h.bit_depth = c.bd;
    h.side.assign(c.side, 'R');
    const Bytes file = dc::container::Write(h, payload.data(), payload.size(), parsed->checksum);
    dc_decoded d{};
    const dc_params p = Params();
    EXPECT_EQ(dc_decompress(file.data(), file.size(), &p, &d), c.e) << c.what;
    dc_info info;
    EXPECT_EQ(dc_read_info(file.data(), file.size(), &info), c.e) << c.what;
  }
  // A file that ends inside its side data.
  dc::container::Header h = *parsed;
  h.side.assign(100, 'R');
  Bytes file = dc::container::Write(h, payload.data(), payload.size(), parsed->checksum);
  const size_t side_at = 9 + 2 + 1 + 1 + 1;  // magic..format, frames (2 bytes), channels, bit depth, side length
  ASSERT_EQ(file[side_at - 1], 100u);
  file.resize(side_at + 50);
  dc_decoded d{};
  const dc_params p = Params();
  EXPECT_EQ(dc_decompress(file.data(), file.size(), &p, &d), DC_ERR_TRUNCATED);
}

}  // namespace
