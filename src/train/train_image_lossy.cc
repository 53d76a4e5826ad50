// Training of the lossy image model "ldm1" (codecs/image_lossy/ldm_net.h): an 8x-down
// autoencoder and a v-prediction denoiser on its latents, trained jointly (the denoiser sees the
// current encoder's latents, detached). The network is LdmTorch (torch_nets.h, the mirror of
// ldm_net.h) so the exported weights drive the deterministic codec.
#include "train/train_image_lossy.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
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
#include "train/train_loop.h"

namespace dc::train {
namespace {

namespace fs = std::filesystem;
using torch::Tensor;

struct Photo {
  int h = 0, w = 0;
  std::vector<uint8_t> rgb;
};

Status LoadPhotos(const std::vector<std::string>& inputs, std::vector<Photo>* train, std::vector<Photo>* val,
                  std::vector<std::string>* val_names, bool quiet) {
  const std::vector<std::string> pngs =
      ListInputs(inputs, [](const std::string& f) { return fs::path(f).extension() == ".png"; });
  RETURN_IF_ERROR(ForEachPhoto(pngs, 256, [&](extras::Image&& img, const std::string& path, bool held_back) {
    Photo p;
    p.h = static_cast<int>(img.height);
    p.w = static_cast<int>(img.width);
    p.rgb = std::move(img.pixels);
    (held_back ? val : train)->push_back(std::move(p));
    if (held_back) val_names->push_back(path);
  }));
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

// Validation of the network as it is: autoencoder PSNR on 256x256 centre crops of the held-back
// photos, and the v-loss at 16 fixed log-SNR values (fixed noise).
nlohmann::json Validate(LdmTorch& net, const std::vector<Photo>& val) {
  torch::NoGradGuard ng;
  double mse = 0, vl = 0;
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(12345);
  std::vector<float> lam(16);
  for (int i = 0; i < 16; ++i) lam[i] = kLambdaMin + (kLambdaMax - kLambdaMin) * (i + 0.5f) / 16;
  for (const auto& ph : val) {
    const Tensor x = CropTensor(ph, (ph.h - 256) / 2, (ph.w - 256) / 2, 256, false, false).unsqueeze(0);
    const Tensor z = net->Encode(x);
    const Tensor xr = net->Decode(z).clamp(-1, 1);
    mse += torch::mse_loss(torch::round((xr + 1) * 127.5), torch::round((x + 1) * 127.5)).item<double>();
    const Tensor z16 = z.expand({16, z.size(1), z.size(2), z.size(3)}).contiguous();
    vl += DiffusionLossSum(net, z16, torch::tensor(lam), torch::randn(z16.sizes(), gen)).item<double>() / 16;
  }
  const double n = static_cast<double>(std::max<size_t>(1, val.size()));
  return {{"validation_ae_psnr_db", 10 * std::log10(255.0 * 255.0 / std::max(1e-9, mse / n))}, {"validation_vloss", vl / n}};
}

}  // namespace

Status TrainImageLossy(const dc_train_params& p) {
  const bool quiet = p.quiet != 0 || p.rank > 0;
  BeginTraining(p);
  std::vector<std::string> inputs(p.data, p.data + p.num_data);
  std::vector<Photo> photos, val;
  std::vector<std::string> val_names;
  RETURN_IF_ERROR(LoadPhotos(inputs, &photos, &val, &val_names, quiet));

  lossy::NetConfig cfg;
  if (p.features > 0) cfg.den_features = p.features;
  if (p.head_blocks >= 0) cfg.den_blocks = p.head_blocks;
  if (p.trunk_blocks >= 0) cfg.blocks3 = p.trunk_blocks;
  LdmTorch net(cfg);

  const int crop = 192, den_repeat = 4;
  TrainSpec spec;
  spec.unit = "(10 x AE MSE + z regulariser + 0.5 x v-MSE)";
  spec.peak_lr = 1e-3;
  spec.ema_decay = 0.999;
  spec.print_every_s = 60;
  spec.ckpt_every_s = 300;
  spec.val_every_s = 600;
  spec.global_batch = 4;
  spec.arch = lossy::kArch;
  spec.model_id = lossy::kDefaultModelId;
  spec.config_json = cfg.ToJson();
  spec.info = {{"validation_images", val_names},
               {"validation_note", "autoencoder PSNR (RGB, 8-bit) and denoiser v-MSE at 16 log-SNR values in [-10, 14] on 256x256 centre crops of the held-back photos, f16 EMA weights"}};
  // Photo i of the step's global batch, its latent noise and its diffusion draws from its own streams.
  spec.step = [&](const StepContext& ctx) -> StatusOr<StepLoss> {
    const auto [g0, g1] = ctx.Range(spec.global_batch);
    const int n = g1 - g0;
    std::vector<Tensor> xs, zs, noise, eps;
    std::vector<float> lam(static_cast<size_t>(den_repeat) * n);
    const int lat = crop / 8;
    std::uniform_real_distribution<float> UL(kLambdaMin, kLambdaMax);
    for (int i = g0; i < g1; ++i) {
      std::mt19937_64 rng = ctx.SampleRng(i);
      torch::Generator gen = ctx.SampleGen(i);
      const Photo& ph = photos[rng() % photos.size()];
      const int y0 = rng() % (ph.h - crop + 1), x0 = rng() % (ph.w - crop + 1);
      const bool fh = rng() & 1, fv = rng() & 1;
      xs.push_back(CropTensor(ph, y0, x0, crop, fh, fv));
      // Small latent noise makes the decoder tolerate the codec's imperfect latents.
      zs.push_back(torch::rand({1, 1, 1}, gen) * 0.05);
      noise.push_back(torch::randn({cfg.latent, lat, lat}, gen));
      eps.push_back(torch::randn({den_repeat, cfg.latent, lat, lat}, gen));
      for (int r = 0; r < den_repeat; ++r) lam[static_cast<size_t>(r) * n + (i - g0)] = UL(rng);
    }
    const Tensor x = torch::stack(xs).to(ctx.device);
    const Tensor z = net->Encode(x);
    const Tensor xr = net->Decode(z + torch::stack(zs).to(ctx.device) * torch::stack(noise).to(ctx.device));
    const Tensor ae = (xr - x).pow(2).mean({1, 2, 3}).sum();
    const Tensor zpow = z.pow(2).mean();  // the regulariser sees this rank's photos
    const Tensor reg = 0.1 * (zpow - 1).pow(2) * n;
    const Tensor zd = z.detach().repeat({den_repeat, 1, 1, 1});  // repeat-major, as lam and e
    const Tensor e = torch::stack(eps, 1).reshape({den_repeat * n, cfg.latent, lat, lat}).to(ctx.device);
    const Tensor dl = DiffusionLossSum(net, zd, torch::tensor(lam).to(ctx.device), e) / den_repeat;
    StepLoss sl;
    sl.sum = ae * 10.0 + reg + 0.5 * dl;
    sl.count = n;
    return sl;
  };
  spec.validate = [&] { return Validate(net, val); };
  return RunTraining(p, *net, spec);
}

}  // namespace dc::train
