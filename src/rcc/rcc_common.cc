// What encoder and decoder share: the dimension permutation, the reconstruction of the sample
// from the chosen candidates, and the index distribution.
#include <algorithm>
#include <cmath>

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

// Index distribution. An index i < 2^chunk_bits is coded as its bit length b (0 for i = 0, else
// floor(log2 i) + 1, so b <= chunk_bits) under the fixed frequencies f(b) ~ (b + 4) out of 2^16,
// then the b - 1 bits of i below its leading one, raw. The PFR picks index i with probability
// roughly proportional to 1 / i (log-uniform), rising towards the top of the range when the
// chunk KL nears chunk_bits; this shape costs within 0.09 bits of the measured bit-length
// entropy at chunk_bits 8, 12, 16 and saves 1.5 to 2.7 bits per chunk against a uniform code
// (docs/rcc.md). Integer arithmetic only, so both sides build the same table.
namespace {

constexpr int kIndexPrecision = 16;
constexpr uint32_t kIndexShapeOffset = 4;

struct IndexTable {
  uint32_t start[kMaxChunkBits + 2];  // cumulative frequencies; start[b + 1] - start[b] = f(b)
};

IndexTable MakeIndexTable(int chunk_bits) {
  IndexTable t{};
  uint32_t sum = 0;
  for (int b = 0; b <= chunk_bits; ++b) sum += b + kIndexShapeOffset;
  uint32_t acc = 0;
  for (int b = 0; b <= chunk_bits; ++b) {
    t.start[b] = acc;
    acc += ((b + kIndexShapeOffset) << kIndexPrecision) / sum;
  }
  t.start[chunk_bits + 1] = 1u << kIndexPrecision;  // the rounding remainder goes to the last length
  return t;
}

const IndexTable& TableFor(int chunk_bits) {
  static const auto* tables = [] {
    auto* t = new IndexTable[kMaxChunkBits + 1];
    for (int cb = kMinChunkBits; cb <= kMaxChunkBits; ++cb) t[cb] = MakeIndexTable(cb);
    return t;
  }();
  return tables[chunk_bits];
}

int BitLength(uint32_t i) {
  int b = 0;
  while (b < 32 && (i >> b)) ++b;
  return b;
}

}  // namespace

double IndexCostBits(uint32_t index, int chunk_bits) {
  const IndexTable& t = TableFor(chunk_bits);
  const int b = BitLength(index);
  const double f = t.start[b + 1] - t.start[b];
  return kIndexPrecision - std::log2(f) + (b > 0 ? b - 1 : 0);
}

void PutIndex(rans::Encoder* enc, uint32_t index, int chunk_bits) {
  const IndexTable& t = TableFor(chunk_bits);
  const int b = BitLength(index);
  enc->Put(t.start[b], t.start[b + 1] - t.start[b], kIndexPrecision);
  if (b > 1) enc->PutBits(index, b - 1);  // PutBits keeps the low b - 1 bits
}

Status GetIndex(rans::Decoder* dec, int chunk_bits, uint32_t* index) {
  const IndexTable& t = TableFor(chunk_bits);
  const uint32_t v = dec->Peek(kIndexPrecision);
  int b = 0;
  while (t.start[b + 1] <= v) ++b;  // start[chunk_bits + 1] = 2^16 > v ends the scan
  RETURN_IF_ERROR(dec->Advance(t.start[b], t.start[b + 1] - t.start[b], kIndexPrecision));
  uint32_t low = 0;
  if (b > 1) RETURN_IF_ERROR(dec->GetBits(b - 1, &low));
  *index = b == 0 ? 0 : (1u << (b - 1)) | low;
  return Status::Ok();
}

}  // namespace dc::rcc
