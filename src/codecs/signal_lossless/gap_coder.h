// Coding one gap's residual (sample - predictor) with the network's logistic mixture, exactly
// the same way on both sides. Residuals of wide signals (16-bit audio) are coded in two parts:
// the high part r >> b with the mixture over a 256-bin window around the predicted mean (bins 0
// and 255 hold the tails, whose excess follows as an Elias-gamma code), then the b low bits,
// equiprobable; b is chosen from the predicted scale so that a bin is at most half a scale wide.
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSLESS_GAP_CODER_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSLESS_GAP_CODER_H_

#include <cstdint>

#include "common/status.h"
#include "entropy/logistic_mixture.h"
#include "entropy/rans.h"

namespace dc::sig {

struct GapDist {
  mix::ChannelDist d;  // over window values 0..255 (value 128 is the bin of `center`)
  int b = 0;           // low bits sent raw
  int64_t center = 0;  // high part r >> b of window value 128
};

// out: the network's outputs for one gap (output channel i at out[i * stride]); k: the level's
// normalisation exponent.
void MakeGapDist(const float* out, long stride, int K, int k, GapDist* gd);

void EncodeResidual(rans::Encoder* enc, const GapDist& gd, int64_t r);
Status DecodeResidual(rans::Decoder* dec, const GapDist& gd, int64_t* r);

// Cost of r in bits: with the quantised intervals actually coded, and under the float mixture
// (the training loss; raw low bits and escapes counted the same in both).
double ResidualBits(const GapDist& gd, int64_t r);
double ResidualNllBits(const GapDist& gd, int64_t r);

}  // namespace dc::sig

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSLESS_GAP_CODER_H_
