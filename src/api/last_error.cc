#include "common/last_error.h"

#include <string>

namespace dc {
namespace {
thread_local std::string g_last_error;
}
dc_error SetLastError(const Status& s) {
  g_last_error = s.message();
  return s.code();
}
const char* LastErrorMessage() { return g_last_error.c_str(); }
}  // namespace dc

extern "C" const char* dc_last_error_message(void) { return dc::LastErrorMessage(); }
