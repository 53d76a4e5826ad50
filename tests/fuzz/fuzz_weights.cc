// libFuzzer target: a model file (.dcw) from untrusted bytes. nn::ParseWeights, then
// adm::AdmNet::FromWeights; a model that loads and is small is then used for a lossless
// round trip of a tiny RGBA image (the decoder must give back the pixels, whatever the weights:
// huge, infinite or NaN outputs included).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "codecs/image_lossless/adm_net.h"
#include "codecs/image_lossless/image_lossless.h"
#include "nn/weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto w = dc::nn::ParseWeights(data, size);
  if (!w.ok()) return 0;
  auto net = dc::adm::AdmNet::FromWeights(w.value());
  if (!net.ok()) return 0;
  if (net->parameters() > 20000) return 0;  // keep each run fast

  constexpr uint32_t kW = 5, kH = 3, kC = 4;
  uint8_t pixels[kW * kH * kC];
  for (uint32_t i = 0; i < sizeof(pixels); ++i) pixels[i] = static_cast<uint8_t>(i * 37 + (i % 4) * 91);
  dc::adm::CodecOptions opt;
  opt.threads = 1;
  opt.tile_size = dc::adm::kMinTileSize;
  std::vector<uint8_t> payload;
  dc::adm::EncodeStats stats;
  const dc::Status s = dc::adm::EncodeImage(net.value(), {pixels, kW, kH, kC}, opt, &payload, &stats);
  if (!s.ok()) std::abort();
  uint8_t decoded[sizeof(pixels)];
  const dc::Status d = dc::adm::DecodeImage(net.value(), payload.data(), payload.size(), kW, kH, kC, opt, decoded);
  if (!d.ok() || std::memcmp(decoded, pixels, sizeof(pixels)) != 0) std::abort();
  return 0;
}
