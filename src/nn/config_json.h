// The integer fields of a network's config JSON (the "config" of a .dcw weights file), read the
// same way by every codec's NetConfig::FromJson.
#ifndef DIFFCOMP_NN_CONFIG_JSON_H_
#define DIFFCOMP_NN_CONFIG_JSON_H_

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace dc::nn {

struct ConfigInt {
  const char* key;
  int* value;
  int lo, hi;             // inclusive range
  bool optional = false;  // may be absent (the value is then left as it is)
};

// Reads every field: an integer within [lo, hi], present unless optional. DC_ERR_CORRUPT with
// "model config is not JSON" or with `message`.
inline Status ReadConfigInts(const std::string& json, std::initializer_list<ConfigInt> fields, const char* message) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error(DC_ERR_CORRUPT, "model config is not JSON");
  for (const ConfigInt& f : fields) {
    if (f.optional && !j.contains(f.key)) continue;
    if (!j.contains(f.key) || !j[f.key].is_number_integer()) return Error(DC_ERR_CORRUPT, message);
    *f.value = j[f.key].get<int>();
    if (*f.value < f.lo || *f.value > f.hi) return Error(DC_ERR_CORRUPT, message);
  }
  return Status::Ok();
}

}  // namespace dc::nn

#endif  // DIFFCOMP_NN_CONFIG_JSON_H_
