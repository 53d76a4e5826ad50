// Errors as values inside the library: Status and StatusOr<T>. The code is the public dc_error;
// the message says what is wrong in one line. Nothing here throws.
#ifndef DIFFCOMP_COMMON_STATUS_H_
#define DIFFCOMP_COMMON_STATUS_H_

#include <optional>
#include <string>
#include <utility>

#include "diffcomp/diffcomp.h"

namespace dc {

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(dc_error code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == DC_OK; }
  dc_error code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  dc_error code_ = DC_OK;
  std::string message_;
};

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status s) : status_(std::move(s)) {}  // NOLINT: implicit by design
  StatusOr(T v) : value_(std::move(v)) {}        // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

inline Status Error(dc_error code, std::string message) { return Status(code, std::move(message)); }

}  // namespace dc

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
