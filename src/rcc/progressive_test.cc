#include "rcc/progressive.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace dc::rcc {
namespace {

std::vector<uint8_t> MakePayload(std::vector<size_t>* ends) {
  std::vector<uint8_t> p;
  const uint8_t header[] = {1, 2, 3, 4, 5};
  BeginProgressive(header, sizeof(header), &p);
  ends->push_back(p.size());
  for (size_t len : {1u, 130u, 0u, 7u, 300u}) {
    std::vector<uint8_t> seg(len, static_cast<uint8_t>(len));
    AppendSegment(seg.data(), seg.size(), &p);
    ends->push_back(p.size());
  }
  return p;
}

TEST(Progressive, ParseGivesTheParts) {
  std::vector<size_t> ends;
  const auto p = MakePayload(&ends);
  auto v = ParseProgressive(p.data(), p.size());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->header.size, 5u);
  EXPECT_EQ(v->header.data[4], 5);
  ASSERT_EQ(v->segments.size(), 5u);
  EXPECT_EQ(v->segments[1].size, 130u);
  EXPECT_EQ(v->segments[1].data[129], 130);
  EXPECT_EQ(v->segments[2].size, 0u);
  EXPECT_EQ(v->segments[4].size, 300u);
}

TEST(Progressive, EveryPrefixIsWholeSegmentsOrAnError) {
  std::vector<size_t> ends;
  const auto p = MakePayload(&ends);
  for (size_t len = 0; len <= p.size(); ++len) {
    auto v = ParseProgressive(p.data(), len);
    const bool boundary = std::find(ends.begin(), ends.end(), len) != ends.end();
    if (boundary) {
      ASSERT_TRUE(v.ok()) << len;
      EXPECT_EQ(v->segments.size(), static_cast<size_t>(std::find(ends.begin(), ends.end(), len) - ends.begin()));
    } else {
      ASSERT_FALSE(v.ok()) << len;
      EXPECT_EQ(v.status().code(), DC_ERR_TRUNCATED) << len;
    }
  }
}

TEST(Progressive, CutKeepsTheLongestFittingPrefix) {
  std::vector<size_t> ends;
  const auto p = MakePayload(&ends);
  for (size_t budget = 0; budget <= p.size() + 3; ++budget) {
    auto cut = CutProgressive(p.data(), p.size(), budget);
    if (budget < ends[0]) {
      EXPECT_EQ(cut.status().code(), DC_ERR_INVALID_ARGUMENT) << budget;
      continue;
    }
    ASSERT_TRUE(cut.ok()) << budget;
    size_t want = 0;
    for (size_t e : ends)
      if (e <= budget) want = e;
    EXPECT_EQ(*cut, want) << budget;
    EXPECT_TRUE(ParseProgressive(p.data(), *cut).ok());
  }
  // A damaged payload is not cut.
  EXPECT_EQ(CutProgressive(p.data(), p.size() - 1, 100).status().code(), DC_ERR_TRUNCATED);
}

}  // namespace
}  // namespace dc::rcc
