// Unit tests for the pure pieces of `diffcomp bench`: rates, spec parsing, aggregation, the
// Markdown and SVG reports, and the child-process runner (on /bin/true and sh only; no codec).
// The test binary links the diffcomp_bench library that the CLI uses.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "programs/bench_codecs.h"
#include "programs/bench_internal.h"
#include "programs/svg_chart.h"

namespace dc::bench {
namespace {

TEST(BenchRate, BitsPerUnit) {
  EXPECT_DOUBLE_EQ(BitsPerUnit(1000, 8000), 1.0);
  // A Kodak image: 768 x 512 x 3 sub-pixels in 393216 bytes is 8/3 bits per sub-pixel.
  EXPECT_NEAR(BitsPerUnit(393216, 768ull * 512 * 3), 8.0 / 3.0, 1e-12);
  EXPECT_TRUE(std::isnan(BitsPerUnit(10, 0)));
  EXPECT_DOUBLE_EQ(BitsPerUnit(0, 5), 0.0);
}

TEST(BenchSpec, PlainAndLossy) {
  auto plain = ParseCodecSpec(" zstd-19 ");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->family, "zstd-19");
  EXPECT_EQ(plain->param, 0);

  auto jxl = ParseCodecSpec("cjxl:d1.0");
  ASSERT_TRUE(jxl.ok());
  EXPECT_EQ(jxl->family, "cjxl");
  EXPECT_EQ(jxl->param, 'd');
  EXPECT_DOUBLE_EQ(jxl->value, 1.0);
  EXPECT_EQ(jxl->value_text, "1.0");

  auto avif = ParseCodecSpec("avif:q30");
  ASSERT_TRUE(avif.ok());
  EXPECT_EQ(avif->param, 'q');
  EXPECT_DOUBLE_EQ(avif->value, 30);
}

TEST(BenchSpec, RejectsMalformed) {
  for (const char* bad : {"", "   ", "cjpeg:", "cjpeg:q", "cjpeg:x75", "cjpeg:qabc", ":q75",
                          "cjpeg:q1e3", "cjpeg:qnan", "cjpeg:q-5", "cjpeg:q 75"}) {
    const auto s = ParseCodecSpec(bad);
    EXPECT_FALSE(s.ok()) << "'" << bad << "'";
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), DC_ERR_INVALID_ARGUMENT) << bad;
    }
  }
}

TEST(BenchSpec, SplitCommaList) {
  const std::vector<std::string> got = SplitCommaList({"a,b", " c ", ",,d,", ""});
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(BenchSpec, MakeCodecNamesAndRanges) {
  const CodecContext ctx;
  auto make = [&](const std::string& text) {
    auto spec = ParseCodecSpec(text);
    EXPECT_TRUE(spec.ok()) << text;
    return MakeCodec(*spec, ctx);
  };
  {
    auto c = make("cjpeg:q75");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ((*c)->name(), "cjpeg-q75");
    EXPECT_TRUE((*c)->lossy());
    EXPECT_TRUE((*c)->AppliesTo(Category::kImage));
    EXPECT_FALSE((*c)->AppliesTo(Category::kAudio));
  }
  {
    auto c = make("cjxl:d1.0");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ((*c)->name(), "cjxl-d1.0");
  }
  {
    auto c = make("avif:q30");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ((*c)->name(), "avif-s6-q30");  // the speed is part of the name
  }
  {
    auto c = make("zstd-19");
    ASSERT_TRUE(c.ok());
    EXPECT_FALSE((*c)->lossy());
    EXPECT_FALSE((*c)->ours());
    EXPECT_EQ((*c)->EncodeCommand(), "zstd -19 -q -f --no-progress -o OUT IN");
  }
  {
    auto c = make("huffman");
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE((*c)->ours());
    EXPECT_TRUE((*c)->AppliesTo(Category::kBytes));
  }
  EXPECT_EQ(make("cjpeg:q101").status().code(), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(make("avif:q30.5").status().code(), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(make("cjxl:q75").status().code(), DC_ERR_INVALID_ARGUMENT);  // cjxl takes d
  EXPECT_EQ(make("cjpeg").status().code(), DC_ERR_INVALID_ARGUMENT);     // needs a setting
  EXPECT_EQ(make("no-such-codec").status().code(), DC_ERR_UNKNOWN_CODEC);
  EXPECT_EQ(make("zstd-19:q3").status().code(), DC_ERR_UNKNOWN_CODEC);
}

TEST(BenchSpec, GroupsExpandWithoutDuplicates) {
  EXPECT_EQ(ExpandCodecGroups({"ours"}),
            (std::vector<std::string>{"huffman", "lzw", "image-lossless", "signal-lossless"}));
  const std::vector<std::string> all = ExpandCodecGroups({"zstd-19", "lossless", "lossy"});
  EXPECT_EQ(all.front(), "zstd-19");
  EXPECT_EQ(std::count(all.begin(), all.end(), "zstd-19"), 1);
  EXPECT_NE(std::find(all.begin(), all.end(), "cjpeg:q75"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "x264-qp0"), all.end());
}

Record Fake(const std::string& file, const std::string& codec, uint64_t bytes, bool ok,
            Category cat = Category::kImage) {
  Record r;
  r.file = file;
  r.codec = codec;
  r.category = cat;
  r.units = 1000;
  r.input_bytes = 1000;
  r.work_mega = 1.0;
  r.ok = ok;
  r.compressed_bytes = bytes;
  r.rate = ok ? BitsPerUnit(bytes, r.units) : kNaN;
  r.enc = {true, 2.0, 2.0, 1024, true};
  r.dec = {true, 0.5, 0.5, 2048, true};
  if (!ok) r.error = "exit 1 | oops";
  return r;
}

std::vector<Record> FakeRecords() {
  std::vector<Record> rs = {Fake("a.png", "gzip-9", 600, true), Fake("a.png", "zstd-19", 500, true),
                            Fake("b.png", "gzip-9", 500, true), Fake("b.png", "zstd-19", 0, false),
                            Fake("x.csv", "zstd-19", 250, true, Category::kBytes)};
  Record lossy = Fake("a.png", "cjpeg-q75", 100, true);
  lossy.lossy = true;
  lossy.psnr = 34.0;
  lossy.ms_ssim = 0.98;
  rs.push_back(lossy);
  return rs;
}

TEST(BenchAggregate, SumsBytesOverUnitsAndSorts) {
  const std::vector<Aggregate> aggs = AggregateRecords(FakeRecords());
  ASSERT_EQ(aggs.size(), 4u);
  // image lossless, sorted by rate: zstd-19 (only a.png succeeded: 500 B / 1000) first.
  EXPECT_EQ(aggs[0].codec, "zstd-19");
  EXPECT_EQ(aggs[0].category, Category::kImage);
  EXPECT_EQ(aggs[0].files_ok, 1);
  EXPECT_EQ(aggs[0].files_total, 2);
  EXPECT_DOUBLE_EQ(aggs[0].rate, 4.0);
  EXPECT_EQ(aggs[1].codec, "gzip-9");
  EXPECT_DOUBLE_EQ(aggs[1].rate, 8.0 * 1100 / 2000);
  EXPECT_DOUBLE_EQ(aggs[1].enc_seconds, 4.0);
  EXPECT_DOUBLE_EQ(aggs[1].enc_speed, 0.5);  // 2 MP in 4 s
  EXPECT_EQ(aggs[1].dec_peak_rss_kb, 2048);
  // Then image lossy, then bytes.
  EXPECT_EQ(aggs[2].codec, "cjpeg-q75");
  EXPECT_TRUE(aggs[2].lossy);
  EXPECT_DOUBLE_EQ(aggs[2].psnr_mean, 34.0);
  EXPECT_EQ(aggs[3].category, Category::kBytes);
  EXPECT_DOUBLE_EQ(aggs[3].rate, 2.0);
}

TEST(BenchReport, MarkdownTablesAndPerFile) {
  const std::vector<Record> rs = FakeRecords();
  const std::vector<Aggregate> aggs = AggregateRecords(rs);
  const std::string summary = RenderMarkdown(aggs, {}, {"a note"});
  EXPECT_NE(summary.find("### image, lossless: bits per sub-pixel (bpsp)"), std::string::npos);
  EXPECT_NE(summary.find("### image, lossy"), std::string::npos);
  EXPECT_NE(summary.find("### bytes, lossless: bits per byte (bpB)"), std::string::npos);
  EXPECT_NE(summary.find("mean PSNR dB"), std::string::npos);
  const size_t zstd = summary.find("| zstd-19 | 1/2 (failures) |");
  const size_t gzip = summary.find("| gzip-9 | 2 |");
  ASSERT_NE(zstd, std::string::npos);
  ASSERT_NE(gzip, std::string::npos);
  EXPECT_LT(zstd, gzip);
  EXPECT_NE(summary.find("- a note"), std::string::npos);
  EXPECT_EQ(summary.find("### Per file"), std::string::npos);

  const std::string full = RenderMarkdown(aggs, rs, {});
  EXPECT_NE(full.find("### Per file"), std::string::npos);
  // The '|' inside the error text must not break the table.
  EXPECT_NE(full.find("error: exit 1 \\| oops"), std::string::npos);

  std::vector<Record> bad = {Fake("c.png", "lzw", 10, false)};
  bad[0].verify_failed = true;
  bad[0].error = "first difference at byte 7";
  bad[0].ours = true;
  const std::string v = RenderMarkdown(AggregateRecords(bad), bad, {});
  EXPECT_NE(v.find("VERIFY FAILED: first difference at byte 7"), std::string::npos);
  EXPECT_NE(v.find("**lzw**"), std::string::npos);
}

TEST(BenchReport, SvgChart) {
  std::vector<Record> rs = FakeRecords();
  rs.push_back(Fake("a.png", "we<ird>&name", 300, true));
  const std::string svg = RenderRateChartSvg(AggregateRecords(rs), "title & more");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_NE(svg.find("title &amp; more"), std::string::npos);
  EXPECT_NE(svg.find("we&lt;ird&gt;&amp;name"), std::string::npos);
  EXPECT_EQ(svg.find("we<ird"), std::string::npos);
  // One background, three legend swatches, one bar per aggregate (5).
  size_t rects = 0;
  for (size_t p = svg.find("<rect "); p != std::string::npos; p = svg.find("<rect ", p + 1))
    ++rects;
  EXPECT_EQ(rects, 1u + 3u + 5u);
  EXPECT_NE(svg.find("image, lossless: bits per sub-pixel"), std::string::npos);
}

TEST(BenchProcess, ExitCodes) {
  auto t = RunProcess({"/bin/true"}, {});
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_TRUE(t->ok());
  EXPECT_EQ(t->exit_code, 0);
  EXPECT_GE(t->wall_seconds, 0.0);
  EXPECT_GT(t->peak_rss_kb, 0);

  // Looked up in PATH by execvp; no shell between us and "sh" itself.
  auto three = RunProcess({"sh", "-c", "exit 3"}, {});
  ASSERT_TRUE(three.ok()) << three.status().message();
  EXPECT_FALSE(three->ok());
  EXPECT_EQ(three->exit_code, 3);
  EXPECT_EQ(three->term_signal, 0);
  EXPECT_EQ(three->Describe(), "exit 3");

  auto killed = RunProcess({"sh", "-c", "kill -9 $$"}, {});
  ASSERT_TRUE(killed.ok());
  EXPECT_EQ(killed->term_signal, 9);
  EXPECT_FALSE(killed->ok());
}

TEST(BenchProcess, MissingProgramIsAnError) {
  auto r = RunProcess({"diffcomp-no-such-program-xyz"}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), DC_ERR_IO);
  EXPECT_NE(r.status().message().find("cannot execute"), std::string::npos);
  EXPECT_EQ(RunProcess({}, {}).status().code(), DC_ERR_INVALID_ARGUMENT);
}

TEST(BenchProcess, RedirectsStdoutAndStderr) {
  char dir[] = "/tmp/bench_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  ProcessOptions po;
  po.stdout_path = std::string(dir) + "/out";
  po.stderr_path = std::string(dir) + "/err";
  auto r = RunProcess({"sh", "-c", "echo hello; echo oops >&2; cat"}, po);  // cat: stdin is empty
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok());
  auto slurp = [](const std::string& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  EXPECT_EQ(slurp(po.stdout_path), "hello\n");
  EXPECT_EQ(slurp(po.stderr_path), "oops\n");
  unlink(po.stdout_path.c_str());
  unlink(po.stderr_path.c_str());
  rmdir(dir);
}

// The reason for the ptrace exit stop: the child's peak memory must not include the harness's.
TEST(BenchProcess, PeakRssExcludesTheHarness) {
  std::vector<char> ballast(96u << 20);
  std::memset(ballast.data(), 1, ballast.size());
  auto r = RunProcess({"/bin/true"}, {});
  ASSERT_TRUE(r.ok());
  if (!r->rss_exact) GTEST_SKIP() << "ptrace not permitted here; ru_maxrss fallback in use";
  EXPECT_LT(r->peak_rss_kb, 48 * 1024) << "the harness's 96 MB leaked into the child's peak RSS";
  EXPECT_EQ(ballast[12345], 1);
}

TEST(BenchProcess, FindInPathAndFormat) {
  EXPECT_FALSE(FindInPath("sh").empty());
  EXPECT_TRUE(FindInPath("diffcomp-no-such-program-xyz").empty());
  EXPECT_EQ(FindInPath("/bin/sh"), "/bin/sh");
  EXPECT_EQ(FormatCommand({"cjxl", "IN", "OUT", "-d", "1.0"}), "cjxl IN OUT -d 1.0");
  EXPECT_EQ(FormatCommand({"a", "b c", "it's", ""}), "a 'b c' 'it'\\''s' ''");
}

}  // namespace
}  // namespace dc::bench
