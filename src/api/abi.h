// The struct_size growth rule of the C API (include/diffcomp/diffcomp.h, "ABI"): reading a
// caller's dc_params / dc_content of any size, and writing a dc_content the caller's size.
#ifndef DIFFCOMP_API_ABI_H_
#define DIFFCOMP_API_ABI_H_

#include <cstddef>

#include "common/status.h"
#include "diffcomp/diffcomp.h"

namespace dc {

// Sizes of the first layouts (release 0.2.0, ABI 0): what struct_size 0 means. Pinned to the
// last field of that release; fields added later are not part of them.
constexpr size_t kParamsSizeV0 = offsetof(dc_params, keyint) + sizeof(uint32_t);
constexpr size_t kContentSizeV0 = offsetof(dc_content, chroma) + sizeof(uint32_t);

// Copies the caller's params over the defaults (dc_params_init): min(struct_size, ours) bytes.
// A caller's struct larger than ours must be zero beyond ours (fields this library does not know).
Status ReadParams(const dc_params* in, dc_params* out);
Status ReadContent(const dc_content* in, dc_content* out);
// Writes src into the caller's dst, as many bytes as dst->struct_size says (0: the 0.2.0 layout);
// dst->struct_size is kept.
void WriteContent(const dc_content& src, dc_content* dst);

}  // namespace dc

#endif  // DIFFCOMP_API_ABI_H_
