// The C API: argument checks, codec dispatch, container assembly, and the boundary where
// exceptions (std::bad_alloc, anything unexpected) become error codes.
#include "diffcomp/diffcomp.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "api/abi.h"
#include "api/image_lossy_api.h"
#include "api/model_store.h"
#include "api/progress.h"
#include "api/video_api.h"
#include "api/signal_lossy_api.h"
#include "codecs/huffman/huffman.h"
#include "codecs/image_lossless/image_lossless.h"
#include "codecs/lzw/lzw.h"
#include "codecs/signal_lossless/signal_lossless.h"
#include "common/last_error.h"
#include "container/container.h"

namespace dc {
namespace {

int ResolveThreads(int t) {
  if (t > 0) return t;
  const unsigned hc = std::thread::hardware_concurrency();
  return hc ? static_cast<int>(hc) : 1;
}

adm::CodecOptions Options(const dc_params& p) {
  adm::CodecOptions o;
  o.threads = ResolveThreads(p.threads);
  o.tile_size = p.tile_size ? p.tile_size : adm::kDefaultTileSize;
  o.progress = ProgressOf(p);
  return o;
}

Status CheckImage(const dc_content& in) {
  if (in.channels != 1 && in.channels != 3 && in.channels != 4)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "images need 1, 3 or 4 channels");
  if (in.bit_depth != 8) return Error(DC_ERR_UNSUPPORTED_FORMAT, "only 8-bit images are supported");
  if (in.width == 0 || in.height == 0) return Error(DC_ERR_INVALID_ARGUMENT, "image has a zero dimension");
  if (in.width > DC_MAX_IMAGE_DIM || in.height > DC_MAX_IMAGE_DIM ||
      uint64_t{in.width} * in.height > DC_MAX_IMAGE_PIXELS)
    return Error(DC_ERR_TOO_LARGE, "image dimensions beyond the limit");
  if (in.size != uint64_t{in.width} * in.height * in.channels)
    return Error(DC_ERR_INVALID_ARGUMENT, "pixel buffer size does not match the dimensions");
  return Status::Ok();
}

Status CheckSignal(const dc_content& in) {
  if (in.channels == 0 || in.channels > 255) return Error(DC_ERR_UNSUPPORTED_FORMAT, "signals need 1 to 255 channels");
  if (in.bit_depth < 2 || in.bit_depth > 32)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "signal bit depth " + std::to_string(in.bit_depth) + " (2 to 32 supported)");
  if (in.width == 0) return Error(DC_ERR_INVALID_ARGUMENT, "signal has no samples");
  if (uint64_t{in.width} * in.channels > container::kMaxSignalSamples)
    return Error(DC_ERR_TOO_LARGE, "signal beyond the limit of 2^30 samples");
  if (in.size != uint64_t{in.width} * in.channels * 4)
    return Error(DC_ERR_INVALID_ARGUMENT, "sample buffer size does not match frames x channels x 4 bytes");
  if (!container::FormatFitsKind(in.format, DC_KIND_SIGNAL))
    return Error(DC_ERR_INVALID_ARGUMENT, "signal content needs format wav, wfdb, csv, raw-s16le or raw-s32le");
  if (in.side_size > container::kMaxSideBytes) return Error(DC_ERR_TOO_LARGE, "side data beyond the limit");
  if (in.side_size && !in.side) return Error(DC_ERR_INVALID_ARGUMENT, "side data pointer is null");
  return Status::Ok();
}

const char* KindNoun(dc_kind k) {
  return k == DC_KIND_IMAGE ? "images" : k == DC_KIND_SIGNAL ? "signals" : k == DC_KIND_VIDEO ? "videos" : "byte strings";
}

Status Compress(const dc_content& in, const dc_params& p, std::vector<uint8_t>* out, dc_stats* stats) {
  const container::CodecInfo* ci = container::FindCodec(p.codec);
  if (!ci) return Error(DC_ERR_UNKNOWN_CODEC, "unknown codec id " + std::to_string(p.codec));
  if (in.kind != ci->kind)
    return Error(DC_ERR_INVALID_ARGUMENT, std::string("codec ") + ci->name + " takes " + KindNoun(ci->kind));
  if (in.size > 0 && !in.data) return Error(DC_ERR_INVALID_ARGUMENT, "content has no data");
  container::Header h;
  h.codec = ci->id;
  h.kind = ci->kind;
  h.format = in.format;
  std::vector<uint8_t> payload;
  double model_bits = 0, model_nll_bits = 0;
  adm::EncodeStats es;
  if (ci->kind == DC_KIND_BYTES) {
    if (in.size > DC_MAX_BYTES_INPUT) return Error(DC_ERR_TOO_LARGE, "input beyond the 4 GiB limit");
    h.format = DC_FORMAT_RAW;
    h.original_size = in.size;
    switch (ci->id) {
      case DC_CODEC_STORE: payload.assign(in.data, in.data + in.size); break;
      case DC_CODEC_HUFFMAN: RETURN_IF_ERROR(HuffmanEncode(in.data, in.size, &payload)); break;
      case DC_CODEC_LZW: RETURN_IF_ERROR(LzwEncode(in.data, in.size, &payload)); break;
      default: return Error(DC_ERR_INTERNAL, "byte codec without an encoder");
    }
  } else if (ci->id == DC_CODEC_SIGNAL_LOSSY) {
    RETURN_IF_ERROR(CheckSignal(in));
    RETURN_IF_ERROR(CompressSignalLossy(in, p, &h, &payload, ResolveThreads(p.threads)));
  } else if (ci->kind == DC_KIND_SIGNAL) {
    RETURN_IF_ERROR(CheckSignal(in));
    ASSIGN_OR_RETURN(auto model, GetModel(ci->id, p.model_path));
    h.frames = in.width;
    h.width = in.width;
    h.height = 1;
    h.channels = in.channels;
    h.bit_depth = in.bit_depth;
    h.side.assign(in.side, in.side + in.side_size);
    h.has_model = true;
    h.model_id = model->model_id;
    h.fingerprint = model->fingerprint;
    sig::CodecOptions o;
    o.threads = ResolveThreads(p.threads);
    o.progress = ProgressOf(p);
    sig::EncodeStats ss;
    const sig::SignalView view{reinterpret_cast<const int32_t*>(in.data), in.width, in.channels,
                               static_cast<int>(in.bit_depth)};
    RETURN_IF_ERROR(sig::EncodeSignal(*model->signal_lossless, view, o, &payload, &ss));
    model_bits = ss.model_bits;
    model_nll_bits = ss.model_nll_bits;
    std::copy(ss.level_nll_bits, ss.level_nll_bits + 24, es.level_nll_bits);
  } else if (ci->id == DC_CODEC_VIDEO_LOSSY) {
    RETURN_IF_ERROR(CompressVideoLossy(in, p, &h, &payload, ResolveThreads(p.threads)));
  } else if (ci->id == DC_CODEC_VIDEO_LOSSLESS) {
    RETURN_IF_ERROR(CompressVideoLossless(in, p, &h, &payload, ResolveThreads(p.threads), &model_bits, &model_nll_bits));
  } else if (ci->id == DC_CODEC_IMAGE_LOSSY) {
    RETURN_IF_ERROR(CheckImage(in));
    RETURN_IF_ERROR(CompressImageLossy(in, p, &h, &payload, ResolveThreads(p.threads)));
  } else {
    RETURN_IF_ERROR(CheckImage(in));
    if (in.format != DC_FORMAT_PNG && in.format != DC_FORMAT_PPM && in.format != DC_FORMAT_PGM)
      return Error(DC_ERR_INVALID_ARGUMENT, "image content needs format png, ppm or pgm");
    if (in.format == DC_FORMAT_PPM && in.channels != 3) return Error(DC_ERR_INVALID_ARGUMENT, "PPM is RGB");
    if (in.format == DC_FORMAT_PGM && in.channels != 1) return Error(DC_ERR_INVALID_ARGUMENT, "PGM is gray");
    ASSIGN_OR_RETURN(auto model, GetModel(ci->id, p.model_path));
    h.width = in.width;
    h.height = in.height;
    h.channels = in.channels;
    h.has_model = true;
    h.model_id = model->model_id;
    h.fingerprint = model->fingerprint;
    adm::CodecOptions o = Options(p);
    // A tile larger than the image tiles it the same way as one the image's size; the smaller
    // value saves a header byte on small images (CIFAR: 0.003 bits per sub-pixel).
    o.tile_size = std::min(o.tile_size, std::max(adm::kMinTileSize, std::max(in.width, in.height)));
    h.tile_size = o.tile_size;
    h.coder_flags = o.adapt ? container::kCoderFlagAdapt : 0;
    RETURN_IF_ERROR(adm::EncodeImage(*model->image_lossless, {in.data, in.width, in.height, in.channels}, o, &payload, &es));
    model_bits = es.model_bits;
    model_nll_bits = es.model_nll_bits;
  }
  // Lossy codecs: the checksum covers the payload (docs/format.md).
  const bool lossy = ci->id == DC_CODEC_IMAGE_LOSSY || ci->id == DC_CODEC_SIGNAL_LOSSY || ci->id == DC_CODEC_VIDEO_LOSSY;
  *out = container::Write(h, payload.data(), payload.size(),
                          lossy ? container::Crc32(payload.data(), payload.size()) : container::Crc32(in.data, in.size));
  if (stats) {
    stats->model_bits = model_bits;
    stats->model_nll_bits = model_nll_bits;
    std::copy(es.level_nll_bits, es.level_nll_bits + 24, stats->level_nll_bits);
    std::copy(es.stage_nll_bits, es.stage_nll_bits + 3, stats->stage_nll_bits);
    stats->payload_size = payload.size();
    stats->container_size = out->size();
  }
  return Status::Ok();
}

Status Decompress(const uint8_t* data, size_t size, const dc_params& p, std::vector<uint8_t>* out,
                  dc_content* meta, std::vector<uint8_t>* side) {
  ASSIGN_OR_RETURN(const container::Header h, container::Parse(data, size));
  const uint8_t* payload = data + h.payload_offset;
  *meta = dc_content{};
  meta->kind = h.kind;
  meta->format = h.format;
  if (h.codec == DC_CODEC_IMAGE_LOSSY) {  // checksum of the payload, verified before decoding
    if (container::Crc32(payload, h.payload_size) != h.checksum)
      return Error(DC_ERR_CHECKSUM, "payload does not match its checksum");
    RETURN_IF_ERROR(DecompressImageLossy(h, payload, p, out, ResolveThreads(p.threads)));
    meta->width = h.width;
    meta->height = h.height;
    meta->channels = h.channels;
    meta->bit_depth = 8;
    meta->size = out->size();
    return Status::Ok();
  }
  if (h.codec == DC_CODEC_SIGNAL_LOSSY) {  // checksum of the payload, verified before decoding
    if (container::Crc32(payload, h.payload_size) != h.checksum)
      return Error(DC_ERR_CHECKSUM, "payload does not match its checksum");
    RETURN_IF_ERROR(DecompressSignalLossy(h, payload, out, ResolveThreads(p.threads)));
    meta->width = h.width;
    meta->height = 1;
    meta->channels = h.channels;
    meta->bit_depth = h.bit_depth;
    meta->size = out->size();
    *side = h.side;
    return Status::Ok();
  }
  if (h.kind == DC_KIND_VIDEO) {
    const bool lossy = h.codec == DC_CODEC_VIDEO_LOSSY;
    if (lossy && container::Crc32(payload, h.payload_size) != h.checksum)  // verified before decoding
      return Error(DC_ERR_CHECKSUM, "payload does not match its checksum");
    RETURN_IF_ERROR(lossy ? DecompressVideoLossy(h, payload, p, out, ResolveThreads(p.threads))
                          : DecompressVideoLossless(h, payload, p, out, ResolveThreads(p.threads)));
    meta->width = h.width;
    meta->height = h.height;
    meta->channels = 3;
    meta->bit_depth = 8;
    meta->frames = static_cast<uint32_t>(h.frames);
    meta->chroma = h.chroma;
    *side = h.side;
    if (lossy) {
      meta->size = out->size();
      return Status::Ok();
    }
  } else if (h.kind == DC_KIND_BYTES) {
    switch (h.codec) {
      case DC_CODEC_STORE:
        if (h.payload_size != h.original_size) return Error(DC_ERR_CORRUPT, "stored size does not match");
        out->assign(payload, payload + h.payload_size);
        break;
      case DC_CODEC_HUFFMAN: RETURN_IF_ERROR(HuffmanDecode(payload, h.payload_size, h.original_size, out)); break;
      case DC_CODEC_LZW: RETURN_IF_ERROR(LzwDecode(payload, h.payload_size, h.original_size, out)); break;
      default: return Error(DC_ERR_INTERNAL, "byte codec without a decoder");
    }
    if (out->size() != h.original_size) return Error(DC_ERR_CORRUPT, "decoded size does not match");
  } else if (h.kind == DC_KIND_SIGNAL) {
    ASSIGN_OR_RETURN(auto model, ModelForFile(h, p.model_path));
    sig::CodecOptions o;
    o.threads = ResolveThreads(p.threads);
    o.progress = ProgressOf(p);
    out->assign(h.original_size, 0);
    RETURN_IF_ERROR(sig::DecodeSignal(*model->signal_lossless, payload, h.payload_size, h.frames, h.channels,
                                      static_cast<int>(h.bit_depth), o, reinterpret_cast<int32_t*>(out->data())));
    meta->width = h.width;
    meta->height = 1;
    meta->channels = h.channels;
    meta->bit_depth = h.bit_depth;
    *side = h.side;
  } else {
    ASSIGN_OR_RETURN(auto model, ModelForFile(h, p.model_path));
    if ((h.format == DC_FORMAT_PPM && h.channels != 3) || (h.format == DC_FORMAT_PGM && h.channels != 1) ||
        h.format == DC_FORMAT_RAW)
      return Error(DC_ERR_CORRUPT, "original format does not fit the image");
    adm::CodecOptions o = Options(p);
    o.tile_size = h.tile_size;
    o.adapt = (h.coder_flags & container::kCoderFlagAdapt) != 0;
    out->assign(h.original_size, 0);
    RETURN_IF_ERROR(adm::DecodeImage(*model->image_lossless, payload, h.payload_size, h.width, h.height, h.channels, o, out->data()));
    meta->width = h.width;
    meta->height = h.height;
    meta->channels = h.channels;
    meta->bit_depth = 8;
  }
  if (container::Crc32(out->data(), out->size()) != h.checksum)
    return Error(DC_ERR_CHECKSUM, "decoded content does not match its checksum");
  meta->size = out->size();
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
  const auto* ci = dc::container::FindCodec(c);
  return ci ? ci->name : "unknown";
}

dc_error dc_codec_from_name(const char* name, dc_codec* out) {
  const auto* ci = name ? dc::container::FindCodec(name) : nullptr;
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
