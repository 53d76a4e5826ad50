#include "codecs/video_lossy/video_lossy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "codecs/image_lossy/test_util.h"
#include "container/container.h"
#include "nn/weights.h"

namespace dc::vlossy {
namespace {

// A textured pattern moving by `step` pixels per frame, with a little noise.
std::vector<uint8_t> Sequence(const video::Geometry& g, uint64_t frames, int step, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v;
  for (uint64_t f = 0; f < frames; ++f)
    for (int p = 0; p < 3; ++p)
      for (uint32_t y = 0; y < g.plane_height(p); ++y)
        for (uint32_t x = 0; x < g.plane_width(p); ++x) {
          const uint32_t xs = x + static_cast<uint32_t>(step * f) / (p > 0 && g.chroma == video::kChroma420 ? 2 : 1);
          int s = p == 0 ? static_cast<int>(60 + (xs * 9 + y * 5) % 120) + (((xs / 8) + (y / 8)) % 2) * 40
                         : 110 + static_cast<int>((xs + 2 * y) % 40);
          s += static_cast<int>(rng() % 3) - 1;
          v.push_back(static_cast<uint8_t>(std::clamp(s, 0, 255)));
        }
  return v;
}

lossy::LdmNet Tiny(uint32_t seed) {
  auto n = lossy::LdmNet::FromWeights(lossy::testing::TinyModel(seed));
  EXPECT_TRUE(n.ok()) << n.status().message();
  return std::move(n).value();
}

EncodeOptions Opt(int threads, uint32_t keyint) {
  EncodeOptions o;
  o.threads = threads;
  o.keyint = keyint;
  o.schedule.lambdas = {-8, -4, -2, 0, 2, 4};
  o.schedule.chunk_bits = 8;
  o.schedule.seed = 11;
  return o;
}

// Decodes frames 0..n-1 in order; their CRCs.
StatusOr<std::vector<uint32_t>> DecodeCrcs(const lossy::LdmNet& net, const video::Geometry& g,
                                           const std::vector<uint8_t>& payload, uint64_t n, uint32_t keyint,
                                           int threads) {
  ASSIGN_OR_RETURN(Stream st, ParseStream(payload.data(), payload.size(), n));
  FrameDecoder dec(&net, g, keyint, threads, payload.data(), std::move(st));
  std::vector<uint8_t> frame(g.frame_bytes());
  std::vector<uint32_t> crcs;
  for (uint64_t f = 0; f < n; ++f) {
    RETURN_IF_ERROR(dec.Decode(f, frame.data()));
    crcs.push_back(container::Crc32(frame.data(), frame.size()));
  }
  return crcs;
}

TEST(VideoLossyTest, DecoderMakesTheEncodersFramesAndThreadsDoNotChangeBytes) {
  const lossy::LdmNet net = Tiny(5);
  video::Geometry g;
  g.width = 37;  // odd sizes: padding and 4:2:0 chroma of ceil(W/2) x ceil(H/2)
  g.height = 27;
  const auto frames = Sequence(g, 5, 2, 1);
  std::vector<uint8_t> p1, p2;
  std::vector<FrameInfo> info;
  ASSERT_TRUE(EncodeVideo(net, g, frames.data(), 5, Opt(1, 3), 0, &p1, &info).ok());
  ASSERT_TRUE(EncodeVideo(net, g, frames.data(), 5, Opt(2, 3), 0, &p2, nullptr).ok());
  EXPECT_EQ(p1, p2);
  ASSERT_EQ(info.size(), 5u);
  EXPECT_TRUE(info[0].key && info[3].key);
  EXPECT_FALSE(info[1].key || info[2].key || info[4].key);
  EXPECT_EQ(info[1].weights.size(), static_cast<size_t>(info[1].steps) + 1);
  EXPECT_TRUE(info[0].weights.empty());
  for (int threads : {1, 2}) {
    auto crcs = DecodeCrcs(net, g, p1, 5, 3, threads);
    ASSERT_TRUE(crcs.ok()) << crcs.status().message();
    for (size_t f = 0; f < 5; ++f) EXPECT_EQ((*crcs)[f], info[f].recon_crc) << "frame " << f;
  }
}

TEST(VideoLossyTest, RandomAccessEqualsSequentialAnd444Works) {
  const lossy::LdmNet net = Tiny(6);
  video::Geometry g;
  g.width = 24;
  g.height = 16;
  g.chroma = video::kChroma444;
  const auto frames = Sequence(g, 6, 1, 2);
  std::vector<uint8_t> payload;
  std::vector<FrameInfo> info;
  ASSERT_TRUE(EncodeVideo(net, g, frames.data(), 6, Opt(2, 4), 0, &payload, &info).ok());
  auto st = ParseStream(payload.data(), payload.size(), 6);
  ASSERT_TRUE(st.ok());
  FrameDecoder dec(&net, g, 4, 1, payload.data(), std::move(st).value());
  std::vector<uint8_t> frame(g.frame_bytes());
  for (uint64_t f : {5, 2, 2, 0, 3, 4}) {  // backwards, repeated, across the keyframe at 4
    ASSERT_TRUE(dec.Decode(f, frame.data()).ok()) << f;
    EXPECT_EQ(container::Crc32(frame.data(), frame.size()), info[f].recon_crc) << "frame " << f;
  }
  EXPECT_EQ(dec.Decode(6, frame.data()).code(), DC_ERR_INVALID_ARGUMENT);
}

// The first `frames` frames of foreman (CIF 4:2:0 Y4M with plain FRAME lines), cropped to w x h
// at the top left.
std::vector<uint8_t> Foreman(uint32_t w, uint32_t h, uint64_t frames) {
  std::ifstream f(DC_SHARED_DATA "/video/foreman_cif_30f.y4m", std::ios::binary);
  std::string header;
  std::getline(f, header);
  EXPECT_EQ(header.rfind("YUV4MPEG2 W352 H288", 0), 0u);
  const uint32_t W = 352, H = 288;
  std::vector<uint8_t> in(W * H * 3 / 2), out;
  for (uint64_t i = 0; i < frames; ++i) {
    char tag[6];
    f.read(tag, 6);
    f.read(reinterpret_cast<char*>(in.data()), static_cast<std::streamsize>(in.size()));
    EXPECT_TRUE(f.good() && std::string(tag, 6) == "FRAME\n");
    const uint8_t* planes[3] = {in.data(), in.data() + W * H, in.data() + W * H * 5 / 4};
    for (int p = 0; p < 3; ++p) {
      const uint32_t s = p ? 2 : 1;
      for (uint32_t y = 0; y < h / s; ++y)
        out.insert(out.end(), planes[p] + y * (W / s), planes[p] + y * (W / s) + w / s);
    }
  }
  return out;
}

// With the shipped model on real frames: predicted frames cost less than the keyframe (the
// conditioned prior predicts them; most of what remains at full quality is the finest steps'
// detail, which the previous reconstruction does not hold), far less at a lower quality.
TEST(VideoLossyTest, ShippedModelPredictedFramesAreCheaper) {
  auto wf = nn::LoadWeights(std::string(DC_SOURCE_DIR) + "/models/image-lossy-ldm1.dcw");
  ASSERT_TRUE(wf.ok()) << wf.status().message();
  auto net = lossy::LdmNet::FromWeights(*wf);
  ASSERT_TRUE(net.ok());
  video::Geometry g;
  g.width = 160;
  g.height = 128;
  const auto frames = Foreman(g.width, g.height, 3);
  ASSERT_EQ(frames.size(), 3 * g.frame_bytes());
  EncodeOptions o;
  o.threads = 2;
  o.keyint = 30;
  for (int steps : {12, 8}) {
    o.max_steps = steps;
    std::vector<uint8_t> payload;
    std::vector<FrameInfo> info;
    ASSERT_TRUE(EncodeVideo(*net, g, frames.data(), 3, o, 0, &payload, &info).ok());
    SCOPED_TRACE("steps " + std::to_string(steps));
    const double limit = steps == 12 ? 0.8 : 0.65;
    EXPECT_LT(info[1].bytes, limit * info[0].bytes);
    EXPECT_LT(info[2].bytes, limit * info[0].bytes);
    auto crcs = DecodeCrcs(*net, g, payload, 3, 30, 1);
    ASSERT_TRUE(crcs.ok());
    for (size_t f = 0; f < 3; ++f) EXPECT_EQ((*crcs)[f], info[f].recon_crc);
  }
}

TEST(VideoLossyTest, RateControlKeepsTheAverage) {
  auto wf = nn::LoadWeights(std::string(DC_SOURCE_DIR) + "/models/image-lossy-ldm1.dcw");
  ASSERT_TRUE(wf.ok());
  auto net = lossy::LdmNet::FromWeights(*wf);
  ASSERT_TRUE(net.ok());
  video::Geometry g;
  g.width = 64;
  g.height = 48;
  const auto frames = Sequence(g, 6, 2, 4);
  for (double bpp : {0.3, 1.0}) {
    EncodeOptions o;
    o.threads = 2;
    o.keyint = 3;
    o.bpp = bpp;
    std::vector<uint8_t> payload;
    ASSERT_TRUE(EncodeVideo(*net, g, frames.data(), 6, o, 40, &payload, nullptr).ok());
    EXPECT_LE(payload.size() + 40, bpp * 64 * 48 * 6 / 8) << bpp;
    EXPECT_GE(payload.size() + 40, 0.5 * bpp * 64 * 48 * 6 / 8) << bpp;
  }
}

TEST(VideoLossyTest, DamagedDataIsAnErrorNeverACrash) {
  const lossy::LdmNet net = Tiny(7);
  video::Geometry g;
  g.width = 16;
  g.height = 16;
  const auto frames = Sequence(g, 3, 1, 5);
  std::vector<uint8_t> payload;
  ASSERT_TRUE(EncodeVideo(net, g, frames.data(), 3, Opt(1, 30), 0, &payload, nullptr).ok());
  // Truncation anywhere: the index or the frame data no longer fit.
  for (size_t cut = 0; cut < payload.size(); cut += 7) {
    std::vector<uint8_t> t(payload.begin(), payload.begin() + cut);
    EXPECT_FALSE(ParseStream(t.data(), t.size(), 3).ok()) << cut;
  }
  // Any flipped byte of a frame's data fails its checksum before it is decoded.
  auto st = ParseStream(payload.data(), payload.size(), 3);
  ASSERT_TRUE(st.ok());
  const size_t off = st->index[1].offset;
  std::vector<uint8_t> bad = payload;
  bad[off] ^= 0x40;
  auto crcs = DecodeCrcs(net, g, bad, 3, 30, 1);
  EXPECT_EQ(crcs.status().code(), DC_ERR_CHECKSUM);
  // Inconsistent frame headers (checksum not involved): a weight above 64, a bad motion mode.
  const Start start = MakeStart(net, g, st->schedule, 1);
  const std::vector<uint8_t> w65 = {2, 65, 0};  // header of 2 bytes: w0 = 65, no motion
  auto s = DecodeFrame(net, g, st->schedule, start, w65.data(), w65.size(), frames.data(), 1, bad.data());
  EXPECT_EQ(s.code(), DC_ERR_CORRUPT);
  const std::vector<uint8_t> mode2 = {2, 10, 2};
  EXPECT_EQ(DecodeFrame(net, g, st->schedule, start, mode2.data(), mode2.size(), frames.data(), 1, bad.data()).code(),
            DC_ERR_CORRUPT);
  const std::vector<uint8_t> keyhead = {1, 0};  // a keyframe with a header byte
  EXPECT_EQ(DecodeFrame(net, g, st->schedule, start, keyhead.data(), keyhead.size(), nullptr, 1, bad.data()).code(),
            DC_ERR_CORRUPT);
}

TEST(VideoLossyTest, MotionFieldRoundTripsAndWeightsAreLeastSquares) {
  video::Geometry g;
  g.width = 70;
  g.height = 40;
  video::MotionField m;
  m.cols = 5;
  m.rows = 3;
  std::mt19937 rng(9);
  for (int i = 0; i < 15; ++i) {
    m.dx.push_back(static_cast<int8_t>(static_cast<int>(rng() % 15) - 7));
    m.dy.push_back(static_cast<int8_t>(i % 3 ? 0 : static_cast<int>(rng() % 15) - 7));
  }
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(WriteMotion(m, &bytes).ok());
  video::MotionField back;
  ASSERT_TRUE(ReadMotion(bytes.data(), bytes.size(), g, &back).ok());
  EXPECT_EQ(back.dx, m.dx);
  EXPECT_EQ(back.dy, m.dy);
  EXPECT_FALSE(ReadMotion(bytes.data(), bytes.size() - 1, g, &back).ok());
  // z = d + 0.25 (r - d) exactly: the best weight is 16 of 64; r == d: any (64).
  const std::vector<float> d = {0, 1, 2, -1}, r = {4, -3, 2, 3};
  std::vector<float> z(4), out(4);
  for (int i = 0; i < 4; ++i) z[i] = d[i] + 0.25f * (r[i] - d[i]);
  EXPECT_EQ(BestWeight(d.data(), r.data(), z.data(), 4), 16);
  EXPECT_EQ(BestWeight(d.data(), d.data(), z.data(), 4), kWeightOne);
  Blend(d.data(), r.data(), 16, 4, out.data());
  EXPECT_EQ(out, z);
}

}  // namespace
}  // namespace dc::vlossy
