// image-lossy (id 5) in the codec registry, and the rate helpers it shares with video-lossy.
// For the lossy codecs the container holds the CRC-32 of the payload and of the decoded content
// (docs/format.md).
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSY_IMAGE_LOSSY_CODEC_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSY_IMAGE_LOSSY_CODEC_H_

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "container/container.h"
#include "diffcomp/diffcomp.h"

namespace dc {

// The rate parameters of the step-coded lossy codecs (image-lossy, video-lossy): params.bpp in
// [0, 64] and params.quality in [0, 100] (0: not set), else DC_ERR_INVALID_ARGUMENT naming `codec`.
Status CheckLossyRate(const dc_params& params, const char* codec);
// The diffusion steps a quality (0: not set, then 75) codes out of a schedule of `steps`.
int StepsForQuality(double quality, int steps);

// Bytes of the container around a payload of `payload_size` bytes (for rate targets).
uint64_t LossyContainerOverhead(const container::Header& h, size_t payload_size);

}  // namespace dc

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSY_IMAGE_LOSSY_CODEC_H_
