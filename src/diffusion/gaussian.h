// Variance-preserving Gaussian diffusion in log-SNR form, shared by the lossy codecs.
//
//   x_lambda = alpha z0 + sigma eps,  alpha^2 = sigmoid(lambda), sigma^2 = sigmoid(-lambda).
//
// For a step from lambda_t to a less noisy lambda_s (lambda_s > lambda_t), the posterior
// q(x_s | x_t, z0) = N(a x_t + b z0, c^2 I) with (Kingma et al. 2021, "Variational diffusion
// models", eq. 31-33)
//   alpha_ts = alpha_t / alpha_s,  sigma_ts^2 = sigma_t^2 - alpha_ts^2 sigma_s^2
//                                              = alpha_t^2 (e^-lambda_t - e^-lambda_s),
//   a = alpha_ts sigma_s^2 / sigma_t^2,  b = alpha_s sigma_ts^2 / sigma_t^2,
//   c^2 = sigma_ts^2 sigma_s^2 / sigma_t^2.
// The reverse model p(x_s | x_t) is the same Gaussian with the denoiser's z0_hat in place of z0,
// so prior and posterior share c and differ only in the mean: b (z0 - z0_hat).
//
// Everything is computed in float with the deterministic exp of common/detmath.h and IEEE sqrt
// (correctly rounded), in a fixed order: both sides of a codec get the same bits.
#ifndef DIFFCOMP_DIFFUSION_GAUSSIAN_H_
#define DIFFCOMP_DIFFUSION_GAUSSIAN_H_

#include <cmath>
#include <cstddef>

#include "common/detmath.h"

namespace dc::diffusion {

inline float Alpha(float lambda) { return std::sqrt(1.0f / (1.0f + nn::DetExp(-lambda))); }
inline float Sigma(float lambda) { return std::sqrt(1.0f / (1.0f + nn::DetExp(lambda))); }

struct StepCoefs {
  float a = 0, b = 0, c = 0;  // mean = a x_t + b z0, standard deviation c
};

// Requires lambda_s > lambda_t (both finite, within [-30, 30]).
inline StepCoefs PosteriorCoefs(float lambda_t, float lambda_s) {
  const float at = Alpha(lambda_t), st = Sigma(lambda_t);
  const float as = Alpha(lambda_s), ss = Sigma(lambda_s);
  const float ats = at / as;
  const float var_ts = (at * at) * (nn::DetExp(-lambda_t) - nn::DetExp(-lambda_s));
  StepCoefs k;
  k.a = ats * (ss * ss) / (st * st);
  k.b = as * var_ts / (st * st);
  k.c = std::sqrt(var_ts * (ss * ss) / (st * st));
  return k;
}

// mean[i] = a x[i] + b z0[i] (the posterior or prior mean of one step).
inline void StepMean(const StepCoefs& k, const float* x, const float* z0, size_t n, float* mean) {
  for (size_t i = 0; i < n; ++i) mean[i] = k.a * x[i] + k.b * z0[i];
}

// One deterministic DDIM (probability-flow ODE, first order) step from lambda_t to lambda_s:
// x_s = alpha_s z0 + sigma_s (x_t - alpha_t z0) / sigma_t.
inline void DdimStep(float lambda_t, float lambda_s, const float* x, const float* z0, size_t n, float* out) {
  const float at = Alpha(lambda_t), st = Sigma(lambda_t), as = Alpha(lambda_s), ss = Sigma(lambda_s);
  const float r = ss / st;
  for (size_t i = 0; i < n; ++i) out[i] = as * z0[i] + r * (x[i] - at * z0[i]);
}

}  // namespace dc::diffusion

#endif  // DIFFCOMP_DIFFUSION_GAUSSIAN_H_
