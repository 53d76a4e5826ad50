// Kept for in-tree code that includes "extras/y4m.h": the header is public, in
// include/diffcomp/extras/y4m.h (see include/diffcomp/extras.h).
#ifndef DIFFCOMP_EXTRAS_Y4M_SHIM_H_
#define DIFFCOMP_EXTRAS_Y4M_SHIM_H_
#include "diffcomp/extras/y4m.h"
#endif  // DIFFCOMP_EXTRAS_Y4M_SHIM_H_
