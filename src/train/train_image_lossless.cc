// Training of the lossless image model (the only translation unit that includes libtorch).
//
// The network is AdmTorch (torch_nets.h, the mirror of codecs/image_lossless/adm_net.h), and its
// inputs are built by the same C++ code the codec uses (adm_layout.h), so the exported weights
// drive the deterministic coder with the likelihood measured here.
#include <torch/torch.h>

#include <algorithm>
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
#include "train/train_loop.h"
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
  for (const auto& f : ListInputs(inputs, [](const std::string& f) {
         const auto e = fs::path(f).extension();
         return e == ".png" || e == ".bin";
       }))
    (fs::path(f).extension() == ".bin" ? bins : pngs).push_back(f);
  RETURN_IF_ERROR(ForEachPhoto(pngs, 64, [&](extras::Image&& img, const std::string& path, bool held_back) {
    adm::Level l;
    l.height = static_cast<int>(img.height);
    l.width = static_cast<int>(img.width);
    l.rgb = std::move(img.pixels);
    (held_back ? ds->val_photos : ds->photos).push_back(std::move(l));
    (held_back ? ds->val_names : ds->photo_names).push_back(path);
  }));
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

// ---- validation: exact NLL of the full recursion on held-back crops -------------------------

double Validate(AdmTorch& net, const Dataset& ds) {
  double bits = 0;
  int64_t n = 0;
  for (const auto& img : ds.val_photos) {
    const int size = std::min({256, img.height, img.width});
    adm::Level crop = Crop(img, (img.height - size) / 2, (img.width - size) / 2, size, false, false, false);
    int64_t sp;
    bits += AdmRecursiveBits(net, crop, nullptr, false, &sp);
    n += sp;
  }
  return n ? bits / n : 0.0;
}

}  // namespace

Status TrainImageLossless(const dc_train_params& p) {
  const bool quiet = p.quiet != 0 || p.rank > 0;
  BeginTraining(p);
  std::vector<std::string> inputs(p.data, p.data + p.num_data);
  Dataset ds;
  RETURN_IF_ERROR(LoadData(inputs, &ds, quiet));

  adm::NetConfig cfg;
  if (p.features > 0) cfg.features = p.features;
  if (p.trunk_blocks >= 0) cfg.trunk_blocks = p.trunk_blocks;
  if (p.head_blocks >= 0) cfg.head_blocks = p.head_blocks;
  if (p.mixtures > 0) cfg.mixtures = std::min(p.mixtures, adm::kMaxMixtures);
  AdmTorch net(cfg);

  const int photo_batch = ds.photos.empty() ? 0 : 12, cifar_batch = ds.cifar.empty() ? 0 : 24;
  int max_photo_level = 0;  // LoadData keeps photos of at least 64 x 64
  for (const auto& img : ds.photos)
    while (max_photo_level < 3 && std::min(img.height, img.width) >= (128 << max_photo_level)) ++max_photo_level;

  TrainSpec spec;
  spec.unit = "bpsp";
  spec.peak_lr = 2e-3;
  spec.ema_decay = 0.999;
  spec.print_every_s = 30;
  spec.ckpt_every_s = 300;
  spec.val_every_s = 900;
  spec.global_batch = photo_batch + cifar_batch;
  spec.max_world = std::max(photo_batch, cifar_batch);
  spec.arch = adm::kArch;
  spec.model_id = adm::kDefaultModelId;
  spec.config_json = cfg.ToJson();
  spec.info = {{"validation_images", ds.val_names},
               {"validation_note", "exact model NLL of the full recursion on 256x256 centre crops of the held-back photos, f16 weights"}};
  // A step: photo crops of 64 << lvl pixels brought down lvl pyramid levels (one lvl per step,
  // never a level no photo fits), and CIFAR images at a level of their own; sample i of the
  // global batch is drawn from its own stream.
  spec.step = [&](const StepContext& ctx) -> StatusOr<StepLoss> {
    std::mt19937_64 srng = ctx.StepRng();
    std::uniform_real_distribution<double> U(0, 1);
    const double u1 = U(srng), u2 = U(srng);
    StepLoss sl{torch::zeros({}, ctx.device), 0};
    // Each rank takes its share of the photos and of the CIFAR images (the two cost differently).
    const auto [p0, p1] = ctx.Range(photo_batch);
    const auto [c0, c1] = ctx.Range(cifar_batch);
    const auto add = [&](const std::vector<adm::Level>& lv, const std::vector<bool>& gray) {
      if (lv.empty()) return;
      const AdmBatch b = ToDevice(MakeImageBatch(lv, gray), ctx.device);
      sl.sum = sl.sum + AdmMixtureNll(net->Forward(b), b, cfg.mixtures) / std::log(2.0);
      sl.count += b.mask.sum().item<double>();
    };
    std::vector<adm::Level> lv;
    std::vector<bool> gray;
    const int lvl = std::min(u1 < 0.6 ? 0 : u1 < 0.85 ? 1 : u1 < 0.95 ? 2 : 3, max_photo_level);
    const int size = 64 << lvl;
    for (int i = p0; i < p1; ++i) {
      std::mt19937_64 rng = ctx.SampleRng(i);
      for (;;) {
        const auto& img = ds.photos[rng() % ds.photos.size()];
        if (img.height < size || img.width < size) continue;
        const bool g = U(rng) < 0.08;
        const int y0 = rng() % (img.height - size + 1), x0 = rng() % (img.width - size + 1);
        const bool fh = rng() & 1, fv = rng() & 1;
        adm::Level c = Crop(img, y0, x0, size, fh, fv, g);
        for (int k = 0; k < lvl; ++k) c = adm::Downsample(c);
        lv.push_back(std::move(c));
        gray.push_back(g);
        break;
      }
    }
    add(lv, gray);
    lv.clear();
    gray.clear();
    const int clvl = u2 < 0.55 ? 0 : u2 < 0.75 ? 1 : u2 < 0.87 ? 2 : u2 < 0.95 ? 3 : 4;
    for (int i = c0; i < c1; ++i) {
      std::mt19937_64 rng = ctx.SampleRng(photo_batch + i);
      const auto& src = ds.cifar[rng() % ds.cifar.size()];
      const bool fh = rng() & 1;
      adm::Level c = Crop(src, 0, 0, 32, fh, false, false);
      for (int d = 0; d < clvl; ++d) c = adm::Downsample(c);
      lv.push_back(std::move(c));
      gray.push_back(false);
    }
    add(lv, gray);
    return sl;
  };
  spec.validate = [&] { return nlohmann::json{{"validation_bpsp", Validate(net, ds)}}; };
  return RunTraining(p, *net, spec);
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
  p->world_size = 1;
  p->timeout_s = 300;
}

extern "C" dc_error dc_train(const dc_train_params* p) {
  if (!p || !p->out_path || p->num_data <= 0 || p->minutes <= 0)
    return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "train needs --data, --minutes > 0 and --out"));
  if (p->world_size > 1 && (p->rank < 0 || p->rank >= p->world_size || !p->master))
    return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "data-parallel training needs 0 <= rank < world_size and a master HOST:PORT"));
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
