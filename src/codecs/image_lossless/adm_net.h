// The lossless image model's network, run with deterministic float kernels (nn/kernels.h).
//
// Architecture "adm1" (mirrored for training in src/train/train_image_lossless.cc):
//   trunk:  t = conv3x3(coarse phase, 3 -> F); per trunk block: t += c2(relu(c1(relu(t))))
//   head:   u = conv3x3(stage input, kHeadInputs -> F) + t; per head block likewise;
//           out = conv1x1(relu(u), F -> 12K)
// Output channels, each group 3*K channel-major (index c*K + k), c = R, G, B:
//   [0, 3K) mixture logits, [3K, 6K) mean offsets from the predictor, [6K, 9K) log scales,
//   [9K, 12K) coupling coefficients (through tanh): slot 1 = G on R, slot 2 = B on R,
//   slot 0 = B on G. All in normalised units (pixel / 127.5 - 1).
// The trunk runs once per level; each of the three stages runs the head.
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSLESS_ADM_NET_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSLESS_ADM_NET_H_

#include <string>
#include <vector>

#include "common/status.h"
#include "nn/weights.h"

namespace dc::adm {

constexpr const char* kArch = "adm1";
constexpr uint32_t kDefaultModelId = 1;
constexpr float kMinLogScale = -7.0f;
constexpr float kMaxLogScale = 3.0f;
constexpr int kMaxMixtures = 16;  // bound on a model file's "mixtures" (= mix::kMaxMixtures)
constexpr int kMaxExtraInputs = 64;  // bound on a model file's extra input planes
// The image planes of the trunk and head inputs (= kTrunkInputs, kHeadInputs of adm_layout.h).
constexpr int kTrunkInputsBase = 3;
constexpr int kHeadInputsBase = 18;

struct NetConfig {
  int features = 32;
  int trunk_blocks = 3;
  int head_blocks = 1;
  int mixtures = 5;
  // Extra input planes appended after the image planes of the trunk and of the head (0 for the
  // image codec; the video codec feeds the previous frame there, adm_layout.h). Written to the
  // config only when non-zero, so image models keep their config and fingerprint.
  int extra_trunk_inputs = 0;
  int extra_head_inputs = 0;
  int trunk_inputs() const { return kTrunkInputsBase + extra_trunk_inputs; }
  int head_inputs() const { return kHeadInputsBase + extra_head_inputs; }
  int outputs() const { return 12 * mixtures; }
  std::string ToJson() const;
  static StatusOr<NetConfig> FromJson(const std::string& json);
};

// Multiply-adds per coarse-grid cell of one trunk pass and of one head pass.
int64_t TrunkMacs(const NetConfig& c);
int64_t HeadMacs(const NetConfig& c);

// Immutable, shareable across threads.
class AdmNet {
 public:
  static StatusOr<AdmNet> FromWeights(const nn::WeightsFile& w);
  const NetConfig& config() const { return cfg_; }
  int64_t parameters() const;

  // in: trunk_inputs() x h x w (CHW) -> feats: F x h x w.
  void Trunk(const float* in, int h, int w, float* feats) const;
  // in: head_inputs() x h x w, feats: F x h x w -> out: outputs() x h x w.
  void Head(const float* in, const float* feats, int h, int w, float* out) const;

 private:
  struct Conv {
    int out = 0, in = 0, k = 0;
    std::vector<float> w, b;  // w: out x in x k x k
  };
  static StatusOr<Conv> GetConv(const nn::WeightsFile& wf, const std::string& name, int out, int in, int k);
  // The residual blocks <prefix>_b<i>_c1/_c2 of a trunk or head, each F -> F, 3x3.
  static Status GetBlocks(const nn::WeightsFile& wf, const std::string& prefix, int blocks, int F,
                          std::vector<Conv>* c1, std::vector<Conv>* c2);
  NetConfig cfg_;
  Conv trunk_in_, head_in_, head_out_;
  std::vector<Conv> trunk_c1_, trunk_c2_, head_c1_, head_c2_;
};

}  // namespace dc::adm

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSLESS_ADM_NET_H_
