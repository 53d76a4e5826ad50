#include "extras/image_io.h"
#include "common/status.h"  // the macros (extras is built with the library's private headers)

#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

namespace dc::extras {
namespace {

constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

uint32_t LoadBe32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

bool IsPnmSpace(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Shared by every decoder: the limits are checked on header values, before anything is sized
// from them, so a tiny hostile header cannot trigger a huge allocation.
Status CheckDimensions(uint64_t width, uint64_t height, const char* what) {
  if (width == 0 || height == 0) {
    return Error(DC_ERR_CORRUPT, std::string(what) + " has zero width or height");
  }
  if (width > DC_MAX_IMAGE_DIM || height > DC_MAX_IMAGE_DIM ||
      width * height > DC_MAX_IMAGE_PIXELS) {
    return Error(DC_ERR_TOO_LARGE, std::string(what) + " of " + std::to_string(width) + "x" +
                                       std::to_string(height) + " exceeds the size limits");
  }
  return Status::Ok();
}

Status CheckImage(const Image& img) {
  if (img.channels != 1 && img.channels != 3 && img.channels != 4) {
    return Error(DC_ERR_INVALID_ARGUMENT,
                 "image has " + std::to_string(img.channels) + " channels (need 1, 3 or 4)");
  }
  if (img.width == 0 || img.height == 0) {
    return Error(DC_ERR_INVALID_ARGUMENT, "image has zero width or height");
  }
  RETURN_IF_ERROR(CheckDimensions(img.width, img.height, "image"));
  const uint64_t expected = uint64_t{img.width} * img.height * img.channels;
  if (img.pixels.size() != expected) {
    return Error(DC_ERR_INVALID_ARGUMENT, "image buffer holds " + std::to_string(img.pixels.size()) +
                                              " bytes, expected " + std::to_string(expected));
  }
  return Status::Ok();
}

Status AllocatePixels(Image* img) {
  try {
    img->pixels.assign(size_t{img->width} * img->height * img->channels, 0);
  } catch (const std::bad_alloc&) {
    return Error(DC_ERR_OUT_OF_MEMORY, "out of memory allocating image");
  }
  return Status::Ok();
}

// ---- libpng glue ---------------------------------------------------------------------------
// libpng reports errors by longjmp. Everything below that can be jumped over holds only trivial
// objects (the context is plain data, messages live in a char array), and each setjmp lives in
// a small function whose C++ objects are owned by its caller, so no destructor is ever skipped.

struct PngContext {
  const uint8_t* data = nullptr;  // reading
  size_t size = 0;
  size_t pos = 0;
  std::vector<uint8_t>* out = nullptr;  // writing
  bool truncated = false;
  bool out_of_memory = false;
  char message[200] = {0};
};

void PngErrorFn(png_structp png, png_const_charp msg) {
  auto* ctx = static_cast<PngContext*>(png_get_error_ptr(png));
  if (ctx != nullptr) std::snprintf(ctx->message, sizeof(ctx->message), "%s", msg ? msg : "");
  png_longjmp(png, 1);
}

void PngWarningFn(png_structp, png_const_charp) {}  // warnings are not errors; stay quiet

void PngReadFn(png_structp png, png_bytep dst, size_t n) {
  auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
  if (n > ctx->size - ctx->pos) {
    ctx->truncated = true;
    png_error(png, "PNG data ends early");
  }
  std::memcpy(dst, ctx->data + ctx->pos, n);
  ctx->pos += n;
}

void PngWriteFn(png_structp png, png_bytep src, size_t n) {
  auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
  bool failed = false;
  try {
    ctx->out->insert(ctx->out->end(), src, src + n);
  } catch (...) {
    failed = true;
  }
  // Outside the try block, so that the longjmp crosses no live C++ object.
  if (failed) {
    ctx->out_of_memory = true;
    png_error(png, "out of memory writing PNG");
  }
}

void PngFlushFn(png_structp) {}

Status PngFailure(const PngContext& ctx) {
  if (ctx.truncated) return Error(DC_ERR_TRUNCATED, "PNG data ends early");
  if (ctx.out_of_memory) return Error(DC_ERR_OUT_OF_MEMORY, "out of memory in PNG codec");
  return Error(DC_ERR_CORRUPT, std::string("invalid PNG: ") + ctx.message);
}

class PngReadHandle {
 public:
  explicit PngReadHandle(PngContext* ctx)
      : png_(png_create_read_struct(PNG_LIBPNG_VER_STRING, ctx, PngErrorFn, PngWarningFn)) {
    if (png_ != nullptr) info_ = png_create_info_struct(png_);
  }
  PngReadHandle(const PngReadHandle&) = delete;
  PngReadHandle& operator=(const PngReadHandle&) = delete;
  ~PngReadHandle() {
    if (png_ != nullptr) png_destroy_read_struct(&png_, info_ ? &info_ : nullptr, nullptr);
  }
  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

class PngWriteHandle {
 public:
  explicit PngWriteHandle(PngContext* ctx)
      : png_(png_create_write_struct(PNG_LIBPNG_VER_STRING, ctx, PngErrorFn, PngWarningFn)) {
    if (png_ != nullptr) info_ = png_create_info_struct(png_);
  }
  PngWriteHandle(const PngWriteHandle&) = delete;
  PngWriteHandle& operator=(const PngWriteHandle&) = delete;
  ~PngWriteHandle() {
    if (png_ != nullptr) png_destroy_write_struct(&png_, info_ ? &info_ : nullptr);
  }
  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

struct PngHeader {
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0, interlace = 0;
};

// Each Png*Stage function returns false after a libpng error (details in the context).

bool PngReadInfoStage(png_structp png, png_infop info, PngHeader* h) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_read_fn(png, png_get_error_ptr(png), PngReadFn);
  // Belt and braces behind the manual IHDR check in DecodePng.
  png_set_user_limits(png, DC_MAX_IMAGE_DIM, DC_MAX_IMAGE_DIM);
  // Bounds the memory an ancillary chunk may claim.
  png_set_chunk_malloc_max(png, 8u << 20);
  png_set_chunk_cache_max(png, 1000);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  // Fuzz builds only (tests/fuzz): accept bad chunk CRCs and zlib checksums, so that mutated
  // headers and data reach the decoder instead of stopping at a checksum.
  png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
#if defined(PNG_SET_OPTION_SUPPORTED) && defined(PNG_IGNORE_ADLER32)
  png_set_option(png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
#endif
  // Pixels are returned as stored (no gamma or colour management), so ancillary chunks other
  // than tRNS are never needed; skipping them also skips their zlib decoding.
#ifdef PNG_HANDLE_AS_UNKNOWN_SUPPORTED
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
#endif
  png_read_info(png, info);
  png_get_IHDR(png, info, &h->width, &h->height, &h->bit_depth, &h->color_type, &h->interlace,
               nullptr, nullptr);
  return true;
}

bool PngTransformStage(png_structp png, png_infop info, const PngHeader& h, int* channels,
                       size_t* rowbytes, int* bit_depth) {
  if (setjmp(png_jmpbuf(png))) return false;
  if (h.color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (h.color_type == PNG_COLOR_TYPE_GRAY && h.bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  const bool has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  if (has_trns) png_set_tRNS_to_alpha(png);
  // Two channels are not an Image layout: gray+alpha is widened to RGBA.
  if (h.color_type == PNG_COLOR_TYPE_GRAY_ALPHA ||
      (h.color_type == PNG_COLOR_TYPE_GRAY && has_trns)) {
    png_set_gray_to_rgb(png);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  *channels = png_get_channels(png, info);
  *rowbytes = png_get_rowbytes(png, info);
  *bit_depth = png_get_bit_depth(png, info);
  return true;
}

bool PngReadImageStage(png_structp png, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  // Reads up to IEND, so a file cut after its last IDAT is reported as truncated.
  png_read_end(png, nullptr);
  return true;
}

bool PngWriteStage(png_structp png, png_infop info, const Image& img, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, png_get_error_ptr(png), PngWriteFn, PngFlushFn);
  png_set_compression_level(png, 6);  // zlib's default: level 9 took 3x the CPU on plots for 1-2 % smaller files
  const int color_type = img.channels == 1   ? PNG_COLOR_TYPE_GRAY
                         : img.channels == 3 ? PNG_COLOR_TYPE_RGB
                                             : PNG_COLOR_TYPE_RGB_ALPHA;
  png_set_IHDR(png, info, img.width, img.height, 8, color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

// Validates the signature and IHDR by hand, before libpng allocates anything, so that the error
// codes for "not a PNG", "too large" and "16-bit" do not depend on libpng's messages.
Status PrecheckPng(const uint8_t* data, size_t size) {
  const size_t sig_len = std::min<size_t>(size, sizeof(kPngSignature));
  if (std::memcmp(data, kPngSignature, sig_len) != 0) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "not a PNG file");
  }
  // Signature (8) + IHDR length and type (8) + IHDR body (13) + CRC (4).
  if (size < 33) return Error(DC_ERR_TRUNCATED, "PNG data ends early");
  if (LoadBe32(data + 8) != 13 || std::memcmp(data + 12, "IHDR", 4) != 0) {
    return Error(DC_ERR_CORRUPT, "invalid PNG: first chunk is not a 13-byte IHDR");
  }
  RETURN_IF_ERROR(CheckDimensions(LoadBe32(data + 16), LoadBe32(data + 20), "PNG"));
  if (data[24] == 16) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "16-bit PNG is not supported (8-bit or less only)");
  }
  return Status::Ok();
}

// Skips PNM whitespace and '#' comments; reports whether anything was skipped, since the
// format requires a separator between header fields.
Status SkipPnmSeparators(const uint8_t* data, size_t size, size_t* pos, bool* skipped) {
  *skipped = false;
  while (*pos < size) {
    const uint8_t c = data[*pos];
    if (IsPnmSpace(c)) {
      ++*pos;
      *skipped = true;
    } else if (c == '#') {
      while (*pos < size && data[*pos] != '\n' && data[*pos] != '\r') ++*pos;
      *skipped = true;
    } else {
      return Status::Ok();
    }
  }
  return Error(DC_ERR_TRUNCATED, "PNM header ends early");
}

Status ReadPnmNumber(const uint8_t* data, size_t size, size_t* pos, uint64_t* value) {
  bool skipped = false;
  RETURN_IF_ERROR(SkipPnmSeparators(data, size, pos, &skipped));
  if (!skipped) return Error(DC_ERR_CORRUPT, "PNM header fields are not separated");
  if (data[*pos] < '0' || data[*pos] > '9') {
    return Error(DC_ERR_CORRUPT, "PNM header has a non-numeric field");
  }
  uint64_t v = 0;
  while (*pos < size && data[*pos] >= '0' && data[*pos] <= '9') {
    // Saturates: anything this big is rejected by the callers' limits anyway.
    v = std::min<uint64_t>(v * 10 + (data[*pos] - '0'), uint64_t{1} << 40);
    ++*pos;
  }
  if (*pos == size) return Error(DC_ERR_TRUNCATED, "PNM header ends early");
  *value = v;
  return Status::Ok();
}

}  // namespace

FileType DetectFileType(const uint8_t* data, size_t size) {
  if (data == nullptr) return FileType::kRaw;
  if (size >= 8 && std::memcmp(data, kPngSignature, 8) == 0) return FileType::kPng;
  if (size >= 3 && data[0] == 'P' && (data[1] == '5' || data[1] == '6') && IsPnmSpace(data[2])) {
    return data[1] == '5' ? FileType::kPgm : FileType::kPpm;
  }
  if (size >= 12 && std::memcmp(data, "RIFF", 4) == 0 && std::memcmp(data + 8, "WAVE", 4) == 0) {
    return FileType::kWav;
  }
  if (size >= 10 && std::memcmp(data, "YUV4MPEG2 ", 10) == 0) return FileType::kY4m;
  return FileType::kRaw;
}

const char* FileTypeName(FileType t) {
  switch (t) {
    case FileType::kRaw: return "raw";
    case FileType::kPng: return "png";
    case FileType::kPpm: return "ppm";
    case FileType::kPgm: return "pgm";
    case FileType::kWav: return "wav";
    case FileType::kY4m: return "y4m";
  }
  return "unknown";
}

StatusOr<Image> DecodePng(const uint8_t* data, size_t size) {
  if (data == nullptr && size != 0) return Error(DC_ERR_INVALID_ARGUMENT, "null PNG data");
  if (size == 0) return Error(DC_ERR_TRUNCATED, "empty PNG data");
  RETURN_IF_ERROR(PrecheckPng(data, size));

  PngContext ctx;
  ctx.data = data;
  ctx.size = size;
  PngReadHandle handle(&ctx);
  if (handle.png() == nullptr || handle.info() == nullptr) {
    return Error(DC_ERR_OUT_OF_MEMORY, "cannot create libpng reader");
  }
  PngHeader h;
  if (!PngReadInfoStage(handle.png(), handle.info(), &h)) return PngFailure(ctx);
  RETURN_IF_ERROR(CheckDimensions(h.width, h.height, "PNG"));
  if (h.bit_depth > 8) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "16-bit PNG is not supported (8-bit or less only)");
  }

  int channels = 0, bit_depth = 0;
  size_t rowbytes = 0;
  if (!PngTransformStage(handle.png(), handle.info(), h, &channels, &rowbytes, &bit_depth)) {
    return PngFailure(ctx);
  }
  if ((channels != 1 && channels != 3 && channels != 4) || bit_depth != 8 ||
      rowbytes != size_t{h.width} * static_cast<size_t>(channels)) {
    return Error(DC_ERR_INTERNAL, "unexpected libpng output layout");
  }

  Image img;
  img.width = h.width;
  img.height = h.height;
  img.channels = static_cast<uint32_t>(channels);
  RETURN_IF_ERROR(AllocatePixels(&img));
  std::vector<png_bytep> rows;
  try {
    rows.resize(img.height);
  } catch (const std::bad_alloc&) {
    return Error(DC_ERR_OUT_OF_MEMORY, "out of memory allocating PNG rows");
  }
  for (uint32_t y = 0; y < img.height; ++y) rows[y] = img.pixels.data() + y * rowbytes;
  if (!PngReadImageStage(handle.png(), rows.data())) return PngFailure(ctx);
  return img;
}

StatusOr<std::vector<uint8_t>> EncodePng(const Image& img) {
  RETURN_IF_ERROR(CheckImage(img));
  std::vector<uint8_t> out;
  PngContext ctx;
  ctx.out = &out;
  PngWriteHandle handle(&ctx);
  if (handle.png() == nullptr || handle.info() == nullptr) {
    return Error(DC_ERR_OUT_OF_MEMORY, "cannot create libpng writer");
  }
  std::vector<png_bytep> rows;
  try {
    rows.resize(img.height);
  } catch (const std::bad_alloc&) {
    return Error(DC_ERR_OUT_OF_MEMORY, "out of memory allocating PNG rows");
  }
  const size_t stride = size_t{img.width} * img.channels;
  // libpng's row type is non-const but it does not write through it when encoding.
  auto* base = const_cast<uint8_t*>(img.pixels.data());
  for (uint32_t y = 0; y < img.height; ++y) rows[y] = base + y * stride;
  if (!PngWriteStage(handle.png(), handle.info(), img, rows.data())) {
    if (ctx.out_of_memory) return Error(DC_ERR_OUT_OF_MEMORY, "out of memory writing PNG");
    return Error(DC_ERR_INTERNAL, std::string("libpng failed to encode: ") + ctx.message);
  }
  return out;
}

StatusOr<Image> DecodePnm(const uint8_t* data, size_t size) {
  if (data == nullptr && size != 0) return Error(DC_ERR_INVALID_ARGUMENT, "null PNM data");
  if (size < 2) {
    if (size == 0 || data[0] == 'P') return Error(DC_ERR_TRUNCATED, "PNM data ends early");
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "not a binary PGM/PPM file");
  }
  if (data[0] != 'P' || (data[1] != '5' && data[1] != '6')) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "not a binary PGM (P5) or PPM (P6) file");
  }
  const uint32_t channels = data[1] == '5' ? 1 : 3;
  size_t pos = 2;
  uint64_t width = 0, height = 0, maxval = 0;
  RETURN_IF_ERROR(ReadPnmNumber(data, size, &pos, &width));
  RETURN_IF_ERROR(ReadPnmNumber(data, size, &pos, &height));
  RETURN_IF_ERROR(CheckDimensions(width, height, "PNM"));
  RETURN_IF_ERROR(ReadPnmNumber(data, size, &pos, &maxval));
  if (maxval == 0 || maxval > 65535) {
    return Error(DC_ERR_CORRUPT, "PNM maxval " + std::to_string(maxval) + " is invalid");
  }
  if (maxval != 255) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT,
                 "PNM maxval " + std::to_string(maxval) + " is not supported (only 255)");
  }
  // Exactly one whitespace byte ends the header; the raster may start with any byte value.
  if (!IsPnmSpace(data[pos])) return Error(DC_ERR_CORRUPT, "PNM maxval is not followed by space");
  ++pos;

  Image img;
  img.width = static_cast<uint32_t>(width);
  img.height = static_cast<uint32_t>(height);
  img.channels = channels;
  const uint64_t need = width * height * channels;
  if (size - pos < need) return Error(DC_ERR_TRUNCATED, "PNM pixel data ends early");
  // Bytes after the raster (e.g. a second image, which the format allows) are ignored.
  try {
    img.pixels.assign(data + pos, data + pos + need);
  } catch (const std::bad_alloc&) {
    return Error(DC_ERR_OUT_OF_MEMORY, "out of memory allocating image");
  }
  return img;
}

StatusOr<std::vector<uint8_t>> EncodePnm(const Image& img) {
  RETURN_IF_ERROR(CheckImage(img));
  if (img.channels != 1 && img.channels != 3) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "PNM cannot hold an image with an alpha channel");
  }
  const std::string header = std::string(img.channels == 1 ? "P5" : "P6") + "\n" +
                             std::to_string(img.width) + " " + std::to_string(img.height) +
                             "\n255\n";
  std::vector<uint8_t> out;
  try {
    out.reserve(header.size() + img.pixels.size());
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), img.pixels.begin(), img.pixels.end());
  } catch (const std::bad_alloc&) {
    return Error(DC_ERR_OUT_OF_MEMORY, "out of memory writing PNM");
  }
  return out;
}

StatusOr<Image> DecodeImage(const uint8_t* data, size_t size) {
  switch (DetectFileType(data, size)) {
    case FileType::kPng: return DecodePng(data, size);
    case FileType::kPpm:
    case FileType::kPgm: return DecodePnm(data, size);
    default: break;
  }
  return Error(DC_ERR_UNSUPPORTED_FORMAT, "not a PNG, PPM or PGM image");
}

}  // namespace dc::extras
