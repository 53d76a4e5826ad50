// RETURN_IF_ERROR / ASSIGN_OR_RETURN for the programs, over the public dc::Status
// (diffcomp/status.h). The same definitions as the library's own (src/common/status.h), which the
// programs do not see.
#ifndef DIFFCOMP_PROGRAMS_STATUS_MACROS_H_
#define DIFFCOMP_PROGRAMS_STATUS_MACROS_H_

#include "diffcomp/status.h"

#ifndef RETURN_IF_ERROR
#define DC_CONCAT_INNER(a, b) a##b
#define DC_CONCAT(a, b) DC_CONCAT_INNER(a, b)
#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::dc::Status dc_status_ = (expr);        \
    if (!dc_status_.ok()) return dc_status_; \
  } while (0)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(DC_CONCAT(dc_sor_, __LINE__), lhs, expr)
#endif

#endif  // DIFFCOMP_PROGRAMS_STATUS_MACROS_H_
