#include "codecs/image_lossless/adm_net.h"

#include <nlohmann/json.hpp>

#include "codecs/image_lossless/adm_layout.h"
#include "nn/config_json.h"
#include "nn/kernels.h"

namespace dc::adm {

static_assert(kTrunkInputsBase == kTrunkInputs && kHeadInputsBase == kHeadInputs,
              "adm_net.h and adm_layout.h disagree on the image input planes");

std::string NetConfig::ToJson() const {
  nlohmann::json j{{"features", features},
                   {"trunk_blocks", trunk_blocks},
                   {"head_blocks", head_blocks},
                   {"mixtures", mixtures}};
  if (extra_trunk_inputs) j["extra_trunk_inputs"] = extra_trunk_inputs;
  if (extra_head_inputs) j["extra_head_inputs"] = extra_head_inputs;
  return j.dump();
}

StatusOr<NetConfig> NetConfig::FromJson(const std::string& json) {
  NetConfig c;
  RETURN_IF_ERROR(nn::ReadConfigInts(json,
                                     {{"features", &c.features, 1, 512},
                                      {"trunk_blocks", &c.trunk_blocks, 0, 64},
                                      {"head_blocks", &c.head_blocks, 0, 64},
                                      {"mixtures", &c.mixtures, 1, kMaxMixtures}},
                                     "model config fields missing or out of range"));
  RETURN_IF_ERROR(nn::ReadConfigInts(json,
                                     {{"extra_trunk_inputs", &c.extra_trunk_inputs, 0, kMaxExtraInputs, true},
                                      {"extra_head_inputs", &c.extra_head_inputs, 0, kMaxExtraInputs, true}},
                                     "model config extra input counts out of range"));
  return c;
}

int64_t TrunkMacs(const NetConfig& c) {
  const int64_t F = c.features;
  return 9 * c.trunk_inputs() * F + c.trunk_blocks * 2 * 9 * F * F;
}
int64_t HeadMacs(const NetConfig& c) {
  const int64_t F = c.features;
  return 9 * c.head_inputs() * F + c.head_blocks * 2 * 9 * F * F + F * c.outputs();
}

StatusOr<AdmNet::Conv> AdmNet::GetConv(const nn::WeightsFile& wf, const std::string& name, int out,
                                       int in, int k) {
  const auto w = wf.tensors.find(name + "_w");
  const auto b = wf.tensors.find(name + "_b");
  if (w == wf.tensors.end() || b == wf.tensors.end())
    return Error(DC_ERR_CORRUPT, "model lacks tensor " + name);
  if (w->second.shape != std::vector<int64_t>{out, in, k, k} || b->second.shape != std::vector<int64_t>{out})
    return Error(DC_ERR_CORRUPT, "model tensor " + name + " has the wrong shape");
  Conv c;
  c.out = out;
  c.in = in;
  c.k = k;
  c.w = w->second.data;
  c.b = b->second.data;
  return c;
}

Status AdmNet::GetBlocks(const nn::WeightsFile& wf, const std::string& prefix, int blocks, int F,
                         std::vector<Conv>* c1, std::vector<Conv>* c2) {
  for (int i = 0; i < blocks; ++i) {
    const std::string b = prefix + "_b" + std::to_string(i);
    ASSIGN_OR_RETURN(Conv a, GetConv(wf, b + "_c1", F, F, 3));
    ASSIGN_OR_RETURN(Conv c, GetConv(wf, b + "_c2", F, F, 3));
    c1->push_back(std::move(a));
    c2->push_back(std::move(c));
  }
  return Status::Ok();
}

StatusOr<AdmNet> AdmNet::FromWeights(const nn::WeightsFile& wf) {
  if (wf.arch != kArch) return Error(DC_ERR_CORRUPT, "model architecture '" + wf.arch + "' is not " + kArch);
  AdmNet n;
  ASSIGN_OR_RETURN(n.cfg_, NetConfig::FromJson(wf.config_json));
  const int F = n.cfg_.features;
  ASSIGN_OR_RETURN(n.trunk_in_, GetConv(wf, "trunk_in", F, n.cfg_.trunk_inputs(), 3));
  RETURN_IF_ERROR(GetBlocks(wf, "trunk", n.cfg_.trunk_blocks, F, &n.trunk_c1_, &n.trunk_c2_));
  ASSIGN_OR_RETURN(n.head_in_, GetConv(wf, "head_in", F, n.cfg_.head_inputs(), 3));
  RETURN_IF_ERROR(GetBlocks(wf, "head", n.cfg_.head_blocks, F, &n.head_c1_, &n.head_c2_));
  ASSIGN_OR_RETURN(n.head_out_, GetConv(wf, "head_out", n.cfg_.outputs(), F, 1));
  return n;
}

int64_t AdmNet::parameters() const {
  int64_t p = 0;
  const auto add = [&p](const Conv& c) { p += static_cast<int64_t>(c.w.size() + c.b.size()); };
  add(trunk_in_);
  add(head_in_);
  add(head_out_);
  for (const auto* v : {&trunk_c1_, &trunk_c2_, &head_c1_, &head_c2_})
    for (const auto& c : *v) add(c);
  return p;
}

namespace {
// t += c2(relu(c1(relu(t)))), the residual block shared by trunk and head.
template <typename ConvT>
void ResBlock(const ConvT& c1, const ConvT& c2, float* t, float* tmp1, float* tmp2, int h, int w) {
  nn::Conv2d(t, c1.in, h, w, c1.w.data(), c1.b.data(), c1.out, c1.k, true, tmp1);
  nn::Conv2d(tmp1, c2.in, h, w, c2.w.data(), c2.b.data(), c2.out, c2.k, true, tmp2);
  nn::AddInPlace(t, tmp2, static_cast<long>(c2.out) * h * w);
}
}  // namespace

void AdmNet::Trunk(const float* in, int h, int w, float* feats) const {
  const long n = static_cast<long>(cfg_.features) * h * w;
  std::vector<float> t1(n), t2(n);
  nn::Conv2d(in, trunk_in_.in, h, w, trunk_in_.w.data(), trunk_in_.b.data(), trunk_in_.out, 3, false, feats);
  for (size_t i = 0; i < trunk_c1_.size(); ++i) ResBlock(trunk_c1_[i], trunk_c2_[i], feats, t1.data(), t2.data(), h, w);
}

void AdmNet::Head(const float* in, const float* feats, int h, int w, float* out) const {
  const long n = static_cast<long>(cfg_.features) * h * w;
  std::vector<float> u(n), t1(n), t2(n);
  nn::Conv2d(in, head_in_.in, h, w, head_in_.w.data(), head_in_.b.data(), head_in_.out, 3, false, u.data());
  nn::AddInPlace(u.data(), feats, n);
  for (size_t i = 0; i < head_c1_.size(); ++i) ResBlock(head_c1_[i], head_c2_[i], u.data(), t1.data(), t2.data(), h, w);
  nn::Conv2d(u.data(), head_out_.in, h, w, head_out_.w.data(), head_out_.b.data(), head_out_.out, 1, true, out);
}

}  // namespace dc::adm
