// Finding, loading and caching models (immutable, shared across threads and calls).
#ifndef DIFFCOMP_API_MODEL_STORE_H_
#define DIFFCOMP_API_MODEL_STORE_H_

#include <memory>
#include <string>

#include "codecs/image_lossless/adm_net.h"
#include "common/status.h"
#include "nn/weights.h"

namespace dc {

struct LoadedModel {
  std::string path;
  uint32_t model_id = 0;
  uint32_t fingerprint = 0;
  std::string fingerprint_hex;
  std::string arch, info_json;
  adm::AdmNet net;
};

// The shipped default model file of a codec: $DIFFCOMP_MODEL_DIR, then models/ beside the
// executable's build tree (<exe>/../../models), then the source tree's models/.
StatusOr<std::string> DefaultModelPath(dc_codec codec);
// Loads (or returns the cached) model at path, or the codec's default if path is null/empty.
StatusOr<std::shared_ptr<const LoadedModel>> GetModel(dc_codec codec, const char* path);

}  // namespace dc

#endif  // DIFFCOMP_API_MODEL_STORE_H_
