// The trainer's torch networks: one definition per network that the codecs run with their own
// C++ kernels, with the same parameter names and the same forward, so that exported weights drive
// the deterministic coders with the likelihood measured in training.
//   AdmTorch   codecs/image_lossless/adm_net.h  (image-lossless; video-lossless with extra inputs)
//   SigTorch   codecs/signal_lossless/signal_net.h
//   LdmTorch   codecs/image_lossy/ldm_net.h
// tests/train/agreement_test.cc holds each against its C++ network.
#ifndef DIFFCOMP_TRAIN_TORCH_NETS_H_
#define DIFFCOMP_TRAIN_TORCH_NETS_H_

#include <torch/torch.h>

#include <string>
#include <vector>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/adm_net.h"
#include "codecs/image_lossy/ldm_net.h"
#include "codecs/signal_lossless/signal_net.h"
#include "common/status.h"
#include "nn/weights.h"
#include "train/train_common.h"

namespace dc::train {

// A module of named convolutions (weight "<name>_w", bias "<name>_b"), kept in registration
// order in `params` (the order of checkpoints and of the EMA).
struct ConvModule : torch::nn::Module {
  NamedParams params;
  // He-initialised out x in x k (x k when dims == 2) weights, scaled by 0.1 when small; zero bias.
  std::pair<torch::Tensor, torch::Tensor> AddConv(const std::string& name, int out, int in, int k, int dims,
                                                  bool small = false);
  torch::Tensor P(const std::string& n) { return named_parameters()[n]; }
  // Copies the named tensors of a weights file into the parameters (shapes must match).
  Status LoadWeights(const nn::WeightsFile& w);
};

// ---- adm1: image-lossless (and video-lossless with the previous frame's planes) -------------

// A batch of levels of one size, everything the loss needs for all three stages.
struct AdmBatch {
  torch::Tensor trunk_in;  // N x trunk_inputs x h x w
  torch::Tensor head_in;   // 3N x head_inputs x h x w (sample-major, then stage)
  torch::Tensor target;    // 3N x 3 x h x w, normalised
  torch::Tensor pred;      // 3N x 3 x h x w, normalised predictor
  torch::Tensor mask;      // 3N x 3 x h x w: 1 where the sub-pixel is coded
  bool gray = false;       // gray planes: only channel 0 is coded (video-lossless)
};

// Image batch: RGB levels (gray[n]: only the R channel counts, G and B repeat it).
AdmBatch MakeImageBatch(const std::vector<adm::Level>& levels, const std::vector<bool>& gray);
// Video batch: gray planes (R = G = B) of the current frames, with the previous frame's planes
// (nullptr: keyframe) as the extra inputs.
AdmBatch MakeVideoBatch(const std::vector<adm::Level>& cur, const std::vector<const adm::Level*>& prev);

// The batch's tensors on device d.
AdmBatch ToDevice(AdmBatch b, const torch::Device& d);

struct AdmTorchImpl : ConvModule {
  adm::NetConfig cfg;
  explicit AdmTorchImpl(const adm::NetConfig& c);
  torch::Tensor C(const torch::Tensor& x, const std::string& n);
  torch::Tensor Trunk(const torch::Tensor& x);                              // N x Ti x h x w -> N x F x h x w
  torch::Tensor Head(const torch::Tensor& x, const torch::Tensor& feats);  // M x Hi x h x w -> M x 12K x h x w
  torch::Tensor Forward(const AdmBatch& b);                                 // trunk once, head per stage
};
TORCH_MODULE(AdmTorch);

// Discretised logistic mixture NLL in nats, summed over the masked sub-pixels of the batch
// (the distribution of codecs/image_lossless/mixture.h; gray batches: channel 0 only).
torch::Tensor AdmMixtureNll(const torch::Tensor& out, const AdmBatch& b, int K);

// Exact NLL in bits of the whole recursion of one level (every pyramid level down to 1x1, plus
// the raw base: 8 bits per coded channel), and its coded sub-pixels. prev: video, or nullptr.
double AdmRecursiveBits(AdmTorch& net, const adm::Level& full, const adm::Level* prev, bool video,
                        int64_t* subpixels);

// ---- sig1: signal-lossless -------------------------------------------------------------------

struct SigTorchImpl : ConvModule {
  sig::NetConfig cfg;
  explicit SigTorchImpl(const sig::NetConfig& c);
  torch::Tensor C(const torch::Tensor& x, const std::string& n, int pad);
  torch::Tensor Res(torch::Tensor t, const std::string& part, int blocks);
  // trunk N x kTrunkInputs x m, gap N x kGapInputs x g (g = m - 1 or m) -> N x 3K x g.
  torch::Tensor Forward(const torch::Tensor& trunk, const torch::Tensor& gap);
};
TORCH_MODULE(SigTorch);

// Discretised logistic mixture NLL in nats, summed. out N x 3K x g; target, half N x g.
torch::Tensor SigMixtureNll(const torch::Tensor& out, const torch::Tensor& target, const torch::Tensor& half, int K);

// One (level, channel) of one block, ready for the network.
struct SigItem {
  int m = 0, g = 0;
  std::vector<float> trunk, gap, target, half_bin;  // target: residual * 2^-k; half_bin: 2^-k / 2
};

// The items of a block (all levels and channels), in coding order (signal_layout.h BuildLevel);
// the raw base bits added to *raw_bits. block: n frames x C channels of `bit_depth`-bit values.
void SigBlockItems(const int32_t* block, uint32_t C, int bit_depth, uint32_t n, std::vector<SigItem>* items,
                   double* raw_bits);
// The NLL in nats of items, summed (items of one shape batched).
torch::Tensor SigItemsNll(SigTorch& net, const std::vector<SigItem>& items, const torch::Device& dev = torch::kCPU);

// ---- ldm1: image-lossy autoencoder + latent denoiser -----------------------------------------

struct LdmTorchImpl : ConvModule {
  lossy::NetConfig cfg;
  explicit LdmTorchImpl(const lossy::NetConfig& c);
  torch::Tensor C(const torch::Tensor& x, const std::string& n, bool relu_in = false);
  torch::Tensor R(const torch::Tensor& t, const std::string& n);
  torch::Tensor Encode(const torch::Tensor& x);   // N x 3 x H x W in [-1, 1] -> N x L x H/8 x W/8
  torch::Tensor Decode(const torch::Tensor& z);   // -> N x 3 x H x W
  torch::Tensor V(const torch::Tensor& xt, const torch::Tensor& lambda);  // v-prediction at log-SNR lambda (N)
};
TORCH_MODULE(LdmTorch);

constexpr float kLambdaMin = -10.0f, kLambdaMax = 14.0f;  // log-SNR range the denoiser learns

// Sum over the batch of the per-latent mean squared v error at log-SNR lam (N) with noise eps.
torch::Tensor DiffusionLossSum(LdmTorch& net, const torch::Tensor& z0, const torch::Tensor& lam, const torch::Tensor& eps);

}  // namespace dc::train

#endif  // DIFFCOMP_TRAIN_TORCH_NETS_H_
