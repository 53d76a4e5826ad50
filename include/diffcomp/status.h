/* diffcomp: errors as values for the C++ helpers (include/diffcomp/extras.h).
 *
 * dc::Status carries a dc_error code and a one-line message; dc::StatusOr<T> a value or a Status.
 * Nothing throws. C++17 only; the C API (diffcomp.h) does not use it. The library uses the same
 * types inside, so a Status from a helper carries the library's own code and message.
 */
#ifndef DIFFCOMP_STATUS_H_
#define DIFFCOMP_STATUS_H_

#ifndef __cplusplus
#error "diffcomp/status.h is C++; C programs use diffcomp/diffcomp.h"
#endif

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

#endif  /* DIFFCOMP_STATUS_H_ */
