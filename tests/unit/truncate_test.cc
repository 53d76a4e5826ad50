// dc_truncate on containers that are not progressive, and bad arguments. The cut itself is
// tested with the lossy codecs (src/codecs/signal_lossy/signal_lossy_test.cc) and in
// src/rcc/progressive_test.cc.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "diffcomp/diffcomp.h"

namespace {

TEST(Truncate, RefusesCodecsThatAreNotProgressive) {
  std::vector<uint8_t> data(1000, 7);
  dc_content c{};
  c.kind = DC_KIND_BYTES;
  c.format = DC_FORMAT_RAW;
  c.data = data.data();
  c.size = data.size();
  dc_params p;
  dc_params_init(&p);
  p.codec = DC_CODEC_HUFFMAN;
  dc_buffer file{};
  ASSERT_EQ(dc_compress(&c, &p, &file, nullptr), DC_OK);
  dc_buffer out{};
  EXPECT_EQ(dc_truncate(file.data, file.size, 2.0, &out), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(out.data, nullptr);
  EXPECT_EQ(out.size, 0u);
  for (double bad : {0.0, -1.0, static_cast<double>(NAN), static_cast<double>(INFINITY)}) EXPECT_EQ(dc_truncate(file.data, file.size, bad, &out), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(dc_truncate(file.data, 3, 2.0, &out), DC_ERR_TRUNCATED);
  EXPECT_EQ(dc_truncate(nullptr, 5, 2.0, &out), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(dc_truncate(file.data, file.size, 2.0, nullptr), DC_ERR_INVALID_ARGUMENT);
  dc_buffer_free(&file);
}

}  // namespace
