// Training of the lossy image model "ldm1" (codecs/image_lossy/ldm_net.h): an 8x-down
// autoencoder and a v-prediction denoiser on its latents, trained jointly (the denoiser sees the
// current encoder's latents, detached). The network mirrors ldm_net.h exactly (same tensor names,
// same forward) so the exported weights drive the deterministic codec.
#include "train/train_image_lossy.h"

#include <omp.h>
#include <pmmintrin.h>
#include <sys/resource.h>
#include <torch/torch.h>
#include <xmmintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "codecs/image_lossy/ldm_net.h"
#include "extras/file_io.h"
#include "extras/image_io.h"
#include "nn/weights.h"

namespace dc::train {
namespace {

namespace fs = std::filesystem;
using torch::Tensor;

constexpr float kLambdaMin = -10.0f, kLambdaMax = 14.0f;  // log-SNR range the denoiser learns

struct Photo {
  int h = 0, w = 0;
  std::vector<uint8_t> rgb;
};

Status LoadPhotos(const std::vector<std::string>& inputs, std::vector<Photo>* train, std::vector<Photo>* val,
                  std::vector<std::string>* val_names, bool quiet) {
  std::vector<std::string> pngs;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(in))
        if (e.is_regular_file() && e.path().extension() == ".png") pngs.push_back(e.path().string());
    } else {
      pngs.push_back(in);
    }
  }
  std::sort(pngs.begin(), pngs.end());
  for (size_t i = 0; i < pngs.size(); ++i) {
    ASSIGN_OR_RETURN(auto bytes, extras::ReadFile(pngs[i]));
    ASSIGN_OR_RETURN(auto img, extras::DecodeImage(bytes.data(), bytes.size()));
    if (img.width < 256 || img.height < 256) continue;
    Photo p;
    p.h = static_cast<int>(img.height);
    p.w = static_cast<int>(img.width);
    p.rgb.resize(static_cast<size_t>(p.h) * p.w * 3);
    for (size_t k = 0; k < static_cast<size_t>(p.h) * p.w; ++k)
      for (int c = 0; c < 3; ++c) p.rgb[k * 3 + c] = img.pixels[k * img.channels + (img.channels >= 3 ? c : 0)];
    if (i % 10 == 9) {
      val->push_back(std::move(p));
      val_names->push_back(pngs[i]);
    } else {
      train->push_back(std::move(p));
    }
  }
  if (!quiet) std::fprintf(stderr, "train: %zu photos (+%zu held back for validation)\n", train->size(), val->size());
  if (train->empty()) return Error(DC_ERR_INVALID_ARGUMENT, "no training photos (PNG, at least 256x256) found");
  return Status::Ok();
}

// Crop as a 3 x s x s tensor in [-1, 1].
Tensor CropTensor(const Photo& p, int y0, int x0, int s, bool fh, bool fv) {
  Tensor t = torch::empty({3, s, s});
  float* d = t.data_ptr<float>();
  for (int y = 0; y < s; ++y)
    for (int x = 0; x < s; ++x) {
      const int sy = y0 + (fv ? s - 1 - y : y), sx = x0 + (fh ? s - 1 - x : x);
      const uint8_t* px = &p.rgb[(static_cast<size_t>(sy) * p.w + sx) * 3];
      for (int c = 0; c < 3; ++c) d[(c * s + y) * s + x] = px[c] / 127.5f - 1.0f;
    }
  return t;
}

struct LdmTorchImpl : torch::nn::Module {
  lossy::NetConfig cfg;
  std::vector<std::pair<std::string, Tensor>> params;  // registration order
  std::vector<Tensor> ae_params, den_params;
  bool den_group = false;

  explicit LdmTorchImpl(const lossy::NetConfig& c) : cfg(c) {
    const int L = cfg.latent;
    Conv("enc_in1", cfg.c1, 12, 3);
    Res("enc_r1", cfg.c1);
    Conv("enc_in2", cfg.c2, 4 * cfg.c1, 3);
    Res("enc_r2", cfg.c2);
    Conv("enc_in3", cfg.c3, 4 * cfg.c2, 3);
    for (int i = 0; i < cfg.blocks3; ++i) Res("enc_r3_" + std::to_string(i), cfg.c3);
    Conv("enc_out", L, cfg.c3, 3);
    Conv("dec_in", cfg.c3, L, 3);
    for (int i = 0; i < cfg.blocks3; ++i) Res("dec_r3_" + std::to_string(i), cfg.c3);
    Conv("dec_up3", 4 * cfg.c2, cfg.c3, 3);
    Res("dec_r2", cfg.c2);
    Conv("dec_up2", 4 * cfg.c1, cfg.c2, 3);
    Res("dec_r1", cfg.c1);
    Conv("dec_up1", 12, cfg.c1, 3);
    den_group = true;
    Conv("den_in", cfg.den_features, L + 1, 3);
    for (int i = 0; i < cfg.den_blocks; ++i) Res("den_b" + std::to_string(i), cfg.den_features);
    Conv("den_out", L, cfg.den_features, 3, true);
  }
  void Conv(const std::string& name, int out, int in, int k, bool small = false) {
    Tensor wt = torch::randn({out, in, k, k}) * std::sqrt(2.0 / (in * k * k));
    if (small) wt = wt * 0.1;
    Tensor w = register_parameter(name + "_w", wt), b = register_parameter(name + "_b", torch::zeros({out}));
    params.emplace_back(name + "_w", w);
    params.emplace_back(name + "_b", b);
    auto& g = den_group ? den_params : ae_params;
    g.push_back(w);
    g.push_back(b);
  }
  void Res(const std::string& name, int f) {
    Conv(name + "_c1", f, f, 3);
    Conv(name + "_c2", f, f, 3, true);
  }
  Tensor C(const Tensor& x, const std::string& n, bool relu_in = false) {
    auto np = named_parameters();
    const Tensor& wt = np[n + "_w"];
    return torch::conv2d(relu_in ? torch::relu(x) : x, wt, np[n + "_b"], 1, wt.size(2) / 2);
  }
  Tensor R(const Tensor& t, const std::string& n) { return t + C(C(t, n + "_c1", true), n + "_c2", true); }

  Tensor Encode(const Tensor& x) {
    Tensor t = C(torch::pixel_unshuffle(x, 2), "enc_in1");
    t = R(t, "enc_r1");
    t = C(torch::pixel_unshuffle(t, 2), "enc_in2", true);
    t = R(t, "enc_r2");
    t = C(torch::pixel_unshuffle(t, 2), "enc_in3", true);
    for (int i = 0; i < cfg.blocks3; ++i) t = R(t, "enc_r3_" + std::to_string(i));
    return C(t, "enc_out", true);
  }
  Tensor Decode(const Tensor& z) {
    Tensor t = C(z, "dec_in");
    for (int i = 0; i < cfg.blocks3; ++i) t = R(t, "dec_r3_" + std::to_string(i));
    t = torch::pixel_shuffle(C(t, "dec_up3", true), 2);
    t = R(t, "dec_r2");
    t = torch::pixel_shuffle(C(t, "dec_up2", true), 2);
    t = R(t, "dec_r1");
    return torch::pixel_shuffle(C(t, "dec_up1", true), 2);
  }
  // xt: N x L x h x w, lambda: N -> v_hat.
  Tensor V(const Tensor& xt, const Tensor& lambda) {
    const Tensor plane = (lambda / 10.0).view({-1, 1, 1, 1}).expand({xt.size(0), 1, xt.size(2), xt.size(3)});
    Tensor t = C(torch::cat({xt, plane}, 1), "den_in");
    for (int i = 0; i < cfg.den_blocks; ++i) t = R(t, "den_b" + std::to_string(i));
    return C(t, "den_out", true);
  }
};
TORCH_MODULE(LdmTorch);

// Diffusion loss: mean squared error of v over a batch of latents at random log-SNR.
Tensor DiffusionLoss(LdmTorch& net, const Tensor& z0, std::mt19937_64& rng, bool fixed = false) {
  const int64_t n = z0.size(0);
  std::vector<float> lam(n);
  std::uniform_real_distribution<float> U(kLambdaMin, kLambdaMax);
  for (int64_t i = 0; i < n; ++i)
    lam[i] = fixed ? kLambdaMin + (kLambdaMax - kLambdaMin) * (i + 0.5f) / n : U(rng);
  const Tensor l = torch::tensor(lam);
  const Tensor a = torch::sqrt(torch::sigmoid(l)).view({-1, 1, 1, 1});
  const Tensor s = torch::sqrt(torch::sigmoid(-l)).view({-1, 1, 1, 1});
  const Tensor eps = torch::randn_like(z0);
  const Tensor xt = a * z0 + s * eps;
  const Tensor v = a * eps - s * z0;
  return torch::mse_loss(net->V(xt, l), v);
}

nn::WeightsFile ToWeights(LdmTorch& net, const std::vector<Tensor>& values, const nlohmann::json& info) {
  nn::WeightsFile w;
  w.arch = lossy::kArch;
  w.model_id = lossy::kDefaultModelId;
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

Status TrainImageLossy(const dc_train_params& p) {
  using Clock = std::chrono::steady_clock;
  const bool quiet = p.quiet != 0;
  const int threads = p.threads > 0 ? p.threads : 2;
  torch::set_num_threads(threads);
  at::globalContext().setFlushDenormal(true);
#pragma omp parallel num_threads(threads)
  {
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
  }
  torch::manual_seed(p.seed);
  std::mt19937_64 rng(p.seed);

  std::vector<std::string> inputs(p.data, p.data + p.num_data);
  std::vector<Photo> photos, val;
  std::vector<std::string> val_names;
  RETURN_IF_ERROR(LoadPhotos(inputs, &photos, &val, &val_names, quiet));

  lossy::NetConfig cfg;
  if (p.features > 0) cfg.den_features = p.features;
  if (p.head_blocks >= 0) cfg.den_blocks = p.head_blocks;
  if (p.trunk_blocks >= 0) cfg.blocks3 = p.trunk_blocks;
  LdmTorch net(cfg);
  std::vector<Tensor> ema;
  for (auto& [name, t] : net->params) ema.push_back(t.detach().clone());
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));

  const std::string out_path = p.out_path;
  const std::string ckpt_path = p.checkpoint_path ? p.checkpoint_path : out_path + ".ckpt";
  double elapsed_before = 0, cpu_before = 0;
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
      cpu_before = meta[2].item<double>();
      if (!quiet) std::fprintf(stderr, "train: resumed %s at step %lld (%.1f min)\n", p.resume_path, (long long)step, elapsed_before / 60);
    } catch (const std::exception& e) {
      const std::string what = e.what();
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

  // Validation with the values the codec will use (f16-rounded EMA): autoencoder PSNR on 256x256
  // centre crops of the held-back photos, and the v-loss at 16 fixed log-SNR values (fixed noise).
  const auto validate = [&](double* psnr, double* vloss) {
    std::vector<Tensor> backup;
    for (auto& [n, t] : net->params) backup.push_back(t.detach().clone());
    torch::NoGradGuard ng;
    for (size_t i = 0; i < ema.size(); ++i) net->params[i].second.copy_(ema[i].to(torch::kHalf).to(torch::kFloat));
    double mse = 0, vl = 0;
    torch::manual_seed(12345);
    std::mt19937_64 vr(7);
    for (const auto& ph : val) {
      const Tensor x = CropTensor(ph, (ph.h - 256) / 2, (ph.w - 256) / 2, 256, false, false).unsqueeze(0);
      const Tensor z = net->Encode(x);
      const Tensor xr = net->Decode(z).clamp(-1, 1);
      mse += torch::mse_loss(torch::round((xr + 1) * 127.5), torch::round((x + 1) * 127.5)).item<double>();
      vl += DiffusionLoss(net, z.expand({16, z.size(1), z.size(2), z.size(3)}).contiguous(), vr, true).item<double>();
    }
    for (size_t i = 0; i < ema.size(); ++i) net->params[i].second.copy_(backup[i]);
    torch::manual_seed(p.seed + static_cast<uint64_t>(step));
    *psnr = 10 * std::log10(255.0 * 255.0 / std::max(1e-9, mse / std::max<size_t>(1, val.size())));
    *vloss = vl / std::max<size_t>(1, val.size());
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
      ar.write("meta", torch::tensor({elapsed(), static_cast<double>(step), cpu_total()}, torch::kDouble));
      const std::string tmp = ckpt_path + ".tmp";
      ar.save_to(tmp);
      fs::rename(tmp, ckpt_path);
    } catch (const std::exception& e) {
      return Error(DC_ERR_IO, std::string("cannot write checkpoint: ") + e.what());
    }
    return Status::Ok();
  };
  const auto export_model = [&](double psnr, double vloss) -> Status {
    nlohmann::json info = {{"command", p.command_line ? p.command_line : ""},
                           {"data", inputs},
                           {"validation_images", val_names},
                           {"validation_ae_psnr_db", psnr},
                           {"validation_vloss", vloss},
                           {"validation_note", "autoencoder PSNR (RGB, 8-bit) and denoiser v-MSE at 16 log-SNR values in [-10, 14] on 256x256 centre crops of the held-back photos, f16 EMA weights"},
                           {"train_seconds", elapsed()},
                           {"train_cpu_seconds", cpu_total()},
                           {"steps", step},
                           {"threads", threads},
                           {"seed", p.seed}};
    const auto bytes = nn::SerializeWeights(ToWeights(net, ema, info), nn::DType::kF16);
    return extras::WriteFileAtomic(out_path, bytes.data(), bytes.size(), true);
  };

  const int crop = 192, batch = 4, den_repeat = 4;
  std::uniform_real_distribution<double> U(0, 1);
  double last_print = elapsed(), last_ckpt = elapsed(), last_val = elapsed();
  double run_ae = 0, run_d = 0, run_z = 0, run_n = 0;
  while (elapsed() < total_s) {
    const double frac = std::min(1.0, elapsed() / total_s);
    const double lr = 1e-3 * (frac < 0.02 ? frac / 0.02 : 0.5 * (1 + std::cos(M_PI * frac))) + 1e-5;
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    std::vector<Tensor> xs;
    while (static_cast<int>(xs.size()) < batch) {
      const Photo& ph = photos[rng() % photos.size()];
      xs.push_back(CropTensor(ph, rng() % (ph.h - crop + 1), rng() % (ph.w - crop + 1), crop, rng() & 1, rng() & 1));
    }
    const Tensor x = torch::stack(xs);
    const Tensor z = net->Encode(x);
    // Small latent noise makes the decoder tolerate the codec's imperfect latents.
    const Tensor zs = torch::rand({batch, 1, 1, 1}) * 0.05;
    const Tensor xr = net->Decode(z + zs * torch::randn_like(z));
    const Tensor ae = torch::mse_loss(xr, x);
    const Tensor zpow = z.pow(2).mean();
    const Tensor reg = 0.1 * (zpow - 1).pow(2);
    const Tensor zd = z.detach().repeat({den_repeat, 1, 1, 1});
    const Tensor dl = DiffusionLoss(net, zd, rng);
    const Tensor loss = ae * 10.0 + reg + 0.5 * dl;
    opt.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
    opt.step();
    {
      torch::NoGradGuard ng;
      const double d = std::min(0.999, (1.0 + step) / (10.0 + step));
      for (size_t i = 0; i < ema.size(); ++i) ema[i].mul_(d).add_(net->params[i].second.detach(), 1 - d);
    }
    ++step;
    run_ae += ae.item<double>();
    run_d += dl.item<double>();
    run_z += zpow.item<double>();
    run_n += 1;
    const double now = elapsed();
    if (!quiet && now - last_print > 60) {
      std::fprintf(stderr, "train: step %lld  %.1f/%.0f min  lr %.2e  ae %.2f dB  v-mse %.4f  E[z^2] %.3f\n",
                   (long long)step, now / 60, total_s / 60, lr, 10 * std::log10(4.0 / (run_ae / run_n)),
                   run_d / run_n, run_z / run_n);
      run_ae = run_d = run_z = run_n = 0;
      last_print = now;
    }
    if (now - last_ckpt > 300) {
      RETURN_IF_ERROR(save_ckpt());
      last_ckpt = now;
    }
    if (now - last_val > 600) {
      double psnr, vl;
      validate(&psnr, &vl);
      if (!quiet) std::fprintf(stderr, "train: validation AE %.3f dB, v-mse %.4f (EMA, f16) at step %lld\n", psnr, vl, (long long)step);
      RETURN_IF_ERROR(export_model(psnr, vl));
      last_val = now;
    }
  }
  RETURN_IF_ERROR(save_ckpt());
  double psnr, vl;
  validate(&psnr, &vl);
  if (!quiet) std::fprintf(stderr, "train: done, %lld steps, validation AE %.3f dB, v-mse %.4f; wrote %s\n", (long long)step, psnr, vl, out_path.c_str());
  return export_model(psnr, vl);
}

}  // namespace dc::train
