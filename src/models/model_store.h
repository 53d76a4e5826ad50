// Finding, loading and caching models (immutable, shared across threads and calls).
#ifndef DIFFCOMP_API_MODEL_STORE_H_
#define DIFFCOMP_API_MODEL_STORE_H_

#include <memory>
#include <string>

#include "codecs/image_lossless/adm_net.h"
#include "codecs/image_lossy/ldm_net.h"
#include "codecs/signal_lossless/signal_net.h"
#include "common/status.h"
#include "container/container.h"
#include "nn/weights.h"

namespace dc {

// A model file loaded for one codec. Exactly one of the per-codec networks is set: the one of
// `codec` (a file whose architecture does not belong to the codec is DC_ERR_MODEL_MISMATCH).
struct LoadedModel {
  dc_codec codec = DC_CODEC_STORE;
  std::string path;
  uint32_t model_id = 0;
  uint32_t fingerprint = 0;
  std::string fingerprint_hex;
  std::string arch, info_json;
  uint64_t parameters = 0;
  uint64_t macs_per_unit = 0;  // network multiply-adds per pixel (images) or sample (signals)
  std::shared_ptr<const adm::AdmNet> image_lossless;  // also video-lossless (adm1 with the previous-frame inputs)
  std::shared_ptr<const lossy::LdmNet> image_lossy;
  std::shared_ptr<const sig::SigNet> signal_lossless;
};

// The shipped default model file of a codec (DefaultModelFile): $DIFFCOMP_MODEL_DIR, then models/
// beside the executable's build tree (<exe>/../../models), then the source tree's models/.
StatusOr<std::string> DefaultModelFile(dc_codec codec);
StatusOr<std::string> DefaultModelPath(dc_codec codec);
// Loads (or returns the cached) model at path, or the codec's default if path is null/empty.
StatusOr<std::shared_ptr<const LoadedModel>> GetModel(dc_codec codec, const char* path);
// The model a file needs (the one at path, else the default of the file's codec), or
// DC_ERR_MODEL_MISMATCH if it is not the one the file names (id and fingerprint).
StatusOr<std::shared_ptr<const LoadedModel>> ModelForFile(const container::Header& h, const char* path);

}  // namespace dc

#endif  // DIFFCOMP_API_MODEL_STORE_H_
