// WAV (RIFF PCM 8/16/24/32-bit) and Y4M parsing, outside the core library.
#ifndef DIFFCOMP_EXTRAS_AUDIO_IO_H_
#define DIFFCOMP_EXTRAS_AUDIO_IO_H_

#include <cstdint>
#include <vector>

#include "common/status.h"

namespace dc::extras {

// A parsed WAV file. The file is exactly: bytes [0, data_offset) = header (kept verbatim so that
// the original bytes can be restored), then data_size bytes of interleaved little-endian PCM
// samples, then trailing bytes (other chunks after "data", pad byte) kept verbatim.
struct Wav {
  uint32_t channels = 0, sample_rate = 0, bits_per_sample = 0;
  uint64_t frames = 0;                // samples per channel
  std::vector<int32_t> samples;       // frames * channels, interleaved, sign-extended
  std::vector<uint8_t> header;        // bytes before the sample data
  std::vector<uint8_t> trailer;       // bytes after the sample data
};
// PCM only (format tag 1, or WAVE_FORMAT_EXTENSIBLE with PCM subtype); 8-bit is unsigned in
// WAV and is returned as value-128. Other encodings: DC_ERR_UNSUPPORTED_FORMAT.
StatusOr<Wav> DecodeWav(const uint8_t* data, size_t size);
// Rebuilds the exact original bytes from header + samples + trailer.
StatusOr<std::vector<uint8_t>> EncodeWav(const Wav& wav);

// Y4M: "YUV4MPEG2 W.. H.. F.. ..." header line, then "FRAME...\n" + planes per frame.
// Supported chroma: 420 (420jpeg, 420paldv, 420mpeg2, or no C tag) and 444, 8-bit.
struct Y4m {
  uint32_t width = 0, height = 0;
  uint32_t chroma = 420;              // 420 or 444
  std::vector<uint8_t> header_line;   // the stream header line, verbatim, with its '\n'
  std::vector<std::vector<uint8_t>> frame_headers;  // each "FRAME...\n" line verbatim
  std::vector<std::vector<uint8_t>> frames;         // Y, U, V planes of each frame
};
StatusOr<Y4m> DecodeY4m(const uint8_t* data, size_t size);
StatusOr<std::vector<uint8_t>> EncodeY4m(const Y4m& y4m);

}  // namespace dc::extras

#endif  // DIFFCOMP_EXTRAS_AUDIO_IO_H_
