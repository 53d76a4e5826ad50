#include "diffusion/gaussian.h"

#include <gtest/gtest.h>

#include <cmath>

namespace dc::diffusion {
namespace {

double Sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }

TEST(Gaussian, AlphaSigmaAreVariancePreserving) {
  for (float l = -20; l <= 20; l += 0.75f) {
    const double a = Alpha(l), s = Sigma(l);
    EXPECT_NEAR(a * a + s * s, 1.0, 1e-6) << l;
    EXPECT_NEAR(a * a, Sig(l), 1e-6 + 1e-6 * Sig(l)) << l;
  }
}

// Against the textbook formulas in double precision (sigma_ts^2 = sigma_t^2 - alpha_ts^2 sigma_s^2).
TEST(Gaussian, PosteriorCoefsMatchDoubleFormulas) {
  const float pairs[][2] = {{-12, -7}, {-3, -2}, {0, 1}, {5, 6}, {9, 10}, {-1, 8}};
  for (const auto& p : pairs) {
    const double at = std::sqrt(Sig(p[0])), st = std::sqrt(Sig(-p[0]));
    const double as = std::sqrt(Sig(p[1])), ss = std::sqrt(Sig(-p[1]));
    const double ats = at / as, vts = st * st - ats * ats * ss * ss;
    const double a = ats * ss * ss / (st * st), b = as * vts / (st * st), c = std::sqrt(vts * ss * ss / (st * st));
    const StepCoefs k = PosteriorCoefs(p[0], p[1]);
    EXPECT_NEAR(k.a, a, 1e-5 * std::fabs(a) + 1e-7);
    EXPECT_NEAR(k.b, b, 1e-4 * std::fabs(b) + 1e-7);
    EXPECT_NEAR(k.c, c, 1e-4 * c);
  }
}

// The posterior of a step, composed with the marginal at lambda_t, gives the marginal at
// lambda_s: a^2 Var(x_t | z0) + c^2 = sigma_s^2 and a alpha_t + b = alpha_s.
TEST(Gaussian, PosteriorIsConsistentWithMarginals) {
  for (float t = -10; t < 10; t += 1.5f) {
    const float s = t + 1.25f;
    const StepCoefs k = PosteriorCoefs(t, s);
    EXPECT_NEAR(k.a * Alpha(t) + k.b, Alpha(s), 1e-5);
    EXPECT_NEAR(k.a * k.a * Sigma(t) * Sigma(t) + k.c * k.c, Sigma(s) * Sigma(s), 1e-5);
  }
}

TEST(Gaussian, DdimStepKeepsAnExactDenoiserOnTheLine) {
  // If z0_hat is the true z0 and x_t = alpha_t z0 + sigma_t eps, one DDIM step gives
  // alpha_s z0 + sigma_s eps.
  const float z0[3] = {0.5f, -1.0f, 2.0f}, eps[3] = {1.0f, 0.25f, -0.5f};
  const float t = -1, s = 3;
  float x[3], out[3];
  for (int i = 0; i < 3; ++i) x[i] = Alpha(t) * z0[i] + Sigma(t) * eps[i];
  DdimStep(t, s, x, z0, 3, out);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(out[i], Alpha(s) * z0[i] + Sigma(s) * eps[i], 1e-5);
}

}  // namespace
}  // namespace dc::diffusion
