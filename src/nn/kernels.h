// Deterministic float kernels for decoder-critical networks.
//
// Bit-exactness contract: every output element is computed by the same sequence of IEEE-754
// single-precision multiplies and adds, in a fixed order (bias, then input channel, then kernel
// row, then kernel column), whatever the image size, tile or thread. The build uses
// -ffp-contract=off (no FMA contraction) and no -ffast-math, so the compiler may vectorise
// across output pixels (independent lanes) but never reassociate a sum. Single-threaded: callers
// parallelise over independent tiles.
#ifndef DIFFCOMP_NN_KERNELS_H_
#define DIFFCOMP_NN_KERNELS_H_

namespace dc::nn {

// Square k x k convolution (k = 1 or 3), stride 1, zero padding k/2, CHW layout.
// in: cin x h x w; wt: cout x cin x k x k; bias: cout; out: cout x h x w (must not alias in).
// If relu_input, max(in, 0) is used in place of in.
void Conv2d(const float* in, int cin, int h, int w, const float* wt, const float* bias, int cout,
            int k, bool relu_input, float* out);

// 1-D convolution of width k (1 to 32), stride 1, in: cin x n; wt: cout x cin x k; out:
// cout x out_n (must not alias in), out[o][x] = bias[o] + sum over i, then t, of
// wt[o][i][t] * in[i][x + t - pad], reading zeros outside [0, n). Same order contract as Conv2d.
void Conv1d(const float* in, int cin, int n, const float* wt, const float* bias, int cout, int k, int pad,
            int out_n, bool relu_input, float* out);

// dst += src.
void AddInPlace(float* dst, const float* src, long n);

}  // namespace dc::nn

#endif  // DIFFCOMP_NN_KERNELS_H_
