#include "codecs/image_lossy/image_lossy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "codecs/image_lossy/ldm_net.h"
#include "codecs/image_lossy/test_util.h"
#include "diffcomp/diffcomp.h"
#include "nn/weights.h"
#include "rcc/progressive.h"

namespace dc::lossy {
namespace {

using testing::TinyModel;

std::vector<uint8_t> TestImage(uint32_t w, uint32_t h, uint32_t ch) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * ch);
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x)
      for (uint32_t c = 0; c < ch; ++c)
        px[(static_cast<size_t>(y) * w + x) * ch + c] = static_cast<uint8_t>((x * 7 + y * 3 + c * 60 + (x * y) % 13) & 0xFF);
  return px;
}

class ImageLossyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = LdmNet::FromWeights(TinyModel(3));
    ASSERT_TRUE(n.ok()) << n.status().message();
    net_ = std::move(n).value();
    opt_.schedule.lambdas = {-8, -4, -2, 0, 2, 4};
    opt_.schedule.chunk_bits = 8;
    opt_.schedule.seed = 77;
  }
  LdmNet net_;
  EncodeOptions opt_;
};

TEST_F(ImageLossyTest, HeaderRoundTripsAndRejectsBadFields) {
  Schedule s = DefaultSchedule();
  s.decode_steps = 3;
  s.seed = 0x1234567890ull;
  const auto h = WriteHeader(s);
  auto back = ParseHeader(h.data(), h.size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->lambdas, s.lambdas);
  EXPECT_EQ(back->seed, s.seed);
  EXPECT_EQ(back->decode_steps, 3);
  EXPECT_EQ(back->decode_end, s.decode_end);
  EXPECT_FALSE(back->has_colour);
  Schedule sc = s;
  sc.has_colour = true;
  sc.colour[3] = 0.125f;
  sc.colour[5] = 1.5f;
  const auto hc = WriteHeader(sc);
  auto backc = ParseHeader(hc.data(), hc.size());
  ASSERT_TRUE(backc.ok());
  EXPECT_TRUE(backc->has_colour);
  EXPECT_EQ(std::vector<float>(backc->colour, backc->colour + 12), std::vector<float>(sc.colour, sc.colour + 12));
  auto badc = hc;
  badc[badc.size() - 1] = 0x7C;  // last coefficient: f16 infinity
  EXPECT_EQ(ParseHeader(badc.data(), badc.size()).status().code(), DC_ERR_CORRUPT);
  EXPECT_EQ(ParseHeader(hc.data(), hc.size() - 2).status().code(), DC_ERR_TRUNCATED);
  auto bad = h;
  bad[0] = 2;
  EXPECT_EQ(ParseHeader(bad.data(), bad.size()).status().code(), DC_ERR_UNSUPPORTED_VERSION);
  bad = h;
  bad[1] = 0x80;
  EXPECT_EQ(ParseHeader(bad.data(), bad.size()).status().code(), DC_ERR_RESERVED_BITS);
  bad = h;
  bad.push_back(0);
  EXPECT_EQ(ParseHeader(bad.data(), bad.size()).status().code(), DC_ERR_CORRUPT);
  EXPECT_EQ(ParseHeader(h.data(), h.size() - 1).status().code(), DC_ERR_TRUNCATED);
  bad = h;  // second lambda equal to the first: not increasing
  bad[h.size() - 2 * static_cast<size_t>(s.lambdas.size()) + 2] = bad[h.size() - 2 * s.lambdas.size()];
  bad[h.size() - 2 * static_cast<size_t>(s.lambdas.size()) + 3] = bad[h.size() - 2 * s.lambdas.size() + 1];
  EXPECT_EQ(ParseHeader(bad.data(), bad.size()).status().code(), DC_ERR_CORRUPT);
}

TEST_F(ImageLossyTest, DecoderReachesTheEncodersLatentOnAnyThreadCount) {
  const auto px = TestImage(40, 24, 3);
  for (int enc_threads : {1, 2}) {
    opt_.threads = enc_threads;
    std::vector<uint8_t> payload;
    EncodeStats st;
    ASSERT_TRUE(EncodeImage(net_, {px.data(), 40, 24, 3}, opt_, &payload, &st).ok());
    EXPECT_EQ(st.kept_steps, 5);
    ASSERT_EQ(st.steps.size(), 5u);
    for (int dec_threads : {1, 2, 3}) {
      std::vector<float> xf;
      DecodeOptions d;
      d.threads = dec_threads;
      d.x_final = &xf;
      std::vector<uint8_t> out(px.size());
      ASSERT_TRUE(DecodeImage(net_, payload.data(), payload.size(), 40, 24, 3, d, out.data()).ok());
      ASSERT_EQ(xf.size(), st.x_final.size());
      EXPECT_EQ(0, std::memcmp(xf.data(), st.x_final.data(), xf.size() * sizeof(float)))
          << "encoder threads " << enc_threads << " decoder threads " << dec_threads;
    }
  }
}

TEST_F(ImageLossyTest, FewerStepsArePrefixesAndCutsDecodeLikeFreshEncodes) {
  const auto px = TestImage(33, 17, 3);  // not multiples of 8: padded
  std::vector<uint8_t> full;
  EncodeStats st;
  ASSERT_TRUE(EncodeImage(net_, {px.data(), 33, 17, 3}, opt_, &full, &st).ok());
  for (int k = 0; k <= 5; ++k) {
    EncodeOptions o = opt_;
    o.max_steps = k;
    std::vector<uint8_t> fresh;
    ASSERT_TRUE(EncodeImage(net_, {px.data(), 33, 17, 3}, o, &fresh, nullptr).ok());
    ASSERT_LE(fresh.size(), full.size());
    EXPECT_EQ(0, std::memcmp(fresh.data(), full.data(), fresh.size())) << k;
    auto cut = rcc::CutProgressive(full.data(), full.size(), fresh.size());
    ASSERT_TRUE(cut.ok());
    EXPECT_EQ(*cut, fresh.size());
    auto view = rcc::ParseProgressive(fresh.data(), fresh.size());
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->segments.size(), static_cast<size_t>(k));
    std::vector<uint8_t> a(px.size()), b(px.size());
    ASSERT_TRUE(DecodeImage(net_, fresh.data(), fresh.size(), 33, 17, 3, {}, a.data()).ok());
    ASSERT_TRUE(DecodeImage(net_, full.data(), *cut, 33, 17, 3, {}, b.data()).ok());
    EXPECT_EQ(a, b);
  }
}

TEST_F(ImageLossyTest, DecodePrefixesGivesTheImagesOfTheCuts) {
  const auto px = TestImage(40, 32, 3);
  std::vector<uint8_t> full;
  EncodeStats st;
  ASSERT_TRUE(EncodeImage(net_, {px.data(), 40, 32, 3}, opt_, &full, &st).ok());
  std::vector<std::vector<uint8_t>> got(6);
  ASSERT_TRUE(DecodePrefixes(net_, full.data(), full.size(), 40, 32, 3, {}, {0, 2, 3, 5},
                             [&](int k, const std::vector<uint8_t>& p) { got[k] = p; })
                  .ok());
  for (int k : {0, 2, 3, 5}) {
    auto view = rcc::ParseProgressive(full.data(), full.size());
    const size_t end = k == 0 ? static_cast<size_t>(view->header.data + view->header.size - full.data())
                              : st.steps[k - 1].payload_end;
    std::vector<uint8_t> one(px.size());
    ASSERT_TRUE(DecodeImage(net_, full.data(), end, 40, 32, 3, {}, one.data()).ok());
    EXPECT_EQ(got[k], one) << k;
  }
  EXPECT_EQ(DecodePrefixes(net_, full.data(), full.size(), 40, 32, 3, {}, {3, 2}, [](int, const std::vector<uint8_t>&) {}).code(),
            DC_ERR_INVALID_ARGUMENT);
}

// The encoder's colour transform is a least-squares fit: with it the full-rate decode is at
// least as close to the original (squared error) as without (up to f16 rounding of the fit).
TEST_F(ImageLossyTest, ColourTransformDoesNotHurt) {
  const auto px = TestImage(48, 40, 3);
  double err[2];
  for (int with = 0; with < 2; ++with) {
    EncodeOptions o = opt_;
    o.colour_transform = with == 1;
    o.schedule.lambdas = {-8, -4, 0, 4, 8};  // to little noise: the decoder sees nearly z
    std::vector<uint8_t> p;
    const Status es = EncodeImage(net_, {px.data(), 48, 40, 3}, o, &p, nullptr);
    ASSERT_TRUE(es.ok()) << es.message();
    auto view = rcc::ParseProgressive(p.data(), p.size());
    auto sch = ParseHeader(view->header.data, view->header.size);
    ASSERT_TRUE(sch.ok());
    EXPECT_EQ(sch->has_colour, with == 1);
    std::vector<uint8_t> out(px.size());
    ASSERT_TRUE(DecodeImage(net_, p.data(), p.size(), 48, 40, 3, {}, out.data()).ok());
    err[with] = 0;
    for (size_t i = 0; i < px.size(); ++i) err[with] += (double(out[i]) - px[i]) * (double(out[i]) - px[i]);
  }
  EXPECT_LE(err[1], err[0] * 1.01 + 100);
}

// EncodeOptions::latents is encoder-only: latents equal to Enc(x) give the very bytes of a normal
// encode (colour transform, steps and refinement passes included), other latents give a file the
// unchanged decoder reads, and latents of the wrong size are refused.
TEST_F(ImageLossyTest, ExplicitLatentsEqualToTheEncodersGiveTheSameFile) {
  const uint32_t w = 45, h = 37;  // padded to 48 x 40 by edge replication
  const auto px = TestImage(w, h, 3);
  EncodeOptions o = opt_;
  o.refine_steps = {4, 2, 1};
  std::vector<uint8_t> plain;
  ASSERT_TRUE(EncodeImage(net_, {px.data(), w, h, 3}, o, &plain, nullptr).ok());
  const int H = 40, W = 48, L = net_.config().latent;
  std::vector<float> planes(3 * H * W);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x)
        planes[(c * H + y) * W + x] =
            px[(std::min<size_t>(y, h - 1) * w + std::min<size_t>(x, w - 1)) * 3 + c] / 127.5f - 1.0f;
  o.latents.resize(static_cast<size_t>(L) * (H / 8) * (W / 8));
  net_.Encode(planes.data(), H, W, 1, o.latents.data());
  std::vector<uint8_t> explicit_z;
  ASSERT_TRUE(EncodeImage(net_, {px.data(), w, h, 3}, o, &explicit_z, nullptr).ok());
  EXPECT_EQ(explicit_z, plain);

  for (float& v : o.latents) v += 0.05f;
  std::vector<uint8_t> moved, out(px.size());
  ASSERT_TRUE(EncodeImage(net_, {px.data(), w, h, 3}, o, &moved, nullptr).ok());
  EXPECT_NE(moved, plain);
  DecodeOptions d;
  EXPECT_TRUE(DecodeImage(net_, moved.data(), moved.size(), w, h, 3, d, out.data()).ok());
  EXPECT_EQ(out, px);  // every refinement pass down to step 1: the exact original

  o.latents.pop_back();
  EXPECT_EQ(EncodeImage(net_, {px.data(), w, h, 3}, o, &moved, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
}

TEST_F(ImageLossyTest, ByteBudgetIsRespected) {
  const auto px = TestImage(40, 40, 3);
  std::vector<uint8_t> full;
  EncodeStats st;
  ASSERT_TRUE(EncodeImage(net_, {px.data(), 40, 40, 3}, opt_, &full, &st).ok());
  ASSERT_GE(st.steps.size(), 3u);
  EncodeOptions o = opt_;
  o.max_payload_bytes = st.steps[2].payload_end - 1;  // just below three steps
  std::vector<uint8_t> p;
  EncodeStats s2;
  ASSERT_TRUE(EncodeImage(net_, {px.data(), 40, 40, 3}, o, &p, &s2).ok());
  EXPECT_EQ(s2.kept_steps, 2);
  EXPECT_EQ(p.size(), st.steps[1].payload_end);
}

TEST_F(ImageLossyTest, CutInsideASegmentIsAnErrorAndExtraSegmentsAreCorrupt) {
  const auto px = TestImage(24, 24, 3);
  std::vector<uint8_t> full;
  EncodeStats st;
  ASSERT_TRUE(EncodeImage(net_, {px.data(), 24, 24, 3}, opt_, &full, &st).ok());
  auto v0 = rcc::ParseProgressive(full.data(), full.size());
  ASSERT_TRUE(v0.ok());
  std::vector<size_t> ends = {static_cast<size_t>(v0->header.data + v0->header.size - full.data())};
  for (const auto& s : st.steps) ends.push_back(s.payload_end);
  std::vector<uint8_t> out(px.size());
  for (size_t n = 0; n < full.size(); ++n) {
    const bool boundary = std::find(ends.begin(), ends.end(), n) != ends.end();
    const Status s = DecodeImage(net_, full.data(), n, 24, 24, 3, {}, out.data());
    if (boundary) {
      EXPECT_TRUE(s.ok()) << n;
    } else {
      EXPECT_FALSE(s.ok()) << n;  // within a segment or within the header
    }
  }
  // One step too many (the last segment repeated past the schedule).
  auto view = rcc::ParseProgressive(full.data(), full.size());
  ASSERT_TRUE(view.ok());
  std::vector<uint8_t> more = full;
  rcc::AppendSegment(view->segments.back().data, view->segments.back().size, &more);
  EXPECT_EQ(DecodeImage(net_, more.data(), more.size(), 24, 24, 3, {}, out.data()).code(), DC_ERR_CORRUPT);
  // Garbage header.
  std::vector<uint8_t> junk = {3, 1, 2, 3};
  EXPECT_FALSE(DecodeImage(net_, junk.data(), junk.size(), 24, 24, 3, {}, out.data()).ok());
}

TEST_F(ImageLossyTest, GrayInAndOutAlphaRejected) {
  const auto g = TestImage(16, 16, 1);
  std::vector<uint8_t> p;
  ASSERT_TRUE(EncodeImage(net_, {g.data(), 16, 16, 1}, opt_, &p, nullptr).ok());
  std::vector<uint8_t> out(g.size());
  EXPECT_TRUE(DecodeImage(net_, p.data(), p.size(), 16, 16, 1, {}, out.data()).ok());
  const auto a = TestImage(16, 16, 4);
  EXPECT_EQ(EncodeImage(net_, {a.data(), 16, 16, 4}, opt_, &p, nullptr).code(), DC_ERR_UNSUPPORTED_FORMAT);
}

// Through the C API with the model in a file: rate target, container checksum, model check.
TEST_F(ImageLossyTest, CApiRateTargetChecksumAndModelMismatch) {
  char dir[] = "/tmp/dc_lossy_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/m.dcw", other = std::string(dir) + "/o.dcw";
  for (const auto& [p, seed] : {std::pair<std::string, uint32_t>{path, 3}, {other, 4}}) {
    const auto bytes = nn::SerializeWeights(TinyModel(seed), nn::DType::kF16);
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  const auto px = TestImage(64, 48, 3);
  dc_content c{};
  c.kind = DC_KIND_IMAGE;
  c.format = DC_FORMAT_PNG;
  c.data = px.data();
  c.size = px.size();
  c.width = 64;
  c.height = 48;
  c.channels = 3;
  c.bit_depth = 8;
  dc_params p;
  dc_params_init(&p);
  p.codec = DC_CODEC_IMAGE_LOSSY;
  p.model_path = path.c_str();
  p.threads = 1;
  p.quality = 100;
  dc_buffer full{};
  ASSERT_EQ(dc_compress(&c, &p, &full, nullptr), DC_OK) << dc_last_error_message();
  p.quality = 0;
  p.bpp = 0.5 * (full.size * 8.0 / (64 * 48));
  dc_buffer half{};
  ASSERT_EQ(dc_compress(&c, &p, &half, nullptr), DC_OK) << dc_last_error_message();
  EXPECT_LE(half.size * 8.0 / (64 * 48), p.bpp);
  EXPECT_LT(half.size, full.size);
  dc_decoded d{};
  dc_params dp;
  dc_params_init(&dp);
  dp.model_path = path.c_str();
  ASSERT_EQ(dc_decompress(half.data, half.size, &dp, &d), DC_OK) << dc_last_error_message();
  EXPECT_EQ(d.content.width, 64u);
  EXPECT_EQ(d.content.channels, 3u);
  EXPECT_EQ(d.content.format, DC_FORMAT_PNG);
  dc_decoded_free(&d);
  std::vector<uint8_t> bad(full.data, full.data + full.size);
  bad[bad.size() / 2] ^= 1;
  EXPECT_EQ(dc_decompress(bad.data(), bad.size(), &dp, &d), DC_ERR_CHECKSUM);
  EXPECT_NE(dc_decompress(full.data, full.size - 3, &dp, &d), DC_OK);
  dp.model_path = other.c_str();
  EXPECT_EQ(dc_decompress(full.data, full.size, &dp, &d), DC_ERR_MODEL_MISMATCH);
  p.bpp = 0.0001;
  dc_buffer tiny{};
  EXPECT_EQ(dc_compress(&c, &p, &tiny, nullptr), DC_ERR_INVALID_ARGUMENT);
  dc_buffer_free(&full);
  dc_buffer_free(&half);
  std::remove(path.c_str());
  std::remove(other.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace dc::lossy
