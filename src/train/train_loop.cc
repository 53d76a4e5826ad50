#include "train/train_loop.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "extras/file_io.h"
#include "train/dist.h"

namespace dc::train {

namespace {

namespace fs = std::filesystem;
using torch::Tensor;

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t StreamSeed(uint64_t seed, int64_t step, int64_t sample) {
  return Mix(Mix(Mix(seed) ^ static_cast<uint64_t>(step)) ^ static_cast<uint64_t>(sample + 1));
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

StatusOr<torch::Device> PickDevice(const dc_train_params& p) {
  const std::string d = p.device ? p.device : "cpu";
  if (d == "cpu") return torch::Device(torch::kCPU);
  if (d == "cuda" || d == "auto") {
    if (torch::cuda::is_available()) return torch::Device(torch::kCUDA, 0);
    if (d == "auto") return torch::Device(torch::kCPU);
    return Error(DC_ERR_INVALID_ARGUMENT, "--device cuda: this libtorch has no CUDA device (build with scripts/build-train-cuda.sh on a GPU machine)");
  }
  return Error(DC_ERR_INVALID_ARGUMENT, "--device wants cpu, cuda or auto, not " + d);
}

}  // namespace

std::mt19937_64 StepContext::StepRng() const { return std::mt19937_64(StreamSeed(seed, step, -1)); }
std::mt19937_64 StepContext::SampleRng(int i) const { return std::mt19937_64(StreamSeed(seed, step, i)); }
torch::Generator StepContext::SampleGen(int i) const {
  return at::make_generator<at::CPUGeneratorImpl>(StreamSeed(seed, step, 1000000 + i));
}

void BeginTraining(const dc_train_params& p) {
  SetUpThreads(p.threads > 0 ? p.threads : 2);
  torch::manual_seed(p.seed);
}

Status RunTraining(const dc_train_params& p, ConvModule& net, TrainSpec& spec) {
  using Clock = std::chrono::steady_clock;
  const int world = p.world_size > 1 ? p.world_size : 1;
  const int rank = world > 1 ? p.rank : 0;
  const bool lead = rank == 0;
  const bool quiet = p.quiet != 0 || !lead;
  const int threads = p.threads > 0 ? p.threads : 2;
  ASSIGN_OR_RETURN(const torch::Device device, PickDevice(p));
  const int max_world = spec.max_world > 0 ? spec.max_world : spec.global_batch;
  if (world > max_world)
    return Error(DC_ERR_INVALID_ARGUMENT, "a step's batch of " + std::to_string(spec.global_batch) +
                                              " samples cannot be shared by more than " + std::to_string(max_world) + " ranks");

  std::unique_ptr<Dist> dist;
  if (world > 1) {
    DistOptions o;
    o.world_size = world;
    o.rank = rank;
    o.timeout_s = p.timeout_s > 0 ? p.timeout_s : 300;
    if (!p.master) return Error(DC_ERR_INVALID_ARGUMENT, "--world-size > 1 needs --master HOST:PORT");
    RETURN_IF_ERROR(ParseHostPort(p.master, &o.master_host, &o.master_port));
    ASSIGN_OR_RETURN(dist, Dist::Connect(o));
    if (p.quiet == 0)
      std::fprintf(stderr, "train: rank %d of %d joined (%s, master %s), %d thread%s\n", rank, world,
                   dist->local_address().c_str(), p.master, threads, threads == 1 ? "" : "s");
  }

  // Initial values: rank 0's (a model file it reads, or its random initialisation), to everyone.
  const std::string resume = p.resume_path ? p.resume_path : "";
  const bool resume_model = !resume.empty() && fs::path(resume).extension() == ".dcw";
  std::string init_from;
  if (resume_model) {
    if (!spec.init_from_model) return Error(DC_ERR_INVALID_ARGUMENT, "--resume wants a checkpoint for this codec, not a .dcw model");
    if (lead) RETURN_IF_ERROR(spec.init_from_model(resume));
    init_from = resume;
    if (!quiet) std::fprintf(stderr, "train: initialised from %s\n", resume.c_str());
  }
  std::vector<Tensor> values;
  for (auto& [n, t] : net.params) values.push_back(t.detach());
  if (dist) dist->Broadcast(values);
  net.to(device);
  std::vector<Tensor> ema;
  for (auto& [name, t] : net.params) ema.push_back(t.detach().clone());
  torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(spec.peak_lr));
  RunMeta meta;
  if (!resume.empty() && !resume_model) {
    std::string bytes;
    if (lead) {
      auto b = extras::ReadFile(resume);
      if (b.ok()) bytes.assign(b->begin(), b->end());
    }
    if (dist) dist->BroadcastBytes(&bytes);
    if (bytes.empty()) return Error(DC_ERR_CORRUPT, "cannot resume from checkpoint " + resume + ": cannot read it");
    ASSIGN_OR_RETURN(meta, LoadCheckpoint(bytes, resume, net.params, ema, opt));
    if (!quiet)
      std::fprintf(stderr, "train: resumed %s at step %lld (%.1f min)\n", resume.c_str(), (long long)meta.step, meta.elapsed / 60);
  }
  if (dist) dist->AttachReducer(net.parameters(), 4.0);

  const std::string out_path = p.out_path;
  const std::string ckpt_path = p.checkpoint_path ? p.checkpoint_path : out_path + ".ckpt";
  const double total_s = p.minutes * 60.0;
  const int64_t max_steps = p.max_steps > 0 ? p.max_steps : 0;
  const auto t0 = Clock::now();
  const auto wall = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  // Shared by every rank (the step's all-reduce averages them), so every rank decides alike.
  double elapsed = meta.elapsed, cpu_all = meta.cpu;

  // Validation with the values the codec will use (f16-rounded EMA), on the CPU.
  const auto validate = [&]() {
    std::vector<Tensor> backup;
    torch::NoGradGuard ng;
    net.to(torch::kCPU);
    for (auto& [n, t] : net.params) backup.push_back(t.detach().clone());
    for (size_t i = 0; i < ema.size(); ++i) net.params[i].second.copy_(ema[i].to(torch::kHalf).to(torch::kFloat));
    nlohmann::json v = spec.validate();
    for (size_t i = 0; i < ema.size(); ++i) net.params[i].second.copy_(backup[i]);
    net.to(device);
    return v;
  };
  const auto save_ckpt = [&]() {
    RunMeta m = meta;
    m.elapsed = elapsed;
    m.cpu = cpu_all;
    return SaveCheckpoint(ckpt_path, net.params, ema, opt, m);
  };
  const auto export_model = [&](const nlohmann::json& metrics) -> Status {
    nlohmann::json info = spec.info;
    info["command"] = p.command_line ? p.command_line : "";
    info["data"] = std::vector<std::string>(p.data, p.data + p.num_data);
    if (!init_from.empty()) info["init"] = init_from;
    for (auto& [k, v] : metrics.items()) info[k] = v;
    info["train_seconds"] = elapsed;
    info["train_cpu_seconds"] = cpu_all;
    info["train_cpu_seconds_complete"] = meta.cpu_complete;
    info["steps"] = meta.step;
    info["threads"] = threads;
    info["world_size"] = world;
    info["global_batch"] = spec.global_batch;
    info["seed"] = p.seed;
    std::vector<Tensor> cpu_ema;
    for (const auto& e : ema) cpu_ema.push_back(e.to(torch::kCPU));
    const auto w = ToWeightsFile(net.params, cpu_ema, spec.arch, spec.model_id, spec.config_json, info.dump());
    const auto bytes = nn::SerializeWeights(w, nn::DType::kF16);
    return extras::WriteFileAtomic(out_path, bytes.data(), bytes.size(), true);
  };

  std::FILE* loss_log = lead && p.loss_log ? std::fopen(p.loss_log, "a") : nullptr;
  if (lead && spec.validate_at_start && !quiet && meta.step == 0)
    std::fprintf(stderr, "train: validation at start %s\n", validate().dump().c_str());
  if (!quiet)
    std::fprintf(stderr, "train: world size %d, %d sample%s per step%s, %s\n", world, spec.global_batch,
                 spec.global_batch == 1 ? "" : "s",
                 dist ? (", gradients all-reduced in " + std::to_string(dist->buckets()) + " bucket(s) during backward").c_str() : "",
                 device.is_cuda() ? "CUDA" : "CPU");
  double last_print = wall(), last_ckpt = elapsed, last_val = elapsed, run_loss = 0;
  int64_t run_n = 0, steps_here = 0;
  const double wall_start = wall();
  double cpu_mark = CpuSeconds();
  try {
    while ((max_steps == 0 || meta.step < max_steps) && elapsed < total_s) {
      const double frac = max_steps ? std::min(1.0, static_cast<double>(meta.step) / max_steps) : std::min(1.0, elapsed / total_s);
      // Warm-up over spec.warmup of the budget, but never faster than over kMinWarmupSteps (short
      // runs, e.g. --max-steps 30, diverged at the full rate from step 1).
      constexpr double kMinWarmupSteps = 100;
      const double shape = frac < spec.warmup ? frac / spec.warmup : 0.5 * (1 + std::cos(M_PI * frac));
      const double lr = spec.peak_lr * std::min(shape, (meta.step + 1) / kMinWarmupSteps) + 1e-5;
      for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);

      StepContext ctx;
      ctx.step = meta.step;
      ctx.rank = rank;
      ctx.world = world;
      ctx.seed = p.seed;
      ctx.device = device;
      if (dist) dist->BeforeForward();
      ASSIGN_OR_RETURN(StepLoss sl, spec.step(ctx));
      // One small all-reduce: the global normaliser and loss, and the run's clock and CPU time.
      const double cpu_now = CpuSeconds();
      Tensor shared = torch::tensor({sl.count, sl.sum.detach().item<double>(), meta.elapsed + wall(), cpu_now - cpu_mark},
                                    torch::kDouble);
      cpu_mark = cpu_now;
      if (dist) dist->AllReduceSum(shared);
      const double count = shared[0].item<double>();
      const double loss = shared[1].item<double>() / std::max(count, 1e-30);
      elapsed = shared[2].item<double>() / world;
      cpu_all += shared[3].item<double>();
      // The Reducer averages gradients over ranks: scale so that the average is d(sum)/d(count).
      const Tensor objective = sl.sum * (world / std::max(count, 1e-30));
      opt.zero_grad();
      if (dist) dist->BeforeBackward();
      objective.backward();
      torch::nn::utils::clip_grad_norm_(net.parameters(), 1.0);
      opt.step();
      UpdateEma(net.params, ema, spec.ema_decay, meta.step);
      ++meta.step;
      ++steps_here;
      run_loss += loss;
      ++run_n;
      if (loss_log) {
        std::fprintf(loss_log, "%lld %.9g\n", (long long)meta.step, loss);
        std::fflush(loss_log);
      }
      if (!quiet && wall() - last_print > spec.print_every_s) {
        const double sps = steps_here / std::max(1e-9, wall() - wall_start);
        std::fprintf(stderr, "train: step %lld  %.1f/%.0f min  world %d  %.2f steps/s  %.1f samples/s  lr %.2e  loss %.4f %s\n",
                     (long long)meta.step, elapsed / 60, total_s / 60, world, sps, sps * spec.global_batch, lr,
                     run_loss / run_n, spec.unit.c_str());
        run_loss = 0;
        run_n = 0;
        last_print = wall();
      }
      if (lead && elapsed - last_ckpt > spec.ckpt_every_s) {
        RETURN_IF_ERROR(save_ckpt());
        last_ckpt = elapsed;
      }
      if (lead && elapsed - last_val > spec.val_every_s) {
        const nlohmann::json v = validate();
        if (!quiet) std::fprintf(stderr, "train: validation %s (EMA, f16) at step %lld\n", v.dump().c_str(), (long long)meta.step);
        RETURN_IF_ERROR(export_model(v));
        last_val = elapsed;
      }
    }
  } catch (const std::exception& e) {
    if (loss_log) std::fclose(loss_log);
    return Error(DC_ERR_IO, std::string(dist ? "data-parallel step failed (a rank died or timed out?); the last checkpoint " +
                                                   ckpt_path + " is intact: "
                                             : "training step failed: ") +
                                FirstLine(e.what()));
  }
  if (loss_log) std::fclose(loss_log);
  const double sps = steps_here / std::max(1e-9, wall() - wall_start);
  if (!lead) return Status::Ok();
  RETURN_IF_ERROR(save_ckpt());
  const nlohmann::json v = validate();
  if (!quiet)
    std::fprintf(stderr, "train: done, %lld steps on %d rank%s (%.2f steps/s, %.1f samples/s), validation %s; wrote %s\n",
                 (long long)meta.step, world, world == 1 ? "" : "s", sps, sps * spec.global_batch, v.dump().c_str(),
                 out_path.c_str());
  return export_model(v);
}

}  // namespace dc::train
