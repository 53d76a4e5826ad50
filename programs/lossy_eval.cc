// diffcomp-lossy-eval: image quality of decoded files against their originals, for the lossy
// benchmark (scripts/bench-image-lossy.py). Metrics from extras/metrics.h.
//
//   diffcomp-lossy-eval REF.png DIST.png [DIST.png...]
// prints one JSON object per DIST: {"ref":..., "dist":..., "psnr":..., "msssim":...}
// (PSNR over RGB with peak 255; a gray image decoded as gray is compared as gray).
//
//   diffcomp-lossy-eval --steps MODEL.dcw IMG.png [THREADS] [LAMBDAS] [CHUNK_BITS] [DECODE_STEPS]
// encodes IMG with image-lossy through the library's internals and, for every prefix of steps,
// prints one JSON object: step, log-SNR, KL bits, coded bits, bpp, PSNR, MS-SSIM of the decoded
// prefix, and seconds (schedule exploration; LAMBDAS comma-separated, from the start level).
//
//   diffcomp-lossy-eval --drift MODEL.dcw IMG.png
// encoder on 1 thread vs decoder on 2 threads and the reverse: how far the decoder's x_{t*} is
// from the encoder's (max |difference|, number of differing values).
//
//   diffcomp-lossy-eval --cuts MODEL.dcw FULL.dfc CUT.dfc...
// decodes the truncations CUT of FULL in one pass (lossy::DecodePrefixes) and writes CUT.png.
//
//   diffcomp-lossy-eval --video REF.y4m DIST.y4m
// per frame, one JSON object: PSNR of Y, PSNR of all samples (Y, U, V pooled: one MSE over every
// sample of the three planes), MS-SSIM of Y (as above, one channel). Both Y4M, same geometry.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <cstdio>
#include <string>

#include "extras/file_io.h"
#include "extras/image_io.h"
#include "extras/metrics.h"
#include "extras/video_io.h"
#include "codecs/image_lossy/image_lossy.h"
#include "nn/weights.h"
#include "container/container.h"
#include "rcc/progressive.h"
#include <chrono>
#include <sstream>

namespace {

dc::StatusOr<dc::extras::Image> Load(const std::string& path) {
  ASSIGN_OR_RETURN(auto bytes, dc::extras::ReadFile(path));
  return dc::extras::DecodeImage(bytes.data(), bytes.size());
}

}  // namespace

int Steps(int argc, char** argv) {
  using namespace dc;
  auto wf = nn::LoadWeights(argv[2]);
  if (!wf.ok()) return std::fprintf(stderr, "%s\n", wf.status().message().c_str()), 1;
  auto net = lossy::LdmNet::FromWeights(*wf);
  if (!net.ok()) return std::fprintf(stderr, "%s\n", net.status().message().c_str()), 1;
  auto img = Load(argv[3]);
  if (!img.ok()) return std::fprintf(stderr, "%s\n", img.status().message().c_str()), 1;
  lossy::EncodeOptions o;
  o.threads = argc > 4 ? std::atoi(argv[4]) : 2;
  if (argc > 5) {
    o.schedule.lambdas.clear();
    std::stringstream ss(argv[5]);
    std::string t;
    while (std::getline(ss, t, ',')) o.schedule.lambdas.push_back(std::stof(t));
  }
  if (argc > 6) o.schedule.chunk_bits = std::atoi(argv[6]);
  if (argc > 7) o.schedule.decode_steps = std::atoi(argv[7]);
  std::vector<uint8_t> payload;
  lossy::EncodeStats st;
  const auto t0 = std::chrono::steady_clock::now();
  Status s = lossy::EncodeImage(*net, {img->pixels.data(), img->width, img->height, img->channels}, o, &payload, &st);
  const double enc_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.message().c_str()), 1;
  const double px = double(img->width) * img->height;
  std::printf("{\"encode_s\": %.3f, \"steps\": %zu}\n", enc_s, st.steps.size());
  auto view = rcc::ParseProgressive(payload.data(), payload.size());
  const size_t hdr = static_cast<size_t>(view->header.data + view->header.size - payload.data());
  for (size_t k = 0; k <= st.steps.size(); ++k) {
    const size_t end = k == 0 ? hdr : st.steps[k - 1].payload_end;
    extras::Image out;
    out.width = img->width;
    out.height = img->height;
    out.channels = img->channels;
    out.pixels.resize(img->pixels.size());
    lossy::DecodeOptions d;
    d.threads = o.threads;
    const auto t1 = std::chrono::steady_clock::now();
    s = lossy::DecodeImage(*net, payload.data(), end, img->width, img->height, img->channels, d, out.pixels.data());
    const double dec_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    if (!s.ok()) return std::fprintf(stderr, "%s\n", s.message().c_str()), 1;
    auto p = extras::Psnr(*img, out);
    auto m = extras::MsSsim(*img, out);
    std::printf("{\"step\": %zu, \"lambda\": %.3f, \"kl_bits\": %.1f, \"chunks\": %u, \"payload_bytes\": %zu, \"bpp\": %.5f, \"psnr\": %.3f, \"msssim\": %.5f, \"decode_s\": %.3f}\n",
                k, k ? st.steps[k - 1].lambda : o.schedule.lambdas[0], k ? st.steps[k - 1].kl_bits : 0.0,
                k ? st.steps[k - 1].chunks : 0u, end, end * 8 / px, *p, *m, dec_s);
    std::fflush(stdout);
  }
  return 0;
}

// --drift MODEL IMG: x_{t*} of the encoder on 1 (2) threads against the decoder's on 2 (1)
// threads, after all steps of the default schedule: max |difference| and differing values.
int Drift(char** argv) {
  using namespace dc;
  auto wf = nn::LoadWeights(argv[2]);
  if (!wf.ok()) return std::fprintf(stderr, "%s\n", wf.status().message().c_str()), 1;
  auto net = lossy::LdmNet::FromWeights(*wf);
  if (!net.ok()) return std::fprintf(stderr, "%s\n", net.status().message().c_str()), 1;
  auto img = Load(argv[3]);
  if (!img.ok()) return std::fprintf(stderr, "%s\n", img.status().message().c_str()), 1;
  for (int et : {1, 2}) {
    const int dt = 3 - et;
    lossy::EncodeOptions o;
    o.threads = et;
    std::vector<uint8_t> payload;
    lossy::EncodeStats st;
    Status s = lossy::EncodeImage(*net, {img->pixels.data(), img->width, img->height, img->channels}, o, &payload, &st);
    if (!s.ok()) return std::fprintf(stderr, "%s\n", s.message().c_str()), 1;
    std::vector<float> xf;
    lossy::DecodeOptions d;
    d.threads = dt;
    d.x_final = &xf;
    std::vector<uint8_t> out(img->pixels.size());
    s = lossy::DecodeImage(*net, payload.data(), payload.size(), img->width, img->height, img->channels, d, out.data());
    if (!s.ok()) return std::fprintf(stderr, "%s\n", s.message().c_str()), 1;
    double maxd = 0;
    size_t ndiff = 0;
    for (size_t i = 0; i < xf.size(); ++i) {
      const double dd = std::fabs(double(xf[i]) - st.x_final[i]);
      maxd = std::max(maxd, dd);
      ndiff += xf[i] != st.x_final[i] || std::signbit(xf[i]) != std::signbit(st.x_final[i]);
    }
    std::printf("{\"encoder_threads\": %d, \"decoder_threads\": %d, \"steps\": %d, \"latent_values\": %zu, \"max_abs_diff\": %g, \"values_differing\": %zu, \"payload_bytes\": %zu}\n",
                et, dt, st.kept_steps, xf.size(), maxd, ndiff, payload.size());
  }
  return 0;
}

// --cuts MODEL FULL.dfc CUT.dfc...: decodes every CUT (truncations of FULL, e.g. by `diffcomp
// truncate`) in one pass over FULL (lossy::DecodePrefixes: the same pixels as decoding each CUT)
// and writes CUT.png beside each. Checks that each CUT's payload is a prefix of FULL's.
int Cuts(int argc, char** argv) {
  using namespace dc;
  auto wf = nn::LoadWeights(argv[2]);
  if (!wf.ok()) return std::fprintf(stderr, "%s\n", wf.status().message().c_str()), 1;
  auto net = lossy::LdmNet::FromWeights(*wf);
  if (!net.ok()) return std::fprintf(stderr, "%s\n", net.status().message().c_str()), 1;
  auto full = extras::ReadFile(argv[3]);
  if (!full.ok()) return std::fprintf(stderr, "%s\n", full.status().message().c_str()), 1;
  auto h = container::Parse(full->data(), full->size());
  if (!h.ok() || h->codec != DC_CODEC_IMAGE_LOSSY || h->fingerprint != wf->fingerprint)
    return std::fprintf(stderr, "%s: not an image-lossy file of this model\n", argv[3]), 1;
  const uint8_t* payload = full->data() + h->payload_offset;
  std::vector<std::pair<int, std::string>> cuts;
  for (int i = 4; i < argc; ++i) {
    auto c = extras::ReadFile(argv[i]);
    if (!c.ok()) return std::fprintf(stderr, "%s\n", c.status().message().c_str()), 1;
    auto ch = container::Parse(c->data(), c->size());
    if (!ch.ok() || ch->payload_size > h->payload_size ||
        std::memcmp(c->data() + ch->payload_offset, payload, ch->payload_size) != 0)
      return std::fprintf(stderr, "%s: not a truncation of %s\n", argv[i], argv[3]), 1;
    auto v = rcc::ParseProgressive(c->data() + ch->payload_offset, ch->payload_size);
    if (!v.ok()) return std::fprintf(stderr, "%s: %s\n", argv[i], v.status().message().c_str()), 1;
    cuts.emplace_back(static_cast<int>(v->segments.size()), std::string(argv[i]));
  }
  std::sort(cuts.begin(), cuts.end());
  std::vector<int> prefixes;
  for (const auto& c : cuts)
    if (prefixes.empty() || prefixes.back() != c.first) prefixes.push_back(c.first);
  lossy::DecodeOptions d;
  d.threads = 2;
  Status bad;
  Status s = lossy::DecodePrefixes(*net, payload, h->payload_size, h->width, h->height, h->channels, d, prefixes,
                                   [&](int k, const std::vector<uint8_t>& px) {
                                     extras::Image im;
                                     im.width = h->width;
                                     im.height = h->height;
                                     im.channels = h->channels;
                                     im.pixels = px;
                                     auto png = extras::EncodePng(im);
                                     for (const auto& c : cuts) {
                                       if (c.first != k) continue;
                                       std::string out = c.second;
                                       if (out.size() > 4 && out.compare(out.size() - 4, 4, ".dfc") == 0) out.resize(out.size() - 4);
                                       out += ".png";
                                       Status w = png.ok() ? extras::WriteFileAtomic(out, png->data(), png->size(), true) : png.status();
                                       if (!w.ok()) bad = w;
                                       std::printf("{\"cut\": \"%s\", \"steps\": %d, \"png\": \"%s\"}\n", c.second.c_str(), k, out.c_str());
                                     }
                                   });
  if (!s.ok() || !bad.ok()) return std::fprintf(stderr, "%s\n", (!s.ok() ? s : bad).message().c_str()), 1;
  return 0;
}

int Video(char** argv) {
  dc::extras::VideoFile v[2];
  for (int i = 0; i < 2; ++i) {
    auto bytes = dc::extras::ReadFile(argv[2 + i]);
    if (!bytes.ok()) return std::fprintf(stderr, "%s: %s\n", argv[2 + i], bytes.status().message().c_str()), 1;
    auto f = dc::extras::ParseVideo(bytes->data(), bytes->size(), 0, 0, "");
    if (!f.ok()) return std::fprintf(stderr, "%s: %s\n", argv[2 + i], f.status().message().c_str()), 1;
    v[i] = std::move(f).value();
  }
  if (v[0].width != v[1].width || v[0].height != v[1].height || v[0].chroma != v[1].chroma || v[0].frames != v[1].frames)
    return std::fprintf(stderr, "the two videos differ in geometry or frame count\n"), 1;
  const uint64_t fb = dc::container::VideoFrameBytes(v[0].width, v[0].height, v[0].chroma);
  const size_t luma = static_cast<size_t>(v[0].width) * v[0].height;
  const auto psnr = [](double mse) { return mse > 0 ? 10.0 * std::log10(255.0 * 255.0 / mse) : 99.0; };
  for (uint64_t f = 0; f < v[0].frames; ++f) {
    const uint8_t* a = v[0].data.data() + f * fb;
    const uint8_t* b = v[1].data.data() + f * fb;
    double sy = 0, sall = 0;
    for (size_t i = 0; i < fb; ++i) {
      const double d = static_cast<double>(a[i]) - b[i];
      sall += d * d;
      if (i < luma) sy += d * d;
    }
    dc::extras::Image ya{v[0].width, v[0].height, 1, std::vector<uint8_t>(a, a + luma)};
    dc::extras::Image yb{v[0].width, v[0].height, 1, std::vector<uint8_t>(b, b + luma)};
    auto m = dc::extras::MsSsim(ya, yb);
    if (!m.ok()) return std::fprintf(stderr, "frame %llu: %s\n", (unsigned long long)f, m.status().message().c_str()), 1;
    std::printf("{\"frame\": %llu, \"psnr_y\": %.6f, \"psnr_yuv\": %.6f, \"msssim_y\": %.8f}\n", (unsigned long long)f,
                psnr(sy / luma), psnr(sall / fb), *m);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--video") return Video(argv);
  if (argc >= 5 && std::string(argv[1]) == "--cuts") return Cuts(argc, argv);
  if (argc >= 4 && std::string(argv[1]) == "--steps") return Steps(argc, argv);
  if (argc >= 4 && std::string(argv[1]) == "--drift") return Drift(argv);
  if (argc < 3) {
    std::fprintf(stderr, "usage: diffcomp-lossy-eval REF.png DIST.png [DIST.png...]\n");
    return 2;
  }
  auto ref = Load(argv[1]);
  if (!ref.ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[1], ref.status().message().c_str());
    return ref.status().code();
  }
  int rc = 0;
  for (int i = 2; i < argc; ++i) {
    auto d = Load(argv[i]);
    if (!d.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[i], d.status().message().c_str());
      rc = d.status().code();
      continue;
    }
    auto p = dc::extras::Psnr(*ref, *d);
    auto m = dc::extras::MsSsim(*ref, *d);
    if (!p.ok() || !m.ok()) {
      std::fprintf(stderr, "%s: %s\n", argv[i], (!p.ok() ? p.status() : m.status()).message().c_str());
      rc = DC_ERR_INVALID_ARGUMENT;
      continue;
    }
    std::printf("{\"ref\": \"%s\", \"dist\": \"%s\", \"psnr\": %.6f, \"msssim\": %.8f}\n", argv[1], argv[i],
                std::isinf(*p) ? 99.0 : *p, *m);
  }
  return rc;
}
