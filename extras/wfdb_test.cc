#include "extras/wfdb.h"

#include <gtest/gtest.h>

#include <string>

#include "extras/file_io.h"

namespace dc::extras {
namespace {

const std::string kDir = std::string(DC_SHARED_DATA) + "/signals/ecg_mitbih/";

TEST(Wfdb, Record100DecodesAndRebuildsByteForByte) {
  auto hea = ReadFile(kDir + "100.hea");
  auto dat = ReadFile(kDir + "100.dat");
  ASSERT_TRUE(hea.ok() && dat.ok()) << "record 100 missing under " << kDir;
  auto w = DecodeWfdb(hea->data(), hea->size(), dat->data(), dat->size());
  ASSERT_TRUE(w.ok()) << w.status().message();
  // Values stated by shared/data/signals/README.md.
  EXPECT_EQ(w->num_signals, 2u);
  EXPECT_EQ(w->frames, 650000u);
  EXPECT_EQ(w->sampling_hz, 360.0);
  EXPECT_EQ(w->samples[0], 995);
  EXPECT_EQ(w->samples[1], 1011);
  EXPECT_EQ(w->signals[0].checksum, -22131);
  EXPECT_EQ(w->signals[1].description, "V5");
  EXPECT_EQ(w->header_text, *hea);
  auto back = EncodeWfdbDat(*w);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *dat);
}

TEST(Wfdb, OddSampleCountAndTrailerRoundTrip) {
  const std::string hea = "rec 1 250 3\nrec.dat 212 200 12 0 -5 -6 0 x\n";
  Wfdb w;
  w.num_signals = 1;
  w.frames = 3;
  w.samples = {-5, 2047, -2048};
  w.trailer = {0xAB};
  auto dat = EncodeWfdbDat(w);
  ASSERT_TRUE(dat.ok());
  EXPECT_EQ(dat->size(), 3u + 2u + 1u);
  auto back = DecodeWfdb(reinterpret_cast<const uint8_t*>(hea.data()), hea.size(), dat->data(), dat->size());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->samples, w.samples);
  EXPECT_EQ(back->trailer, w.trailer);
  // A non-zero unused nibble after the odd last sample could not be rebuilt: refused, not lost
  // (found by fuzz_image_io).
  auto padded = *dat;
  padded[4] |= 0x20;
  EXPECT_EQ(DecodeWfdb(reinterpret_cast<const uint8_t*>(hea.data()), hea.size(), padded.data(), padded.size())
                .status()
                .code(),
            DC_ERR_UNSUPPORTED_FORMAT);
}

TEST(Wfdb, RejectsBadRecords) {
  auto hea = ReadFile(kDir + "100.hea");
  auto dat = ReadFile(kDir + "100.dat");
  ASSERT_TRUE(hea.ok() && dat.ok());
  EXPECT_EQ(DecodeWfdb(hea->data(), hea->size(), dat->data(), dat->size() - 10).status().code(), DC_ERR_TRUNCATED);
  auto bad = *dat;
  bad[1000] ^= 0x01;  // one sample changes: the checksum no longer matches
  EXPECT_EQ(DecodeWfdb(hea->data(), hea->size(), bad.data(), bad.size()).status().code(), DC_ERR_CORRUPT);
  const std::string other = "rec 1 250 3\nrec.dat 16 200 12 0 0 0 0 x\n";
  EXPECT_EQ(DecodeWfdb(reinterpret_cast<const uint8_t*>(other.data()), other.size(), dat->data(), 8).status().code(),
            DC_ERR_UNSUPPORTED_FORMAT);
  for (const std::string& h : {std::string(""), std::string("# only a comment\n"), std::string("rec 2 250 3\nrec.dat 212 200\n"),
                              std::string("rec x 250 3\n"), std::string("rec 1 250 99999999999999\n")})
    EXPECT_FALSE(DecodeWfdb(reinterpret_cast<const uint8_t*>(h.data()), h.size(), dat->data(), dat->size()).ok()) << h;
}

}  // namespace
}  // namespace dc::extras
