// WAV (RIFF PCM 8/16/24/32-bit) parsing, outside the core library (Y4M: y4m.h).
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

}  // namespace dc::extras

#endif  // DIFFCOMP_EXTRAS_AUDIO_IO_H_
