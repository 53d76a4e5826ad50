// Signal files <-> DC_KIND_SIGNAL content (outside the core library): WAV, WFDB format-212
// records, numeric CSV tables and headerless little-endian int16/int32. The side data keeps what
// the samples do not (a WAV header, a WFDB header, a CSV table's layout), so that the original
// files are rebuilt byte for byte. Its layout (docs/codecs/signal-lossless.md) starts with a
// format tag byte.
#ifndef DIFFCOMP_EXTRAS_SIGNAL_IO_H_
#define DIFFCOMP_EXTRAS_SIGNAL_IO_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "diffcomp/status.h"
#include "diffcomp/diffcomp.h"

namespace dc::extras {

struct SignalFile {
  dc_format format = DC_FORMAT_RAW;
  uint32_t channels = 0;
  uint64_t frames = 0;
  int bit_depth = 0;
  std::vector<int32_t> samples;  // frames x channels, frame-major
  std::vector<uint8_t> side;
  double sample_rate = 0;        // informational (WAV, WFDB); 0 if unknown
};

// Whether a path names a signal file by its extension (.wav, .hea, .csv, .raw/.s16/.s32).
bool IsSignalPath(const std::string& path);

// Reads a signal file. `raw` is DC_FORMAT_RAW_S16LE or DC_FORMAT_RAW_S32LE for headerless input
// (then `raw_channels` interleaved channels), else DC_FORMAT_RAW (detect: "RIFF" -> WAV, .hea ->
// WFDB with its .dat beside it, .csv -> CSV). A CSV gap is given the previous value of its
// column (0 at the top), which the side data marks as a gap.
StatusOr<SignalFile> ReadSignalFile(const std::string& path, dc_format raw = DC_FORMAT_RAW, uint32_t raw_channels = 1);
// The same from bytes already read (standard input: path is only a name, "-"; a WFDB .hea path
// still reads its .dat beside it).
StatusOr<SignalFile> ReadSignalBytes(std::vector<uint8_t> bytes, const std::string& path, dc_format raw = DC_FORMAT_RAW,
                                     uint32_t raw_channels = 1);

// The files that rebuild a signal: (path, bytes) pairs. For WFDB, out_path is the .hea and the
// .dat goes beside it under the name the header gives.
StatusOr<std::vector<std::pair<std::string, std::vector<uint8_t>>>> BuildSignalFiles(
    const dc_content& content, const std::string& out_path);

}  // namespace dc::extras

#endif  // DIFFCOMP_EXTRAS_SIGNAL_IO_H_
