// Training of the lossless video model: adm1 with the previous frame as extra input planes
// (codecs/image_lossless/adm_layout.h, kPrevTrunkInputs / kPrevHeadInputs).
//
// The network mirrors codecs/image_lossless/adm_net.h exactly, as train_image_lossless.cc does
// for images (same parameter names, same forward), with trunk_in and head_in widened by the
// extra planes; inputs are built by the codec's own C++ (BuildTrunkInput, BuildHeadInput,
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
#include <chrono>
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
#include "extras/file_io.h"
#include "extras/image_io.h"
#include "nn/weights.h"
#include "train/train_common.h"
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
  for (const auto& in : inputs) {
    std::error_code ec;
    const auto add = [&](const fs::path& p) {
      if (p.extension() == ".png") pngs.push_back(p.string());
      if (p.extension() == ".y4m") seqs.push_back(p.string());
    };
    if (fs::is_directory(in, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(in))
        if (e.is_regular_file()) add(e.path());
    } else {
      add(in);
    }
  }
  std::sort(pngs.begin(), pngs.end());
  for (size_t i = 0; i < pngs.size(); ++i) {
    ASSIGN_OR_RETURN(auto bytes, extras::ReadFile(pngs[i]));
    ASSIGN_OR_RETURN(auto img, extras::DecodeImage(bytes.data(), bytes.size()));
    if (img.width < 128 || img.height < 128) continue;
    if (i % 10 == 9) {
      PhotoPlanes(img, &ds->val_planes);
      ds->val_names.push_back(pngs[i]);
    } else {
      PhotoPlanes(img, &ds->planes);
      ds->photo_names.push_back(pngs[i]);
    }
  }
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

// A batch of levels of one size (gray planes: channel 0 is coded), all three stages.
struct Batch {
  Tensor trunk_in;  // N x trunk_inputs x h x w
  Tensor head_in;   // 3N x head_inputs x h x w
  Tensor target, pred, mask;  // 3N x 3 x h x w
};

Batch MakeBatch(const std::vector<adm::Level>& cur, const std::vector<const adm::Level*>& prev) {
  const int N = static_cast<int>(cur.size());
  const int H = cur[0].height, W = cur[0].width;
  const int h = adm::CoarseDim(H), w = adm::CoarseDim(W);
  const int64_t plane = static_cast<int64_t>(h) * w;
  Batch b;
  b.trunk_in = torch::empty({N, adm::kTrunkInputs + adm::kPrevTrunkInputs, h, w});
  b.head_in = torch::empty({3 * N, adm::kHeadInputs + adm::kPrevHeadInputs, h, w});
  b.target = torch::zeros({3 * N, 3, h, w});
  b.pred = torch::zeros({3 * N, 3, h, w});
  b.mask = torch::zeros({3 * N, 3, h, w});
  std::vector<int32_t> pred(3 * plane);
  for (int n = 0; n < N; ++n) {
    float* ti = b.trunk_in[n].data_ptr<float>();
    adm::BuildTrunkInput(cur[n], ti);
    adm::BuildPrevTrunkInput(prev[n], H, W, ti + adm::kTrunkInputs * plane);
    for (int s = 0; s < adm::kStages; ++s) {
      const int m = n * 3 + s;
      float* hi = b.head_in[m].data_ptr<float>();
      adm::BuildHeadInput(cur[n], s, hi, pred.data());
      adm::BuildPrevHeadInput(prev[n], s, H, W, pred.data(), hi + adm::kHeadInputs * plane);
      float* tg = b.target[m].data_ptr<float>();
      float* pr = b.pred[m].data_ptr<float>();
      float* mk = b.mask[m].data_ptr<float>();
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) {
          if (!adm::StageTargetExists(s, i, j, H, W)) continue;
          const int y = 2 * i + adm::kPhaseDy[s + 1], x = 2 * j + adm::kPhaseDx[s + 1];
          for (int c = 0; c < 3; ++c) {
            tg[c * plane + i * w + j] = adm::Norm(cur[n].at(y, x, c));
            pr[c * plane + i * w + j] = adm::Norm(pred[c * plane + i * w + j]);
          }
          mk[i * w + j] = 1.0f;
        }
    }
  }
  return b;
}

// ---- network (mirror of adm_net.h with extra inputs) -----------------------------------------

struct VidTorchImpl : torch::nn::Module {
  adm::NetConfig cfg;
  NamedParams params;  // in registration order

  explicit VidTorchImpl(const adm::NetConfig& c) : cfg(c) {
    const int F = cfg.features;
    Conv("trunk_in", F, cfg.trunk_inputs(), 3);
    for (int i = 0; i < cfg.trunk_blocks; ++i) {
      Conv("trunk_b" + std::to_string(i) + "_c1", F, F, 3);
      Conv("trunk_b" + std::to_string(i) + "_c2", F, F, 3, true);
    }
    Conv("head_in", F, cfg.head_inputs(), 3);
    for (int i = 0; i < cfg.head_blocks; ++i) {
      Conv("head_b" + std::to_string(i) + "_c1", F, F, 3);
      Conv("head_b" + std::to_string(i) + "_c2", F, F, 3, true);
    }
    Conv("head_out", cfg.outputs(), F, 1, true);
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
  Tensor Trunk(const Tensor& x) {
    Tensor t = C(x, "trunk_in");
    for (int i = 0; i < cfg.trunk_blocks; ++i) {
      const std::string b = "trunk_b" + std::to_string(i);
      t = t + C(torch::relu(C(torch::relu(t), b + "_c1")), b + "_c2");
    }
    return t;
  }
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
TORCH_MODULE(VidTorch);

// Discretised logistic mixture NLL in nats over masked sub-pixels (as train_image_lossless.cc;
// gray planes: only channel 0 is masked in, whose mean has no coupling term).
Tensor MixtureNll(const Tensor& out, const Batch& b, int K) {
  const auto parts = out.split(3 * K, 1);
  const auto shape5 = [&](const Tensor& t) { return t.reshape({t.size(0), 3, K, t.size(2), t.size(3)}); };
  const Tensor logits = shape5(parts[0]).select(1, 0);
  const Tensor means = shape5(parts[1]).select(1, 0);
  const Tensor log_s = torch::clamp(shape5(parts[2]).select(1, 0), adm::kMinLogScale, adm::kMaxLogScale);
  const Tensor x = b.target.select(1, 0).unsqueeze(1);  // M x 1 x h x w
  const Tensor mean = b.pred.select(1, 0).unsqueeze(1) + means;
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
  const Tensor lp = torch::where(xe < -0.999, log_cdf_plus, torch::where(xe > 0.999, log_one_minus_cdf_min, log_mid));
  const Tensor lmix = torch::logsumexp(lp + torch::log_softmax(logits, 1), 1);  // M x h x w
  return -(lmix * b.mask.select(1, 0)).sum();
}

// Exact NLL (bits) of the whole recursion of one plane pair, and its pixel count.
double RecursiveBits(VidTorch& net, const adm::Level& cur_full, const adm::Level* prev_full, int64_t* pixels) {
  torch::NoGradGuard ng;
  double bits = 0;
  adm::Level cur = cur_full, prev;
  if (prev_full) prev = *prev_full;
  *pixels = static_cast<int64_t>(cur.height) * cur.width;
  while (cur.height > 1 || cur.width > 1) {
    Batch b = MakeBatch({cur}, {prev_full ? &prev : nullptr});
    bits += MixtureNll(net->Forward(b), b, net->cfg.mixtures).item<double>() / std::log(2.0);
    cur = adm::Downsample(cur);
    if (prev_full) prev = adm::Downsample(prev);
  }
  return bits + 8.0;
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

Validation Validate(VidTorch& net, const Dataset& ds) {
  Validation v;
  std::mt19937_64 rng(12345);  // the same pairs every time
  double bits = 0;
  int64_t n = 0;
  for (const auto& p : ds.val_planes) {
    if (p.height < 140 || p.width < 140) continue;
    adm::Level prev, cur;
    PseudoPair(p, 128, rng, &prev, &cur);
    int64_t px;
    bits += RecursiveBits(net, cur, &prev, &px);
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
    bits += RecursiveBits(net, cur, &prev, &px);
    n += px;
  }
  v.holdout = n ? bits / n : 0;
  return v;
}

// Copies an image-lossless adm1 model into the video network, the extra input weights at zero.
Status InitFromImageModel(const std::string& path, VidTorch& net) {
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
  using Clock = std::chrono::steady_clock;
  const bool quiet = p.quiet != 0;
  SetUpThreads(p.threads > 0 ? p.threads : 2);
  torch::manual_seed(p.seed);
  std::mt19937_64 rng(p.seed);

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
  VidTorch net(cfg);
  const double peak_lr = 5e-4;
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(peak_lr));
  std::vector<Tensor> ema;

  const std::string out_path = p.out_path;
  const std::string ckpt_path = p.checkpoint_path ? p.checkpoint_path : out_path + ".ckpt";
  RunMeta meta;
  std::string init_from;
  const std::string resume = p.resume_path ? p.resume_path : "";
  if (!resume.empty() && fs::path(resume).extension() == ".dcw") {
    RETURN_IF_ERROR(InitFromImageModel(resume, net));
    init_from = resume;
    if (!quiet) std::fprintf(stderr, "train: initialised from image model %s (extra input weights zero)\n", resume.c_str());
  }
  for (auto& [name, t] : net->params) ema.push_back(t.detach().clone());
  if (!resume.empty() && init_from.empty()) {
    ASSIGN_OR_RETURN(meta, LoadCheckpoint(resume, net->params, ema, opt));
    if (!quiet) std::fprintf(stderr, "train: resumed %s at step %lld (%.1f min)\n", resume.c_str(), (long long)meta.step, meta.elapsed / 60);
  }

  const double cpu0 = CpuSeconds();
  const auto cpu_total = [&] { return meta.cpu + CpuSeconds() - cpu0; };
  const double elapsed_before = meta.elapsed;
  const double total_s = p.minutes * 60.0;
  const auto t0 = Clock::now();
  auto elapsed = [&] { return elapsed_before + std::chrono::duration<double>(Clock::now() - t0).count(); };
  double last_print = 0, last_ckpt = elapsed(), last_val = elapsed();
  double run_loss = 0, run_n = 0;
  int64_t step = meta.step;

  const auto trained = [&](const std::vector<Tensor>& vals) {
    std::vector<Tensor> backup;
    for (auto& [n, t] : net->params) backup.push_back(t.detach().clone());
    torch::NoGradGuard ng;
    for (size_t i = 0; i < vals.size(); ++i) net->params[i].second.copy_(vals[i].to(torch::kHalf).to(torch::kFloat));
    const Validation v = Validate(net, ds);
    for (size_t i = 0; i < vals.size(); ++i) net->params[i].second.copy_(backup[i]);
    return v;
  };
  const auto save_ckpt = [&]() {
    RunMeta m = meta;
    m.elapsed = elapsed();
    m.step = step;
    m.cpu = cpu_total();
    return SaveCheckpoint(ckpt_path, net->params, ema, opt, m);
  };
  const auto export_model = [&](const Validation& v) -> Status {
    nlohmann::json info = {
        {"command", p.command_line ? p.command_line : ""},
        {"init", init_from},
        {"data", inputs},
        {"photos", ds.photo_names.size()},
        {"sequences_trained", ds.seq_names},
        {"holdout_sequences", ds.holdout_names},
        {"validation_images", ds.val_names},
        {"validation_pseudo_bpp", v.pseudo},
        {"validation_holdout_bpp", v.holdout},
        {"validation_note",
         "exact model NLL of the whole recursion (f16 weights), bits per plane pixel: pseudo-video pairs (128x128) of "
         "the held-back photos' Y/Cb/Cr planes, and every 7th frame-plane pair (centre crop up to 256x256) of the "
         "held-out sequences"},
        {"train_seconds", elapsed()},
        {"train_cpu_seconds", cpu_total()},
        {"train_cpu_seconds_complete", meta.cpu_complete},
        {"steps", step},
        {"threads", p.threads > 0 ? p.threads : 2},
        {"seed", p.seed}};
    const auto w = ToWeightsFile(net->params, ema, adm::kArch, video::kDefaultModelId, cfg.ToJson(), info.dump());
    const auto bytes = nn::SerializeWeights(w, nn::DType::kF16);
    return extras::WriteFileAtomic(out_path, bytes.data(), bytes.size(), true);
  };

  if (!quiet && step == 0) {
    const Validation v = trained(ema);
    std::fprintf(stderr, "train: validation at start %.4f (pseudo) %.4f (held-out sequences) bits/pixel\n", v.pseudo, v.holdout);
  }
  const int batch = 12;
  std::uniform_real_distribution<double> U(0, 1);
  while (elapsed() < total_s) {
    const double frac = std::min(1.0, elapsed() / total_s);
    const double lr = peak_lr * (frac < 0.02 ? frac / 0.02 : 0.5 * (1 + std::cos(M_PI * frac))) + 1e-5;
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);

    const double u = U(rng);
    const int lvl = u < 0.6 ? 0 : u < 0.85 ? 1 : u < 0.95 ? 2 : 3;
    const int size = 64 << lvl;
    std::vector<adm::Level> cur, prev;
    std::vector<bool> key;
    int guard = 0;
    while (static_cast<int>(cur.size()) < batch && ++guard < 10000) {
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
    }
    if (cur.empty()) return Error(DC_ERR_INVALID_ARGUMENT, "training data too small for the crops");
    std::vector<const adm::Level*> pp;
    for (size_t i = 0; i < cur.size(); ++i) pp.push_back(key[i] ? nullptr : &prev[i]);
    Batch b = MakeBatch(cur, pp);
    const Tensor loss = MixtureNll(net->Forward(b), b, cfg.mixtures);
    const Tensor bpp = loss / (b.mask.select(1, 0).sum().item<double>() * std::log(2.0));
    opt.zero_grad();
    bpp.backward();
    torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
    opt.step();
    UpdateEma(net->params, ema, 0.998, step);
    ++step;
    run_loss += bpp.item<double>();
    run_n += 1;
    const double now = elapsed();
    if (!quiet && now - last_print > 30) {
      std::fprintf(stderr, "train: step %lld  %.1f/%.0f min  lr %.2e  loss %.4f bits/pixel\n", (long long)step, now / 60,
                   total_s / 60, lr, run_loss / run_n);
      run_loss = run_n = 0;
      last_print = now;
    }
    if (now - last_ckpt > 180) {
      RETURN_IF_ERROR(save_ckpt());
      last_ckpt = now;
    }
    if (now - last_val > 600) {
      const Validation v = trained(ema);
      if (!quiet)
        std::fprintf(stderr, "train: validation %.4f (pseudo) %.4f (held-out sequences) bits/pixel (EMA, f16) at step %lld\n",
                     v.pseudo, v.holdout, (long long)step);
      RETURN_IF_ERROR(export_model(v));
      last_val = now;
    }
  }
  RETURN_IF_ERROR(save_ckpt());
  const Validation v = trained(ema);
  if (!quiet)
    std::fprintf(stderr, "train: done, %lld steps, validation %.4f (pseudo) %.4f (held-out sequences) bits/pixel; wrote %s\n",
                 (long long)step, v.pseudo, v.holdout, out_path.c_str());
  return export_model(v);
}

}  // namespace dc::train
