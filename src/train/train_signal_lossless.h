// Training of the lossless signal model ("sig1"), dispatched by dc_train.
#ifndef DIFFCOMP_TRAIN_TRAIN_SIGNAL_LOSSLESS_H_
#define DIFFCOMP_TRAIN_TRAIN_SIGNAL_LOSSLESS_H_

#include "common/status.h"
#include "diffcomp/train.h"

namespace dc::train {
Status TrainSignalLossless(const dc_train_params& p);
}  // namespace dc::train

#endif  // DIFFCOMP_TRAIN_TRAIN_SIGNAL_LOSSLESS_H_
