// diffcomp-lossy-eval: image quality of decoded files against their originals, for the lossy
// benchmarks (scripts/bench-image-lossy.py, scripts/bench-video-lossy.py). Metrics from
// diffcomp/extras/metrics.h; a client of the public headers only. (The codec-internal modes
// --steps, --drift and --cuts are diffcomp-lossy-research, tests/tools/lossy_research.cc.)
//
//   diffcomp-lossy-eval REF.png DIST.png [DIST.png...]
// prints one JSON object per DIST: {"ref":..., "dist":..., "psnr":..., "msssim":...}
// (PSNR over RGB with peak 255; a gray image decoded as gray is compared as gray).
//
//   diffcomp-lossy-eval --video REF.y4m DIST.y4m
// per frame, one JSON object: PSNR of Y, PSNR of all samples (Y, U, V pooled: one MSE over every
// sample of the three planes), MS-SSIM of Y (as above, one channel). Both Y4M, same geometry.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "diffcomp/extras.h"
#include "programs/status_macros.h"

namespace {

dc::StatusOr<dc::extras::Image> Load(const std::string& path) {
  ASSIGN_OR_RETURN(auto bytes, dc::extras::ReadFile(path));
  return dc::extras::DecodeImage(bytes.data(), bytes.size());
}

}  // namespace

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
  const uint64_t fb = static_cast<uint64_t>(v[0].width) * v[0].height +
      2 * (v[0].chroma == 444 ? static_cast<uint64_t>(v[0].width) * v[0].height
                              : static_cast<uint64_t>((v[0].width + 1) / 2) * ((v[0].height + 1) / 2));
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
