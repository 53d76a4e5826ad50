// Kept for in-tree code that includes "extras/wfdb.h": the header is public now, in
// include/diffcomp/extras/wfdb.h (see include/diffcomp/extras.h).
#ifndef DIFFCOMP_EXTRAS_WFDB_SHIM_H_
#define DIFFCOMP_EXTRAS_WFDB_SHIM_H_
#include "diffcomp/extras/wfdb.h"
#endif  // DIFFCOMP_EXTRAS_WFDB_SHIM_H_
