// diffcomp-lossy-research: the image-lossy codec's internals on one image, for schedule work
// and the benchmark's one-pass decode of cuts (scripts/bench-image-lossy.py). A development
// tool built with the tests (it uses src/ internals; the shipped programs use only the public
// headers). Metrics: diffcomp-lossy-eval (programs/lossy_eval.cc).
//
//   diffcomp-lossy-research --steps MODEL.dcw IMG.png [THREADS] [LAMBDAS] [CHUNK_BITS] [DECODE_STEPS]
// encodes IMG with image-lossy through the library's internals and, for every prefix of steps,
// prints one JSON object: step, log-SNR, KL bits, coded bits, bpp, PSNR, MS-SSIM of the decoded
// prefix, and seconds (schedule exploration; LAMBDAS comma-separated, from the start level).
//
//   diffcomp-lossy-research --drift MODEL.dcw IMG.png
// encoder on 1 thread vs decoder on 2 threads and the reverse: how far the decoder's x_{t*} is
// from the encoder's (max |difference|, number of differing values).
//
//   diffcomp-lossy-research --cuts MODEL.dcw FULL.dfc CUT.dfc...
// decodes the truncations CUT of FULL in one pass (lossy::DecodePrefixes) and writes CUT.png.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "codecs/image_lossy/image_lossy.h"
#include "common/status.h"
#include "container/container.h"
#include "extras/file_io.h"
#include "extras/image_io.h"
#include "extras/metrics.h"
#include "nn/weights.h"
#include "rcc/progressive.h"

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

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[1]) == "--cuts") return Cuts(argc, argv);
  if (argc >= 4 && std::string(argv[1]) == "--steps") return Steps(argc, argv);
  if (argc >= 4 && std::string(argv[1]) == "--drift") return Drift(argv);
  std::fprintf(stderr, "usage: diffcomp-lossy-research --steps|--drift|--cuts MODEL.dcw ...\n");
  return 2;
}
