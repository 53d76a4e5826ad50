// Codec header, schedule and the pieces encoder and decoder share.
#include <algorithm>
#include <cmath>
#include <string>

#include "codecs/image_lossy/image_lossy.h"
#include "codecs/image_lossy/lossy_internal.h"
#include "codecs/image_lossy/refine.h"
#include "common/bytes.h"
#include "diffusion/gaussian.h"
#include "nn/weights.h"
#include "rcc/progressive.h"

namespace dc::lossy {

Schedule DefaultSchedule() {
  Schedule s;
  // 12 steps: coarse where the latents carry little information, half units of log-SNR where
  // most of the quality is gained, one long last step (the autoencoder's ceiling is reached near
  // lambda 6; measured, docs/codecs/image-lossy.md).
  s.lambdas = {-12, -4, -2, 0, 1, 2, 2.5f, 3, 3.5f, 4, 5, 6, 7.5f};
  s.chunk_bits = 10;
  s.decode_steps = 0;
  s.decode_end = 12;
  s.seed = 0;
  return s;
}

int64_t CodecMacsPerPixel(const NetConfig& c) {
  const int64_t steps = static_cast<int64_t>(DefaultSchedule().lambdas.size()) - 1;
  return EncoderMacsPerPixel(c) + DecoderMacsPerPixel(c) + steps * DenoiserMacsPerPixel(c);
}

namespace {
int16_t Q(float lambda) { return static_cast<int16_t>(std::lround(lambda * 256.0f)); }
}  // namespace

std::vector<uint8_t> WriteHeader(const Schedule& s) {
  std::vector<uint8_t> out;
  ByteWriter w(&out);
  w.U8(kHeaderVersion);
  // flags: bit 0 colour transform; bit 1 refinement passes (revision 2); bits 2-7 reserved, zero
  w.U8(static_cast<uint8_t>((s.has_colour ? 1 : 0) | (s.refine_steps.empty() ? 0 : 2)));
  w.U64(s.seed);
  w.U8(static_cast<uint8_t>(s.chunk_bits));
  w.U8(static_cast<uint8_t>(s.decode_steps));
  w.U16(static_cast<uint16_t>(Q(s.decode_end)));
  w.U8(static_cast<uint8_t>(s.lambdas.size() - 1));
  for (float l : s.lambdas) w.U16(static_cast<uint16_t>(Q(l)));
  if (s.has_colour)
    for (float c : s.colour) w.U16(nn::FloatToHalf(c));
  if (!s.refine_steps.empty()) {
    w.U8(static_cast<uint8_t>(s.refine_steps.size()));
    for (int d : s.refine_steps) w.U8(static_cast<uint8_t>(d));
  }
  return out;
}

StatusOr<Schedule> ParseHeader(const uint8_t* data, size_t size, int revision) {
  if (revision != kRevision1 && revision != kRevision2)
    return Error(DC_ERR_UNSUPPORTED_VERSION, "image-lossy revision " + std::to_string(revision) + " is not 1 or 2");

  ByteReader r(data, size);
  uint8_t version, flags, chunk_bits, decode_steps, steps;
  uint16_t dend;
  uint64_t seed;
  RETURN_IF_ERROR(r.U8(&version));
  if (version != kHeaderVersion)
    return Error(DC_ERR_UNSUPPORTED_VERSION, "image-lossy header version " + std::to_string(version) + " is not 1");
  RETURN_IF_ERROR(r.U8(&flags));
  // Bit 1 (refinement passes) exists from revision 2 on; in a revision 1 payload it is reserved.
  if (flags & (revision >= kRevision2 ? 0xFC : 0xFE))
    return Error(DC_ERR_RESERVED_BITS, "image-lossy header: reserved flag bits set");
  RETURN_IF_ERROR(r.U64(&seed));
  RETURN_IF_ERROR(r.U8(&chunk_bits));
  RETURN_IF_ERROR(r.U8(&decode_steps));
  RETURN_IF_ERROR(r.U16(&dend));
  RETURN_IF_ERROR(r.U8(&steps));
  if (chunk_bits < 4 || chunk_bits > 16) return Error(DC_ERR_CORRUPT, "image-lossy header: chunk bits out of range");
  if (decode_steps > kMaxDecodeSteps) return Error(DC_ERR_CORRUPT, "image-lossy header: too many decoding steps");
  if (steps < 1 || steps > kMaxSteps) return Error(DC_ERR_CORRUPT, "image-lossy header: step count out of range");
  Schedule s;
  s.seed = seed;
  s.chunk_bits = chunk_bits;
  s.decode_steps = decode_steps;
  s.decode_end = static_cast<int16_t>(dend) / 256.0f;
  for (int i = 0; i <= steps; ++i) {
    uint16_t q;
    RETURN_IF_ERROR(r.U16(&q));
    const float l = static_cast<int16_t>(q) / 256.0f;
    if (std::fabs(l) > kMaxAbsLambda || (i > 0 && !(l > s.lambdas.back())))
      return Error(DC_ERR_CORRUPT, "image-lossy header: log-SNR schedule not increasing within [-30, 30]");
    s.lambdas.push_back(l);
  }
  if (std::fabs(s.decode_end) > kMaxAbsLambda) return Error(DC_ERR_CORRUPT, "image-lossy header: decoding end out of range");
  s.has_colour = (flags & 1) != 0;
  if (s.has_colour) {
    for (float& c : s.colour) {
      uint16_t h;
      RETURN_IF_ERROR(r.U16(&h));
      c = nn::HalfToFloat(h);
      if (!(std::fabs(c) <= kMaxColourCoef)) return Error(DC_ERR_CORRUPT, "image-lossy header: colour transform out of range");
    }
  }
  if (flags & 2) {
    uint8_t passes;
    RETURN_IF_ERROR(r.U8(&passes));
    if (passes < 1 || passes > refine::kMaxPasses)
      return Error(DC_ERR_CORRUPT, "image-lossy header: refinement pass count out of 1..16");
    for (int i = 0; i < passes; ++i) {
      uint8_t d;
      RETURN_IF_ERROR(r.U8(&d));
      s.refine_steps.push_back(d);
    }
    const Status st = refine::CheckSteps(s.refine_steps);
    if (!st.ok()) return Error(DC_ERR_CORRUPT, "image-lossy header: " + st.message());
  }
  if (r.remaining() != 0) return Error(DC_ERR_CORRUPT, "image-lossy header: bytes left over");
  return s;
}

int SegmentsForQuality(double quality, int revision, int steps, int passes) {
  const double q = std::min(100.0, std::max(0.0, quality));
  if (revision == kRevision1 || passes == 0) return static_cast<int>(std::lround(q / 100.0 * steps));
  if (q <= 80) return static_cast<int>(std::lround(q / 80.0 * steps));
  return steps + static_cast<int>(std::lround((q - 80) / 20.0 * passes));
}

namespace internal {

Status CheckSchedule(const Schedule& s, int revision) {
  if (revision != kRevision1 && revision != kRevision2)
    return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: revision " + std::to_string(revision) + " is not 1 or 2");
  if (revision == kRevision1 && !s.refine_steps.empty())
    return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: revision 1 has no refinement passes");
  const Status steps_ok = refine::CheckSteps(s.refine_steps);
  if (!steps_ok.ok()) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: " + steps_ok.message());
  if (s.lambdas.size() < 2 || s.lambdas.size() > kMaxSteps + 1)
    return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: schedule needs 1 to 64 steps");
  if (s.chunk_bits < 4 || s.chunk_bits > 16) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: chunk bits out of 4..16");
  if (s.decode_steps < 0 || s.decode_steps > kMaxDecodeSteps)
    return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: decoding steps out of 0..64");
  // Round trip through the header: the encoder must use exactly the values the decoder reads.
  const auto bytes = WriteHeader(s);
  auto back = ParseHeader(bytes.data(), bytes.size(), revision);
  if (!back.ok()) return Error(DC_ERR_INVALID_ARGUMENT, "image-lossy: bad schedule (" + back.status().message() + ")");
  return Status::Ok();
}

Latents::Latents(uint32_t width, uint32_t height, int channels)
    : h(static_cast<int>((height + kFactor - 1) / kFactor)),
      w(static_cast<int>((width + kFactor - 1) / kFactor)),
      n(static_cast<size_t>(channels) * h * w) {}

void StartNoise(const Schedule& s, size_t n, float* x) { rcc::StdNormals(s.seed, 0, 0, 0, n, x); }

void PriorMean(const LdmNet& net, const Latents& g, float lambda_t, float lambda_s, const float* x, int threads,
               float* mean, const float* z_true, float* mean_q) {
  std::vector<float> z0(g.n);
  net.Denoise(x, g.h, g.w, lambda_t, threads, z0.data());
  const diffusion::StepCoefs k = diffusion::PosteriorCoefs(lambda_t, lambda_s);
  diffusion::StepMean(k, x, z0.data(), g.n, mean);
  if (z_true) diffusion::StepMean(k, x, z_true, g.n, mean_q);
}

float StepSigma(float lambda_t, float lambda_s) { return diffusion::PosteriorCoefs(lambda_t, lambda_s).c; }

}  // namespace internal
}  // namespace dc::lossy
