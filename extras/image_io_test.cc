#include "extras/image_io.h"

#include "common/sha256.h"

#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
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

// ---- SHA-256 (src/common/sha256.h), to check decoded pixels against kodak/README.md -------

struct Sha256 {
  static std::string Hex(const uint8_t* data, size_t size) {
    const auto d = Sha256Of(data, size);
    return ToHex(d.data(), d.size());
  }
};

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256::Hex(nullptr, 0),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string abc = "abc";
  EXPECT_EQ(Sha256::Hex(reinterpret_cast<const uint8_t*>(abc.data()), abc.size()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(Sha256::Hex(reinterpret_cast<const uint8_t*>(two_blocks.data()), two_blocks.size()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

// ---- test PNGs made with libpng itself ---------------------------------------------------

struct PngSpec {
  uint32_t width = 0, height = 0;
  int bit_depth = 8;
  int color_type = PNG_COLOR_TYPE_RGB;
  bool interlaced = false;
  std::vector<png_color> palette;
  std::vector<uint8_t> palette_alpha;  // tRNS for palette images
  bool has_trns_color = false;         // tRNS for gray / RGB images
  png_color_16 trns_color{};
  std::vector<uint32_t> samples;  // width * height * samples-per-pixel, unpacked
};

int SamplesPerPixel(int color_type) {
  switch (color_type) {
    case PNG_COLOR_TYPE_GRAY:
    case PNG_COLOR_TYPE_PALETTE: return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    default: return 4;
  }
}

// Packs one row the way PNG stores it: sub-byte samples MSB first, 16-bit big-endian.
Bytes PackRow(const uint32_t* s, size_t count, int bit_depth) {
  Bytes row;
  if (bit_depth >= 8) {
    for (size_t i = 0; i < count; ++i) {
      if (bit_depth == 16) row.push_back(static_cast<uint8_t>(s[i] >> 8));
      row.push_back(static_cast<uint8_t>(s[i]));
    }
    return row;
  }
  row.assign((count * bit_depth + 7) / 8, 0);
  for (size_t i = 0; i < count; ++i) {
    const size_t bit = i * bit_depth;
    row[bit / 8] |= static_cast<uint8_t>(s[i] << (8 - bit_depth - bit % 8));
  }
  return row;
}

void WriteToVector(png_structp png, png_bytep p, size_t n) {
  auto* out = static_cast<Bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), p, p + n);
}

bool WritePngStage(png_structp png, png_infop info, const PngSpec& spec, png_bytepp rows,
                   Bytes* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, out, WriteToVector, nullptr);
  png_set_IHDR(png, info, spec.width, spec.height, spec.bit_depth, spec.color_type,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty()) {
    png_set_PLTE(png, info, spec.palette.data(), static_cast<int>(spec.palette.size()));
  }
  if (!spec.palette_alpha.empty()) {
    png_set_tRNS(png, info, spec.palette_alpha.data(), static_cast<int>(spec.palette_alpha.size()),
                 nullptr);
  }
  if (spec.has_trns_color) {
    png_color_16 c = spec.trns_color;
    png_set_tRNS(png, info, nullptr, 0, &c);
  }
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

Bytes MakePng(const PngSpec& spec) {
  const size_t per_row = size_t{spec.width} * SamplesPerPixel(spec.color_type);
  std::vector<Bytes> packed;
  for (uint32_t y = 0; y < spec.height; ++y) {
    packed.push_back(PackRow(spec.samples.data() + y * per_row, per_row, spec.bit_depth));
  }
  std::vector<png_bytep> rows;
  for (Bytes& r : packed) rows.push_back(r.data());
  Bytes out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  const bool ok = WritePngStage(png, info, spec, rows.data(), &out);
  png_destroy_write_struct(&png, &info);
  if (!ok) out.clear();
  return out;
}

std::vector<uint32_t> RandomSamples(size_t n, uint32_t max, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> v(n);
  for (uint32_t& x : v) x = rng() % (max + 1);
  return v;
}

Image RandomImage(uint32_t w, uint32_t h, uint32_t c, uint32_t seed) {
  Image img;
  img.width = w;
  img.height = h;
  img.channels = c;
  std::mt19937 rng(seed);
  img.pixels.resize(size_t{w} * h * c);
  // Smooth-ish content plus noise, so that the filters and zlib have something to do.
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    img.pixels[i] = static_cast<uint8_t>((i / c) % w * 3 + (rng() % 16));
  }
  return img;
}

Bytes ReadShared(const std::string& rel) {
  auto r = ReadFile(std::string(DC_SHARED_DATA) + "/" + rel);
  EXPECT_TRUE(r.ok()) << rel << ": " << r.status().message();
  return r.ok() ? std::move(r).value() : Bytes{};
}

void StoreBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Rewrites the CRC of the chunk starting at `pos` (its length field) after an edit; does
// nothing if the (possibly mutated) length runs past the end.
void FixChunkCrc(Bytes* png, size_t pos) {
  if (pos + 12 > png->size()) return;
  const uint32_t len = (uint32_t{(*png)[pos]} << 24) | ((*png)[pos + 1] << 16) |
                       ((*png)[pos + 2] << 8) | (*png)[pos + 3];
  if (len > png->size() - pos - 12) return;
  const uLong crc = crc32(0, png->data() + pos + 4, 4 + len);
  StoreBe32(png->data() + pos + 8 + len, static_cast<uint32_t>(crc));
}

// Offsets of every chunk (its length field) in a PNG.
std::vector<size_t> ChunkOffsets(const Bytes& png, const char* type) {
  std::vector<size_t> out;
  size_t pos = 8;
  while (pos + 12 <= png.size()) {
    const uint32_t len = (uint32_t{png[pos]} << 24) | (png[pos + 1] << 16) | (png[pos + 2] << 8) |
                         png[pos + 3];
    if (std::memcmp(png.data() + pos + 4, type, 4) == 0) out.push_back(pos);
    pos += 12 + len;
  }
  return out;
}

Bytes HeaderOnlyPng(uint32_t width, uint32_t height, uint8_t bit_depth, uint8_t color_type) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  png.resize(16 + 13 + 4, 0);
  StoreBe32(&png[16], width);
  StoreBe32(&png[20], height);
  png[24] = bit_depth;
  png[25] = color_type;
  FixChunkCrc(&png, 8);
  return png;
}

// ---- detection ---------------------------------------------------------------------------

FileType Detect(const std::string& s) {
  return DetectFileType(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(DetectFileTypeTest, MagicBytesOnly) {
  EXPECT_EQ(Detect(std::string("\x89PNG\r\n\x1a\n", 8)), FileType::kPng);
  EXPECT_EQ(Detect(std::string("\x89PNG\r\n\x1a", 7)), FileType::kRaw);
  EXPECT_EQ(Detect("P6\n3 2\n255\n"), FileType::kPpm);
  EXPECT_EQ(Detect("P5 3 2 255 "), FileType::kPgm);
  EXPECT_EQ(Detect("P5\t"), FileType::kPgm);
  EXPECT_EQ(Detect("P6\r"), FileType::kPpm);
  EXPECT_EQ(Detect("P6"), FileType::kRaw);
  EXPECT_EQ(Detect("P63"), FileType::kRaw);
  EXPECT_EQ(Detect("P3\n"), FileType::kRaw);  // ASCII PPM is not supported
  EXPECT_EQ(Detect(std::string("RIFF\0\0\0\0WAVE", 12)), FileType::kWav);
  EXPECT_EQ(Detect(std::string("RIFF\0\0\0\0AVI ", 12)), FileType::kRaw);
  EXPECT_EQ(Detect(std::string("RIFF\0\0\0\0WAV", 11)), FileType::kRaw);
  EXPECT_EQ(Detect("YUV4MPEG2 W2 H2\n"), FileType::kY4m);
  EXPECT_EQ(Detect("YUV4MPEG2"), FileType::kRaw);
  EXPECT_EQ(Detect(""), FileType::kRaw);
  EXPECT_EQ(DetectFileType(nullptr, 0), FileType::kRaw);
  EXPECT_STREQ(FileTypeName(FileType::kPng), "png");
  EXPECT_STREQ(FileTypeName(FileType::kY4m), "y4m");
  EXPECT_STREQ(FileTypeName(FileType::kRaw), "raw");
}

// ---- PNG decoding of real and libpng-made files -------------------------------------------

TEST(PngTest, Kodim01MatchesPublishedSha256) {
  const Bytes file = ReadShared("kodak/kodim01.png");
  ASSERT_FALSE(file.empty());
  auto img = DecodePng(file.data(), file.size());
  ASSERT_TRUE(img.ok()) << img.status().message();
  EXPECT_EQ(img->width, 768u);
  EXPECT_EQ(img->height, 512u);
  EXPECT_EQ(img->channels, 3u);
  // From the table in shared/data/kodak/README.md.
  EXPECT_EQ(Sha256::Hex(img->pixels.data(), img->pixels.size()),
            "a00210743353594464ac67e680a41710f484444ca5f9dfddeb570de25c428273");

  auto again = DecodeImage(file.data(), file.size());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->pixels, img->pixels);
}

// Every row of the README's table "| kodimNN.png | WxH | bytes | sha256 |" is checked.
TEST(PngTest, AllKodakImagesMatchReadme) {
  const Bytes readme = ReadShared("kodak/README.md");
  const std::string text(readme.begin(), readme.end());
  int checked = 0;
  size_t pos = 0;
  while ((pos = text.find("| kodim", pos)) != std::string::npos) {
    const size_t eol = text.find('\n', pos);
    const std::string line = text.substr(pos, eol - pos);
    pos = eol;
    std::vector<std::string> cells;
    size_t start = 1;
    for (size_t bar; (bar = line.find('|', start)) != std::string::npos; start = bar + 1) {
      std::string cell = line.substr(start, bar - start);
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      cells.push_back(cell);
    }
    ASSERT_EQ(cells.size(), 4u) << line;
    const Bytes file = ReadShared("kodak/" + cells[0]);
    EXPECT_EQ(std::to_string(file.size()), cells[2]) << cells[0];
    auto img = DecodePng(file.data(), file.size());
    ASSERT_TRUE(img.ok()) << cells[0] << ": " << img.status().message();
    EXPECT_EQ(std::to_string(img->width) + "x" + std::to_string(img->height), cells[1]);
    EXPECT_EQ(Sha256::Hex(img->pixels.data(), img->pixels.size()), cells[3]) << cells[0];
    ++checked;
  }
  EXPECT_EQ(checked, 24);
}

TEST(PngTest, PortraitKodakImage) {
  const Bytes file = ReadShared("kodak/kodim04.png");
  auto img = DecodePng(file.data(), file.size());
  ASSERT_TRUE(img.ok()) << img.status().message();
  EXPECT_EQ(img->width, 512u);
  EXPECT_EQ(img->height, 768u);
  EXPECT_EQ(Sha256::Hex(img->pixels.data(), img->pixels.size()),
            "e88e788fca00e6c723bb66ff45edb8cb56091ee284dcb73e3909834f2c96eeb6");
}

TEST(PngTest, EncodeDecodeRoundTrip) {
  const uint32_t sizes[][2] = {{1, 1}, {7, 3}, {3, 7}, {64, 33}, {255, 2}};
  for (const uint32_t c : {1u, 3u, 4u}) {
    for (const auto& s : sizes) {
      const Image img = RandomImage(s[0], s[1], c, s[0] * 31 + s[1] + c);
      auto png = EncodePng(img);
      ASSERT_TRUE(png.ok()) << png.status().message();
      EXPECT_EQ(DetectFileType(png->data(), png->size()), FileType::kPng);
      // 8-bit, colour type gray (0), RGB (2) or RGBA (6), not interlaced.
      EXPECT_EQ((*png)[24], 8);
      EXPECT_EQ((*png)[25], c == 1 ? 0 : c == 3 ? 2 : 6);
      EXPECT_EQ((*png)[28], 0);
      auto back = DecodePng(png->data(), png->size());
      ASSERT_TRUE(back.ok()) << back.status().message();
      EXPECT_EQ(back->width, img.width);
      EXPECT_EQ(back->height, img.height);
      EXPECT_EQ(back->channels, c);
      EXPECT_EQ(back->pixels, img.pixels) << c << " channels " << s[0] << "x" << s[1];
    }
  }
}

TEST(PngTest, EncodeIsDeterministic) {
  const Image img = RandomImage(40, 30, 3, 7);
  auto a = EncodePng(img);
  auto b = EncodePng(img);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(PngTest, KodakReencodeRoundTrip) {
  const Bytes file = ReadShared("kodak/kodim23.png");
  auto img = DecodePng(file.data(), file.size());
  ASSERT_TRUE(img.ok());
  auto png = EncodePng(*img);
  ASSERT_TRUE(png.ok());
  auto back = DecodePng(png->data(), png->size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->pixels, img->pixels);
}

TEST(PngTest, EncodeRejectsBadImages) {
  Image img = RandomImage(4, 4, 3, 1);
  img.channels = 2;
  img.pixels.resize(4 * 4 * 2);
  EXPECT_EQ(EncodePng(img).status().code(), DC_ERR_INVALID_ARGUMENT);
  img = RandomImage(4, 4, 3, 1);
  img.pixels.pop_back();
  EXPECT_EQ(EncodePng(img).status().code(), DC_ERR_INVALID_ARGUMENT);
  img = Image{};
  img.channels = 3;
  EXPECT_EQ(EncodePng(img).status().code(), DC_ERR_INVALID_ARGUMENT);
}

TEST(PngTest, GrayAndRgbFromLibpng) {
  PngSpec spec;
  spec.width = 9;
  spec.height = 5;
  spec.color_type = PNG_COLOR_TYPE_GRAY;
  spec.samples = RandomSamples(9 * 5, 255, 1);
  const Bytes gray_file = MakePng(spec);
  auto gray = DecodePng(gray_file.data(), gray_file.size());
  ASSERT_TRUE(gray.ok()) << gray.status().message();
  EXPECT_EQ(gray->channels, 1u);
  EXPECT_EQ(gray->pixels, Bytes(spec.samples.begin(), spec.samples.end()));

  spec.color_type = PNG_COLOR_TYPE_RGB_ALPHA;
  spec.samples = RandomSamples(9 * 5 * 4, 255, 2);
  const Bytes file = MakePng(spec);
  auto rgba = DecodePng(file.data(), file.size());
  ASSERT_TRUE(rgba.ok()) << rgba.status().message();
  EXPECT_EQ(rgba->channels, 4u);
  EXPECT_EQ(rgba->pixels, Bytes(spec.samples.begin(), spec.samples.end()));
}

TEST(PngTest, PaletteExpandsToRgb) {
  PngSpec spec;
  spec.width = 13;
  spec.height = 7;
  spec.color_type = PNG_COLOR_TYPE_PALETTE;
  spec.palette = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}, {200, 100, 50}};
  spec.samples = RandomSamples(13 * 7, 4, 3);
  const Bytes file = MakePng(spec);
  ASSERT_FALSE(file.empty());
  auto img = DecodePng(file.data(), file.size());
  ASSERT_TRUE(img.ok()) << img.status().message();
  ASSERT_EQ(img->channels, 3u);
  for (size_t i = 0; i < spec.samples.size(); ++i) {
    const png_color& c = spec.palette[spec.samples[i]];
    ASSERT_EQ(img->pixels[3 * i], c.red);
    ASSERT_EQ(img->pixels[3 * i + 1], c.green);
    ASSERT_EQ(img->pixels[3 * i + 2], c.blue);
  }
}

TEST(PngTest, FourBitPaletteWithTransparencyExpandsToRgba) {
  PngSpec spec;
  spec.width = 11;
  spec.height = 6;
  spec.bit_depth = 4;
  spec.color_type = PNG_COLOR_TYPE_PALETTE;
  for (int i = 0; i < 16; ++i) {
    spec.palette.push_back({static_cast<png_byte>(i * 16), static_cast<png_byte>(255 - i),
                            static_cast<png_byte>(i * 3)});
  }
  spec.palette_alpha = {0, 128, 255, 7};  // entries 4..15 are opaque
  spec.samples = RandomSamples(11 * 6, 15, 4);
  const Bytes file = MakePng(spec);
  auto img = DecodePng(file.data(), file.size());
  ASSERT_TRUE(img.ok()) << img.status().message();
  ASSERT_EQ(img->channels, 4u);
  for (size_t i = 0; i < spec.samples.size(); ++i) {
    const uint32_t idx = spec.samples[i];
    ASSERT_EQ(img->pixels[4 * i], spec.palette[idx].red);
    ASSERT_EQ(img->pixels[4 * i + 1], spec.palette[idx].green);
    ASSERT_EQ(img->pixels[4 * i + 2], spec.palette[idx].blue);
    ASSERT_EQ(img->pixels[4 * i + 3], idx < 4 ? spec.palette_alpha[idx] : 255);
  }
}

TEST(PngTest, LowBitGrayScalesToEightBits) {
  for (const int depth : {1, 2, 4}) {
    PngSpec spec;
    spec.width = 19;  // not a multiple of 8 pixels: exercises the row padding bits
    spec.height = 4;
    spec.bit_depth = depth;
    spec.color_type = PNG_COLOR_TYPE_GRAY;
    const uint32_t max = (1u << depth) - 1;
    spec.samples = RandomSamples(19 * 4, max, 5 + depth);
    const Bytes file = MakePng(spec);
    auto img = DecodePng(file.data(), file.size());
    ASSERT_TRUE(img.ok()) << img.status().message();
    ASSERT_EQ(img->channels, 1u);
    for (size_t i = 0; i < spec.samples.size(); ++i) {
      ASSERT_EQ(img->pixels[i], spec.samples[i] * 255 / max) << "depth " << depth;
    }
  }
}

TEST(PngTest, GrayAlphaBecomesRgba) {
  PngSpec spec;
  spec.width = 6;
  spec.height = 5;
  spec.color_type = PNG_COLOR_TYPE_GRAY_ALPHA;
  spec.samples = RandomSamples(6 * 5 * 2, 255, 6);
  const Bytes file = MakePng(spec);
  auto img = DecodePng(file.data(), file.size());
  ASSERT_TRUE(img.ok()) << img.status().message();
  ASSERT_EQ(img->channels, 4u);
  for (size_t i = 0; i < 30; ++i) {
    const uint8_t g = static_cast<uint8_t>(spec.samples[2 * i]);
    const uint8_t a = static_cast<uint8_t>(spec.samples[2 * i + 1]);
    ASSERT_EQ(img->pixels[4 * i], g);
    ASSERT_EQ(img->pixels[4 * i + 1], g);
    ASSERT_EQ(img->pixels[4 * i + 2], g);
    ASSERT_EQ(img->pixels[4 * i + 3], a);
  }
}

TEST(PngTest, ColorKeyTransparencyBecomesAlpha) {
  PngSpec spec;
  spec.width = 8;
  spec.height = 8;
  spec.color_type = PNG_COLOR_TYPE_GRAY;
  spec.samples = RandomSamples(64, 3, 7);  // values 0..3, so the key value 2 occurs
  spec.has_trns_color = true;
  spec.trns_color.gray = 2;
  Bytes file = MakePng(spec);
  auto gray = DecodePng(file.data(), file.size());
  ASSERT_TRUE(gray.ok()) << gray.status().message();
  ASSERT_EQ(gray->channels, 4u);
  for (size_t i = 0; i < 64; ++i) {
    ASSERT_EQ(gray->pixels[4 * i], spec.samples[i]);
    ASSERT_EQ(gray->pixels[4 * i + 3], spec.samples[i] == 2 ? 0 : 255);
  }

  spec.color_type = PNG_COLOR_TYPE_RGB;
  spec.samples = RandomSamples(64 * 3, 1, 8);
  spec.trns_color = {};
  spec.trns_color.red = 1;
  spec.trns_color.green = 0;
  spec.trns_color.blue = 1;
  file = MakePng(spec);
  auto rgb = DecodePng(file.data(), file.size());
  ASSERT_TRUE(rgb.ok()) << rgb.status().message();
  ASSERT_EQ(rgb->channels, 4u);
  for (size_t i = 0; i < 64; ++i) {
    const bool key = spec.samples[3 * i] == 1 && spec.samples[3 * i + 1] == 0 &&
                     spec.samples[3 * i + 2] == 1;
    ASSERT_EQ(rgb->pixels[4 * i + 3], key ? 0 : 255);
    ASSERT_EQ(rgb->pixels[4 * i + 1], spec.samples[3 * i + 1]);
  }
}

TEST(PngTest, InterlacedMatchesNonInterlaced) {
  struct Case {
    int color_type, bit_depth;
    uint32_t max;
  };
  for (const Case c : {Case{PNG_COLOR_TYPE_RGB, 8, 255}, Case{PNG_COLOR_TYPE_GRAY, 1, 1},
                       Case{PNG_COLOR_TYPE_RGB_ALPHA, 8, 255}}) {
    PngSpec spec;
    spec.width = 37;  // odd sizes leave some Adam7 passes partly or wholly empty
    spec.height = 29;
    spec.color_type = c.color_type;
    spec.bit_depth = c.bit_depth;
    spec.samples = RandomSamples(size_t{37} * 29 * SamplesPerPixel(c.color_type), c.max, 9);
    const Bytes plain = MakePng(spec);
    spec.interlaced = true;
    const Bytes adam7 = MakePng(spec);
    ASSERT_EQ(adam7[28], 1);  // interlace method byte of IHDR
    auto a = DecodePng(plain.data(), plain.size());
    auto b = DecodePng(adam7.data(), adam7.size());
    ASSERT_TRUE(a.ok() && b.ok()) << b.status().message();
    EXPECT_EQ(a->pixels, b->pixels);
    EXPECT_EQ(b->width, 37u);
    EXPECT_EQ(b->height, 29u);
  }
  // A 1x1 interlaced image has six empty passes.
  PngSpec tiny;
  tiny.width = tiny.height = 1;
  tiny.interlaced = true;
  tiny.samples = {1, 2, 3};
  const Bytes file = MakePng(tiny);
  auto img = DecodePng(file.data(), file.size());
  ASSERT_TRUE(img.ok()) << img.status().message();
  EXPECT_EQ(img->pixels, (Bytes{1, 2, 3}));
}

TEST(PngTest, SixteenBitIsUnsupported) {
  for (const int color_type : {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA}) {
    PngSpec spec;
    spec.width = 4;
    spec.height = 3;
    spec.bit_depth = 16;
    spec.color_type = color_type;
    spec.samples = RandomSamples(size_t{4} * 3 * SamplesPerPixel(color_type), 65535, 10);
    const Bytes file = MakePng(spec);
    ASSERT_FALSE(file.empty());
    auto img = DecodePng(file.data(), file.size());
    EXPECT_EQ(img.status().code(), DC_ERR_UNSUPPORTED_FORMAT);
    EXPECT_NE(img.status().message().find("16-bit"), std::string::npos)
        << img.status().message();
  }
}

TEST(PngTest, HugeDimensionsAreRejectedBeforeAllocation) {
  // Header only: if the decoder believed it, it would try to allocate 30 GB.
  Bytes png = HeaderOnlyPng(100000, 100000, 8, 2);
  EXPECT_EQ(DecodePng(png.data(), png.size()).status().code(), DC_ERR_TOO_LARGE);
  png = HeaderOnlyPng(65535, 65535, 8, 2);  // each side allowed, the pixel count is not
  EXPECT_EQ(DecodePng(png.data(), png.size()).status().code(), DC_ERR_TOO_LARGE);
  png = HeaderOnlyPng(0x7FFFFFFF, 1, 8, 0);
  EXPECT_EQ(DecodePng(png.data(), png.size()).status().code(), DC_ERR_TOO_LARGE);
  png = HeaderOnlyPng(0, 5, 8, 0);
  EXPECT_EQ(DecodePng(png.data(), png.size()).status().code(), DC_ERR_CORRUPT);

  // A real file with its IHDR edited (and its CRC fixed) is refused just the same.
  Bytes real = MakePng([] {
    PngSpec s;
    s.width = s.height = 4;
    s.samples = RandomSamples(48, 255, 11);
    return s;
  }());
  StoreBe32(&real[16], 100000);
  StoreBe32(&real[20], 100000);
  FixChunkCrc(&real, 8);
  EXPECT_EQ(DecodePng(real.data(), real.size()).status().code(), DC_ERR_TOO_LARGE);
}

TEST(PngTest, NotAPng) {
  const std::string text = "hello, world, this is not a PNG file at all";
  auto r = DecodePng(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  EXPECT_EQ(r.status().code(), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(DecodePng(nullptr, 0).status().code(), DC_ERR_TRUNCATED);
  // First chunk is not IHDR.
  Bytes png = HeaderOnlyPng(4, 4, 8, 2);
  std::memcpy(&png[12], "IDAT", 4);
  EXPECT_EQ(DecodePng(png.data(), png.size()).status().code(), DC_ERR_CORRUPT);
}

TEST(PngTest, EveryTruncationIsAnError) {
  PngSpec spec;
  spec.width = 20;
  spec.height = 20;
  spec.samples = RandomSamples(20 * 20 * 3, 255, 12);
  for (const bool interlaced : {false, true}) {
    spec.interlaced = interlaced;
    const Bytes file = MakePng(spec);
    ASSERT_TRUE(DecodePng(file.data(), file.size()).ok());
    for (size_t n = 0; n < file.size(); ++n) {
      auto r = DecodePng(file.data(), n);
      ASSERT_FALSE(r.ok()) << "prefix " << n << " of " << file.size();
      const dc_error code = r.status().code();
      ASSERT_TRUE(code == DC_ERR_TRUNCATED || code == DC_ERR_CORRUPT)
          << "prefix " << n << ": " << r.status().message();
    }
    // Cut inside the image data or before IEND: unambiguously truncated.
    EXPECT_EQ(DecodePng(file.data(), file.size() / 2).status().code(), DC_ERR_TRUNCATED);
    EXPECT_EQ(DecodePng(file.data(), file.size() - 12).status().code(), DC_ERR_TRUNCATED);
  }
  const Bytes kodak = ReadShared("kodak/kodim01.png");
  for (const size_t n : {size_t{8}, size_t{20}, size_t{1000}, kodak.size() / 2, kodak.size() - 1}) {
    EXPECT_EQ(DecodePng(kodak.data(), n).status().code(), DC_ERR_TRUNCATED) << n;
  }
}

TEST(PngTest, CorruptDataIsAnError) {
  PngSpec spec;
  spec.width = 24;
  spec.height = 16;
  spec.samples = RandomSamples(24 * 16 * 3, 255, 13);
  const Bytes file = MakePng(spec);
  const std::vector<size_t> idat = ChunkOffsets(file, "IDAT");
  ASSERT_FALSE(idat.empty());

  // A flipped bit in IDAT without a CRC fix: CRC error.
  Bytes bad = file;
  bad[idat[0] + 8 + 10] ^= 0x10;
  EXPECT_EQ(DecodePng(bad.data(), bad.size()).status().code(), DC_ERR_CORRUPT);

  // Garbage zlib data with a valid CRC: inflate error.
  bad = file;
  for (size_t i = 0; i < 6; ++i) bad[idat[0] + 8 + i] = 0xFF;
  FixChunkCrc(&bad, idat[0]);
  EXPECT_EQ(DecodePng(bad.data(), bad.size()).status().code(), DC_ERR_CORRUPT);

  // Bad IHDR field values with valid CRCs.
  bad = file;
  bad[24] = 3;  // bit depth 3 does not exist
  FixChunkCrc(&bad, 8);
  EXPECT_EQ(DecodePng(bad.data(), bad.size()).status().code(), DC_ERR_CORRUPT);
  bad = file;
  bad[25] = 3;  // palette type, but there is no PLTE
  FixChunkCrc(&bad, 8);
  EXPECT_EQ(DecodePng(bad.data(), bad.size()).status().code(), DC_ERR_CORRUPT);
}

TEST(PngTest, RandomMutationsNeverCrash) {
  PngSpec spec;
  spec.width = 16;
  spec.height = 12;
  spec.color_type = PNG_COLOR_TYPE_PALETTE;
  spec.bit_depth = 4;
  for (int i = 0; i < 16; ++i) {
    spec.palette.push_back({static_cast<png_byte>(i), static_cast<png_byte>(i * 2),
                            static_cast<png_byte>(i * 3)});
  }
  spec.palette_alpha = {1, 2, 3};
  spec.samples = RandomSamples(16 * 12, 15, 14);
  spec.interlaced = true;
  const Bytes file = MakePng(spec);
  std::mt19937 rng(15);
  for (int iter = 0; iter < 3000; ++iter) {
    Bytes m = file;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) m[rng() % m.size()] = static_cast<uint8_t>(rng());
    // Half of the time repair the CRCs so that the mutations reach zlib and the row filters.
    if (iter % 2 == 0) {
      FixChunkCrc(&m, 8);
      for (const size_t pos : ChunkOffsets(m, "IDAT")) FixChunkCrc(&m, pos);
    }
    if (iter % 3 == 0) m.resize(rng() % m.size());
    auto r = DecodePng(m.data(), m.size());
    if (r.ok()) {
      ASSERT_EQ(r->pixels.size(), size_t{r->width} * r->height * r->channels);
    } else {
      const dc_error code = r.status().code();
      ASSERT_TRUE(code == DC_ERR_TRUNCATED || code == DC_ERR_CORRUPT ||
                  code == DC_ERR_UNSUPPORTED_FORMAT || code == DC_ERR_TOO_LARGE)
          << r.status().message();
    }
  }
}

// ---- PNM ---------------------------------------------------------------------------------

Bytes FromString(const std::string& s) { return Bytes(s.begin(), s.end()); }

TEST(PnmTest, DecodeWithComments) {
  Bytes ppm = FromString("P6\n# made by hand\n3 # width\n2\n# maxval next\n255\n");
  for (int i = 0; i < 18; ++i) ppm.push_back(static_cast<uint8_t>(i * 13));
  auto img = DecodePnm(ppm.data(), ppm.size());
  ASSERT_TRUE(img.ok()) << img.status().message();
  EXPECT_EQ(img->width, 3u);
  EXPECT_EQ(img->height, 2u);
  EXPECT_EQ(img->channels, 3u);
  EXPECT_EQ(img->pixels, Bytes(ppm.end() - 18, ppm.end()));

  // The single byte after maxval may be any whitespace; the raster may start with a space.
  Bytes pgm = FromString("P5 2 2 255\t");
  pgm.insert(pgm.end(), {' ', '\n', 0, 255});
  img = DecodePnm(pgm.data(), pgm.size());
  ASSERT_TRUE(img.ok()) << img.status().message();
  EXPECT_EQ(img->channels, 1u);
  EXPECT_EQ(img->pixels, (Bytes{' ', '\n', 0, 255}));
}

TEST(PnmTest, EncodeWritesCanonicalHeader) {
  const Image rgb = RandomImage(5, 4, 3, 16);
  auto ppm = EncodePnm(rgb);
  ASSERT_TRUE(ppm.ok());
  const std::string header = "P6\n5 4\n255\n";
  ASSERT_EQ(ppm->size(), header.size() + rgb.pixels.size());
  EXPECT_EQ(std::string(ppm->begin(), ppm->begin() + header.size()), header);
  auto back = DecodeImage(ppm->data(), ppm->size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->pixels, rgb.pixels);

  const Image gray = RandomImage(3, 9, 1, 17);
  auto pgm = EncodePnm(gray);
  ASSERT_TRUE(pgm.ok());
  EXPECT_EQ(std::string(pgm->begin(), pgm->begin() + 11), "P5\n3 9\n255\n");
  EXPECT_EQ(DetectFileType(pgm->data(), pgm->size()), FileType::kPgm);
  back = DecodePnm(pgm->data(), pgm->size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->pixels, gray.pixels);

  EXPECT_EQ(EncodePnm(RandomImage(2, 2, 4, 18)).status().code(), DC_ERR_UNSUPPORTED_FORMAT);
  Image bad = RandomImage(2, 2, 3, 19);
  bad.pixels.push_back(0);
  EXPECT_EQ(EncodePnm(bad).status().code(), DC_ERR_INVALID_ARGUMENT);
}

TEST(PnmTest, KodakThroughPpm) {
  const Bytes file = ReadShared("kodak/kodim01.png");
  auto img = DecodePng(file.data(), file.size());
  ASSERT_TRUE(img.ok());
  auto ppm = EncodePnm(*img);
  ASSERT_TRUE(ppm.ok());
  auto back = DecodePnm(ppm->data(), ppm->size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->pixels, img->pixels);
}

dc_error PnmCode(const std::string& s) {
  return DecodePnm(reinterpret_cast<const uint8_t*>(s.data()), s.size()).status().code();
}

TEST(PnmTest, BadHeaders) {
  EXPECT_EQ(PnmCode("P6 2 2 65535\n" + std::string(24, 'x')), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(PnmCode("P6 2 2 15\n" + std::string(12, 'x')), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(PnmCode("P6 2 2 0\n" + std::string(12, 'x')), DC_ERR_CORRUPT);
  EXPECT_EQ(PnmCode("P6 2 2 70000\n" + std::string(12, 'x')), DC_ERR_CORRUPT);
  EXPECT_EQ(PnmCode("P6 100000 2 255\n"), DC_ERR_TOO_LARGE);
  EXPECT_EQ(PnmCode("P5 65535 65535 255\n"), DC_ERR_TOO_LARGE);
  EXPECT_EQ(PnmCode("P5 99999999999999999999999 1 255\n"), DC_ERR_TOO_LARGE);
  EXPECT_EQ(PnmCode("P5 0 1 255\n"), DC_ERR_CORRUPT);
  EXPECT_EQ(PnmCode("P6 abc 2 255\n"), DC_ERR_CORRUPT);
  EXPECT_EQ(PnmCode("P6 -2 2 255\n"), DC_ERR_CORRUPT);
  EXPECT_EQ(PnmCode("P63 2 255\n"), DC_ERR_CORRUPT);
  EXPECT_EQ(PnmCode("P6 2 2 255x" + std::string(12, 'x')), DC_ERR_CORRUPT);
  EXPECT_EQ(PnmCode("P3 2 2 255\n"), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(PnmCode("GIF89a"), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(PnmCode("P6 2 2 255\n" + std::string(11, 'x')), DC_ERR_TRUNCATED);
  EXPECT_EQ(PnmCode("P6 2 2 # comment running to the end"), DC_ERR_TRUNCATED);
}

TEST(PnmTest, EveryTruncationIsAnError) {
  const std::string full = "P6\n# c\n3 2\n255\n" + std::string(18, '\x7f');
  ASSERT_EQ(PnmCode(full), DC_OK);
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_EQ(PnmCode(full.substr(0, n)), DC_ERR_TRUNCATED) << "prefix " << n;
  }
}

TEST(DecodeImageTest, DispatchesByContent) {
  EXPECT_EQ(DecodeImage(nullptr, 0).status().code(), DC_ERR_UNSUPPORTED_FORMAT);
  const std::string wav("RIFF\0\0\0\0WAVE", 12);
  EXPECT_EQ(DecodeImage(reinterpret_cast<const uint8_t*>(wav.data()), wav.size()).status().code(),
            DC_ERR_UNSUPPORTED_FORMAT);
  const Image img = RandomImage(3, 3, 1, 20);
  auto png = EncodePng(img);
  ASSERT_TRUE(png.ok());
  auto back = DecodeImage(png->data(), png->size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->pixels, img.pixels);
}

}  // namespace
}  // namespace dc::extras
