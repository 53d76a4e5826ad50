// The C API: argument checks, codec dispatch, container assembly, and the boundary where
// exceptions (std::bad_alloc, anything unexpected) become error codes.
#include "diffcomp/diffcomp.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "api/abi.h"
#include "api/open.h"
#include "codecs/codec.h"
#include "models/model_store.h"
#include "common/last_error.h"
#include "container/container.h"

namespace dc {
namespace {

CodecContext ContextOf(const dc_params& p) {
  CodecContext c;
  c.threads = ResolveThreads(p.threads);
  c.model_path = p.model_path;
  c.memory_limit = p.memory_limit ? p.memory_limit : kDefaultMemoryLimit;
  if (p.progress) {
    auto* cb = p.progress;
    void* op = p.progress_opaque;
    c.progress = [cb, op](uint64_t d, uint64_t t) { cb(op, d, t); };
  }
  c.params = &p;
  return c;
}

const char* KindNoun(dc_kind k) {
  return k == DC_KIND_IMAGE ? "images" : k == DC_KIND_SIGNAL ? "signals" : k == DC_KIND_VIDEO ? "videos" : "byte strings";
}

Status Compress(const dc_content& in, const dc_params& p, std::vector<uint8_t>* out, dc_stats* stats) {
  const Codec* codec = FindCodec(p.codec);
  if (!codec) return Error(DC_ERR_UNKNOWN_CODEC, "unknown codec id " + std::to_string(p.codec));
  if (in.kind != codec->kind)
    return Error(DC_ERR_INVALID_ARGUMENT, std::string("codec ") + codec->name + " takes " + KindNoun(codec->kind));
  if (in.size > 0 && !in.data) return Error(DC_ERR_INVALID_ARGUMENT, "content has no data");
  if (in.kind == DC_KIND_BYTES && in.size > DC_MAX_BYTES_INPUT)
    return Error(DC_ERR_TOO_LARGE, "input beyond the 4 GiB limit");
  CodecContext c = ContextOf(p);
  {  // The encoder holds the input, a reconstruction of its size and the decoder's working set.
    container::Header est;
    est.codec = codec->id;
    est.kind = codec->kind;
    est.width = in.width;
    est.height = in.kind == DC_KIND_SIGNAL ? 1 : in.height;
    est.channels = in.channels;
    est.frames = in.kind == DC_KIND_VIDEO ? in.frames : in.width;
    est.chroma = in.chroma;
    est.tile_size = codec->EncodeTileSize(in, p);
    est.revision = codec->latest_revision;
    est.original_size = in.size;
    ASSIGN_OR_RETURN(c.threads, ThreadsWithinMemory(c.threads, p.memory_limit, [&](int n) {
                       return in.size + in.side_size + codec->DecodeMemory(est, n);
                     }));
  }
  container::Header h;
  h.codec = codec->id;
  h.kind = codec->kind;
  h.format = in.kind == DC_KIND_BYTES ? DC_FORMAT_RAW : in.format;
  h.revision = codec->latest_revision;
  std::vector<uint8_t> payload;
  CodecStats cs;
  RETURN_IF_ERROR(codec->Compress(in, c, &h, &payload, &cs));
  if (codec->lossy) {
    // The payload's checksum, and the decoded content's: the encoder decodes its own file as a
    // decoder would (from the parsed header), which also proves that the file decodes.
    *out = container::Write(h, payload.data(), payload.size(), container::Crc32(payload.data(), payload.size()));
    ASSIGN_OR_RETURN(const container::Header parsed, container::Parse(out->data(), out->size()));
    std::vector<uint8_t> decoded;
    CodecContext dc = c;
    dc.progress = nullptr;
    RETURN_IF_ERROR(codec->Decompress(parsed, out->data() + parsed.payload_offset, dc, &decoded));
    const uint32_t crc = container::Crc32(decoded.data(), decoded.size());
    for (int i = 0; i < 4; ++i) (*out)[out->size() - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
  } else {
    *out = container::Write(h, payload.data(), payload.size(), container::Crc32(in.data, in.size));
  }
  if (stats) {
    stats->model_bits = cs.model_bits;
    stats->model_nll_bits = cs.model_nll_bits;
    std::copy(cs.level_nll_bits, cs.level_nll_bits + 24, stats->level_nll_bits);
    std::copy(cs.stage_nll_bits, cs.stage_nll_bits + 3, stats->stage_nll_bits);
    stats->payload_size = payload.size();
    stats->container_size = out->size();
  }
  return Status::Ok();
}

}  // namespace

// Parses a container (which refuses a revision this build does not know) and checks what can be
// checked before decoding: the payload's minimum size, the memory the decode needs, and a lossy payload's checksum.
StatusOr<container::Header> OpenForDecoding(const uint8_t* data, size_t size, const dc_params& p, int* threads) {
  ASSIGN_OR_RETURN(container::Header h, container::Parse(data, size));
  const Codec* codec = FindCodec(h.codec);
  if (h.payload_size < codec->MinPayload(h))
    return Error(DC_ERR_TRUNCATED, std::string(codec->name) + " payload of " + std::to_string(h.payload_size) +
                                       " bytes is shorter than its header needs");
  ASSIGN_OR_RETURN(const int t, ThreadsWithinMemory(ResolveThreads(p.threads), p.memory_limit,
                                                    [&](int n) { return codec->DecodeMemory(h, n); }));
  if (threads) *threads = t;
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION  // the fuzzers reach the payload decoders
  if (codec->lossy && container::Crc32(data + h.payload_offset, h.payload_size) != h.checksum)
    return Error(DC_ERR_CHECKSUM, "payload does not match its checksum");
#endif
  return h;
}

namespace {

Status Decompress(const uint8_t* data, size_t size, const dc_params& p, std::vector<uint8_t>* out,
                  dc_content* meta, std::vector<uint8_t>* side) {
  int threads = 1;
  ASSIGN_OR_RETURN(const container::Header h, OpenForDecoding(data, size, p, &threads));
  const Codec* codec = FindCodec(h.codec);
  CodecContext c = ContextOf(p);
  c.threads = threads;
  RETURN_IF_ERROR(codec->Decompress(h, data + h.payload_offset, c, out));
  const uint32_t want = codec->lossy ? h.output_checksum : h.checksum;
  if ((!codec->lossy || h.has_output_checksum) && container::Crc32(out->data(), out->size()) != want)
    return Error(DC_ERR_CHECKSUM, "decoded content does not match its checksum");
  *meta = dc_content{};
  meta->kind = h.kind;
  meta->format = h.format;
  meta->size = out->size();
  meta->width = h.width;
  meta->height = h.kind == DC_KIND_SIGNAL ? 1 : h.height;
  meta->channels = h.channels;
  meta->bit_depth = h.kind == DC_KIND_SIGNAL ? h.bit_depth : h.kind == DC_KIND_BYTES ? 0 : 8;
  if (h.kind == DC_KIND_VIDEO) {
    meta->frames = static_cast<uint32_t>(h.frames);
    meta->chroma = h.chroma;
  }
  *side = h.side;
  return Status::Ok();
}

template <typename Fn>
dc_error Guard(Fn&& fn) {
  try {
    const Status s = fn();
    return s.ok() ? DC_OK : SetLastError(s);
  } catch (const std::bad_alloc&) {
    return SetLastError(Error(DC_ERR_OUT_OF_MEMORY, "out of memory"));
  } catch (const std::exception& e) {
    return SetLastError(Error(DC_ERR_INTERNAL, std::string("internal error: ") + e.what()));
  }
}

}  // namespace
}  // namespace dc

extern "C" {

const char* dc_error_name(dc_error e) {
  switch (e) {
    case DC_OK: return "ok";
    case DC_ERR_INVALID_ARGUMENT: return "invalid-argument";
    case DC_ERR_IO: return "io";
    case DC_ERR_UNSUPPORTED_FORMAT: return "unsupported-format";
    case DC_ERR_TOO_LARGE: return "too-large";
    case DC_ERR_BAD_MAGIC: return "bad-magic";
    case DC_ERR_UNSUPPORTED_VERSION: return "unsupported-version";
    case DC_ERR_RESERVED_BITS: return "reserved-bits";
    case DC_ERR_TRUNCATED: return "truncated";
    case DC_ERR_CORRUPT: return "corrupt";
    case DC_ERR_CHECKSUM: return "checksum";
    case DC_ERR_UNKNOWN_CODEC: return "unknown-codec";
    case DC_ERR_MODEL_MISMATCH: return "model-mismatch";
    case DC_ERR_MODEL_NOT_FOUND: return "model-not-found";
    case DC_ERR_OUT_OF_MEMORY: return "out-of-memory";
    case DC_ERR_EXISTS: return "exists";
    case DC_ERR_INTERNAL: return "internal";
    case DC_ERROR_FORCE_32BIT: break;
  }
  return "unknown-error";
}

const char* dc_codec_name(dc_codec c) {
  const auto* ci = dc::FindCodec(c);
  return ci ? ci->name : "unknown";
}

dc_error dc_codec_from_name(const char* name, dc_codec* out) {
  const auto* ci = name ? dc::FindCodec(name) : nullptr;
  if (!ci) return dc::SetLastError(dc::Error(DC_ERR_UNKNOWN_CODEC, std::string("unknown codec '") + (name ? name : "") + "'"));
  *out = ci->id;
  return DC_OK;
}

void dc_params_init(dc_params* p) {
  *p = dc_params{};
  p->struct_size = sizeof(dc_params);
  p->codec = DC_CODEC_IMAGE_LOSSLESS;
  p->threads = 0;
  p->tile_size = 0;
}

void dc_buffer_free(dc_buffer* b) {
  if (!b) return;
  std::free(b->data);
  b->data = nullptr;
  b->size = 0;
}

void dc_decoded_free(dc_decoded* d) {
  if (!d) return;
  std::free(d->storage_);
  d->storage_ = nullptr;
  dc_content empty{};
  dc::WriteContent(empty, &d->content);  // the caller's size of it (ABI)
}

static uint8_t* CopyOut(const std::vector<uint8_t>& v) {
  uint8_t* p = static_cast<uint8_t*>(std::malloc(v.empty() ? 1 : v.size()));
  if (!p) throw std::bad_alloc();
  if (!v.empty()) std::memcpy(p, v.data(), v.size());
  return p;
}

dc_error dc_compress(const dc_content* in, const dc_params* params, dc_buffer* out, dc_stats* stats) {
  if (!in || !out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  *out = dc_buffer{};
  dc_params p;
  dc_params_init(&p);
  return dc::Guard([&]() -> dc::Status {
    if (params) RETURN_IF_ERROR(dc::ReadParams(params, &p));
    dc_content c;
    RETURN_IF_ERROR(dc::ReadContent(in, &c));
    std::vector<uint8_t> v;
    RETURN_IF_ERROR(dc::Compress(c, p, &v, stats));
    out->data = CopyOut(v);
    out->size = v.size();
    return dc::Status::Ok();
  });
}

dc_error dc_decompress(const uint8_t* data, size_t size, const dc_params* params, dc_decoded* out) {
  if ((!data && size) || !out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  out->storage_ = nullptr;
  {
    dc_content empty{};
    dc::WriteContent(empty, &out->content);  // only the caller's size of it (ABI)
  }
  dc_params p;
  dc_params_init(&p);
  return dc::Guard([&]() -> dc::Status {
    if (params) RETURN_IF_ERROR(dc::ReadParams(params, &p));
    std::vector<uint8_t> v, side;
    dc_content meta;
    RETURN_IF_ERROR(dc::Decompress(data, size, p, &v, &meta, &side));
    const size_t content_size = v.size();
    v.insert(v.end(), side.begin(), side.end());  // side data after the content, in one allocation
    out->storage_ = CopyOut(v);
    meta.data = out->storage_;
    meta.side = side.empty() ? nullptr : out->storage_ + content_size;
    meta.side_size = side.size();
    dc::WriteContent(meta, &out->content);
    return dc::Status::Ok();
  });
}

dc_error dc_read_info(const uint8_t* data, size_t size, dc_info* out) {
  if ((!data && size) || !out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  return dc::Guard([&]() -> dc::Status {
    ASSIGN_OR_RETURN(const dc::container::Header h, dc::container::Parse(data, size));
    *out = dc_info{};
    out->version_major = h.version_major;
    out->version_minor = h.version_minor;
    out->codec = h.codec;
    out->revision = h.revision;
    out->format = h.format;
    out->kind = h.kind;
    out->model_id = h.has_model ? h.model_id : 0;
    out->model_fingerprint = h.fingerprint;
    out->original_size = h.original_size;
    out->width = h.width;
    out->height = h.height;
    out->channels = h.channels;
    out->bit_depth = h.kind == DC_KIND_IMAGE || h.kind == DC_KIND_VIDEO ? 8 : h.bit_depth;
    out->payload_size = h.payload_size;
    out->container_size = size;
    return dc::Status::Ok();
  });
}

dc_error dc_model_describe(dc_codec codec, const char* path, dc_model_info* out) {
  if (!out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  return dc::Guard([&]() -> dc::Status {
    ASSIGN_OR_RETURN(auto m, dc::GetModel(codec, path));
    *out = dc_model_info{};
    out->model_id = m->model_id;
    out->fingerprint = m->fingerprint;
    std::snprintf(out->name, sizeof(out->name), "%s", m->arch.c_str());
    std::snprintf(out->codec, sizeof(out->codec), "%s", dc_codec_name(codec));
    out->parameters = m->parameters;
    out->macs_per_pixel = m->macs_per_unit;
    std::snprintf(out->path, sizeof(out->path), "%s", m->path.c_str());
    return dc::Status::Ok();
  });
}

uint32_t dc_version_number(void) {
  return DC_VERSION_MAJOR * 10000 + DC_VERSION_MINOR * 100 + DC_VERSION_PATCH;
}

}  // extern "C"
