// WFDB records in format 212 (MIT-BIH ECG), outside the core library. A record is its header
// text (.hea, kept verbatim so it can be restored byte for byte) and its signal file (.dat).
#ifndef DIFFCOMP_EXTRAS_WFDB_H_
#define DIFFCOMP_EXTRAS_WFDB_H_

#include <cstdint>
#include <string>
#include <vector>

#include "diffcomp/status.h"

namespace dc::extras {

struct WfdbSignal {
  std::string file;         // signal file named by the header, e.g. "100.dat"
  int format = 0;           // 212 only
  int32_t initial = 0;      // first sample, from the header
  int32_t checksum = 0;     // 16-bit sum of the samples, from the header
  std::string description;  // e.g. "MLII"
};

struct Wfdb {
  std::string record;
  uint32_t num_signals = 0;
  double sampling_hz = 0;
  uint64_t frames = 0;                 // samples per signal
  std::vector<WfdbSignal> signals;
  std::vector<uint8_t> header_text;    // the .hea file, verbatim
  std::vector<int32_t> samples;        // frames x signals, interleaved, 12-bit sign-extended
  std::vector<uint8_t> trailer;        // .dat bytes after the last sample (kept verbatim)
};

constexpr uint64_t kMaxWfdbSamples = uint64_t{1} << 32;

// Parses the header (comment lines starting with '#' and blank lines are skipped; CR LF and LF
// line ends) and decodes the format-212 signal file: each 3 bytes b0 b1 b2 hold two samples,
// s0 = b0 | (b1 & 0x0F) << 8 and s1 = b2 | (b1 & 0xF0) << 4, sign-extended from 12 bits. Every
// signal must be format 212 in the same file; the header's first-sample values and checksums are
// verified (DC_ERR_CORRUPT otherwise). Other formats: DC_ERR_UNSUPPORTED_FORMAT. With an odd
// sample count the last byte pair's unused high nibble must be zero (DC_ERR_UNSUPPORTED_FORMAT
// otherwise), so that EncodeWfdbDat can rebuild every byte.
StatusOr<Wfdb> DecodeWfdb(const uint8_t* hea, size_t hea_size, const uint8_t* dat, size_t dat_size);

// Rebuilds the signal file byte for byte from samples and trailer.
StatusOr<std::vector<uint8_t>> EncodeWfdbDat(const Wfdb& w);

}  // namespace dc::extras

#endif  // DIFFCOMP_EXTRAS_WFDB_H_
