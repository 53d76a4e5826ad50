#include "codecs/image_lossy/ldm_net.h"

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

void LdmNet::Encode(const float* x, int H, int W, int threads, float* z) const {
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

void LdmNet::Decode(const float* z, int h, int w, int threads, float* x) const {
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

void LdmNet::Denoise(const float* xt, int h, int w, float lambda, int threads, float* z0) const {
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
