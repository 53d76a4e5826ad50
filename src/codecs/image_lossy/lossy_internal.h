// Shared by enc_image_lossy.cc and dec_image_lossy.cc (and the measurement tools in tests/tools/).
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSY_LOSSY_INTERNAL_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSY_LOSSY_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "codecs/image_lossy/image_lossy.h"
#include "rcc/rcc.h"

namespace dc::lossy::internal {

// The image as the autoencoder sees it: RGB in [-1, 1], 3 x H x W (H, W multiples of 8 at least
// the image's size), padded by edge replication; gray is replicated to RGB.
std::vector<float> ToPlanes(const ImageView& img, int H, int W);

Status CheckSchedule(const Schedule& s, int revision = kRevision1);


// Latent grid of an image: ceil(H/8) x ceil(W/8) (the image is padded by edge replication).
struct Latents {
  Latents(uint32_t width, uint32_t height, int channels);
  int h, w;
  size_t n;
};

// x_{lambda_0}: standard normals of (seed, step 0, chunk 0, candidate 0); the coded steps are 1..S.
void StartNoise(const Schedule& s, size_t n, float* x);

// Prior mean of the step lambda_t -> lambda_s from the denoiser at x; if z_true is given, also the
// posterior mean (the encoder's).
void PriorMean(const LdmNet& net, const Latents& g, float lambda_t, float lambda_s, const float* x, int threads,
               float* mean, const float* z_true = nullptr, float* mean_q = nullptr);
float StepSigma(float lambda_t, float lambda_s);

inline rcc::RccConfig StepConfig(const Schedule& s, int step, int threads) {
  rcc::RccConfig c;
  c.chunk_bits = s.chunk_bits;
  c.seed = s.seed;
  c.step = static_cast<uint32_t>(step);
  c.threads = threads;
  return c;
}

// Denoises x_{lambda} (optional probability-flow steps first) and decodes it to 8-bit pixels
// (width * height * channels): the image of the latent steps.
void Finish(const LdmNet& net, const Schedule& s, const Latents& g, std::vector<float> x, float lam, uint32_t width,
            uint32_t height, uint32_t channels, int threads, uint8_t* out);

}  // namespace dc::lossy::internal

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSY_LOSSY_INTERNAL_H_
