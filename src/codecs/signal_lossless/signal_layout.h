// The stage plan of the lossless signal codec: blocks of up to 2^13 frames, coded independently;
// inside a block, each channel's samples are revealed coarse to fine in dyadic levels (the
// absorbing-state diffusion's reverse process, run in a fixed order). Level l (stride s = 2^l)
// reveals the samples at odd multiples of s, the "gaps", given every sample at multiples of 2s
// (the "coarse" sequence), and, for channel c > 0, channel c - 1's samples of the same level.
// Sample 0 of each channel (the base) is sent raw. Shared by the codec and the trainer, so
// that the network sees exactly the same inputs in both.
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSLESS_SIGNAL_LAYOUT_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSLESS_SIGNAL_LAYOUT_H_

#include <cstdint>
#include <vector>

namespace dc::sig {

constexpr int kBlockLog2 = 13;
constexpr uint32_t kBlockFrames = 1u << kBlockLog2;
constexpr int kMaxLevels = kBlockLog2;  // levels 0 .. 12

struct LevelGeom {
  uint32_t stride = 0;  // 2^l
  uint32_t coarse = 0;  // coarse samples: frames j * 2s < n
  uint32_t gaps = 0;    // gaps: frames (2g + 1) * s < n; gap g lies between coarse g and g + 1
};
LevelGeom Geometry(uint32_t n, int level);
// The coarsest level with a gap in a block of n frames, or -1 if n < 2.
int TopLevel(uint32_t n);

// Everything the network and the coder need for one (level, channel) of a block.
struct LevelInputs {
  LevelGeom geom;
  int k = 0;                  // normalisation exponent: inputs and outputs are scaled by 2^-k
  std::vector<int64_t> pred;  // integer predictor of each gap
  std::vector<float> trunk;   // kTrunkInputs x coarse
  std::vector<float> gap;     // kGapInputs x gaps
};

// block: frames x channels, frame-major; only the coarse samples of `level` are read for channel
// c, and prev_residual (gaps values: channel c - 1's residuals of this level) when c > 0.
void BuildLevel(const int32_t* block, uint32_t channels, uint32_t c, uint32_t n, int level,
                const int64_t* prev_residual, LevelInputs* out);

}  // namespace dc::sig

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSLESS_SIGNAL_LAYOUT_H_
