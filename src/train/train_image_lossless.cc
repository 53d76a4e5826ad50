// Training of the lossless image model (the only translation unit that includes libtorch).
//
// The network mirrors codecs/image_lossless/adm_net.h exactly (same parameter names, same
// forward), and its inputs are built by the same C++ code the codec uses (adm_layout.h), so the
// exported weights drive the deterministic coder with the likelihood measured here.
#include <omp.h>
#include <pmmintrin.h>
#include <torch/torch.h>
#include <xmmintrin.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/adm_net.h"
#include "codecs/image_lossless/mixture.h"
#include "common/last_error.h"
#include "diffcomp/train.h"
#include "extras/file_io.h"
#include "extras/image_io.h"
#include "nn/weights.h"
#include "train/train_image_lossy.h"
#include "train/train_signal_lossless.h"
#include "train/train_video_lossless.h"

namespace dc::train {
namespace {

namespace fs = std::filesystem;
using torch::Tensor;

// ---- data ------------------------------------------------------------------------------------

struct Dataset {
  std::vector<adm::Level> photos;      // training photos
  std::vector<adm::Level> val_photos;  // held back: every 10th photo by sorted path
  std::vector<adm::Level> cifar;       // 32x32 training images
  std::vector<std::string> photo_names, val_names;
};

Status LoadData(const std::vector<std::string>& inputs, Dataset* ds, bool quiet) {
  std::vector<std::string> pngs, bins;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(in)) {
        if (!e.is_regular_file()) continue;
        const std::string p = e.path().string();
        if (e.path().extension() == ".png") pngs.push_back(p);
        if (e.path().extension() == ".bin") bins.push_back(p);
      }
    } else if (fs::path(in).extension() == ".bin") {
      bins.push_back(in);
    } else {
      pngs.push_back(in);
    }
  }
  std::sort(pngs.begin(), pngs.end());
  for (size_t i = 0; i < pngs.size(); ++i) {
    ASSIGN_OR_RETURN(auto bytes, extras::ReadFile(pngs[i]));
    ASSIGN_OR_RETURN(auto img, extras::DecodeImage(bytes.data(), bytes.size()));
    if (img.width < 64 || img.height < 64) continue;
    adm::Level l;
    l.height = static_cast<int>(img.height);
    l.width = static_cast<int>(img.width);
    l.rgb.resize(static_cast<size_t>(l.height) * l.width * 3);
    for (size_t p = 0; p < static_cast<size_t>(l.height) * l.width; ++p)
      for (int c = 0; c < 3; ++c)
        l.rgb[p * 3 + c] = img.pixels[p * img.channels + (img.channels >= 3 ? c : 0)];
    if (i % 10 == 9) {
      ds->val_photos.push_back(std::move(l));
      ds->val_names.push_back(pngs[i]);
    } else {
      ds->photos.push_back(std::move(l));
      ds->photo_names.push_back(pngs[i]);
    }
  }
  for (const auto& b : bins) {
    ASSIGN_OR_RETURN(auto bytes, extras::ReadFile(b));
    if (bytes.size() % 3073 != 0) return Error(DC_ERR_UNSUPPORTED_FORMAT, b + ": not CIFAR records");
    for (size_t r = 0; r < bytes.size() / 3073; ++r) {
      adm::Level l;
      l.height = l.width = 32;
      l.rgb.resize(32 * 32 * 3);
      const uint8_t* rec = bytes.data() + r * 3073 + 1;
      for (int p = 0; p < 1024; ++p)
        for (int c = 0; c < 3; ++c) l.rgb[p * 3 + c] = rec[c * 1024 + p];
      ds->cifar.push_back(std::move(l));
    }
  }
  if (!quiet)
    std::fprintf(stderr, "train: %zu photos (+%zu held back for validation), %zu CIFAR images\n",
                 ds->photos.size(), ds->val_photos.size(), ds->cifar.size());
  if (ds->photos.empty() && ds->cifar.empty()) return Error(DC_ERR_INVALID_ARGUMENT, "no training data found");
  return Status::Ok();
}

adm::Level Crop(const adm::Level& src, int y0, int x0, int size, bool flip_h, bool flip_v, bool gray) {
  adm::Level l;
  l.height = l.width = size;
  l.rgb.resize(static_cast<size_t>(size) * size * 3);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const int sy = y0 + (flip_v ? size - 1 - y : y), sx = x0 + (flip_h ? size - 1 - x : x);
      uint8_t* d = &l.rgb[(static_cast<size_t>(y) * size + x) * 3];
      if (gray) {
        const int v = (299 * src.at(sy, sx, 0) + 587 * src.at(sy, sx, 1) + 114 * src.at(sy, sx, 2) + 500) / 1000;
        d[0] = d[1] = d[2] = static_cast<uint8_t>(v);
      } else {
        for (int c = 0; c < 3; ++c) d[c] = src.at(sy, sx, c);
      }
    }
  return l;
}

// A batch of levels of one size, with everything the loss needs for all three stages.
struct Batch {
  Tensor trunk_in;   // N x 3 x h x w
  Tensor head_in;    // 3N x kHeadInputs x h x w  (sample-major, then stage)
  Tensor target;     // 3N x 3 x h x w, normalised
  Tensor pred;       // 3N x 3 x h x w, normalised predictor
  Tensor mask;       // 3N x 3 x h x w: 1 where the sub-pixel is coded
};

Batch MakeBatch(const std::vector<adm::Level>& levels, const std::vector<bool>& gray) {
  const int N = static_cast<int>(levels.size());
  const int H = levels[0].height, W = levels[0].width;
  const int h = adm::CoarseDim(H), w = adm::CoarseDim(W);
  const int64_t plane = static_cast<int64_t>(h) * w;
  Batch b;
  b.trunk_in = torch::empty({N, adm::kTrunkInputs, h, w});
  b.head_in = torch::empty({3 * N, adm::kHeadInputs, h, w});
  b.target = torch::zeros({3 * N, 3, h, w});
  b.pred = torch::zeros({3 * N, 3, h, w});
  b.mask = torch::zeros({3 * N, 3, h, w});
  std::vector<int32_t> pred(3 * plane);
  for (int n = 0; n < N; ++n) {
    adm::BuildTrunkInput(levels[n], b.trunk_in[n].data_ptr<float>());
    for (int s = 0; s < adm::kStages; ++s) {
      const int m = n * 3 + s;
      adm::BuildHeadInput(levels[n], s, b.head_in[m].data_ptr<float>(), pred.data());
      float* tg = b.target[m].data_ptr<float>();
      float* pr = b.pred[m].data_ptr<float>();
      float* mk = b.mask[m].data_ptr<float>();
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) {
          if (!adm::StageTargetExists(s, i, j, H, W)) continue;
          const int y = 2 * i + adm::kPhaseDy[s + 1], x = 2 * j + adm::kPhaseDx[s + 1];
          for (int c = 0; c < 3; ++c) {
            tg[c * plane + i * w + j] = adm::Norm(levels[n].at(y, x, c));
            pr[c * plane + i * w + j] = adm::Norm(pred[c * plane + i * w + j]);
            mk[c * plane + i * w + j] = (gray[n] && c > 0) ? 0.0f : 1.0f;
          }
        }
    }
  }
  return b;
}

// ---- network (mirror of adm_net.h) -----------------------------------------------------------

struct AdmTorchImpl : torch::nn::Module {
  adm::NetConfig cfg;
  std::vector<std::pair<std::string, Tensor>> params;  // in registration order

  explicit AdmTorchImpl(const adm::NetConfig& c) : cfg(c) {
    const int F = cfg.features;
    Conv("trunk_in", F, adm::kTrunkInputs, 3);
    for (int i = 0; i < cfg.trunk_blocks; ++i) {
      Conv("trunk_b" + std::to_string(i) + "_c1", F, F, 3);
      Conv("trunk_b" + std::to_string(i) + "_c2", F, F, 3, /*zero=*/true);
    }
    Conv("head_in", F, adm::kHeadInputs, 3);
    for (int i = 0; i < cfg.head_blocks; ++i) {
      Conv("head_b" + std::to_string(i) + "_c1", F, F, 3);
      Conv("head_b" + std::to_string(i) + "_c2", F, F, 3, /*zero=*/true);
    }
    Conv("head_out", cfg.outputs(), F, 1, /*zero=*/true);
  }
  void Conv(const std::string& name, int out, int in, int k, bool zero = false) {
    Tensor wt = torch::randn({out, in, k, k}) * std::sqrt(2.0 / (in * k * k));
    if (zero) wt = wt * 0.1;
    params.emplace_back(name + "_w", register_parameter(name + "_w", wt));
    params.emplace_back(name + "_b", register_parameter(name + "_b", torch::zeros({out})));
  }
  Tensor P(const std::string& n) { return named_parameters()[n]; }
  Tensor C(const Tensor& x, const std::string& n) {
    const Tensor& wt = P(n + "_w");
    return torch::conv2d(x, wt, P(n + "_b"), 1, wt.size(2) / 2);
  }
  // Shapes: trunk_in N x 3 x h x w -> N x F x h x w.
  Tensor Trunk(const Tensor& x) {
    Tensor t = C(x, "trunk_in");
    for (int i = 0; i < cfg.trunk_blocks; ++i) {
      const std::string b = "trunk_b" + std::to_string(i);
      t = t + C(torch::relu(C(torch::relu(t), b + "_c1")), b + "_c2");
    }
    return t;
  }
  // head_in M x kHeadInputs x h x w, trunk features M x F x h x w -> M x outputs x h x w.
  Tensor Head(const Tensor& x, const Tensor& feats) {
    Tensor t = C(x, "head_in") + feats;
    for (int i = 0; i < cfg.head_blocks; ++i) {
      const std::string b = "head_b" + std::to_string(i);
      t = t + C(torch::relu(C(torch::relu(t), b + "_c1")), b + "_c2");
    }
    return C(torch::relu(t), "head_out");
  }
  Tensor Forward(const Batch& b) {
    const Tensor feats = Trunk(b.trunk_in);
    const int64_t N = feats.size(0);
    const Tensor f3 = feats.unsqueeze(1).expand({N, 3, feats.size(1), feats.size(2), feats.size(3)})
                          .reshape({3 * N, feats.size(1), feats.size(2), feats.size(3)});
    return Head(b.head_in, f3);
  }
};
TORCH_MODULE(AdmTorch);

// Discretised logistic mixture NLL in nats, summed over masked sub-pixels. Per channel c:
// p(x_c | earlier channels) = sum_k pi_ck Logistic(mean_ck, s_ck) over the bin of x_c, with
// mean_ck = pred_c + m_ck + sum_{c'<c} tanh(coef) (x_c' - pred_c'). Layout of `out` channels:
// see adm::NetConfig (logits, means, log-scales, coefficients; each 3*K, channel-major).
Tensor MixtureNll(const Tensor& out, const Batch& b, int K) {
  const auto parts = out.split(3 * K, 1);
  const auto shape5 = [&](const Tensor& t) {
    return t.reshape({t.size(0), 3, K, t.size(2), t.size(3)});
  };
  const Tensor logits = shape5(parts[0]);
  const Tensor means = shape5(parts[1]);
  const Tensor log_s = torch::clamp(shape5(parts[2]), adm::kMinLogScale, adm::kMaxLogScale);
  const Tensor coef = torch::tanh(shape5(parts[3]));
  const Tensor x = b.target.unsqueeze(2);    // M x 3 x 1 x h x w
  const Tensor pr = b.pred.unsqueeze(2);
  const Tensor res = x - pr;                 // residuals of known channels
  const Tensor rR = res.select(1, 0), rG = res.select(1, 1);
  // Coefficient slots (adm_net.h): 1 = G on R, 2 = B on R, 0 = B on G.
  const Tensor mR = pr.select(1, 0) + means.select(1, 0);
  const Tensor mG = pr.select(1, 1) + means.select(1, 1) + coef.select(1, 1) * rR;
  const Tensor mB = pr.select(1, 2) + means.select(1, 2) + coef.select(1, 2) * rR + coef.select(1, 0) * rG;
  const Tensor mean = torch::stack({mR, mG, mB}, 1);
  const Tensor centered = x - mean;
  const Tensor inv_s = torch::exp(-log_s);
  const double half_bin = 1.0 / 255.0;
  const Tensor plus_in = inv_s * (centered + half_bin);
  const Tensor min_in = inv_s * (centered - half_bin);
  const Tensor cdf_delta = torch::sigmoid(plus_in) - torch::sigmoid(min_in);
  const Tensor log_cdf_plus = plus_in - torch::softplus(plus_in);
  const Tensor log_one_minus_cdf_min = -torch::softplus(min_in);
  const Tensor mid_in = inv_s * centered;
  const Tensor log_pdf_mid = mid_in - log_s - 2.0 * torch::softplus(mid_in);
  const Tensor log_mid = torch::where(cdf_delta > 1e-5, torch::log(torch::clamp(cdf_delta, 1e-12)),
                                      log_pdf_mid - std::log(127.5));
  const Tensor xe = x.expand_as(centered);
  const Tensor lp = torch::where(xe < -0.999, log_cdf_plus,
                                 torch::where(xe > 0.999, log_one_minus_cdf_min, log_mid));
  const Tensor lmix = torch::logsumexp(lp + torch::log_softmax(logits, 2), 2);  // M x 3 x h x w
  return -(lmix * b.mask).sum();
}

// ---- validation: exact NLL of the full recursion on held-back crops -------------------------

double RecursiveBits(AdmTorch& net, const adm::Level& full, int* subpixels) {
  torch::NoGradGuard ng;
  double bits = 0;
  adm::Level cur = full;
  *subpixels = cur.height * cur.width * 3;
  while (cur.height > 1 || cur.width > 1) {
    Batch b = MakeBatch({cur}, {false});
    const Tensor out = net->Forward(b);
    bits += MixtureNll(out, b, net->cfg.mixtures).item<double>() / std::log(2.0);
    cur = adm::Downsample(cur);
  }
  return bits + 24.0;  // the 1x1 base, 8 bits per channel
}

double Validate(AdmTorch& net, const Dataset& ds) {
  double bits = 0;
  int64_t n = 0;
  for (const auto& img : ds.val_photos) {
    const int size = std::min({256, img.height, img.width});
    adm::Level crop = Crop(img, (img.height - size) / 2, (img.width - size) / 2, size, false, false, false);
    int sp;
    bits += RecursiveBits(net, crop, &sp);
    n += sp;
  }
  return n ? bits / n : 0.0;
}

// ---- export ----------------------------------------------------------------------------------

nn::WeightsFile ToWeights(AdmTorch& net, const std::vector<Tensor>& values, const nlohmann::json& info) {
  nn::WeightsFile w;
  w.arch = adm::kArch;
  w.model_id = adm::kDefaultModelId;
  w.config_json = net->cfg.ToJson();
  w.info_json = info.dump();
  for (size_t i = 0; i < net->params.size(); ++i) {
    const Tensor t = values[i].contiguous().to(torch::kFloat);
    nn::Tensor nt;
    for (int64_t d : t.sizes()) nt.shape.push_back(d);
    nt.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    w.tensors[net->params[i].first] = std::move(nt);
  }
  return w;
}

}  // namespace

Status TrainImageLossless(const dc_train_params& p) {
  using Clock = std::chrono::steady_clock;
  const bool quiet = p.quiet != 0;
  const int threads = p.threads > 0 ? p.threads : 2;
  torch::set_num_threads(threads);
  // Denormals stalled steps for seconds in the pilot, and here after ~2000 steps. The flag is
  // per thread (MXCSR), so set it in every OpenMP worker that libtorch's ops run on too.
  at::globalContext().setFlushDenormal(true);
#pragma omp parallel num_threads(threads)
  {
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
  }
  torch::manual_seed(p.seed);
  std::mt19937_64 rng(p.seed);

  std::vector<std::string> inputs(p.data, p.data + p.num_data);
  Dataset ds;
  RETURN_IF_ERROR(LoadData(inputs, &ds, quiet));

  adm::NetConfig cfg;
  if (p.features > 0) cfg.features = p.features;
  if (p.trunk_blocks >= 0) cfg.trunk_blocks = p.trunk_blocks;
  if (p.head_blocks >= 0) cfg.head_blocks = p.head_blocks;
  if (p.mixtures > 0) cfg.mixtures = std::min(p.mixtures, adm::kMaxMixtures);
  AdmTorch net(cfg);
  std::vector<Tensor> ema;
  for (auto& [name, t] : net->params) ema.push_back(t.detach().clone());
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(2e-3));

  const std::string out_path = p.out_path;
  const std::string ckpt_path = p.checkpoint_path ? p.checkpoint_path : out_path + ".ckpt";
  double elapsed_before = 0;  // training seconds of earlier runs
  double cpu_before = 0;      // CPU seconds of earlier runs
  bool cpu_complete = true;   // false if an earlier run did not record its CPU time
  int64_t step = 0;
  if (p.resume_path) {
    try {
      torch::serialize::InputArchive ar;
      ar.load_from(p.resume_path);
      for (size_t i = 0; i < net->params.size(); ++i) {
        Tensor t;
        ar.read("p_" + net->params[i].first, t);
        net->params[i].second.data().copy_(t);
        ar.read("ema_" + net->params[i].first, t);
        ema[i].copy_(t);
      }
      torch::serialize::InputArchive oa;
      ar.read("opt", oa);
      opt.load(oa);
      Tensor meta;
      ar.read("meta", meta);
      elapsed_before = meta[0].item<double>();
      step = meta[1].item<int64_t>();
      cpu_before = meta.numel() > 2 ? meta[2].item<double>() : 0.0;
      cpu_complete = meta.numel() > 3 && meta[3].item<double>() > 0;
      if (!quiet) std::fprintf(stderr, "train: resumed %s at step %lld (%.1f min)\n", p.resume_path, (long long)step, elapsed_before / 60);
    } catch (const std::exception& e) {
      const std::string what = e.what();  // libtorch appends a backtrace: keep the first line
      return Error(DC_ERR_CORRUPT, "cannot resume from checkpoint " + std::string(p.resume_path) + ": " +
                                       what.substr(0, what.find('\n')));
    }
  }

  const auto cpu_now = [] {
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  };
  const double cpu0 = cpu_now();
  const auto cpu_total = [&] { return cpu_before + cpu_now() - cpu0; };
  const double total_s = p.minutes * 60.0;
  const auto t0 = Clock::now();
  auto elapsed = [&] { return elapsed_before + std::chrono::duration<double>(Clock::now() - t0).count(); };
  double last_print = 0, last_ckpt = elapsed(), last_val = elapsed();
  double run_loss = 0, run_n = 0;
  const double ema_decay = 0.999;
  const auto trained = [&](const std::vector<Tensor>& vals) {
    // Evaluate and export with the values the codec will use (f16-rounded).
    std::vector<Tensor> backup;
    for (auto& [n, t] : net->params) backup.push_back(t.detach().clone());
    torch::NoGradGuard ng;
    for (size_t i = 0; i < vals.size(); ++i)
      net->params[i].second.copy_(vals[i].to(torch::kHalf).to(torch::kFloat));
    const double vbits = Validate(net, ds);
    for (size_t i = 0; i < vals.size(); ++i) net->params[i].second.copy_(backup[i]);
    return vbits;
  };
  const auto save_ckpt = [&]() -> Status {
    try {
      torch::serialize::OutputArchive ar;
      for (size_t i = 0; i < net->params.size(); ++i) {
        ar.write("p_" + net->params[i].first, net->params[i].second.detach());
        ar.write("ema_" + net->params[i].first, ema[i]);
      }
      torch::serialize::OutputArchive oa;
      opt.save(oa);
      ar.write("opt", oa);
      ar.write("meta", torch::tensor({elapsed(), static_cast<double>(step), cpu_total(), cpu_complete ? 1.0 : 0.0},
                                     torch::kDouble));
      const std::string tmp = ckpt_path + ".tmp";
      ar.save_to(tmp);
      fs::rename(tmp, ckpt_path);
    } catch (const std::exception& e) {
      return Error(DC_ERR_IO, std::string("cannot write checkpoint: ") + e.what());
    }
    return Status::Ok();
  };
  const auto export_model = [&](double vbits) -> Status {
    nlohmann::json info = {
        {"command", p.command_line ? p.command_line : ""},
        {"data", inputs},
        {"validation_images", ds.val_names},
        {"validation_bpsp", vbits},
        {"validation_note", "exact model NLL of the full recursion on 256x256 centre crops of the held-back photos, f16 weights"},
        {"train_seconds", elapsed()},
        {"train_cpu_seconds", cpu_total()},
        {"train_cpu_seconds_complete", cpu_complete},
        {"steps", step},
        {"threads", p.threads > 0 ? p.threads : 2},
        {"seed", p.seed}};
    const auto bytes = nn::SerializeWeights(ToWeights(net, ema, info), nn::DType::kF16);
    return extras::WriteFileAtomic(out_path, bytes.data(), bytes.size(), true);
  };

  const int photo_batch = 12, cifar_batch = 24;
  int max_photo_level = 0;  // LoadData keeps photos of at least 64 x 64
  for (const auto& img : ds.photos)
    while (max_photo_level < 3 && std::min(img.height, img.width) >= (128 << max_photo_level)) ++max_photo_level;
  std::uniform_real_distribution<double> U(0, 1);
  while (elapsed() < total_s) {
    const double frac = std::min(1.0, elapsed() / total_s);
    const double lr = 2e-3 * (frac < 0.02 ? frac / 0.02 : 0.5 * (1 + std::cos(M_PI * frac))) + 1e-5;
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);

    Tensor loss = torch::zeros({});
    double subpixels = 0;
    if (!ds.photos.empty()) {
      const double u = U(rng);
      // Crops of 64 << lvl pixels, brought down lvl pyramid levels; never a level no photo fits.
      const int lvl = std::min(u < 0.6 ? 0 : u < 0.85 ? 1 : u < 0.95 ? 2 : 3, max_photo_level);
      const int size = 64 << lvl;
      std::vector<adm::Level> lv;
      std::vector<bool> gray;
      while (static_cast<int>(lv.size()) < photo_batch) {
        const auto& img = ds.photos[rng() % ds.photos.size()];
        if (img.height < size || img.width < size) continue;
        const bool g = U(rng) < 0.08;
        adm::Level c = Crop(img, rng() % (img.height - size + 1), rng() % (img.width - size + 1), size,
                            rng() & 1, rng() & 1, g);
        for (int k = 0; k < lvl; ++k) c = adm::Downsample(c);
        lv.push_back(std::move(c));
        gray.push_back(g);
      }
      Batch b = MakeBatch(lv, gray);
      loss = loss + MixtureNll(net->Forward(b), b, cfg.mixtures);
      subpixels += b.mask.sum().item<double>();
    }
    if (!ds.cifar.empty()) {
      const double u = U(rng);
      const int lvl = u < 0.55 ? 0 : u < 0.75 ? 1 : u < 0.87 ? 2 : u < 0.95 ? 3 : 4;
      std::vector<adm::Level> lv;
      std::vector<bool> gray;
      for (int k = 0; k < cifar_batch; ++k) {
        adm::Level c = Crop(ds.cifar[rng() % ds.cifar.size()], 0, 0, 32, rng() & 1, false, false);
        for (int d = 0; d < lvl; ++d) c = adm::Downsample(c);
        lv.push_back(std::move(c));
        gray.push_back(false);
      }
      Batch b = MakeBatch(lv, gray);
      loss = loss + MixtureNll(net->Forward(b), b, cfg.mixtures);
      subpixels += b.mask.sum().item<double>();
    }
    const Tensor bpsp = loss / (subpixels * std::log(2.0));
    opt.zero_grad();
    bpsp.backward();
    torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
    opt.step();
    {
      torch::NoGradGuard ng;
      const double d = std::min(ema_decay, (1.0 + step) / (10.0 + step));
      for (size_t i = 0; i < ema.size(); ++i) ema[i].mul_(d).add_(net->params[i].second.detach(), 1 - d);
    }
    ++step;
    run_loss += bpsp.item<double>();
    run_n += 1;
    const double now = elapsed();
    if (!quiet && now - last_print > 30) {
      std::fprintf(stderr, "train: step %lld  %.1f/%.0f min  lr %.2e  loss %.4f bpsp\n", (long long)step,
                   now / 60, total_s / 60, lr, run_loss / run_n);
      run_loss = run_n = 0;
      last_print = now;
    }
    if (now - last_ckpt > 300) {
      RETURN_IF_ERROR(save_ckpt());
      last_ckpt = now;
    }
    if (now - last_val > 900) {
      const double v = trained(ema);
      if (!quiet) std::fprintf(stderr, "train: validation %.4f bpsp (EMA, f16) at step %lld\n", v, (long long)step);
      RETURN_IF_ERROR(export_model(v));
      last_val = now;
    }
  }
  RETURN_IF_ERROR(save_ckpt());
  const double v = trained(ema);
  if (!quiet) std::fprintf(stderr, "train: done, %lld steps, validation %.4f bpsp; wrote %s\n", (long long)step, v, out_path.c_str());
  return export_model(v);
}

}  // namespace dc::train

extern "C" void dc_train_params_init(dc_train_params* p) {
  *p = dc_train_params{};
  p->codec = DC_CODEC_IMAGE_LOSSLESS;
  p->minutes = 10;
  p->trunk_blocks = -1;
  p->head_blocks = -1;
  p->threads = 2;
  p->seed = 1;
}

extern "C" dc_error dc_train(const dc_train_params* p) {
  if (!p || !p->out_path || p->num_data <= 0 || p->minutes <= 0)
    return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "train needs --data, --minutes > 0 and --out"));
  if (p->codec != DC_CODEC_IMAGE_LOSSLESS && p->codec != DC_CODEC_IMAGE_LOSSY && p->codec != DC_CODEC_SIGNAL_LOSSLESS &&
      p->codec != DC_CODEC_VIDEO_LOSSLESS)
    return dc::SetLastError(dc::Error(DC_ERR_UNKNOWN_CODEC, "training is implemented for image-lossless, image-lossy, signal-lossless and video-lossless"));
  try {
    const dc::Status s = p->codec == DC_CODEC_IMAGE_LOSSY      ? dc::train::TrainImageLossy(*p)
                         : p->codec == DC_CODEC_SIGNAL_LOSSLESS ? dc::train::TrainSignalLossless(*p)
                         : p->codec == DC_CODEC_VIDEO_LOSSLESS  ? dc::train::TrainVideoLossless(*p)
                                                               : dc::train::TrainImageLossless(*p);
    return s.ok() ? DC_OK : dc::SetLastError(s);
  } catch (const std::exception& e) {
    return dc::SetLastError(dc::Error(DC_ERR_INTERNAL, std::string("training failed: ") + e.what()));
  }
}
