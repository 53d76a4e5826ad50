// The lossless signal codec: independent blocks, dyadic levels, SigNet and rANS.
// Payload layout: docs/codecs/signal-lossless.md.
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSLESS_SIGNAL_LOSSLESS_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSLESS_SIGNAL_LOSSLESS_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "codecs/signal_lossless/signal_net.h"
#include "common/status.h"

namespace dc::sig {

constexpr int kMinBitDepth = 2, kMaxBitDepth = 32;

struct SignalView {
  const int32_t* samples = nullptr;  // frames x channels, frame-major
  uint64_t frames = 0;
  uint32_t channels = 0;
  int bit_depth = 16;  // every sample in [-2^(bit_depth-1), 2^(bit_depth-1))
};

struct CodecOptions {
  int threads = 1;
  // Encoder: offer per-block linear prediction (lpc.h; payload flag kLpcFlag). False writes the
  // payload layout of files made before it existed.
  bool linear_prediction = true;
  std::function<void(uint64_t done, uint64_t total)> progress;  // called on the calling thread
};

struct EncodeStats {
  double model_bits = 0;           // -log2 of the quantised probabilities coded (raw bits included)
  double model_nll_bits = 0;       // the float model's NLL (training's measure), raw bits included
  double level_nll_bits[24] = {};  // per level (0 = finest); the raw base samples in level 23
};

Status EncodeSignal(const SigNet& net, const SignalView& s, const CodecOptions& opt, std::vector<uint8_t>* payload,
                    EncodeStats* stats);
// Decodes into out (frames * channels values, preallocated).
Status DecodeSignal(const SigNet& net, const uint8_t* payload, size_t size, uint64_t frames, uint32_t channels,
                    int bit_depth, const CodecOptions& opt, int32_t* out);

}  // namespace dc::sig

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSLESS_SIGNAL_LOSSLESS_H_
