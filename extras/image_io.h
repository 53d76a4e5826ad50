// Kept for in-tree code that includes "extras/image_io.h": the header is public now, in
// include/diffcomp/extras/image_io.h (see include/diffcomp/extras.h).
#ifndef DIFFCOMP_EXTRAS_IMAGE_IO_SHIM_H_
#define DIFFCOMP_EXTRAS_IMAGE_IO_SHIM_H_
#include "diffcomp/extras/image_io.h"
#endif  // DIFFCOMP_EXTRAS_IMAGE_IO_SHIM_H_
