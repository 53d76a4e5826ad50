// The training loop every trainer shares: set-up, resume, the learning-rate schedule, data-parallel
// steps (dist.h), EMA, progress, checkpoints, validation and export. A trainer supplies its network,
// the loss of its share of a step's global batch, a validation and its provenance.
#ifndef DIFFCOMP_TRAIN_TRAIN_LOOP_H_
#define DIFFCOMP_TRAIN_TRAIN_LOOP_H_

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>

#include "common/status.h"
#include "diffcomp/train.h"
#include "train/torch_nets.h"

namespace dc::train {

// What one rank computes at one step. Random numbers come from streams of (seed, step) and
// (seed, step, sample), so the global batch of a step is the same whatever the world size: a run
// on N ranks follows the run on 1 rank, and a run resumes with another world size.
struct StepContext {
  int64_t step = 0;
  int rank = 0, world = 1;
  uint64_t seed = 1;
  torch::Device device = torch::kCPU;
  // This rank's share [begin, end) of n samples.
  std::pair<int, int> Range(int n) const { return {n * rank / world, n * (rank + 1) / world}; }
  std::mt19937_64 StepRng() const;           // the same on every rank
  std::mt19937_64 SampleRng(int i) const;    // sample i of the global batch
  torch::Generator SampleGen(int i) const;   // torch random numbers of sample i (CPU)
};

struct StepLoss {
  torch::Tensor sum;  // loss summed over this rank's samples (units of `count`)
  double count = 0;   // what the loss is averaged over (sub-pixels, samples, ...)
};

struct TrainSpec {
  std::string unit = "bits";      // of the printed loss
  double peak_lr = 2e-3, warmup = 0.02, ema_decay = 0.999;
  double print_every_s = 30, ckpt_every_s = 300, val_every_s = 900;
  int global_batch = 1;           // samples per step, split between ranks
  int max_world = 0;              // most ranks that all get samples (0: global_batch)
  bool validate_at_start = false;
  // The loss of this rank's share of the step's global batch (tensors on ctx.device).
  std::function<StatusOr<StepLoss>(const StepContext& ctx)> step;
  // Metrics of the network as it is (holding the f16-rounded EMA, on the CPU); rank 0 only.
  std::function<nlohmann::json()> validate;
  // Optional: --resume FILE.dcw initialises the network from a model file (rank 0).
  std::function<Status(const std::string& dcw)> init_from_model;
  std::string arch;
  uint32_t model_id = 0;
  std::string config_json;
  nlohmann::json info = nlohmann::json::object();  // codec provenance, merged into the export's
};

// Threads, flush-to-zero and the seed: call before building the network.
void BeginTraining(const dc_train_params& p);

// Runs the schedule until --minutes or --max-steps, then checkpoints and exports (rank 0).
Status RunTraining(const dc_train_params& p, ConvModule& net, TrainSpec& spec);

}  // namespace dc::train

#endif  // DIFFCOMP_TRAIN_TRAIN_LOOP_H_
