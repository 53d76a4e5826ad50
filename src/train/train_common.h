// Pieces every trainer shares (libtorch side): thread and denormal set-up, CPU time, the
// checkpoint of parameters + EMA + optimiser + progress counters, and export of named tensors
// to the .dcw weights format.
#ifndef DIFFCOMP_TRAIN_TRAIN_COMMON_H_
#define DIFFCOMP_TRAIN_TRAIN_COMMON_H_

#include <torch/torch.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "extras/image_io.h"
#include "nn/weights.h"

namespace dc::train {

// The files of --data (or --holdout): directories walked recursively for the files `keep`
// accepts, named files as they are; sorted by path.
std::vector<std::string> ListInputs(const std::vector<std::string>& inputs,
                                    const std::function<bool(const std::string& path)>& keep);

// Decodes the PNGs `pngs` (sorted) of at least min_size x min_size pixels and hands each to fn
// as 3-channel RGB (gray repeated, alpha dropped), with held_back true for every 10th path of the
// list (i % 10 == 9): the photos validation keeps out of training.
Status ForEachPhoto(const std::vector<std::string>& pngs, uint32_t min_size,
                    const std::function<void(extras::Image&& rgb, const std::string& path, bool held_back)>& fn);

// torch threads + flush-to-zero in every OpenMP worker (denormals stalled steps for seconds).
void SetUpThreads(int threads);
// CPU seconds of this process (user + system).
double CpuSeconds();

// Progress of a run, stored in the checkpoint so that a resumed run continues the schedule.
struct RunMeta {
  double elapsed = 0;      // training wall seconds of earlier runs
  int64_t step = 0;
  double cpu = 0;          // CPU seconds of earlier runs
  bool cpu_complete = true;
};

using NamedParams = std::vector<std::pair<std::string, torch::Tensor>>;

// Writes params, their EMA, the optimiser state and meta atomically to path.
Status SaveCheckpoint(const std::string& path, const NamedParams& params, const std::vector<torch::Tensor>& ema,
                      torch::optim::Optimizer& opt, const RunMeta& meta);
// Reads them back into params, ema and opt (same architecture), returns meta. bytes: the
// checkpoint file's contents (rank 0 reads it, every rank loads it); name: for messages.
StatusOr<RunMeta> LoadCheckpoint(const std::string& bytes, const std::string& name, const NamedParams& params,
                                 std::vector<torch::Tensor>& ema, torch::optim::Optimizer& opt);

// The weights file of named values (float), with arch, id, config and provenance.
nn::WeightsFile ToWeightsFile(const NamedParams& params, const std::vector<torch::Tensor>& values, const std::string& arch,
                              uint32_t model_id, const std::string& config_json, const std::string& info_json);

// ema = d * ema + (1 - d) * params, with the usual warm-up d = min(decay, (1 + step) / (10 + step)).
void UpdateEma(const NamedParams& params, std::vector<torch::Tensor>& ema, double decay, int64_t step);

}  // namespace dc::train

#endif  // DIFFCOMP_TRAIN_TRAIN_COMMON_H_
