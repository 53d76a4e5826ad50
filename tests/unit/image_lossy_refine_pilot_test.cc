// The refinement pilot of docs/codecs/image-lossy.md ("Revision 2", "Pilot"): bits and PSNR of
// each refinement design on real photos. Disabled; run with
//   REFINE_PILOT=orig.png:rec.png,... diffcomp_tests --gtest_also_run_disabled_tests --gtest_filter='RefinePilot.*'
// (here, not beside refine.cc, because it reads PNG files through extras/).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "codecs/image_lossy/refine.h"
#include "extras/file_io.h"
#include "extras/image_io.h"

namespace dc::lossy::refine {
namespace {

// Pilot measurement (docs/codecs/image-lossy.md, "Revision 2: pilot"): REFINE_PILOT names
// pairs "original.png:reconstruction.png,..." (the reconstruction: the full-rate revision 1
// decode). Prints bits per pixel and PSNR after each pass for each design.
TEST(RefinePilot, DISABLED_Measure) {
  const char* env = std::getenv("REFINE_PILOT");
  if (!env) GTEST_SKIP() << "set REFINE_PILOT";
  std::stringstream ss(env);
  std::string pair;
  struct Design {
    const char* name;
    std::vector<int> steps;
    int predictor;
    bool embedded = false;
    bool split_blend = false;
    bool deadzone = false;
  };
  const std::vector<Design> designs = {
      {"A: re-quantize, no prediction", {16, 8, 4, 2, 1}, 0},
      {"B: re-quantize, G guides R and B", {16, 8, 4, 2, 1}, 1},
      {"D: re-quantize, blended prediction", {16, 8, 4, 2, 1}, 3},
      {"E: blend, then interval splits (neighbour mean)", {16, 8, 4, 2, 1}, 3, true},
      {"F: blend, then interval splits (blended) = shipped", {16, 8, 4, 2, 1}, 3, true, true},
      {"F from step 8", {8, 4, 2, 1}, 3, true, true},
      {"F first pass at step 1 (plain lossless DPCM)", {1}, 3, true, true},
      {"G: F with a deadzone (embedded) quantizer", {32, 16, 8, 4, 2, 1}, 3, true, true, true},
      {"G: F with a deadzone (embedded) quantizer", {16, 8, 4, 2, 1}, 3, true, true, true},
      // Session 7: coarser first passes, to give rates between the last latent step and step 16.
      {"F from step 32", {32, 16, 8, 4, 2, 1}, 3, true, true},
      {"F from step 64", {64, 32, 16, 8, 4, 2, 1}, 3, true, true},
  };

  while (std::getline(ss, pair, ',')) {
    const size_t colon = pair.find(':');
    auto a = extras::ReadFile(pair.substr(0, colon));
    auto b = extras::ReadFile(pair.substr(colon + 1));
    ASSERT_TRUE(a.ok() && b.ok());
    auto ia = extras::DecodePng(a->data(), a->size());
    auto ib = extras::DecodePng(b->data(), b->size());
    ASSERT_TRUE(ia.ok() && ib.ok());
    const double px = double(ia->width) * ia->height;
    for (const Design& d : designs) {
      std::vector<uint8_t> rec = ib->pixels;
      double bits = 0;
      std::printf("%s | %s |", pair.substr(0, colon).c_str(), d.name);
      Intervals iv;
      int pass = 0;
      for (int step : d.steps) {
        std::vector<uint8_t> seg;
        PilotKnobs k;
        k.predictor = d.predictor;
        k.embedded = d.embedded;
        k.split_blend = d.split_blend;
        k.deadzone = d.deadzone;
        ASSERT_TRUE(EncodePass(ia->pixels.data(), rec.data(), &iv, ia->width, ia->height, 3, pass++, step, &seg, k).ok());
        bits += 8.0 * seg.size();
        double se = 0;
        for (size_t i = 0; i < rec.size(); ++i) se += (double(rec[i]) - ia->pixels[i]) * (double(rec[i]) - ia->pixels[i]);
        const double mse = se / rec.size();
        std::printf(" %d: %.3f bpp %.2f dB;", step, bits / px, mse > 0 ? 10 * std::log10(255.0 * 255.0 / mse) : 99.0);
      }
      std::printf("\n");
    }
  }
}

}  // namespace
}  // namespace dc::lossy::refine
