// The C API's glue for the signal-lossy codec (kept apart from diffcomp.cc): rate parameters and
// container fields. Like every lossy codec, the container's checksum is the CRC-32 of the payload
// (docs/format.md).
#ifndef DIFFCOMP_API_SIGNAL_LOSSY_API_H_
#define DIFFCOMP_API_SIGNAL_LOSSY_API_H_

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "container/container.h"
#include "diffcomp/diffcomp.h"

namespace dc {

// in: a signal already checked by CheckSignal. Fills the geometry fields of *h and the payload.
// Rate: params.bits_per_sample (bits per sample of the whole .dfc file, all channels) and/or
// params.snr_db (stop once the reconstruction reaches it); with both, whichever stops first;
// with neither, SNR 30 dB (docs/codecs/signal-lossy.md).
Status CompressSignalLossy(const dc_content& in, const dc_params& params, container::Header* h,
                           std::vector<uint8_t>* payload, int threads);

// Decodes a parsed signal-lossy container (checksum already verified) into out (int32 samples,
// frame-major, native endian, as dc_content of kind signal).
Status DecompressSignalLossy(const container::Header& h, const uint8_t* payload, std::vector<uint8_t>* out,
                             int threads);

}  // namespace dc

#endif  // DIFFCOMP_API_SIGNAL_LOSSY_API_H_
