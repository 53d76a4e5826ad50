#include "api/abi.h"

#include <cstring>

#include "common/last_error.h"

namespace dc {
namespace {

size_t CallerSize(uint32_t struct_size, size_t v0) { return struct_size == 0 ? v0 : struct_size; }

template <typename T>
Status ReadStruct(const T* in, T* out, size_t v0, const char* name) {
  const size_t n = CallerSize(in->struct_size, v0);
  if (n < v0 || n > (size_t{1} << 16))
    return Error(DC_ERR_INVALID_ARGUMENT, std::string(name) + ".struct_size " + std::to_string(in->struct_size) +
                                              " is not a size of " + name + " (initialise it with " + name + "_init)");
  const auto* bytes = reinterpret_cast<const unsigned char*>(in);
  for (size_t i = sizeof(T); i < n; ++i)
    if (bytes[i] != 0)
      return Error(DC_ERR_INVALID_ARGUMENT, std::string(name) + " sets a field this library (" DC_VERSION_STRING
                                                ") does not know; it needs a newer libdiffcomp");
  std::memcpy(static_cast<void*>(out), in, n < sizeof(T) ? n : sizeof(T));
  out->struct_size = sizeof(T);
  return Status::Ok();
}

}  // namespace

Status ReadParams(const dc_params* in, dc_params* out) {
  dc_params_init(out);
  return ReadStruct(in, out, kParamsSizeV0, "dc_params");
}

Status ReadContent(const dc_content* in, dc_content* out) {
  dc_content_init(out);
  return ReadStruct(in, out, kContentSizeV0, "dc_content");
}

void WriteContent(const dc_content& src, dc_content* dst) {
  const uint32_t keep = dst->struct_size;
  // Every caller's struct is at least the first layout (a smaller value is garbage: an
  // uninitialised dc_decoded), and at most we write what we know.
  size_t n = CallerSize(keep, kContentSizeV0);
  if (n < kContentSizeV0) n = kContentSizeV0;
  if (n > sizeof(dc_content)) n = sizeof(dc_content);
  std::memcpy(static_cast<void*>(dst), &src, n);
  dst->struct_size = keep;
}

}  // namespace dc

extern "C" {

void dc_content_init(dc_content* c) {
  if (!c) return;
  *c = dc_content{};
  c->struct_size = sizeof(dc_content);
}

uint32_t dc_abi_version(void) { return DC_ABI_VERSION; }

}  // extern "C"

// A guard beside the CMake one (CMakeLists.txt): the container and model readers assume a
// little-endian host.
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "diffcomp needs a little-endian host"
#endif
