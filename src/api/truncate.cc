// dc_truncate: a progressive (lossy) container cut to a lower rate at a step-segment boundary.
// The container header is kept; the payload is cut by rcc::CutProgressive and its CRC-32
// recomputed; a version 2.0 file's checksum of the decoded content is recomputed by decoding the
// cut payload (docs/format.md), so that a truncated file is byte-identical to a fresh encode.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "api/abi.h"
#include "api/open.h"
#include "codecs/codec.h"
#include "common/last_error.h"
#include "container/container.h"
#include "diffcomp/diffcomp.h"
#include "rcc/progressive.h"

namespace dc {
namespace {

// What the rate counts: pixels for images (bits per pixel), samples over all channels for
// signals (bits per sample).
uint64_t RateUnits(const container::Header& h) {
  if (h.kind == DC_KIND_IMAGE) return uint64_t{h.width} * h.height;
  if (h.kind == DC_KIND_SIGNAL) return h.original_size / 4;  // frames x channels int32 samples
  return h.original_size;
}

Status Truncate(const uint8_t* data, size_t size, double rate, const dc_params& p, std::vector<uint8_t>* out) {
  if (!(rate > 0) || !std::isfinite(rate)) return Error(DC_ERR_INVALID_ARGUMENT, "rate must be a positive number");
  ASSIGN_OR_RETURN(const container::Header hp, container::Parse(data, size));
  const Codec* codec = FindCodec(hp.codec);
  if (!codec->progressive)
    return Error(DC_ERR_INVALID_ARGUMENT, std::string("codec ") + codec->name +
                                              " is not progressive (only image-lossy and signal-lossy files can be truncated)");
  int threads = 1;
  ASSIGN_OR_RETURN(container::Header h, OpenForDecoding(data, size, p, &threads));  // checks the payload's CRC
  const uint8_t* payload = data + h.payload_offset;
  const uint64_t units = RateUnits(h);
  const double budget_bits = rate * static_cast<double>(units);
  const size_t overhead = size - h.payload_size;  // header fields and CRC stay as they are
  const double budget_bytes = std::floor(budget_bits / 8.0);
  ASSIGN_OR_RETURN(const rcc::ProgressiveView v, rcc::ParseProgressive(payload, h.payload_size));
  const size_t header_end = static_cast<size_t>(v.header.data + v.header.size - payload);
  if (budget_bytes < static_cast<double>(overhead + header_end)) {
    char buf[200];
    std::snprintf(buf, sizeof(buf), "rate %g is below this file's minimum of %.6g (container fields and codec header)",
                  rate, 8.0 * static_cast<double>(overhead + header_end) / static_cast<double>(units));
    return Error(DC_ERR_INVALID_ARGUMENT, buf);
  }
  const double room = budget_bytes - static_cast<double>(overhead);
  const size_t max_payload = room >= static_cast<double>(h.payload_size) ? h.payload_size : static_cast<size_t>(room);
  ASSIGN_OR_RETURN(const size_t cut, rcc::CutProgressive(payload, h.payload_size, max_payload));
  const size_t keep = cut;
  const uint32_t crc = container::Crc32(payload, keep);
  if (!h.has_output_checksum) {  // a version 1.0 file stays one: its header bytes, the cut, the CRC
    out->assign(data, data + h.payload_offset + keep);
    for (int i = 0; i < 4; ++i) out->push_back(static_cast<uint8_t>(crc >> (8 * i)));
    return Status::Ok();
  }
  h.payload_size = keep;
  std::vector<uint8_t> decoded;
  CodecContext c;
  c.threads = threads;
  c.model_path = p.model_path;
  c.memory_limit = p.memory_limit;
  c.params = &p;
  RETURN_IF_ERROR(codec->Decompress(h, payload, c, &decoded));
  h.output_checksum = container::Crc32(decoded.data(), decoded.size());
  *out = container::Write(h, payload, keep, crc);
  return Status::Ok();
}

}  // namespace
}  // namespace dc

extern "C" dc_error dc_truncate(const uint8_t* data, size_t size, double rate, dc_buffer* out) {
  return dc_truncate_with(data, size, rate, nullptr, out);
}

extern "C" dc_error dc_truncate_with(const uint8_t* data, size_t size, double rate, const dc_params* params,
                                     dc_buffer* out) {
  if ((!data && size) || !out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  *out = dc_buffer{};
  dc_params p;
  dc_params_init(&p);
  if (params) {
    const dc::Status s = dc::ReadParams(params, &p);
    if (!s.ok()) return dc::SetLastError(s);
  }
  try {
    std::vector<uint8_t> v;
    const dc::Status s = dc::Truncate(data, size, rate, p, &v);
    if (!s.ok()) return dc::SetLastError(s);
    out->data = static_cast<uint8_t*>(std::malloc(v.size()));
    if (!out->data) throw std::bad_alloc();
    std::memcpy(out->data, v.data(), v.size());
    out->size = v.size();
    return DC_OK;
  } catch (const std::bad_alloc&) {
    return dc::SetLastError(dc::Error(DC_ERR_OUT_OF_MEMORY, "out of memory"));
  }
}
