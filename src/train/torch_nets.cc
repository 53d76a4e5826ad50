#include "train/torch_nets.h"

#include <cmath>
#include <map>

#include "codecs/signal_lossless/signal_layout.h"

namespace dc::train {

using torch::Tensor;

std::pair<Tensor, Tensor> ConvModule::AddConv(const std::string& name, int out, int in, int k, int dims, bool small) {
  const std::vector<int64_t> shape = dims == 2 ? std::vector<int64_t>{out, in, k, k} : std::vector<int64_t>{out, in, k};
  Tensor wt = torch::randn(shape) * std::sqrt(2.0 / (in * (dims == 2 ? k * k : k)));
  if (small) wt = wt * 0.1;
  Tensor w = register_parameter(name + "_w", wt), b = register_parameter(name + "_b", torch::zeros({out}));
  params.emplace_back(name + "_w", w);
  params.emplace_back(name + "_b", b);
  return {w, b};
}

Status ConvModule::LoadWeights(const nn::WeightsFile& w) {
  torch::NoGradGuard ng;
  for (auto& [name, t] : params) {
    const auto it = w.tensors.find(name);
    if (it == w.tensors.end()) return Error(DC_ERR_MODEL_MISMATCH, "weights lack " + name);
    const Tensor src = torch::tensor(it->second.data).reshape(it->second.shape);
    if (src.sizes() != t.sizes()) return Error(DC_ERR_MODEL_MISMATCH, "tensor " + name + " has another shape");
    t.copy_(src);
  }
  return Status::Ok();
}

// ---- adm1 ------------------------------------------------------------------------------------

namespace {

// The batch of levels with their stage inputs; prev (video) adds the previous frame's planes.
AdmBatch MakeAdmBatch(const std::vector<adm::Level>& levels, const std::vector<const adm::Level*>* prev,
                      const std::vector<bool>* gray) {
  const int N = static_cast<int>(levels.size());
  const int H = levels[0].height, W = levels[0].width;
  const int h = adm::CoarseDim(H), w = adm::CoarseDim(W);
  const int64_t plane = static_cast<int64_t>(h) * w;
  const int ti = adm::kTrunkInputs + (prev ? adm::kPrevTrunkInputs : 0);
  const int hi = adm::kHeadInputs + (prev ? adm::kPrevHeadInputs : 0);
  AdmBatch b;
  b.gray = prev != nullptr;
  b.trunk_in = torch::empty({N, ti, h, w});
  b.head_in = torch::empty({3 * N, hi, h, w});
  b.target = torch::zeros({3 * N, 3, h, w});
  b.pred = torch::zeros({3 * N, 3, h, w});
  b.mask = torch::zeros({3 * N, 3, h, w});
  std::vector<int32_t> pred(3 * plane);
  for (int n = 0; n < N; ++n) {
    float* tin = b.trunk_in[n].data_ptr<float>();
    adm::BuildTrunkInput(levels[n], tin);
    if (prev) adm::BuildPrevTrunkInput((*prev)[n], H, W, tin + adm::kTrunkInputs * plane);
    for (int s = 0; s < adm::kStages; ++s) {
      const int m = n * 3 + s;
      float* hin = b.head_in[m].data_ptr<float>();
      adm::BuildHeadInput(levels[n], s, hin, pred.data());
      if (prev) adm::BuildPrevHeadInput((*prev)[n], s, H, W, pred.data(), hin + adm::kHeadInputs * plane);
      float* tg = b.target[m].data_ptr<float>();
      float* pr = b.pred[m].data_ptr<float>();
      float* mk = b.mask[m].data_ptr<float>();
      const bool only_first = prev || (*gray)[n];
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) {
          if (!adm::StageTargetExists(s, i, j, H, W)) continue;
          const int y = 2 * i + adm::kPhaseDy[s + 1], x = 2 * j + adm::kPhaseDx[s + 1];
          for (int c = 0; c < 3; ++c) {
            tg[c * plane + i * w + j] = adm::Norm(levels[n].at(y, x, c));
            pr[c * plane + i * w + j] = adm::Norm(pred[c * plane + i * w + j]);
            mk[c * plane + i * w + j] = (only_first && c > 0) ? 0.0f : 1.0f;
          }
        }
    }
  }
  return b;
}

}  // namespace

AdmBatch MakeImageBatch(const std::vector<adm::Level>& levels, const std::vector<bool>& gray) {
  return MakeAdmBatch(levels, nullptr, &gray);
}

AdmBatch MakeVideoBatch(const std::vector<adm::Level>& cur, const std::vector<const adm::Level*>& prev) {
  return MakeAdmBatch(cur, &prev, nullptr);
}

AdmBatch ToDevice(AdmBatch b, const torch::Device& d) {
  if (d.is_cpu()) return b;
  for (Tensor* t : {&b.trunk_in, &b.head_in, &b.target, &b.pred, &b.mask}) *t = t->to(d);
  return b;
}

AdmTorchImpl::AdmTorchImpl(const adm::NetConfig& c) : cfg(c) {
  const int F = cfg.features;
  AddConv("trunk_in", F, cfg.trunk_inputs(), 3, 2);
  for (int i = 0; i < cfg.trunk_blocks; ++i) {
    AddConv("trunk_b" + std::to_string(i) + "_c1", F, F, 3, 2);
    AddConv("trunk_b" + std::to_string(i) + "_c2", F, F, 3, 2, /*small=*/true);
  }
  AddConv("head_in", F, cfg.head_inputs(), 3, 2);
  for (int i = 0; i < cfg.head_blocks; ++i) {
    AddConv("head_b" + std::to_string(i) + "_c1", F, F, 3, 2);
    AddConv("head_b" + std::to_string(i) + "_c2", F, F, 3, 2, true);
  }
  AddConv("head_out", cfg.outputs(), F, 1, 2, true);
}

Tensor AdmTorchImpl::C(const Tensor& x, const std::string& n) {
  const Tensor& wt = P(n + "_w");
  return torch::conv2d(x, wt, P(n + "_b"), 1, wt.size(2) / 2);
}

Tensor AdmTorchImpl::Trunk(const Tensor& x) {
  Tensor t = C(x, "trunk_in");
  for (int i = 0; i < cfg.trunk_blocks; ++i) {
    const std::string b = "trunk_b" + std::to_string(i);
    t = t + C(torch::relu(C(torch::relu(t), b + "_c1")), b + "_c2");
  }
  return t;
}

Tensor AdmTorchImpl::Head(const Tensor& x, const Tensor& feats) {
  Tensor t = C(x, "head_in") + feats;
  for (int i = 0; i < cfg.head_blocks; ++i) {
    const std::string b = "head_b" + std::to_string(i);
    t = t + C(torch::relu(C(torch::relu(t), b + "_c1")), b + "_c2");
  }
  return C(torch::relu(t), "head_out");
}

Tensor AdmTorchImpl::Forward(const AdmBatch& b) {
  const Tensor feats = Trunk(b.trunk_in);
  const int64_t N = feats.size(0);
  const Tensor f3 = feats.unsqueeze(1)
                        .expand({N, 3, feats.size(1), feats.size(2), feats.size(3)})
                        .reshape({3 * N, feats.size(1), feats.size(2), feats.size(3)});
  return Head(b.head_in, f3);
}

// Per channel c: p(x_c | earlier channels) = sum_k pi_ck Logistic(mean_ck, s_ck) over the bin of
// x_c, with mean_ck = pred_c + m_ck + sum_{c'<c} tanh(coef) (x_c' - pred_c'). Layout of `out`
// channels: adm::NetConfig (logits, means, log-scales, coefficients; each 3*K, channel-major).
Tensor AdmMixtureNll(const Tensor& out, const AdmBatch& b, int K) {
  const auto parts = out.split(3 * K, 1);
  const auto shape5 = [&](const Tensor& t) { return t.reshape({t.size(0), 3, K, t.size(2), t.size(3)}); };
  Tensor logits = shape5(parts[0]);
  const Tensor means = shape5(parts[1]);
  Tensor log_s = torch::clamp(shape5(parts[2]), adm::kMinLogScale, adm::kMaxLogScale);
  Tensor x = b.target.unsqueeze(2);  // M x 3 x 1 x h x w
  const Tensor pr = b.pred.unsqueeze(2);
  Tensor mean, mask = b.mask;
  if (b.gray) {  // channel 0 only, whose mean has no coupling term
    logits = logits.narrow(1, 0, 1);
    log_s = log_s.narrow(1, 0, 1);
    x = x.narrow(1, 0, 1);
    mean = pr.narrow(1, 0, 1) + means.narrow(1, 0, 1);
    mask = mask.narrow(1, 0, 1);
  } else {
    const Tensor coef = torch::tanh(shape5(parts[3]));
    const Tensor res = x - pr;  // residuals of known channels
    const Tensor rR = res.select(1, 0), rG = res.select(1, 1);
    // Coefficient slots (adm_net.h): 1 = G on R, 2 = B on R, 0 = B on G.
    const Tensor mR = pr.select(1, 0) + means.select(1, 0);
    const Tensor mG = pr.select(1, 1) + means.select(1, 1) + coef.select(1, 1) * rR;
    const Tensor mB = pr.select(1, 2) + means.select(1, 2) + coef.select(1, 2) * rR + coef.select(1, 0) * rG;
    mean = torch::stack({mR, mG, mB}, 1);
  }
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
  const Tensor log_mid =
      torch::where(cdf_delta > 1e-5, torch::log(torch::clamp(cdf_delta, 1e-12)), log_pdf_mid - std::log(127.5));
  const Tensor xe = x.expand_as(centered);
  const Tensor lp = torch::where(xe < -0.999, log_cdf_plus, torch::where(xe > 0.999, log_one_minus_cdf_min, log_mid));
  const Tensor lmix = torch::logsumexp(lp + torch::log_softmax(logits, 2), 2);  // M x C x h x w
  return -(lmix * mask).sum();
}

double AdmRecursiveBits(AdmTorch& net, const adm::Level& full, const adm::Level* prev_full, bool video,
                        int64_t* subpixels) {
  torch::NoGradGuard ng;
  double bits = 0;
  adm::Level cur = full, prev;
  if (prev_full) prev = *prev_full;
  const int channels = video ? 1 : 3;
  *subpixels = static_cast<int64_t>(cur.height) * cur.width * channels;
  while (cur.height > 1 || cur.width > 1) {
    const AdmBatch b = video ? MakeVideoBatch({cur}, {prev_full ? &prev : nullptr}) : MakeImageBatch({cur}, {false});
    bits += AdmMixtureNll(net->Forward(b), b, net->cfg.mixtures).item<double>() / std::log(2.0);
    cur = adm::Downsample(cur);
    if (prev_full) prev = adm::Downsample(prev);
  }
  return bits + 8.0 * channels;  // the 1x1 base, 8 bits per coded channel
}

// ---- sig1 ------------------------------------------------------------------------------------

SigTorchImpl::SigTorchImpl(const sig::NetConfig& c) : cfg(c) {
  const int F = cfg.features;
  AddConv("trunk_in", F, sig::kTrunkInputs, 3, 1);
  for (int i = 0; i < cfg.trunk_blocks; ++i) {
    AddConv("trunk_b" + std::to_string(i) + "_c1", F, F, 3, 1);
    AddConv("trunk_b" + std::to_string(i) + "_c2", F, F, 3, 1, true);
  }
  AddConv("gap_conv", F, F, 2, 1);
  AddConv("gap_side", F, sig::kGapInputs, 1, 1);
  for (int i = 0; i < cfg.head_blocks; ++i) {
    AddConv("head_b" + std::to_string(i) + "_c1", F, F, 3, 1);
    AddConv("head_b" + std::to_string(i) + "_c2", F, F, 3, 1, true);
  }
  AddConv("head_out", cfg.outputs(), F, 1, 1, true);
  auto [lw, lb] = AddConv("linear", cfg.mixtures, sig::kTrunkInputs, sig::kLinearTaps, 1, true);
  torch::NoGradGuard ng;
  lw.zero_();  // starts as "no correction"
  lb.zero_();
}

Tensor SigTorchImpl::C(const Tensor& x, const std::string& n, int pad) {
  return torch::conv1d(x, P(n + "_w"), P(n + "_b"), 1, pad);
}

Tensor SigTorchImpl::Res(Tensor t, const std::string& part, int blocks) {
  for (int i = 0; i < blocks; ++i) {
    const std::string b = part + "_b" + std::to_string(i);
    t = t + C(torch::relu(C(torch::relu(t), b + "_c1", 1)), b + "_c2", 1);
  }
  return t;
}

Tensor SigTorchImpl::Forward(const Tensor& trunk, const Tensor& gap) {
  const int64_t g = gap.size(2);
  Tensor t = Res(C(trunk, "trunk_in", 1), "trunk", cfg.trunk_blocks);
  Tensor u = C(torch::constant_pad_nd(torch::relu(t), {0, 1}), "gap_conv", 0).narrow(2, 0, g) + C(gap, "gap_side", 0);
  u = Res(u, "head", cfg.head_blocks);
  Tensor out = C(torch::relu(u), "head_out", 0);
  // Linear path to the means: gap g sees coarse g - 7 .. g + 8 (zeros outside).
  const int K = cfg.mixtures;
  const Tensor lin =
      C(torch::constant_pad_nd(trunk, {sig::kLinearTaps / 2 - 1, sig::kLinearTaps / 2}), "linear", 0).narrow(2, 0, g);
  return torch::cat({out.narrow(1, 0, K), out.narrow(1, K, K) + lin, out.narrow(1, 2 * K, K)}, 1);
}

Tensor SigMixtureNll(const Tensor& out, const Tensor& target, const Tensor& half, int K) {
  const auto parts = out.split(K, 1);
  const Tensor logits = parts[0], means = parts[1];
  const Tensor log_s = torch::clamp(parts[2], sig::kMinLogScale, sig::kMaxLogScale);
  const Tensor x = target.unsqueeze(1), h = half.unsqueeze(1);
  const Tensor centered = x - means;
  const Tensor inv_s = torch::exp(-log_s);
  const Tensor plus_in = inv_s * (centered + h), min_in = inv_s * (centered - h);
  const Tensor cdf_delta = torch::sigmoid(plus_in) - torch::sigmoid(min_in);
  const Tensor mid_in = inv_s * centered;
  const Tensor log_pdf_mid = mid_in - log_s - 2.0 * torch::softplus(mid_in) + torch::log(2.0 * h);
  const Tensor lp = torch::where(cdf_delta > 1e-6, torch::log(torch::clamp(cdf_delta, 1e-12)), log_pdf_mid);
  return -torch::logsumexp(lp + torch::log_softmax(logits, 1), 1).sum();
}

// The items of a block (all levels and channels), in coding order; base bits added to *raw_bits.
// block: n frames x C channels of samples of `bit_depth` bits (the signal's, or a residual).
void SigBlockItems(const int32_t* block, uint32_t C, int bit_depth, uint32_t n, std::vector<SigItem>* items,
                double* raw_bits) {
  *raw_bits += static_cast<double>(bit_depth) * C;
  sig::LevelInputs li;
  std::vector<int64_t> prev, cur;
  for (int l = sig::TopLevel(n); l >= 0; --l) {
    for (uint32_t c = 0; c < C; ++c) {
      sig::BuildLevel(block, C, c, n, l, c > 0 ? prev.data() : nullptr, &li);
      SigItem it;
      it.m = static_cast<int>(li.geom.coarse);
      it.g = static_cast<int>(li.geom.gaps);
      it.trunk = li.trunk;
      it.gap = li.gap;
      cur.resize(it.g);
      const float half = std::ldexp(0.5f, -li.k);
      for (int j = 0; j < it.g; ++j) {
        const int64_t x = block[((2 * uint64_t(j) + 1) * li.geom.stride) * C + c];
        cur[j] = x - li.pred[j];
        it.target.push_back(std::ldexp(static_cast<float>(cur[j]), -li.k));
        it.half_bin.push_back(half);
      }
      prev.swap(cur);
      items->push_back(std::move(it));
    }
  }
}


// Items of equal shape, batched. Returns the NLL in nats, summed.
static Tensor SigBatchNll(SigTorch& net, const std::vector<const SigItem*>& items, const torch::Device& dev) {
  const int64_t N = static_cast<int64_t>(items.size()), m = items[0]->m, g = items[0]->g;
  std::vector<float> tr, ga, ta, ha;
  for (const SigItem* it : items) {
    tr.insert(tr.end(), it->trunk.begin(), it->trunk.end());
    ga.insert(ga.end(), it->gap.begin(), it->gap.end());
    ta.insert(ta.end(), it->target.begin(), it->target.end());
    ha.insert(ha.end(), it->half_bin.begin(), it->half_bin.end());
  }
  const Tensor trunk = torch::from_blob(tr.data(), {N, sig::kTrunkInputs, m}).to(dev, false, true);
  const Tensor gap = torch::from_blob(ga.data(), {N, sig::kGapInputs, g}).to(dev, false, true);
  const Tensor target = torch::from_blob(ta.data(), {N, g}).to(dev, false, true);
  const Tensor half = torch::from_blob(ha.data(), {N, g}).to(dev, false, true);
  return SigMixtureNll(net->Forward(trunk, gap), target, half, net->cfg.mixtures);
}

// Groups items by shape and sums the NLL (nats).
Tensor SigItemsNll(SigTorch& net, const std::vector<SigItem>& items, const torch::Device& dev) {
  std::map<std::pair<int, int>, std::vector<const SigItem*>> groups;
  for (const auto& it : items)
    if (it.g > 0) groups[{it.m, it.g}].push_back(&it);
  Tensor total = torch::zeros({}, dev);
  for (auto& [shape, v] : groups) total = total + SigBatchNll(net, v, dev);
  return total;
}

// ---- ldm1 ------------------------------------------------------------------------------------

LdmTorchImpl::LdmTorchImpl(const lossy::NetConfig& c) : cfg(c) {
  const int L = cfg.latent;
  const auto res = [this](const std::string& name, int f) {
    AddConv(name + "_c1", f, f, 3, 2);
    AddConv(name + "_c2", f, f, 3, 2, true);
  };
  AddConv("enc_in1", cfg.c1, 12, 3, 2);
  res("enc_r1", cfg.c1);
  AddConv("enc_in2", cfg.c2, 4 * cfg.c1, 3, 2);
  res("enc_r2", cfg.c2);
  AddConv("enc_in3", cfg.c3, 4 * cfg.c2, 3, 2);
  for (int i = 0; i < cfg.blocks3; ++i) res("enc_r3_" + std::to_string(i), cfg.c3);
  AddConv("enc_out", L, cfg.c3, 3, 2);
  AddConv("dec_in", cfg.c3, L, 3, 2);
  for (int i = 0; i < cfg.blocks3; ++i) res("dec_r3_" + std::to_string(i), cfg.c3);
  AddConv("dec_up3", 4 * cfg.c2, cfg.c3, 3, 2);
  res("dec_r2", cfg.c2);
  AddConv("dec_up2", 4 * cfg.c1, cfg.c2, 3, 2);
  res("dec_r1", cfg.c1);
  AddConv("dec_up1", 12, cfg.c1, 3, 2);
  AddConv("den_in", cfg.den_features, L + 1, 3, 2);
  for (int i = 0; i < cfg.den_blocks; ++i) res("den_b" + std::to_string(i), cfg.den_features);
  AddConv("den_out", L, cfg.den_features, 3, 2, true);
}

Tensor LdmTorchImpl::C(const Tensor& x, const std::string& n, bool relu_in) {
  const Tensor wt = P(n + "_w");
  return torch::conv2d(relu_in ? torch::relu(x) : x, wt, P(n + "_b"), 1, wt.size(2) / 2);
}

Tensor LdmTorchImpl::R(const Tensor& t, const std::string& n) { return t + C(C(t, n + "_c1", true), n + "_c2", true); }

Tensor LdmTorchImpl::Encode(const Tensor& x) {
  Tensor t = C(torch::pixel_unshuffle(x, 2), "enc_in1");
  t = R(t, "enc_r1");
  t = C(torch::pixel_unshuffle(t, 2), "enc_in2", true);
  t = R(t, "enc_r2");
  t = C(torch::pixel_unshuffle(t, 2), "enc_in3", true);
  for (int i = 0; i < cfg.blocks3; ++i) t = R(t, "enc_r3_" + std::to_string(i));
  return C(t, "enc_out", true);
}

Tensor LdmTorchImpl::Decode(const Tensor& z) {
  Tensor t = C(z, "dec_in");
  for (int i = 0; i < cfg.blocks3; ++i) t = R(t, "dec_r3_" + std::to_string(i));
  t = torch::pixel_shuffle(C(t, "dec_up3", true), 2);
  t = R(t, "dec_r2");
  t = torch::pixel_shuffle(C(t, "dec_up2", true), 2);
  t = R(t, "dec_r1");
  return torch::pixel_shuffle(C(t, "dec_up1", true), 2);
}

Tensor LdmTorchImpl::V(const Tensor& xt, const Tensor& lambda) {
  const Tensor plane = (lambda / 10.0).view({-1, 1, 1, 1}).expand({xt.size(0), 1, xt.size(2), xt.size(3)});
  Tensor t = C(torch::cat({xt, plane}, 1), "den_in");
  for (int i = 0; i < cfg.den_blocks; ++i) t = R(t, "den_b" + std::to_string(i));
  return C(t, "den_out", true);
}

Tensor DiffusionLossSum(LdmTorch& net, const Tensor& z0, const Tensor& lam, const Tensor& eps) {
  const Tensor a = torch::sqrt(torch::sigmoid(lam)).view({-1, 1, 1, 1});
  const Tensor s = torch::sqrt(torch::sigmoid(-lam)).view({-1, 1, 1, 1});
  const Tensor xt = a * z0 + s * eps;
  const Tensor v = a * eps - s * z0;
  return (net->V(xt, lam) - v).pow(2).mean({1, 2, 3}).sum();
}

}  // namespace dc::train
