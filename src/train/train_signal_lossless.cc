// Training of the lossless signal model. The network is SigTorch (torch_nets.h, the mirror of
// codecs/signal_lossless/signal_net.h) and its inputs come from the codec's own BuildLevel, so the
// exported weights drive the coder with the likelihood measured here.
//
// Data: WAV, WFDB (.hea) and CSV files (extras/signal_io.h, exactly as the CLI reads them). The
// last 10 % of every training file is held back for validation, and --holdout files are used
// for validation only (cross-validation by file).
#include "train/train_signal_lossless.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "codecs/signal_lossless/lpc.h"
#include "codecs/signal_lossless/signal_layout.h"
#include "codecs/signal_lossless/signal_net.h"
#include "extras/file_io.h"
#include "extras/signal_io.h"
#include "train/train_loop.h"

namespace dc::train {
namespace {

namespace fs = std::filesystem;
using torch::Tensor;

struct Series {
  std::string name;
  extras::SignalFile s;
  uint64_t train_frames = 0;  // frames [0, train_frames) train; the rest validates
};

Status LoadSignals(const std::vector<std::string>& inputs, bool holdout, std::vector<Series>* out) {
  const std::vector<std::string> files = ListInputs(
      inputs, [](const std::string& f) { return extras::IsSignalPath(f) && fs::path(f).extension() != ".raw"; });
  for (const auto& f : files) {
    auto s = extras::ReadSignalFile(f);
    if (!s.ok()) return Error(s.status().code(), f + ": " + s.status().message());
    Series se;
    se.name = f;
    se.s = std::move(s).value();
    se.train_frames = holdout ? 0 : se.s.frames - se.s.frames / 10;
    out->push_back(std::move(se));
  }
  return Status::Ok();
}

// A block as the codec may code it: its samples (mode 0), or the residual of per-block linear
// prediction fitted to it (1) or refitted backwards (2) (codecs/signal_lossless/lpc.h), with the
// block's flag bit and the predictors' raw bits.
struct CodedBlock {
  std::vector<int32_t> data;
  int bit_depth = 0;
  double side_bits = 1;
};
CodedBlock MakeBlock(const extras::SignalFile& s, uint64_t f0, uint32_t n, int mode) {
  const uint32_t C = s.channels;
  CodedBlock b;
  b.data.assign(s.samples.begin() + f0 * C, s.samples.begin() + (f0 + n) * C);
  b.bit_depth = s.bit_depth;
  if (mode == 0) return b;
  std::vector<int32_t> res(b.data.size());
  std::vector<sig::Lpc> lpc;
  b.side_bits += sig::BlockResidual(b.data.data(), n, C, s.bit_depth, mode == 2, &lpc, res.data());
  b.bit_depth = sig::ResidualDepth(s.bit_depth);
  b.data.swap(res);
  return b;
}

// Validation: bits per sample of the held-back parts, coded as the codec codes them (blocks
// from the start of the held-back part; raw base samples included).
struct ValResult {
  double bits_per_sample = 0;
  std::map<std::string, double> per_file;
};
ValResult Validate(SigTorch& net, const std::vector<Series>& series) {
  torch::NoGradGuard ng;
  ValResult r;
  double bits = 0, samples = 0;
  for (const auto& se : series) {
    double fb = 0, fs = 0;
    for (uint64_t f0 = se.train_frames; f0 < se.s.frames; f0 += sig::kBlockFrames) {
      const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(sig::kBlockFrames, se.s.frames - f0));
      // The better of the block's samples and its residual (the codec's encoder decides on a
      // sample of the block's frames; this is the ideal choice).
      double best = 0;
      for (int mode = 0; mode < 3; ++mode) {
        const CodedBlock cb = MakeBlock(se.s, f0, n, mode);
        std::vector<SigItem> items;
        double raw = cb.side_bits;
        SigBlockItems(cb.data.data(), se.s.channels, cb.bit_depth, n, &items, &raw);
        const double b = SigItemsNll(net, items).item<double>() / std::log(2.0) + raw;
        best = mode ? std::min(best, b) : b;
      }
      fb += best;
      fs += static_cast<double>(n) * se.s.channels;
    }
    if (fs > 0) r.per_file[se.name] = fb / fs;
    bits += fb;
    samples += fs;
  }
  r.bits_per_sample = samples > 0 ? bits / samples : 0;
  return r;
}

}  // namespace

Status TrainSignalLossless(const dc_train_params& p) {
  const bool quiet = p.quiet != 0 || p.rank > 0;
  BeginTraining(p);

  const std::vector<std::string> inputs(p.data, p.data + p.num_data);
  const std::vector<std::string> holdout(p.holdout, p.holdout + p.num_holdout);
  std::vector<Series> train, val;
  RETURN_IF_ERROR(LoadSignals(inputs, false, &train));
  RETURN_IF_ERROR(LoadSignals(holdout, true, &val));
  // A holdout file named in --data too is validation only.
  train.erase(std::remove_if(train.begin(), train.end(),
                             [&](const Series& s) {
                               for (const auto& v : val)
                                 if (fs::weakly_canonical(v.name) == fs::weakly_canonical(s.name)) return true;
                               return false;
                             }),
              train.end());
  if (train.empty()) return Error(DC_ERR_INVALID_ARGUMENT, "no training signals (WAV, .hea, CSV) in --data");
  for (const auto& s : train) val.push_back(s);  // their held-back tails
  uint64_t total_train = 0;
  for (const auto& s : train) total_train += s.train_frames * s.s.channels;
  if (!quiet) {
    std::fprintf(stderr, "train: %zu training signals (%llu samples), %zu validation sets\n", train.size(),
                 (unsigned long long)total_train, val.size());
  }

  sig::NetConfig cfg;
  if (p.features > 0) cfg.features = p.features;
  if (p.trunk_blocks >= 0) cfg.trunk_blocks = p.trunk_blocks;
  if (p.head_blocks >= 0) cfg.head_blocks = p.head_blocks;
  if (p.mixtures > 0) cfg.mixtures = std::min(p.mixtures, sig::kMaxMixtures);
  SigTorch net(cfg);

  // Files are drawn in proportion to their training samples, but at least 1/(4 x files) each,
  // so that the short ECG and CSV series are seen.
  std::vector<double> weight;
  for (const auto& s : train)
    weight.push_back(std::max(static_cast<double>(s.train_frames * s.s.channels) / total_train, 0.25 / train.size()));
  const uint32_t block_frames = sig::kBlockFrames;  // whole codec blocks: every level as coded

  TrainSpec spec;
  spec.unit = "bits/sample";
  spec.peak_lr = 2e-3;
  spec.warmup = 0.03;
  spec.ema_decay = 0.999;
  spec.print_every_s = 30;
  spec.ckpt_every_s = 120;
  spec.val_every_s = 600;
  spec.global_batch = 4;  // blocks per step
  spec.arch = sig::kArch;
  spec.model_id = sig::kDefaultModelId;
  spec.config_json = cfg.ToJson();
  {
    std::vector<std::string> train_names;
    for (const auto& s : train) train_names.push_back(s.name);
    spec.info = {{"training_files", train_names},
                 {"holdout_files", holdout},
                 {"validation_note", "exact model NLL (raw base samples included) of the last 10% of every training file and of every holdout file, f16 weights"}};
  }
  // Block i of the step's global batch from its own stream.
  spec.step = [&](const StepContext& ctx) -> StatusOr<StepLoss> {
    std::vector<SigItem> items;
    double raw = 0, samples = 0;
    const auto [g0, g1] = ctx.Range(spec.global_batch);
    for (int b = g0; b < g1; ++b) {
      std::mt19937_64 rng = ctx.SampleRng(b);
      std::discrete_distribution<size_t> pick(weight.begin(), weight.end());
      const Series& se = train[pick(rng)];
      const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(block_frames, se.train_frames));
      if (n < 2) continue;
      const uint64_t f0 = rng() % (se.train_frames - n + 1);
      // A third of the blocks as they are, a third as residuals of each kind of linear
      // prediction, which the codec codes wherever cheaper (docs/codecs/signal-lossless.md).
      const CodedBlock cb = MakeBlock(se.s, f0, n, static_cast<int>(rng() % 3));
      SigBlockItems(cb.data.data(), se.s.channels, cb.bit_depth, n, &items, &raw);
      samples += static_cast<double>(n - 1) * se.s.channels;
    }
    if (items.empty()) return Error(DC_ERR_INVALID_ARGUMENT, "training signals too short (fewer than 2 frames)");
    StepLoss sl;
    sl.sum = SigItemsNll(net, items, ctx.device) / std::log(2.0);
    sl.count = samples;
    return sl;
  };
  spec.validate = [&] {
    const ValResult v = Validate(net, val);
    if (p.quiet == 0 && p.rank == 0)
      for (const auto& [f, b] : v.per_file) std::fprintf(stderr, "train:   %-60s %.4f bits/sample\n", f.c_str(), b);
    return nlohmann::json{{"validation_bits_per_sample", v.bits_per_sample}, {"validation_per_file", v.per_file}};
  };
  return RunTraining(p, *net, spec);
}

}  // namespace dc::train
