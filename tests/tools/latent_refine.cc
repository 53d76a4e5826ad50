// diffcomp-latent-refine: the pilot of issue 13's "adaptation per image at encode time"
// (docs/pilot-latent-refinement.md). Starting from the codec's own latents z = Enc(x) (the C++
// LdmNet, as the encoder computes them), it runs Adam on z to minimise the MSE of the clamped
// Dec(z) against x, through the trainer's torch mirror of ldm1 (src/train/torch_nets.h) loaded
// with the same model file, then measures the result with the codec's own kernels and coder. A
// development tool built with the trainer (it needs libtorch); the library itself has no autograd.
//
//   diffcomp-latent-refine --crop IN.png X Y W H OUT.png
// writes the W x H crop of IN at (X, Y).
//
//   diffcomp-latent-refine --ae MODEL.dcw IMG.png ITERS LR [THREADS]
// ITERS: increasing comma-separated iteration counts (0 = Enc(x)). For each, one JSON line:
// the PSNR of the 8-bit Dec(z) (LdmNet::Decode, clamped and rounded) against IMG, without and with
// a least-squares colour transform (the codec's fit, unquantised), and the CPU seconds of the
// refinement so far (process CPU time, torch on THREADS threads, default 1; measurement excluded),
// and the CPU seconds of that one LdmNet::Decode (the library's kernels, for the cost estimate).
//
//   diffcomp-latent-refine --encode MODEL.dcw IMG.png ITERS LR QUALITIES OUT_PREFIX [THREADS [BETA [K]]]
// refines for ITERS iterations (0: none, the codec's normal path: EncodeOptions::latents left
// empty), then encodes IMG with image-lossy as the library does (latest revision, default
// refinement passes, colour transform fitted on the image of the latents sent), once up to the
// highest of QUALITIES (comma-separated, each <= 80: latent steps only), and writes for each
// quality Q its cut as OUT_PREFIX-qQ.dfc (a fresh encode at Q is that cut), a normal container
// that `diffcomp decompress` decodes. One JSON line per quality: segments, bytes, the PSNR of the
// decoded cut (lossy::DecodeImage), refinement CPU
// seconds, CPU seconds of the one encode (threads THREADS, default 1). BETA > 0: the refinement
// also minimises BETA x a rate proxy over the schedule's last K steps (default 4; see Refine).
#include <time.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "codecs/image_lossy/image_lossy.h"
#include "codecs/image_lossy/ldm_net.h"
#include "codecs/image_lossy/lossy_internal.h"
#include "codecs/image_lossy/refine.h"
#include "common/status.h"
#include "container/container.h"
#include "extras/file_io.h"
#include "extras/image_io.h"
#include "extras/metrics.h"
#include "nn/weights.h"
#include "rcc/progressive.h"
#include "train/torch_nets.h"

namespace {

using namespace dc;

double CpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

std::vector<int> Ints(const std::string& s) {
  std::vector<int> v;
  std::stringstream ss(s);
  std::string t;
  while (std::getline(ss, t, ',')) v.push_back(std::atoi(t.c_str()));
  return v;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "%s\n", s.message().c_str());
  return 1;
}

// RGB planes in [-1, 1], padded to H x W by edge replication: the encoder's own conversion.
std::vector<float> Planes(const extras::Image& img, int H, int W) {
  return lossy::internal::ToPlanes({img.pixels.data(), img.width, img.height, img.channels}, H, W);
}

// PSNR of rec (3 x H x W floats in [-1, 1] units) rounded to 8 bits, over the image's pixels.
// colour: first fit out = M rec + b by least squares (the codec's colour transform, unquantised).
double Psnr8(const std::vector<float>& orig, std::vector<float> rec, int H, int W, uint32_t w, uint32_t h,
             bool colour) {
  const size_t plane = static_cast<size_t>(H) * W;
  if (colour) {
    torch::Tensor A = torch::ones({static_cast<int64_t>(w) * h, 4}, torch::kFloat64);
    torch::Tensor B = torch::empty({static_cast<int64_t>(w) * h, 3}, torch::kFloat64);
    auto a = A.accessor<double, 2>();
    auto b = B.accessor<double, 2>();
    for (uint32_t y = 0, k = 0; y < h; ++y)
      for (uint32_t x = 0; x < w; ++x, ++k)
        for (int c = 0; c < 3; ++c) {
          a[k][c] = rec[c * plane + y * W + x];
          b[k][c] = orig[c * plane + y * W + x];
        }
    const torch::Tensor M = torch::linalg_solve(A.t().mm(A), A.t().mm(B));  // 4 x 3
    const torch::Tensor out = A.mm(M);
    auto o = out.accessor<double, 2>();
    for (uint32_t y = 0, k = 0; y < h; ++y)
      for (uint32_t x = 0; x < w; ++x, ++k)
        for (int c = 0; c < 3; ++c) rec[c * plane + y * W + x] = static_cast<float>(o[k][c]);
  }
  double se = 0;
  for (int c = 0; c < 3; ++c)
    for (uint32_t y = 0; y < h; ++y)
      for (uint32_t x = 0; x < w; ++x) {
        const size_t i = c * plane + y * W + x;
        const auto q = [](float v) { return std::round(std::clamp((v + 1.0f) * 127.5f, 0.0f, 255.0f)); };
        const double d = q(rec[i]) - q(orig[i]);
        se += d * d;
      }
  return 10 * std::log10(255.0 * 255.0 / (se / (3.0 * w * h)));
}

struct Refiner {
  train::LdmTorch torch_net{nullptr};
  lossy::LdmNet net;
  extras::Image img;
  int H = 0, W = 0;
  std::vector<float> planes, z0;  // the image, the codec's Enc(x)
};

StatusOr<Refiner> Setup(const std::string& model, const std::string& image, int threads) {
  Refiner r;
  ASSIGN_OR_RETURN(auto wf, nn::LoadWeights(model));
  ASSIGN_OR_RETURN(r.net, lossy::LdmNet::FromWeights(wf));
  ASSIGN_OR_RETURN(auto cfg, lossy::NetConfig::FromJson(wf.config_json));
  r.torch_net = train::LdmTorch(cfg);
  RETURN_IF_ERROR(r.torch_net->LoadWeights(wf));
  for (auto& p : r.torch_net->parameters()) p.set_requires_grad(false);
  ASSIGN_OR_RETURN(auto bytes, extras::ReadFile(image));
  ASSIGN_OR_RETURN(r.img, extras::DecodeImage(bytes.data(), bytes.size()));
  if (r.img.channels != 3) return Error(DC_ERR_UNSUPPORTED_FORMAT, "the pilot takes RGB images");
  r.H = static_cast<int>((r.img.height + 7) / 8 * 8);
  r.W = static_cast<int>((r.img.width + 7) / 8 * 8);
  r.planes = Planes(r.img, r.H, r.W);
  r.z0.resize(static_cast<size_t>(cfg.latent) * (r.H / 8) * (r.W / 8));
  r.net.Encode(r.planes.data(), r.H, r.W, threads, r.z0.data());
  return r;
}

// Adam on z from Enc(x), minimising the mean squared error of clamp(Dec(z)) against x over the
// image's own pixels, plus, if beta > 0, beta times a proxy of the rate in nats per pixel: the
// KL of the last `rate_steps` steps of the default schedule, 1/2 (SNR_s - SNR_t) |z - z0_hat(x_t)|^2
// with x_t = alpha_t z + sigma_t eps (one fixed eps per step), through the torch denoiser. At each
// count in `at` (increasing), calls report(count, z, cpu seconds of the iterations so far).
void Refine(Refiner& r, const std::vector<int>& at, double lr,
            const std::function<void(int, const std::vector<float>&, double)>& report, double beta = 0,
            int rate_steps = 0) {
  const int L = r.torch_net->cfg.latent;
  const torch::Tensor x = torch::from_blob(r.planes.data(), {1, 3, r.H, r.W})
                              .index({torch::indexing::Slice(), torch::indexing::Slice(),
                                      torch::indexing::Slice(0, r.img.height), torch::indexing::Slice(0, r.img.width)})
                              .clone();
  torch::Tensor z = torch::from_blob(r.z0.data(), {1, L, r.H / 8, r.W / 8}).clone().set_requires_grad(true);
  torch::optim::Adam opt({z}, torch::optim::AdamOptions(lr));
  const std::vector<float> lam = lossy::DefaultSchedule().lambdas;
  std::vector<torch::Tensor> eps;
  torch::manual_seed(1);
  for (size_t k = 0; k < lam.size(); ++k) eps.push_back(torch::randn(z.sizes()));
  double cpu = 0;
  int done = 0;
  for (int target : at) {
    const double t0 = CpuSeconds();
    for (; done < target; ++done) {
      opt.zero_grad();
      const torch::Tensor rec = r.torch_net->Decode(z).index(
          {torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(0, r.img.height),
           torch::indexing::Slice(0, r.img.width)});
      torch::Tensor loss = (rec.clamp(-1, 1) - x).pow(2).mean();
      if (beta > 0) {
        torch::Tensor rate = torch::zeros({});
        for (size_t k = lam.size() - rate_steps; k < lam.size(); ++k) {
          const double lt = lam[k - 1], ls = lam[k];
          const double a = std::sqrt(1 / (1 + std::exp(-lt))), sg = std::sqrt(1 / (1 + std::exp(lt)));
          const torch::Tensor xt = a * z + sg * eps[k];
          const torch::Tensor z0 = a * xt - sg * r.torch_net->V(xt, torch::tensor({static_cast<float>(lt)}));
          rate = rate + 0.5 * (std::exp(ls) - std::exp(lt)) * (z - z0).pow(2).sum();
        }
        loss = loss + beta * rate / (static_cast<double>(r.img.width) * r.img.height);
      }
      loss.backward();
      opt.step();
    }
    cpu += CpuSeconds() - t0;
    const torch::Tensor zc = z.detach().contiguous();
    report(done, std::vector<float>(zc.data_ptr<float>(), zc.data_ptr<float>() + zc.numel()), cpu);
  }
}

int Crop(char** argv) {
  auto bytes = extras::ReadFile(argv[2]);
  if (!bytes.ok()) return Fail(bytes.status());
  auto img = extras::DecodeImage(bytes->data(), bytes->size());
  if (!img.ok()) return Fail(img.status());
  const uint32_t x0 = std::atoi(argv[3]), y0 = std::atoi(argv[4]), w = std::atoi(argv[5]), h = std::atoi(argv[6]);
  if (x0 + w > img->width || y0 + h > img->height) return std::fprintf(stderr, "crop outside the image\n"), 1;
  extras::Image out{w, h, img->channels, {}};
  for (uint32_t y = 0; y < h; ++y) {
    const uint8_t* row = img->pixels.data() + ((size_t{y0} + y) * img->width + x0) * img->channels;
    out.pixels.insert(out.pixels.end(), row, row + size_t{w} * img->channels);
  }
  auto png = extras::EncodePng(out);
  if (!png.ok()) return Fail(png.status());
  const Status s = extras::WriteFileAtomic(argv[7], png->data(), png->size(), true);
  return s.ok() ? 0 : Fail(s);
}

int Ae(int argc, char** argv) {
  const int threads = argc > 6 ? std::atoi(argv[6]) : 1;
  torch::set_num_threads(threads);
  auto r = Setup(argv[2], argv[3], threads);
  if (!r.ok()) return Fail(r.status());
  std::vector<float> rec(r->planes.size());
  Refine(*r, Ints(argv[4]), std::atof(argv[5]), [&](int it, const std::vector<float>& z, double cpu) {
    const double t0 = CpuSeconds();
    r->net.Decode(z.data(), r->H / 8, r->W / 8, threads, rec.data());
    const double dec_cpu = CpuSeconds() - t0;
    std::printf("{\"image\": \"%s\", \"iters\": %d, \"psnr\": %.3f, \"psnr_colour\": %.3f, \"refine_cpu_s\": %.2f, "
                "\"ldmnet_decode_cpu_s\": %.2f}\n",
                argv[3], it, Psnr8(r->planes, rec, r->H, r->W, r->img.width, r->img.height, false),
                Psnr8(r->planes, rec, r->H, r->W, r->img.width, r->img.height, true), cpu, dec_cpu);
    std::fflush(stdout);
  });
  return 0;
}

int Encode(int argc, char** argv) {
  const int threads = argc > 8 ? std::atoi(argv[8]) : 1;
  torch::set_num_threads(threads);
  auto r = Setup(argv[2], argv[3], threads);
  if (!r.ok()) return Fail(r.status());
  auto wf = nn::LoadWeights(argv[2]);
  if (!wf.ok()) return Fail(wf.status());
  const int iters = std::atoi(argv[4]);
  const double beta = argc > 9 ? std::atof(argv[9]) : 0;
  const int rate_steps = argc > 10 ? std::atoi(argv[10]) : 4;
  std::vector<float> z;
  double refine_cpu = 0;
  if (iters > 0)
    Refine(
        *r, {iters}, std::atof(argv[5]),
        [&](int, const std::vector<float>& zz, double cpu) {
          z = zz;
          refine_cpu = cpu;
        },
        beta, rate_steps);
  // One encode up to the highest quality; every lower quality is its cut after that quality's
  // segment count (a fresh encode at a rate is the truncation at that rate: image-lossy.md).
  const std::vector<int> qualities = Ints(argv[6]);
  lossy::EncodeOptions o;
  o.threads = threads;
  o.revision = lossy::kLatestRevision;
  o.refine_steps = lossy::refine::DefaultSteps();
  o.latents = z;
  const int S = static_cast<int>(o.schedule.lambdas.size()) - 1, P = static_cast<int>(o.refine_steps.size());
  o.max_steps = lossy::SegmentsForQuality(*std::max_element(qualities.begin(), qualities.end()), o.revision, S, P);
  std::vector<uint8_t> full;
  lossy::EncodeStats st;
  const double t0 = CpuSeconds();
  const Status es =
      lossy::EncodeImage(r->net, {r->img.pixels.data(), r->img.width, r->img.height, 3}, o, &full, &st);
  const double enc_cpu = CpuSeconds() - t0;
  if (!es.ok()) return Fail(es);
  auto view = rcc::ParseProgressive(full.data(), full.size());
  if (!view.ok()) return Fail(view.status());
  const size_t header_end = static_cast<size_t>(view->header.data + view->header.size - full.data());
  for (int q : qualities) {
    const int k = lossy::SegmentsForQuality(q, o.revision, S, P);
    if (k > st.kept_steps) return std::fprintf(stderr, "quality %d: refinement passes are not cut here\n", q), 1;
    const size_t size = k == 0 ? header_end : st.steps[k - 1].payload_end;
    container::Header h;
    h.codec = DC_CODEC_IMAGE_LOSSY;
    h.kind = DC_KIND_IMAGE;
    h.format = DC_FORMAT_PNG;
    h.revision = lossy::kLatestRevision;
    h.width = r->img.width;
    h.height = r->img.height;
    h.channels = r->img.channels;
    h.has_model = true;
    h.model_id = wf->model_id;
    h.fingerprint = wf->fingerprint;
    // As the library's compress: the payload's CRC, then the decoded content's (the normal decoder).
    std::vector<uint8_t> file = container::Write(h, full.data(), size, container::Crc32(full.data(), size));
    std::vector<uint8_t> decoded(r->img.pixels.size());
    const Status ds = lossy::DecodeImage(r->net, full.data(), size, h.width, h.height, 3, {}, decoded.data());
    if (!ds.ok()) return Fail(ds);
    const uint32_t crc = container::Crc32(decoded.data(), decoded.size());
    for (int i = 0; i < 4; ++i) file[file.size() - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
    auto psnr = extras::Psnr(r->img, extras::Image{h.width, h.height, 3, decoded});
    if (!psnr.ok()) return Fail(psnr.status());
    const std::string path = std::string(argv[7]) + "-q" + std::to_string(q) + ".dfc";
    const Status ws = extras::WriteFileAtomic(path, file.data(), file.size(), true);
    if (!ws.ok()) return Fail(ws);
    std::printf("{\"image\": \"%s\", \"iters\": %d, \"beta\": %g, \"quality\": %d, \"steps\": %d, \"bytes\": %zu, "
                "\"psnr\": %.3f, \"refine_cpu_s\": %.2f, \"encode_cpu_s\": %.2f, \"file\": \"%s\"}\n",
                argv[3], iters, beta, q, k, file.size(), *psnr, refine_cpu, enc_cpu, path.c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "--crop" && argc == 8) return Crop(argv);
  if (mode == "--ae" && argc >= 6) return Ae(argc, argv);
  if (mode == "--encode" && argc >= 8) return Encode(argc, argv);
  std::fprintf(stderr,
               "usage: diffcomp-latent-refine --crop IN.png X Y W H OUT.png\n"
               "       diffcomp-latent-refine --ae MODEL.dcw IMG.png ITERS LR [THREADS]\n"
               "       diffcomp-latent-refine --encode MODEL.dcw IMG.png ITERS LR QUALITIES OUT_PREFIX [THREADS [BETA [K]]]\n");
  return 2;
}
