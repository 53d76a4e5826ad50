// The lossy 1-D signal codec (signal-lossy): DiffC (reverse channel coding of a Gaussian
// diffusion) on the orthonormal block-DCT coefficients of each channel.
//
//  - Transform: each channel is cut into blocks of N = 2^block_log2 samples (zero-padded at the
//    end) and each block goes through an orthonormal DCT-II. MSE is the same in both domains.
//  - Prior: a coarse spectral envelope (per channel, per frame of blocks, per band of about half
//    an octave) sent in the codec header gives every coefficient a prior variance s^2 (quantised
//    to 1.5 dB). Under the Gaussian model the denoiser is the Wiener gain s^2 / (s^2 + sigma^2).
//  - Diffusion (variance exploding): y_j = x + sigma_j eps, sigma_j^2 = 2^((e0 - j step_q) / 8).
//    The decoder starts from y_0 = sigma_0 z (free, from the seed). Step j sends y_j given
//    y_{j-1}: posterior mean r y + (1 - r) x, prior mean r y + (1 - r) x_hat(y), r =
//    sigma_j^2 / sigma_{j-1}^2, common standard deviation sigma_j sqrt(1 - r) (rcc/rcc.h). A
//    coefficient whose envelope is far below the noise (s^2 < sigma_j^2 / 16) is drawn from the
//    prior at no cost (its information is below 0.03 nats) and costs no candidate draws.
//  - Each step is one progressive segment (rcc/progressive.h): a prefix of whole steps decodes.
//    The decoder denoises the last y_j once (Wiener, refined by the sig-lossy network when a
//    model is given) and inverts the DCT; samples are rounded and clamped to the bit depth.
// Rate control: a byte budget (bits per sample) or a target SNR in dB; both stop at a step
// boundary. Payload layout: docs/codecs/signal-lossy.md.
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSY_SIGNAL_LOSSY_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSY_SIGNAL_LOSSY_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "common/status.h"

namespace dc::slossy {

constexpr uint8_t kHeaderVersion = 1;
constexpr int kMinBlockLog2 = 4, kMaxBlockLog2 = 11, kMaxFrameLog2 = 16;
constexpr int kMaxSteps = 400;
constexpr uint32_t kMaxChannels = 255;
constexpr int kEnvMax = 127;  // envelope code q: band rms = 2^(q / 4), q in [0, 127]

struct SignalView {
  const int32_t* samples = nullptr;  // frames x channels, frame-major
  uint64_t frames = 0;
  uint32_t channels = 0;
  int bit_depth = 16;
};

// The denoiser applied once at the end (x_hat of the last coded step). Null: Wiener only.
// in: the Wiener estimate, the noisy coefficients, the prior variances and sigma^2 of the last
// step for one channel (blocks x N, block-major); out: the refined estimate (same layout).
// Must be deterministic (the decoder output depends on it, not the bitstream).
using Refiner = std::function<Status(const float* wiener, const float* y, const float* s2, float sigma2,
                                     uint32_t blocks, uint32_t n, float* out)>;

struct EncodeOptions {
  int threads = 1;
  int chunk_bits = 10;          // candidates per chunk 2^chunk_bits (rcc)
  double margin_bits = 2.0;     // rcc chunk KL target = chunk_bits - margin_bits (encoder only)
  // The rcc sample falls short of the posterior mean (docs/rcc.md, "shrinkage"); the encoder
  // aims this much past it so that the chain keeps pace (encoder only; 1 = no compensation).
  double overshoot = 1.2;
  int block_log2 = 0;           // 0: the encoder picks from {6, 8, 10} (with the envelope frame
                                // length, 2^7..2^12 samples) by the model's rate at 30 dB SNR
  int step_q = 2;               // sigma^2 falls by 2^(-step_q / 8) per step
  uint64_t seed = 0x5EED;
  // Rate: stop after the longest prefix of steps whose payload fits max_payload_bytes (0 = no
  // limit) and as soon as the reconstruction reaches target_snr_db (0 = no target); at most
  // kMaxSteps steps, and never below sigma^2 = 1/16 (quantisation noise of integer samples).
  uint64_t max_payload_bytes = 0;
  double target_snr_db = 0;
  Refiner refiner;  // also used to measure the SNR for target_snr_db
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct StepInfo {
  double kl_bits = 0;
  size_t payload_end = 0;  // payload bytes once this step is in
  uint32_t coded_dims = 0, chunks = 0;
  double snr_db = 0;       // of the decoder's reconstruction after this step (coefficient domain)
  double sigma2 = 0;       // noise variance reached
  double model_snr_db = 0; // SNR the Gaussian model predicts at sigma2 (exact samples, Wiener)
  double noise_ratio = 0;  // mean (y - x)^2 / sigma^2 over the coded coefficients (1 for exact rcc)
};

struct EncodeStats {
  int block_log2 = 0, frame_log2 = 0;
  size_t header_bytes = 0;
  std::vector<StepInfo> steps;  // steps kept in the payload
};

Status EncodeSignal(const SignalView& sig, const EncodeOptions& opt, std::vector<uint8_t>* payload,
                    EncodeStats* stats);

struct DecodeOptions {
  int threads = 1;
  Refiner refiner;
};

// out: frames x channels samples, frame-major, in the bit depth's range.
Status DecodeSignal(const uint8_t* payload, size_t size, uint64_t frames, uint32_t channels, int bit_depth,
                    const DecodeOptions& opt, int32_t* out);

// --- shared pieces (exposed for tests and the trainer) ---------------------------------------

// Orthonormal DCT-II of blocks of n = 2^log2 samples: the matrix, with cosines from integer
// angle reduction and a fixed double-precision polynomial (the same bits everywhere).
std::vector<float> DctMatrix(int log2);  // [k * n + i] = alpha_k cos(pi (2i + 1) k / 2n)
// Band edges of the envelope for blocks of n coefficients: 0 = e_0 < e_1 < ... < e_B = n.
std::vector<uint32_t> BandEdges(uint32_t n);
// Blocks per envelope frame of 2^frame_log2 samples (at least one block).
uint32_t FrameBlocks(int block_log2, int frame_log2);
// Prior variance of a coefficient with envelope code q: 2^(q / 2), exact for even q.
float EnvVariance(int q);
// sigma^2 of schedule value e (= e0 - j step_q): 2^(e / 8).
float SigmaSquared(int e);

// Forward transform of one channel (encoder, double accumulation): coefs[b * n + k].
std::vector<float> ForwardDct(const int32_t* samples, uint64_t frames, uint32_t channels, uint32_t ch, int log2);
// Envelope codes of one channel's coefficients: [frame * bands + band].
std::vector<uint8_t> Envelope(const std::vector<float>& coefs, uint32_t blocks, int log2, int frame_log2);
// Per-coefficient prior variances from the codes (blocks x n).
std::vector<float> PriorVariances(const std::vector<uint8_t>& env, uint32_t blocks, int log2, int frame_log2);

}  // namespace dc::slossy

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSY_SIGNAL_LOSSY_H_
