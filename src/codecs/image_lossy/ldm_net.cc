#include "codecs/image_lossy/ldm_net.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "diffusion/gaussian.h"
#include "nn/config_json.h"
#include "nn/kernels.h"
#include "nn/resample.h"

namespace dc::lossy {

std::string NetConfig::ToJson() const {
  return nlohmann::json{{"latent", latent}, {"c1", c1}, {"c2", c2}, {"c3", c3}, {"blocks3", blocks3},
                        {"den_features", den_features}, {"den_blocks", den_blocks}}
      .dump();
}

StatusOr<NetConfig> NetConfig::FromJson(const std::string& json) {
  NetConfig c;
  RETURN_IF_ERROR(nn::ReadConfigInts(json,
                                     {{"latent", &c.latent, 1, 64},
                                      {"c1", &c.c1, 1, 512},
                                      {"c2", &c.c2, 1, 512},
                                      {"c3", &c.c3, 1, 1024},
                                      {"blocks3", &c.blocks3, 0, 64},
                                      {"den_features", &c.den_features, 1, 1024},
                                      {"den_blocks", &c.den_blocks, 0, 64}},
                                     "model config fields missing or out of range"));
  return c;
}

int64_t EncoderMacsPerPixel(const NetConfig& c) {
  const int64_t a = 9 * 12 * c.c1 + 2 * 9 * c.c1 * c.c1;                        // 1/2 resolution
  const int64_t b = 9 * 4 * c.c1 * c.c2 + 2 * 9 * c.c2 * c.c2;                  // 1/4
  const int64_t d = 9 * 4 * c.c2 * c.c3 + c.blocks3 * 2 * 9 * c.c3 * c.c3 + 9 * c.c3 * c.latent;  // 1/8
  return a / 4 + b / 16 + d / 64;
}
int64_t DecoderMacsPerPixel(const NetConfig& c) {
  const int64_t d = 9 * c.latent * c.c3 + c.blocks3 * 2 * 9 * c.c3 * c.c3 + 9 * c.c3 * 4 * c.c2;
  const int64_t b = 2 * 9 * c.c2 * c.c2 + 9 * c.c2 * 4 * c.c1;
  const int64_t a = 2 * 9 * c.c1 * c.c1 + 9 * c.c1 * 12;
  return a / 4 + b / 16 + d / 64;
}
int64_t DenoiserMacsPerPixel(const NetConfig& c) {
  const int64_t F = c.den_features;
  return (9 * (c.latent + 1) * F + c.den_blocks * 2 * 9 * F * F + 9 * F * c.latent) / 64;
}

namespace {

StatusOr<LdmNet::Conv> GetConv(const nn::WeightsFile& wf, const std::string& name, int out, int in, int k) {
  const auto w = wf.tensors.find(name + "_w");
  const auto b = wf.tensors.find(name + "_b");
  if (w == wf.tensors.end() || b == wf.tensors.end()) return Error(DC_ERR_CORRUPT, "model lacks tensor " + name);
  if (w->second.shape != std::vector<int64_t>{out, in, k, k} || b->second.shape != std::vector<int64_t>{out})
    return Error(DC_ERR_CORRUPT, "model tensor " + name + " has the wrong shape");
  for (float v : w->second.data)
    if (!std::isfinite(v)) return Error(DC_ERR_CORRUPT, "model tensor " + name + " is not finite");
  for (float v : b->second.data)
    if (!std::isfinite(v)) return Error(DC_ERR_CORRUPT, "model tensor " + name + " is not finite");
  LdmNet::Conv c;
  c.out = out;
  c.in = in;
  c.k = k;
  c.w = w->second.data;
  c.b = b->second.data;
  return c;
}

Status GetRes(const nn::WeightsFile& wf, const std::string& name, int f, std::vector<LdmNet::Conv>* v) {
  ASSIGN_OR_RETURN(LdmNet::Conv a, GetConv(wf, name + "_c1", f, f, 3));
  ASSIGN_OR_RETURN(LdmNet::Conv b, GetConv(wf, name + "_c2", f, f, 3));
  v->push_back(std::move(a));
  v->push_back(std::move(b));
  return Status::Ok();
}

void RunConv(const LdmNet::Conv& c, const float* in, int h, int w, bool relu_in, float* out, int threads) {
  nn::Conv2dThreads(in, c.in, h, w, c.w.data(), c.b.data(), c.out, c.k, relu_in, out, threads);
}

// t += c2(relu(c1(relu(t)))) for each pair of convs in v (from index first, count pairs).
void ResBlocks(const std::vector<LdmNet::Conv>& v, float* t, int h, int w, int threads) {
  if (v.empty()) return;
  const long n = static_cast<long>(v[0].out) * h * w;
  std::vector<float> a(n), b(n);
  for (size_t i = 0; i + 1 < v.size(); i += 2) {
    RunConv(v[i], t, h, w, true, a.data(), threads);
    RunConv(v[i + 1], a.data(), h, w, true, b.data(), threads);
    nn::AddInPlace(t, b.data(), n);
  }
}

}  // namespace

StatusOr<LdmNet> LdmNet::FromWeights(const nn::WeightsFile& wf) {
  if (wf.arch != kArch) return Error(DC_ERR_CORRUPT, "model architecture '" + wf.arch + "' is not " + kArch);
  LdmNet n;
  RETURN_IF_ERROR(n.Load(wf));
  return n;
}

Status LdmNet::Load(const nn::WeightsFile& wf) {
  ASSIGN_OR_RETURN(cfg_, NetConfig::FromJson(wf.config_json));
  const NetConfig& c = cfg_;
  const int L = c.latent;
  ASSIGN_OR_RETURN(enc_in1_, GetConv(wf, "enc_in1", c.c1, 12, 3));
  RETURN_IF_ERROR(GetRes(wf, "enc_r1", c.c1, &enc_r1_));
  ASSIGN_OR_RETURN(enc_in2_, GetConv(wf, "enc_in2", c.c2, 4 * c.c1, 3));
  RETURN_IF_ERROR(GetRes(wf, "enc_r2", c.c2, &enc_r2_));
  ASSIGN_OR_RETURN(enc_in3_, GetConv(wf, "enc_in3", c.c3, 4 * c.c2, 3));
  for (int i = 0; i < c.blocks3; ++i) RETURN_IF_ERROR(GetRes(wf, "enc_r3_" + std::to_string(i), c.c3, &enc_r3_));
  ASSIGN_OR_RETURN(enc_out_, GetConv(wf, "enc_out", L, c.c3, 3));
  ASSIGN_OR_RETURN(dec_in_, GetConv(wf, "dec_in", c.c3, L, 3));
  for (int i = 0; i < c.blocks3; ++i) RETURN_IF_ERROR(GetRes(wf, "dec_r3_" + std::to_string(i), c.c3, &dec_r3_));
  ASSIGN_OR_RETURN(dec_up3_, GetConv(wf, "dec_up3", 4 * c.c2, c.c3, 3));
  RETURN_IF_ERROR(GetRes(wf, "dec_r2", c.c2, &dec_r2_));
  ASSIGN_OR_RETURN(dec_up2_, GetConv(wf, "dec_up2", 4 * c.c1, c.c2, 3));
  RETURN_IF_ERROR(GetRes(wf, "dec_r1", c.c1, &dec_r1_));
  ASSIGN_OR_RETURN(dec_up1_, GetConv(wf, "dec_up1", 12, c.c1, 3));
  ASSIGN_OR_RETURN(den_in_, GetConv(wf, "den_in", c.den_features, L + 1, 3));
  for (int i = 0; i < c.den_blocks; ++i) RETURN_IF_ERROR(GetRes(wf, "den_b" + std::to_string(i), c.den_features, &den_b_));
  ASSIGN_OR_RETURN(den_out_, GetConv(wf, "den_out", L, c.den_features, 3));
  return Status::Ok();
}

int64_t LdmNet::parameters() const {
  int64_t p = 0;
  const auto add = [&p](const Conv& c) { p += static_cast<int64_t>(c.w.size() + c.b.size()); };
  for (const Conv* c : {&enc_in1_, &enc_in2_, &enc_in3_, &enc_out_, &dec_in_, &dec_up3_, &dec_up2_, &dec_up1_, &den_in_, &den_out_})
    add(*c);
  for (const auto* v : {&enc_r1_, &enc_r2_, &enc_r3_, &dec_r3_, &dec_r2_, &dec_r1_, &den_b_})
    for (const auto& c : *v) add(c);
  return p;
}

void LdmNet::EncodeWhole(const float* x, int H, int W, int threads, float* z) const {
  const NetConfig& c = cfg_;
  int h = H / 2, w = W / 2;
  std::vector<float> u(static_cast<size_t>(12) * h * w);
  nn::PixelUnshuffle(x, 3, h, w, 2, u.data());
  std::vector<float> t(static_cast<size_t>(c.c1) * h * w);
  RunConv(enc_in1_, u.data(), h, w, false, t.data(), threads);
  ResBlocks(enc_r1_, t.data(), h, w, threads);
  h /= 2, w /= 2;
  u.assign(static_cast<size_t>(4 * c.c1) * h * w, 0.0f);
  nn::PixelUnshuffle(t.data(), c.c1, h, w, 2, u.data());
  t.assign(static_cast<size_t>(c.c2) * h * w, 0.0f);
  RunConv(enc_in2_, u.data(), h, w, true, t.data(), threads);
  ResBlocks(enc_r2_, t.data(), h, w, threads);
  h /= 2, w /= 2;
  u.assign(static_cast<size_t>(4 * c.c2) * h * w, 0.0f);
  nn::PixelUnshuffle(t.data(), c.c2, h, w, 2, u.data());
  t.assign(static_cast<size_t>(c.c3) * h * w, 0.0f);
  RunConv(enc_in3_, u.data(), h, w, true, t.data(), threads);
  ResBlocks(enc_r3_, t.data(), h, w, threads);
  RunConv(enc_out_, t.data(), h, w, true, z, threads);
}

namespace {

// Copies cells [y0, y1) x [x0, x1) of every plane of a planes x h x w array into dst (planes x
// (y1 - y0) x (x1 - x0)).
void CopyWindow(const float* src, int planes, int h, int w, int y0, int y1, int x0, int x1, float* dst) {
  for (int c = 0; c < planes; ++c)
    for (int y = y0; y < y1; ++y) {
      const float* s = src + (static_cast<long>(c) * h + y) * w + x0;
      std::copy(s, s + (x1 - x0), dst + (static_cast<long>(c) * (y1 - y0) + (y - y0)) * (x1 - x0));
    }
}

// The inverse of CopyWindow for a tile's core: cells [y0, y1) x [x0, x1) of a window computed at
// (ey0, ex0), eh x ew, copied into their place in dst (planes x h x w).
void PasteCore(const float* win, int planes, int ey0, int eh, int ex0, int ew, int y0, int y1, int x0, int x1,
               float* dst, int h, int w) {
  for (int c = 0; c < planes; ++c)
    for (int y = y0; y < y1; ++y) {
      const float* s = win + (static_cast<long>(c) * eh + (y - ey0)) * ew + (x0 - ex0);
      std::copy(s, s + (x1 - x0), dst + (static_cast<long>(c) * h + y) * w + x0);
    }
}

// Calls f(core y0, y1, x0, x1, halo-extended ey0, ey1, ex0, ex1) for each tile of an h x w grid.
template <class F>
void ForEachTile(int h, int w, int tile, int halo, const F& f) {
  for (int y0 = 0; y0 < h; y0 += tile)
    for (int x0 = 0; x0 < w; x0 += tile) {
      const int y1 = std::min(h, y0 + tile), x1 = std::min(w, x0 + tile);
      f(y0, y1, x0, x1, std::max(0, y0 - halo), std::min(h, y1 + halo), std::max(0, x0 - halo), std::min(w, x1 + halo));
    }
}

}  // namespace

int LdmNet::DecodeHalo() const {
  // Convolutions (3x3, radius 1 each) per resolution on the way up: at 1/8 dec_in, the residual
  // blocks' two each and dec_up3; at 1/4 and 1/2 the blocks' and the up-convolution's. A cell at
  // 1/2 (or 1/4) reaches r cells there, which are within ceil(r / 2) cells of the next coarser grid.
  const int r8 = 1 + static_cast<int>(dec_r3_.size()) + 1;
  const int r4 = static_cast<int>(dec_r2_.size()) + 1;
  const int r2 = static_cast<int>(dec_r1_.size()) + 1;
  return r8 + (r4 + (r2 + 1) / 2 + 1) / 2;
}

int LdmNet::EncodeHalo() const {
  // Convolutions (3x3, radius 1 each) per resolution on the way down: at 1/2 enc_in1 and the
  // residual blocks' (enc_r1_ holds each block's two), at 1/4 enc_in2 and enc_r2_'s, at 1/8
  // enc_in3, enc_r3_'s and enc_out. A cell at 1/8 covers 2 x 2 cells at 1/4: reaching r cells
  // there reaches ceil(r / 2) cells of the coarser grid (likewise 1/2 -> 1/4).
  const int r2 = 1 + static_cast<int>(enc_r1_.size());
  const int r4 = 1 + static_cast<int>(enc_r2_.size()) + (r2 + 1) / 2;
  return 1 + static_cast<int>(enc_r3_.size()) + 1 + (r4 + 1) / 2;
}

void LdmNet::Encode(const float* x, int H, int W, int threads, float* z, int tile) const {
  const int h = H / kFactor, w = W / kFactor;
  if (h <= tile && w <= tile) return EncodeWhole(x, H, W, threads, z);
  const int L = cfg_.latent;
  std::vector<float> sub, out;
  ForEachTile(h, w, tile, EncodeHalo(), [&](int y0, int y1, int x0, int x1, int ey0, int ey1, int ex0, int ex1) {
    const int eh = ey1 - ey0, ew = ex1 - ex0;
    sub.resize(static_cast<size_t>(3) * eh * ew * kFactor * kFactor);
    CopyWindow(x, 3, H, W, ey0 * kFactor, ey1 * kFactor, ex0 * kFactor, ex1 * kFactor, sub.data());
    out.resize(static_cast<size_t>(L) * eh * ew);
    EncodeWhole(sub.data(), eh * kFactor, ew * kFactor, threads, out.data());
    PasteCore(out.data(), L, ey0, eh, ex0, ew, y0, y1, x0, x1, z, h, w);
  });
}

int LdmNet::DenoiseHalo() const { return 1 + static_cast<int>(den_b_.size()) + 1; }

void LdmNet::Decode(const float* z, int h, int w, int threads, float* x) const {
  // One tile: straight into x, without DecodeTiles' image buffer and copy.
  if (h <= kDecodeTile && w <= kDecodeTile) return DecodeWhole(z, h, w, threads, x);
  const int W = w * kFactor;
  DecodeTiles(z, h, w, threads, [&](const DecodedTile& t) {
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < t.h; ++y) {
        const float* s = t.img + (static_cast<long>(c) * t.ph + t.oy + y) * t.pw + t.ox;
        std::copy(s, s + t.w, x + (static_cast<long>(c) * h * kFactor + t.y0 + y) * W + t.x0);
      }
  });
}

void LdmNet::DecodeTiles(const float* z, int h, int w, int threads, const std::function<void(const DecodedTile&)>& sink,
                         int tile) const {
  if (h <= tile && w <= tile) {
    std::vector<float> img(static_cast<size_t>(3) * h * w * kFactor * kFactor);
    DecodeWhole(z, h, w, threads, img.data());
    sink({0, 0, h * kFactor, w * kFactor, img.data(), h * kFactor, w * kFactor, 0, 0});
    return;
  }
  const int L = cfg_.latent;
  std::vector<float> sub, img;
  ForEachTile(h, w, tile, DecodeHalo(), [&](int y0, int y1, int x0, int x1, int ey0, int ey1, int ex0, int ex1) {
    const int eh = ey1 - ey0, ew = ex1 - ex0;
    sub.resize(static_cast<size_t>(L) * eh * ew);
    CopyWindow(z, L, h, w, ey0, ey1, ex0, ex1, sub.data());
    img.resize(static_cast<size_t>(3) * eh * ew * kFactor * kFactor);
    DecodeWhole(sub.data(), eh, ew, threads, img.data());
    sink({y0 * kFactor, x0 * kFactor, (y1 - y0) * kFactor, (x1 - x0) * kFactor, img.data(), eh * kFactor, ew * kFactor,
          (y0 - ey0) * kFactor, (x0 - ex0) * kFactor});
  });
}

void LdmNet::Denoise(const float* xt, int h, int w, float lambda, int threads, float* z0, int tile) const {
  if (h <= tile && w <= tile) return DenoiseWhole(xt, h, w, lambda, threads, z0);
  const int L = cfg_.latent;
  std::vector<float> sub, out;
  ForEachTile(h, w, tile, DenoiseHalo(), [&](int y0, int y1, int x0, int x1, int ey0, int ey1, int ex0, int ex1) {
    const int eh = ey1 - ey0, ew = ex1 - ex0;
    sub.resize(static_cast<size_t>(L) * eh * ew);
    out.resize(sub.size());
    CopyWindow(xt, L, h, w, ey0, ey1, ex0, ex1, sub.data());
    DenoiseWhole(sub.data(), eh, ew, lambda, threads, out.data());
    PasteCore(out.data(), L, ey0, eh, ex0, ew, y0, y1, x0, x1, z0, h, w);
  });
}

void LdmNet::DecodeWhole(const float* z, int h, int w, int threads, float* x) const {
  const NetConfig& c = cfg_;
  std::vector<float> t(static_cast<size_t>(c.c3) * h * w);
  RunConv(dec_in_, z, h, w, false, t.data(), threads);
  ResBlocks(dec_r3_, t.data(), h, w, threads);
  std::vector<float> u(static_cast<size_t>(4 * c.c2) * h * w);
  RunConv(dec_up3_, t.data(), h, w, true, u.data(), threads);
  h *= 2, w *= 2;
  t.assign(static_cast<size_t>(c.c2) * h * w, 0.0f);
  nn::PixelShuffle(u.data(), c.c2, h / 2, w / 2, 2, t.data());
  ResBlocks(dec_r2_, t.data(), h, w, threads);
  u.assign(static_cast<size_t>(4 * c.c1) * h * w, 0.0f);
  RunConv(dec_up2_, t.data(), h, w, true, u.data(), threads);
  h *= 2, w *= 2;
  t.assign(static_cast<size_t>(c.c1) * h * w, 0.0f);
  nn::PixelShuffle(u.data(), c.c1, h / 2, w / 2, 2, t.data());
  ResBlocks(dec_r1_, t.data(), h, w, threads);
  u.assign(static_cast<size_t>(12) * h * w, 0.0f);
  RunConv(dec_up1_, t.data(), h, w, true, u.data(), threads);
  nn::PixelShuffle(u.data(), 3, h, w, 2, x);
}

void LdmNet::DenoiseWhole(const float* xt, int h, int w, float lambda, int threads, float* z0) const {
  const NetConfig& c = cfg_;
  const long plane = static_cast<long>(h) * w;
  const long n = c.latent * plane;
  std::vector<float> in(static_cast<size_t>(n + plane));
  std::copy(xt, xt + n, in.begin());
  std::fill(in.begin() + n, in.end(), lambda / 10.0f);
  std::vector<float> t(static_cast<size_t>(c.den_features) * plane);
  RunConv(den_in_, in.data(), h, w, false, t.data(), threads);
  ResBlocks(den_b_, t.data(), h, w, threads);
  std::vector<float> v(static_cast<size_t>(n));
  RunConv(den_out_, t.data(), h, w, true, v.data(), threads);
  const float a = diffusion::Alpha(lambda), s = diffusion::Sigma(lambda);
  for (long i = 0; i < n; ++i) z0[i] = a * xt[i] - s * v[i];
}

}  // namespace dc::lossy
