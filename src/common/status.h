// Errors as values inside the library: Status and StatusOr<T>. The code is the public dc_error;
// the message says what is wrong in one line. Nothing here throws.
#ifndef DIFFCOMP_COMMON_STATUS_H_
#define DIFFCOMP_COMMON_STATUS_H_

// The types are public (include/diffcomp/status.h: the C++ helpers of extras.h return them);
// the macros below are the library's own.
#include "diffcomp/status.h"

#define DC_CONCAT_INNER(a, b) a##b
#define DC_CONCAT(a, b) DC_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)            \
  do {                                   \
    ::dc::Status dc_status_ = (expr);    \
    if (!dc_status_.ok()) return dc_status_; \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(DC_CONCAT(dc_sor_, __LINE__), lhs, expr)

#endif  // DIFFCOMP_COMMON_STATUS_H_
