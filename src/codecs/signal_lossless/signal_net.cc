#include "codecs/signal_lossless/signal_net.h"

#include <nlohmann/json.hpp>

#include "nn/config_json.h"
#include "nn/kernels.h"

namespace dc::sig {

std::string NetConfig::ToJson() const {
  return nlohmann::json{{"features", features}, {"trunk_blocks", trunk_blocks}, {"head_blocks", head_blocks},
                        {"mixtures", mixtures}}
      .dump();
}

StatusOr<NetConfig> NetConfig::FromJson(const std::string& json) {
  NetConfig c;
  RETURN_IF_ERROR(nn::ReadConfigInts(json,
                                     {{"features", &c.features, 1, 256},
                                      {"trunk_blocks", &c.trunk_blocks, 0, 32},
                                      {"head_blocks", &c.head_blocks, 0, 32},
                                      {"mixtures", &c.mixtures, 1, kMaxMixtures}},
                                     "model config fields missing or out of range"));
  return c;
}

int64_t MacsPerGap(const NetConfig& c) {
  const int64_t F = c.features;
  return 3 * kTrunkInputs * F + c.trunk_blocks * 2 * 3 * F * F + 2 * F * F + kGapInputs * F +
         c.head_blocks * 2 * 3 * F * F + F * c.outputs() + kLinearTaps * kTrunkInputs * c.mixtures;
}

StatusOr<SigNet::Conv> SigNet::GetConv(const nn::WeightsFile& wf, const std::string& name, int out, int in, int k) {
  const auto w = wf.tensors.find(name + "_w");
  const auto b = wf.tensors.find(name + "_b");
  if (w == wf.tensors.end() || b == wf.tensors.end()) return Error(DC_ERR_CORRUPT, "model lacks tensor " + name);
  if (w->second.shape != std::vector<int64_t>{out, in, k} || b->second.shape != std::vector<int64_t>{out})
    return Error(DC_ERR_CORRUPT, "model tensor " + name + " has the wrong shape");
  Conv c;
  c.out = out;
  c.in = in;
  c.k = k;
  c.w = w->second.data;
  c.b = b->second.data;
  return c;
}

StatusOr<SigNet> SigNet::FromWeights(const nn::WeightsFile& wf) {
  if (wf.arch != kArch) return Error(DC_ERR_CORRUPT, "model architecture '" + wf.arch + "' is not " + kArch);
  SigNet n;
  ASSIGN_OR_RETURN(n.cfg_, NetConfig::FromJson(wf.config_json));
  const int F = n.cfg_.features;
  ASSIGN_OR_RETURN(n.trunk_in_, GetConv(wf, "trunk_in", F, kTrunkInputs, 3));
  for (const char* part : {"trunk", "head"}) {
    const int blocks = part[0] == 't' ? n.cfg_.trunk_blocks : n.cfg_.head_blocks;
    auto* c1 = part[0] == 't' ? &n.trunk_c1_ : &n.head_c1_;
    auto* c2 = part[0] == 't' ? &n.trunk_c2_ : &n.head_c2_;
    for (int i = 0; i < blocks; ++i) {
      const std::string b = std::string(part) + "_b" + std::to_string(i);
      ASSIGN_OR_RETURN(Conv a, GetConv(wf, b + "_c1", F, F, 3));
      ASSIGN_OR_RETURN(Conv c, GetConv(wf, b + "_c2", F, F, 3));
      c1->push_back(std::move(a));
      c2->push_back(std::move(c));
    }
  }
  ASSIGN_OR_RETURN(n.gap_conv_, GetConv(wf, "gap_conv", F, F, 2));
  ASSIGN_OR_RETURN(n.gap_side_, GetConv(wf, "gap_side", F, kGapInputs, 1));
  ASSIGN_OR_RETURN(n.head_out_, GetConv(wf, "head_out", n.cfg_.outputs(), F, 1));
  ASSIGN_OR_RETURN(n.linear_, GetConv(wf, "linear", n.cfg_.mixtures, kTrunkInputs, kLinearTaps));
  return n;
}

int64_t SigNet::parameters() const {
  int64_t p = 0;
  const auto add = [&p](const Conv& c) { p += static_cast<int64_t>(c.w.size() + c.b.size()); };
  for (const Conv* c : {&trunk_in_, &gap_conv_, &gap_side_, &head_out_, &linear_}) add(*c);
  for (const auto* v : {&trunk_c1_, &trunk_c2_, &head_c1_, &head_c2_})
    for (const auto& c : *v) add(c);
  return p;
}

namespace {
template <typename ConvT>
void Apply(const ConvT& c, const float* in, int n, int pad, int out_n, bool relu, float* out) {
  nn::Conv1d(in, c.in, n, c.w.data(), c.b.data(), c.out, c.k, pad, out_n, relu, out);
}
// t += c2(relu(c1(relu(t)))).
template <typename ConvT>
void ResBlock(const ConvT& c1, const ConvT& c2, float* t, float* tmp1, float* tmp2, int n) {
  Apply(c1, t, n, 1, n, true, tmp1);
  Apply(c2, tmp1, n, 1, n, true, tmp2);
  nn::AddInPlace(t, tmp2, static_cast<long>(c2.out) * n);
}
}  // namespace

void SigNet::Forward(const float* trunk_in, int m, const float* gap_in, int g, float* out) const {
  const int F = cfg_.features;
  std::vector<float> t(static_cast<size_t>(F) * m), u(static_cast<size_t>(F) * g), s(static_cast<size_t>(F) * g);
  std::vector<float> t1(static_cast<size_t>(F) * m), t2(static_cast<size_t>(F) * m);
  Apply(trunk_in_, trunk_in, m, 1, m, false, t.data());
  for (size_t i = 0; i < trunk_c1_.size(); ++i) ResBlock(trunk_c1_[i], trunk_c2_[i], t.data(), t1.data(), t2.data(), m);
  Apply(gap_conv_, t.data(), m, 0, g, true, u.data());
  Apply(gap_side_, gap_in, g, 0, g, false, s.data());
  nn::AddInPlace(u.data(), s.data(), static_cast<long>(F) * g);
  for (size_t i = 0; i < head_c1_.size(); ++i) ResBlock(head_c1_[i], head_c2_[i], u.data(), t1.data(), t2.data(), g);
  Apply(head_out_, u.data(), g, 0, g, true, out);
  const int K = cfg_.mixtures;
  std::vector<float> lin(static_cast<size_t>(K) * g);
  Apply(linear_, trunk_in, m, kLinearTaps / 2 - 1, g, false, lin.data());
  nn::AddInPlace(out + static_cast<size_t>(K) * g, lin.data(), static_cast<long>(K) * g);
}

}  // namespace dc::sig
