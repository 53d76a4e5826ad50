// Decoder side of the reverse channel coder: reads the chunk count and the indices of one step
// segment and regenerates the chosen candidates. Every field is checked (untrusted data).
#include <cmath>
#include <string>

#include "common/bytes.h"
#include "rcc/rcc.h"

namespace dc::rcc {

Status DecodeGaussian(const float* mu_p, float sigma, size_t n, const RccConfig& cfg,
                      const uint8_t* data, size_t size, float* x_out) {
  if (cfg.chunk_bits < kMinChunkBits || cfg.chunk_bits > kMaxChunkBits)
    return Error(DC_ERR_INVALID_ARGUMENT, "rcc: chunk_bits out of range");
  if (n >= kReservedChunk) return Error(DC_ERR_TOO_LARGE, "rcc: too many dimensions in one step");
  if ((n && (!mu_p || !x_out)) || (size && !data)) return Error(DC_ERR_INVALID_ARGUMENT, "rcc: null argument");
  if (!(sigma > 0.0f) || !std::isfinite(sigma)) return Error(DC_ERR_INVALID_ARGUMENT, "rcc: sigma must be positive and finite");
  ByteReader r(data, size);
  uint64_t chunks;
  RETURN_IF_ERROR(r.Varint(&chunks));
  if (chunks > n) return Error(DC_ERR_CORRUPT, "rcc: step segment has more chunks than dimensions");
  std::vector<uint32_t> index;
  if (chunks > 0) {
    // Each index costs more than one bit (its length symbol alone: f(b) < 2^15), so a count far beyond
    // the bytes present is caught before the allocation.
    if (chunks > 8 * uint64_t{r.remaining()} + 8) return Error(DC_ERR_TRUNCATED, "rcc: step segment too short for its chunk count");
    index.resize(chunks);
    rans::Decoder dec;
    RETURN_IF_ERROR(dec.Init(r.pos(), r.remaining()));
    for (auto& i : index) RETURN_IF_ERROR(GetIndex(&dec, cfg.chunk_bits, &i));
    RETURN_IF_ERROR(dec.Finish());
  } else if (r.remaining() != 0) {
    return Error(DC_ERR_CORRUPT, "rcc: bytes after an empty step segment");
  }
  if (n == 0) return Status::Ok();
  const std::vector<uint32_t> perm = Permutation(cfg.seed, cfg.step, n);
  return Reconstruct(mu_p, sigma, n, cfg.seed, cfg.step, perm, index, cfg.threads, x_out);
}

}  // namespace dc::rcc
