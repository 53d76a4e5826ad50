#include "codecs/image_lossy/refine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>


namespace dc::lossy::refine {
namespace {

// A smooth image with texture and noise, and a blurred, shifted "reconstruction" of it.
void MakePair(uint32_t w, uint32_t h, uint32_t ch, uint32_t seed, std::vector<uint8_t>* orig,
              std::vector<uint8_t>* rec) {
  std::mt19937 rng(seed);
  orig->resize(static_cast<size_t>(w) * h * ch);
  rec->resize(orig->size());
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x)
      for (uint32_t c = 0; c < ch; ++c) {
        const double v = 128 + 90 * std::sin(0.07 * x + 0.3 * c) * std::cos(0.05 * y) + (rng() % 41) - 20.0;
        const size_t i = (static_cast<size_t>(y) * w + x) * ch + c;
        (*orig)[i] = static_cast<uint8_t>(std::min(255.0, std::max(0.0, v)));
        const double r = 128 + 80 * std::sin(0.07 * x + 0.3 * c + 0.1) * std::cos(0.05 * y);
        (*rec)[i] = static_cast<uint8_t>(std::min(255.0, std::max(0.0, r)));
      }
  // Extremes, to exercise clamping.
  for (size_t i = 0; i < orig->size(); i += 97) (*orig)[i] = (i / 97) % 2 ? 255 : 0;
}

int MaxError(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  int m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(int{a[i]} - int{b[i]}));
  return m;
}

TEST(Refine, PassesRoundTripBoundTheErrorAndEndExact) {
  for (uint32_t ch : {1u, 3u})
    for (auto [w, h] : {std::pair<uint32_t, uint32_t>{1, 1}, {7, 3}, {50, 130}, {130, 65}}) {
      std::vector<uint8_t> orig, rec;
      MakePair(w, h, ch, w * 31 + h, &orig, &rec);
      std::vector<uint8_t> enc_rec = rec, dec_rec = rec;
      Intervals ei, di;
      int pass = 0;
      for (int step : {16, 8, 4, 2, 1}) {
        std::vector<uint8_t> seg;
        ASSERT_TRUE(EncodePass(orig.data(), enc_rec.data(), &ei, w, h, ch, pass, step, &seg).ok());
        const Status s = DecodePass(seg.data(), seg.size(), dec_rec.data(), &di, w, h, ch, pass, step);
        ++pass;
        ASSERT_TRUE(s.ok()) << s.message();
        ASSERT_EQ(enc_rec, dec_rec) << w << "x" << h << "x" << ch << " step " << step;
        EXPECT_LE(MaxError(orig, dec_rec), step - 1) << step;  // the original lies in an interval of at most step values
      }
      EXPECT_EQ(dec_rec, orig);
    }
}

// The pilot-only designs decode too (so that the pilot's numbers are real).
TEST(Refine, PilotDesignsRoundTrip) {
  for (int design = 0; design < 4; ++design) {
    PilotKnobs k;
    k.predictor = design == 0 ? 0 : 3;
    k.embedded = design >= 2;
    k.split_blend = design >= 2;
    k.deadzone = design == 3;
    std::vector<uint8_t> orig, rec;
    MakePair(45, 70, 3, 11, &orig, &rec);
    std::vector<uint8_t> e = rec, d = rec;
    Intervals ei, di;
    int pass = 0;
    for (int step : {32, 16, 8, 4, 2, 1}) {
      std::vector<uint8_t> seg;
      ASSERT_TRUE(EncodePass(orig.data(), e.data(), &ei, 45, 70, 3, pass, step, &seg, k).ok());
      ASSERT_TRUE(DecodePass(seg.data(), seg.size(), d.data(), &di, 45, 70, 3, pass, step, k).ok());
      ASSERT_EQ(e, d) << design << " " << step;
      ++pass;
    }
    EXPECT_EQ(d, orig) << design;
  }
}

TEST(Refine, LargeStepsAndExtremeValues) {
  // All-black reconstruction of an all-white image: |q| reaches 255 with step 1 (escape codes).
  const uint32_t w = 20, h = 3;
  std::vector<uint8_t> orig(w * h * 3, 255), rec(w * h * 3, 0);
  for (size_t i = 0; i < orig.size(); i += 5) orig[i] = static_cast<uint8_t>(i * 37);
  for (int step : {255, 128, 1}) {
    std::vector<uint8_t> e = rec, d = rec, seg;
    Intervals ei, di;
    ASSERT_TRUE(EncodePass(orig.data(), e.data(), &ei, w, h, 3, 0, step, &seg).ok());
    ASSERT_TRUE(DecodePass(seg.data(), seg.size(), d.data(), &di, w, h, 3, 0, step).ok());
    EXPECT_EQ(e, d);
    EXPECT_LE(MaxError(orig, d), std::max(step - 1, 0));
  }
}

// Damaged segments: every cut and many byte flips give an error or (flips only) some image,
// never a crash, and a cut is never accepted.
TEST(Refine, DamagedSegmentsFailCleanly) {
  const uint32_t w = 40, h = 70;  // two bands
  std::vector<uint8_t> orig, rec;
  MakePair(w, h, 3, 5, &orig, &rec);
  // Pass 0 (values) and pass 1 (interval splits) of a two-pass plan.
  std::vector<uint8_t> e = rec, seg0, seg1;
  Intervals ei;
  ASSERT_TRUE(EncodePass(orig.data(), e.data(), &ei, w, h, 3, 0, 8, &seg0).ok());
  const std::vector<uint8_t> after0 = e;
  const Intervals iv0 = ei;
  ASSERT_TRUE(EncodePass(orig.data(), e.data(), &ei, w, h, 3, 1, 4, &seg1).ok());
  for (int pass = 0; pass < 2; ++pass) {
    const std::vector<uint8_t>& seg = pass == 0 ? seg0 : seg1;
    const auto run = [&](const std::vector<uint8_t>& bytes, size_t n) {
      std::vector<uint8_t> d = pass == 0 ? rec : after0;
      Intervals di = iv0;
      return DecodePass(bytes.data(), n, d.data(), &di, w, h, 3, pass, pass == 0 ? 8 : 4);
    };
    EXPECT_TRUE(run(seg, seg.size()).ok());
    for (size_t n = 0; n < seg.size(); ++n) EXPECT_FALSE(run(seg, n).ok()) << pass << " " << n;
    std::vector<uint8_t> more = seg;
    more.push_back(0);
    EXPECT_EQ(run(more, more.size()).code(), DC_ERR_CORRUPT);
    std::mt19937 rng(9);
    int failed = 0;
    for (int t = 0; t < 300; ++t) {
      std::vector<uint8_t> bad = seg;
      bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      failed += !run(bad, bad.size()).ok();
    }
    EXPECT_GT(failed, 250) << pass;  // the rANS end-state check catches nearly every flip
  }
  // A later pass without the first is refused.
  std::vector<uint8_t> d = rec;
  Intervals none;
  EXPECT_EQ(DecodePass(seg1.data(), seg1.size(), d.data(), &none, w, h, 3, 1, 4).code(), DC_ERR_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace dc::lossy::refine
