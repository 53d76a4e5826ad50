// The C API's progress callback (dc_params.progress, opaque) as the codecs' std::function.
#ifndef DIFFCOMP_API_PROGRESS_H_
#define DIFFCOMP_API_PROGRESS_H_

#include <cstdint>
#include <functional>

#include "diffcomp/diffcomp.h"

namespace dc {

// Empty if params has no callback.
inline std::function<void(uint64_t done, uint64_t total)> ProgressOf(const dc_params& p) {
  if (!p.progress) return {};
  auto* cb = p.progress;
  void* op = p.progress_opaque;
  return [cb, op](uint64_t d, uint64_t t) { cb(op, d, t); };
}

}  // namespace dc

#endif  // DIFFCOMP_API_PROGRESS_H_
