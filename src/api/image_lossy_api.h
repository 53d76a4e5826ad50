// The C API's glue for the image-lossy codec (kept apart from diffcomp.cc): rate parameters,
// model lookup, container fields. For the lossy codecs the container's checksum is the CRC-32 of
// the payload (the decoded pixels differ from the original by design; docs/format.md).
#ifndef DIFFCOMP_API_IMAGE_LOSSY_API_H_
#define DIFFCOMP_API_IMAGE_LOSSY_API_H_

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "container/container.h"
#include "diffcomp/diffcomp.h"

namespace dc {

// in: an image already checked by CheckImage. Fills the model and geometry fields of *h and the
// payload. The rate: params.bpp (target bits per pixel of the whole .dfc file) wins over
// params.quality (0..100, docs/codecs/image-lossy.md); neither: quality 75.
Status CompressImageLossy(const dc_content& in, const dc_params& params, container::Header* h,
                          std::vector<uint8_t>* payload, int threads);

// Decodes a parsed image-lossy container (checksum already verified) into out.
Status DecompressImageLossy(const container::Header& h, const uint8_t* payload, const dc_params& params,
                            std::vector<uint8_t>* out, int threads);

// The rate parameters of the step-coded lossy codecs (image-lossy, video-lossy): params.bpp in
// [0, 64] and params.quality in [0, 100] (0: not set), else DC_ERR_INVALID_ARGUMENT naming `codec`.
Status CheckLossyRate(const dc_params& params, const char* codec);
// The diffusion steps a quality (0: not set, then 75) codes out of a schedule of `steps`.
int StepsForQuality(double quality, int steps);

// Bytes of the container around a payload of `payload_size` bytes (for rate targets).
uint64_t LossyContainerOverhead(const container::Header& h, size_t payload_size);

}  // namespace dc

#endif  // DIFFCOMP_API_IMAGE_LOSSY_API_H_
