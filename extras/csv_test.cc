#include "extras/csv.h"

#include <gtest/gtest.h>

#include <string>

#include "extras/file_io.h"

namespace dc::extras {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(Csv, RealTimeSeriesRegenerateByteForByte) {
  for (const char* name : {"co2_mauna_loa_weekly.csv", "sunspots_yearly_1700_2008.csv"}) {
    auto text = ReadFile(std::string(DC_SHARED_DATA) + "/signals/timeseries/" + name);
    ASSERT_TRUE(text.ok()) << name;
    auto t = ParseCsv(text->data(), text->size());
    ASSERT_TRUE(t.ok()) << name << ": " << t.status().message();
    EXPECT_EQ(t->columns, 2u);
    EXPECT_FALSE(t->header.empty());
    EXPECT_EQ(FormatCsv(*t), *text) << name;
  }
  // The co2 file has 59 gaps (shared/data/signals/README.md).
  auto co2 = ReadFile(std::string(DC_SHARED_DATA) + "/signals/timeseries/co2_mauna_loa_weekly.csv");
  auto t = ParseCsv(co2->data(), co2->size());
  int gaps = 0;
  for (uint8_t d : t->decimals) gaps += d == kCsvGap;
  EXPECT_EQ(gaps, 59);
}

TEST(Csv, EdgeCasesRoundTrip) {
  for (const std::string s : {std::string("1,2\n3,4\n"), std::string("a,b\r\n-1.5,0.05\r\n,7\r\n"), std::string("0.001\n-12"),
                              std::string("x\n"), std::string("5,,6\n")}) {
    const auto b = Bytes(s);
    auto t = ParseCsv(b.data(), b.size());
    ASSERT_TRUE(t.ok()) << s << ": " << t.status().message();
    EXPECT_EQ(FormatCsv(*t), b) << s;
  }
}

// A lone header line ending in "\r" without "\n" (found by fuzz_image_io: the header's length
// was counted past the input). It is a header alone, kept verbatim, or refused; never a read
// past the end (ASan) and never other bytes.
TEST(Csv, LoneHeaderLineEndingInCarriageReturn) {
  for (const std::string s : {std::string("\x89;NG\x89PN;NG\x89PNG\r"), std::string("a,b\r"), std::string("a\r")}) {
    const auto b = Bytes(s);
    auto t = ParseCsv(b.data(), b.size());
    if (t.ok()) EXPECT_EQ(FormatCsv(*t), b) << s;
  }
}

TEST(Csv, RejectsWhatCannotBeRegenerated) {
  // A first line that is not numbers is a header kept verbatim, so the bad fields sit in data
  // lines here.
  for (const std::string s : {std::string("1,1\n007,1\n"), std::string("1\n+1\n"), std::string("1\n1e5\n"),
                              std::string("1\n-0\n"), std::string("1,1\n1, 2\n"), std::string("1,2\n3\n"),
                              std::string("1\r\n2\n"), std::string("1\n1.\n"), std::string("a\nb\n"), std::string("")}) {
    const auto b = Bytes(s);
    EXPECT_EQ(ParseCsv(b.data(), b.size()).status().code(), DC_ERR_UNSUPPORTED_FORMAT) << s;
  }
}

}  // namespace
}  // namespace dc::extras
