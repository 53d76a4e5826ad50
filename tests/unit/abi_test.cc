// The C ABI's growth rule (include/diffcomp/diffcomp.h, "ABI"; src/api/abi.h): dc_params and
// dc_content read by their struct_size (0 = the 0.2.0 layout), a newer caller's unknown fields
// accepted only when zero, dc_decoded's content written only as far as the caller's size; the
// version check; and the inspection API (include/diffcomp/inspect.h).
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "api/abi.h"
#include "diffcomp/diffcomp.h"
#include "diffcomp/inspect.h"

namespace {

dc_content BytesContent(const std::string& s) {
  dc_content c;
  dc_content_init(&c);
  c.kind = DC_KIND_BYTES;
  c.format = DC_FORMAT_RAW;
  c.data = reinterpret_cast<const uint8_t*>(s.data());
  c.size = s.size();
  return c;
}

TEST(Abi, InitSetsSizes) {
  dc_params p;
  std::memset(&p, 0x5A, sizeof(p));
  dc_params_init(&p);
  EXPECT_EQ(p.struct_size, sizeof(dc_params));
  EXPECT_EQ(p.codec, DC_CODEC_IMAGE_LOSSLESS);
  dc_content c;
  std::memset(&c, 0x5A, sizeof(c));
  dc_content_init(&c);
  EXPECT_EQ(c.struct_size, sizeof(dc_content));
  EXPECT_EQ(c.data, nullptr);
  EXPECT_EQ(c.size, 0u);
}

TEST(Abi, VersionCheck) {
  EXPECT_TRUE(dc_version_ok());
  EXPECT_EQ(dc_abi_version(), uint32_t(DC_ABI_VERSION));
  EXPECT_EQ(dc_version_number(), uint32_t(DC_VERSION_NUMBER));
}

// Zero-initialised structs (struct_size 0) are the 0.2.0 layout and keep working.
TEST(Abi, ZeroSizeMeansFirstLayout) {
  const std::string text = "zero-initialised structs, zero-initialised structs";
  dc_content c{};
  c.kind = DC_KIND_BYTES;
  c.format = DC_FORMAT_RAW;
  c.data = reinterpret_cast<const uint8_t*>(text.data());
  c.size = text.size();
  dc_params p{};
  p.codec = DC_CODEC_LZW;
  dc_buffer out{};
  ASSERT_EQ(dc_compress(&c, &p, &out, nullptr), DC_OK) << dc_last_error_message();
  dc_decoded d{};
  ASSERT_EQ(dc_decompress(out.data, out.size, &p, &d), DC_OK) << dc_last_error_message();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.content.data), d.content.size), text);
  EXPECT_EQ(d.content.struct_size, 0u);  // the caller's value is kept
  dc_decoded_free(&d);
  dc_buffer_free(&out);
}

// A caller built with a newer header: its struct is longer. Zero in the unknown tail is accepted
// ("not set"); anything else is refused with a message naming the library.
TEST(Abi, NewerCallerUnknownFields) {
  const std::string text = "a newer caller";
  struct Newer {
    dc_params p;
    uint64_t future_field;
  } n;
  std::memset(&n, 0, sizeof(n));
  dc_params_init(&n.p);
  n.p.struct_size = sizeof(Newer);
  n.p.codec = DC_CODEC_HUFFMAN;
  const dc_content c = BytesContent(text);
  dc_buffer out{};
  ASSERT_EQ(dc_compress(&c, &n.p, &out, nullptr), DC_OK) << dc_last_error_message();
  dc_buffer_free(&out);
  n.future_field = 7;
  EXPECT_EQ(dc_compress(&c, &n.p, &out, nullptr), DC_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(dc_last_error_message()).find("newer libdiffcomp"), std::string::npos);
  EXPECT_EQ(out.data, nullptr);
}

TEST(Abi, BadSizesRefused) {
  const dc_content c = BytesContent("x");
  dc_params p;
  dc_params_init(&p);
  p.codec = DC_CODEC_STORE;
  p.struct_size = 4;  // shorter than any layout
  dc_buffer out{};
  EXPECT_EQ(dc_compress(&c, &p, &out, nullptr), DC_ERR_INVALID_ARGUMENT);
  dc_params_init(&p);
  p.codec = DC_CODEC_STORE;
  dc_content bad = c;
  bad.struct_size = 3;
  EXPECT_EQ(dc_compress(&bad, &p, &out, nullptr), DC_ERR_INVALID_ARGUMENT);
}

// An older caller's dc_decoded is shorter: the library writes content only up to the caller's
// content.struct_size and never past it.
TEST(Abi, DecodedWrittenOnlyToCallersSize) {
  const std::string text = "the library writes only what the caller has room for";
  const dc_content c = BytesContent(text);
  dc_params p;
  dc_params_init(&p);
  p.codec = DC_CODEC_LZW;
  dc_buffer out{};
  ASSERT_EQ(dc_compress(&c, &p, &out, nullptr), DC_OK);
  alignas(dc_decoded) unsigned char buf[sizeof(dc_decoded) + 64];
  std::memset(buf, 0xAB, sizeof(buf));
  auto* d = reinterpret_cast<dc_decoded*>(buf);
  const size_t v0 = dc::kContentSizeV0;
  const size_t end = offsetof(dc_decoded, content) + v0;
  d->storage_ = nullptr;
  d->content.struct_size = static_cast<uint32_t>(v0);
  ASSERT_EQ(dc_decompress(out.data, out.size, &p, d), DC_OK) << dc_last_error_message();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(d->content.data), d->content.size), text);
  for (size_t i = end; i < sizeof(buf); ++i) ASSERT_EQ(buf[i], 0xAB) << "byte " << i << " written";
  dc_decoded_free(d);
  for (size_t i = end; i < sizeof(buf); ++i) ASSERT_EQ(buf[i], 0xAB) << "byte " << i << " written by free";
  dc_buffer_free(&out);
}

// The inspection API on a short signal: steps, monotone payload, forward diffusion, errors.
TEST(Inspect, SignalLossyTrace) {
  std::vector<int32_t> x(512);
  for (size_t i = 0; i < x.size(); ++i) x[i] = int32_t(600 * std::sin(i * 0.05) + 90 * std::sin(i * 0.71));
  dc_params p;
  dc_params_init(&p);
  p.threads = 2;
  p.snr_db = 12;
  dc_slossy_trace* t = nullptr;
  ASSERT_EQ(dc_slossy_trace_run(x.data(), x.size(), 12, &p, &t), DC_OK) << dc_last_error_message();
  dc_slossy_trace_info info;
  ASSERT_EQ(dc_slossy_trace_get_info(t, &info), DC_OK);
  EXPECT_EQ(info.frames, x.size());
  EXPECT_GT(info.steps, 0u);
  EXPECT_LE(info.steps, info.max_steps);
  EXPECT_GT(info.payload_size, info.header_bytes);
  uint64_t last = 0;
  for (uint32_t j = 0; j <= info.steps; ++j) {
    dc_slossy_trace_step s;
    ASSERT_EQ(dc_slossy_trace_get_step(t, j, &s), DC_OK);
    EXPECT_EQ(s.step, j);
    EXPECT_GT(s.payload_end, j == 0 ? 0 : last);
    last = s.payload_end;
    ASSERT_NE(s.held, nullptr);
    ASSERT_NE(s.decoded, nullptr);
  }
  EXPECT_EQ(last, info.payload_size);
  dc_slossy_trace_step s;
  EXPECT_EQ(dc_slossy_trace_get_step(t, info.steps + 1, &s), DC_ERR_INVALID_ARGUMENT);
  EXPECT_GT(dc_slossy_trace_sigma(t, 0), dc_slossy_trace_sigma(t, info.max_steps));
  EXPECT_LT(dc_slossy_trace_sigma(t, info.max_steps + 1), 0);
  std::vector<double> y(x.size());
  ASSERT_EQ(dc_slossy_trace_forward(t, info.max_steps, 1, y.data()), DC_OK);
  double e = 0;
  for (size_t i = 0; i < x.size(); ++i) e += (y[i] - x[i]) * (y[i] - x[i]);
  EXPECT_LT(std::sqrt(e / x.size()), 4 * dc_slossy_trace_sigma(t, info.max_steps) + 1);
  EXPECT_EQ(dc_slossy_trace_forward(t, info.max_steps + 1, 1, y.data()), DC_ERR_INVALID_ARGUMENT);
  dc_slossy_trace_free(t);
  EXPECT_EQ(dc_slossy_trace_run(x.data(), 0, 12, &p, &t), DC_ERR_INVALID_ARGUMENT);
}

}  // namespace
