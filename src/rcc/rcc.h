// Reverse channel coding of Gaussian diffusion steps (DiffC: Theis et al. 2022; Vonderfecht &
// Liu 2025). Method, stream layout and measured cost: docs/rcc.md.
//
// At one diffusion step the encoder knows the posterior q = N(mu_q, sigma^2 I) and both sides
// know the prior p = N(mu_p, sigma^2 I). The encoder sends an index that lets the decoder draw a
// sample distributed (approximately) as q, at a cost close to KL(q || p) bits:
//  - the n dimensions are shuffled by a permutation drawn from (seed, step) and cut into C
//    nearly equal chunks (chunk c holds permuted positions [c n / C, (c + 1) n / C));
//  - chunk c has K = 2^chunk_bits candidates, candidate i being the standard normals
//    StdNormals(seed, step, c, i, d_c) (philox.h);
//  - the encoder picks one per chunk by the Poisson functional representation truncated to K
//    (the candidate maximising log q/p - ln T_i, T_i the arrival times of a unit Poisson
//    process), and C is chosen so that each chunk carries about chunk_bits - margin_bits of KL;
//  - the decoder's sample is x = mu_p + sigma * eps_chosen on every dimension. It depends only
//    on (seed, step, chunk, index) through integer and fixed-order float arithmetic, so encoder
//    and decoder agree bit for bit.
//
// Step segment (self-contained; the progressive framing adds its length):
//   varint C (0 <= C <= n; C = 0 means no index: the decoder takes candidate 0 of one chunk
//   holding every dimension, a plain draw from the prior), then, if C > 0, one rANS stream
//   (entropy/rans.h) of the C chunk indices in chunk order under the fixed index distribution
//   of docs/rcc.md, which must end exactly at the segment's end.
#ifndef DIFFCOMP_RCC_RCC_H_
#define DIFFCOMP_RCC_RCC_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "entropy/rans.h"
#include "rcc/philox.h"

namespace dc::rcc {

constexpr int kMinChunkBits = 4;
constexpr int kMaxChunkBits = 16;

struct RccConfig {
  int chunk_bits = 12;  // log2 of the candidates per chunk, kMinChunkBits..kMaxChunkBits; the
                        // decoder must be given the encoder's value (codecs store it)
  uint64_t seed = 0;    // shared seed (codecs store it in their header)
  uint32_t step = 0;    // diffusion step number: a different candidate stream per step
  // Encoder only (the decoder never needs them):
  double margin_bits = 2.0;  // chunk KL target = chunk_bits - margin_bits (0 <= margin < chunk_bits)
  int threads = 1;           // worker threads over chunks; never changes the bytes
  // A step whose KL is at most this sends no index (C = 0: the decoder draws from the prior),
  // saving the index stream's few bytes where the step carries almost no information.
  double min_kl_bits = 0;
};

struct RccStats {
  double kl_bits = 0;  // KL(q || p) of the step in bits
  size_t bytes = 0;    // bytes appended (the segment)
  uint32_t chunks = 0; // C
};

// One step: appends the step's self-contained segment to *out; writes the sample the decoder
// will reconstruct to x_out[n]. mu_p, mu_q: n finite values; sigma > 0 finite. stats may be null.
// @return DC_ERR_INVALID_ARGUMENT on bad arguments (non-finite input, sigma <= 0, chunk_bits
// out of range, n >= kReservedChunk), DC_ERR_OUT_OF_MEMORY.
Status EncodeGaussian(const float* mu_p, const float* mu_q, float sigma, size_t n, const RccConfig& cfg,
                      std::vector<uint8_t>* out, float* x_out, RccStats* stats);

// Decodes one segment data[0, size) (exactly one, as EncodeGaussian wrote it) into x_out[n].
// Untrusted data: a short segment is DC_ERR_TRUNCATED, anything inconsistent (C > n, bytes left
// over, a rANS state that does not end cleanly) DC_ERR_CORRUPT.
Status DecodeGaussian(const float* mu_p, float sigma, size_t n, const RccConfig& cfg,
                      const uint8_t* data, size_t size, float* x_out);

// --- shared by encoder and decoder (exposed for tests) --------------------------------------

// The dimension permutation of (seed, step): perm[0..n) (a Fisher-Yates shuffle driven by the
// Philox stream of chunk kPermChunk).
constexpr uint32_t kPermChunk = kReservedChunk;
std::vector<uint32_t> Permutation(uint64_t seed, uint32_t step, size_t n);
// First permuted position of chunk c of C over n dimensions (c = C gives n).
inline size_t ChunkStart(size_t c, size_t chunks, size_t n) {
  return static_cast<size_t>((static_cast<unsigned __int128>(c) * n) / chunks);
}
// x[perm[k]] = mu_p[perm[k]] + sigma * z_k for the chosen candidate of every chunk; C = 0 is
// read as one chunk with index 0. Multi-threaded over chunks when threads > 1 (same bits).
Status Reconstruct(const float* mu_p, float sigma, size_t n, uint64_t seed, uint32_t step,
                 const std::vector<uint32_t>& perm, const std::vector<uint32_t>& index, int threads,
                 float* x);

// Index distribution (docs/rcc.md): cost in bits of index i among 2^chunk_bits, and the coder.
double IndexCostBits(uint32_t index, int chunk_bits);
void PutIndex(rans::Encoder* enc, uint32_t index, int chunk_bits);
Status GetIndex(rans::Decoder* dec, int chunk_bits, uint32_t* index);

}  // namespace dc::rcc

#endif  // DIFFCOMP_RCC_RCC_H_
