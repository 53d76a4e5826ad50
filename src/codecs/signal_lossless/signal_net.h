// The lossless signal model's network "sig1", run with deterministic float kernels (nn/kernels.h).
// Mirrored for training in src/train/train_signal_lossless.cc.
//
// It predicts, for every gap of one level of one channel (signal_layout.h), a logistic mixture of
// the gap's residual from the integer predictor, in normalised units (residual * 2^-k):
//   trunk: t = conv3(coarse inputs, kTrunkInputs -> F); per trunk block t += c2(relu(c1(relu(t))))
//   gaps:  u = conv2(relu(t), F -> F)   (gap g sees coarse samples g and g + 1)
//            + conv1(gap inputs, kGapInputs -> F); per head block u += c2(relu(c1(relu(u))))
//   out = conv1(relu(u), F -> 3K): [0, K) logits, [K, 2K) means, [2K, 3K) log scales;
//   plus a linear path to the means: out[K, 2K) += conv16(coarse inputs, kTrunkInputs -> K),
//   gap g seeing coarse positions g - 7 .. g + 8 (a learned interpolation filter).
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSLESS_SIGNAL_NET_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSLESS_SIGNAL_NET_H_

#include <string>
#include <vector>

#include "common/status.h"
#include "nn/weights.h"

namespace dc::sig {

constexpr const char* kArch = "sig1";
constexpr uint32_t kDefaultModelId = 2;
constexpr int kTrunkInputs = 3;  // coarse difference, level, normalisation exponent
constexpr int kGapInputs = 3;    // previous channel's residual, has-previous-channel, has-right
constexpr int kMaxMixtures = 16;
constexpr float kMinLogScale = -6.0f;
constexpr float kMaxLogScale = 8.0f;
constexpr int kLinearTaps = 16;  // width of the linear path; gap g sees coarse g - 7 .. g + 8

struct NetConfig {
  int features = 16;
  int trunk_blocks = 2;
  int head_blocks = 1;
  int mixtures = 3;
  int outputs() const { return 3 * mixtures; }
  std::string ToJson() const;
  static StatusOr<NetConfig> FromJson(const std::string& json);
};

// Multiply-adds per gap (every sample is a gap of exactly one level, so also per sample, up to
// the few coarse positions without a gap).
int64_t MacsPerGap(const NetConfig& c);

// Immutable, shareable across threads.
class SigNet {
 public:
  static StatusOr<SigNet> FromWeights(const nn::WeightsFile& w);
  const NetConfig& config() const { return cfg_; }
  int64_t parameters() const;
  // trunk_in: kTrunkInputs x m; gap_in: kGapInputs x g with g in {m - 1, m};
  // out: outputs() x g.
  void Forward(const float* trunk_in, int m, const float* gap_in, int g, float* out) const;

 private:
  struct Conv {
    int out = 0, in = 0, k = 0;
    std::vector<float> w, b;  // w: out x in x k
  };
  static StatusOr<Conv> GetConv(const nn::WeightsFile& wf, const std::string& name, int out, int in, int k);
  NetConfig cfg_;
  Conv trunk_in_, gap_conv_, gap_side_, head_out_, linear_;
  std::vector<Conv> trunk_c1_, trunk_c2_, head_c1_, head_c2_;
};

}  // namespace dc::sig

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSLESS_SIGNAL_NET_H_
