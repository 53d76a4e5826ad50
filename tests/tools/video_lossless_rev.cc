// diffcomp-video-lossless-rev: codes Y4M sequences with video-lossless at chosen revisions,
// decodes and compares every frame, and prints payload bytes and CPU seconds. A developer's tool
// for revision comparisons in one process (timings comparable within a run); the CLI
// (`diffcomp compress`) always writes the latest revision.
// Usage: diffcomp-video-lossless-rev [-r REV]... [-T THREADS] [-t TILE] [-n FRAMES] [-k KEYINT] FILE.y4m...
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "codecs/video_lossless/video_lossless.h"
#include "extras/y4m.h"
#include "models/model_store.h"

namespace {
double Cpu() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
}  // namespace

int main(int argc, char** argv) {
  std::vector<int> revs;
  int threads = 1;
  uint32_t tile = dc::video::kDefaultTileSize, keyint = dc::video::kDefaultKeyint;
  uint64_t max_frames = 0;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "-r") && i + 1 < argc) revs.push_back(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "-T") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "-t") && i + 1 < argc) tile = static_cast<uint32_t>(std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "-n") && i + 1 < argc) max_frames = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "-k") && i + 1 < argc) keyint = static_cast<uint32_t>(std::atoi(argv[++i]));
    else files.push_back(argv[i]);
  }
  if (revs.empty()) revs = {static_cast<int>(dc::video::kRevision1), static_cast<int>(dc::video::kLatestRevision)};
  auto model = dc::GetModel(DC_CODEC_VIDEO_LOSSLESS, nullptr);
  if (!model.ok()) {
    std::fprintf(stderr, "model: %s\n", model.status().message().c_str());
    return 1;
  }
  const dc::adm::AdmNet& net = *model.value()->image_lossless;
  int rc = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto y4m = dc::extras::DecodeY4m(data.data(), data.size());
    if (!y4m.ok()) {
      std::fprintf(stderr, "%s: %s\n", f.c_str(), y4m.status().message().c_str());
      rc = 1;
      continue;
    }
    const auto& v = y4m.value();
    dc::video::Geometry g;
    g.width = v.width;
    g.height = v.height;
    g.chroma = v.chroma == 444 ? dc::video::kChroma444 : dc::video::kChroma420;
    const uint64_t n = max_frames && max_frames < v.frames.size() ? max_frames : v.frames.size();
    std::vector<uint8_t> frames;
    for (uint64_t i = 0; i < n; ++i) frames.insert(frames.end(), v.frames[i].begin(), v.frames[i].end());
    const uint32_t t = std::min(tile, std::max<uint32_t>(dc::adm::kMinTileSize, std::max(v.width, v.height)));
    std::printf("%s %ux%u %llu frames", f.c_str(), v.width, v.height, static_cast<unsigned long long>(n));
    for (const int rev : revs) {
      dc::adm::CodecOptions o;
      o.threads = threads;
      o.tile_size = t;
      o.revision = rev;
      std::vector<uint8_t> payload;
      double t0 = Cpu();
      dc::Status s = dc::video::EncodeVideo(net, g, frames.data(), n, keyint, o, &payload, nullptr, nullptr);
      const double enc = Cpu() - t0;
      bool same = s.ok();
      t0 = Cpu();
      if (same) {
        auto idx = dc::video::ParseIndex(payload.data(), payload.size(), n);
        same = idx.ok();
        if (same) {
          dc::video::FrameDecoder dec(&net, g, keyint, o, payload.data(), std::move(idx).value());
          std::vector<uint8_t> out(g.frame_bytes());
          for (uint64_t i = 0; i < n && same; ++i)
            same = dec.Decode(i, out.data()).ok() && std::memcmp(out.data(), frames.data() + i * g.frame_bytes(), out.size()) == 0;
        }
      }
      const double dec = Cpu() - t0;
      if (!same) rc = 1;
      std::printf("  rev%d %zu B enc %.2f s dec %.2f s%s", rev, payload.size(), enc, dec, same ? "" : " ROUND TRIP FAILED");
      std::fflush(stdout);
    }
    std::printf("\n");
  }
  return rc;
}
