// Tiled decoding and denoising (ldm_net.h, "Tiles") must be bit-identical to one pass over the
// whole latent grid: files written before tiling carry a checksum of the whole-grid output.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "codecs/codec.h"
#include "codecs/image_lossy/ldm_net.h"
#include "container/header.h"
#include "codecs/image_lossy/test_util.h"
#include "nn/weights.h"

namespace dc::lossy {
namespace {

std::vector<float> Latents(int L, int h, int w, uint32_t seed) {
  std::mt19937 g(seed);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> z(static_cast<size_t>(L) * h * w);
  for (auto& v : z) v = n(g);
  return z;
}

// Tile sizes from one cell (every output from a halo-only window) to just under the grid, on a
// grid that is not a multiple of any of them.
void ExpectTilesMatchWhole(const LdmNet& net, int h, int w, const std::vector<int>& tiles, const std::vector<int>& thread_counts) {
  const int L = net.config().latent;
  const std::vector<float> z = Latents(L, h, w, 7);
  const size_t npx = static_cast<size_t>(3) * h * w * kFactor * kFactor;
  std::vector<float> whole(npx), den_whole(z.size());
  int pass = 0;
  net.DecodeTiles(z.data(), h, w, 1, [&](const DecodedTile& t) {
    ++pass;
    ASSERT_EQ(t.h, h * kFactor);
    std::memcpy(whole.data(), t.img, npx * sizeof(float));
  }, 1 << 20);
  ASSERT_EQ(pass, 1);
  net.Denoise(z.data(), h, w, 1.5f, 1, den_whole.data(), 1 << 20);
  for (int tile : tiles) {
    for (int threads : thread_counts) {
      std::vector<float> tiled(npx, -7.0f), den(z.size(), -7.0f);
      int count = 0;
      net.DecodeTiles(z.data(), h, w, threads, [&](const DecodedTile& t) {
        ++count;
        for (int c = 0; c < 3; ++c)
          for (int y = 0; y < t.h; ++y)
            std::memcpy(tiled.data() + (static_cast<size_t>(c) * h * kFactor + t.y0 + y) * w * kFactor + t.x0,
                        t.img + (static_cast<size_t>(c) * t.ph + t.oy + y) * t.pw + t.ox, t.w * sizeof(float));
      }, tile);
      EXPECT_EQ(count, ((h + tile - 1) / tile) * ((w + tile - 1) / tile));
      EXPECT_EQ(0, std::memcmp(whole.data(), tiled.data(), npx * sizeof(float))) << "decode tile " << tile;
      net.Denoise(z.data(), h, w, 1.5f, threads, den.data(), tile);
      EXPECT_EQ(0, std::memcmp(den_whole.data(), den.data(), den.size() * sizeof(float))) << "denoise tile " << tile;
    }
  }
  // Decode() (whole output buffer) goes through the same tiles.
  std::vector<float> via(npx);
  net.Decode(z.data(), h, w, 1, via.data());
  EXPECT_EQ(0, std::memcmp(whole.data(), via.data(), npx * sizeof(float)));
}

TEST(LdmTiles, TinyModelTilesAreBitIdenticalToTheWholeGrid) {
  auto net = LdmNet::FromWeights(testing::TinyModel(3));
  ASSERT_TRUE(net.ok()) << net.status().message();
  ExpectTilesMatchWhole(*net, 23, 17, {1, 2, 5, 8, 16}, {1, 2});
}

TEST(LdmTiles, ShippedModelTilesAreBitIdenticalToTheWholeGrid) {
  auto wf = nn::LoadWeights(std::string(DC_SOURCE_DIR) + "/models/image-lossy-ldm1.dcw");
  ASSERT_TRUE(wf.ok()) << wf.status().message();
  auto net = LdmNet::FromWeights(*wf);
  ASSERT_TRUE(net.ok()) << net.status().message();
  // The halo the tiles are computed with: the shipped model's receptive field (ldm_net.cc).
  EXPECT_EQ(net->DecodeHalo(), 9);
  EXPECT_EQ(net->DenoiseHalo(), 14);
  ExpectTilesMatchWhole(*net, 37, 29, {13}, {2});
}

// A halo one cell short of the receptive field would differ: the test above can fail.
TEST(LdmTiles, ShippedModelDependsOnLatentsAtTheHaloDistance) {
  auto wf = nn::LoadWeights(std::string(DC_SOURCE_DIR) + "/models/image-lossy-ldm1.dcw");
  ASSERT_TRUE(wf.ok());
  auto net = LdmNet::FromWeights(*wf);
  ASSERT_TRUE(net.ok());
  const int L = net->config().latent, h = 24, w = 24, R = net->DecodeHalo();
  std::vector<float> z = Latents(L, h, w, 11), a(static_cast<size_t>(3) * h * w * 64), b(a.size());
  net->Decode(z.data(), h, w, 1, a.data());
  // Change one latent R cells right of cell (12, 2); pixels of cell (12, 2) change, R + 1 do not.
  z[12 * w + 2 + R] += 1.0f;
  net->Decode(z.data(), h, w, 1, b.data());
  const auto cell_differs = [&](int cy, int cx) {
    for (int c = 0; c < 3; ++c)
      for (int y = cy * 8; y < cy * 8 + 8; ++y)
        for (int x = cx * 8; x < cx * 8 + 8; ++x) {
          const size_t i = (static_cast<size_t>(c) * h * 8 + y) * w * 8 + x;
          if (a[i] != b[i]) return true;
        }
    return false;
  };
  EXPECT_TRUE(cell_differs(12, 2));
  EXPECT_FALSE(cell_differs(12, 1));
}

}  // namespace
}  // namespace dc::lossy

namespace dc::lossy {
namespace {

// The decoder's stated working set (image_lossy_codec.cc, docs/codecs/image-lossy.md "Memory"):
// tiles keep a 6000 x 4000 image within 1.5 GiB on 2 threads; it grows with the pixels only by
// the bytes of the output and the latents.
TEST(LdmTiles, StatedDecodeMemoryOfLargeImages) {
  const Codec* codec = FindCodec(DC_CODEC_IMAGE_LOSSY);
  ASSERT_NE(codec, nullptr);
  container::Header h;
  h.channels = 3;
  const auto need = [&](uint32_t w, uint32_t hh, int threads) {
    h.width = w;
    h.height = hh;
    return codec->DecodeMemory(h, threads);
  };
  EXPECT_LT(need(6000, 4000, 2), uint64_t{3} << 29);
  EXPECT_LT(need(6000, 4000, 1), need(6000, 4000, 2));
  // Past the tile size the activations stop growing: doubling the pixels adds 18 bytes a pixel.
  EXPECT_EQ(need(12000, 4000, 2) - need(6000, 4000, 2), uint64_t{6000} * 4000 * 18);
  // The largest image a header may claim (2^28 pixels) is over the default limit.
  EXPECT_GT(need(16384, 16384, 1), uint64_t{2} << 30);
}

}  // namespace
}  // namespace dc::lossy
