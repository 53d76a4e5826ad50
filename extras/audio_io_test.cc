#include "extras/audio_io.h"
#include "extras/y4m.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "extras/file_io.h"

#ifndef DC_SHARED_DATA
#error "DC_SHARED_DATA must name the shared data folder (the CMake test target defines it)"
#endif

namespace dc::extras {
namespace {

using Bytes = std::vector<uint8_t>;

// ---- WAV builders ------------------------------------------------------------------------

void Put16(Bytes* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v));
  b->push_back(static_cast<uint8_t>(v >> 8));
}
void Put32(Bytes* b, uint32_t v) {
  Put16(b, v & 0xFFFF);
  Put16(b, v >> 16);
}
void PutStr(Bytes* b, const std::string& s) { b->insert(b->end(), s.begin(), s.end()); }

struct Chunk {
  std::string id;
  Bytes body;
};

// RIFF/WAVE from chunks, with pad bytes after odd-sized ones (unless the last pad is omitted).
Bytes BuildWav(const std::vector<Chunk>& chunks, bool pad_last = true) {
  Bytes out;
  PutStr(&out, "RIFF");
  Put32(&out, 0);
  PutStr(&out, "WAVE");
  for (size_t i = 0; i < chunks.size(); ++i) {
    PutStr(&out, chunks[i].id);
    Put32(&out, static_cast<uint32_t>(chunks[i].body.size()));
    out.insert(out.end(), chunks[i].body.begin(), chunks[i].body.end());
    if (chunks[i].body.size() % 2 == 1 && (pad_last || i + 1 < chunks.size())) out.push_back(0);
  }
  const uint32_t riff = static_cast<uint32_t>(out.size() - 8);
  std::memcpy(&out[4], &riff, 4);  // little-endian host assumed, as everywhere in this project
  return out;
}

Bytes FmtPcm(uint32_t channels, uint32_t rate, uint32_t bits, uint16_t tag = 1) {
  Bytes b;
  Put16(&b, tag);
  Put16(&b, channels);
  Put32(&b, rate);
  Put32(&b, rate * channels * bits / 8);
  Put16(&b, channels * bits / 8);
  Put16(&b, bits);
  return b;
}

Bytes FmtExtensible(uint32_t channels, uint32_t rate, uint32_t bits, uint32_t valid_bits,
                    uint16_t subformat) {
  Bytes b = FmtPcm(channels, rate, bits, 0xFFFE);
  Put16(&b, 22);
  Put16(&b, valid_bits);
  Put32(&b, channels == 2 ? 3 : 4);  // channel mask
  Put16(&b, subformat);
  const uint8_t tail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                            0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
  b.insert(b.end(), tail, tail + 14);
  return b;
}

Bytes PcmBytes(const std::vector<int32_t>& samples, uint32_t bits) {
  Bytes b;
  for (const int32_t s : samples) {
    const uint32_t u = bits == 8 ? static_cast<uint32_t>(s + 128) : static_cast<uint32_t>(s);
    for (uint32_t i = 0; i < bits / 8; ++i) b.push_back(static_cast<uint8_t>(u >> (8 * i)));
  }
  return b;
}

std::vector<int32_t> TestSamples(uint32_t bits, size_t n, uint32_t seed) {
  const int64_t lo = -(int64_t{1} << (bits - 1)), hi = (int64_t{1} << (bits - 1)) - 1;
  std::vector<int32_t> v = {static_cast<int32_t>(lo), static_cast<int32_t>(hi), 0, -1, 1};
  std::mt19937_64 rng(seed);
  while (v.size() < n) v.push_back(static_cast<int32_t>(lo + static_cast<int64_t>(rng() % (hi - lo + 1))));
  v.resize(n);
  return v;
}

Bytes ReadShared(const std::string& rel) {
  auto r = ReadFile(std::string(DC_SHARED_DATA) + "/" + rel);
  EXPECT_TRUE(r.ok()) << rel << ": " << r.status().message();
  return r.ok() ? std::move(r).value() : Bytes{};
}

dc_error WavCode(const Bytes& b) { return DecodeWav(b.data(), b.size()).status().code(); }

// ---- WAV tests ---------------------------------------------------------------------------

TEST(WavTest, RealFilesRoundTripByteExact) {
  const std::string dir = std::string(DC_SHARED_DATA) + "/signals/audio";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".wav") continue;
    ++files;
    const std::string name = entry.path().filename().string();
    auto file = ReadFile(entry.path().string());
    ASSERT_TRUE(file.ok()) << name;
    auto wav = DecodeWav(file->data(), file->size());
    ASSERT_TRUE(wav.ok()) << name << ": " << wav.status().message();
    // All are 16-bit PCM (signals/README.md); mono or stereo.
    EXPECT_EQ(wav->bits_per_sample, 16u) << name;
    EXPECT_TRUE(wav->channels == 1 || wav->channels == 2) << name;
    EXPECT_EQ(wav->samples.size(), wav->frames * wav->channels) << name;
    EXPECT_EQ(wav->header.size() + wav->samples.size() * 2 + wav->trailer.size(), file->size());
    auto back = EncodeWav(*wav);
    ASSERT_TRUE(back.ok()) << name << ": " << back.status().message();
    EXPECT_TRUE(*back == *file) << name << " does not round-trip";
  }
  EXPECT_EQ(files, 5);
}

TEST(WavTest, RealFileFacts) {
  const Bytes file = ReadShared("signals/audio/alsa_Front_Center_48k.wav");
  auto wav = DecodeWav(file.data(), file.size());
  ASSERT_TRUE(wav.ok());
  EXPECT_EQ(wav->sample_rate, 48000u);
  EXPECT_EQ(wav->channels, 1u);
  EXPECT_EQ(wav->header.size(), 44u);  // canonical header
  EXPECT_EQ(wav->frames, (file.size() - 44) / 2);
  const Bytes stereo = ReadShared("signals/audio/sonicpi_guit_em9.wav");
  wav = DecodeWav(stereo.data(), stereo.size());
  ASSERT_TRUE(wav.ok());
  EXPECT_EQ(wav->sample_rate, 44100u);
  EXPECT_EQ(wav->channels, 2u);
  // Around 9.97 s (signals/README.md).
  EXPECT_NEAR(static_cast<double>(wav->frames) / 44100.0, 9.97, 0.01);
  // The first 16-bit sample pairs of the data chunk, read by hand: 0, 0, 0, 0, -2, -3.
  ASSERT_GE(wav->samples.size(), 6u);
  EXPECT_EQ(wav->samples[4], -2);
  EXPECT_EQ(wav->samples[5], -3);
}

TEST(WavTest, AllSampleSizesRoundTrip) {
  for (const uint32_t bits : {8u, 16u, 24u, 32u}) {
    for (const uint32_t channels : {1u, 2u, 3u}) {
      const std::vector<int32_t> samples = TestSamples(bits, 3 * 41, bits + channels);
      const std::vector<int32_t> used(samples.begin(), samples.begin() + channels * 41);
      const Bytes file = BuildWav({{"fmt ", FmtPcm(channels, 22050, bits)},
                                   {"data", PcmBytes(used, bits)}});
      auto wav = DecodeWav(file.data(), file.size());
      ASSERT_TRUE(wav.ok()) << bits << ": " << wav.status().message();
      EXPECT_EQ(wav->bits_per_sample, bits);
      EXPECT_EQ(wav->channels, channels);
      EXPECT_EQ(wav->sample_rate, 22050u);
      EXPECT_EQ(wav->frames, 41u);
      EXPECT_EQ(wav->samples, used) << bits << "-bit";
      // Only the pad byte of an odd-sized data chunk (8-bit, odd channel count) follows.
      EXPECT_EQ(wav->trailer.size(), (channels * 41 * bits / 8) % 2);
      auto back = EncodeWav(*wav);
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(*back, file) << bits << "-bit";
    }
  }
}

TEST(WavTest, EightBitIsOffsetBinary) {
  const Bytes file = BuildWav({{"fmt ", FmtPcm(1, 8000, 8)}, {"data", Bytes{0, 128, 255, 127}}});
  auto wav = DecodeWav(file.data(), file.size());
  ASSERT_TRUE(wav.ok());
  EXPECT_EQ(wav->samples, (std::vector<int32_t>{-128, 0, 127, -1}));
}

TEST(WavTest, ExtraChunksAndOddSizesAreKeptVerbatim) {
  const std::vector<int32_t> samples = TestSamples(8, 7, 1);  // 7 bytes: odd data chunk
  Bytes list;
  PutStr(&list, "INFOISFT");
  Put32(&list, 3);
  PutStr(&list, "ab");
  list.push_back(0);  // LIST body of 15 bytes: odd, so padded
  const std::vector<Chunk> chunks = {{"LIST", list},
                                     {"fmt ", FmtPcm(1, 11025, 8)},
                                     {"fact", Bytes{1, 2, 3}},
                                     {"data", PcmBytes(samples, 8)},
                                     {"junk", Bytes{9, 8, 7, 6, 5}},
                                     {"id3 ", Bytes{1, 2}}};
  const Bytes file = BuildWav(chunks);
  auto wav = DecodeWav(file.data(), file.size());
  ASSERT_TRUE(wav.ok()) << wav.status().message();
  EXPECT_EQ(wav->samples, samples);
  // Header: RIFF (12) + LIST (8 + 15 + pad) + fmt (24) + fact (8 + 3 + pad) + data header (8).
  EXPECT_EQ(wav->header.size(), 12u + 24 + 24 + 12 + 8);
  // Trailer: data pad byte + junk (8 + 5 + pad) + id3 (8 + 2).
  EXPECT_EQ(wav->trailer.size(), 1u + 14 + 10);
  auto back = EncodeWav(*wav);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, file);

  // The same with 24-bit stereo samples.
  const std::vector<int32_t> s24 = TestSamples(24, 2 * 9, 2);
  const Bytes file24 = BuildWav({{"fmt ", FmtPcm(2, 96000, 24)},
                                 {"LIST", list},
                                 {"data", PcmBytes(s24, 24)},
                                 {"LIST", list}});
  wav = DecodeWav(file24.data(), file24.size());
  ASSERT_TRUE(wav.ok()) << wav.status().message();
  EXPECT_EQ(wav->samples, s24);
  back = EncodeWav(*wav);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, file24);
}

TEST(WavTest, MissingFinalPadByteIsTolerated) {
  const std::vector<int32_t> samples = TestSamples(8, 5, 3);
  const Bytes file = BuildWav({{"fmt ", FmtPcm(1, 8000, 8)}, {"data", PcmBytes(samples, 8)}},
                              /*pad_last=*/false);
  auto wav = DecodeWav(file.data(), file.size());
  ASSERT_TRUE(wav.ok()) << wav.status().message();
  EXPECT_EQ(wav->samples, samples);
  EXPECT_EQ(*EncodeWav(*wav), file);
}

TEST(WavTest, PartialLastFrameGoesToTrailer) {
  Bytes data = PcmBytes(TestSamples(16, 20, 4), 16);  // 10 stereo frames
  data.push_back(0x12);
  data.push_back(0x34);  // half a frame
  const Bytes file = BuildWav({{"fmt ", FmtPcm(2, 8000, 16)}, {"data", data}});
  auto wav = DecodeWav(file.data(), file.size());
  ASSERT_TRUE(wav.ok());
  EXPECT_EQ(wav->frames, 10u);
  EXPECT_EQ(wav->trailer, (Bytes{0x12, 0x34}));
  EXPECT_EQ(*EncodeWav(*wav), file);
}

TEST(WavTest, ExtensiblePcm) {
  const std::vector<int32_t> samples = TestSamples(24, 2 * 16, 5);
  const Bytes file = BuildWav({{"fmt ", FmtExtensible(2, 48000, 24, 20, 1)},
                               {"data", PcmBytes(samples, 24)}});
  auto wav = DecodeWav(file.data(), file.size());
  ASSERT_TRUE(wav.ok()) << wav.status().message();
  EXPECT_EQ(wav->bits_per_sample, 24u);
  EXPECT_EQ(wav->samples, samples);
  EXPECT_EQ(*EncodeWav(*wav), file);

  const Bytes floats = BuildWav({{"fmt ", FmtExtensible(2, 48000, 32, 32, 3)},
                                 {"data", Bytes(64, 0)}});
  EXPECT_EQ(WavCode(floats), DC_ERR_UNSUPPORTED_FORMAT);
  Bytes short_ext = FmtExtensible(1, 8000, 16, 16, 1);
  short_ext.resize(30);
  EXPECT_EQ(WavCode(BuildWav({{"fmt ", short_ext}, {"data", Bytes(4, 0)}})), DC_ERR_CORRUPT);
}

TEST(WavTest, UnsupportedEncodings) {
  EXPECT_EQ(WavCode(BuildWav({{"fmt ", FmtPcm(1, 8000, 32, 3)}, {"data", Bytes(8, 0)}})),
            DC_ERR_UNSUPPORTED_FORMAT);  // IEEE float
  EXPECT_EQ(WavCode(BuildWav({{"fmt ", FmtPcm(1, 8000, 4, 0x11)}, {"data", Bytes(8, 0)}})),
            DC_ERR_UNSUPPORTED_FORMAT);  // IMA ADPCM
  EXPECT_EQ(WavCode(BuildWav({{"fmt ", FmtPcm(1, 8000, 12)}, {"data", Bytes(8, 0)}})),
            DC_ERR_UNSUPPORTED_FORMAT);
  Bytes rifx = BuildWav({{"fmt ", FmtPcm(1, 8000, 16)}, {"data", Bytes(8, 0)}});
  rifx[3] = 'X';
  EXPECT_EQ(WavCode(rifx), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(WavCode(Bytes{'h', 'e', 'l', 'l', 'o'}), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(WavCode(Bytes{'R', 'I', 'F'}), DC_ERR_TRUNCATED);
  EXPECT_EQ(WavCode(Bytes{}), DC_ERR_TRUNCATED);
}

TEST(WavTest, StructuralErrorsAreCorrupt) {
  const Bytes pcm(8, 0);
  Bytes fmt = FmtPcm(2, 8000, 16);
  fmt[12] = 3;  // block align 3 for 2 x 16-bit
  EXPECT_EQ(WavCode(BuildWav({{"fmt ", fmt}, {"data", pcm}})), DC_ERR_CORRUPT);
  EXPECT_EQ(WavCode(BuildWav({{"fmt ", FmtPcm(0, 8000, 16)}, {"data", pcm}})), DC_ERR_CORRUPT);
  EXPECT_EQ(WavCode(BuildWav({{"fmt ", FmtPcm(1, 0, 16)}, {"data", pcm}})), DC_ERR_CORRUPT);
  EXPECT_EQ(WavCode(BuildWav({{"data", pcm}, {"fmt ", FmtPcm(1, 8000, 16)}})), DC_ERR_CORRUPT);
  EXPECT_EQ(WavCode(BuildWav({{"fmt ", FmtPcm(1, 8000, 16)}})), DC_ERR_CORRUPT);
  EXPECT_EQ(WavCode(BuildWav({{"data", pcm}})), DC_ERR_CORRUPT);
  EXPECT_EQ(WavCode(BuildWav({{"fmt ", FmtPcm(1, 8000, 16)}, {"fmt ", FmtPcm(1, 8000, 16)},
                              {"data", pcm}})),
            DC_ERR_CORRUPT);
  EXPECT_EQ(WavCode(BuildWav({{"fmt ", FmtPcm(1, 8000, 16)}, {"data", pcm}, {"data", pcm}})),
            DC_ERR_CORRUPT);
  Bytes short_fmt = FmtPcm(1, 8000, 16);
  short_fmt.resize(14);
  EXPECT_EQ(WavCode(BuildWav({{"fmt ", short_fmt}, {"data", pcm}})), DC_ERR_CORRUPT);
  // A chunk that claims more than the RIFF chunk holds, although the file has the bytes.
  Bytes file = BuildWav({{"fmt ", FmtPcm(1, 8000, 16)}, {"data", pcm}});
  file.insert(file.end(), 100, 0);  // bytes after the RIFF chunk are allowed...
  ASSERT_EQ(WavCode(file), DC_OK);
  file[40] = 50;  // ...but the data chunk may not reach into them
  EXPECT_EQ(WavCode(file), DC_ERR_CORRUPT);
}

TEST(WavTest, EveryTruncationIsAnError) {
  const Bytes file = BuildWav({{"LIST", Bytes(9, 'a')},
                               {"fmt ", FmtPcm(2, 8000, 24)},
                               {"data", PcmBytes(TestSamples(24, 12, 6), 24)},
                               {"junk", Bytes(3, 'z')}});
  ASSERT_EQ(WavCode(file), DC_OK);
  for (size_t n = 0; n < file.size(); ++n) {
    EXPECT_EQ(DecodeWav(file.data(), n).status().code(), DC_ERR_TRUNCATED) << "prefix " << n;
  }
  const Bytes real = ReadShared("signals/audio/sonicpi_drum_roll.wav");
  for (const size_t n : {size_t{20}, size_t{44}, size_t{1001}, real.size() - 1}) {
    EXPECT_EQ(DecodeWav(real.data(), n).status().code(), DC_ERR_TRUNCATED) << n;
  }
}

TEST(WavTest, RandomMutationsNeverCrash) {
  const Bytes file = BuildWav({{"fmt ", FmtExtensible(2, 8000, 16, 16, 1)},
                               {"LIST", Bytes(5, 'q')},
                               {"data", PcmBytes(TestSamples(16, 40, 7), 16)}});
  std::mt19937 rng(8);
  for (int iter = 0; iter < 5000; ++iter) {
    Bytes m = file;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) m[rng() % m.size()] = static_cast<uint8_t>(rng());
    if (iter % 4 == 0) m.resize(rng() % m.size());
    auto wav = DecodeWav(m.data(), m.size());
    if (wav.ok()) {
      auto back = EncodeWav(*wav);
      ASSERT_TRUE(back.ok());
      ASSERT_EQ(*back, m);
    }
  }
}

TEST(WavTest, EncodeRejectsInconsistentInput) {
  Wav wav;
  wav.channels = 1;
  wav.sample_rate = 8000;
  wav.bits_per_sample = 8;
  wav.frames = 2;
  wav.samples = {0, 128};  // 128 does not fit in unsigned 8-bit after the offset
  EXPECT_EQ(EncodeWav(wav).status().code(), DC_ERR_INVALID_ARGUMENT);
  wav.samples = {0, -129};
  EXPECT_EQ(EncodeWav(wav).status().code(), DC_ERR_INVALID_ARGUMENT);
  wav.samples = {127, -128};
  EXPECT_TRUE(EncodeWav(wav).ok());
  wav.bits_per_sample = 24;
  wav.samples = {1 << 23, 0};
  EXPECT_EQ(EncodeWav(wav).status().code(), DC_ERR_INVALID_ARGUMENT);
  wav.samples = {0, 0, 0};
  EXPECT_EQ(EncodeWav(wav).status().code(), DC_ERR_INVALID_ARGUMENT);
  wav.samples = {0, 0};
  wav.bits_per_sample = 12;
  EXPECT_EQ(EncodeWav(wav).status().code(), DC_ERR_INVALID_ARGUMENT);
  wav.bits_per_sample = 32;
  wav.samples = {INT32_MIN, INT32_MAX};
  EXPECT_TRUE(EncodeWav(wav).ok());
  wav.channels = 0;
  EXPECT_EQ(EncodeWav(wav).status().code(), DC_ERR_INVALID_ARGUMENT);
}

// ---- Y4M ---------------------------------------------------------------------------------

Bytes BuildY4m(const std::string& header, const std::vector<std::string>& frame_headers,
               size_t frame_bytes) {
  Bytes out(header.begin(), header.end());
  for (size_t i = 0; i < frame_headers.size(); ++i) {
    PutStr(&out, frame_headers[i]);
    for (size_t j = 0; j < frame_bytes; ++j) out.push_back(static_cast<uint8_t>(i * 31 + j));
  }
  return out;
}

dc_error Y4mCode(const Bytes& b) { return DecodeY4m(b.data(), b.size()).status().code(); }
dc_error Y4mCode(const std::string& s) { return Y4mCode(Bytes(s.begin(), s.end())); }

TEST(Y4mTest, ForemanRoundTripByteExact) {
  const Bytes file = ReadShared("video/foreman_cif_30f.y4m");
  ASSERT_EQ(file.size(), 4562150u);
  auto y4m = DecodeY4m(file.data(), file.size());
  ASSERT_TRUE(y4m.ok()) << y4m.status().message();
  EXPECT_EQ(y4m->width, 352u);
  EXPECT_EQ(y4m->height, 288u);
  EXPECT_EQ(y4m->chroma, 420u);
  EXPECT_EQ(std::string(y4m->header_line.begin(), y4m->header_line.end()),
            "YUV4MPEG2 W352 H288 F30000:1001 Ip A0:0 C420mpeg2\n");
  ASSERT_EQ(y4m->frames.size(), 30u);
  for (size_t i = 0; i < 30; ++i) {
    EXPECT_EQ(y4m->frames[i].size(), 352u * 288 * 3 / 2);
    EXPECT_EQ(std::string(y4m->frame_headers[i].begin(), y4m->frame_headers[i].end()), "FRAME\n");
  }
  auto back = EncodeY4m(*y4m);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(*back == file);
}

TEST(Y4mTest, MobileRoundTripByteExact) {
  const Bytes file = ReadShared("video/mobile_cif_30f.y4m");
  auto y4m = DecodeY4m(file.data(), file.size());
  ASSERT_TRUE(y4m.ok()) << y4m.status().message();
  EXPECT_EQ(y4m->frames.size(), 30u);
  auto back = EncodeY4m(*y4m);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == file);
}

TEST(Y4mTest, ChromaModesAndOddSizes) {
  struct Case {
    std::string header;
    uint32_t chroma;
    size_t frame_bytes;
  };
  const Case cases[] = {
      {"YUV4MPEG2 W5 H3 F25:1\n", 420, 15 + 2 * 3 * 2},  // no C tag: 4:2:0, chroma rounded up
      {"YUV4MPEG2 W5 H3 C420jpeg XYSCSS=420JPEG\n", 420, 27},
      {"YUV4MPEG2 C420paldv W4 H2\n", 420, 8 + 2 * 2 * 1},
      {"YUV4MPEG2 W4 H4 C420\n", 420, 16 + 8},
      {"YUV4MPEG2 W3 H2 C444 Ip\n", 444, 18},
  };
  for (const Case& c : cases) {
    const Bytes file = BuildY4m(c.header, {"FRAME\n", "FRAME Ixyz\n", "FRAME\n"}, c.frame_bytes);
    auto y4m = DecodeY4m(file.data(), file.size());
    ASSERT_TRUE(y4m.ok()) << c.header << y4m.status().message();
    EXPECT_EQ(y4m->chroma, c.chroma);
    ASSERT_EQ(y4m->frames.size(), 3u);
    EXPECT_EQ(y4m->frames[1].size(), c.frame_bytes);
    EXPECT_EQ(std::string(y4m->frame_headers[1].begin(), y4m->frame_headers[1].end()),
              "FRAME Ixyz\n");
    auto back = EncodeY4m(*y4m);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(*back, file);
  }
  // A stream without frames is valid.
  auto empty = DecodeY4m(reinterpret_cast<const uint8_t*>("YUV4MPEG2 W2 H2\n"), 16);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->frames.empty());
}

TEST(Y4mTest, BadHeaders) {
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W4 H4 C422\n"), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W4 H4 Cmono\n"), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W4 H4 C420p10\n"), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W4 C420\n"), DC_ERR_CORRUPT);
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W0 H4\n"), DC_ERR_CORRUPT);
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W4x H4\n"), DC_ERR_CORRUPT);
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W H4\n"), DC_ERR_CORRUPT);
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W100000 H4\n"), DC_ERR_TOO_LARGE);
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W65535 H65535\n"), DC_ERR_TOO_LARGE);
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W99999999999999999999 H4\n"), DC_ERR_TOO_LARGE);
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W4 H4"), DC_ERR_TRUNCATED);
  EXPECT_EQ(Y4mCode("YUV4MP"), DC_ERR_TRUNCATED);
  EXPECT_EQ(Y4mCode("YUV4MPEG W4 H4\n"), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(Y4mCode("YUV4MPEG2 W4 H4 X" + std::string(5000, 'a') + "\n"), DC_ERR_CORRUPT);
}

TEST(Y4mTest, BadFrames) {
  const std::string header = "YUV4MPEG2 W2 H2\n";  // 6-byte frames
  EXPECT_EQ(Y4mCode(BuildY4m(header, {"FRAME\n", "FRAMX\n"}, 6)), DC_ERR_CORRUPT);
  EXPECT_EQ(Y4mCode(BuildY4m(header, {"FRAME\n", "FRAMEX\n"}, 6)), DC_ERR_CORRUPT);
  Bytes junk = BuildY4m(header, {"FRAME\n"}, 6);
  PutStr(&junk, "garbage");
  EXPECT_EQ(Y4mCode(junk), DC_ERR_CORRUPT);
  Bytes long_line = BuildY4m(header, {"FRAME\n"}, 6);
  PutStr(&long_line, "FRAME " + std::string(5000, 'x') + "\n");
  EXPECT_EQ(Y4mCode(long_line), DC_ERR_CORRUPT);
}

TEST(Y4mTest, TruncatedFramesAreErrors) {
  const Bytes file = ReadShared("video/foreman_cif_30f.y4m");
  EXPECT_EQ(DecodeY4m(file.data(), file.size() - 1).status().code(), DC_ERR_TRUNCATED);
  EXPECT_EQ(DecodeY4m(file.data(), file.size() / 2).status().code(), DC_ERR_TRUNCATED);

  const std::string header = "YUV4MPEG2 W3 H3 C420jpeg\n";  // 9 + 2 * 4 = 17-byte frames
  const Bytes small = BuildY4m(header, {"FRAME\n", "FRAME Ia\n", "FRAME\n"}, 17);
  std::vector<size_t> boundaries = {header.size()};
  boundaries.push_back(boundaries.back() + 6 + 17);
  boundaries.push_back(boundaries.back() + 9 + 17);
  boundaries.push_back(boundaries.back() + 6 + 17);
  ASSERT_EQ(boundaries.back(), small.size());
  for (size_t n = 0; n <= small.size(); ++n) {
    auto r = DecodeY4m(small.data(), n);
    const auto at = std::find(boundaries.begin(), boundaries.end(), n);
    if (at != boundaries.end()) {
      // A cut between frames is indistinguishable from a shorter stream.
      ASSERT_TRUE(r.ok()) << "prefix " << n;
      EXPECT_EQ(r->frames.size(), static_cast<size_t>(at - boundaries.begin()));
    } else {
      EXPECT_EQ(r.status().code(), DC_ERR_TRUNCATED) << "prefix " << n;
    }
  }
}

TEST(Y4mTest, FrameCountLimit) {
  // 1x1 4:2:0 frames are 3 bytes, so the limit is reached with a small input.
  const std::string header = "YUV4MPEG2 W1 H1\n";
  Bytes file(header.begin(), header.end());
  const uint8_t frame[9] = {'F', 'R', 'A', 'M', 'E', '\n', 1, 2, 3};
  file.reserve(file.size() + (kMaxY4mFrames + 1) * sizeof(frame));
  for (size_t i = 0; i <= kMaxY4mFrames; ++i) file.insert(file.end(), frame, frame + 9);
  EXPECT_EQ(Y4mCode(file), DC_ERR_TOO_LARGE);
}

TEST(Y4mTest, EncodeRejectsInconsistentInput) {
  const Bytes file = BuildY4m("YUV4MPEG2 W4 H2\n", {"FRAME\n", "FRAME\n"}, 12);
  auto good = DecodeY4m(file.data(), file.size());
  ASSERT_TRUE(good.ok());

  Y4m y = *good;
  y.frames[1].pop_back();
  EXPECT_EQ(EncodeY4m(y).status().code(), DC_ERR_INVALID_ARGUMENT);
  y = *good;
  y.width = 6;
  EXPECT_EQ(EncodeY4m(y).status().code(), DC_ERR_INVALID_ARGUMENT);
  y = *good;
  y.chroma = 444;
  EXPECT_EQ(EncodeY4m(y).status().code(), DC_ERR_INVALID_ARGUMENT);
  y = *good;
  y.frame_headers.pop_back();
  EXPECT_EQ(EncodeY4m(y).status().code(), DC_ERR_INVALID_ARGUMENT);
  y = *good;
  y.frame_headers[0] = {'F', 'R', 'A', 'M', 'E'};
  EXPECT_EQ(EncodeY4m(y).status().code(), DC_ERR_INVALID_ARGUMENT);
  y = *good;
  y.frame_headers[0] = {'F', 'R', 'A', 'M', 'E', ' ', '\n', 'x', '\n'};
  EXPECT_EQ(EncodeY4m(y).status().code(), DC_ERR_INVALID_ARGUMENT);
  y = *good;
  y.header_line.pop_back();
  EXPECT_EQ(EncodeY4m(y).status().code(), DC_ERR_INVALID_ARGUMENT);
  y = Y4m{};
  EXPECT_EQ(EncodeY4m(y).status().code(), DC_ERR_INVALID_ARGUMENT);
}

TEST(Y4mTest, RandomMutationsNeverCrash) {
  const Bytes file = BuildY4m("YUV4MPEG2 W3 H3 C444\n", {"FRAME\n", "FRAME Ix\n"}, 27);
  std::mt19937 rng(9);
  for (int iter = 0; iter < 5000; ++iter) {
    Bytes m = file;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) m[rng() % m.size()] = static_cast<uint8_t>(rng());
    if (iter % 4 == 0) m.resize(rng() % m.size());
    auto y4m = DecodeY4m(m.data(), m.size());
    if (y4m.ok()) {
      auto back = EncodeY4m(*y4m);
      ASSERT_TRUE(back.ok()) << back.status().message();
      ASSERT_EQ(*back, m);
    }
  }
}

}  // namespace
}  // namespace dc::extras
