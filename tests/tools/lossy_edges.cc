// diffcomp-lossy-edges: where the image-lossy decode's error sits near the image borders
// (docs/image-lossy-bottom-edge.md). A development tool built with the trainer (it compares the
// codec's denoiser with the trainer's torch mirror of ldm1, src/train/torch_nets.h).
//
//   diffcomp-lossy-edges MODEL.dcw IMG.png SEGMENTS [THREADS]
// encodes IMG with the codec's latest revision up to SEGMENTS latent steps (EncodeStats::x_final
// is the latent the decoder reaches), then prints one JSON object per line:
//  - "denoiser": the final z0 estimate computed by LdmNet::Denoise in one pass, in 16-cell tiles
//    and by the torch mirror on the same x: the largest difference per latent row;
//  - "latent_rows" / "latent_cols": per latent row (column) of the border, the mean signed and the
//    RMS difference of z0_hat from the encoder's z = Enc(x) (over channels and the other axis),
//    and of a vertically flipped run (denoise the flipped x, flip back), which tells the model's
//    asymmetry from the geometry;
//  - "pixel_rows": the mean signed error (over columns and R, G, B, 8-bit units, no colour
//    transform) of the first and the last 4 pixel rows of Dec(z), Dec(z0_hat) and of Dec of z0_hat
//    with its bottom latent row replaced by z's.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "codecs/image_lossy/image_lossy.h"
#include "codecs/image_lossy/ldm_net.h"
#include "codecs/image_lossy/lossy_internal.h"
#include "common/status.h"
#include "diffusion/gaussian.h"
#include "extras/file_io.h"
#include "extras/image_io.h"
#include "nn/weights.h"
#include "train/torch_nets.h"

namespace {

using namespace dc;

// RGB planes in [-1, 1], padded to H x W by edge replication: the encoder's own conversion.
std::vector<float> Planes(const extras::Image& img, int H, int W) {
  return lossy::internal::ToPlanes({img.pixels.data(), img.width, img.height, img.channels}, H, W);
}

// planes x h x w flipped vertically.
std::vector<float> FlipV(const std::vector<float>& a, int planes, int h, int w) {
  std::vector<float> b(a.size());
  for (int c = 0; c < planes; ++c)
    for (int y = 0; y < h; ++y)
      std::copy_n(a.begin() + (static_cast<long>(c) * h + y) * w, w, b.begin() + (static_cast<long>(c) * h + h - 1 - y) * w);
  return b;
}

std::string Rows(const std::vector<int>& rows, const std::function<std::string(int)>& f) {
  std::string s = "{";
  for (size_t i = 0; i < rows.size(); ++i) s += (i ? ", \"" : "\"") + std::to_string(rows[i]) + "\": " + f(rows[i]);
  return s + "}";
}

std::string Num(double v) {
  char b[32];
  std::snprintf(b, sizeof(b), "%.4g", v);
  return b;
}

int Run(int argc, char** argv) {
  const int segments = std::atoi(argv[3]);
  const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
  auto wf = nn::LoadWeights(argv[1]);
  if (!wf.ok()) return std::fprintf(stderr, "%s\n", wf.status().message().c_str()), 1;
  auto net = lossy::LdmNet::FromWeights(*wf);
  if (!net.ok()) return std::fprintf(stderr, "%s\n", net.status().message().c_str()), 1;
  auto bytes = extras::ReadFile(argv[2]);
  if (!bytes.ok()) return std::fprintf(stderr, "%s\n", bytes.status().message().c_str()), 1;
  auto img = extras::DecodeImage(bytes->data(), bytes->size());
  if (!img.ok()) return std::fprintf(stderr, "%s\n", img.status().message().c_str()), 1;
  const lossy::NetConfig cfg = net->config();
  const int L = cfg.latent;
  const int h = static_cast<int>((img->height + 7) / 8), w = static_cast<int>((img->width + 7) / 8);
  const int H = 8 * h, W = 8 * w;
  const std::vector<float> planes = Planes(*img, H, W);
  std::vector<float> z(static_cast<size_t>(L) * h * w);
  net->Encode(planes.data(), H, W, threads, z.data());

  lossy::EncodeOptions o;
  o.threads = threads;
  o.max_steps = segments;
  std::vector<uint8_t> payload;
  lossy::EncodeStats st;
  lossy::ImageView v{img->pixels.data(), img->width, img->height, img->channels};
  const Status s = lossy::EncodeImage(*net, v, o, &payload, &st);
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.message().c_str()), 1;
  const float lam = o.schedule.lambdas[st.kept_steps];
  const std::vector<float>& x = st.x_final;

  std::vector<float> z0(z.size()), z0t(z.size()), z0f(z.size());
  net->Denoise(x.data(), h, w, lam, threads, z0.data(), 1 << 20);
  net->Denoise(x.data(), h, w, lam, threads, z0t.data(), 16);
  // Torch mirror.
  train::LdmTorch tnet(cfg);
  {
    const Status ls = tnet->LoadWeights(*wf);
    if (!ls.ok()) return std::fprintf(stderr, "%s\n", ls.message().c_str()), 1;
  }
  torch::NoGradGuard ng;
  torch::set_num_threads(threads);
  const torch::Tensor xt = torch::from_blob(const_cast<float*>(x.data()), {1, L, h, w}).clone();
  const torch::Tensor vt = tnet->V(xt, torch::tensor({lam}));
  const float a = diffusion::Alpha(lam), sg = diffusion::Sigma(lam);
  const torch::Tensor z0_torch = (a * xt - sg * vt).contiguous();
  const float* zt = z0_torch.data_ptr<float>();
  {
    const std::vector<float> xf = FlipV(x, L, h, w);
    std::vector<float> o2(z.size());
    net->Denoise(xf.data(), h, w, lam, threads, o2.data());
    z0f = FlipV(o2, L, h, w);
  }
  std::vector<int> rows;
  for (int y = 0; y < std::min(h, 3); ++y) rows.push_back(y);
  for (int y = std::max(3, h - 4); y < h; ++y) rows.push_back(y);
  std::vector<int> cols;
  for (int c = 0; c < std::min(w, 3); ++c) cols.push_back(c);
  for (int c = std::max(3, w - 3); c < w; ++c) cols.push_back(c);
  const auto row_max = [&](const float* p, const float* q, int y) {
    double m = 0;
    for (int c = 0; c < L; ++c)
      for (int xx = 0; xx < w; ++xx) {
        const long i = (static_cast<long>(c) * h + y) * w + xx;
        m = std::max(m, static_cast<double>(std::fabs(p[i] - q[i])));
      }
    return m;
  };
  std::printf("{\"image\": \"%s\", \"width\": %u, \"height\": %u, \"segments\": %d, \"lambda\": %g, "
              "\"denoiser\": {\"tiled16_vs_whole\": %s, \"torch_vs_whole\": %s}}\n",
              argv[2], img->width, img->height, st.kept_steps, lam,
              Rows(rows, [&](int y) { return Num(row_max(z0t.data(), z0.data(), y)); }).c_str(),
              Rows(rows, [&](int y) { return Num(row_max(zt, z0.data(), y)); }).c_str());
  // Latent error per row / column.
  const auto stats = [&](const std::vector<float>& e, bool row, int k) {
    double sum = 0, sq = 0;
    long n = 0;
    for (int c = 0; c < L; ++c)
      for (int j = 0; j < (row ? w : h); ++j) {
        const long i = row ? (static_cast<long>(c) * h + k) * w + j : (static_cast<long>(c) * h + j) * w + k;
        const double d = e[i] - z[i];
        sum += d;
        sq += d * d;
        ++n;
      }
    return "[" + Num(sum / n) + ", " + Num(std::sqrt(sq / n)) + "]";
  };
  std::vector<int> all_rows = rows;
  std::printf("{\"latent_rows\": {\"z0_hat\": %s, \"z0_hat_flipped\": %s}}\n",
              Rows(rows, [&](int y) { return stats(z0, true, y); }).c_str(),
              Rows(rows, [&](int y) { return stats(z0f, true, y); }).c_str());
  std::printf("{\"latent_cols\": {\"z0_hat\": %s}}\n", Rows(cols, [&](int k) { return stats(z0, false, k); }).c_str());
  // Pixel rows.
  std::vector<float> rec(static_cast<size_t>(3) * H * W);
  std::vector<int> prow;
  for (int y = 0; y < 4; ++y) prow.push_back(y);
  for (int y = static_cast<int>(img->height) - 4; y < static_cast<int>(img->height); ++y) prow.push_back(y);
  const auto pixel_rows = [&](const std::vector<float>& lat) {
    net->Decode(lat.data(), h, w, threads, rec.data());
    return Rows(prow, [&](int y) {
      double sum = 0;
      for (int c = 0; c < 3; ++c)
        for (uint32_t xx = 0; xx < img->width; ++xx) {
          const long i = (static_cast<long>(c) * H + y) * W + xx;
          sum += (rec[i] - planes[i]) * 127.5;
        }
      return Num(sum / (3.0 * img->width));
    });
  };
  std::vector<float> mixed = z0;
  for (int c = 0; c < L; ++c)
    std::copy_n(z.begin() + (static_cast<long>(c) * h + h - 1) * w, w, mixed.begin() + (static_cast<long>(c) * h + h - 1) * w);
  // The autoencoder: codec vs torch mirror, on the same image and latents.
  {
    const torch::Tensor xp = torch::from_blob(const_cast<float*>(planes.data()), {1, 3, H, W}).clone();
    const torch::Tensor zt_enc = tnet->Encode(xp).contiguous();
    const float* ze = zt_enc.data_ptr<float>();
    const torch::Tensor rt = tnet->Decode(torch::from_blob(z.data(), {1, L, h, w}).clone()).contiguous();
    const float* rp = rt.data_ptr<float>();
    net->Decode(z.data(), h, w, threads, rec.data());
    const auto px_max = [&](const float* p, int y) {
      double m = 0;
      for (int c = 0; c < 3; ++c)
        for (int xx = 0; xx < W; ++xx) {
          const long i = (static_cast<long>(c) * H + y) * W + xx;
          m = std::max(m, static_cast<double>(std::fabs(p[i] - rec[i])));
        }
      return Num(m * 127.5);
    };
    std::vector<int> prow_all = prow;
    for (int y = static_cast<int>(img->height); y < H; ++y) prow_all.push_back(y);
    std::printf("{\"autoencoder\": {\"enc_torch_vs_codec\": %s, \"dec_torch_vs_codec_8bit_units\": %s}}\n",
                Rows(rows, [&](int y) { return Num(row_max(ze, z.data(), y)); }).c_str(),
                Rows(prow_all, [&](int y) { return px_max(rp, y); }).c_str());
  }
  std::printf("{\"pixel_rows\": {\"dec_z\": %s, \"dec_z0_hat\": %s, \"dec_z0_hat_flipped\": %s, \"dec_z0_hat_bottom_from_z\": %s}}\n",
              pixel_rows(z).c_str(), pixel_rows(z0).c_str(), pixel_rows(z0f).c_str(), pixel_rows(mixed).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: diffcomp-lossy-edges MODEL.dcw IMG.png SEGMENTS [THREADS]\n");
    return 2;
  }
  return Run(argc, argv);
}
