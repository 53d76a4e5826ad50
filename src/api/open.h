// What the C API checks of a container before any codec decodes it.
#ifndef DIFFCOMP_API_OPEN_H_
#define DIFFCOMP_API_OPEN_H_

#include <cstddef>
#include <cstdint>

#include "common/status.h"
#include "container/header.h"
#include "diffcomp/diffcomp.h"

namespace dc {

// Parses the container (container::Parse refuses unknown revisions) and checks the payload's minimum size, the memory
// the decode needs against p.memory_limit, and a lossy payload's checksum. *threads (if given): the
// threads to decode with, p.threads or fewer if the decode fits the memory limit only with fewer
// (ThreadsWithinMemory).
StatusOr<container::Header> OpenForDecoding(const uint8_t* data, size_t size, const dc_params& p,
                                            int* threads = nullptr);

}  // namespace dc

#endif  // DIFFCOMP_API_OPEN_H_
