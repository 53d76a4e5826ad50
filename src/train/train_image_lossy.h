// Training of the lossy image model (autoencoder + latent denoiser), dispatched by dc_train.
#ifndef DIFFCOMP_TRAIN_TRAIN_IMAGE_LOSSY_H_
#define DIFFCOMP_TRAIN_TRAIN_IMAGE_LOSSY_H_

#include "common/status.h"
#include "diffcomp/train.h"

namespace dc::train {
Status TrainImageLossy(const dc_train_params& p);
}  // namespace dc::train

#endif  // DIFFCOMP_TRAIN_TRAIN_IMAGE_LOSSY_H_
