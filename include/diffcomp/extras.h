/* diffcomp extras: file formats and metrics around the core library (C++17).
 *
 * The core library (diffcomp.h) codes pixels, samples and bytes; these helpers read and write the
 * files they come from: PNG, PPM/PGM, WAV, WFDB format 212, numeric CSV, Y4M and raw I420 video,
 * and measure quality (PSNR, MS-SSIM). They live in a separate library, libdiffcomp_extras
 * (CMake target diffcomp::extras, pkg-config diffcomp-extras), which links libpng and zlib.
 * Errors are dc::Status values (diffcomp/status.h) carrying the library's dc_error codes.
 * The CLI (programs/) and the examples use nothing else beside diffcomp.h.
 */
#ifndef DIFFCOMP_EXTRAS_H_
#define DIFFCOMP_EXTRAS_H_

#include "diffcomp/diffcomp.h"
#include "diffcomp/status.h"
#include "diffcomp/extras/audio_io.h"
#include "diffcomp/extras/csv.h"
#include "diffcomp/extras/file_io.h"
#include "diffcomp/extras/image_io.h"
#include "diffcomp/extras/metrics.h"
#include "diffcomp/extras/signal_io.h"
#include "diffcomp/extras/video_io.h"
#include "diffcomp/extras/wfdb.h"
#include "diffcomp/extras/y4m.h"

#endif /* DIFFCOMP_EXTRAS_H_ */
