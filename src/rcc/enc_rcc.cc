// Encoder side of the reverse channel coder: choice of the chunk count and, per chunk, of the
// candidate by the truncated Poisson functional representation. Only the indices matter to the
// decoder, but the choice is deterministic too (fixed-order arithmetic, per-chunk independent),
// so the bytes never depend on the thread count.
#include <algorithm>
#include <cmath>
#include <string>

#include "common/bytes.h"
#include "common/parallel.h"
#include "rcc/rcc.h"

namespace dc::rcc {
namespace {

Status CheckConfig(const RccConfig& cfg, size_t n) {
  if (cfg.chunk_bits < kMinChunkBits || cfg.chunk_bits > kMaxChunkBits)
    return Error(DC_ERR_INVALID_ARGUMENT, "rcc: chunk_bits " + std::to_string(cfg.chunk_bits) + " outside [" +
                                              std::to_string(kMinChunkBits) + ", " + std::to_string(kMaxChunkBits) + "]");
  if (n >= kReservedChunk) return Error(DC_ERR_TOO_LARGE, "rcc: too many dimensions in one step");
  return Status::Ok();
}

// The chosen candidate of one chunk: argmax over i < K of  w . z_i - ln T_i, where w = (mu_q -
// mu_p) / sigma on the chunk's dimensions (log q/p of candidate i is w . z_i - |w|^2 / 2) and
// T_i = E_0 + ... + E_i, E ~ Exp(1) i.i.d. (the Poisson process of the PFR).
uint32_t ChooseCandidate(const RccConfig& cfg, uint32_t chunk, const float* w, size_t d, std::vector<double>* dots,
                         std::vector<float>* log_t) {
  const uint32_t k = 1u << cfg.chunk_bits;
  dots->resize(k);
  log_t->resize(k);
  CandidateDots(cfg.seed, cfg.step, chunk, 0, k, w, d, dots->data());
  LogArrivals(cfg.seed, cfg.step, chunk, k, log_t->data());
  double best = -1e300;
  uint32_t arg = 0;
  for (uint32_t i = 0; i < k; ++i) {
    const double score = (*dots)[i] - static_cast<double>((*log_t)[i]);
    if (score > best) {
      best = score;
      arg = i;
    }
  }
  return arg;
}

}  // namespace

Status EncodeGaussian(const float* mu_p, const float* mu_q, float sigma, size_t n, const RccConfig& cfg,
                      std::vector<uint8_t>* out, float* x_out, RccStats* stats) {
  RETURN_IF_ERROR(CheckConfig(cfg, n));
  if (!out || (n && (!mu_p || !mu_q || !x_out))) return Error(DC_ERR_INVALID_ARGUMENT, "rcc: null argument");
  if (!(sigma > 0.0f) || !std::isfinite(sigma)) return Error(DC_ERR_INVALID_ARGUMENT, "rcc: sigma must be positive and finite");
  if (!(cfg.margin_bits >= 0.0) || !(cfg.margin_bits < cfg.chunk_bits))
    return Error(DC_ERR_INVALID_ARGUMENT, "rcc: margin_bits must be in [0, chunk_bits)");
  const std::vector<uint32_t> perm = Permutation(cfg.seed, cfg.step, n);
  // Normalised offsets in permuted order, and KL per dimension (bits).
  std::vector<float> w(n);
  double kl = 0;
  const double inv_sigma = 1.0 / static_cast<double>(sigma);
  for (size_t k = 0; k < n; ++k) {
    const uint32_t dim = perm[k];
    if (!std::isfinite(mu_p[dim]) || !std::isfinite(mu_q[dim]))
      return Error(DC_ERR_INVALID_ARGUMENT, "rcc: non-finite mean at dimension " + std::to_string(dim));
    const double dlt = (static_cast<double>(mu_q[dim]) - mu_p[dim]) * inv_sigma;
    w[k] = static_cast<float>(dlt);
    kl += 0.5 * dlt * dlt / std::log(2.0);
  }
  if (!std::isfinite(kl) || kl > 64.0 * static_cast<double>(n) * cfg.chunk_bits)
    return Error(DC_ERR_INVALID_ARGUMENT, "rcc: posterior too far from the prior (KL beyond 64 chunks per dimension)");
  // Chunk count: KL / (chunk_bits - margin) rounded up (at most n). The permutation makes every
  // chunk's KL close to the mean when chunks hold many dimensions; docs/rcc.md measures what the
  // spread costs.
  const double target = cfg.chunk_bits - cfg.margin_bits;
  size_t chunks = 0;
  if (n > 0 && kl > cfg.min_kl_bits) chunks = std::max<size_t>(1, std::min<size_t>(n, static_cast<size_t>(std::ceil(kl / target))));
  std::vector<uint32_t> index(chunks, 0);
  RETURN_IF_ERROR(ParallelFor(chunks, cfg.threads, [&](uint64_t c) -> Status {
    thread_local std::vector<double> dots;
    thread_local std::vector<float> log_t;
    const size_t a = ChunkStart(c, chunks, n), b = ChunkStart(c + 1, chunks, n);
    index[c] = ChooseCandidate(cfg, static_cast<uint32_t>(c), w.data() + a, b - a, &dots, &log_t);
    return Status::Ok();
  }, nullptr));
  const size_t before = out->size();
  ByteWriter bw(out);
  bw.Varint(chunks);
  if (chunks > 0) {
    rans::Encoder enc;
    for (uint32_t i : index) PutIndex(&enc, i, cfg.chunk_bits);
    RETURN_IF_ERROR(enc.Finish(out));
  }
  if (n) RETURN_IF_ERROR(Reconstruct(mu_p, sigma, n, cfg.seed, cfg.step, perm, index, cfg.threads, x_out));
  if (stats) {
    stats->kl_bits = kl;
    stats->bytes = out->size() - before;
    stats->chunks = static_cast<uint32_t>(chunks);
  }
  return Status::Ok();
}

}  // namespace dc::rcc
