#include "codecs/video_lossless/video_lossless.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <tuple>
#include <random>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/test_util.h"
#include "common/sha256.h"
#include "container/container.h"

namespace dc::video {
namespace {

adm::AdmNet VideoNet(uint32_t seed) {
  auto n = adm::AdmNet::FromWeights(
      adm::testing::RandomWeights(seed, 8, 1, 1, 3, adm::kPrevTrunkInputs, adm::kPrevHeadInputs));
  EXPECT_TRUE(n.ok()) << n.status().message();
  return std::move(n).value();
}

// A moving pattern with noise: frame f is frame 0 shifted by f pixels, each with its own noise.
std::vector<uint8_t> Sequence(const Geometry& g, uint64_t frames, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v;
  for (uint64_t f = 0; f < frames; ++f)
    for (int p = 0; p < 3; ++p)
      for (uint32_t y = 0; y < g.plane_height(p); ++y)
        for (uint32_t x = 0; x < g.plane_width(p); ++x) {
          int s = static_cast<int>(((x + f) * 5 + y * 3 + p * 60) % 256);
          if (((x + f) / 6 + y / 4) % 3 == 0) s = 255 - s;
          s += static_cast<int>(rng() % 5) - 2;
          v.push_back(static_cast<uint8_t>(std::clamp(s, 0, 255)));
        }
  return v;
}

adm::CodecOptions Opt(int threads, uint32_t tile) {
  adm::CodecOptions o;
  o.threads = threads;
  o.tile_size = tile;
  // Video-lossless codes the image codec's revision 1 core; where a test compares with the image
  // codec (ZeroExtraWeightsCodeLikeTheImageCodec), that codec must use revision 1 too.
  o.revision = adm::kRevision1;
  return o;
}

std::vector<uint8_t> DecodeAll(const adm::AdmNet& net, const Geometry& g, const std::vector<uint8_t>& payload,
                               uint64_t frames, uint32_t keyint, int threads, uint32_t tile, Status* st) {
  auto idx = ParseIndex(payload.data(), payload.size(), frames);
  if (!idx.ok()) {
    *st = idx.status();
    return {};
  }
  FrameDecoder dec(&net, g, keyint, Opt(threads, tile), payload.data(), std::move(idx).value());
  std::vector<uint8_t> out(g.frame_bytes() * frames);
  for (uint64_t f = 0; f < frames; ++f) {
    *st = dec.Decode(f, out.data() + f * g.frame_bytes());
    if (!st->ok()) return {};
  }
  return out;
}

TEST(VideoLossless, RoundTripsAcrossThreadsChromaAndOddSizes) {
  const adm::AdmNet net = VideoNet(3);
  for (const uint8_t chroma : {kChroma420, kChroma444}) {
    Geometry g;
    g.width = 45;
    g.height = 37;
    g.chroma = chroma;
    const uint64_t n = 5;
    const auto seq = Sequence(g, n, 1);
    std::vector<uint8_t> p2, p1;
    ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, 2, Opt(2, 16), &p2, nullptr, nullptr).ok());
    ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, 2, Opt(1, 16), &p1, nullptr, nullptr).ok());
    EXPECT_EQ(p1, p2) << "thread count changed the bytes";
    Status st;
    EXPECT_EQ(DecodeAll(net, g, p2, n, 2, 1, 16, &st), seq) << st.message();
    EXPECT_EQ(DecodeAll(net, g, p2, n, 2, 3, 16, &st), seq) << st.message();
  }
}

TEST(VideoLossless, RandomAccessFromTheKeyframeBefore) {
  const adm::AdmNet net = VideoNet(4);
  Geometry g;
  g.width = 40;
  g.height = 24;
  const uint64_t n = 7;
  const uint32_t keyint = 3;
  const auto seq = Sequence(g, n, 2);
  std::vector<uint8_t> payload;
  std::vector<uint64_t> sizes;
  ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, keyint, Opt(2, 32), &payload, nullptr, &sizes).ok());
  ASSERT_EQ(sizes.size(), n);
  auto idx = ParseIndex(payload.data(), payload.size(), n);
  ASSERT_TRUE(idx.ok());
  FrameDecoder dec(&net, g, keyint, Opt(2, 32), payload.data(), std::move(idx).value());
  const size_t fb = g.frame_bytes();
  std::vector<uint8_t> out(fb);
  // Frame 5: keyframe 3, then 4, then 5 (three network decodes).
  ASSERT_TRUE(dec.Decode(5, out.data()).ok());
  EXPECT_EQ(dec.frames_decoded(), 3u);
  EXPECT_EQ(0, std::memcmp(out.data(), seq.data() + 5 * fb, fb));
  ASSERT_TRUE(dec.Decode(6, out.data()).ok());  // the next frame: one decode
  EXPECT_EQ(dec.frames_decoded(), 4u);
  EXPECT_EQ(0, std::memcmp(out.data(), seq.data() + 6 * fb, fb));
  ASSERT_TRUE(dec.Decode(1, out.data()).ok());  // backwards: from keyframe 0
  EXPECT_EQ(dec.frames_decoded(), 6u);
  EXPECT_EQ(0, std::memcmp(out.data(), seq.data() + 1 * fb, fb));
  EXPECT_FALSE(dec.Decode(7, out.data()).ok());
}

TEST(VideoLossless, PreviousFrameConditionsTheModel) {
  // The conditioning path is wired: a P frame's NLL depends on the previous frame's content
  // (another previous frame, or none, changes it). A random model need not make it cheaper.
  const adm::AdmNet net = VideoNet(5);
  Geometry g;
  g.width = 32;
  g.height = 32;
  const auto seq = Sequence(g, 2, 3);
  const size_t fb = g.frame_bytes();
  std::vector<uint8_t> other(seq.begin() + fb, seq.end());
  std::reverse(other.begin(), other.end());
  FrameStats a, b, k;
  std::vector<uint8_t> out;
  ASSERT_TRUE(EncodeFrame(net, g, seq.data() + fb, seq.data(), Opt(1, 32), &out, &a).ok());
  ASSERT_TRUE(EncodeFrame(net, g, seq.data() + fb, other.data(), Opt(1, 32), &out, &b).ok());
  ASSERT_TRUE(EncodeFrame(net, g, seq.data() + fb, nullptr, Opt(1, 32), &out, &k).ok());
  EXPECT_NE(a.model_nll_bits, b.model_nll_bits);
  EXPECT_NE(a.model_nll_bits, k.model_nll_bits);
}

// With the extra input weights at zero, the video network is the image network: every frame's
// tile streams are exactly the image codec's streams of the Y, U and V planes coded as gray
// images. (This is how training starts: from the shipped image model.)
TEST(VideoLossless, ZeroExtraWeightsCodeLikeTheImageCodec) {
  auto img_w = adm::testing::RandomWeights(9);
  auto vid_w = img_w;
  adm::NetConfig cfg = adm::NetConfig::FromJson(img_w.config_json).value();
  cfg.extra_trunk_inputs = adm::kPrevTrunkInputs;
  cfg.extra_head_inputs = adm::kPrevHeadInputs;
  vid_w.config_json = cfg.ToJson();
  for (const auto& [name, extra, base] : {std::tuple<const char*, int, int>{"trunk_in_w", adm::kPrevTrunkInputs, adm::kTrunkInputs},
                                          {"head_in_w", adm::kPrevHeadInputs, adm::kHeadInputs}}) {
    const nn::Tensor& src = img_w.tensors[name];
    nn::Tensor t;
    const int64_t out = src.shape[0], in = base + extra;
    t.shape = {out, in, 3, 3};
    t.data.assign(static_cast<size_t>(out * in * 9), 0.0f);
    for (int64_t o = 0; o < out; ++o)
      for (int64_t i = 0; i < base * 9; ++i) t.data[o * in * 9 + i] = src.data[o * base * 9 + i];
    vid_w.tensors[name] = t;
  }
  const adm::AdmNet inet = adm::AdmNet::FromWeights(img_w).value();
  const adm::AdmNet vnet = adm::AdmNet::FromWeights(vid_w).value();
  Geometry g;
  g.width = 50;
  g.height = 34;
  const auto seq = Sequence(g, 2, 4);
  const size_t fb = g.frame_bytes();
  std::vector<uint8_t> expect;
  size_t off = 0;
  for (int p = 0; p < 3; ++p) {  // every plane has several 16-pixel tiles: each carries its length
    std::vector<uint8_t> pl;
    ASSERT_TRUE(adm::EncodeImage(inet, {seq.data() + fb + off, g.plane_width(p), g.plane_height(p), 1}, Opt(1, 16), &pl, nullptr).ok());
    expect.insert(expect.end(), pl.begin(), pl.end());
    off += g.plane_bytes(p);
  }
  for (const uint8_t* prev : {static_cast<const uint8_t*>(nullptr), seq.data()}) {
    std::vector<uint8_t> got;
    ASSERT_TRUE(EncodeFrame(vnet, g, seq.data() + fb, prev, Opt(2, 16), &got, nullptr).ok());
    // A P frame starts with its motion field (mode byte, one byte per 16x16 block: 4 x 3 here).
    const size_t motion = prev ? 1 + 4 * 3 : 0;
    ASSERT_EQ(got.size(), expect.size() + motion) << (prev ? "P frame" : "keyframe");
    if (prev) {
      EXPECT_EQ(got[0], 1) << "the sequence moves: a motion field is coded";
    }
    EXPECT_EQ(std::vector<uint8_t>(got.begin() + motion, got.end()), expect) << (prev ? "P frame" : "keyframe");
  }
}

TEST(VideoLossless, MotionSearchFindsAShiftAndCompensationUndoesIt) {
  Geometry g;
  g.width = 64;
  g.height = 48;
  std::mt19937 rng(8);
  std::vector<uint8_t> prev(g.frame_bytes()), cur(g.frame_bytes());
  for (auto& v : prev) v = static_cast<uint8_t>(rng());
  // cur(y, x) = prev(y - 2, x + 3) in every plane (chroma: the halved vector, (1, -1)).
  size_t off = 0;
  for (int p = 0; p < 3; ++p) {
    const int W = static_cast<int>(g.plane_width(p)), H = static_cast<int>(g.plane_height(p));
    const int sx = p ? 1 : 3, sy = p ? -1 : -2;
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x)
        cur[off + y * W + x] = prev[off + std::clamp(y + sy, 0, H - 1) * W + std::clamp(x + sx, 0, W - 1)];
    off += g.plane_bytes(p);
  }
  const MotionField m = EstimateMotion(g, cur.data(), prev.data());
  ASSERT_EQ(m.dx.size(), 4u * 3u);
  for (size_t b = 0; b < m.dx.size(); ++b) {
    EXPECT_EQ(m.dx[b], 3) << b;
    EXPECT_EQ(m.dy[b], -2) << b;
  }
  std::vector<uint8_t> moved(g.frame_bytes());
  Compensate(g, prev.data(), m, moved.data());
  EXPECT_EQ(moved, cur);
}

TEST(VideoLossless, DamagedPayloadsFailCleanly) {
  const adm::AdmNet net = VideoNet(6);
  Geometry g;
  g.width = 24;
  g.height = 20;
  const uint64_t n = 3;
  const auto seq = Sequence(g, n, 5);
  std::vector<uint8_t> payload;
  ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, 30, Opt(1, 16), &payload, nullptr, nullptr).ok());
  Status st;
  for (size_t cut : {size_t{0}, size_t{3}, payload.size() / 2, payload.size() - 1}) {
    std::vector<uint8_t> t(payload.begin(), payload.begin() + cut);
    EXPECT_TRUE(DecodeAll(net, g, t, n, 30, 1, 16, &st).empty()) << cut;
    EXPECT_FALSE(st.ok());
  }
  std::vector<uint8_t> longer = payload;
  longer.push_back(0);
  EXPECT_EQ(ParseIndex(longer.data(), longer.size(), n).status().code(), DC_ERR_CORRUPT);
  int failed = 0;
  for (size_t i = 15; i < payload.size(); i += 7) {  // frame data (after the 15-byte index)
    std::vector<uint8_t> d = payload;
    d[i] ^= 0x5A;
    const auto out = DecodeAll(net, g, d, n, 30, 2, 16, &st);
    if (!st.ok()) ++failed;
    else EXPECT_EQ(out, seq) << "a damaged file decoded to other frames without an error, byte " << i;
  }
  EXPECT_GT(failed, 0);
  // The wrong network: refused (not a video model) or a desync caught by the stream end checks.
  auto img = adm::AdmNet::FromWeights(adm::testing::RandomWeights(6)).value();
  std::vector<uint8_t> out(g.frame_bytes());
  EXPECT_EQ(DecodeFrame(img, g, payload.data() + 15, payload.size() - 15, nullptr, Opt(1, 16), out.data()).code(),
            DC_ERR_MODEL_MISMATCH);
}

// Golden value: the SHA-256 of the payload of a fixed model and sequence. It changes only when
// the bitstream changes (then docs/codecs/video-lossless.md and the format version must too).
TEST(Determinism, GoldenVideoBitstream) {
  const adm::AdmNet net = VideoNet(7);
  Geometry g;
  g.width = 33;
  g.height = 21;
  const auto seq = Sequence(g, 4, 6);
  std::vector<uint8_t> payload;
  ASSERT_TRUE(EncodeVideo(net, g, seq.data(), 4, 3, Opt(2, 16), &payload, nullptr, nullptr).ok());
  const auto d = Sha256Of(payload.data(), payload.size());
  EXPECT_EQ(ToHex(d.data(), 8), "93b63946b71cbd8e") << "payload size " << payload.size();
}

}  // namespace
}  // namespace dc::video
