// libFuzzer target: dc_decompress on untrusted bytes, with the shipped models (threads = 1, a
// 512 MiB memory limit).
//
// The first byte picks the mode:
//   0xDF (the first magic byte)  raw: the whole input is a .dfc file (dc_read_info too), so a
//                                real .dfc file is a seed as it is (the conformance corpus is);
//                                the library loads the model the file names, so every codec's
//                                payload decoder is reached (the fuzzing build skips the header
//                                and payload checksums: docs/format.md, FUZZING_BUILD_MODE);
//   otherwise, by value % 3:
//   0  image-lossless payload: [mode][w][h][ch][tile][crc32 LE x4][payload...] becomes a valid
//      container header (W, H = 1 + byte % 64; channels 1/3/4 by (ch & 0x7F) % 3, format PNG
//      if ch & 0x80 or 4 channels, else PGM/PPM; tile 16 + (tile & 0x3F), the online mixture
//      correction's coder flag if tile & 0x80; the shipped model's id and
//      fingerprint; the given CRC) + payload, so the payload decoder is reached past the
//      container checks;
//   1  byte-codec payload: [mode][codec][size LE x2][crc32 LE x4][payload...] likewise for
//      store / huffman / lzw with original_size < 65536;
//   2  byte-codec round trip: [mode][codec][data...] is compressed and must decompress to itself.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "container/container.h"
#include "diffcomp/diffcomp.h"

#ifndef DC_SOURCE_DIR
#error "compile with -DDC_SOURCE_DIR=\"/path/to/diffcomp\""
#endif

namespace {

const char* const kModelPath = DC_SOURCE_DIR "/models/image-lossless-adm1.dcw";
dc_model_info g_model;
bool g_verbose = false;  // DC_FUZZ_VERBOSE=1: print each result (to check seeds)

uint32_t Le32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

dc_params Params(bool image_model = true) {
  dc_params p;
  dc_params_init(&p);
  p.threads = 1;
  p.memory_limit = uint64_t{512} << 20;
  p.model_path = image_model ? kModelPath : nullptr;
  return p;
}

// Decompresses; on success checks what the API promises about the result.
void Decompress(const uint8_t* data, size_t size, bool image_model = true) {
  const dc_params p = Params(image_model);
  dc_decoded d;
  const dc_error e = dc_decompress(data, size, &p, &d);
  if (g_verbose) std::fprintf(stderr, "dc_decompress: %s %s\n", dc_error_name(e), dc_last_error_message());
  if (e == DC_ERR_INTERNAL) std::abort();  // "a bug: please report", never the file's fault
  if (e == DC_OK) {
    if (d.content.size > 0 && d.content.data == nullptr) std::abort();
    if (d.content.kind == DC_KIND_IMAGE &&
        uint64_t{d.content.width} * d.content.height * d.content.channels != d.content.size)
      std::abort();
    dc_decoded_free(&d);
  } else if (d.storage_ != nullptr || d.content.size != 0) {
    std::abort();  // on error the output is left empty
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_verbose = std::getenv("DC_FUZZ_VERBOSE") != nullptr;
  if (dc_model_describe(DC_CODEC_IMAGE_LOSSLESS, kModelPath, &g_model) != DC_OK) {
    std::fprintf(stderr, "fuzz_decompress: cannot load %s: %s\n", kModelPath, dc_last_error_message());
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    Decompress(data, 0);
    return 0;
  }
  if (data[0] == 0xDF) {
    Decompress(data, size, /*image_model=*/false);
    dc_info info;
    (void)dc_read_info(data, size, &info);
    return 0;
  }
  const uint8_t mode = data[0] % 3;
  if (mode == 0) {
    if (size < 9) return 0;
    dc::container::Header h;
    h.codec = DC_CODEC_IMAGE_LOSSLESS;
    h.kind = DC_KIND_IMAGE;
    h.width = 1 + data[1] % 64;
    h.height = 1 + data[2] % 64;
    static constexpr uint32_t kChannels[3] = {1, 3, 4};
    h.channels = kChannels[(data[3] & 0x7F) % 3];
    h.format = h.channels == 4 ? DC_FORMAT_PNG
               : (data[3] & 0x80) ? DC_FORMAT_PNG
               : h.channels == 1  ? DC_FORMAT_PGM
                                  : DC_FORMAT_PPM;
    h.tile_size = 16 + (data[4] & 0x3F);
    h.coder_flags = (data[4] & 0x80) ? dc::container::kCoderFlagAdapt : 0;
    h.has_model = true;
    h.model_id = g_model.model_id;
    h.fingerprint = g_model.fingerprint;
    const std::vector<uint8_t> file = dc::container::Write(h, data + 9, size - 9, Le32(data + 5));
    Decompress(file.data(), file.size());
  } else if (mode == 1) {
    if (size < 8) return 0;
    dc::container::Header h;
    h.codec = static_cast<dc_codec>(data[1] % 3);
    h.kind = DC_KIND_BYTES;
    h.original_size = uint64_t{data[2]} | (uint64_t{data[3]} << 8);
    const std::vector<uint8_t> file = dc::container::Write(h, data + 8, size - 8, Le32(data + 4));
    Decompress(file.data(), file.size());
  } else {
    if (size < 2) return 0;
    dc_params p = Params();
    p.codec = static_cast<dc_codec>(data[1] % 3);
    dc_content in{};
    in.kind = DC_KIND_BYTES;
    in.format = DC_FORMAT_RAW;
    in.data = data + 2;
    in.size = size - 2;
    dc_buffer buf;
    if (dc_compress(&in, &p, &buf, nullptr) != DC_OK) std::abort();
    dc_decoded d;
    if (dc_decompress(buf.data, buf.size, &p, &d) != DC_OK) std::abort();
    if (d.content.size != in.size || (in.size && std::memcmp(d.content.data, in.data, in.size) != 0))
      std::abort();
    dc_decoded_free(&d);
    dc_buffer_free(&buf);
  }
  return 0;
}
