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

// Bitstream revisions (docs/codecs/signal-lossless.md). A file once written decodes forever: the
// container records the revision and the decoder is told it (CodecOptions::revision).
//   1: blocks of samples or per-block linear-prediction residuals (layout flag kLpcFlag).
//   2: the residual of an adaptive integer filter cascade run over the whole file (cascade.h),
//      coded per block by the same stages.
constexpr int kRevision1 = 1;
constexpr int kRevision2 = 2;
constexpr int kLatestRevision = 2;

struct SignalView {
  const int32_t* samples = nullptr;  // frames x channels, frame-major
  uint64_t frames = 0;
  uint32_t channels = 0;
  int bit_depth = 16;  // every sample in [-2^(bit_depth-1), 2^(bit_depth-1))
};

struct CodecOptions {
  int threads = 1;
  int revision = kLatestRevision;  // what the encoder writes / the decoder reads (1 or 2)
  // Revision 1 encoder: offer per-block linear prediction (lpc.h; payload flag kLpcFlag). False
  // writes the payload layout of files made before it existed. Ignored by revision 2.
  bool linear_prediction = true;
  // Revision 2 encoder: the cascade byte (profile | kCascadeStereoBit, cascade.h), or -1 to choose
  // it from the signal.
  int cascade_profile = -1;
  // Revision 2 encoder: the block coder, 0 the network (dyadic stages), 1 the adaptive time-order
  // coder (adaptive_coder.h, the default: measured better on every audio file, docs; blocks of at
  // fewer than 8192 samples (short files) are coded both ways and the cheaper kept), or -1 the cheaper of the two for
  // every block (both counted exactly: slower).
  int block_coder = 1;
  std::function<void(uint64_t done, uint64_t total)> progress;  // called on the calling thread
};

struct EncodeStats {
  double model_bits = 0;           // -log2 of the quantised probabilities coded (raw bits included)
  double model_nll_bits = 0;       // the float model's NLL (training's measure), raw bits included
  double level_nll_bits[24] = {};  // per level (0 = finest); the raw base samples in level 23
};

Status EncodeSignal(const SigNet& net, const SignalView& s, const CodecOptions& opt, std::vector<uint8_t>* payload,
                    EncodeStats* stats);
// Revision 2 encoder: the cascade byte it chooses for s (cascade.h; what cascade_profile -1 does).
// The same on any thread count.
int ChooseCascadeCode(const SignalView& s, int threads = 1);
// Decodes into out (frames * channels values, preallocated).
Status DecodeSignal(const SigNet& net, const uint8_t* payload, size_t size, uint64_t frames, uint32_t channels,
                    int bit_depth, const CodecOptions& opt, int32_t* out);

}  // namespace dc::sig

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSLESS_SIGNAL_LOSSLESS_H_
