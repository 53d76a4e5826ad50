// Counter-based random numbers for reverse channel coding: Philox4x32-10 (Salmon et al. 2011,
// "Parallel random numbers: as easy as 1, 2, 3"; checked against the Random123 known-answer
// vectors) and a standard-normal transform written in fixed-order IEEE single precision.
//
// Why our own: the decoder must regenerate the encoder's candidates bit for bit on any platform.
// std::*_distribution is implementation-defined and libm's log/sin/cos may differ in the last
// bit between library versions, so the transform below uses only integer operations, IEEE adds,
// multiplies, divides and sqrt (all correctly rounded), in a fixed order, compiled with
// -ffp-contract=off. Vector lanes are independent values, so the AVX2 and default builds
// (target_clones) compute the same bits (tested).
//
// Stream layout (normative for the lossy codecs, docs/rcc.md): the normals of candidate
// `candidate` of chunk `chunk` at diffusion step `step` come from the Philox blocks
//   counter = {j, candidate, chunk, step}, key = {seed & 0xFFFFFFFF, seed >> 32}, j = 0, 1, ...
// Block j gives normals 4j .. 4j+3: Box-Muller on (w0, w1) -> (z0, z1) and (w2, w3) -> (z2, z3).
// Chunk values >= kReservedChunk are reserved for the coder's own streams (the dimension
// permutation); a codec never uses them as chunk numbers.
#ifndef DIFFCOMP_RCC_PHILOX_H_
#define DIFFCOMP_RCC_PHILOX_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace dc::rcc {

constexpr uint32_t kReservedChunk = 0xFFFFFF00u;

// One Philox4x32-10 block.
std::array<uint32_t, 4> Philox4x32(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key);

// n standard normals of (seed, step, chunk, candidate), in the stream layout above: out[k] is
// normal k of the candidate, whatever n is (a prefix of a longer draw is the same values).
void StdNormals(uint64_t seed, uint32_t step, uint32_t chunk, uint32_t candidate, size_t n, float* out);

// The normal transform on one pair of 32-bit words: u = ((a >> 9) + 0.5) / 2^23 in (0, 1),
// r = sqrt(-2 ln u), theta = 2 pi ((b >> 8) + 0.5) / 2^24; z0 = r cos theta, z1 = r sin theta.
// |z| <= 5.8 (the largest r); relative error of each factor ~1e-7 (tested against double libm).
void BoxMuller(uint32_t a, uint32_t b, float* z0, float* z1);

// The building blocks, exposed for tests: ln(u) for u in (0, 1] (normal floats), and
// cos/sin(2 pi v / 2^24) for an integer v + 0.5 with v in [0, 2^24).
float DetLog(float u);
void DetSinCos2Pi(uint32_t v24, float* c, float* s);

// Encoder helper: for `count` consecutive candidates starting at cand0 of one chunk, the dot
// products dot[i] = sum_k w[k] * z_k(candidate cand0 + i), k < d, accumulated in double in the
// order k = 0, 1, ... (the same numbers StdNormals gives; much faster than drawing one
// candidate at a time because lanes are candidates).
void CandidateDots(uint64_t seed, uint32_t step, uint32_t chunk, uint32_t cand0, uint32_t count,
                   const float* w, size_t d, double* dot);

// Encoder helper: ln T_i, i < k, for the arrival times T_i = E_0 + ... + E_i of a unit Poisson
// process, E_i = -ln u_i from the stream {i / 4, chunk, kReservedChunk + 1, step} (u as in
// BoxMuller's first word). Deterministic like the rest.
void LogArrivals(uint64_t seed, uint32_t step, uint32_t chunk, uint32_t k, float* out);

}  // namespace dc::rcc

#endif  // DIFFCOMP_RCC_PHILOX_H_
