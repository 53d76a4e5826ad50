/* diffcomp inspection API: the signal-lossy codec's diffusion made visible, step by step.
 *
 * For teaching and tools (docs/tutorial-1d.md, examples/tutorial_1d.cc), not needed to code:
 * a trace encodes one channel with signal-lossy as dc_compress does, then replays the decoder's
 * reverse process one diffusion step at a time and keeps, for every prefix of j steps, the
 * decoder's state y_j (noisy block-DCT coefficients, shown in the time domain), its output, and
 * what the step cost. The replay is checked against the codec's own prefix decoder (a mismatch is
 * DC_ERR_INTERNAL). The forward process y = x + sigma_j eps can be drawn for any step of the
 * schedule. Part of libdiffcomp (C ABI, dc_ symbols; CHANGELOG.md).
 */
#ifndef DIFFCOMP_INSPECT_H_
#define DIFFCOMP_INSPECT_H_

#include "diffcomp/diffcomp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dc_slossy_trace dc_slossy_trace;

/* Facts of a trace; pointers are owned by the trace. */
typedef struct {
  uint64_t frames;        /* samples of the traced channel */
  uint32_t block_log2;    /* block DCT of 2^block_log2 samples */
  uint64_t blocks;
  int32_t chunk_bits;     /* rcc: 2^chunk_bits candidates per chunk */
  int32_t step_q;         /* sigma^2 falls by 2^(-step_q / 8) per step */
  uint32_t steps;         /* diffusion steps coded (J) */
  uint32_t max_steps;     /* the schedule's last step */
  uint64_t header_bytes;  /* payload bytes before step 1 (the codec header, with the envelope) */
  const uint8_t* payload; /* the codec payload (what dc_compress puts in the container) */
  uint64_t payload_size;
} dc_slossy_trace_info;

/* Prefix j of the reverse process (j = 0: the header only). Pointers owned by the trace. */
typedef struct {
  uint32_t step;          /* j */
  double sigma;           /* noise std reached after step j (j = 0: the chain's start) */
  uint32_t coded_coefs;   /* step j: coefficients coded (0 for j = 0) */
  uint32_t chunks;        /* step j: rcc chunks */
  double kl_bits;         /* step j: KL of the coded posterior, bits */
  uint64_t payload_end;   /* payload bytes once step j is in */
  uint64_t segment_bytes; /* step j's segment (without its length field) */
  const double* held;     /* the decoder's state y_j in the time domain (inverse DCT, unrounded), frames values */
  const int32_t* decoded; /* the decoder's output from j steps, frames values */
} dc_slossy_trace_step;

/* Encodes samples (one channel, frames values, bit_depth significant bits) with signal-lossy up
 * to params->snr_db (0: the codec's default) on params->threads, and replays every prefix.
 * Memory: two frames-long vectors per step. */
dc_error dc_slossy_trace_run(const int32_t* samples, uint64_t frames, uint32_t bit_depth, const dc_params* params,
                             dc_slossy_trace** out);
dc_error dc_slossy_trace_get_info(const dc_slossy_trace* t, dc_slossy_trace_info* out);
dc_error dc_slossy_trace_get_step(const dc_slossy_trace* t, uint32_t j, dc_slossy_trace_step* out);
/* The schedule: noise std of the chain at step j (0 <= j <= max_steps); -1 if out of range. */
double dc_slossy_trace_sigma(const dc_slossy_trace* t, uint32_t j);
/* Forward diffusion to step j of the schedule: y = x + sigma_j eps in the block-DCT domain with
 * eps one fixed standard normal draw (Philox, seed), shown in the time domain (frames values). */
dc_error dc_slossy_trace_forward(const dc_slossy_trace* t, uint32_t j, uint64_t seed, double* out);
void dc_slossy_trace_free(dc_slossy_trace* t);

#ifdef __cplusplus
}
#endif
#endif /* DIFFCOMP_INSPECT_H_ */
