// The C API's glue for the video codecs (lossless and lossy) (kept apart from diffcomp.cc): content checks,
// model lookup, container fields, and the frame-by-frame decoder (dc_video_decoder_*).
#ifndef DIFFCOMP_API_VIDEO_API_H_
#define DIFFCOMP_API_VIDEO_API_H_

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "container/container.h"
#include "diffcomp/diffcomp.h"

namespace dc {

// in: DC_KIND_VIDEO content. Fills the model, geometry, side and parameter fields of *h and the
// payload; model_bits / nll_bits as dc_stats.
Status CompressVideoLossless(const dc_content& in, const dc_params& params, container::Header* h,
                             std::vector<uint8_t>* payload, int threads, double* model_bits, double* nll_bits);

// Decodes every frame of a parsed video-lossless container into out (the caller checks the
// container's checksum).
Status DecompressVideoLossless(const container::Header& h, const uint8_t* payload, const dc_params& params,
                               std::vector<uint8_t>* out, int threads);

// video-lossy: as above; the rate from params (bpp, quality, keyint).
Status CompressVideoLossy(const dc_content& in, const dc_params& params, container::Header* h,
                          std::vector<uint8_t>* payload, int threads);
// Decodes every frame (the caller checks the payload's checksum first).
Status DecompressVideoLossy(const container::Header& h, const uint8_t* payload, const dc_params& params,
                            std::vector<uint8_t>* out, int threads);

}  // namespace dc

#endif  // DIFFCOMP_API_VIDEO_API_H_
