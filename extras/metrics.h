// Kept for in-tree code that includes "extras/metrics.h": the header is public now, in
// include/diffcomp/extras/metrics.h (see include/diffcomp/extras.h).
#ifndef DIFFCOMP_EXTRAS_METRICS_SHIM_H_
#define DIFFCOMP_EXTRAS_METRICS_SHIM_H_
#include "diffcomp/extras/metrics.h"
#endif  // DIFFCOMP_EXTRAS_METRICS_SHIM_H_
