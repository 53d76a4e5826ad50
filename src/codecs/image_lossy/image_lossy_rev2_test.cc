// Revision 2 of image-lossy through the codec: latent steps, then refinement passes up to the
// exact original; prefixes, fresh encodes, thread counts, revisions and damaged passes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "codecs/image_lossy/image_lossy.h"
#include "codecs/image_lossy/refine.h"
#include "codecs/image_lossy/test_util.h"
#include "rcc/progressive.h"

namespace dc::lossy {
namespace {

std::vector<uint8_t> Photo(uint32_t w, uint32_t h, uint32_t ch) {
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * ch);
  uint32_t s = 12345;
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x)
      for (uint32_t c = 0; c < ch; ++c) {
        s = s * 1103515245u + 12345u;
        px[(static_cast<size_t>(y) * w + x) * ch + c] =
            static_cast<uint8_t>((x * 5 + y * 3 + c * 40 + ((x / 6 + y / 5) % 2) * 70 + ((s >> 16) % 9)) & 0xFF);
      }
  return px;
}

class ImageLossyRev2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = LdmNet::FromWeights(testing::TinyModel(3));
    ASSERT_TRUE(n.ok()) << n.status().message();
    net_ = std::move(n).value();
    opt_.schedule.lambdas = {-8, -4, 0, 4};
    opt_.schedule.chunk_bits = 8;
    opt_.schedule.seed = 5;
    opt_.refine_steps = {8, 4, 2, 1};
  }
  LdmNet net_;
  EncodeOptions opt_;
};

TEST_F(ImageLossyRev2Test, WholeFileIsExactAndEveryPrefixIsAFreshEncode) {
  for (uint32_t ch : {3u, 1u}) {
    const uint32_t w = 37, h = 70;  // not multiples of 8; two refinement bands
    const auto px = Photo(w, h, ch);
    std::vector<uint8_t> full;
    EncodeStats st;
    ASSERT_TRUE(EncodeImage(net_, {px.data(), w, h, ch}, opt_, &full, &st).ok());
    ASSERT_EQ(st.kept_steps, 3);
    ASSERT_EQ(st.passes.size(), 4u);
    std::vector<uint8_t> out(px.size());
    ASSERT_TRUE(DecodeImage(net_, full.data(), full.size(), w, h, ch, {}, out.data()).ok());
    EXPECT_EQ(out, px) << "the whole revision 2 file is lossless";
    // Rev 1 decoders refuse it (flag bit 1 is reserved there).
    DecodeOptions r1;
    r1.revision = kRevision1;
    EXPECT_EQ(DecodeImage(net_, full.data(), full.size(), w, h, ch, r1, out.data()).code(), DC_ERR_RESERVED_BITS);
    std::vector<size_t> ends;
    auto v0 = rcc::ParseProgressive(full.data(), full.size());
    ASSERT_TRUE(v0.ok());
    ends.push_back(static_cast<size_t>(v0->header.data + v0->header.size - full.data()));
    for (const auto& s : st.steps) ends.push_back(s.payload_end);
    for (const auto& p : st.passes) ends.push_back(p.payload_end);
    ASSERT_EQ(ends.back(), full.size());
    std::vector<int> all;
    for (int k = 0; k <= 7; ++k) all.push_back(k);
    std::vector<std::vector<uint8_t>> images(8);
    ASSERT_TRUE(DecodePrefixes(net_, full.data(), full.size(), w, h, ch, {}, all,
                               [&](int k, const std::vector<uint8_t>& p) { images[k] = p; })
                    .ok());
    double prev_err = 1e300;
    for (int k = 0; k <= 7; ++k) {
      EncodeOptions o = opt_;
      o.max_steps = k;
      std::vector<uint8_t> fresh;
      ASSERT_TRUE(EncodeImage(net_, {px.data(), w, h, ch}, o, &fresh, nullptr).ok());
      ASSERT_EQ(fresh.size(), ends[k]) << k;
      EXPECT_EQ(0, std::memcmp(fresh.data(), full.data(), fresh.size())) << k;
      auto cut = rcc::CutProgressive(full.data(), full.size(), ends[k]);
      ASSERT_TRUE(cut.ok());
      EXPECT_EQ(*cut, ends[k]);
      // A byte budget just below the next boundary gives the same prefix.
      if (k < 7) {
        EncodeOptions b = opt_;
        b.max_payload_bytes = ends[k + 1] - 1;
        std::vector<uint8_t> budget;
        ASSERT_TRUE(EncodeImage(net_, {px.data(), w, h, ch}, b, &budget, nullptr).ok());
        EXPECT_EQ(budget, fresh) << k;
      }
      std::vector<uint8_t> one(px.size());
      ASSERT_TRUE(DecodeImage(net_, fresh.data(), fresh.size(), w, h, ch, {}, one.data()).ok());
      EXPECT_EQ(one, images[k]) << k;
      if (k >= 3) {  // the refinement passes only lower the error
        double err = 0;
        for (size_t i = 0; i < px.size(); ++i) err += (double(one[i]) - px[i]) * (double(one[i]) - px[i]);
        EXPECT_LE(err, prev_err) << k;
        prev_err = err;
        int max_err = 0;
        for (size_t i = 0; i < px.size(); ++i) max_err = std::max(max_err, std::abs(int{one[i]} - int{px[i]}));
        if (k > 3) {
          EXPECT_LE(max_err, opt_.refine_steps[k - 4] - 1) << k;
        }
      }
    }
    // Cuts inside a pass segment are errors; boundaries decode.
    for (size_t n = ends[3]; n < full.size(); n += 7) {
      const bool boundary = std::find(ends.begin(), ends.end(), n) != ends.end();
      EXPECT_EQ(DecodeImage(net_, full.data(), n, w, h, ch, {}, out.data()).ok(), boundary) << n;
    }
    // A segment past the last pass is corrupt.
    std::vector<uint8_t> more = full;
    rcc::AppendSegment(v0->segments.back().data, v0->segments.back().size, &more);
    EXPECT_EQ(DecodeImage(net_, more.data(), more.size(), w, h, ch, {}, out.data()).code(), DC_ERR_CORRUPT);
    // Flipped bytes inside the pass segments: an error, never a crash.
    int failed = 0, tries = 0;
    for (size_t i = ends[3] + 2; i < full.size(); i += 11, ++tries) {
      std::vector<uint8_t> bad = full;
      bad[i] ^= 0x5A;
      failed += !DecodeImage(net_, bad.data(), bad.size(), w, h, ch, {}, out.data()).ok();
    }
    EXPECT_GE(failed * 10, tries * 9);
  }
}

TEST_F(ImageLossyRev2Test, OutputDoesNotDependOnThreads) {
  const auto px = Photo(48, 40, 3);
  std::vector<uint8_t> files[2], images[2][2];
  for (int t = 0; t < 2; ++t) {
    EncodeOptions o = opt_;
    o.threads = t + 1;
    o.max_steps = 5;  // latent steps and two passes: lossy
    ASSERT_TRUE(EncodeImage(net_, {px.data(), 48, 40, 3}, o, &files[t], nullptr).ok());
  }
  EXPECT_EQ(files[0], files[1]);
  for (int t = 0; t < 2; ++t) {
    DecodeOptions d;
    d.threads = t + 1;
    images[0][t].resize(px.size());
    ASSERT_TRUE(DecodeImage(net_, files[0].data(), files[0].size(), 48, 40, 3, d, images[0][t].data()).ok());
  }
  EXPECT_EQ(images[0][0], images[0][1]);
  EXPECT_NE(images[0][0], px);
}

TEST_F(ImageLossyRev2Test, RevisionsAndStepListsAreChecked) {
  const auto px = Photo(16, 16, 3);
  std::vector<uint8_t> p;
  EncodeOptions o = opt_;
  o.revision = kRevision1;  // revision 1 has no passes
  EXPECT_EQ(EncodeImage(net_, {px.data(), 16, 16, 3}, o, &p, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  o.refine_steps.clear();  // revision 1 without passes: the revision 1 bytes
  ASSERT_TRUE(EncodeImage(net_, {px.data(), 16, 16, 3}, o, &p, nullptr).ok());
  EncodeOptions o2 = opt_;
  o2.refine_steps.clear();
  std::vector<uint8_t> p2;
  ASSERT_TRUE(EncodeImage(net_, {px.data(), 16, 16, 3}, o2, &p2, nullptr).ok());
  EXPECT_EQ(p, p2);
  o.revision = 3;
  EXPECT_EQ(EncodeImage(net_, {px.data(), 16, 16, 3}, o, &p, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  for (const std::vector<int>& bad : std::vector<std::vector<int>>{{12, 6}, {8, 2}, {256}, {0}, {1, 1}, {8, 4, 2, 1, 0}}) {
    EncodeOptions b = opt_;
    b.refine_steps = bad;
    EXPECT_EQ(EncodeImage(net_, {px.data(), 16, 16, 3}, b, &p, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  }
  // Header: pass list round trip; a bad list, a zero count or a cut list is refused.
  Schedule s = DefaultSchedule();
  s.refine_steps = refine::DefaultSteps();
  const auto h = WriteHeader(s);
  auto back = ParseHeader(h.data(), h.size(), kRevision2);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->refine_steps, s.refine_steps);
  EXPECT_EQ(ParseHeader(h.data(), h.size(), kRevision1).status().code(), DC_ERR_RESERVED_BITS);
  EXPECT_EQ(ParseHeader(h.data(), h.size() - 1, kRevision2).status().code(), DC_ERR_TRUNCATED);
  auto bad = h;
  bad[bad.size() - 1] = 3;  // last step not half of the one before
  EXPECT_EQ(ParseHeader(bad.data(), bad.size(), kRevision2).status().code(), DC_ERR_CORRUPT);
  bad = h;
  bad[bad.size() - 1 - s.refine_steps.size()] = 0;  // zero passes with the flag set
  EXPECT_EQ(ParseHeader(bad.data(), bad.size(), kRevision2).status().code(), DC_ERR_CORRUPT);
  bad = h;
  bad[1] |= 4;
  EXPECT_EQ(ParseHeader(bad.data(), bad.size(), kRevision2).status().code(), DC_ERR_RESERVED_BITS);
}

TEST(ImageLossyRev2, QualityToSegments) {
  EXPECT_EQ(SegmentsForQuality(100, kRevision1, 12, 0), 12);
  EXPECT_EQ(SegmentsForQuality(75, kRevision1, 12, 0), 9);
  EXPECT_EQ(SegmentsForQuality(0, kRevision2, 12, 5), 0);
  EXPECT_EQ(SegmentsForQuality(40, kRevision2, 12, 5), 6);
  EXPECT_EQ(SegmentsForQuality(75, kRevision2, 12, 5), 11);  // the default: latent steps only
  EXPECT_EQ(SegmentsForQuality(80, kRevision2, 12, 5), 12);
  EXPECT_EQ(SegmentsForQuality(84, kRevision2, 12, 5), 13);
  EXPECT_EQ(SegmentsForQuality(96, kRevision2, 12, 5), 16);
  EXPECT_EQ(SegmentsForQuality(100, kRevision2, 12, 5), 17);
  EXPECT_EQ(SegmentsForQuality(100, kRevision2, 12, 0), 12);
}

}  // namespace
}  // namespace dc::lossy
