// Image file formats (outside the core library): PNG via libpng, binary PPM/PGM, content
// detection. All functions work on in-memory bytes.
#ifndef DIFFCOMP_EXTRAS_IMAGE_IO_H_
#define DIFFCOMP_EXTRAS_IMAGE_IO_H_

#include <cstdint>
#include <vector>

#include "diffcomp/status.h"

namespace dc::extras {

// 8-bit interleaved pixels, row-major. channels: 1 gray, 3 RGB, 4 RGBA.
struct Image {
  uint32_t width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;  // width * height * channels
};

// What a file is, judged by its first bytes (never by its name).
enum class FileType { kRaw, kPng, kPpm, kPgm, kWav, kY4m };
FileType DetectFileType(const uint8_t* data, size_t size);
const char* FileTypeName(FileType t);

// PNG: 8-bit gray, RGB, RGBA; palette and gray below 8 bits are expanded to 8-bit gray/RGB/RGBA
// (identical pixels); gray+alpha becomes RGBA; interlaced PNGs are decoded. 16-bit is
// DC_ERR_UNSUPPORTED_FORMAT. Dimensions beyond DC_MAX_IMAGE_DIM / DC_MAX_IMAGE_PIXELS
// are DC_ERR_TOO_LARGE (checked before any pixel allocation). Corrupt data: DC_ERR_CORRUPT.
StatusOr<Image> DecodePng(const uint8_t* data, size_t size);
StatusOr<std::vector<uint8_t>> EncodePng(const Image& img);  // compression level 9

// Binary PPM (P6) / PGM (P5) with maxval 255 (other maxvals: DC_ERR_UNSUPPORTED_FORMAT);
// comments in the header are accepted. Encode writes "P6\n<w> <h>\n255\n" (or P5).
StatusOr<Image> DecodePnm(const uint8_t* data, size_t size);
StatusOr<std::vector<uint8_t>> EncodePnm(const Image& img);  // channels 1 -> P5, 3 -> P6

// Any of the above by content (PNG, PPM, PGM); other types are DC_ERR_UNSUPPORTED_FORMAT.
StatusOr<Image> DecodeImage(const uint8_t* data, size_t size);

}  // namespace dc::extras

#endif  // DIFFCOMP_EXTRAS_IMAGE_IO_H_
