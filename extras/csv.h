// Kept for in-tree code that includes "extras/csv.h": the header is public now, in
// include/diffcomp/extras/csv.h (see include/diffcomp/extras.h).
#ifndef DIFFCOMP_EXTRAS_CSV_SHIM_H_
#define DIFFCOMP_EXTRAS_CSV_SHIM_H_
#include "diffcomp/extras/csv.h"
#endif  // DIFFCOMP_EXTRAS_CSV_SHIM_H_
