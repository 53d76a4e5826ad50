// Video-lossless revision 2 (docs/codecs/video-lossless.md, "Revision 2"): round trips, thread
// independence, revision 1 still decoding, copied tiles, quarter-pixel motion, damaged payloads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "codecs/image_lossless/test_util.h"
#include "codecs/video_lossless/video_lossless.h"
#include "codecs/video_lossless/video_lossless_common.h"
#include "common/sha256.h"

namespace dc::video {
namespace {

adm::AdmNet VideoNet(uint32_t seed) {
  auto n = adm::AdmNet::FromWeights(
      adm::testing::RandomWeights(seed, 8, 1, 1, 3, adm::kPrevTrunkInputs, adm::kPrevHeadInputs));
  EXPECT_TRUE(n.ok()) << n.status().message();
  return std::move(n).value();
}

adm::CodecOptions Opt(int revision, int threads, uint32_t tile) {
  adm::CodecOptions o;
  o.threads = threads;
  o.tile_size = tile;
  o.revision = revision;
  return o;
}

// Screen-like content: flat areas and a few colours, a box that moves by `step` pixels per
// frame, frames `hold` and `hold + 1` equal (a static moment), and a little noise in one corner.
std::vector<uint8_t> Screen(const Geometry& g, uint64_t frames, int step, uint64_t hold, uint32_t seed) {
  std::vector<uint8_t> v;
  for (uint64_t f = 0; f < frames; ++f) {
    const uint64_t t = f > hold ? f - 1 : f;  // frame hold + 1 repeats frame hold
    std::mt19937 rng(seed * 1000 + static_cast<uint32_t>(t));
    for (int p = 0; p < 3; ++p) {
      const uint32_t W = g.plane_width(p), H = g.plane_height(p), s = p ? (g.chroma == kChroma420 ? 2 : 1) : 1;
      for (uint32_t y = 0; y < H; ++y)
        for (uint32_t x = 0; x < W; ++x) {
          int val = ((x * s / 8 + y * s / 8) % 3) * 60 + 40 + p * 10;
          const uint32_t bx = static_cast<uint32_t>(4 + step * t) / s;
          if (x >= bx && x < bx + 10 / s && y >= 6 / s && y < 16 / s) val = 230 - p * 20;
          if (x < 6 && y < 5) val = static_cast<int>(rng() % 256);
          v.push_back(static_cast<uint8_t>(val));
        }
    }
  }
  return v;
}

// Natural-like content: a smooth pattern moving by 1 pixel per frame, with noise.
std::vector<uint8_t> Natural(const Geometry& g, uint64_t frames, uint32_t seed) {
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

std::vector<uint8_t> DecodeAll(const adm::AdmNet& net, const Geometry& g, const std::vector<uint8_t>& payload,
                               uint64_t frames, uint32_t keyint, const adm::CodecOptions& o, Status* st) {
  auto idx = ParseIndex(payload.data(), payload.size(), frames);
  if (!idx.ok()) {
    *st = idx.status();
    return {};
  }
  FrameDecoder dec(&net, g, keyint, o, payload.data(), std::move(idx).value());
  std::vector<uint8_t> out(g.frame_bytes() * frames);
  for (uint64_t f = 0; f < frames; ++f) {
    *st = dec.Decode(f, out.data() + f * g.frame_bytes());
    if (!st->ok()) return {};
  }
  return out;
}

TEST(VideoLosslessRev2, RoundTripsExactlyAndThreadsNeverChangeTheBytes) {
  const adm::AdmNet net = VideoNet(11);
  for (const uint8_t chroma : {kChroma420, kChroma444}) {
    for (int content = 0; content < 2; ++content) {
      Geometry g;
      g.width = 45;
      g.height = 37;
      g.chroma = chroma;
      const uint64_t n = 7;
      const uint32_t keyint = 4;
      const auto seq = content ? Natural(g, n, 1) : Screen(g, n, 3, 2, 1);
      std::vector<uint8_t> p1, p2, p3;
      ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, keyint, Opt(2, 1, 16), &p1, nullptr, nullptr).ok());
      ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, keyint, Opt(2, 2, 16), &p2, nullptr, nullptr).ok());
      ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, keyint, Opt(2, 3, 16), &p3, nullptr, nullptr).ok());
      EXPECT_EQ(p1, p2) << "thread count changed the bytes";
      EXPECT_EQ(p1, p3) << "thread count changed the bytes";
      Status st;
      for (int threads : {1, 2, 4}) {
        EXPECT_EQ(DecodeAll(net, g, p1, n, keyint, Opt(2, threads, 16), &st), seq) << st.message();
      }
      // A larger tile (one tile per plane) too.
      std::vector<uint8_t> big;
      ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, keyint, Opt(2, 2, 64), &big, nullptr, nullptr).ok());
      EXPECT_EQ(DecodeAll(net, g, big, n, keyint, Opt(2, 1, 64), &st), seq) << st.message();
    }
  }
}

TEST(VideoLosslessRev2, RevisionOneStillRoundTripsAndDiffers) {
  const adm::AdmNet net = VideoNet(12);
  Geometry g;
  g.width = 40;
  g.height = 24;
  const uint64_t n = 4;
  const auto seq = Screen(g, n, 2, 1, 2);
  std::vector<uint8_t> r1, r2;
  ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, 30, Opt(1, 2, 16), &r1, nullptr, nullptr).ok());
  ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, 30, Opt(2, 2, 16), &r2, nullptr, nullptr).ok());
  EXPECT_NE(r1, r2);
  EXPECT_LT(r2.size(), r1.size()) << "screen content: revision 2 should be much smaller";
  Status st;
  EXPECT_EQ(DecodeAll(net, g, r1, n, 30, Opt(1, 2, 16), &st), seq) << st.message();
  EXPECT_EQ(DecodeAll(net, g, r2, n, 30, Opt(2, 2, 16), &st), seq) << st.message();
  // Read as the other revision, neither decodes to the frames.
  const auto wrong = DecodeAll(net, g, r1, n, 30, Opt(2, 1, 16), &st);
  EXPECT_TRUE(!st.ok() || wrong != seq);
  EXPECT_EQ(DecodeAll(net, g, r1, n, 30, Opt(3, 1, 16), &st).size(), 0u);
  EXPECT_EQ(st.code(), DC_ERR_UNSUPPORTED_VERSION);
}

TEST(VideoLosslessRev2, RepeatedFramesAndTilesAreNearlyFree) {
  const adm::AdmNet net = VideoNet(13);
  Geometry g;
  g.width = 64;
  g.height = 48;
  const size_t fb = g.frame_bytes();
  auto seq = Natural(g, 1, 3);
  seq.insert(seq.end(), seq.begin(), seq.end());  // frame 1 = frame 0
  // Frame 2 = frame 1 with one pixel of the bottom-right luma tile changed.
  seq.insert(seq.end(), seq.begin(), seq.begin() + static_cast<long>(fb));
  seq[2 * fb + 40 * 64 + 50] ^= 0x40;
  std::vector<uint8_t> payload;
  std::vector<uint64_t> sizes;
  ASSERT_TRUE(EncodeVideo(net, g, seq.data(), 3, 30, Opt(2, 2, 32), &payload, nullptr, &sizes).ok());
  const size_t tiles = FrameTiles(g, 32).size();  // 2 x 2 luma, 1 + 1 chroma
  ASSERT_EQ(tiles, 6u);
  EXPECT_EQ(sizes[1], 1 + tiles) << "a repeated frame: motion mode 0 and six empty tiles";
  EXPECT_LT(sizes[2], sizes[0] / 4) << "one tile coded, five copied";
  Status st;
  EXPECT_EQ(DecodeAll(net, g, payload, 3, 30, Opt(2, 2, 32), &st), seq) << st.message();
}

TEST(VideoLosslessRev2, RandomAccessResetsTheCarriedModels) {
  const adm::AdmNet net = VideoNet(14);
  Geometry g;
  g.width = 40;
  g.height = 24;
  const uint64_t n = 7;
  const uint32_t keyint = 3;
  const auto seq = Natural(g, n, 4);
  std::vector<uint8_t> payload;
  ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, keyint, Opt(2, 2, 16), &payload, nullptr, nullptr).ok());
  auto idx = ParseIndex(payload.data(), payload.size(), n);
  ASSERT_TRUE(idx.ok());
  FrameDecoder dec(&net, g, keyint, Opt(2, 2, 16), payload.data(), std::move(idx).value());
  const size_t fb = g.frame_bytes();
  std::vector<uint8_t> out(fb);
  for (const uint64_t i : {5u, 6u, 1u, 2u, 4u, 0u, 5u}) {
    ASSERT_TRUE(dec.Decode(i, out.data()).ok()) << i;
    EXPECT_EQ(0, std::memcmp(out.data(), seq.data() + i * fb, fb)) << i;
  }
}

TEST(VideoLosslessRev2, QuarterPixelMotionIsFoundAndCompensatedExactly) {
  Geometry g;
  g.width = 64;
  g.height = 48;
  std::mt19937 rng(8);
  std::vector<uint8_t> prev(g.frame_bytes());
  for (auto& v : prev) v = static_cast<uint8_t>(rng() % 64 + 96);
  // Luma vector (2.25, -1.5): cur(y, x) = the blend of prev around (y - 1.5, x + 2.25), as
  // Compensate forms it; the encoder's search must find it (zero residual).
  MotionField m;
  m.cols = 4;
  m.rows = 3;
  m.dx.assign(12, 2);
  m.dy.assign(12, -2);
  m.fx.assign(12, 1);
  m.fy.assign(12, 2);
  for (const uint8_t filter : {0, 1}) {  // bilinear, 8-tap
    m.filter.assign(12, filter);
    std::vector<uint8_t> cur(g.frame_bytes());
    Compensate(g, prev.data(), m, cur.data());
    const MotionField e = EstimateMotion(g, cur.data(), prev.data(), true);
    ASSERT_TRUE(e.sub());
    // Interior blocks (their references stay inside the frame) find the vector and the filter.
    const size_t b = 1 * 4 + 1;
    EXPECT_EQ(e.dx[b], 2);
    EXPECT_EQ(e.dy[b], -2);
    EXPECT_EQ(e.fx[b], 1);
    EXPECT_EQ(e.fy[b], 2);
    EXPECT_EQ(e.filter[b], filter);
    std::vector<uint8_t> again(g.frame_bytes());
    Compensate(g, prev.data(), e, again.data());
    size_t y0 = 16, same = 0;
    for (size_t y = y0; y < 32; ++y)
      for (size_t x = 16; x < 32; ++x) same += again[y * 64 + x] == cur[y * 64 + x];
    EXPECT_EQ(same, 256u) << "block (1, 1) compensated exactly";
  }
  std::vector<uint8_t> cur(g.frame_bytes());
  Compensate(g, prev.data(), m, cur.data());
  // Without the fractional search the field is integer (revision 1's search).
  EXPECT_FALSE(EstimateMotion(g, cur.data(), prev.data()).sub());
}

TEST(VideoLosslessRev2, DamagedPayloadsFailCleanly) {
  const adm::AdmNet net = VideoNet(15);
  Geometry g;
  g.width = 24;
  g.height = 20;
  const uint64_t n = 4;
  const auto seq = Natural(g, n, 5);
  std::vector<uint8_t> payload;
  ASSERT_TRUE(EncodeVideo(net, g, seq.data(), n, 30, Opt(2, 1, 16), &payload, nullptr, nullptr).ok());
  Status st;
  for (size_t cut : {size_t{0}, size_t{3}, payload.size() / 2, payload.size() - 1}) {
    std::vector<uint8_t> t(payload.begin(), payload.begin() + static_cast<long>(cut));
    EXPECT_TRUE(DecodeAll(net, g, t, n, 30, Opt(2, 1, 16), &st).empty()) << cut;
    EXPECT_FALSE(st.ok());
  }
  int failed = 0;
  const size_t index = ParseIndex(payload.data(), payload.size(), n).value()[0].offset;
  for (size_t i = index; i < payload.size(); i += 5) {
    std::vector<uint8_t> d = payload;
    d[i] ^= 0x5A;
    const auto out = DecodeAll(net, g, d, n, 30, Opt(2, 2, 16), &st);
    if (!st.ok()) ++failed;
    else EXPECT_EQ(out, seq) << "a damaged file decoded to other frames without an error, byte " << i;
  }
  EXPECT_GT(failed, 0);
  // An empty tile stream in a keyframe (nothing to copy) is corrupt.
  std::vector<uint8_t> key;
  ASSERT_TRUE(EncodeFrame(net, g, seq.data(), nullptr, Opt(2, 1, 16), &key, nullptr).ok());
  key[0] = 0;  // the first tile's length
  std::vector<uint8_t> out(g.frame_bytes());
  EXPECT_EQ(DecodeFrame(net, g, key.data(), key.size(), nullptr, Opt(2, 1, 16), out.data()).code(), DC_ERR_CORRUPT);
  // Motion mode 2 does not exist in revision 1.
  std::vector<uint8_t> pf;
  ASSERT_TRUE(EncodeFrame(net, g, seq.data() + g.frame_bytes(), seq.data(), Opt(1, 1, 16), &pf, nullptr).ok());
  pf[0] = 2;
  EXPECT_EQ(DecodeFrame(net, g, pf.data(), pf.size(), seq.data(), Opt(1, 1, 16), out.data()).code(), DC_ERR_CORRUPT);
  pf[0] = 3;
  EXPECT_EQ(DecodeFrame(net, g, pf.data(), pf.size(), seq.data(), Opt(2, 1, 16), out.data()).code(), DC_ERR_CORRUPT);
}

// Golden value of revision 2: the SHA-256 of the payload of a fixed model and sequence. It
// changes only when the bitstream changes (then a new revision is needed: docs/format.md).
TEST(Determinism, GoldenVideoBitstreamRevision2) {
  const adm::AdmNet net = VideoNet(7);
  Geometry g;
  g.width = 33;
  g.height = 21;
  const auto seq = Natural(g, 5, 6);
  std::vector<uint8_t> payload;
  ASSERT_TRUE(EncodeVideo(net, g, seq.data(), 5, 4, Opt(2, 2, 16), &payload, nullptr, nullptr).ok());
  const auto d = Sha256Of(payload.data(), payload.size());
  EXPECT_EQ(ToHex(d.data(), 8), "1701e8b4ded79df9") << "payload size " << payload.size();
}

// The same with sub-pixel motion (both filters): frames made by moving the previous one by
// quarter-pixel vectors, so the coded fields carry fractions and filter flags.
TEST(Determinism, GoldenVideoBitstreamRevision2SubPixel) {
  const adm::AdmNet net = VideoNet(7);
  Geometry g;
  g.width = 48;
  g.height = 32;
  auto seq = Natural(g, 1, 9);
  const size_t fb = g.frame_bytes();
  for (int f = 1; f < 4; ++f) {
    MotionField m;
    m.cols = 3;
    m.rows = 2;
    m.dx = {1, 1, 0, -1, 0, 1};
    m.dy = {0, -1, 0, 1, 0, 0};
    m.fx = {1, 2, 3, 0, 2, 1};
    m.fy = {2, 0, 1, 3, 2, 0};
    m.filter.assign(6, static_cast<uint8_t>(f % 2));
    m.filter[2] = 1;
    std::vector<uint8_t> next(fb);
    Compensate(g, seq.data() + (f - 1) * fb, m, next.data());
    seq.insert(seq.end(), next.begin(), next.end());
  }
  const MotionField e = EstimateMotion(g, seq.data() + fb, seq.data(), true);  // frame 1's field
  EXPECT_EQ(e.fx[2], 3);
  EXPECT_EQ(e.filter[2], 1);
  std::vector<uint8_t> payload;
  ASSERT_TRUE(EncodeVideo(net, g, seq.data(), 4, 30, Opt(2, 2, 16), &payload, nullptr, nullptr).ok());
  Status st;
  EXPECT_EQ(DecodeAll(net, g, payload, 4, 30, Opt(2, 1, 16), &st), seq) << st.message();
  const auto d = Sha256Of(payload.data(), payload.size());
  EXPECT_EQ(ToHex(d.data(), 8), "c189d3b6bdd2091e") << "payload size " << payload.size();
}

}  // namespace
}  // namespace dc::video
