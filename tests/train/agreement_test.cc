// Training and inference agree (issue 11): the trainer's torch network (src/train/torch_nets.h)
// and the codec's C++ network, loaded from the exported (f16) weights, compute the same
// likelihood. NLLs agree to 1e-3 bits per sub-pixel (per sample for signals); the lossy
// autoencoder and denoiser outputs agree to 1e-3 (values of order 1).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "codecs/image_lossless/image_lossless.h"
#include "codecs/image_lossy/ldm_net.h"
#include "codecs/signal_lossless/gap_coder.h"
#include "codecs/signal_lossless/signal_layout.h"
#include "codecs/signal_lossless/signal_net.h"
#include "codecs/video_lossless/video_lossless.h"
#include "diffusion/gaussian.h"
#include "nn/weights.h"
#include "train/torch_nets.h"

namespace dc::train {
namespace {

using torch::Tensor;

// Perturbs every parameter (the zero- and small-initialised layers too) so that the outputs
// exercise every path, then exports as the trainer does (f16) and loads both sides from it.
template <typename Net>
nn::WeightsFile ExportAndReload(Net& net, const std::string& arch, uint32_t id, const std::string& config, double scale) {
  torch::manual_seed(7);
  {
    torch::NoGradGuard ng;
    for (auto& [n, t] : net->params) t.add_(torch::randn(t.sizes()) * scale);
  }
  std::vector<Tensor> values;
  for (auto& [n, t] : net->params) values.push_back(t.detach());
  const auto bytes = nn::SerializeWeights(ToWeightsFile(net->params, values, arch, id, config, "{}"), nn::DType::kF16);
  auto w = nn::ParseWeights(bytes.data(), bytes.size());
  EXPECT_TRUE(w.ok()) << w.status().message();
  EXPECT_TRUE(net->LoadWeights(*w).ok());  // the f16-rounded values, as the codec sees them
  return *w;
}

std::vector<uint8_t> TestImage(int w, int h, int ch, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> px(static_cast<size_t>(w) * h * ch);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < ch; ++c)
        px[(static_cast<size_t>(y) * w + x) * ch + c] = static_cast<uint8_t>((3 * x + 2 * y + 50 * c + rng() % 24) % 256);
  return px;
}

void ExpectImageAgrees(AdmTorch& net, const adm::AdmNet& cnet);
void ExpectVideoAgrees(AdmTorch& net, const adm::AdmNet& cnet);
void ExpectSignalAgrees(SigTorch& net, const sig::SigNet& cnet);
void ExpectLossyAgrees(LdmTorch& net, const lossy::LdmNet& cnet);

TEST(AgreementTest, ImageLosslessNll) {
  torch::manual_seed(1);
  adm::NetConfig cfg;
  cfg.features = 8;
  cfg.trunk_blocks = 1;
  cfg.head_blocks = 1;
  cfg.mixtures = 3;
  AdmTorch net(cfg);
  const nn::WeightsFile w = ExportAndReload(net, adm::kArch, adm::kDefaultModelId, cfg.ToJson(), 0.05);
  auto cnet = adm::AdmNet::FromWeights(w);
  ASSERT_TRUE(cnet.ok()) << cnet.status().message();
  ExpectImageAgrees(net, *cnet);
}

void ExpectImageAgrees(AdmTorch& net, const adm::AdmNet& cnet) {
  for (auto [W, H] : {std::pair{32, 32}, std::pair{45, 37}}) {
    const auto px = TestImage(W, H, 3, W);
    adm::ImageView v{px.data(), static_cast<uint32_t>(W), static_cast<uint32_t>(H), 3};
    adm::CodecOptions opt;
    opt.tile_size = 256;  // one tile: the recursion the trainer measures
    opt.adapt = false;    // the network's own mixtures (online correction is the coder's)
    opt.revision = adm::kRevision1;  // revision 2 mixes in the per-tile colour model
    std::vector<uint8_t> payload;
    adm::EncodeStats st;
    ASSERT_TRUE(adm::EncodeImage(cnet, v, opt, &payload, &st).ok());
    adm::Level l;
    l.height = H;
    l.width = W;
    l.rgb = px;
    int64_t sp = 0;
    const double torch_bits = AdmRecursiveBits(net, l, nullptr, false, &sp);
    EXPECT_NEAR(torch_bits / sp, st.model_nll_bits / sp, 1e-3) << W << "x" << H;
  }
}

TEST(AgreementTest, VideoLosslessNll) {
  torch::manual_seed(2);
  adm::NetConfig cfg;
  cfg.features = 8;
  cfg.trunk_blocks = 1;
  cfg.head_blocks = 1;
  cfg.mixtures = 2;
  cfg.extra_trunk_inputs = adm::kPrevTrunkInputs;
  cfg.extra_head_inputs = adm::kPrevHeadInputs;
  AdmTorch net(cfg);
  const nn::WeightsFile w = ExportAndReload(net, adm::kArch, video::kDefaultModelId, cfg.ToJson(), 0.05);
  auto cnet = adm::AdmNet::FromWeights(w);
  ASSERT_TRUE(cnet.ok()) << cnet.status().message();
  ExpectVideoAgrees(net, *cnet);
}

void ExpectVideoAgrees(AdmTorch& net, const adm::AdmNet& cnet) {
  ASSERT_TRUE(video::CheckVideoNet(cnet).ok());
  video::Geometry g;
  g.width = 40;
  g.height = 34;
  g.chroma = video::kChroma420;
  std::mt19937 rng(3);
  std::vector<uint8_t> prev(g.frame_bytes()), cur(g.frame_bytes());
  for (size_t i = 0; i < prev.size(); ++i) {
    prev[i] = static_cast<uint8_t>((i * 7 + rng() % 16) % 256);
    cur[i] = static_cast<uint8_t>(std::min<int>(255, prev[i] + rng() % 5));
  }
  for (bool key : {true, false}) {
    adm::CodecOptions opt;
    opt.tile_size = 256;
    opt.adapt = false;
    opt.revision = adm::kRevision1;  // video-lossless codes its planes with revision 1
    std::vector<uint8_t> out;
    video::FrameStats st;
    ASSERT_TRUE(video::EncodeFrame(cnet, g, cur.data(), key ? nullptr : prev.data(), opt, &out, &st).ok());
    // The network sees the motion-compensated previous frame.
    std::vector<uint8_t> comp(g.frame_bytes());
    if (!key) video::Compensate(g, prev.data(), video::EstimateMotion(g, cur.data(), prev.data()), comp.data());
    double bits = 0;
    int64_t pixels = 0;
    size_t off = 0;
    for (int p = 0; p < 3; ++p) {
      const int pw = static_cast<int>(g.plane_width(p)), ph = static_cast<int>(g.plane_height(p));
      adm::Level a, b;
      a.width = b.width = pw;
      a.height = b.height = ph;
      for (int i = 0; i < pw * ph; ++i)
        for (int c = 0; c < 3; ++c) {
          a.rgb.push_back(cur[off + i]);
          b.rgb.push_back(comp[off + i]);
        }
      off += static_cast<size_t>(pw) * ph;
      int64_t px = 0;
      bits += AdmRecursiveBits(net, a, key ? nullptr : &b, true, &px);
      pixels += px;
    }
    EXPECT_NEAR(bits / pixels, st.model_nll_bits / pixels, 1e-3) << (key ? "keyframe" : "predicted frame");
  }
}

TEST(AgreementTest, SignalLosslessNll) {
  torch::manual_seed(3);
  sig::NetConfig cfg;
  cfg.features = 8;
  cfg.trunk_blocks = 1;
  cfg.head_blocks = 1;
  cfg.mixtures = 3;
  SigTorch net(cfg);
  const nn::WeightsFile w = ExportAndReload(net, sig::kArch, sig::kDefaultModelId, cfg.ToJson(), 0.05);
  auto cnet = sig::SigNet::FromWeights(w);
  ASSERT_TRUE(cnet.ok()) << cnet.status().message();
  ExpectSignalAgrees(net, *cnet);
}

void ExpectSignalAgrees(SigTorch& net, const sig::SigNet& cnet) {
  const sig::NetConfig& cfg = net->cfg;
  const uint32_t C = 2, frames = sig::kBlockFrames + 777;  // a whole block and a short one
  std::vector<int32_t> s(static_cast<size_t>(frames) * C);
  std::mt19937 rng(4);
  for (uint32_t f = 0; f < frames; ++f)
    for (uint32_t c = 0; c < C; ++c)
      s[f * C + c] = static_cast<int32_t>(3000 * std::sin(0.01 * f * (c + 1)) + static_cast<int>(rng() % 200) - 100);
  // The C++ network's outputs through the training loss's definition (per-integer discretised
  // logistics), and the codec's own measure (gap_coder.h: coarse bins of 2^b residuals plus b raw
  // bits, escapes), both over block_coder.h's loop without its online correction (the coder's).
  double codec_bits = 0, binned_bits = 0;
  for (uint32_t f0 = 0; f0 < frames; f0 += sig::kBlockFrames) {
    const uint32_t n = std::min<uint32_t>(sig::kBlockFrames, frames - f0);
    const int32_t* block = s.data() + static_cast<size_t>(f0) * C;
    codec_bits += 16.0 * C;
    binned_bits += 16.0 * C;
    sig::LevelInputs li;
    std::vector<float> out;
    std::vector<int64_t> prev, cur;
    for (int l = sig::TopLevel(n); l >= 0; --l)
      for (uint32_t c = 0; c < C; ++c) {
        sig::BuildLevel(block, C, c, n, l, c > 0 ? prev.data() : nullptr, &li);
        const uint32_t g = li.geom.gaps;
        out.resize(static_cast<size_t>(cfg.outputs()) * g);
        cnet.Forward(li.trunk.data(), static_cast<int>(li.geom.coarse), li.gap.data(), static_cast<int>(g), out.data());
        cur.resize(g);
        for (uint32_t j = 0; j < g; ++j) {
          sig::GapDist gd;
          sig::MakeGapDist(&out[j], g, cfg.mixtures, li.k, &gd);
          cur[j] = block[((2 * j + 1) * li.geom.stride) * C + c] - li.pred[j];
          binned_bits += sig::ResidualNllBits(gd, cur[j]);
          const int K = cfg.mixtures;
          const double x = std::ldexp(static_cast<double>(cur[j]), -li.k), h = std::ldexp(0.5, -li.k);
          double lmax = -1e300, lse = 0, wmax = -1e300, wse = 0;
          std::vector<double> lp(K);
          for (int i = 0; i < K; ++i) wmax = std::max(wmax, static_cast<double>(out[i * g + j]));
          for (int i = 0; i < K; ++i) wse += std::exp(out[i * g + j] - wmax);
          for (int i = 0; i < K; ++i) {
            const double mu = out[(K + i) * g + j];
            const double ls = std::clamp<double>(out[(2 * K + i) * g + j], sig::kMinLogScale, sig::kMaxLogScale);
            const double inv = std::exp(-ls), c0 = x - mu;
            const auto sgm = [](double z) { return 1 / (1 + std::exp(-z)); };
            const auto softplus = [](double z) { return z > 30 ? z : std::log1p(std::exp(z)); };
            const double cdf = sgm(inv * (c0 + h)) - sgm(inv * (c0 - h));
            const double mid = inv * c0;
            lp[i] = (cdf > 1e-6 ? std::log(std::max(cdf, 1e-12)) : mid - ls - 2 * softplus(mid) + std::log(2 * h)) +
                    (out[i * g + j] - wmax) - std::log(wse);
            lmax = std::max(lmax, lp[i]);
          }
          for (int i = 0; i < K; ++i) lse += std::exp(lp[i] - lmax);
          codec_bits += -(lmax + std::log(lse)) / std::log(2.0);
        }
        prev.swap(cur);
      }
  }
  double bits = 0;
  torch::NoGradGuard ng;
  for (uint32_t f0 = 0; f0 < frames; f0 += sig::kBlockFrames) {
    const uint32_t n = std::min<uint32_t>(sig::kBlockFrames, frames - f0);
    std::vector<SigItem> items;
    double raw = 0;
    SigBlockItems(s.data() + static_cast<size_t>(f0) * C, C, 16, n, &items, &raw);
    bits += SigItemsNll(net, items).item<double>() / std::log(2.0) + raw;
  }
  EXPECT_NEAR(bits / (frames * C), codec_bits / (frames * C), 1e-3);
  // The codec's binned measure costs a little more than the training loss (reported, not held).
  std::printf("signal: torch %.5f, C++ network %.5f, codec's binned measure %.5f bits/sample\n", bits / (frames * C),
              codec_bits / (frames * C), binned_bits / (frames * C));
}

TEST(AgreementTest, ImageLossyAutoencoderAndDenoiser) {
  torch::manual_seed(4);
  lossy::NetConfig cfg;
  cfg.latent = 4;
  cfg.c1 = 8;
  cfg.c2 = 8;
  cfg.c3 = 16;
  cfg.blocks3 = 1;
  cfg.den_features = 16;
  cfg.den_blocks = 1;
  LdmTorch net(cfg);
  const nn::WeightsFile w = ExportAndReload(net, lossy::kArch, lossy::kDefaultModelId, cfg.ToJson(), 0.02);
  auto cnet = lossy::LdmNet::FromWeights(w);
  ASSERT_TRUE(cnet.ok()) << cnet.status().message();
  ExpectLossyAgrees(net, *cnet);
}

void ExpectLossyAgrees(LdmTorch& net, const lossy::LdmNet& cnet) {
  const lossy::NetConfig& cfg = net->cfg;
  torch::NoGradGuard ng;
  const int H = 32, W = 48;
  const Tensor x = torch::rand({1, 3, H, W}) * 2 - 1;
  const Tensor z = net->Encode(x);
  std::vector<float> cz(static_cast<size_t>(cfg.latent) * (H / 8) * (W / 8));
  cnet.Encode(x.contiguous().data_ptr<float>(), H, W, 1, cz.data());
  const Tensor czt = torch::from_blob(cz.data(), z.sizes()).clone();
  EXPECT_LT((czt - z).abs().max().item<double>(), 1e-3 * std::max(1.0, z.abs().max().item<double>()));

  const Tensor xr = net->Decode(z);
  std::vector<float> cx(3 * H * W);
  cnet.Decode(z.contiguous().data_ptr<float>(), H / 8, W / 8, 1, cx.data());
  const Tensor cxt = torch::from_blob(cx.data(), xr.sizes()).clone();
  EXPECT_LT((cxt - xr).abs().max().item<double>(), 1e-3 * std::max(1.0, xr.abs().max().item<double>()));

  for (float lambda : {-6.0f, 0.0f, 9.0f}) {
    const Tensor xt = torch::randn(z.sizes());
    const Tensor v = net->V(xt, torch::tensor({lambda}));
    const float a = diffusion::Alpha(lambda), s = diffusion::Sigma(lambda);
    const Tensor z0 = a * xt - s * v;  // v-prediction -> z0 estimate, as LdmNet::Denoise
    std::vector<float> cz0(cz.size());
    cnet.Denoise(xt.contiguous().data_ptr<float>(), H / 8, W / 8, lambda, 1, cz0.data());
    const Tensor cz0t = torch::from_blob(cz0.data(), z0.sizes()).clone();
    EXPECT_LT((cz0t - z0).abs().max().item<double>(), 1e-3) << "lambda " << lambda;
  }
}

// The shipped models, where cheap (small inputs).
TEST(AgreementTest, ShippedModels) {
  const std::string dir = std::string(DC_SOURCE_DIR) + "/models/";
  {
    auto w = nn::LoadWeights(dir + "image-lossless-adm1.dcw");
    ASSERT_TRUE(w.ok()) << w.status().message();
    auto cfg = adm::NetConfig::FromJson(w->config_json);
    ASSERT_TRUE(cfg.ok());
    AdmTorch net(*cfg);
    ASSERT_TRUE(net->LoadWeights(*w).ok());
    auto cnet = adm::AdmNet::FromWeights(*w);
    ASSERT_TRUE(cnet.ok());
    ExpectImageAgrees(net, *cnet);
  }
  {
    auto w = nn::LoadWeights(dir + "video-lossless-adm1.dcw");
    ASSERT_TRUE(w.ok()) << w.status().message();
    auto cfg = adm::NetConfig::FromJson(w->config_json);
    ASSERT_TRUE(cfg.ok());
    AdmTorch net(*cfg);
    ASSERT_TRUE(net->LoadWeights(*w).ok());
    auto cnet = adm::AdmNet::FromWeights(*w);
    ASSERT_TRUE(cnet.ok());
    ExpectVideoAgrees(net, *cnet);
  }
  {
    auto w = nn::LoadWeights(dir + "signal-lossless-sig1.dcw");
    ASSERT_TRUE(w.ok()) << w.status().message();
    auto cfg = sig::NetConfig::FromJson(w->config_json);
    ASSERT_TRUE(cfg.ok());
    SigTorch net(*cfg);
    ASSERT_TRUE(net->LoadWeights(*w).ok());
    auto cnet = sig::SigNet::FromWeights(*w);
    ASSERT_TRUE(cnet.ok());
    ExpectSignalAgrees(net, *cnet);
  }
  {
    auto w = nn::LoadWeights(dir + "image-lossy-ldm1.dcw");
    ASSERT_TRUE(w.ok()) << w.status().message();
    auto cfg = lossy::NetConfig::FromJson(w->config_json);
    ASSERT_TRUE(cfg.ok());
    LdmTorch net(*cfg);
    ASSERT_TRUE(net->LoadWeights(*w).ok());
    auto cnet = lossy::LdmNet::FromWeights(*w);
    ASSERT_TRUE(cnet.ok());
    ExpectLossyAgrees(net, *cnet);
  }
}

}  // namespace
}  // namespace dc::train
