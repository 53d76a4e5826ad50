// Image quality metrics computed on decoded 8-bit output as written.
#ifndef DIFFCOMP_EXTRAS_METRICS_H_
#define DIFFCOMP_EXTRAS_METRICS_H_

#include "diffcomp/status.h"
#include "diffcomp/extras/image_io.h"

namespace dc::extras {

// PSNR over all channels (peak 255): 10 log10(255^2 / MSE). Identical images give +infinity.
// Mismatched shapes: DC_ERR_INVALID_ARGUMENT.
StatusOr<double> Psnr(const Image& a, const Image& b);

// MS-SSIM (Wang, Simoncelli & Bovik 2003): 5 scales, weights 0.0448 0.2856 0.3001 0.2363 0.1333,
// 11x11 Gaussian window sigma 1.5, K1 0.01, K2 0.03, L 255, 2x2 average-pool downsampling;
// computed per channel and averaged over channels (as pytorch_msssim / CompressAI, including
// its pooling of odd sides with one zero of padding in front, counted in the average). Images
// smaller than 161 pixels on a side use fewer scales, as many as keep the coarsest scale at
// least 11 pixels on a side, with the weights renormalised to sum to 1 -- documented deviation
// (pytorch_msssim refuses such images). Below 11 pixels: DC_ERR_INVALID_ARGUMENT. Mismatched
// shapes: DC_ERR_INVALID_ARGUMENT. Identical images give exactly 1.
StatusOr<double> MsSsim(const Image& a, const Image& b);

}  // namespace dc::extras

#endif  // DIFFCOMP_EXTRAS_METRICS_H_
