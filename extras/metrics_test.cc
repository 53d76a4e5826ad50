#include "extras/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "extras/file_io.h"
#include "extras/image_io.h"

#ifndef DC_SHARED_DATA
#error "DC_SHARED_DATA must name the shared data folder (the CMake test target defines it)"
#endif

namespace dc::extras {
namespace {

Image LoadKodim01() {
  auto file = ReadFile(std::string(DC_SHARED_DATA) + "/kodak/kodim01.png");
  EXPECT_TRUE(file.ok()) << file.status().message();
  if (!file.ok()) return Image{};
  auto img = DecodePng(file->data(), file->size());
  EXPECT_TRUE(img.ok()) << img.status().message();
  return img.ok() ? std::move(img).value() : Image{};
}

Image Crop(const Image& src, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h, uint32_t c0,
           uint32_t channels) {
  Image out;
  out.width = w;
  out.height = h;
  out.channels = channels;
  for (uint32_t y = y0; y < y0 + h; ++y) {
    for (uint32_t x = x0; x < x0 + w; ++x) {
      for (uint32_t c = c0; c < c0 + channels; ++c) {
        out.pixels.push_back(src.pixels[(size_t{y} * src.width + x) * src.channels + c]);
      }
    }
  }
  return out;
}

// Deterministic degradation, mirrored exactly (integer arithmetic only) by degrade() in
// tests/tools/msssim_reference.py: a 3x3 box blur with clamped edges and rounding, then noise
// in [-8, 8] from a 32-bit LCG over the interleaved samples.
Image DegradeForTest(const Image& src) {
  Image out = src;
  const int w = static_cast<int>(src.width), h = static_cast<int>(src.height);
  const int ch = static_cast<int>(src.channels);
  uint32_t state = 12345;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < ch; ++c) {
        int sum = 0;
        for (int dy = -1; dy <= 1; ++dy) {
          for (int dx = -1; dx <= 1; ++dx) {
            const int yy = std::clamp(y + dy, 0, h - 1), xx = std::clamp(x + dx, 0, w - 1);
            sum += src.pixels[(static_cast<size_t>(yy) * w + xx) * ch + c];
          }
        }
        state = state * 1664525u + 1013904223u;
        const int noise = static_cast<int>((state >> 24) % 17) - 8;
        out.pixels[(static_cast<size_t>(y) * w + x) * ch + c] =
            static_cast<uint8_t>(std::clamp((sum + 4) / 9 + noise, 0, 255));
      }
    }
  }
  return out;
}

// Reference values printed by tests/tools/msssim_reference.py (numpy/scipy, run with
// /usr/bin/python3 on shared/data), an independent implementation using direct 2-D filtering.
struct Reference {
  const char* name;
  uint32_t x, y, w, h, c0, channels;  // crop of kodim01; full image when w == 0
  double psnr, ms_ssim;
};
constexpr Reference kReferences[] = {
    {"kodim01 full RGB", 0, 0, 0, 0, 0, 3, 24.905775103074, 0.947016380905474},
    // Odd sides: exercises the zero-padded pooling at every scale.
    {"kodim01 crop x100 y50 181x167 RGB", 100, 50, 181, 167, 0, 3, 25.484082702009,
     0.945812727519267},
    // Under 161 pixels: 3 scales with renormalised weights.
    {"kodim01 crop x300 y200 100x75 green only", 300, 200, 100, 75, 1, 1, 23.144111222950,
     0.897342248147106},
};

TEST(MetricsTest, MatchesPythonReference) {
  const Image kodim = LoadKodim01();
  ASSERT_EQ(kodim.pixels.size(), 768u * 512 * 3);
  for (const Reference& r : kReferences) {
    const Image ref = r.w == 0 ? kodim : Crop(kodim, r.x, r.y, r.w, r.h, r.c0, r.channels);
    const Image deg = DegradeForTest(ref);
    auto psnr = Psnr(ref, deg);
    ASSERT_TRUE(psnr.ok()) << psnr.status().message();
    EXPECT_NEAR(*psnr, r.psnr, 1e-9) << r.name;
    auto ms = MsSsim(ref, deg);
    ASSERT_TRUE(ms.ok()) << ms.status().message();
    EXPECT_NEAR(*ms, r.ms_ssim, 1e-9) << r.name;
    auto swapped = MsSsim(deg, ref);
    ASSERT_TRUE(swapped.ok());
    EXPECT_NEAR(*swapped, *ms, 1e-12) << r.name;
  }
}

TEST(MetricsTest, IdenticalImages) {
  const Image img = Crop(LoadKodim01(), 10, 20, 200, 170, 0, 3);
  auto psnr = Psnr(img, img);
  ASSERT_TRUE(psnr.ok());
  EXPECT_TRUE(std::isinf(*psnr) && *psnr > 0);
  auto ms = MsSsim(img, img);
  ASSERT_TRUE(ms.ok());
  EXPECT_EQ(*ms, 1.0);

  // The smallest accepted size: one scale, i.e. plain SSIM.
  Image tiny;
  tiny.width = tiny.height = 11;
  tiny.channels = 1;
  for (int i = 0; i < 121; ++i) tiny.pixels.push_back(static_cast<uint8_t>(i * 2));
  ms = MsSsim(tiny, tiny);
  ASSERT_TRUE(ms.ok()) << ms.status().message();
  EXPECT_EQ(*ms, 1.0);
  Image flat = tiny;
  std::fill(flat.pixels.begin(), flat.pixels.end(), 7);
  ms = MsSsim(flat, flat);  // zero variance must not divide by zero
  ASSERT_TRUE(ms.ok());
  EXPECT_EQ(*ms, 1.0);
}

TEST(MetricsTest, PsnrOfUnitError) {
  Image a;
  a.width = 5;
  a.height = 3;
  a.channels = 3;
  a.pixels.assign(45, 100);
  Image b = a;
  for (size_t i = 0; i < b.pixels.size(); ++i) b.pixels[i] = i % 2 ? 101 : 99;
  auto psnr = Psnr(a, b);
  ASSERT_TRUE(psnr.ok());
  EXPECT_NEAR(*psnr, 20 * std::log10(255.0), 1e-12);  // MSE 1
}

TEST(MetricsTest, AlphaChannelCountsAsAChannel) {
  const Image kodim = LoadKodim01();
  const Image rgb = Crop(kodim, 0, 0, 240, 200, 0, 3);
  const Image deg = DegradeForTest(rgb);
  Image rgba_a, rgba_b;
  for (Image* img : {&rgba_a, &rgba_b}) {
    img->width = rgb.width;
    img->height = rgb.height;
    img->channels = 4;
  }
  for (size_t i = 0; i < size_t{rgb.width} * rgb.height; ++i) {
    for (int c = 0; c < 3; ++c) {
      rgba_a.pixels.push_back(rgb.pixels[3 * i + c]);
      rgba_b.pixels.push_back(deg.pixels[3 * i + c]);
    }
    rgba_a.pixels.push_back(static_cast<uint8_t>(i));
    rgba_b.pixels.push_back(static_cast<uint8_t>(i));
  }
  auto three = MsSsim(rgb, deg);
  auto four = MsSsim(rgba_a, rgba_b);
  ASSERT_TRUE(three.ok() && four.ok());
  EXPECT_NEAR(*four, (3 * *three + 1) / 4, 1e-12);
}

TEST(MetricsTest, WorseImagesScoreLower) {
  const Image ref = Crop(LoadKodim01(), 200, 100, 256, 256, 0, 3);
  const Image once = DegradeForTest(ref);
  const Image twice = DegradeForTest(once);
  EXPECT_GT(*MsSsim(ref, once), *MsSsim(ref, twice));
  EXPECT_GT(*Psnr(ref, once), *Psnr(ref, twice));
}

TEST(MetricsTest, RejectsBadInput) {
  Image a;
  a.width = 16;
  a.height = 16;
  a.channels = 3;
  a.pixels.assign(16 * 16 * 3, 1);
  Image b = a;
  b.channels = 1;
  b.pixels.resize(16 * 16);
  EXPECT_EQ(Psnr(a, b).status().code(), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(MsSsim(a, b).status().code(), DC_ERR_INVALID_ARGUMENT);
  b = a;
  b.width = 15;
  EXPECT_EQ(Psnr(a, b).status().code(), DC_ERR_INVALID_ARGUMENT);
  b = a;
  b.pixels.pop_back();
  EXPECT_EQ(Psnr(a, b).status().code(), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(MsSsim(a, b).status().code(), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(Psnr(Image{}, Image{}).status().code(), DC_ERR_INVALID_ARGUMENT);

  Image small = a;
  small.width = 10;
  small.pixels.resize(10 * 16 * 3);
  EXPECT_EQ(MsSsim(small, small).status().code(), DC_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(Psnr(small, small).ok());
}

}  // namespace
}  // namespace dc::extras
