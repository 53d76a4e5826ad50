// Revision 2 of image-lossy: pixel-space refinement passes after the latent diffusion steps.
// Each pass is one progressive segment. A pass with quantizer step D visits the samples in raster
// order (per pixel: G, R, B; gray: the one channel), predicts each from the current
// reconstruction (and, for R and B, from the correction just applied to G at the same pixel),
// and codes q = the rounded (original - prediction) / D with an adaptive binary context model in
// rANS (entropy/rans.h); the new value is clamp(prediction + q D, 0, 255). After a pass
// |original - reconstruction| <= D / 2 everywhere, so a pass with D = 1 makes the image exact.
// Integer arithmetic only: the decoder's output does not depend on threads or platform.
// Normative description: docs/codecs/image-lossy.md, "Revision 2".
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSY_REFINE_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSY_REFINE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace dc::lossy::refine {

constexpr int kBandRows = 64;    // a pass's rANS stream is flushed every 64 image rows
constexpr int kMaxPasses = 16;   // refinement passes a header may list
constexpr int kMaxMagnitude = 255;

// The steps the shipped encoder writes: 16, 8, 4, 2, 1 (docs/codecs/image-lossy.md).
std::vector<int> DefaultSteps();
// A valid step list: empty, or a power of two 1..128 first, each next one half the one before
// (16 entries at most). DC_ERR_CORRUPT otherwise.
Status CheckSteps(const std::vector<int>& steps);

// Internal knobs for pilots (not in the bitstream; the codec always uses the defaults).
struct PilotKnobs {
  int predictor = 3;      // first pass: 0 the reconstruction itself; 1 + G's correction for R and B;
                          // 2 + spatial corrections; 3 the error-weighted blend (shipped)
  bool embedded = true;   // later passes split the first pass's intervals (shipped); false:
                          // re-quantize the residual with each pass's step (pilot only)
  bool split_blend = true;  // splitting passes: error-weighted blend of three predictions (shipped);
                            // false: the mean of the four neighbours
  bool deadzone = false;    // pilot only: first pass with a double-width zero bin, later passes
                            // split the zero bin into zero / +- side and the side bins in halves
};

// Per sample (interleaved like the image), the interval [lo, hi] of 8-bit values the original
// is known to lie in. The first pass sets it; each later pass halves it.
struct Intervals {
  std::vector<uint8_t> lo, hi;
  std::vector<uint8_t> pred;  // the first pass's prediction of each sample
};

// Pass `pass` (0 = first) over an interleaved 8-bit image (width * height * channels, channels
// 1 or 3). rec is the reconstruction before the pass (the image of the latent steps for pass 0)
// and is updated in place; iv is set by pass 0 and updated by the later ones. The encoder
// appends the segment bytes to *segment.
Status EncodePass(const uint8_t* original, uint8_t* rec, Intervals* iv, uint32_t width, uint32_t height,
                  uint32_t channels, int pass, int step, std::vector<uint8_t>* segment, const PilotKnobs& knobs = {});
Status DecodePass(const uint8_t* segment, size_t size, uint8_t* rec, Intervals* iv, uint32_t width, uint32_t height,
                  uint32_t channels, int pass, int step, const PilotKnobs& knobs = {});

}  // namespace dc::lossy::refine

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSY_REFINE_H_
