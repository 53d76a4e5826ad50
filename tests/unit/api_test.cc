// The public C API (include/diffcomp/diffcomp.h), called directly: round trips of every codec on
// in-memory data, dc_read_info, and the rejection of bad containers with the documented error
// codes (docs/format.md), outputs left empty after every error.
//
// Image tests use the default image-lossless model, found the way the library finds it
// (DIFFCOMP_MODEL_DIR, <exe>/../../models, the source tree's models/). If it cannot be found,
// those tests FAIL with a message saying so; they never skip.
#include "diffcomp/diffcomp.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "codecs/codec.h"
#include "container/container.h"
#include "extras/file_io.h"
#include "extras/image_io.h"

namespace {

using Bytes = std::vector<uint8_t>;

// ------------------------------------------------------------------------------------------
// Helpers

// Owns a dc_buffer / dc_decoded for the length of a test.
struct Buffer {
  dc_buffer b{};
  ~Buffer() { dc_buffer_free(&b); }
  Bytes bytes() const { return Bytes(b.data, b.data + b.size); }
};
struct Decoded {
  dc_decoded d{};
  ~Decoded() { dc_decoded_free(&d); }
  Bytes bytes() const { return Bytes(d.content.data, d.content.data + d.content.size); }
};

dc_params Params(dc_codec codec, const char* model = nullptr) {
  dc_params p;
  dc_params_init(&p);
  p.codec = codec;
  p.threads = 2;
  p.model_path = model;
  return p;
}

dc_content BytesContent(const Bytes& data) {
  dc_content c{};
  c.kind = DC_KIND_BYTES;
  c.format = DC_FORMAT_RAW;
  c.data = data.data();
  c.size = data.size();
  return c;
}

dc_content ImageContent(const Bytes& px, uint32_t w, uint32_t h, uint32_t ch, dc_format fmt) {
  dc_content c{};
  c.kind = DC_KIND_IMAGE;
  c.format = fmt;
  c.data = px.data();
  c.size = px.size();
  c.width = w;
  c.height = h;
  c.channels = ch;
  c.bit_depth = 8;
  return c;
}

Bytes RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// Gradients, edges and noise: something like a photo.
Bytes TestImage(uint32_t w, uint32_t h, uint32_t c, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes px(static_cast<size_t>(w) * h * c);
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x)
      for (uint32_t k = 0; k < c; ++k) {
        int v = static_cast<int>((x * 5 + y * 3 + k * 60) % 256);
        if ((x / 6 + y / 4) % 3 == 0) v = 255 - v;
        v += static_cast<int>(rng() % 7) - 3;
        px[(static_cast<size_t>(y) * w + x) * c + k] = static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
      }
  return px;
}

Bytes ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// The default image-lossless model; fails the calling test (with the reason) if it is missing.
::testing::AssertionResult DefaultModel(dc_model_info* m) {
  const dc_error e = dc_model_describe(DC_CODEC_IMAGE_LOSSLESS, nullptr, m);
  if (e == DC_OK) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "the default image-lossless model was not found (" << dc_error_name(e) << ": "
         << dc_last_error_message()
         << "). Commit models/image-lossless-adm1.dcw or set DIFFCOMP_MODEL_DIR to a directory holding it.";
}

Bytes Compress(const dc_content& c, const dc_params& p) {
  Buffer out;
  const dc_error e = dc_compress(&c, &p, &out.b, nullptr);
  EXPECT_EQ(e, DC_OK) << dc_error_name(e) << ": " << dc_last_error_message();
  return out.bytes();
}

// Decompresses and checks that an error leaves the output empty. Returns the code.
dc_error TryDecompress(const Bytes& dfc, const dc_params* p = nullptr, Bytes* content = nullptr) {
  Decoded d;
  // Garbage in the output struct: the call must reset it whatever happens.
  d.d.content.size = 12345;
  d.d.content.width = 7;
  const dc_error e = dc_decompress(dfc.empty() ? nullptr : dfc.data(), dfc.size(), p, &d.d);
  if (e != DC_OK) {
    EXPECT_EQ(d.d.storage_, nullptr) << "output storage set after " << dc_error_name(e);
    EXPECT_EQ(d.d.content.data, nullptr) << "output data set after " << dc_error_name(e);
    EXPECT_EQ(d.d.content.size, 0u) << "output size set after " << dc_error_name(e);
    EXPECT_EQ(d.d.content.width, 0u);
    const std::string msg = dc_last_error_message();
    EXPECT_FALSE(msg.empty()) << "no message for " << dc_error_name(e);
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
  } else if (content) {
    *content = d.bytes();
  }
  return e;
}

dc_error TryInfo(const Bytes& dfc, dc_info* info = nullptr) {
  dc_info local{};
  return dc_read_info(dfc.empty() ? nullptr : dfc.data(), dfc.size(), info ? info : &local);
}

// --- hand-made containers (docs/format.md) ---
void PutVarint(Bytes* o, uint64_t v) {
  while (v >= 0x80) {
    o->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  o->push_back(static_cast<uint8_t>(v));
}
void PutU32(Bytes* o, uint32_t v) {
  for (int i = 0; i < 4; ++i) o->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint32_t Crc(const Bytes& b) {
  // Bitwise CRC-32 (ISO-HDLC), independent of zlib and of the library.
  uint32_t c = 0xFFFFFFFFu;
  for (uint8_t x : b) {
    c ^= x;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return ~c;
}
Bytes Head(uint8_t codec, uint8_t format, uint8_t flags = 0, uint8_t version = 0x10) {
  Bytes o;
  o.reserve(128);
  for (uint8_t b : {uint8_t{0xDF}, uint8_t{'D'}, uint8_t{'F'}, uint8_t{'C'}, version, flags, codec, format})
    o.push_back(b);
  return o;
}
// A store container of `content`, built by hand.
Bytes StoreFile(const Bytes& content, uint32_t crc) {
  Bytes o = Head(DC_CODEC_STORE, DC_FORMAT_RAW);
  PutVarint(&o, content.size());
  o.insert(o.end(), content.begin(), content.end());
  PutU32(&o, crc);
  return o;
}
// An image-lossless header with a zero payload; raw varint bytes for width/height when given.
Bytes ImageFile(const Bytes& w, const Bytes& h, uint8_t ch, uint32_t model_id, uint32_t fp,
                uint64_t tile = 256, bool model_flag = true) {
  Bytes o = Head(DC_CODEC_IMAGE_LOSSLESS, DC_FORMAT_PNG, model_flag ? 1 : 0);
  o.insert(o.end(), w.begin(), w.end());
  o.insert(o.end(), h.begin(), h.end());
  o.push_back(ch);
  if (model_flag) {
    PutVarint(&o, model_id);
    PutU32(&o, fp);
  }
  PutVarint(&o, tile);
  o.insert(o.end(), 64, 0);
  PutU32(&o, 0);
  return o;
}
// Recomputes the header checksum of a container 2.0 file whose header bytes were changed in
// place (the header keeps its length): a hand-made header that any writer could produce.
Bytes Reseal(Bytes b, size_t header_crc_at) {
  const uint32_t c = dc::container::Crc32(b.data(), header_crc_at);
  for (int i = 0; i < 4; ++i) b[header_crc_at + i] = static_cast<uint8_t>(c >> (8 * i));
  return b;
}
// Where a 2.0 file's header checksum is (the file must parse).
size_t HeaderCrcAt(const Bytes& b) {
  auto h = dc::container::Parse(b.data(), b.size());
  EXPECT_TRUE(h.ok());
  return h.ok() ? h->payload_offset - 4 : 0;
}
Bytes V(uint64_t v) {
  Bytes o;
  PutVarint(&o, v);
  return o;
}

const Bytes kText = [] {
  std::string s;
  for (int i = 0; i < 40; ++i) s += "line " + std::to_string(i) + ": the quick brown fox jumps over the lazy dog\n";
  return Bytes(s.begin(), s.end());
}();

// ------------------------------------------------------------------------------------------
// Names, versions

TEST(ApiNames, ErrorNameOfEveryCode) {
  const std::pair<dc_error, const char*> kNames[] = {
      {DC_OK, "ok"},
      {DC_ERR_INVALID_ARGUMENT, "invalid-argument"},
      {DC_ERR_IO, "io"},
      {DC_ERR_UNSUPPORTED_FORMAT, "unsupported-format"},
      {DC_ERR_TOO_LARGE, "too-large"},
      {DC_ERR_BAD_MAGIC, "bad-magic"},
      {DC_ERR_UNSUPPORTED_VERSION, "unsupported-version"},
      {DC_ERR_RESERVED_BITS, "reserved-bits"},
      {DC_ERR_TRUNCATED, "truncated"},
      {DC_ERR_CORRUPT, "corrupt"},
      {DC_ERR_CHECKSUM, "checksum"},
      {DC_ERR_UNKNOWN_CODEC, "unknown-codec"},
      {DC_ERR_MODEL_MISMATCH, "model-mismatch"},
      {DC_ERR_MODEL_NOT_FOUND, "model-not-found"},
      {DC_ERR_OUT_OF_MEMORY, "out-of-memory"},
      {DC_ERR_EXISTS, "exists"},
      {DC_ERR_INTERNAL, "internal"},
  };
  for (const auto& [code, name] : kNames) {
    ASSERT_NE(dc_error_name(code), nullptr);
    EXPECT_STREQ(dc_error_name(code), name) << "code " << code;
  }
  // Pinned values (they are also the CLI's exit codes).
  EXPECT_EQ(DC_ERR_INVALID_ARGUMENT, 2);
  EXPECT_EQ(DC_ERR_TOO_LARGE, 5);
  EXPECT_EQ(DC_ERR_MODEL_MISMATCH, 13);
  EXPECT_EQ(DC_ERR_EXISTS, 16);
  EXPECT_EQ(DC_ERR_INTERNAL, 17);
  // Unused values: a name all the same, never NULL. (Only values inside the enum's range: in C++
  // anything else in a dc_error is undefined behaviour, which UBSan reports.)
  for (int v : {1, 18, 31}) {
    const char* n = dc_error_name(static_cast<dc_error>(v));
    ASSERT_NE(n, nullptr);
    EXPECT_STREQ(n, "unknown-error") << v;
  }
}

TEST(ApiNames, CodecNames) {
  const std::pair<dc_codec, const char*> kCodecs[] = {{DC_CODEC_STORE, "store"},
                                                       {DC_CODEC_HUFFMAN, "huffman"},
                                                       {DC_CODEC_LZW, "lzw"},
                                                       {DC_CODEC_IMAGE_LOSSLESS, "image-lossless"}};
  for (const auto& [id, name] : kCodecs) {
    EXPECT_STREQ(dc_codec_name(id), name);
    dc_codec back = id == DC_CODEC_LZW ? DC_CODEC_STORE : DC_CODEC_LZW;
    EXPECT_EQ(dc_codec_from_name(name, &back), DC_OK);
    EXPECT_EQ(back, id);
  }
  dc_codec c = DC_CODEC_LZW;
  EXPECT_EQ(dc_codec_from_name("gzip", &c), DC_ERR_UNKNOWN_CODEC);
  EXPECT_EQ(c, DC_CODEC_LZW) << "output changed on error";
  EXPECT_NE(std::string(dc_last_error_message()).find("gzip"), std::string::npos);
  EXPECT_EQ(dc_codec_from_name(nullptr, &c), DC_ERR_UNKNOWN_CODEC);
}

TEST(ApiNames, Version) {
  EXPECT_EQ(dc_version_number(), DC_VERSION_MAJOR * 10000u + DC_VERSION_MINOR * 100u + DC_VERSION_PATCH);
}

// ------------------------------------------------------------------------------------------
// Round trips

struct NamedData {
  const char* name;
  Bytes data;
};

std::vector<NamedData> ByteInputs() {
  std::vector<NamedData> v;
  v.push_back({"empty", {}});
  v.push_back({"one byte", {0x41}});
  v.push_back({"one zero byte", {0x00}});
  v.push_back({"random 5000", RandomBytes(5000, 1)});
  v.push_back({"constant 100000", Bytes(100000, 0xEE)});
  Bytes all;
  for (int r = 0; r < 4; ++r)
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<uint8_t>(i));
  v.push_back({"all byte values", all});
  v.push_back({"text", kText});
  // Enough distinct strings to fill the LZW dictionary and reset it.
  Bytes phrases;
  std::mt19937 rng(5);
  while (phrases.size() < 400000) {
    const int len = 2 + static_cast<int>(rng() % 7);
    for (int i = 0; i < len; ++i) phrases.push_back(static_cast<uint8_t>('a' + rng() % 20));
    phrases.push_back(' ');
  }
  v.push_back({"400k phrases", phrases});
  const std::string real = std::string(DC_SHARED_DATA) + "/signals/timeseries/co2_mauna_loa_weekly.csv";
  Bytes csv = ReadAll(real);
  EXPECT_FALSE(csv.empty()) << "shared data file missing: " << real;
  v.push_back({"co2 csv (real)", csv});
  return v;
}

TEST(ApiRoundTrip, ByteCodecs) {
  const auto inputs = ByteInputs();
  for (dc_codec codec : {DC_CODEC_STORE, DC_CODEC_HUFFMAN, DC_CODEC_LZW}) {
    for (const auto& in : inputs) {
      SCOPED_TRACE(std::string(dc_codec_name(codec)) + " / " + in.name);
      const dc_content c = BytesContent(in.data);
      const dc_params p = Params(codec);
      Buffer out;
      dc_stats st{};
      ASSERT_EQ(dc_compress(&c, &p, &out.b, &st), DC_OK) << dc_last_error_message();
      ASSERT_NE(out.b.data, nullptr);
      EXPECT_EQ(st.container_size, out.b.size);
      EXPECT_LT(st.payload_size, out.b.size);
      EXPECT_EQ(st.model_bits, 0.0);
      const Bytes dfc = out.bytes();

      dc_info info{};
      ASSERT_EQ(TryInfo(dfc, &info), DC_OK) << dc_last_error_message();
      EXPECT_EQ(info.version_major, 2u);
      EXPECT_EQ(info.revision, 1u);
      EXPECT_EQ(info.version_minor, 0u);
      EXPECT_EQ(info.codec, codec);
      EXPECT_EQ(info.kind, DC_KIND_BYTES);
      EXPECT_EQ(info.format, DC_FORMAT_RAW);
      EXPECT_EQ(info.model_id, 0u);
      EXPECT_EQ(info.original_size, in.data.size());
      EXPECT_EQ(info.payload_size, st.payload_size);
      EXPECT_EQ(info.container_size, dfc.size());
      EXPECT_EQ(info.width, 0u);
      EXPECT_EQ(info.bit_depth, 0u);
      if (codec == DC_CODEC_STORE) {
        EXPECT_EQ(info.payload_size, in.data.size());
      }

      // With params and without (NULL params: defaults).
      for (const dc_params* dp : {&p, static_cast<const dc_params*>(nullptr)}) {
        Decoded d;
        ASSERT_EQ(dc_decompress(dfc.data(), dfc.size(), dp, &d.d), DC_OK) << dc_last_error_message();
        EXPECT_EQ(d.d.content.kind, DC_KIND_BYTES);
        EXPECT_EQ(d.d.content.format, DC_FORMAT_RAW);
        ASSERT_EQ(d.d.content.size, in.data.size());
        if (!in.data.empty()) {
          ASSERT_NE(d.d.content.data, nullptr);
        }
        EXPECT_TRUE(d.bytes() == in.data);
      }
    }
  }
}

TEST(ApiRoundTrip, ByteCodecsCompress) {
  // Sanity of the coders on compressible data (the round trip alone would pass a copy).
  const Bytes data(100000, 0xEE);
  for (dc_codec codec : {DC_CODEC_HUFFMAN, DC_CODEC_LZW}) {
    const Bytes dfc = Compress(BytesContent(data), Params(codec));
    EXPECT_LT(dfc.size(), data.size() / 5) << dc_codec_name(codec);
  }
}

TEST(ApiRoundTrip, Images) {
  dc_model_info m{};
  ASSERT_TRUE(DefaultModel(&m));
  struct Case {
    uint32_t w, h, ch;
    dc_format fmt;
  } cases[] = {{37, 23, 1, DC_FORMAT_PNG}, {37, 23, 3, DC_FORMAT_PNG}, {37, 23, 4, DC_FORMAT_PNG},
               {20, 9, 3, DC_FORMAT_PPM},  {20, 9, 1, DC_FORMAT_PGM},  {1, 1, 3, DC_FORMAT_PNG},
               {1, 17, 1, DC_FORMAT_PNG},  {70, 3, 4, DC_FORMAT_PNG}};
  for (const auto& k : cases) {
    SCOPED_TRACE(std::to_string(k.w) + "x" + std::to_string(k.h) + "x" + std::to_string(k.ch));
    const Bytes px = TestImage(k.w, k.h, k.ch, k.w * 31 + k.ch);
    const dc_content c = ImageContent(px, k.w, k.h, k.ch, k.fmt);
    dc_params p = Params(DC_CODEC_IMAGE_LOSSLESS);
    p.tile_size = 16;  // several tiles, partial ones at the edges
    Buffer out;
    dc_stats st{};
    ASSERT_EQ(dc_compress(&c, &p, &out.b, &st), DC_OK) << dc_last_error_message();
    EXPECT_EQ(st.container_size, out.b.size);
    EXPECT_GT(st.model_bits, 0.0);
    const Bytes dfc = out.bytes();

    dc_info info{};
    ASSERT_EQ(TryInfo(dfc, &info), DC_OK) << dc_last_error_message();
    EXPECT_EQ(info.codec, DC_CODEC_IMAGE_LOSSLESS);
    EXPECT_EQ(info.kind, DC_KIND_IMAGE);
    EXPECT_EQ(info.format, k.fmt);
    EXPECT_EQ(info.width, k.w);
    EXPECT_EQ(info.height, k.h);
    EXPECT_EQ(info.channels, k.ch);
    EXPECT_EQ(info.bit_depth, 8u);
    EXPECT_EQ(info.original_size, px.size());
    EXPECT_EQ(info.model_id, m.model_id);
    EXPECT_EQ(info.model_fingerprint, m.fingerprint);
    EXPECT_EQ(info.payload_size, st.payload_size);
    EXPECT_EQ(info.container_size, dfc.size());

    Decoded d;
    ASSERT_EQ(dc_decompress(dfc.data(), dfc.size(), &p, &d.d), DC_OK) << dc_last_error_message();
    EXPECT_EQ(d.d.content.kind, DC_KIND_IMAGE);
    EXPECT_EQ(d.d.content.format, k.fmt);
    EXPECT_EQ(d.d.content.width, k.w);
    EXPECT_EQ(d.d.content.height, k.h);
    EXPECT_EQ(d.d.content.channels, k.ch);
    EXPECT_EQ(d.d.content.bit_depth, 8u);
    EXPECT_TRUE(d.bytes() == px) << "pixels differ";

    // Threads never change the bytes.
    dc_params p1 = p;
    p1.threads = 1;
    EXPECT_TRUE(Compress(c, p1) == dfc) << "1 thread gives other bytes than 2";
  }
}

// A decode (or encode) that fits the memory limit only with fewer threads runs with fewer:
// threads never change the bytes, so it is not refused (image-lossless counts 32 MiB and 320
// bytes a tile pixel per thread: 5 MiB for a 128 x 128 tile).
TEST(ApiRoundTrip, FewerThreadsWhenMemoryAllowsOnlyFewer) {
  dc_model_info m{};
  ASSERT_TRUE(DefaultModel(&m));
  const Bytes px = TestImage(256, 64, 3, 5);
  const dc_content c = ImageContent(px, 256, 64, 3, DC_FORMAT_PNG);
  dc_params p = Params(DC_CODEC_IMAGE_LOSSLESS);
  p.tile_size = 128;  // two tiles: two threads would hold two tile coders
  p.threads = 2;
  p.memory_limit = 40u << 20;  // one thread needs about 37 MiB, two 42
  const Bytes dfc = Compress(c, p);
  dc_params p1 = p;
  p1.threads = 1;
  p1.memory_limit = 0;
  EXPECT_TRUE(Compress(c, p1) == dfc);
  Bytes back;
  ASSERT_EQ(TryDecompress(dfc, &p, &back), DC_OK) << dc_last_error_message();
  EXPECT_TRUE(back == px);
  // Not even one thread fits: refused, naming the need.
  p.memory_limit = 36u << 20;
  EXPECT_EQ(TryDecompress(dfc, &p), DC_ERR_TOO_LARGE);
  EXPECT_NE(std::string(dc_last_error_message()).find("needs about"), std::string::npos);
}

// The encoder's default tile (docs/codecs/image-lossless.md, "Tile size"): 1024 for an image
// where at least half the pixels repeat their left neighbour, when it fits the memory limit;
// 256 otherwise; the caller's tile size always wins. The file records the tile it was coded with.
TEST(ApiRoundTrip, DefaultTileFollowsTheContent) {
  dc_model_info m{};
  ASSERT_TRUE(DefaultModel(&m));
  const dc::Codec* codec = dc::FindCodec(DC_CODEC_IMAGE_LOSSLESS);
  ASSERT_NE(codec, nullptr);
  const uint32_t w = 300, h = 40;
  Bytes flat(size_t{w} * h * 3, 200);
  for (uint32_t y = 0; y < h; ++y)  // stripes: a repeat of the left neighbour but at each edge
    for (uint32_t x = 0; x < w; ++x) flat[(size_t{y} * w + x) * 3] = static_cast<uint8_t>(x / 7 * 9 + y);
  const Bytes noisy = TestImage(w, h, 3, 9);
  const dc_content cf = ImageContent(flat, w, h, 3, DC_FORMAT_PNG), cn = ImageContent(noisy, w, h, 3, DC_FORMAT_PNG);
  dc_params p = Params(DC_CODEC_IMAGE_LOSSLESS);
  EXPECT_EQ(codec->EncodeTileSize(cf, p), 1024u);
  EXPECT_EQ(codec->EncodeTileSize(cn, p), 256u);
  p.tile_size = 64;
  EXPECT_EQ(codec->EncodeTileSize(cf, p), 64u);
  p.tile_size = 0;
  p.memory_limit = 40u << 20;  // a 1024 tile coder needs about 32 MiB + 300 x 300 x 320 bytes = 59 MiB
  EXPECT_EQ(codec->EncodeTileSize(cf, p), 256u);
  p.memory_limit = 0;
  // The file stores the tile, clamped to the image's longer side, and decodes exactly.
  const Bytes dfc = Compress(cf, p);
  auto hd = dc::container::Parse(dfc.data(), dfc.size());
  ASSERT_TRUE(hd.ok()) << hd.status().message();
  EXPECT_EQ(hd->tile_size, w);
  Bytes back;
  ASSERT_EQ(TryDecompress(dfc, &p, &back), DC_OK) << dc_last_error_message();
  EXPECT_TRUE(back == flat);
}

TEST(ThreadsWithinMemory, LargestCountThatFits) {
  const auto need = [](int t) { return uint64_t{100} * t; };
  EXPECT_EQ(*dc::ThreadsWithinMemory(8, 250, need), 2);
  EXPECT_EQ(*dc::ThreadsWithinMemory(2, 250, need), 2);
  EXPECT_EQ(*dc::ThreadsWithinMemory(1000, 99999, need), 999);
  EXPECT_EQ(*dc::ThreadsWithinMemory(0, 250, need), 1);
  EXPECT_EQ(dc::ThreadsWithinMemory(4, 50, need).status().code(), DC_ERR_TOO_LARGE);
  EXPECT_EQ(*dc::ThreadsWithinMemory(64, 0, [](int t) { return (uint64_t{1} << 27) * t; }), 16);  // default 2 GiB
}

TEST(ApiRoundTrip, KodakCrop) {
  dc_model_info m{};
  ASSERT_TRUE(DefaultModel(&m));
  const std::string path = std::string(DC_SHARED_DATA) + "/kodak/kodim19.png";
  auto file = dc::extras::ReadFile(path);
  ASSERT_TRUE(file.ok()) << "shared data missing: " << file.status().message();
  auto img = dc::extras::DecodePng(file->data(), file->size());
  ASSERT_TRUE(img.ok()) << img.status().message();
  const uint32_t cw = 72, ch = 56, x0 = 150, y0 = 300, c = img->channels;
  Bytes px;
  for (uint32_t y = y0; y < y0 + ch; ++y) {
    const uint8_t* row = img->pixels.data() + (static_cast<size_t>(y) * img->width + x0) * c;
    px.insert(px.end(), row, row + static_cast<size_t>(cw) * c);
  }
  const Bytes dfc = Compress(ImageContent(px, cw, ch, c, DC_FORMAT_PNG), Params(DC_CODEC_IMAGE_LOSSLESS));
  ASSERT_FALSE(dfc.empty());
  EXPECT_LT(dfc.size(), px.size()) << "a photo crop should compress";
  Bytes back;
  ASSERT_EQ(TryDecompress(dfc, nullptr, &back), DC_OK) << dc_last_error_message();
  EXPECT_TRUE(back == px);
}

// ------------------------------------------------------------------------------------------
// Bad containers

TEST(ApiBadInput, EveryPrefixOfSmallContainersIsRejected) {
  std::vector<std::pair<std::string, Bytes>> files;
  for (dc_codec codec : {DC_CODEC_STORE, DC_CODEC_HUFFMAN, DC_CODEC_LZW})
    files.emplace_back(dc_codec_name(codec), Compress(BytesContent(kText), Params(codec)));
  files.emplace_back("empty content", Compress(BytesContent({}), Params(DC_CODEC_HUFFMAN)));
  dc_model_info m{};
  const bool have_model = DefaultModel(&m);
  EXPECT_TRUE(DefaultModel(&m));
  if (have_model) {
    const Bytes px = TestImage(6, 5, 3, 9);
    files.emplace_back("image", Compress(ImageContent(px, 6, 5, 3, DC_FORMAT_PNG), Params(DC_CODEC_IMAGE_LOSSLESS)));
  }
  for (const auto& [name, dfc] : files) {
    ASSERT_FALSE(dfc.empty()) << name;
    ASSERT_EQ(TryDecompress(dfc), DC_OK) << name << ": " << dc_last_error_message();
    for (size_t n = 0; n < dfc.size(); ++n) {
      const Bytes prefix(dfc.begin(), dfc.begin() + n);
      const dc_error e = TryDecompress(prefix);
      EXPECT_NE(e, DC_OK) << name << " cut to " << n << " of " << dfc.size() << " bytes";
      if (n == 0) {
        EXPECT_TRUE(e == DC_ERR_TRUNCATED || e == DC_ERR_BAD_MAGIC) << dc_error_name(e);
      } else if (n < 4) {
        EXPECT_EQ(e, DC_ERR_TRUNCATED) << name << " cut to " << n << ": " << dc_error_name(e);
      } else {
        EXPECT_TRUE(e == DC_ERR_TRUNCATED || e == DC_ERR_CORRUPT || e == DC_ERR_CHECKSUM)
            << name << " cut to " << n << ": " << dc_error_name(e);
      }
    }
  }
}

// Every single-bit change either is rejected or (unused bits: padding, a tile size larger than
// the image) decodes to exactly the original.
TEST(ApiBadInput, EveryBitFlipIsRejectedOrHarmless) {
  std::vector<std::pair<std::string, Bytes>> files;
  std::vector<Bytes> originals;
  for (dc_codec codec : {DC_CODEC_STORE, DC_CODEC_HUFFMAN, DC_CODEC_LZW}) {
    const Bytes data(kText.begin(), kText.begin() + 200);
    files.emplace_back(dc_codec_name(codec), Compress(BytesContent(data), Params(codec)));
    originals.push_back(data);
  }
  dc_model_info m{};
  EXPECT_TRUE(DefaultModel(&m));
  if (dc_model_describe(DC_CODEC_IMAGE_LOSSLESS, nullptr, &m) == DC_OK) {
    const Bytes px = TestImage(5, 4, 1, 3);
    files.emplace_back("image", Compress(ImageContent(px, 5, 4, 1, DC_FORMAT_PGM), Params(DC_CODEC_IMAGE_LOSSLESS)));
    originals.push_back(px);
  }
  for (size_t f = 0; f < files.size(); ++f) {
    const auto& [name, dfc] = files[f];
    int rejected = 0;
    for (size_t i = 0; i < dfc.size(); ++i)
      for (int bit = 0; bit < 8; ++bit) {
        Bytes bad = dfc;
        bad[i] ^= static_cast<uint8_t>(1u << bit);
        Bytes back;
        const dc_error e = TryDecompress(bad, nullptr, &back);
        if (e == DC_OK) {
          EXPECT_TRUE(back == originals[f]) << name << ": byte " << i << " bit " << bit
                                            << " accepted with other content";
        } else {
          ++rejected;
        }
      }
    EXPECT_GT(rejected, static_cast<int>(dfc.size()) * 6) << name << ": most flips must be caught";
  }
}

TEST(ApiBadInput, EmptyAndGarbage) {
  EXPECT_NE(TryDecompress({}), DC_OK);
  EXPECT_NE(TryInfo({}), DC_OK);
  const Bytes garbage = RandomBytes(3000, 77);
  ASSERT_NE(garbage[0], 0xDF);
  EXPECT_EQ(TryDecompress(garbage), DC_ERR_BAD_MAGIC);
  EXPECT_EQ(TryInfo(garbage), DC_ERR_BAD_MAGIC);
  const Bytes text(kText.begin(), kText.end());
  EXPECT_EQ(TryDecompress(text), DC_ERR_BAD_MAGIC);
  // Random bytes behind a good magic number and header start.
  for (uint32_t seed = 0; seed < 200; ++seed) {
    Bytes b = RandomBytes(4 + seed % 90, seed);
    b[0] = 0xDF, b[1] = 'D', b[2] = 'F', b[3] = 'C';
    if (b.size() > 4) b[4] = 0x10;
    if (b.size() > 5) b[5] &= 1;
    if (b.size() > 6) b[6] &= 3;
    if (b.size() > 7) b[7] &= 3;
    EXPECT_NE(TryDecompress(b), DC_OK) << "seed " << seed;
  }
}

TEST(ApiBadInput, HeaderFields) {
  const Bytes good = Compress(BytesContent(kText), Params(DC_CODEC_HUFFMAN));
  ASSERT_EQ(TryDecompress(good), DC_OK);
  auto with = [&](size_t off, uint8_t v) {
    Bytes b = good;
    b[off] = v;
    return b;
  };
  for (size_t off = 0; off < 4; ++off) {
    EXPECT_EQ(TryDecompress(with(off, good[off] ^ 0x40)), DC_ERR_BAD_MAGIC) << off;
    EXPECT_EQ(TryInfo(with(off, good[off] ^ 0x40)), DC_ERR_BAD_MAGIC) << off;
  }
  for (uint8_t v : {0x00, 0x01, 0x30, 0x3F, 0xF0, 0xFF}) {
    EXPECT_EQ(TryDecompress(with(4, v)), DC_ERR_UNSUPPORTED_VERSION) << int(v);
    EXPECT_EQ(TryInfo(with(4, v)), DC_ERR_UNSUPPORTED_VERSION) << int(v);
  }
  ASSERT_EQ(good[4], 0x20) << "files are written at container version 2.0";
  const size_t crc_at = HeaderCrcAt(good);
  // Version 2.0: the header checksum covers every header byte, the version's minor included.
  EXPECT_EQ(TryDecompress(with(4, 0x2F)), DC_ERR_CHECKSUM);
  {  // A higher minor of major 2, written by a newer writer, is read as 2.0.
    dc_info info{};
    const Bytes b = Reseal(with(4, 0x2F), crc_at);
    EXPECT_EQ(TryInfo(b, &info), DC_OK);
    EXPECT_EQ(info.version_minor, 15u);
    Bytes back;
    EXPECT_EQ(TryDecompress(b, nullptr, &back), DC_OK);
    EXPECT_TRUE(back == kText);
  }
  {  // A higher minor of major 1 is read as 1.0 (a hand-made 1.x store file).
    Bytes v1 = Head(DC_CODEC_STORE, DC_FORMAT_RAW, 0, 0x1F);
    PutVarint(&v1, kText.size());
    v1.insert(v1.end(), kText.begin(), kText.end());
    PutU32(&v1, Crc(kText));
    dc_info info{};
    EXPECT_EQ(TryInfo(v1, &info), DC_OK);
    EXPECT_EQ(info.version_minor, 15u);
    EXPECT_EQ(info.revision, 1u) << "every 1.x file is revision 1";
    Bytes back;
    EXPECT_EQ(TryDecompress(v1, nullptr, &back), DC_OK);
    EXPECT_TRUE(back == kText);
  }
  for (int bit = 1; bit < 8; ++bit) {
    EXPECT_EQ(TryDecompress(with(5, static_cast<uint8_t>(1u << bit))), DC_ERR_RESERVED_BITS) << bit;
    EXPECT_EQ(TryInfo(with(5, static_cast<uint8_t>(1u << bit))), DC_ERR_RESERVED_BITS) << bit;
  }
  EXPECT_EQ(TryDecompress(with(5, 0xFF)), DC_ERR_RESERVED_BITS);
  EXPECT_EQ(TryDecompress(with(5, 0x01)), DC_ERR_CORRUPT) << "model reference on a codec without a model";
  for (int id = 4; id < 256; ++id) {
    dc_codec known;
    if (dc_codec_from_name(dc_codec_name(static_cast<dc_codec>(id)), &known) == DC_OK) continue;  // registered
    EXPECT_EQ(TryDecompress(with(6, static_cast<uint8_t>(id))), DC_ERR_UNKNOWN_CODEC) << id;
    EXPECT_EQ(TryInfo(with(6, static_cast<uint8_t>(id))), DC_ERR_UNKNOWN_CODEC) << id;
  }
  // The revision (offset 7): 0 does not exist; a damaged one fails the header checksum; a
  // revision newer than this build's, in a well-formed header, names itself.
  EXPECT_EQ(TryDecompress(with(7, 0)), DC_ERR_CORRUPT);
  for (int rev = 2; rev < 256; rev += 51) {
    EXPECT_EQ(TryDecompress(with(7, static_cast<uint8_t>(rev))), DC_ERR_CHECKSUM) << rev;
    const Bytes b = Reseal(with(7, static_cast<uint8_t>(rev)), crc_at);
    EXPECT_EQ(TryDecompress(b), DC_ERR_UNSUPPORTED_VERSION) << rev;
    EXPECT_NE(std::string(dc_last_error_message()).find("revision " + std::to_string(rev)), std::string::npos)
        << dc_last_error_message();
    EXPECT_EQ(TryInfo(b), DC_ERR_UNSUPPORTED_VERSION) << rev;
  }
  for (int fmt = 4; fmt <= DC_FORMAT_RAW_I420; ++fmt)
    EXPECT_EQ(TryDecompress(with(8, static_cast<uint8_t>(fmt))), DC_ERR_CORRUPT) << "signal or video format on a byte codec " << fmt;
  for (int fmt = DC_FORMAT_RAW_I420 + 1; fmt < 256; fmt += 17)
    EXPECT_EQ(TryDecompress(with(8, static_cast<uint8_t>(fmt))), DC_ERR_UNSUPPORTED_FORMAT) << fmt;
  // Every other header byte (the descriptor, the checksum itself) is bound by the checksum.
  for (size_t off = 9; off < crc_at + 4; ++off)
    EXPECT_NE(TryDecompress(with(off, good[off] ^ 0x10)), DC_OK) << off;
}

TEST(ApiBadInput, TooLarge) {
  const uint32_t id = 1, fp = 0x12345678;  // never reached: the size check comes first
  struct Case {
    const char* what;
    Bytes w, h;
  } cases[] = {
      {"width 65536", V(65536), V(1)},
      {"height 65536", V(1), V(65536)},
      {"65535 x 65535 > 2^28 pixels", V(65535), V(65535)},
      {"16385 x 16384 > 2^28 pixels", V(16385), V(16384)},
      {"2^28 + 1 pixels, thin", V(65535), V(4097)},
      {"width 2^32 + 1", V((1ull << 32) + 1), V(2)},
      {"2^33 x 2^33, the product overflows 64 bits", V(1ull << 33), V(1ull << 33)},
      {"width 2^64 - 1", V(~0ull), V(1)},
      {"width varint past 64 bits", Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, V(1)},
      {"height varint past 64 bits", V(1), Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02}},
  };
  for (const auto& c : cases) {
    const Bytes f = ImageFile(c.w, c.h, 3, id, fp);
    EXPECT_EQ(TryDecompress(f), DC_ERR_TOO_LARGE) << c.what << ": " << dc_last_error_message();
    EXPECT_EQ(TryInfo(f), DC_ERR_TOO_LARGE) << c.what;
  }
  // Exactly at the limit: the header is accepted (the model check then fails, not the size).
  dc_info info{};
  EXPECT_EQ(TryInfo(ImageFile(V(16384), V(16384), 1, id, fp), &info), DC_OK) << dc_last_error_message();
  EXPECT_EQ(info.original_size, 1ull << 28);
  EXPECT_EQ(TryInfo(ImageFile(V(65535), V(4096), 1, id, fp)), DC_OK);

  // Byte codecs: original size above 4 GiB, and a size varint past 64 bits.
  for (uint8_t codec : {DC_CODEC_STORE, DC_CODEC_HUFFMAN, DC_CODEC_LZW}) {
    for (uint64_t size : {(1ull << 32) + 1, 1ull << 40, ~0ull}) {
      Bytes o = Head(codec, DC_FORMAT_RAW);
      PutVarint(&o, size);
      o.insert(o.end(), 16, 0);
      EXPECT_EQ(TryDecompress(o), DC_ERR_TOO_LARGE) << int(codec) << " size " << size;
      EXPECT_EQ(TryInfo(o), DC_ERR_TOO_LARGE);
    }
    Bytes o = Head(codec, DC_FORMAT_RAW);
    const uint8_t overflow[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x03};
    o.insert(o.end(), std::begin(overflow), std::end(overflow));
    o.insert(o.end(), 16, 0);
    EXPECT_EQ(TryDecompress(o), DC_ERR_TOO_LARGE) << "size varint past 64 bits";
  }
  // At the limit for bytes: accepted by the header parser.
  Bytes o = Head(DC_CODEC_STORE, DC_FORMAT_RAW);
  PutVarint(&o, 1ull << 32);
  o.insert(o.end(), 8, 0);
  EXPECT_EQ(TryInfo(o), DC_OK);
  EXPECT_EQ(TryDecompress(o), DC_ERR_TRUNCATED) << "4 bytes of payload for 4 GiB";
}

TEST(ApiBadInput, OtherHeaderErrors) {
  dc_model_info m{};
  ASSERT_TRUE(DefaultModel(&m));
  EXPECT_EQ(TryDecompress(ImageFile(V(0), V(4), 3, m.model_id, m.fingerprint)), DC_ERR_CORRUPT);
  EXPECT_EQ(TryDecompress(ImageFile(V(4), V(0), 3, m.model_id, m.fingerprint)), DC_ERR_CORRUPT);
  for (uint8_t ch : {0, 2, 5, 255})
    EXPECT_EQ(TryDecompress(ImageFile(V(4), V(4), ch, m.model_id, m.fingerprint)), DC_ERR_UNSUPPORTED_FORMAT)
        << int(ch);
  for (uint64_t t : {0ull, 15ull, 4097ull, (1ull << 13) | 15, (1ull << 13) | 8191})
    EXPECT_EQ(TryDecompress(ImageFile(V(4), V(4), 3, m.model_id, m.fingerprint, t)), DC_ERR_CORRUPT) << t;
  // Coder flags above bit 0 (bits 14 and up of the tile parameter) are reserved.
  for (uint64_t t : {(2ull << 13) | 256, (3ull << 13) | 256, 1ull << 40})
    EXPECT_EQ(TryDecompress(ImageFile(V(4), V(4), 3, m.model_id, m.fingerprint, t)), DC_ERR_RESERVED_BITS) << t;
  EXPECT_EQ(TryDecompress(ImageFile(V(4), V(4), 3, 0, 0, 256, /*model_flag=*/false)), DC_ERR_CORRUPT);
  // A well-formed header with a payload of zeros: rejected, whatever the reason.
  EXPECT_NE(TryDecompress(ImageFile(V(4), V(4), 3, m.model_id, m.fingerprint)), DC_OK);
  // Image-lossless with format raw / a channel count the format cannot hold.
  const Bytes px = TestImage(4, 4, 3, 1);
  const Bytes good = Compress(ImageContent(px, 4, 4, 3, DC_FORMAT_PPM), Params(DC_CODEC_IMAGE_LOSSLESS));
  ASSERT_EQ(TryDecompress(good), DC_OK);
  for (uint8_t fmt : {DC_FORMAT_RAW, DC_FORMAT_PGM}) {
    Bytes b = good;
    b[8] = fmt;
    const dc_error e = TryDecompress(b);  // raw does not fit an image: refused before the checksum
    EXPECT_TRUE(e == DC_ERR_CHECKSUM || e == DC_ERR_CORRUPT) << int(fmt) << " " << dc_error_name(e);
    EXPECT_EQ(TryDecompress(Reseal(b, HeaderCrcAt(good))), DC_ERR_CORRUPT) << int(fmt);
  }
  // Store: payload length disagreeing with the size.
  Bytes shorter = StoreFile(kText, Crc(kText));
  shorter.erase(shorter.end() - 5);
  EXPECT_EQ(TryDecompress(shorter), DC_ERR_TRUNCATED);
  // Header complete, no room for the CRC.
  Bytes cut = Head(DC_CODEC_STORE, DC_FORMAT_RAW);
  PutVarint(&cut, 0);
  for (int extra = 0; extra < 4; ++extra) {
    EXPECT_EQ(TryDecompress(cut), DC_ERR_TRUNCATED) << extra << " CRC bytes";
    EXPECT_EQ(TryInfo(cut), DC_ERR_TRUNCATED) << extra << " CRC bytes";
    cut.push_back(0);
  }
  // With all 4: the valid store file of empty content (CRC-32 of nothing is 0).
  ASSERT_EQ(Crc({}), 0u);
  EXPECT_EQ(TryDecompress(cut), DC_OK) << dc_last_error_message();
}

TEST(ApiBadInput, Checksum) {
  // A valid stream with the wrong CRC: store makes this easy.
  const Bytes ok = StoreFile(kText, Crc(kText));
  Bytes back;
  ASSERT_EQ(TryDecompress(ok, nullptr, &back), DC_OK) << "hand-made store file: " << dc_last_error_message();
  EXPECT_TRUE(back == kText);
  EXPECT_EQ(TryDecompress(StoreFile(kText, Crc(kText) ^ 1)), DC_ERR_CHECKSUM);
  EXPECT_EQ(TryDecompress(StoreFile(kText, 0)), DC_ERR_CHECKSUM);
  Bytes flipped = ok;
  flipped[20] ^= 0x08;  // a payload byte
  EXPECT_EQ(TryDecompress(flipped), DC_ERR_CHECKSUM);
  // dc_read_info does not decode, so it does not see the checksum.
  EXPECT_EQ(TryInfo(flipped), DC_OK);
  // Huffman and LZW payloads that decode to other content of the right length: the CRC, again.
  for (dc_codec codec : {DC_CODEC_HUFFMAN, DC_CODEC_LZW}) {
    const Bytes good = Compress(BytesContent(kText), Params(codec));
    Bytes bad = good;
    const size_t crc_at = bad.size() - 4;
    bad[crc_at] ^= 0x01;
    EXPECT_EQ(TryDecompress(bad), DC_ERR_CHECKSUM) << dc_codec_name(codec);
  }
}

// A copy of the default model with one tensor byte changed: another fingerprint.
std::string OtherModel(const dc_model_info& m) {
  Bytes b = ReadAll(m.path);
  EXPECT_GT(b.size(), 16u) << m.path;
  if (b.size() <= 16) return "";
  const uint32_t mlen = uint32_t{b[8]} | (uint32_t{b[9]} << 8) | (uint32_t{b[10]} << 16) | (uint32_t{b[11]} << 24);
  const size_t data_start = (12 + static_cast<size_t>(mlen) + 15) / 16 * 16;
  EXPECT_LT(data_start + 1, b.size());
  b[data_start] ^= 0x01;  // lowest mantissa bit of the first tensor value
  char tmpl[] = "/tmp/dc_api_test_model_XXXXXX";
  const int fd = mkstemp(tmpl);
  EXPECT_GE(fd, 0);
  if (fd < 0) return "";
  close(fd);
  std::ofstream(tmpl, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
  return tmpl;
}

TEST(ApiBadInput, ModelMismatch) {
  dc_model_info m{};
  ASSERT_TRUE(DefaultModel(&m));
  const std::string other = OtherModel(m);
  ASSERT_FALSE(other.empty());
  dc_model_info m2{};
  ASSERT_EQ(dc_model_describe(DC_CODEC_IMAGE_LOSSLESS, other.c_str(), &m2), DC_OK) << dc_last_error_message();
  EXPECT_NE(m2.fingerprint, m.fingerprint) << "one changed tensor byte must change the fingerprint";
  EXPECT_EQ(m2.model_id, m.model_id);

  const Bytes px = TestImage(9, 7, 3, 4);
  const dc_content c = ImageContent(px, 9, 7, 3, DC_FORMAT_PNG);
  const Bytes with_default = Compress(c, Params(DC_CODEC_IMAGE_LOSSLESS));
  const Bytes with_other = Compress(c, Params(DC_CODEC_IMAGE_LOSSLESS, other.c_str()));
  ASSERT_FALSE(with_default.empty());
  ASSERT_FALSE(with_other.empty());
  dc_info info{};
  ASSERT_EQ(TryInfo(with_other, &info), DC_OK);
  EXPECT_EQ(info.model_fingerprint, m2.fingerprint);

  const dc_params p_other = Params(DC_CODEC_IMAGE_LOSSLESS, other.c_str());
  EXPECT_EQ(TryDecompress(with_other), DC_ERR_MODEL_MISMATCH) << "a file of the other model, default model";
  EXPECT_NE(std::string(dc_last_error_message()).find("fingerprint"), std::string::npos);
  EXPECT_EQ(TryDecompress(with_default, &p_other), DC_ERR_MODEL_MISMATCH) << "a default file, other model";
  Bytes back;
  EXPECT_EQ(TryDecompress(with_other, &p_other, &back), DC_OK) << dc_last_error_message();
  EXPECT_TRUE(back == px);

  // The header names another model id with the right fingerprint.
  Bytes other_id = ImageFile(V(9), V(7), 3, m.model_id + 1, m.fingerprint);
  EXPECT_EQ(TryDecompress(other_id), DC_ERR_MODEL_MISMATCH);
  Bytes other_fp = ImageFile(V(9), V(7), 3, m.model_id, m.fingerprint ^ 0x80000000u);
  EXPECT_EQ(TryDecompress(other_fp), DC_ERR_MODEL_MISMATCH);

  // Missing model file.
  const dc_params missing = Params(DC_CODEC_IMAGE_LOSSLESS, "/nonexistent/dir/model.dcw");
  EXPECT_EQ(TryDecompress(with_default, &missing), DC_ERR_MODEL_NOT_FOUND);
  Buffer out;
  out.b.data = nullptr;
  EXPECT_EQ(dc_compress(&c, &missing, &out.b, nullptr), DC_ERR_MODEL_NOT_FOUND);
  EXPECT_EQ(out.b.data, nullptr);
  std::remove(other.c_str());
}

// ------------------------------------------------------------------------------------------
// dc_compress argument errors; the output is left empty after each.

TEST(ApiCompressErrors, OutputLeftEmpty) {
  const Bytes px = TestImage(8, 8, 3, 2);
  struct Case {
    const char* what;
    dc_content c;
    dc_codec codec;
    dc_error expect;
  };
  auto img = [&](uint32_t w, uint32_t h, uint32_t ch, uint32_t depth, dc_format fmt) {
    dc_content c = ImageContent(px, w, h, ch, fmt);
    c.bit_depth = depth;
    return c;
  };
  const Case cases[] = {
      {"2 channels", img(8, 8, 2, 8, DC_FORMAT_PNG), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_UNSUPPORTED_FORMAT},
      {"5 channels", img(8, 8, 5, 8, DC_FORMAT_PNG), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_UNSUPPORTED_FORMAT},
      {"16-bit", img(8, 8, 3, 16, DC_FORMAT_PNG), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_UNSUPPORTED_FORMAT},
      {"width 65536", img(65536, 1, 3, 8, DC_FORMAT_PNG), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_TOO_LARGE},
      {"65535 x 65535", img(65535, 65535, 3, 8, DC_FORMAT_PNG), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_TOO_LARGE},
      {"16385 x 16384", img(16385, 16384, 1, 8, DC_FORMAT_PNG), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_TOO_LARGE},
      {"zero width", img(0, 8, 3, 8, DC_FORMAT_PNG), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_INVALID_ARGUMENT},
      {"size mismatch", img(8, 7, 3, 8, DC_FORMAT_PNG), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_INVALID_ARGUMENT},
      {"PPM with 4 channels", img(4, 8, 4, 8, DC_FORMAT_PPM), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_INVALID_ARGUMENT},
      {"PGM with 3 channels", img(8, 8, 3, 8, DC_FORMAT_PGM), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_INVALID_ARGUMENT},
      {"image as raw", img(8, 8, 3, 8, DC_FORMAT_RAW), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_INVALID_ARGUMENT},
      {"image to a byte codec", img(8, 8, 3, 8, DC_FORMAT_PNG), DC_CODEC_LZW, DC_ERR_INVALID_ARGUMENT},
      {"bytes to the image codec", BytesContent(px), DC_CODEC_IMAGE_LOSSLESS, DC_ERR_INVALID_ARGUMENT},
  };
  for (const auto& k : cases) {
    const dc_params p = Params(k.codec);
    dc_buffer out;
    out.data = reinterpret_cast<uint8_t*>(0x1);  // garbage the call must clear
    out.size = 99;
    dc_stats st{};
    const dc_error e = dc_compress(&k.c, &p, &out, &st);
    EXPECT_EQ(e, k.expect) << k.what << ": " << dc_error_name(e) << " " << dc_last_error_message();
    EXPECT_EQ(out.data, nullptr) << k.what;
    EXPECT_EQ(out.size, 0u) << k.what;
    const std::string msg = dc_last_error_message();
    EXPECT_FALSE(msg.empty()) << k.what;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << k.what;
    if (out.data != reinterpret_cast<uint8_t*>(0x1)) dc_buffer_free(&out);
  }
  // Null arguments.
  const dc_params p = Params(DC_CODEC_STORE);
  dc_buffer out{};
  EXPECT_EQ(dc_compress(nullptr, &p, &out, nullptr), DC_ERR_INVALID_ARGUMENT);
  const dc_content c = BytesContent(px);
  EXPECT_EQ(dc_compress(&c, &p, nullptr, nullptr), DC_ERR_INVALID_ARGUMENT);
  dc_content no_data = BytesContent(px);
  no_data.data = nullptr;
  EXPECT_EQ(dc_compress(&no_data, &p, &out, nullptr), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(out.data, nullptr);
  dc_decoded d{};
  EXPECT_EQ(dc_decompress(nullptr, 10, nullptr, &d), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(dc_decompress(px.data(), px.size(), nullptr, nullptr), DC_ERR_INVALID_ARGUMENT);
  dc_info info{};
  EXPECT_EQ(dc_read_info(nullptr, 10, &info), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(dc_read_info(px.data(), px.size(), nullptr), DC_ERR_INVALID_ARGUMENT);
  // Freeing empty or already freed results is harmless.
  dc_buffer_free(&out);
  dc_buffer_free(nullptr);
  dc_decoded_free(&d);
  dc_decoded_free(nullptr);
}

TEST(ApiCompressErrors, MessageNamesTheProblem) {
  const Bytes garbage = RandomBytes(100, 3);
  EXPECT_EQ(TryDecompress(garbage), DC_ERR_BAD_MAGIC);
  const std::string msg = dc_last_error_message();
  EXPECT_NE(msg.find("magic"), std::string::npos) << msg;
}

}  // namespace
