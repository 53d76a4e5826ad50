// Signal files -> content -> the same files, byte for byte, on the real data and on edge cases;
// damaged side data is an error.
#include "extras/signal_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "extras/file_io.h"

#ifndef DC_SHARED_DATA
#error "DC_SHARED_DATA must name the shared data folder (the CMake test target defines it)"
#endif

namespace dc::extras {
namespace {

const std::string kData = std::string(DC_SHARED_DATA) + "/signals/";

dc_content Content(const SignalFile& s) {
  dc_content c{};
  c.kind = DC_KIND_SIGNAL;
  c.format = s.format;
  c.data = reinterpret_cast<const uint8_t*>(s.samples.data());
  c.size = s.samples.size() * 4;
  c.width = static_cast<uint32_t>(s.frames);
  c.height = 1;
  c.channels = s.channels;
  c.bit_depth = static_cast<uint32_t>(s.bit_depth);
  c.side = s.side.data();
  c.side_size = s.side.size();
  return c;
}

std::string TempPath(const std::string& name) {
  return "/tmp/dc_signal_io_" + std::to_string(::getpid()) + "_" + name;
}

TEST(SignalIo, RealFilesRebuildByteForByte) {
  for (const char* rel : {"audio/sonicpi_guit_em9.wav", "audio/asterisk_allison_demo-congrats_8k.wav",
                          "timeseries/co2_mauna_loa_weekly.csv", "timeseries/sunspots_yearly_1700_2008.csv"}) {
    auto s = ReadSignalFile(kData + rel);
    ASSERT_TRUE(s.ok()) << rel << ": " << s.status().message();
    EXPECT_GT(s->frames, 300u);
    EXPECT_GE(s->bit_depth, 2);
    auto files = BuildSignalFiles(Content(*s), "out");
    ASSERT_TRUE(files.ok()) << files.status().message();
    ASSERT_EQ(files->size(), 1u);
    auto orig = ReadFile(kData + rel);
    ASSERT_TRUE(orig.ok());
    EXPECT_TRUE((*files)[0].second == *orig) << rel;
  }
  // co2: 59 gaps, given the previous value of their column; the side data stays small.
  auto co2 = ReadSignalFile(kData + "timeseries/co2_mauna_loa_weekly.csv");
  ASSERT_TRUE(co2.ok());
  EXPECT_EQ(co2->channels, 2u);
  EXPECT_EQ(co2->frames, 2284u);
  EXPECT_LT(co2->side.size(), 600u);
}

TEST(SignalIo, WfdbRecordRebuildsHeaderAndSignalFile) {
  auto s = ReadSignalFile(kData + "ecg_mitbih/100.hea");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->format, DC_FORMAT_WFDB);
  EXPECT_EQ(s->channels, 2u);
  EXPECT_EQ(s->frames, 650000u);
  EXPECT_EQ(s->bit_depth, 12);
  auto files = BuildSignalFiles(Content(*s), "dir/x.hea");
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].first, "dir/x.hea");
  EXPECT_EQ((*files)[1].first, "dir/100.dat");  // the name the header gives
  EXPECT_TRUE((*files)[0].second == *ReadFile(kData + "ecg_mitbih/100.hea"));
  EXPECT_TRUE((*files)[1].second == *ReadFile(kData + "ecg_mitbih/100.dat"));
}

TEST(SignalIo, RawSamplesWithTrailingBytes) {
  const std::vector<uint8_t> bytes = {0x01, 0x80, 0xFF, 0x7F, 0x00, 0x00, 0x34, 0x12, 0xAB};
  const std::string p = TempPath("raw.s16");
  ASSERT_TRUE(WriteFileAtomic(p, bytes.data(), bytes.size(), true).ok());
  auto s16 = ReadSignalFile(p, DC_FORMAT_RAW_S16LE, 2);
  ASSERT_TRUE(s16.ok()) << s16.status().message();
  EXPECT_EQ(s16->frames, 2u);
  EXPECT_EQ(s16->samples, (std::vector<int32_t>{-32767, 32767, 0, 0x1234}));
  auto f16 = BuildSignalFiles(Content(*s16), "o");
  ASSERT_TRUE(f16.ok());
  EXPECT_TRUE((*f16)[0].second == bytes);
  auto s32 = ReadSignalFile(p, DC_FORMAT_RAW_S32LE, 1);
  ASSERT_TRUE(s32.ok());
  EXPECT_EQ(s32->frames, 2u);
  EXPECT_EQ(s32->samples[0], static_cast<int32_t>(0x7FFF8001u));
  auto f32 = BuildSignalFiles(Content(*s32), "o");
  ASSERT_TRUE(f32.ok());
  EXPECT_TRUE((*f32)[0].second == bytes);
  const std::vector<uint8_t> one = {0x01};
  ASSERT_TRUE(WriteFileAtomic(p, one.data(), one.size(), true).ok());
  EXPECT_EQ(ReadSignalFile(p, DC_FORMAT_RAW_S16LE, 1).status().code(), DC_ERR_UNSUPPORTED_FORMAT);
  std::remove(p.c_str());
}

TEST(SignalIo, DamagedSideDataIsAnError) {
  auto s = ReadSignalFile(kData + "timeseries/sunspots_yearly_1700_2008.csv");
  ASSERT_TRUE(s.ok());
  dc_content c = Content(*s);
  // Every truncation of the side data, a wrong format, a wrong tag and trailing bytes.
  for (size_t n = 0; n < s->side.size(); ++n) {
    c.side_size = n;
    EXPECT_FALSE(BuildSignalFiles(c, "o").ok()) << n;
  }
  c.side_size = s->side.size();
  c.format = DC_FORMAT_WAV;
  EXPECT_EQ(BuildSignalFiles(c, "o").status().code(), DC_ERR_CORRUPT);
  c.format = DC_FORMAT_CSV;
  std::vector<uint8_t> longer = s->side;
  longer.push_back(0);
  c.side = longer.data();
  c.side_size = longer.size();
  EXPECT_EQ(BuildSignalFiles(c, "o").status().code(), DC_ERR_CORRUPT);
  std::vector<uint8_t> tagged = s->side;
  tagged[0] = 'Z';
  c.side = tagged.data();
  c.side_size = tagged.size();
  EXPECT_EQ(BuildSignalFiles(c, "o").status().code(), DC_ERR_CORRUPT);
}

TEST(SignalIo, UnknownFilesAreUnsupported) {
  const std::string p = TempPath("x.txt");
  const std::vector<uint8_t> text = {'h', 'i'};
  ASSERT_TRUE(WriteFileAtomic(p, text.data(), text.size(), true).ok());
  EXPECT_EQ(ReadSignalFile(p).status().code(), DC_ERR_UNSUPPORTED_FORMAT);
  std::remove(p.c_str());
  EXPECT_EQ(ReadSignalFile("/nonexistent/file.wav").status().code(), DC_ERR_IO);
}

}  // namespace
}  // namespace dc::extras
