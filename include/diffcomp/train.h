/* diffcomp training API (libtorch; built when DC_ENABLE_TRAIN is on). */
#ifndef DIFFCOMP_TRAIN_H_
#define DIFFCOMP_TRAIN_H_

#include "diffcomp/diffcomp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  dc_codec codec;               /* DC_CODEC_IMAGE_LOSSLESS, DC_CODEC_SIGNAL_LOSSLESS, ... */
  const char* const* data;      /* training directories or files (PNG, CIFAR .bin; WAV, .hea, CSV) */
  int num_data;
  const char* const* holdout;   /* signal codecs: files used for validation only (may be NULL) */
  int num_holdout;
  double minutes;               /* wall-clock budget of the whole run (resumes included) */
  long long max_steps;          /* stop after this many steps, the schedule following steps
                                   instead of time (0 = time budget only) */
  const char* out_path;         /* model file to export (.dcw) */
  const char* checkpoint_path;  /* checkpoint written periodically (NULL: out_path + ".ckpt") */
  const char* resume_path;      /* checkpoint to resume from, or NULL */
  int threads;                  /* torch threads (0 = 2) */
  uint64_t seed;
  int features;                 /* network width (0 = default) */
  int trunk_blocks;             /* residual blocks in the trunk (-1 = default) */
  int head_blocks;              /* residual blocks in the head (-1 = default) */
  int mixtures;                 /* logistics per channel (0 = default) */
  int quiet;
  const char* command_line;     /* recorded in the model's provenance */
  /* Data-parallel training (c10d/Gloo). One process per rank; rank 0 validates, checkpoints and
   * exports. world_size 1 (or 0) trains alone. */
  int world_size;
  int rank;
  const char* master;           /* "HOST:PORT" of rank 0's rendezvous store (world_size > 1) */
  double timeout_s;             /* rendezvous and collectives (0 = 300 s) */
  const char* device;           /* "cpu" (default), "cuda" or "auto" */
  const char* loss_log;         /* rank 0 appends "step loss" lines here (tests), or NULL */
} dc_train_params;

void dc_train_params_init(dc_train_params* p);

/* Trains, checkpoints, validates and exports. Progress goes to stderr unless quiet.
 * @return DC_OK or an error code (message in dc_last_error_message). */
dc_error dc_train(const dc_train_params* p);

#ifdef __cplusplus
}
#endif
#endif /* DIFFCOMP_TRAIN_H_ */
