#include "codecs/image_lossless/image_lossless.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/mixture.h"
#include "codecs/image_lossless/test_util.h"
#include "common/sha256.h"
#include "nn/kernels.h"

namespace dc::adm {
namespace {

AdmNet Net(uint32_t seed) {
  auto n = AdmNet::FromWeights(testing::RandomWeights(seed));
  EXPECT_TRUE(n.ok()) << n.status().message();
  return std::move(n).value();
}

// A smooth image with noise and edges, so that every stage has something to predict.
std::vector<uint8_t> TestImage(uint32_t w, uint32_t h, uint32_t c, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * c);
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x)
      for (uint32_t k = 0; k < c; ++k) {
        int v = static_cast<int>((x * 3 + y * 2 + k * 40) % 256);
        if ((x / 7 + y / 5) % 3 == 0) v = 255 - v;
        v += static_cast<int>(rng() % 9) - 4;
        px[(static_cast<size_t>(y) * w + x) * c + k] = static_cast<uint8_t>(std::clamp(v, 0, 255));
      }
  return px;
}

std::vector<uint8_t> Encode(const AdmNet& net, const std::vector<uint8_t>& px, uint32_t w, uint32_t h,
                            uint32_t c, int threads, uint32_t tile, double* bits = nullptr, bool adapt = true,
                            int revision = kLatestRevision) {
  CodecOptions o;
  o.threads = threads;
  o.tile_size = tile;
  o.adapt = adapt;
  o.revision = revision;
  std::vector<uint8_t> payload;
  EncodeStats st;
  const Status s = EncodeImage(net, {px.data(), w, h, c}, o, &payload, &st);
  EXPECT_TRUE(s.ok()) << s.message();
  if (bits) *bits = st.model_bits;
  return payload;
}

std::vector<uint8_t> Decode(const AdmNet& net, const std::vector<uint8_t>& payload, uint32_t w, uint32_t h,
                            uint32_t c, int threads, uint32_t tile, Status* status = nullptr, bool adapt = true,
                            int revision = kLatestRevision) {
  CodecOptions o;
  o.threads = threads;
  o.tile_size = tile;
  o.adapt = adapt;
  o.revision = revision;
  std::vector<uint8_t> out(static_cast<size_t>(w) * h * c);
  const Status s = DecodeImage(net, payload.data(), payload.size(), w, h, c, o, out.data());
  if (status) *status = s;
  else EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

TEST(ImageLossless, RoundTripsShapesAndChannels) {
  const AdmNet net = Net(1);
  struct Case { uint32_t w, h, c, tile; };
  for (const Case& k : {Case{1, 1, 3, 16}, Case{1, 7, 1, 16}, Case{9, 1, 3, 16}, Case{33, 17, 3, 16},
                        Case{40, 40, 1, 256}, Case{31, 45, 4, 16}, Case{64, 48, 3, 32}}) {
    const auto px = TestImage(k.w, k.h, k.c, k.w * 100 + k.h);
    const auto payload = Encode(net, px, k.w, k.h, k.c, 2, k.tile);
    EXPECT_EQ(Decode(net, payload, k.w, k.h, k.c, 1, k.tile), px) << k.w << "x" << k.h << "x" << k.c;
  }
}

TEST(ImageLossless, ConstantAndVaryingAlpha) {
  const AdmNet net = Net(2);
  auto px = TestImage(20, 20, 4, 5);
  for (size_t i = 3; i < px.size(); i += 4) px[i] = 255;
  const auto constant = Encode(net, px, 20, 20, 4, 1, 256);
  EXPECT_EQ(Decode(net, constant, 20, 20, 4, 1, 256), px);
  px[3] = 0;  // one transparent pixel: the alpha plane is coded
  const auto varying = Encode(net, px, 20, 20, 4, 1, 256);
  EXPECT_GT(varying.size(), constant.size());
  EXPECT_EQ(Decode(net, varying, 20, 20, 4, 1, 256), px);
}

TEST(ImageLossless, OutputIndependentOfThreadCount) {
  const AdmNet net = Net(3);
  const auto px = TestImage(70, 50, 3, 9);
  const auto a = Encode(net, px, 70, 50, 3, 1, 16);
  const auto b = Encode(net, px, 70, 50, 3, 2, 16);
  const auto c = Encode(net, px, 70, 50, 3, 5, 16);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  EXPECT_EQ(Decode(net, a, 70, 50, 3, 2, 16), px);
  EXPECT_EQ(Decode(net, a, 70, 50, 3, 1, 16), px);
}

TEST(ImageLossless, TileSizesAllRoundTrip) {
  const AdmNet net = Net(4);
  const auto px = TestImage(50, 37, 3, 2);
  for (uint32_t tile : {16u, 24u, 32u, 64u, 4096u}) {
    const auto p = Encode(net, px, 50, 37, 3, 2, tile);
    EXPECT_EQ(Decode(net, p, 50, 37, 3, 2, tile), px) << tile;
  }
}

TEST(ImageLossless, CodedSizeMatchesModelBits) {
  const AdmNet net = Net(5);
  const auto px = TestImage(96, 96, 3, 4);
  double bits = 0;
  const auto p = Encode(net, px, 96, 96, 3, 2, 256, &bits);
  // rANS costs at most a few bytes above the quantised model's information.
  EXPECT_LT(p.size() * 8.0, bits * 1.002 + 64);
  EXPECT_GT(p.size() * 8.0, bits * 0.998);
}

TEST(ImageLossless, WrongModelOrCorruptionNeverDecodesSilently) {
  const AdmNet net = Net(6), other = Net(7);
  const auto px = TestImage(24, 24, 3, 1);
  const auto p = Encode(net, px, 24, 24, 3, 1, 256);
  Status s;
  const auto out = Decode(other, p, 24, 24, 3, 1, 256, &s);
  EXPECT_TRUE(!s.ok() || out != px);
  for (size_t len = 0; len < p.size(); ++len) {
    std::vector<uint8_t> cut(p.begin(), p.begin() + len);
    Decode(net, cut, 24, 24, 3, 1, 256, &s);
    EXPECT_FALSE(s.ok()) << "prefix " << len;
  }
}

// The deterministic kernel equals a plain scalar loop with the documented operation order.
TEST(Kernels, ConvMatchesScalarReferenceBitForBit) {
  std::mt19937 rng(8);
  std::normal_distribution<float> n;
  for (int k : {1, 3}) {
    const int cin = 5, cout = 7, h = 9, w = 13;
    std::vector<float> in(cin * h * w), wt(cout * cin * k * k), b(cout), out(cout * h * w);
    for (auto& v : in) v = n(rng);
    for (auto& v : wt) v = n(rng);
    for (auto& v : b) v = n(rng);
    nn::Conv2d(in.data(), cin, h, w, wt.data(), b.data(), cout, k, true, out.data());
    for (int o = 0; o < cout; ++o)
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
          float acc = b[o];
          for (int i = 0; i < cin; ++i)
            for (int ky = 0; ky < k; ++ky)
              for (int kx = 0; kx < k; ++kx) {
                const int yy = y + ky - k / 2, xx = x + kx - k / 2;
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                const float v = std::max(in[(i * h + yy) * w + xx], 0.0f);
                const float prod = wt[((o * cin + i) * k + ky) * k + kx] * v;
                acc = acc + prod;
              }
          ASSERT_EQ(acc, out[(o * h + y) * w + x]) << o << " " << y << " " << x;
        }
  }
}

// Golden values: the network output and the coded bytes of a fixed model and image. They change
// only if the arithmetic changes, which would break every existing file: a format change.
TEST(Determinism, GoldenBitstream) {
  const AdmNet net = Net(42);
  const auto px = TestImage(40, 24, 3, 77);
  // Without the online mixture correction: the bitstream of files made before it existed
  // (coder flags 0), which must keep decoding.
  // Revision 1, pinned explicitly (revision 2 is the default now).
  const auto p = Encode(net, px, 40, 24, 3, 2, 256, nullptr, /*adapt=*/false, kRevision1);
  const auto d = Sha256Of(p.data(), p.size());
  EXPECT_EQ(ToHex(d.data(), 8), "d15cde70e93c4c77") << "payload size " << p.size();
  EXPECT_EQ(Decode(net, p, 40, 24, 3, 1, 256, nullptr, /*adapt=*/false, kRevision1), px);
  // With it (what the revision 1 encoder wrote last).
  const auto q = Encode(net, px, 40, 24, 3, 2, 256, nullptr, /*adapt=*/true, kRevision1);
  const auto e = Sha256Of(q.data(), q.size());
  EXPECT_EQ(ToHex(e.data(), 8), "b34807f69cbb2fb6") << "payload size " << q.size();
}

// The coder flag is part of the bitstream: a payload decoded with the other setting fails
// (the rANS final state or the values differ), in both directions.
TEST(ImageLossless, AdaptFlagMustMatch) {
  const AdmNet net = Net(5);
  const auto px = TestImage(37, 29, 3, 8);
  for (bool adapt : {false, true}) {
    const auto p = Encode(net, px, 37, 29, 3, 2, 256, nullptr, adapt);
    EXPECT_EQ(Decode(net, p, 37, 29, 3, 2, 256, nullptr, adapt), px);
    Status s;
    const auto wrong = Decode(net, p, 37, 29, 3, 2, 256, &s, !adapt);
    EXPECT_TRUE(!s.ok() || wrong != px) << adapt;
  }
}

}  // namespace
}  // namespace dc::adm

namespace dc::adm {
namespace {
// A model file is untrusted input too: shapes and counts beyond the decoder's bounds are errors.
TEST(AdmNet, RejectsOutOfRangeConfigsAndShapes) {
  EXPECT_FALSE(AdmNet::FromWeights(testing::RandomWeights(1, 8, 1, 1, kMaxMixtures + 1)).ok());
  auto w = testing::RandomWeights(1);
  w.tensors["head_out_w"].shape[0] += 1;
  EXPECT_EQ(AdmNet::FromWeights(w).status().code(), DC_ERR_CORRUPT);
  w = testing::RandomWeights(1);
  w.tensors.erase("trunk_in_b");
  EXPECT_EQ(AdmNet::FromWeights(w).status().code(), DC_ERR_CORRUPT);
  w = testing::RandomWeights(1);
  w.arch = "other";
  EXPECT_FALSE(AdmNet::FromWeights(w).ok());
}
}  // namespace
}  // namespace dc::adm

namespace dc::adm {
namespace {
// Found by tests/fuzz/fuzz_weights: a model with NaN or infinite weights (or activations that
// overflow) gives non-finite network outputs. They must still make a valid distribution (the
// float-to-int conversions were undefined: weights 0/0, NaN means), the same on both sides.
TEST(Mixture, NonFiniteNetworkOutputsGiveAValidDistribution) {
  constexpr int K = 3;
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const int32_t pred[3] = {100, 30, 250}, residual[3] = {5, -7, 0};
  for (float bad : {nan, inf, -inf}) {
    for (int pattern = 0; pattern < 4; ++pattern) {
      std::vector<float> out(12 * K, 0.25f);
      for (int i = 0; i < 12 * K; ++i) {
        const bool logit = i < 3 * K, mean = i >= 3 * K && i < 6 * K;
        if ((pattern == 0 && logit) || (pattern == 1 && mean) || pattern == 2 || (pattern == 3 && i % 2))
          out[i] = bad;
      }
      for (int c = 0; c < 3; ++c) {
        ChannelDist d;
        MakeChannelDist(out.data(), 1, K, c, pred, residual, &d);
        int32_t sum = 0;
        for (int k = 0; k < K; ++k) {
          EXPECT_GE(d.weight[k], 0);
          sum += d.weight[k];
          EXPECT_GE(d.mean[k], -65536);
          EXPECT_LE(d.mean[k], 131072);
          EXPECT_GE(d.inv_scale[k], 1);
        }
        EXPECT_EQ(sum, 32768) << bad << " " << pattern << " " << c;
        for (int v = 0; v < 256; ++v) ASSERT_LT(SymbolStart(d, v), SymbolStart(d, v + 1)) << v;
      }
    }
  }
}

TEST(ImageLossless, NonFiniteWeightsStillRoundTrip) {
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    auto w = testing::RandomWeights(3);
    for (auto& v : w.tensors["head_out_b"].data) v = bad;
    auto net = AdmNet::FromWeights(w);
    ASSERT_TRUE(net.ok()) << net.status().message();
    const auto px = TestImage(9, 6, 4, 2);
    const auto p = Encode(net.value(), px, 9, 6, 4, 1, 16);
    EXPECT_EQ(Decode(net.value(), p, 9, 6, 4, 1, 16), px);
  }
}
}  // namespace
}  // namespace dc::adm
