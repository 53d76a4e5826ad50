// Revision 2 of image-lossless (the neighbour colour model, match_model.h): round trips on
// graphics-like content, thread and tile invariance, revision 1 still coded and decoded,
// damaged payloads, and the fixed-point helpers.
#include <gtest/gtest.h>

#include <random>

#include "codecs/image_lossless/image_lossless.h"
#include "codecs/image_lossless/match_model.h"
#include "codecs/image_lossless/mixture.h"
#include "codecs/image_lossless/test_util.h"
#include "common/sha256.h"

namespace dc::adm {
namespace {

AdmNet Net(uint32_t seed) {
  auto n = AdmNet::FromWeights(testing::RandomWeights(seed));
  EXPECT_TRUE(n.ok()) << n.status().message();
  return std::move(n).value();
}

struct Img {
  uint32_t w, h, c;
  std::vector<uint8_t> px;
};

// Graphics-like test images: flat, a few-colour palette in blocks, "text" (a random 5x7 glyph
// set stamped on a line grid), noise, and a gradient.
Img Make(int kind, uint32_t w, uint32_t h, uint32_t c, uint32_t seed) {
  std::mt19937 rng(seed);
  Img m{w, h, c, std::vector<uint8_t>(static_cast<size_t>(w) * h * c)};
  uint8_t glyphs[8][7];
  for (auto& g : glyphs)
    for (auto& row : g) row = static_cast<uint8_t>(rng() & 31);
  const uint8_t palette[4][4] = {{255, 255, 255, 255}, {30, 30, 30, 255}, {200, 40, 40, 128}, {40, 90, 220, 0}};
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x)
      for (uint32_t k = 0; k < c; ++k) {
        int v = 0;
        switch (kind) {
          case 0: v = 77 + static_cast<int>(k); break;
          case 1: v = palette[((x / 9) + (y / 6) * 3) % 4][k]; break;
          case 2: {
            const uint32_t g = ((x / 6) * 7 + (y / 9) * 3) % 8;
            const bool ink = (y % 9) < 7 && (x % 6) < 5 && ((glyphs[g][y % 9] >> (x % 6)) & 1);
            v = ink ? 20 : 240;
            break;
          }
          case 3: v = static_cast<int>(rng() & 255); break;
          default: v = static_cast<int>((x * 5 + y * 3 + k * 50) % 256); break;
        }
        m.px[(static_cast<size_t>(y) * w + x) * c + k] = static_cast<uint8_t>(v);
      }
  return m;
}

std::vector<uint8_t> Enc(const AdmNet& net, const Img& m, int revision, int threads, uint32_t tile, bool adapt = true) {
  CodecOptions o;
  o.threads = threads;
  o.tile_size = tile;
  o.adapt = adapt;
  o.revision = revision;
  std::vector<uint8_t> payload;
  EncodeStats st;
  const Status s = EncodeImage(net, {m.px.data(), m.w, m.h, m.c}, o, &payload, &st);
  EXPECT_TRUE(s.ok()) << s.message();
  return payload;
}

Status Dec(const AdmNet& net, const std::vector<uint8_t>& p, const Img& m, int revision, int threads, uint32_t tile,
           std::vector<uint8_t>* out, bool adapt = true) {
  CodecOptions o;
  o.threads = threads;
  o.tile_size = tile;
  o.adapt = adapt;
  o.revision = revision;
  out->assign(m.px.size(), 0);
  return DecodeImage(net, p.data(), p.size(), m.w, m.h, m.c, o, out->data());
}

TEST(ImageLosslessRev2, RoundTripsGraphicsLikeImages) {
  const AdmNet net = Net(11);
  for (int kind = 0; kind < 5; ++kind)
    for (uint32_t c : {1u, 3u, 4u}) {
      const Img m = Make(kind, 45, 38, c, 100 + kind);
      for (uint32_t tile : {16u, 64u}) {
        const auto p = Enc(net, m, kRevision2, 2, tile);
        std::vector<uint8_t> out;
        ASSERT_TRUE(Dec(net, p, m, kRevision2, 1, tile, &out).ok()) << kind << " " << c << " " << tile;
        EXPECT_EQ(out, m.px) << kind << " " << c << " " << tile;
      }
    }
}

TEST(ImageLosslessRev2, FlatPaletteAndTextCostFarLessThanRevision1) {
  const AdmNet net = Net(12);
  for (int kind : {0, 1, 2}) {
    const Img m = Make(kind, 96, 96, 3, 7);
    const auto r1 = Enc(net, m, kRevision1, 2, 256);
    const auto r2 = Enc(net, m, kRevision2, 2, 256);
    EXPECT_LT(r2.size() * 3, r1.size()) << kind << ": " << r2.size() << " vs " << r1.size();
  }
  // A flat image: every pixel certain, a few thousandths of a bit each.
  const Img flat = Make(0, 128, 128, 3, 1);
  EXPECT_LT(Enc(net, flat, kRevision2, 1, 256).size(), 64u);
}

// Groups of at most kSmallGroupPixels carry an on/off bit chosen by the encoder: a tiny image
// costs at most one bit more than in revision 1, and a flat one far less.
TEST(ImageLosslessRev2, SmallGroupsNeverMuchWorseThanRevision1) {
  const AdmNet net = Net(18);
  for (int kind : {0, 1, 3, 4})
    for (uint32_t c : {1u, 3u}) {
      const Img m = Make(kind, 32, 32, c, 40 + kind);
      const auto r1 = Enc(net, m, kRevision1, 1, 256);
      const auto r2 = Enc(net, m, kRevision2, 1, 256);
      EXPECT_LE(r2.size(), r1.size() + 1) << kind << " " << c;
      std::vector<uint8_t> out;
      ASSERT_TRUE(Dec(net, r2, m, kRevision2, 1, 256, &out).ok());
      EXPECT_EQ(out, m.px);
      if (kind == 0) EXPECT_LT(r2.size() * 2, r1.size());
    }
}

TEST(ImageLosslessRev2, OutputIndependentOfThreadCount) {
  const AdmNet net = Net(13);
  const Img m = Make(2, 70, 50, 3, 9);
  const auto a = Enc(net, m, kRevision2, 1, 16);
  EXPECT_EQ(Enc(net, m, kRevision2, 2, 16), a);
  EXPECT_EQ(Enc(net, m, kRevision2, 5, 16), a);
  std::vector<uint8_t> out;
  for (int t : {1, 3}) {
    ASSERT_TRUE(Dec(net, a, m, kRevision2, t, 16, &out).ok());
    EXPECT_EQ(out, m.px);
  }
}

TEST(ImageLosslessRev2, Revision1StillEncodesAndDecodes) {
  const AdmNet net = Net(14);
  for (int kind : {1, 4})
    for (bool adapt : {false, true}) {
      const Img m = Make(kind, 33, 29, 3, 3);
      const auto p = Enc(net, m, kRevision1, 2, 16, adapt);
      std::vector<uint8_t> out;
      ASSERT_TRUE(Dec(net, p, m, kRevision1, 2, 16, &out, adapt).ok());
      EXPECT_EQ(out, m.px);
      EXPECT_NE(p, Enc(net, m, kRevision2, 2, 16, adapt));
    }
}

// The revision is part of the bitstream: decoding with the other one fails or differs.
TEST(ImageLosslessRev2, RevisionMustMatch) {
  const AdmNet net = Net(15);
  const Img m = Make(2, 40, 40, 3, 5);
  for (int r : {kRevision1, kRevision2}) {
    const auto p = Enc(net, m, r, 1, 256);
    std::vector<uint8_t> out;
    const Status s = Dec(net, p, m, r == kRevision1 ? kRevision2 : kRevision1, 1, 256, &out);
    EXPECT_TRUE(!s.ok() || out != m.px) << r;
  }
}

TEST(ImageLosslessRev2, UnknownRevisionIsAnError) {
  const AdmNet net = Net(16);
  const Img m = Make(0, 8, 8, 3, 1);
  CodecOptions o;
  o.revision = 3;
  std::vector<uint8_t> payload;
  EXPECT_FALSE(EncodeImage(net, {m.px.data(), 8, 8, 3}, o, &payload, nullptr).ok());
  std::vector<uint8_t> out(m.px.size());
  const auto p = Enc(net, m, kRevision2, 1, 256);
  EXPECT_FALSE(DecodeImage(net, p.data(), p.size(), 8, 8, 3, o, out.data()).ok());
  o.revision = 0;
  EXPECT_FALSE(DecodeImage(net, p.data(), p.size(), 8, 8, 3, o, out.data()).ok());
}

// Truncated and damaged revision 2 payloads give an error or a wrong image, never a crash or a
// read outside the payload (run under the sanitizer build too).
TEST(ImageLosslessRev2, DamagedPayloadsAreErrors) {
  const AdmNet net = Net(17);
  const Img m = Make(1, 24, 20, 4, 2);
  const auto p = Enc(net, m, kRevision2, 1, 16);
  std::vector<uint8_t> out;
  for (size_t len = 0; len < p.size(); ++len) {
    std::vector<uint8_t> cut(p.begin(), p.begin() + static_cast<long>(len));
    EXPECT_FALSE(Dec(net, cut, m, kRevision2, 1, 16, &out).ok()) << "prefix " << len;
  }
  std::mt19937 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    auto bad = p;
    bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    const Status s = Dec(net, bad, m, kRevision2, 2, 16, &out);
    EXPECT_TRUE(!s.ok() || out != m.px || bad == p) << trial;
  }
}

// The bitstream of a fixed model and image: changes only with a format change (a revision 3).
TEST(ImageLosslessRev2, GoldenBitstream) {
  const AdmNet net = Net(42);
  Img m = Make(2, 40, 24, 3, 77);
  for (size_t i = 0; i < m.px.size(); i += 7) m.px[i] = static_cast<uint8_t>(m.px[i] ^ 0x15);
  const auto p = Enc(net, m, kRevision2, 2, 256);
  const auto d = Sha256Of(p.data(), p.size());
  EXPECT_EQ(ToHex(d.data(), 8), "32504249f1223a04") << "payload size " << p.size();
}

// The per-cell precomputation prices candidates with exactly MakeChannelDist's distribution.
TEST(ImageLosslessRev2, CellMixtureEqualsMakeChannelDist) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> u(-3000, 3000);
  for (int K : {1, 5, kMaxMixtures}) {
    const long stride = 3;
    std::vector<float> out(static_cast<size_t>(12 * K * stride));
    for (auto& v : out) v = static_cast<float>(u(rng)) / 1000.0f;
    const int32_t pred[3] = {17, 128, 250};
    CellMixture cm;
    PrepareCell(out.data(), stride, K, pred, 3, &cm);
    for (int trial = 0; trial < 50; ++trial) {
      const int32_t res[3] = {u(rng) % 256, u(rng) % 256, 0};
      for (int c = 0; c < 3; ++c) {
        ChannelDist a, b;
        MakeChannelDist(out.data(), stride, K, c, pred, res, &a);
        CellChannelDist(cm, c, res, &b);
        for (int v = 0; v <= 256; ++v) ASSERT_EQ(SymbolStart(a, v), SymbolStart(b, v)) << K << " " << c << " " << v;
      }
    }
  }
}

TEST(ImageLosslessRev2, SquashAndStretch) {
  int prev = 0;
  for (int d = -2100; d <= 2100; ++d) {
    const int p = Squash(d);
    ASSERT_GE(p, 1);
    ASSERT_LE(p, 4095);
    ASSERT_GE(p, prev);
    prev = p;
  }
  EXPECT_EQ(Squash(0), 2047);  // lpaq1's table: 4096 / 2 - 1
  for (int p = 1; p < 4095; ++p) EXPECT_LE(std::abs(Squash(Stretch(p)) - p), std::max(2, p / 32)) << p;
}

}  // namespace
}  // namespace dc::adm
