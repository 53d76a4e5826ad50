// Resolution changes for the deterministic networks (exact data movement, no arithmetic), and a
// convolution split over threads by output channels (bit-identical to nn::Conv2d for any count).
#ifndef DIFFCOMP_NN_RESAMPLE_H_
#define DIFFCOMP_NN_RESAMPLE_H_

namespace dc::nn {

// Depth to space, as torch.pixel_shuffle with factor r: in (c*r*r) x h x w -> out c x (h*r) x (w*r),
// out[k][y*r + i][x*r + j] = in[k*r*r + i*r + j][y][x].
void PixelShuffle(const float* in, int c, int h, int w, int r, float* out);
// Space to depth, the inverse (torch.pixel_unshuffle): in c x (h*r) x (w*r) -> out (c*r*r) x h x w.
void PixelUnshuffle(const float* in, int c, int h, int w, int r, float* out);

// nn::Conv2d with the output channels split into `threads` contiguous groups run concurrently.
// Each output element is the same sequence of operations as in Conv2d, so the result is
// bit-identical whatever the thread count.
void Conv2dThreads(const float* in, int cin, int h, int w, const float* wt, const float* bias, int cout,
                   int k, bool relu_input, float* out, int threads);

}  // namespace dc::nn

#endif  // DIFFCOMP_NN_RESAMPLE_H_
