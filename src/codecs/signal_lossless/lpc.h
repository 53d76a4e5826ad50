// Per-block linear prediction for signal-lossless (FLAC-like, fitted by the encoder): a block's
// channel may be replaced by its prediction residual before the dyadic stages code it,
//
//   e[t] = x[t] - ((sum_{i=1..p} q_i x[t-i]) >> shift)   for t >= p (arithmetic shift: floor),
//   e[t] = x[t] - x[t-1] for 1 <= t < p,  e[0] = x[0],
//
// with p <= 32 integer coefficients q_i in [-2^15, 2^15) sent in the block, or (backward modes)
// with coefficients that both sides refit every `hop` samples on the `window` samples before
// (kBackModes: order, hop, window; nothing sent; first differences until a window is full), which
// follows speech and other fast-changing signals. The decoder decodes e with the network exactly as it
// would x, then rebuilds x in order. For tonal audio the residual is nearly white and much
// smaller than the dyadic stages' interpolation errors (docs/codecs/signal-lossless.md, "Linear
// prediction").
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSLESS_LPC_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSLESS_LPC_H_

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "entropy/rans.h"

namespace dc::sig {

constexpr int kMaxLpcOrder = 32;
constexpr int kMaxLpcShift = 15;
constexpr int kLpcCoefBits = 16;
constexpr int kLpcExtraBits = 4;  // the residual may need up to 4 more bits than the samples
// The payload's first byte is kBlockLog2 | kLpcFlag when every block starts with its
// linear-prediction bit (files from before it have kBlockLog2 alone).
constexpr uint8_t kLpcFlag = 0x40;
// Encoder: the choice between coding a block's samples and their residual is made by coding
// kLpcTrialFrames of its frames both ways, in kLpcTrialParts pieces spread over the block (bits
// counted, nothing written).
constexpr uint32_t kLpcTrialFrames = 2048;
constexpr uint32_t kLpcTrialParts = 4;
inline int ResidualDepth(int bit_depth) { return bit_depth + kLpcExtraBits > 32 ? 32 : bit_depth + kLpcExtraBits; }

struct BackMode {
  int order;
  uint32_t hop, window;
};
// Backward mode m (1 or 2) is sent as the order field's value 64 - m.
constexpr BackMode kBackModes[3] = {{0, 0, 0}, {16, 128, 512}, {12, 64, 256}};
constexpr int kNumBackModes = 2;
inline uint32_t BackwardCode(int m) { return 64u - static_cast<uint32_t>(m); }

struct Lpc {
  int order = 0;  // 0: no prediction (e = x)
  int shift = 0;
  int32_t coef[kMaxLpcOrder] = {};
  int backward = 0;  // backward mode 1 or 2 (order, shift, coef unused); 0: none
};

// Least-squares fit (Welch-windowed autocorrelation, Levinson-Durbin, in double precision with
// + - * / only, in a fixed order) of x[0..n) of order p, coefficients quantised to 16 bits; order
// 0 if the block is silent, too short or ill-conditioned. The encoder's fit of a block, and both
// sides' refit in backward mode (so it is normative there).
Lpc FitLpc(const int32_t* x, uint32_t n, uint32_t stride, int order);

// e[t] from x[t] (both strided by `stride` ints); false if a residual does not fit `bits` bits
// (signed), then e is unspecified.
bool LpcResidual(const Lpc& l, const int32_t* x, uint32_t n, uint32_t stride, int bits, int32_t* e);
// x[t] from e[t] in place; DC_ERR_CORRUPT if a sample leaves [lo, hi].
Status LpcRestore(const Lpc& l, int32_t* ex, uint32_t n, uint32_t stride, int64_t lo, int64_t hi);

// Encoder (and trainer): the residual res of every channel of a block (frame-major, n x channels)
// in one family, block fits (backward false) or backward (per channel the backward mode whose
// residual has the smaller sum of bit lengths); a channel whose residual does not fit
// ResidualDepth(bit_depth) bits gets order 0 (a copy). Returns the predictors' raw bits.
int BlockResidual(const int32_t* block, uint32_t n, uint32_t channels, int bit_depth, bool backward,
                  std::vector<Lpc>* lpc, int32_t* res);

// Coded in the block's rANS stream: order (6 raw bits; 63 and 62: backward mode 1 and 2, nothing
// follows), then if 0 < order <= 32 the shift (4 bits) and the coefficients (16 bits each, two's
// complement).
void PutLpc(rans::Encoder* enc, const Lpc& l);
Status GetLpc(rans::Decoder* dec, Lpc* l);
int LpcBits(const Lpc& l);

}  // namespace dc::sig

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSLESS_LPC_H_
