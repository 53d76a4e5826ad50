// What the signal-lossy encoder and decoder share beyond signal_lossy.h: the codec header and
// the per-step state machine (both sides run exactly these functions, so the prior means and the
// free draws are the same bits).
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSY_SIGNAL_LOSSY_INTERNAL_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSY_SIGNAL_LOSSY_INTERNAL_H_

#include <cstdint>
#include <vector>

#include "codecs/signal_lossy/signal_lossy.h"
#include "common/status.h"
#include "rcc/philox.h"

namespace dc::slossy {

// Philox chunk number of the codec's free draws (y_0 and the uncoded coefficients of a step);
// outside the coder's own reserved streams (rcc/philox.h).
constexpr uint32_t kFreeChunk = rcc::kReservedChunk + 0x80;
constexpr int kMinScheduleE = -32;  // sigma^2 >= 2^-4
constexpr float kActiveRatio = 16.0f;  // coded when s^2 * 16 >= sigma_j^2
constexpr uint64_t kMaxSamples = uint64_t{1} << 26;  // frames x channels (memory: ~40 bytes per sample)

struct Header {
  int block_log2 = 8;
  int frame_log2 = 11;                     // envelope frames of 2^frame_log2 samples (>= one block)
  int chunk_bits = 8;
  int step_q = 2;
  uint64_t seed = 0;
  int e0 = 0;                              // sigma_0^2 = 2^(e0 / 8)
  std::vector<std::vector<uint8_t>> env;   // per channel: [frame * bands + band]
};

std::vector<uint8_t> WriteHeader(const Header& h);
// Needs the geometry to know how many envelope values to read.
StatusOr<Header> ParseHeader(const uint8_t* data, size_t size, uint64_t frames, uint32_t channels);

// Blocks per channel for a signal of `frames` samples.
inline uint64_t BlocksFor(uint64_t frames, int log2) { return (frames + (uint64_t{1} << log2) - 1) >> log2; }
// Steps the schedule allows after e0.
int MaxStepsFor(const Header& h);

// The chain state of both sides: y (channel-major, blocks x n per channel) and the prior
// variances s2 of every coefficient.
struct Chain {
  const Header* h = nullptr;
  std::vector<float> s2, y;
  int step = 0;  // y is y_step
};
Chain StartChain(const Header& h, uint64_t blocks);  // y_0 = sigma_0 z
float ChainSigma2(const Header& h, int step);

// One step's shared quantities: the coded coefficients (ascending), the prior mean of every
// coefficient, and the common standard deviation. x_hat is the Wiener estimate at y_{step}.
struct StepPrior {
  std::vector<uint32_t> active;
  std::vector<float> mu_p;  // all coefficients
  float std = 0, r = 0;
};
StepPrior PrepareStep(const Chain& c);
// Writes y_{step+1}: coded coefficients from x_active (the rcc sample, in `active` order), the
// others drawn from the prior with the free stream of step + 1.
void FinishStep(Chain* c, const StepPrior& p, const float* x_active);

// Wiener estimate at the chain's current noise level, into out (all coefficients).
void WienerEstimate(const Chain& c, float* out);
// The decoder's final estimate: Wiener, then the refiner per channel if there is one.
Status Denoise(const Chain& c, const Refiner& refiner, float* out);
// Inverse DCT of the estimate (channel-major blocks) into frames x channels samples, rounded to
// the nearest integer and clamped to the bit depth's range. Fixed-order float accumulation.
void InverseDct(const std::vector<float>& est, uint64_t blocks, uint64_t frames, uint32_t channels, int log2,
                int bit_depth, int32_t* out);

}  // namespace dc::slossy

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSY_SIGNAL_LOSSY_INTERNAL_H_
