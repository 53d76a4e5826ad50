// The thread-local message behind dc_last_error_message().
#ifndef DIFFCOMP_COMMON_LAST_ERROR_H_
#define DIFFCOMP_COMMON_LAST_ERROR_H_

#include "common/status.h"

namespace dc {
// Records s's message for dc_last_error_message() and returns its code.
dc_error SetLastError(const Status& s);
}  // namespace dc

#endif  // DIFFCOMP_COMMON_LAST_ERROR_H_
