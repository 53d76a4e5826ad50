// diffcomp-image-lossless-rev: codes PNG/PPM images with image-lossless at a chosen revision,
// decodes and compares, and prints payload bytes and CPU seconds. A developer's tool for
// revision comparisons and ablations in one process (timings comparable within a run); the
// CLI (`diffcomp compress`) always writes the latest revision.
// Usage: diffcomp-image-lossless-rev [-r REV]... [-T THREADS] [-t TILE] FILE...
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "models/model_store.h"
#include "codecs/image_lossless/image_lossless.h"
#include "extras/image_io.h"

namespace {
double Cpu() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
}  // namespace

int main(int argc, char** argv) {
  std::vector<int> revs;
  int threads = 1;
  uint32_t tile = dc::adm::kDefaultTileSize;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "-r") && i + 1 < argc) revs.push_back(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "-T") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "-t") && i + 1 < argc) tile = static_cast<uint32_t>(std::atoi(argv[++i]));
    else files.push_back(argv[i]);
  }
  if (revs.empty()) revs = {dc::adm::kRevision1, dc::adm::kLatestRevision};
  auto model = dc::GetModel(DC_CODEC_IMAGE_LOSSLESS, nullptr);
  if (!model.ok()) {
    std::fprintf(stderr, "model: %s\n", model.status().message().c_str());
    return 1;
  }
  const dc::adm::AdmNet& net = *model.value()->image_lossless;
  std::vector<double> total_bytes(revs.size()), total_enc(revs.size()), total_dec(revs.size());
  double total_px = 0;
  int rc = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto img = dc::extras::DecodeImage(data.data(), data.size());
    if (!img.ok()) {
      std::fprintf(stderr, "%s: %s\n", f.c_str(), img.status().message().c_str());
      rc = 1;
      continue;
    }
    const auto& im = img.value();
    total_px += static_cast<double>(im.width) * im.height;
    std::printf("%s %ux%ux%u", f.c_str(), im.width, im.height, im.channels);
    for (size_t r = 0; r < revs.size(); ++r) {
      dc::adm::CodecOptions o;
      o.threads = threads;
      o.tile_size = tile;
      o.revision = revs[r];
      std::vector<uint8_t> payload;
      double t0 = Cpu();
      dc::Status s = dc::adm::EncodeImage(net, {im.pixels.data(), im.width, im.height, im.channels}, o, &payload, nullptr);
      const double enc = Cpu() - t0;
      std::vector<uint8_t> out(im.pixels.size());
      t0 = Cpu();
      if (s.ok()) s = dc::adm::DecodeImage(net, payload.data(), payload.size(), im.width, im.height, im.channels, o, out.data());
      const double dec = Cpu() - t0;
      const bool same = s.ok() && out == im.pixels;
      if (!same) rc = 1;
      total_bytes[r] += static_cast<double>(payload.size());
      total_enc[r] += enc;
      total_dec[r] += dec;
      std::printf("  rev%d %zu B enc %.2f s dec %.2f s%s", revs[r], payload.size(), enc, dec, same ? "" : " ROUND TRIP FAILED");
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  for (size_t r = 0; r < revs.size(); ++r)
    std::printf("total rev%d: %.0f bytes, CPU enc %.2f s (%.3f MP/CPU-s) dec %.2f s (%.3f MP/CPU-s)\n", revs[r], total_bytes[r],
                total_enc[r], total_px / 1e6 / total_enc[r], total_dec[r], total_px / 1e6 / total_dec[r]);
  return rc;
}
