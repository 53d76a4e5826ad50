// Training of the lossless video model: adm1 with the previous frame as extra input planes
// (codecs/image_lossless/adm_layout.h, kPrevTrunkInputs / kPrevHeadInputs).
//
// The network is AdmTorch (torch_nets.h, the mirror of codecs/image_lossless/adm_net.h) with
// trunk_in and head_in widened by the extra planes; inputs are built by the codec's own C++ (BuildTrunkInput, BuildHeadInput,
// BuildPrevTrunkInput, BuildPrevHeadInput), so the exported weights drive the deterministic coder
// with the likelihood measured here.
//
// Data: pseudo-video made from still photos (two views of one photo plane: a static copy, an
// integer shift, or a sub-pixel shift with a small zoom, each frame with its own noise), plus the
// frame pairs of any Y4M files given in --data; Y4M files given in --holdout are used only for
// validation. Frames are coded as gray planes (Y, U, V), so training samples are gray planes:
// the BT.601 limited-range Y, Cb, Cr of the photos (chroma at half resolution, as 4:2:0).
// Initialisation: --resume FILE.dcw starts from an image-lossless adm1 model with the extra input
// weights at zero (that untrained video model codes every frame as the image model would);
// --resume FILE.ckpt resumes a video checkpoint.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "codecs/image_lossless/adm_layout.h"
#include "codecs/image_lossless/adm_net.h"
#include "codecs/video_lossless/video_lossless.h"
#include "diffcomp/train.h"
#include "extras/audio_io.h"
#include "extras/y4m.h"
#include "extras/file_io.h"
#include "extras/image_io.h"
#include "nn/weights.h"
#include "train/train_loop.h"
#include "train/train_video_lossless.h"

namespace dc::train {
namespace {

namespace fs = std::filesystem;
using torch::Tensor;

// ---- data ------------------------------------------------------------------------------------

struct Plane {
  int height = 0, width = 0;
  std::vector<uint8_t> v;
  int at(int y, int x) const { return v[static_cast<size_t>(y) * width + x]; }
};

struct FramePair {  // two consecutive frames of one plane of a real sequence
  Plane prev, cur;
};

struct Dataset {
  std::vector<Plane> planes;       // photo planes for pseudo-video (Y, Cb, Cr of each photo)
  std::vector<Plane> val_planes;   // of every 10th photo by sorted path
  std::vector<FramePair> pairs;    // real frame pairs (trained on)
  std::vector<FramePair> val_pairs;  // held-out sequences (validation only)
  std::vector<std::string> photo_names, val_names, seq_names, holdout_names;
};

uint8_t Clamp255(double v) { return static_cast<uint8_t>(std::min(255.0, std::max(0.0, std::floor(v + 0.5)))); }

// BT.601 limited range, as the Y4M test sequences; chroma averaged over 2x2 (4:2:0).
void PhotoPlanes(const extras::Image& img, std::vector<Plane>* out) {
  const int H = static_cast<int>(img.height), W = static_cast<int>(img.width);
  Plane y, cb, cr;
  y.height = H;
  y.width = W;
  y.v.resize(static_cast<size_t>(H) * W);
  std::vector<double> fcb(static_cast<size_t>(H) * W), fcr(fcb.size());
  for (size_t p = 0; p < y.v.size(); ++p) {
    const uint8_t* px = &img.pixels[p * img.channels];
    const double r = px[0], g = img.channels >= 3 ? px[1] : px[0], b = img.channels >= 3 ? px[2] : px[0];
    y.v[p] = Clamp255(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
    fcb[p] = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255;
    fcr[p] = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255;
  }
  cb.height = cr.height = H / 2;
  cb.width = cr.width = W / 2;
  cb.v.resize(static_cast<size_t>(H / 2) * (W / 2));
  cr.v.resize(cb.v.size());
  for (int i = 0; i < H / 2; ++i)
    for (int j = 0; j < W / 2; ++j) {
      double sb = 0, sr = 0;
      for (int d = 0; d < 4; ++d) {
        const size_t p = static_cast<size_t>(2 * i + d / 2) * W + 2 * j + d % 2;
        sb += fcb[p];
        sr += fcr[p];
      }
      cb.v[static_cast<size_t>(i) * (W / 2) + j] = Clamp255(sb / 4);
      cr.v[static_cast<size_t>(i) * (W / 2) + j] = Clamp255(sr / 4);
    }
  out->push_back(std::move(y));
  out->push_back(std::move(cb));
  out->push_back(std::move(cr));
}

Status LoadSequence(const std::string& path, std::vector<FramePair>* pairs) {
  ASSIGN_OR_RETURN(auto bytes, extras::ReadFile(path));
  ASSIGN_OR_RETURN(auto y4m, extras::DecodeY4m(bytes.data(), bytes.size()));
  const int W = static_cast<int>(y4m.width), H = static_cast<int>(y4m.height);
  const int cw = y4m.chroma == 420 ? (W + 1) / 2 : W, ch = y4m.chroma == 420 ? (H + 1) / 2 : H;
  const int ws[3] = {W, cw, cw}, hs[3] = {H, ch, ch};
  for (size_t f = 1; f < y4m.frames.size(); ++f) {
    size_t off = 0;
    for (int p = 0; p < 3; ++p) {
      FramePair fp;
      fp.prev.height = fp.cur.height = hs[p];
      fp.prev.width = fp.cur.width = ws[p];
      const size_t n = static_cast<size_t>(hs[p]) * ws[p];
      fp.prev.v.assign(y4m.frames[f - 1].begin() + off, y4m.frames[f - 1].begin() + off + n);
      fp.cur.v.assign(y4m.frames[f].begin() + off, y4m.frames[f].begin() + off + n);
      off += n;
      pairs->push_back(std::move(fp));
    }
  }
  return Status::Ok();
}

Status LoadData(const std::vector<std::string>& inputs, const std::vector<std::string>& holdout, Dataset* ds,
                bool quiet) {
  std::vector<std::string> pngs, seqs;
  for (const auto& f : ListInputs(inputs, [](const std::string&) { return true; })) {
    if (fs::path(f).extension() == ".png") pngs.push_back(f);
    if (fs::path(f).extension() == ".y4m") seqs.push_back(f);
  }
  RETURN_IF_ERROR(ForEachPhoto(pngs, 128, [&](extras::Image&& img, const std::string& path, bool held_back) {
    PhotoPlanes(img, held_back ? &ds->val_planes : &ds->planes);
    (held_back ? ds->val_names : ds->photo_names).push_back(path);
  }));
  for (const auto& s : seqs) {
    RETURN_IF_ERROR(LoadSequence(s, &ds->pairs));
    ds->seq_names.push_back(s);
  }
  for (const auto& s : holdout) {
    RETURN_IF_ERROR(LoadSequence(s, &ds->val_pairs));
    ds->holdout_names.push_back(s);
  }
  if (!quiet)
    std::fprintf(stderr, "train: %zu photos (+%zu held back), %zu real frame-plane pairs, %zu held-out pairs\n",
                 ds->photo_names.size(), ds->val_names.size(), ds->pairs.size(), ds->val_pairs.size());
  if (ds->planes.empty() && ds->pairs.empty()) return Error(DC_ERR_INVALID_ARGUMENT, "no training data found");
  return Status::Ok();
}

// Bilinear sample of a plane at (y, x), clamped to the plane.
double Sample(const Plane& p, double y, double x) {
  y = std::min(std::max(y, 0.0), p.height - 1.0);
  x = std::min(std::max(x, 0.0), p.width - 1.0);
  const int y0 = std::min(static_cast<int>(y), p.height - 2 < 0 ? 0 : p.height - 2);
  const int x0 = std::min(static_cast<int>(x), p.width - 2 < 0 ? 0 : p.width - 2);
  const double fy = y - y0, fx = x - x0;
  const int y1 = std::min(y0 + 1, p.height - 1), x1 = std::min(x0 + 1, p.width - 1);
  return (1 - fy) * ((1 - fx) * p.at(y0, x0) + fx * p.at(y0, x1)) + fy * ((1 - fx) * p.at(y1, x0) + fx * p.at(y1, x1));
}

adm::Level ToLevel(int size, const std::vector<uint8_t>& v) {
  adm::Level l;
  l.height = l.width = size;
  l.rgb.resize(static_cast<size_t>(size) * size * 3);
  for (size_t i = 0; i < v.size(); ++i) l.rgb[i * 3] = l.rgb[i * 3 + 1] = l.rgb[i * 3 + 2] = v[i];
  return l;
}

// A pseudo-video pair of size x size crops of one photo plane (see the file comment).
void PseudoPair(const Plane& p, int size, std::mt19937_64& rng, adm::Level* prev, adm::Level* cur) {
  std::uniform_real_distribution<double> U(0, 1);
  std::normal_distribution<double> N(0, 1);
  const int margin = 6;
  const int y0 = margin + static_cast<int>(rng() % (p.height - size - 2 * margin + 1));
  const int x0 = margin + static_cast<int>(rng() % (p.width - size - 2 * margin + 1));
  std::vector<uint8_t> a(static_cast<size_t>(size) * size), b(a.size());
  const double kind = U(rng);
  if (kind < 0.65) {  // static, or an integer shift
    const int dy = kind < 0.3 ? 0 : static_cast<int>(rng() % 9) - 4, dx = kind < 0.3 ? 0 : static_cast<int>(rng() % 9) - 4;
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) {
        a[static_cast<size_t>(y) * size + x] = static_cast<uint8_t>(p.at(y0 + y, x0 + x));
        b[static_cast<size_t>(y) * size + x] = static_cast<uint8_t>(p.at(y0 + y + dy, x0 + x + dx));
      }
  } else {  // sub-pixel shift and a small zoom about the crop centre, both frames resampled
    const double sy = U(rng) * 6 - 3, sx = U(rng) * 6 - 3, z = 1 + (U(rng) - 0.5) * 0.06;
    const double oy = U(rng), ox = U(rng), c = size / 2.0;
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) {
        a[static_cast<size_t>(y) * size + x] = Clamp255(Sample(p, y0 + y + oy, x0 + x + ox));
        b[static_cast<size_t>(y) * size + x] =
            Clamp255(Sample(p, y0 + c + (y - c) * z + oy + sy, x0 + c + (x - c) * z + ox + sx));
      }
  }
  // Each frame its own noise (sensor noise, or coding noise of the source), sometimes a small
  // brightness change.
  const double sigma = U(rng) < 0.75 ? U(rng) * 3.0 : 0.0;
  const double gain = U(rng) < 0.2 ? (U(rng) - 0.5) * 6 : 0.0;
  for (auto* f : {&a, &b}) {
    const double off = f == &b ? gain : 0.0;
    if (sigma == 0 && off == 0) continue;
    for (auto& v : *f) v = Clamp255(v + off + sigma * N(rng));
  }
  // cur is the pair's second frame (a), prev its first (b): b's motion relative to a is random.
  *cur = ToLevel(size, a);
  *prev = ToLevel(size, b);
}

void CropPair(const FramePair& fp, int size, std::mt19937_64& rng, adm::Level* prev, adm::Level* cur) {
  const int y0 = static_cast<int>(rng() % (fp.cur.height - size + 1)), x0 = static_cast<int>(rng() % (fp.cur.width - size + 1));
  std::vector<uint8_t> a(static_cast<size_t>(size) * size), b(a.size());
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      a[static_cast<size_t>(y) * size + x] = static_cast<uint8_t>(fp.cur.at(y0 + y, x0 + x));
      b[static_cast<size_t>(y) * size + x] = static_cast<uint8_t>(fp.prev.at(y0 + y, x0 + x));
    }
  *cur = ToLevel(size, a);
  *prev = ToLevel(size, b);
}

adm::Level PlaneLevel(const Plane& p, int y0, int x0, int hh, int ww) {
  adm::Level l;
  l.height = hh;
  l.width = ww;
  l.rgb.resize(static_cast<size_t>(hh) * ww * 3);
  for (int y = 0; y < hh; ++y)
    for (int x = 0; x < ww; ++x)
      for (int c = 0; c < 3; ++c) l.rgb[(static_cast<size_t>(y) * ww + x) * 3 + c] = static_cast<uint8_t>(p.at(y0 + y, x0 + x));
  return l;
}

struct Validation {
  double pseudo = 0;   // bits per pixel, pseudo-video pairs of the held-back photos
  double holdout = 0;  // bits per pixel, held-out real pairs (full planes, up to 256x256 crop)
};

Validation Validate(AdmTorch& net, const Dataset& ds) {
  Validation v;
  std::mt19937_64 rng(12345);  // the same pairs every time
  double bits = 0;
  int64_t n = 0;
  for (const auto& p : ds.val_planes) {
    if (p.height < 140 || p.width < 140) continue;
    adm::Level prev, cur;
    PseudoPair(p, 128, rng, &prev, &cur);
    int64_t px;
    bits += AdmRecursiveBits(net, cur, &prev, true, &px);
    n += px;
  }
  v.pseudo = n ? bits / n : 0;
  bits = 0;
  n = 0;
  for (size_t i = 0; i < ds.val_pairs.size(); i += 7) {  // a spread of frames and planes
    const auto& fp = ds.val_pairs[i];
    const int hh = std::min(256, fp.cur.height), ww = std::min(256, fp.cur.width);
    const int y0 = (fp.cur.height - hh) / 2, x0 = (fp.cur.width - ww) / 2;
    const adm::Level prev = PlaneLevel(fp.prev, y0, x0, hh, ww), cur = PlaneLevel(fp.cur, y0, x0, hh, ww);
    int64_t px;
    bits += AdmRecursiveBits(net, cur, &prev, true, &px);
    n += px;
  }
  v.holdout = n ? bits / n : 0;
  return v;
}

// Copies an image-lossless adm1 model into the video network, the extra input weights at zero.
Status InitFromImageModel(const std::string& path, AdmTorch& net) {
  ASSIGN_OR_RETURN(nn::WeightsFile wf, nn::LoadWeights(path));
  ASSIGN_OR_RETURN(adm::NetConfig ic, adm::NetConfig::FromJson(wf.config_json));
  if (wf.arch != adm::kArch || ic.extra_trunk_inputs || ic.extra_head_inputs || ic.features != net->cfg.features ||
      ic.trunk_blocks != net->cfg.trunk_blocks || ic.head_blocks != net->cfg.head_blocks || ic.mixtures != net->cfg.mixtures)
    return Error(DC_ERR_MODEL_MISMATCH, path + " is not an image-lossless adm1 model of this shape");
  torch::NoGradGuard ng;
  for (auto& [name, t] : net->params) {
    const auto it = wf.tensors.find(name);
    if (it == wf.tensors.end()) return Error(DC_ERR_CORRUPT, path + " lacks " + name);
    std::vector<int64_t> shape = it->second.shape;
    Tensor src = torch::from_blob(const_cast<float*>(it->second.data.data()), shape, torch::kFloat).clone();
    t.zero_();
    if (src.dim() == 4 && src.size(1) < t.size(1)) {
      t.narrow(1, 0, src.size(1)).copy_(src);
    } else {
      if (src.sizes() != t.sizes()) return Error(DC_ERR_CORRUPT, path + ": tensor " + name + " has another shape");
      t.copy_(src);
    }
  }
  return Status::Ok();
}

}  // namespace

Status TrainVideoLossless(const dc_train_params& p) {
  const bool quiet = p.quiet != 0 || p.rank > 0;
  BeginTraining(p);
  std::vector<std::string> inputs(p.data, p.data + p.num_data);
  std::vector<std::string> holdout;
  for (int i = 0; i < p.num_holdout; ++i) holdout.push_back(p.holdout[i]);
  Dataset ds;
  RETURN_IF_ERROR(LoadData(inputs, holdout, &ds, quiet));

  adm::NetConfig cfg;
  if (p.features > 0) cfg.features = p.features;
  if (p.trunk_blocks >= 0) cfg.trunk_blocks = p.trunk_blocks;
  if (p.head_blocks >= 0) cfg.head_blocks = p.head_blocks;
  if (p.mixtures > 0) cfg.mixtures = std::min(p.mixtures, adm::kMaxMixtures);
  cfg.extra_trunk_inputs = adm::kPrevTrunkInputs;
  cfg.extra_head_inputs = adm::kPrevHeadInputs;
  AdmTorch net(cfg);

  TrainSpec spec;
  spec.unit = "bits/pixel";
  spec.peak_lr = 5e-4;
  spec.ema_decay = 0.998;
  spec.print_every_s = 30;
  spec.ckpt_every_s = 180;
  spec.val_every_s = 600;
  spec.global_batch = 12;
  spec.validate_at_start = true;
  spec.arch = adm::kArch;
  spec.model_id = video::kDefaultModelId;
  spec.config_json = cfg.ToJson();
  spec.info = {{"photos", ds.photo_names.size()},
               {"sequences_trained", ds.seq_names},
               {"holdout_sequences", ds.holdout_names},
               {"validation_images", ds.val_names},
               {"validation_note",
                "exact model NLL of the whole recursion (f16 weights), bits per plane pixel: pseudo-video pairs (128x128) of "
                "the held-back photos' Y/Cb/Cr planes, and every 7th frame-plane pair (centre crop up to 256x256) of the "
                "held-out sequences"}};
  spec.init_from_model = [&](const std::string& path) { return InitFromImageModel(path, net); };
  // A step: crops of 64 << lvl pixels (one lvl per step) brought down lvl levels; sample i of
  // the global batch (a real frame pair or a pseudo-video pair, 10 % keyframes) from its own stream.
  spec.step = [&](const StepContext& ctx) -> StatusOr<StepLoss> {
    std::mt19937_64 srng = ctx.StepRng();
    std::uniform_real_distribution<double> U(0, 1);
    const double u = U(srng);
    const int lvl = u < 0.6 ? 0 : u < 0.85 ? 1 : u < 0.95 ? 2 : 3;
    const int size = 64 << lvl;
    std::vector<adm::Level> cur, prev;
    std::vector<bool> key;
    const auto [g0, g1] = ctx.Range(spec.global_batch);
    for (int i = g0; i < g1; ++i) {
      std::mt19937_64 rng = ctx.SampleRng(i);
      int guard = 0;
      for (;; ++guard) {
        if (guard == 1000) return Error(DC_ERR_INVALID_ARGUMENT, "training data too small for the crops");
        adm::Level a, b;
        const bool real = !ds.pairs.empty() && (ds.planes.empty() || U(rng) < 0.5);
        if (real) {
          const auto& fp = ds.pairs[rng() % ds.pairs.size()];
          if (fp.cur.height < size || fp.cur.width < size) continue;
          CropPair(fp, size, rng, &b, &a);
        } else {
          const auto& pl = ds.planes[rng() % ds.planes.size()];
          if (pl.height < size + 12 || pl.width < size + 12) continue;
          PseudoPair(pl, size, rng, &b, &a);
        }
        for (int k = 0; k < lvl; ++k) {
          a = adm::Downsample(a);
          b = adm::Downsample(b);
        }
        cur.push_back(std::move(a));
        prev.push_back(std::move(b));
        key.push_back(U(rng) < 0.1);  // keyframes: no previous frame
        break;
      }
    }
    std::vector<const adm::Level*> pp;
    for (size_t i = 0; i < cur.size(); ++i) pp.push_back(key[i] ? nullptr : &prev[i]);
    const AdmBatch b = ToDevice(MakeVideoBatch(cur, pp), ctx.device);
    StepLoss sl;
    sl.sum = AdmMixtureNll(net->Forward(b), b, cfg.mixtures) / std::log(2.0);
    sl.count = b.mask.select(1, 0).sum().item<double>();
    return sl;
  };
  spec.validate = [&] {
    const Validation v = Validate(net, ds);
    return nlohmann::json{{"validation_pseudo_bpp", v.pseudo}, {"validation_holdout_bpp", v.holdout}};
  };
  return RunTraining(p, *net, spec);
}

}  // namespace dc::train
