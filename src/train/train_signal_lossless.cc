// Training of the lossless signal model. The network mirrors codecs/signal_lossless/signal_net.h
// (same tensor names and forward) and its inputs come from the codec's own BuildLevel, so the
// exported weights drive the coder with the likelihood measured here.
//
// Data: WAV, WFDB (.hea) and CSV files (extras/signal_io.h, exactly as the CLI reads them). The
// last 10 % of every training file is held back for validation, and --holdout files are used
// for validation only (cross-validation by file).
#include "train/train_signal_lossless.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
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
#include "train/train_common.h"

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
  std::vector<std::string> files;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(in))
        if (e.is_regular_file() && extras::IsSignalPath(e.path().string()) && e.path().extension() != ".raw")
          files.push_back(e.path().string());
    } else {
      files.push_back(in);
    }
  }
  std::sort(files.begin(), files.end());
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

// ---- network (mirror of signal_net.h) -------------------------------------------------------

struct SigTorchImpl : torch::nn::Module {
  sig::NetConfig cfg;
  NamedParams params;
  explicit SigTorchImpl(const sig::NetConfig& c) : cfg(c) {
    const int F = cfg.features;
    Conv("trunk_in", F, sig::kTrunkInputs, 3);
    for (int i = 0; i < cfg.trunk_blocks; ++i) {
      Conv("trunk_b" + std::to_string(i) + "_c1", F, F, 3);
      Conv("trunk_b" + std::to_string(i) + "_c2", F, F, 3, true);
    }
    Conv("gap_conv", F, F, 2);
    Conv("gap_side", F, sig::kGapInputs, 1);
    for (int i = 0; i < cfg.head_blocks; ++i) {
      Conv("head_b" + std::to_string(i) + "_c1", F, F, 3);
      Conv("head_b" + std::to_string(i) + "_c2", F, F, 3, true);
    }
    Conv("head_out", cfg.outputs(), F, 1, true);
    Conv("linear", cfg.mixtures, sig::kTrunkInputs, sig::kLinearTaps, true);
    {
      torch::NoGradGuard ng;
      params.back().second.zero_();          // linear_b
      params[params.size() - 2].second.zero_();  // linear_w: starts as "no correction"
    }
  }
  void Conv(const std::string& name, int out, int in, int k, bool small = false) {
    Tensor wt = torch::randn({out, in, k}) * std::sqrt(2.0 / (in * k));
    if (small) wt = wt * 0.1;
    params.emplace_back(name + "_w", register_parameter(name + "_w", wt));
    params.emplace_back(name + "_b", register_parameter(name + "_b", torch::zeros({out})));
  }
  Tensor P(const std::string& n) { return named_parameters()[n]; }
  Tensor C(const Tensor& x, const std::string& n, int pad) { return torch::conv1d(x, P(n + "_w"), P(n + "_b"), 1, pad); }
  Tensor Res(Tensor t, const std::string& part, int blocks) {
    for (int i = 0; i < blocks; ++i) {
      const std::string b = part + "_b" + std::to_string(i);
      t = t + C(torch::relu(C(torch::relu(t), b + "_c1", 1)), b + "_c2", 1);
    }
    return t;
  }
  // trunk N x kTrunkInputs x m, gap N x kGapInputs x g (g = m - 1 or m) -> N x 3K x g.
  Tensor Forward(const Tensor& trunk, const Tensor& gap) {
    const int64_t g = gap.size(2);
    Tensor t = Res(C(trunk, "trunk_in", 1), "trunk", cfg.trunk_blocks);
    Tensor u = C(torch::constant_pad_nd(torch::relu(t), {0, 1}), "gap_conv", 0).narrow(2, 0, g) + C(gap, "gap_side", 0);
    u = Res(u, "head", cfg.head_blocks);
    Tensor out = C(torch::relu(u), "head_out", 0);
    // Linear path to the means: gap g sees coarse g - 7 .. g + 8 (zeros outside).
    const int K = cfg.mixtures;
    const Tensor lin = C(torch::constant_pad_nd(trunk, {sig::kLinearTaps / 2 - 1, sig::kLinearTaps / 2}), "linear", 0)
                           .narrow(2, 0, g);
    return torch::cat({out.narrow(1, 0, K), out.narrow(1, K, K) + lin, out.narrow(1, 2 * K, K)}, 1);
  }
};
TORCH_MODULE(SigTorch);

// One (level, channel) of one block, ready for the network.
struct Item {
  int m = 0, g = 0;
  std::vector<float> trunk, gap, target, half_bin;  // target: residual * 2^-k; half_bin: 2^-k / 2
};

// The items of a block (all levels and channels), in coding order; base bits added to *raw_bits.
// block: n frames x C channels of samples of `bit_depth` bits (the signal's, or a residual).
void BlockItems(const int32_t* block, uint32_t C, int bit_depth, uint32_t n, std::vector<Item>* items,
                double* raw_bits) {
  *raw_bits += static_cast<double>(bit_depth) * C;
  sig::LevelInputs li;
  std::vector<int64_t> prev, cur;
  for (int l = sig::TopLevel(n); l >= 0; --l) {
    for (uint32_t c = 0; c < C; ++c) {
      sig::BuildLevel(block, C, c, n, l, c > 0 ? prev.data() : nullptr, &li);
      Item it;
      it.m = static_cast<int>(li.geom.coarse);
      it.g = static_cast<int>(li.geom.gaps);
      it.trunk = li.trunk;
      it.gap = li.gap;
      cur.resize(it.g);
      const float half = std::ldexp(0.5f, -li.k);
      for (int j = 0; j < it.g; ++j) {
        const int64_t x = block[((2 * uint64_t(j) + 1) * li.geom.stride) * C + c];
        cur[j] = x - li.pred[j];
        it.target.push_back(std::ldexp(static_cast<float>(cur[j]), -li.k));
        it.half_bin.push_back(half);
      }
      prev.swap(cur);
      items->push_back(std::move(it));
    }
  }
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

// Discretised logistic mixture NLL in nats, summed. out N x 3K x g; target, half N x g.
Tensor MixtureNll(const Tensor& out, const Tensor& target, const Tensor& half, int K) {
  const auto parts = out.split(K, 1);
  const Tensor logits = parts[0], means = parts[1];
  const Tensor log_s = torch::clamp(parts[2], sig::kMinLogScale, sig::kMaxLogScale);
  const Tensor x = target.unsqueeze(1), h = half.unsqueeze(1);
  const Tensor centered = x - means;
  const Tensor inv_s = torch::exp(-log_s);
  const Tensor plus_in = inv_s * (centered + h), min_in = inv_s * (centered - h);
  const Tensor cdf_delta = torch::sigmoid(plus_in) - torch::sigmoid(min_in);
  const Tensor mid_in = inv_s * centered;
  const Tensor log_pdf_mid = mid_in - log_s - 2.0 * torch::softplus(mid_in) + torch::log(2.0 * h);
  const Tensor lp = torch::where(cdf_delta > 1e-6, torch::log(torch::clamp(cdf_delta, 1e-12)), log_pdf_mid);
  return -torch::logsumexp(lp + torch::log_softmax(logits, 1), 1).sum();
}

// Items of equal shape, batched. Returns the NLL in nats, summed.
Tensor BatchNll(SigTorch& net, const std::vector<const Item*>& items) {
  const int64_t N = static_cast<int64_t>(items.size()), m = items[0]->m, g = items[0]->g;
  std::vector<float> tr, ga, ta, ha;
  for (const Item* it : items) {
    tr.insert(tr.end(), it->trunk.begin(), it->trunk.end());
    ga.insert(ga.end(), it->gap.begin(), it->gap.end());
    ta.insert(ta.end(), it->target.begin(), it->target.end());
    ha.insert(ha.end(), it->half_bin.begin(), it->half_bin.end());
  }
  const Tensor trunk = torch::from_blob(tr.data(), {N, sig::kTrunkInputs, m}).clone();
  const Tensor gap = torch::from_blob(ga.data(), {N, sig::kGapInputs, g}).clone();
  const Tensor target = torch::from_blob(ta.data(), {N, g}).clone();
  const Tensor half = torch::from_blob(ha.data(), {N, g}).clone();
  return MixtureNll(net->Forward(trunk, gap), target, half, net->cfg.mixtures);
}

// Groups items by shape and sums the NLL (nats).
Tensor ItemsNll(SigTorch& net, const std::vector<Item>& items) {
  std::map<std::pair<int, int>, std::vector<const Item*>> groups;
  for (const auto& it : items)
    if (it.g > 0) groups[{it.m, it.g}].push_back(&it);
  Tensor total = torch::zeros({});
  for (auto& [shape, v] : groups) total = total + BatchNll(net, v);
  return total;
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
        std::vector<Item> items;
        double raw = cb.side_bits;
        BlockItems(cb.data.data(), se.s.channels, cb.bit_depth, n, &items, &raw);
        const double b = ItemsNll(net, items).item<double>() / std::log(2.0) + raw;
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
  using Clock = std::chrono::steady_clock;
  const bool quiet = p.quiet != 0;
  const int threads = p.threads > 0 ? p.threads : 1;
  SetUpThreads(threads);
  torch::manual_seed(p.seed);
  std::mt19937_64 rng(p.seed);

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
  std::vector<Tensor> ema;
  for (auto& [name, t] : net->params) ema.push_back(t.detach().clone());
  const double base_lr = 2e-3;
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(base_lr));
  const std::string out_path = p.out_path;
  const std::string ckpt_path = p.checkpoint_path ? p.checkpoint_path : out_path + ".ckpt";
  RunMeta meta;
  if (p.resume_path) {
    ASSIGN_OR_RETURN(meta, LoadCheckpoint(p.resume_path, net->params, ema, opt));
    if (!quiet) std::fprintf(stderr, "train: resumed %s at step %lld\n", p.resume_path, (long long)meta.step);
  }
  const double cpu0 = CpuSeconds();
  const auto cpu_total = [&] { return meta.cpu + CpuSeconds() - cpu0; };
  const double elapsed0 = meta.elapsed;
  const auto t0 = Clock::now();
  const auto elapsed = [&] { return elapsed0 + std::chrono::duration<double>(Clock::now() - t0).count(); };
  const double total_s = p.minutes * 60.0;
  const auto evaluate = [&](const std::vector<Tensor>& vals) {
    // With the values the codec uses (f16-rounded), then restore.
    std::vector<Tensor> backup;
    torch::NoGradGuard ng;
    for (auto& [n, t] : net->params) backup.push_back(t.detach().clone());
    for (size_t i = 0; i < vals.size(); ++i) net->params[i].second.copy_(vals[i].to(torch::kHalf).to(torch::kFloat));
    ValResult v = Validate(net, val);
    for (size_t i = 0; i < vals.size(); ++i) net->params[i].second.copy_(backup[i]);
    return v;
  };
  const auto checkpoint = [&]() {
    RunMeta m = meta;
    m.elapsed = elapsed();
    m.cpu = cpu_total();
    return SaveCheckpoint(ckpt_path, net->params, ema, opt, m);
  };
  const auto export_model = [&](const ValResult& v) -> Status {
    std::vector<std::string> train_names, hold_names;
    for (const auto& s : train) train_names.push_back(s.name);
    for (const auto& h : holdout) hold_names.push_back(h);
    const nlohmann::json info = {
        {"command", p.command_line ? p.command_line : ""},
        {"data", inputs},
        {"training_files", train_names},
        {"holdout_files", hold_names},
        {"validation_bits_per_sample", v.bits_per_sample},
        {"validation_per_file", v.per_file},
        {"validation_note", "exact model NLL (raw base samples included) of the last 10% of every training file and of every holdout file, f16 weights"},
        {"train_seconds", elapsed()},
        {"train_cpu_seconds", cpu_total()},
        {"train_cpu_seconds_complete", meta.cpu_complete},
        {"steps", meta.step},
        {"threads", threads},
        {"seed", p.seed}};
    const auto bytes = nn::SerializeWeights(
        ToWeightsFile(net->params, ema, sig::kArch, sig::kDefaultModelId, cfg.ToJson(), info.dump()), nn::DType::kF16);
    return extras::WriteFileAtomic(out_path, bytes.data(), bytes.size(), true);
  };

  // Files are drawn in proportion to their training samples, but at least 1/(4 x files) each,
  // so that the short ECG and CSV series are seen.
  std::vector<double> weight;
  for (const auto& s : train)
    weight.push_back(std::max(static_cast<double>(s.train_frames * s.s.channels) / total_train, 0.25 / train.size()));
  std::discrete_distribution<size_t> pick(weight.begin(), weight.end());
  const int blocks_per_step = 4;
  const uint32_t block_frames = sig::kBlockFrames;  // whole codec blocks: every level as coded
  double last_print = elapsed(), last_ckpt = elapsed(), last_val = elapsed(), run_loss = 0, run_n = 0;
  // A step budget (same schedule for every fold whatever the machine's load), else time.
  const int64_t max_steps = p.max_steps > 0 ? p.max_steps : 0;
  while (elapsed() < total_s && (max_steps == 0 || meta.step < max_steps)) {
    const double frac = max_steps ? std::min(1.0, static_cast<double>(meta.step) / max_steps)
                                  : std::min(1.0, elapsed() / total_s);
    const double lr = base_lr * (frac < 0.03 ? frac / 0.03 : 0.5 * (1 + std::cos(M_PI * frac))) + 1e-5;
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    std::vector<Item> items;
    double raw = 0, samples = 0;
    for (int b = 0; b < blocks_per_step; ++b) {
      const Series& se = train[pick(rng)];
      const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(block_frames, se.train_frames));
      if (n < 2) continue;
      const uint64_t f0 = rng() % (se.train_frames - n + 1);
      // A third of the blocks as they are, a third as residuals of each kind of linear
      // prediction, which the codec codes wherever cheaper (docs/codecs/signal-lossless.md).
      const CodedBlock cb = MakeBlock(se.s, f0, n, static_cast<int>(rng() % 3));
      BlockItems(cb.data.data(), se.s.channels, cb.bit_depth, n, &items, &raw);
      samples += static_cast<double>(n - 1) * se.s.channels;
    }
    if (items.empty()) continue;
    const Tensor loss = ItemsNll(net, items) / (samples * std::log(2.0));
    opt.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
    opt.step();
    UpdateEma(net->params, ema, 0.999, meta.step);
    ++meta.step;
    run_loss += loss.item<double>();
    run_n += 1;
    const double now = elapsed();
    if (!quiet && now - last_print > 30) {
      std::fprintf(stderr, "train: step %lld  %.1f/%.0f min  lr %.2e  loss %.4f bits/sample\n", (long long)meta.step,
                   now / 60, total_s / 60, lr, run_loss / run_n);
      run_loss = run_n = 0;
      last_print = now;
    }
    if (now - last_ckpt > 120) {
      RETURN_IF_ERROR(checkpoint());
      last_ckpt = now;
    }
    if (now - last_val > 600) {
      const ValResult v = evaluate(ema);
      if (!quiet) std::fprintf(stderr, "train: validation %.4f bits/sample (EMA, f16) at step %lld\n", v.bits_per_sample, (long long)meta.step);
      RETURN_IF_ERROR(export_model(v));
      last_val = now;
    }
  }
  RETURN_IF_ERROR(checkpoint());
  const ValResult v = evaluate(ema);
  if (!quiet) {
    for (const auto& [f, b] : v.per_file) std::fprintf(stderr, "train:   %-60s %.4f bits/sample\n", f.c_str(), b);
    std::fprintf(stderr, "train: done, %lld steps, validation %.4f bits/sample; wrote %s\n", (long long)meta.step,
                 v.bits_per_sample, out_path.c_str());
  }
  return export_model(v);
}

}  // namespace dc::train
