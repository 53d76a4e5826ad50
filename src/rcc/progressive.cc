#include "rcc/progressive.h"

#include <string>

#include "common/bytes.h"

namespace dc::rcc {

void BeginProgressive(const uint8_t* header, size_t header_size, std::vector<uint8_t>* payload) {
  ByteWriter w(payload);
  w.Varint(header_size);
  if (header_size) w.Bytes(header, header_size);
}

void AppendSegment(const uint8_t* segment, size_t segment_size, std::vector<uint8_t>* payload) {
  ByteWriter w(payload);
  w.Varint(segment_size);
  if (segment_size) w.Bytes(segment, segment_size);
}

namespace {

Status ReadPart(ByteReader& r, const char* what, ByteSpan* out) {
  uint64_t len;
  Status s = r.Varint(&len);
  if (!s.ok()) return Error(s.code(), std::string("progressive payload: ") + what + " length: " + s.message());
  if (len > r.remaining())
    return Error(DC_ERR_TRUNCATED, std::string("progressive payload: ") + what + " of " + std::to_string(len) +
                                       " bytes, only " + std::to_string(r.remaining()) + " left");
  out->size = static_cast<size_t>(len);
  return r.Bytes(out->size, &out->data);
}

}  // namespace

StatusOr<ProgressiveView> ParseProgressive(const uint8_t* data, size_t size) {
  if (size && !data) return Error(DC_ERR_INVALID_ARGUMENT, "progressive payload: null data");
  ByteReader r(data, size);
  ProgressiveView v;
  RETURN_IF_ERROR(ReadPart(r, "codec header", &v.header));
  while (r.remaining() > 0) {
    ByteSpan seg;
    RETURN_IF_ERROR(ReadPart(r, ("segment " + std::to_string(v.segments.size())).c_str(), &seg));
    v.segments.push_back(seg);
  }
  return v;
}

StatusOr<size_t> CutProgressive(const uint8_t* data, size_t size, size_t max_bytes) {
  ASSIGN_OR_RETURN(const ProgressiveView v, ParseProgressive(data, size));
  size_t end = static_cast<size_t>(v.header.data + v.header.size - data);
  if (end > max_bytes)
    return Error(DC_ERR_INVALID_ARGUMENT, "progressive payload: the codec header alone (" + std::to_string(end) +
                                              " bytes) exceeds the " + std::to_string(max_bytes) + "-byte budget");
  for (const ByteSpan& s : v.segments) {
    const size_t seg_end = static_cast<size_t>(s.data + s.size - data);
    if (seg_end > max_bytes) break;
    end = seg_end;
  }
  return end;
}

}  // namespace dc::rcc
