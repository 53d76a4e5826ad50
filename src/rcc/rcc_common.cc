// What encoder and decoder share: the dimension permutation, the reconstruction of the sample
// from the chosen candidates, and the index distribution.
#include <algorithm>

#include "common/parallel.h"

#include "rcc/rcc.h"

namespace dc::rcc {

std::vector<uint32_t> Permutation(uint64_t seed, uint32_t step, size_t n) {
  std::vector<uint32_t> perm(n);
  for (size_t i = 0; i < n; ++i) perm[i] = static_cast<uint32_t>(i);
  if (n < 2) return perm;
  const std::array<uint32_t, 2> key = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
  // Fisher-Yates from the top: swap position i with j = floor(r * (i + 1) / 2^32), r the next
  // 32-bit word of the stream {block, 0, kPermChunk, step} (4 words per block). The tiny bias of
  // the multiply-shift does not matter: both sides draw the same permutation.
  std::array<uint32_t, 4> words{};
  uint32_t block = 0;
  int used = 4;
  for (size_t i = n - 1; i > 0; --i) {
    if (used == 4) {
      words = Philox4x32({block++, 0, kPermChunk, step}, key);
      used = 0;
    }
    const uint64_t r = words[used++];
    const size_t j = static_cast<size_t>((r * (uint64_t{i} + 1)) >> 32);
    std::swap(perm[i], perm[j]);
  }
  return perm;
}

Status Reconstruct(const float* mu_p, float sigma, size_t n, uint64_t seed, uint32_t step,
                   const std::vector<uint32_t>& perm, const std::vector<uint32_t>& index, int threads,
                   float* x) {
  const size_t chunks = index.empty() ? 1 : index.size();
  // Enough chunks per task that thread start-up does not dominate small steps.
  const size_t per_task = std::max<size_t>(1, (1u << 16) / std::max<size_t>(1, n / chunks + 1));
  const size_t tasks = (chunks + per_task - 1) / per_task;
  return ParallelFor(tasks, n < (1u << 15) ? 1 : threads, [&](uint64_t t) -> Status {
    std::vector<float> z;
    for (size_t c = t * per_task; c < std::min(chunks, (t + 1) * per_task); ++c) {
      const size_t a = ChunkStart(c, chunks, n), b = ChunkStart(c + 1, chunks, n);
      z.resize(b - a);
      StdNormals(seed, step, static_cast<uint32_t>(c), index.empty() ? 0 : index[c], b - a, z.data());
      for (size_t k = a; k < b; ++k) {
        const uint32_t dim = perm[k];
        x[dim] = mu_p[dim] + sigma * z[k - a];
      }
    }
    return Status::Ok();
  }, nullptr);
}

// Index distribution: uniform over the 2^chunk_bits candidates (see docs/rcc.md for why).
double IndexCostBits(uint32_t, int chunk_bits) { return chunk_bits; }

void PutIndex(rans::Encoder* enc, uint32_t index, int chunk_bits) { enc->PutBits(index, chunk_bits); }

Status GetIndex(rans::Decoder* dec, int chunk_bits, uint32_t* index) { return dec->GetBits(chunk_bits, index); }

}  // namespace dc::rcc
