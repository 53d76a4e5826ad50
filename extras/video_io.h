// Kept for in-tree code that includes "extras/video_io.h": the header is public now, in
// include/diffcomp/extras/video_io.h (see include/diffcomp/extras.h).
#ifndef DIFFCOMP_EXTRAS_VIDEO_IO_SHIM_H_
#define DIFFCOMP_EXTRAS_VIDEO_IO_SHIM_H_
#include "diffcomp/extras/video_io.h"
#endif  // DIFFCOMP_EXTRAS_VIDEO_IO_SHIM_H_
