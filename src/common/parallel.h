// Independent tasks (image tiles, signal blocks) on a few threads.
#ifndef DIFFCOMP_COMMON_PARALLEL_H_
#define DIFFCOMP_COMMON_PARALLEL_H_

#include <cstdint>
#include <functional>

#include "common/status.h"

namespace dc {

// Runs fn(i) for every i in [0, count) on `threads` threads (the caller's included), reporting
// progress (done, count) from the calling thread; exceptions become errors; returns the first
// error by task order.
Status ParallelFor(uint64_t count, int threads, const std::function<Status(uint64_t)>& fn,
                   const std::function<void(uint64_t, uint64_t)>& progress);

}  // namespace dc

#endif  // DIFFCOMP_COMMON_PARALLEL_H_
