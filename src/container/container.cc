#include "container/container.h"

#include <zlib.h>

#include <cstring>
#include <string>

#include "codecs/codec.h"
#include "common/bytes.h"

namespace dc::container {
namespace {

bool KnownFormat(uint8_t f) { return f <= DC_FORMAT_RAW_I420; }

}  // namespace

bool FormatFitsKind(dc_format f, dc_kind k) {
  switch (k) {
    case DC_KIND_BYTES: return f == DC_FORMAT_RAW;
    case DC_KIND_IMAGE: return f == DC_FORMAT_PNG || f == DC_FORMAT_PPM || f == DC_FORMAT_PGM;
    case DC_KIND_SIGNAL: return f >= DC_FORMAT_WAV && f <= DC_FORMAT_RAW_S32LE;
    case DC_KIND_VIDEO: return f == DC_FORMAT_Y4M || f == DC_FORMAT_RAW_I420;
    default: return false;
  }
}

namespace {

// A size or dimension field. Its value has an upper limit, so a varint too big for 64 bits is
// beyond that limit like any other large value (DC_ERR_TOO_LARGE); one that ends early stays
// DC_ERR_TRUNCATED.
Status SizeVarint(ByteReader& r, uint64_t* v, const char* what) {
  Status s = r.Varint(v);
  if (s.code() == DC_ERR_CORRUPT) return Error(DC_ERR_TOO_LARGE, std::string(what) + " beyond the limit (" + s.message() + ")");
  return s;
}

}  // namespace

uint32_t Crc32(const uint8_t* data, size_t size) {
  uLong c = crc32(0L, Z_NULL, 0);
  while (size > 0) {  // zlib takes uInt lengths
    const uInt n = static_cast<uInt>(size > (1u << 30) ? (1u << 30) : size);
    c = crc32(c, data, n);
    data += n;
    size -= n;
  }
  return static_cast<uint32_t>(c);
}

namespace {

void WriteDescriptor(const Header& h, ByteWriter& w) {
  if (h.kind == DC_KIND_BYTES) {
    w.Varint(h.original_size);
  } else if (h.kind == DC_KIND_SIGNAL) {
    w.Varint(h.frames);
    w.U8(static_cast<uint8_t>(h.channels));
    w.U8(static_cast<uint8_t>(h.bit_depth));
    w.Varint(h.side.size());
    w.Bytes(h.side.data(), h.side.size());
  } else if (h.kind == DC_KIND_VIDEO) {
    w.Varint(h.width);
    w.Varint(h.height);
    w.U8(h.chroma == 444 ? 1 : 0);
    w.Varint(h.frames);
    w.Varint(h.side.size());
    w.Bytes(h.side.data(), h.side.size());
  } else {
    w.Varint(h.width);
    w.Varint(h.height);
    w.U8(static_cast<uint8_t>(h.channels));
  }
}

}  // namespace

std::vector<uint8_t> Write(const Header& h, const uint8_t* payload, size_t payload_size, uint32_t checksum) {
  const Codec* codec = FindCodec(h.codec);
  std::vector<uint8_t> out;
  out.reserve(payload_size + 64 + h.side.size());
  ByteWriter w(&out);
  w.Bytes(kMagic, 4);
  w.U8(static_cast<uint8_t>((kVersionMajor << 4) | kVersionMinor));
  w.U8(h.has_model ? kFlagModel : 0);
  w.U8(static_cast<uint8_t>(h.codec));
  w.U8(static_cast<uint8_t>(h.revision));
  w.U8(static_cast<uint8_t>(h.format));
  WriteDescriptor(h, w);
  if (h.has_model) {
    w.Varint(h.model_id);
    w.U32(h.fingerprint);
  }
  if (codec) codec->WriteParams(h, w);
  w.U32(Crc32(out.data(), out.size()));  // the header checksum, over every byte before it
  if (payload_size) w.Bytes(payload, payload_size);
  w.U32(checksum);
  if (codec && codec->lossy) w.U32(h.output_checksum);
  return out;
}

uint64_t Overhead(const Header& h) { return Write(h, nullptr, 0, 0).size(); }

StatusOr<Header> Parse(const uint8_t* data, size_t size) {
  if (size < 4 || std::memcmp(data, kMagic, 4) != 0) {
    // size 0: data may be null (the API allows it), and memcmp must not see a null pointer.
    if (size == 0) return Error(DC_ERR_TRUNCATED, "empty file (no diffcomp header)");
    if (size < 4 && std::memcmp(data, kMagic, size) == 0)
      return Error(DC_ERR_TRUNCATED, "file ends inside the magic number");
    return Error(DC_ERR_BAD_MAGIC, "not a diffcomp file (bad magic number)");
  }
  ByteReader r(data + 4, size - 4);
  Header h;
  uint8_t version, flags, codec, format;
  RETURN_IF_ERROR(r.U8(&version));
  h.version_major = version >> 4;
  h.version_minor = version & 15;
  // 1.x: the first version (no revision, no header checksum; every 1.x file is revision 1).
  // 2.x: the revision byte and the header checksum. A higher minor adds only what this build
  // can skip (none yet); a higher major is refused.
  if (h.version_major != 1 && h.version_major != 2)
    return Error(DC_ERR_UNSUPPORTED_VERSION, "container version " + std::to_string(h.version_major) + "." +
                                                 std::to_string(h.version_minor) + " (this build reads 1.x and 2.x)");
  const bool v2 = h.version_major == 2;
  RETURN_IF_ERROR(r.U8(&flags));
  if (flags & kReservedFlags) return Error(DC_ERR_RESERVED_BITS, "reserved header flag bits are set");
  h.has_model = flags & kFlagModel;
  RETURN_IF_ERROR(r.U8(&codec));
  const Codec* ci = FindCodec(static_cast<dc_codec>(codec));
  if (!ci) return Error(DC_ERR_UNKNOWN_CODEC, "unknown codec id " + std::to_string(codec));
  h.codec = ci->id;
  h.kind = ci->kind;
  h.revision = 1;
  if (v2) {
    uint8_t rev;
    RETURN_IF_ERROR(r.U8(&rev));
    if (rev == 0) return Error(DC_ERR_CORRUPT, std::string(ci->name) + " revision 0 does not exist");
    h.revision = rev;
  }
  RETURN_IF_ERROR(r.U8(&format));
  if (!KnownFormat(format)) return Error(DC_ERR_UNSUPPORTED_FORMAT, "unknown original format id " + std::to_string(format));
  h.format = static_cast<dc_format>(format);
  if (!FormatFitsKind(h.format, h.kind))
    return Error(DC_ERR_CORRUPT, "original format id " + std::to_string(format) + " does not fit codec " + ci->name);
  if (h.kind == DC_KIND_BYTES) {
    RETURN_IF_ERROR(SizeVarint(r, &h.original_size, "original size"));
    if (h.original_size > DC_MAX_BYTES_INPUT) return Error(DC_ERR_TOO_LARGE, "original size beyond the 4 GiB limit");
  } else if (h.kind == DC_KIND_SIGNAL) {
    uint64_t frames, side;
    uint8_t ch, bd;
    RETURN_IF_ERROR(SizeVarint(r, &frames, "signal length"));
    RETURN_IF_ERROR(r.U8(&ch));
    RETURN_IF_ERROR(r.U8(&bd));
    if (frames == 0 || ch == 0) return Error(DC_ERR_CORRUPT, "signal has no samples");
    if (frames > kMaxSignalSamples || frames * ch > kMaxSignalSamples)
      return Error(DC_ERR_TOO_LARGE, "signal of " + std::to_string(frames) + " x " + std::to_string(ch) + " samples beyond the limit");
    if (bd < 2 || bd > 32) return Error(DC_ERR_UNSUPPORTED_FORMAT, "unsupported signal bit depth " + std::to_string(bd));
    RETURN_IF_ERROR(SizeVarint(r, &side, "side data size"));
    if (side > kMaxSideBytes) return Error(DC_ERR_TOO_LARGE, "side data beyond the limit");
    const uint8_t* sp;
    RETURN_IF_ERROR(r.Bytes(static_cast<size_t>(side), &sp));
    h.side.assign(sp, sp + side);
    h.frames = frames;
    h.width = static_cast<uint32_t>(frames);
    h.height = 1;
    h.channels = ch;
    h.bit_depth = bd;
    h.original_size = frames * ch * 4;
  } else if (h.kind == DC_KIND_VIDEO) {
    uint64_t w, hh, frames, side;
    uint8_t chroma;
    RETURN_IF_ERROR(SizeVarint(r, &w, "video width"));
    RETURN_IF_ERROR(SizeVarint(r, &hh, "video height"));
    RETURN_IF_ERROR(r.U8(&chroma));
    RETURN_IF_ERROR(SizeVarint(r, &frames, "frame count"));
    if (w == 0 || hh == 0 || frames == 0) return Error(DC_ERR_CORRUPT, "video has a zero dimension or no frames");
    if (w > DC_MAX_IMAGE_DIM || hh > DC_MAX_IMAGE_DIM || w * hh > DC_MAX_IMAGE_PIXELS)
      return Error(DC_ERR_TOO_LARGE, "video frame of " + std::to_string(w) + "x" + std::to_string(hh) + " beyond the limit");
    if (chroma > 1) return Error(DC_ERR_UNSUPPORTED_FORMAT, "unsupported chroma code " + std::to_string(chroma));
    h.chroma = chroma ? 444 : 420;
    if (frames > kMaxVideoFrames || frames * VideoFrameBytes(w, hh, h.chroma) > kMaxVideoBytes)
      return Error(DC_ERR_TOO_LARGE, "video of " + std::to_string(frames) + " frames beyond the limit");
    RETURN_IF_ERROR(SizeVarint(r, &side, "side data size"));
    if (side > kMaxSideBytes) return Error(DC_ERR_TOO_LARGE, "side data beyond the limit");
    const uint8_t* sp;
    RETURN_IF_ERROR(r.Bytes(static_cast<size_t>(side), &sp));
    h.side.assign(sp, sp + side);
    h.width = static_cast<uint32_t>(w);
    h.height = static_cast<uint32_t>(hh);
    h.channels = 3;
    h.frames = frames;
    h.original_size = frames * VideoFrameBytes(w, hh, h.chroma);
  } else {
    uint64_t w, hh;
    uint8_t ch;
    RETURN_IF_ERROR(SizeVarint(r, &w, "image width"));
    RETURN_IF_ERROR(SizeVarint(r, &hh, "image height"));
    RETURN_IF_ERROR(r.U8(&ch));
    if (w == 0 || hh == 0) return Error(DC_ERR_CORRUPT, "image has a zero dimension");
    if (w > DC_MAX_IMAGE_DIM || hh > DC_MAX_IMAGE_DIM || w * hh > DC_MAX_IMAGE_PIXELS)
      return Error(DC_ERR_TOO_LARGE, "image dimensions " + std::to_string(w) + "x" + std::to_string(hh) + " beyond the limit");
    if (ch != 1 && ch != 3 && ch != 4) return Error(DC_ERR_UNSUPPORTED_FORMAT, "unsupported channel count " + std::to_string(ch));
    h.width = static_cast<uint32_t>(w);
    h.height = static_cast<uint32_t>(hh);
    h.channels = ch;
    h.original_size = w * hh * ch;
  }
  if (h.has_model != ci->needs_model)
    return Error(DC_ERR_CORRUPT, ci->needs_model ? "model reference missing" : "unexpected model reference");
  if (h.has_model) {
    uint64_t id;
    RETURN_IF_ERROR(r.Varint(&id));
    if (id > 0xFFFFFFFFull) return Error(DC_ERR_CORRUPT, "model id out of range");
    h.model_id = static_cast<uint32_t>(id);
    RETURN_IF_ERROR(r.U32(&h.fingerprint));
  }
  RETURN_IF_ERROR(ci->ParseParams(r, &h));
  if (v2) {
    // The header checksum binds every field above (descriptor, side data, model, parameters),
    // so that a damaged header is an error, never another output.
    const size_t header_end = size - r.remaining();
    uint32_t hcrc;
    RETURN_IF_ERROR(r.U32(&hcrc));
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION  // the fuzzers reach the fields' own checks
    if (hcrc != Crc32(data, header_end)) return Error(DC_ERR_CHECKSUM, "header does not match its checksum");
#else
    (void)header_end;
#endif
    // Revisions are checked after the checksum: a damaged revision byte is damage, not a new
    // revision.
    if (h.revision > ci->latest_revision)
      return Error(DC_ERR_UNSUPPORTED_VERSION, std::string(ci->name) + " revision " + std::to_string(h.revision) +
                                                   " (this build decodes revisions 1 to " +
                                                   std::to_string(ci->latest_revision) + ")");
  }
  const size_t trailer = v2 && ci->lossy ? 8 : 4;
  if (r.remaining() < trailer) return Error(DC_ERR_TRUNCATED, "file ends before its checksum");
  h.payload_offset = size - r.remaining();
  h.payload_size = r.remaining() - trailer;
  auto le32 = [](const uint8_t* p) {
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
  };
  h.checksum = le32(data + h.payload_offset + h.payload_size);
  h.has_output_checksum = trailer == 8;
  if (h.has_output_checksum) h.output_checksum = le32(data + size - 4);
  return h;
}

}  // namespace dc::container
