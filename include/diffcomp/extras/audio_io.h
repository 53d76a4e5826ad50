// WAV (RIFF PCM 8/16/24/32-bit) and Y4M parsing, outside the core library.
#ifndef DIFFCOMP_EXTRAS_AUDIO_IO_H_
#define DIFFCOMP_EXTRAS_AUDIO_IO_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "diffcomp/status.h"

namespace dc::extras {

// A parsed WAV file. The file is exactly: `header` (every byte up to and including the "data"
// chunk header, kept verbatim so that the original bytes can be restored), then
// frames * channels * bits_per_sample / 8 bytes of interleaved little-endian PCM samples, then
// `trailer`, kept verbatim: a partial last sample frame if the data size is not a multiple of
// the block size, the pad byte of an odd-sized data chunk, any chunks after "data", and any
// bytes after the RIFF chunk.
struct Wav {
  uint32_t channels = 0, sample_rate = 0, bits_per_sample = 0;
  uint64_t frames = 0;                // samples per channel
  std::vector<int32_t> samples;       // frames * channels, interleaved, sign-extended
  std::vector<uint8_t> header;        // bytes before the sample data
  std::vector<uint8_t> trailer;       // bytes after the sample data
};
// PCM only (format tag 1, or WAVE_FORMAT_EXTENSIBLE with PCM subtype); 8-bit is unsigned in
// WAV and is returned as value-128. Other encodings: DC_ERR_UNSUPPORTED_FORMAT. Chunks may come
// in any order as long as "fmt " precedes "data" (DC_ERR_CORRUPT otherwise). A RIFF size that
// runs past the end of the input is DC_ERR_TRUNCATED; a chunk that runs past the RIFF chunk is
// DC_ERR_CORRUPT.
StatusOr<Wav> DecodeWav(const uint8_t* data, size_t size);
// Rebuilds the exact original bytes from header + samples + trailer. Samples outside the range
// of bits_per_sample, or a sample count that is not frames * channels, are
// DC_ERR_INVALID_ARGUMENT; the header is not re-parsed.
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
// Decoding limits: more frames than kMaxY4mFrames is DC_ERR_TOO_LARGE (each frame costs two
// heap buffers, so a stream of tiny frames would otherwise cost far more memory than its size);
// a header or FRAME line longer than kMaxY4mLineBytes is DC_ERR_CORRUPT. Frame sizes are bounded
// by DC_MAX_IMAGE_DIM / DC_MAX_IMAGE_PIXELS (DC_ERR_TOO_LARGE). A frame cut short is
// DC_ERR_TRUNCATED. Other chroma modes (422, mono, 10-bit, ...) are DC_ERR_UNSUPPORTED_FORMAT.
inline constexpr size_t kMaxY4mFrames = size_t{1} << 20;
inline constexpr size_t kMaxY4mLineBytes = 4096;
StatusOr<Y4m> DecodeY4m(const uint8_t* data, size_t size);
// Checks that header_line agrees with width/height/chroma and that every frame has the right
// size (DC_ERR_INVALID_ARGUMENT otherwise), then concatenates the parts verbatim.
StatusOr<std::vector<uint8_t>> EncodeY4m(const Y4m& y4m);

}  // namespace dc::extras

#endif  // DIFFCOMP_EXTRAS_AUDIO_IO_H_
