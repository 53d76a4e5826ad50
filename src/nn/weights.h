// The diffcomp weights file (".dcw"), documented in docs/weights-format.md:
//   "DCWT" | u16 major | u16 minor | u32 M | M bytes of JSON metadata | zero pad to 16 |
//   data section (tensors at the offsets the metadata gives, each 16-aligned)
// No pickles, no code: a JSON table plus raw little-endian tensor data (f32 or f16).
#ifndef DIFFCOMP_NN_WEIGHTS_H_
#define DIFFCOMP_NN_WEIGHTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace dc::nn {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;  // dequantised values
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
};

enum class DType { kF32, kF16 };

struct WeightsFile {
  std::string arch;             // e.g. "adm1"
  uint32_t model_id = 0;        // registered id, see docs/models.md
  std::string config_json;      // architecture config (JSON object)
  std::string info_json;        // provenance: command, data, CPU time, validation figure
  std::map<std::string, Tensor> tensors;
  uint32_t fingerprint = 0;     // first 4 bytes of SHA-256 over config + tensor table + data
  std::string fingerprint_hex;  // the full SHA-256, hex
};

// Serialises; tensors stored as `dtype` (f16 rounds to nearest even). The returned bytes parse
// back to values equal to the stored (rounded) ones.
std::vector<uint8_t> SerializeWeights(const WeightsFile& w, DType dtype);
// Parses and validates (magic, version, lengths, offsets, shapes). Errors: DC_ERR_CORRUPT,
// DC_ERR_TRUNCATED, DC_ERR_UNSUPPORTED_VERSION, DC_ERR_BAD_MAGIC.
StatusOr<WeightsFile> ParseWeights(const uint8_t* data, size_t size);
StatusOr<WeightsFile> LoadWeights(const std::string& path);

// IEEE binary16 conversions (round to nearest even), bit-exact and platform independent.
uint16_t FloatToHalf(float f);
float HalfToFloat(uint16_t h);

}  // namespace dc::nn

#endif  // DIFFCOMP_NN_WEIGHTS_H_
