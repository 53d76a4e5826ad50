// Training of the lossless video model (libtorch side).
#ifndef DIFFCOMP_TRAIN_TRAIN_VIDEO_LOSSLESS_H_
#define DIFFCOMP_TRAIN_TRAIN_VIDEO_LOSSLESS_H_

#include "common/status.h"
#include "diffcomp/train.h"

namespace dc::train {
Status TrainVideoLossless(const dc_train_params& p);
}  // namespace dc::train

#endif  // DIFFCOMP_TRAIN_TRAIN_VIDEO_LOSSLESS_H_
