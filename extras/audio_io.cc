#include "extras/audio_io.h"
#include "common/status.h"  // the macros (extras is built with the library's private headers)

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace dc::extras {
namespace {

uint16_t LoadLe16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t LoadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

Status OutOfMemory(const char* what) {
  return Error(DC_ERR_OUT_OF_MEMORY, std::string("out of memory ") + what);
}

// ---- WAV -----------------------------------------------------------------------------------

constexpr uint16_t kWaveFormatPcm = 1;
constexpr uint16_t kWaveFormatExtensible = 0xFFFE;
// KSDATAFORMAT_SUBTYPE_PCM minus its first two bytes (which hold the format tag, 1).
constexpr uint8_t kSubtypeGuidTail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                          0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

struct WavFormat {
  uint32_t channels = 0, sample_rate = 0, bits = 0, block_align = 0;
};

Status ParseFmt(const uint8_t* b, uint32_t size, WavFormat* fmt) {
  if (size < 16) return Error(DC_ERR_CORRUPT, "WAV fmt chunk is shorter than 16 bytes");
  const uint16_t tag = LoadLe16(b);
  fmt->channels = LoadLe16(b + 2);
  fmt->sample_rate = LoadLe32(b + 4);
  fmt->block_align = LoadLe16(b + 12);
  fmt->bits = LoadLe16(b + 14);
  if (tag == kWaveFormatExtensible) {
    if (size < 40 || LoadLe16(b + 16) < 22) {
      return Error(DC_ERR_CORRUPT, "WAVE_FORMAT_EXTENSIBLE fmt chunk is too short");
    }
    const uint16_t valid_bits = LoadLe16(b + 18);
    const uint8_t* guid = b + 24;
    if (std::memcmp(guid + 2, kSubtypeGuidTail, sizeof(kSubtypeGuidTail)) != 0 ||
        LoadLe16(guid) != kWaveFormatPcm) {
      return Error(DC_ERR_UNSUPPORTED_FORMAT,
                   "WAVE_FORMAT_EXTENSIBLE with a non-PCM subformat is not supported");
    }
    if (valid_bits > fmt->bits) {
      return Error(DC_ERR_CORRUPT, "WAV valid bits exceed the container size");
    }
  } else if (tag != kWaveFormatPcm) {
    char buf[80];
    std::snprintf(buf, sizeof(buf), "WAV format tag 0x%04X is not supported (PCM only)", tag);
    return Error(DC_ERR_UNSUPPORTED_FORMAT, buf);
  }
  if (fmt->bits != 8 && fmt->bits != 16 && fmt->bits != 24 && fmt->bits != 32) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT,
                 std::to_string(fmt->bits) + "-bit PCM WAV is not supported (8/16/24/32 only)");
  }
  if (fmt->channels == 0) return Error(DC_ERR_CORRUPT, "WAV has zero channels");
  if (fmt->sample_rate == 0) return Error(DC_ERR_CORRUPT, "WAV has a zero sample rate");
  if (fmt->block_align != fmt->channels * (fmt->bits / 8)) {
    return Error(DC_ERR_CORRUPT, "WAV block align does not match channels and sample size");
  }
  return Status::Ok();
}

// Sign-extends one little-endian sample; 8-bit WAV is offset binary.
int32_t LoadSample(const uint8_t* p, uint32_t bits) {
  switch (bits) {
    case 8: return static_cast<int32_t>(p[0]) - 128;
    case 16: return static_cast<int16_t>(LoadLe16(p));
    case 24: {
      const uint32_t u = p[0] | (p[1] << 8) | (static_cast<uint32_t>(p[2]) << 16);
      return static_cast<int32_t>(u ^ 0x800000u) - 0x800000;
    }
    default: return static_cast<int32_t>(LoadLe32(p));
  }
}

void StoreSample(int32_t v, uint32_t bits, uint8_t* p) {
  const uint32_t u = static_cast<uint32_t>(v);
  if (bits == 8) {
    p[0] = static_cast<uint8_t>(v + 128);
    return;
  }
  for (uint32_t i = 0; i < bits / 8; ++i) p[i] = static_cast<uint8_t>(u >> (8 * i));
}

// ---- Y4M -----------------------------------------------------------------------------------

constexpr char kY4mMagic[] = "YUV4MPEG2 ";
constexpr size_t kY4mMagicLen = sizeof(kY4mMagic) - 1;

struct Y4mGeometry {
  uint32_t width = 0, height = 0, chroma = 420;
  uint64_t frame_bytes = 0;
};

// Parses the stream header line without its '\n'. Only W, H and C matter for the layout; the
// other tags (F, I, A, X) are carried verbatim in header_line.
Status ParseY4mHeader(const uint8_t* line, size_t len, Y4mGeometry* g) {
  if (len < kY4mMagicLen || std::memcmp(line, kY4mMagic, kY4mMagicLen) != 0) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "not a Y4M stream");
  }
  uint64_t w = 0, h = 0;
  bool have_w = false, have_h = false;
  std::string chroma = "420";
  size_t pos = kY4mMagicLen;
  while (pos < len) {
    size_t end = pos;
    while (end < len && line[end] != ' ') ++end;
    if (end > pos) {
      const char tag = static_cast<char>(line[pos]);
      if (tag == 'W' || tag == 'H') {
        if (end - pos < 2) return Error(DC_ERR_CORRUPT, "Y4M header has an empty W or H");
        uint64_t v = 0;
        for (size_t i = pos + 1; i < end; ++i) {
          if (line[i] < '0' || line[i] > '9') {
            return Error(DC_ERR_CORRUPT, "Y4M header has a non-numeric W or H");
          }
          v = std::min<uint64_t>(v * 10 + (line[i] - '0'), uint64_t{1} << 40);
        }
        (tag == 'W' ? w : h) = v;
        (tag == 'W' ? have_w : have_h) = true;
      } else if (tag == 'C') {
        chroma.assign(reinterpret_cast<const char*>(line + pos + 1), end - pos - 1);
      }
    }
    pos = end + 1;
  }
  if (!have_w || !have_h) return Error(DC_ERR_CORRUPT, "Y4M header lacks W or H");
  if (w == 0 || h == 0) return Error(DC_ERR_CORRUPT, "Y4M has zero width or height");
  if (w > DC_MAX_IMAGE_DIM || h > DC_MAX_IMAGE_DIM || w * h > DC_MAX_IMAGE_PIXELS) {
    return Error(DC_ERR_TOO_LARGE, "Y4M frame of " + std::to_string(w) + "x" + std::to_string(h) +
                                       " exceeds the size limits");
  }
  if (chroma == "420" || chroma == "420jpeg" || chroma == "420paldv" || chroma == "420mpeg2") {
    g->chroma = 420;
  } else if (chroma == "444") {
    g->chroma = 444;
  } else {
    return Error(DC_ERR_UNSUPPORTED_FORMAT,
                 "Y4M chroma '" + chroma + "' is not supported (8-bit 420 or 444 only)");
  }
  g->width = static_cast<uint32_t>(w);
  g->height = static_cast<uint32_t>(h);
  g->frame_bytes = g->chroma == 444 ? 3 * w * h : w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2);
  return Status::Ok();
}

// Finds the '\n' ending a line that starts at `pos`, within kMaxY4mLineBytes.
Status FindLineEnd(const uint8_t* data, size_t size, size_t pos, const char* what, size_t* nl) {
  const size_t limit = std::min(size, pos + kMaxY4mLineBytes);
  const void* hit = std::memchr(data + pos, '\n', limit - pos);
  if (hit == nullptr) {
    if (limit == size) return Error(DC_ERR_TRUNCATED, std::string("Y4M ") + what + " ends early");
    return Error(DC_ERR_CORRUPT, std::string("Y4M ") + what + " is too long");
  }
  *nl = static_cast<size_t>(static_cast<const uint8_t*>(hit) - data);
  return Status::Ok();
}

bool IsFrameLine(const std::vector<uint8_t>& line) {
  if (line.size() < 6 || std::memcmp(line.data(), "FRAME", 5) != 0) return false;
  if (line[5] != '\n' && line[5] != ' ') return false;
  if (line.back() != '\n') return false;
  return std::find(line.begin(), line.end() - 1, '\n') == line.end() - 1;
}

}  // namespace

StatusOr<Wav> DecodeWav(const uint8_t* data, size_t size) {
  if (data == nullptr && size != 0) return Error(DC_ERR_INVALID_ARGUMENT, "null WAV data");
  // A prefix of a valid signature is a truncated WAV; anything else is another format.
  for (size_t i = 0; i < std::min<size_t>(size, 12); ++i) {
    const uint8_t want = i < 4 ? static_cast<uint8_t>("RIFF"[i])
                         : i >= 8 ? static_cast<uint8_t>("WAVE"[i - 8])
                                  : data[i];  // bytes 4..7 are the RIFF size
    if (data[i] != want) {
      return Error(DC_ERR_UNSUPPORTED_FORMAT, "not a RIFF/WAVE file");
    }
  }
  if (size < 12) return Error(DC_ERR_TRUNCATED, "WAV data ends early");
  const uint64_t riff_end = uint64_t{8} + LoadLe32(data + 4);
  if (riff_end > size) return Error(DC_ERR_TRUNCATED, "WAV data ends before the RIFF size");
  const auto overrun = [](const char* id) {
    std::string name(id, 4);
    // Chunk ids come from the file; keep the one-line message printable.
    for (char& c : name) c = (c >= 0x20 && c < 0x7F) ? c : '?';
    return Error(DC_ERR_CORRUPT, "WAV chunk '" + name + "' runs past the RIFF chunk");
  };

  WavFormat fmt;
  bool have_fmt = false, have_data = false;
  uint64_t data_offset = 0, data_size = 0;
  uint64_t pos = 12;
  // Fewer than 8 bytes left inside the RIFF chunk cannot form a chunk; they stay in the trailer.
  while (pos + 8 <= riff_end) {
    char id[5] = {0};
    std::memcpy(id, data + pos, 4);
    const uint32_t csize = LoadLe32(data + pos + 4);
    const uint64_t body = pos + 8;
    const uint64_t body_end = body + csize;
    if (body_end > riff_end) return overrun(id);
    if (std::memcmp(id, "fmt ", 4) == 0) {
      if (have_fmt) return Error(DC_ERR_CORRUPT, "WAV has two fmt chunks");
      RETURN_IF_ERROR(ParseFmt(data + body, csize, &fmt));
      have_fmt = true;
    } else if (std::memcmp(id, "data", 4) == 0) {
      if (!have_fmt) return Error(DC_ERR_CORRUPT, "WAV data chunk precedes the fmt chunk");
      if (have_data) return Error(DC_ERR_CORRUPT, "WAV has two data chunks");
      have_data = true;
      data_offset = body;
      data_size = csize;
    }
    // Odd-sized chunks are followed by a pad byte; some writers omit it on the last chunk.
    pos = body_end + (csize & 1);
  }
  if (!have_fmt) return Error(DC_ERR_CORRUPT, "WAV has no fmt chunk");
  if (!have_data) return Error(DC_ERR_CORRUPT, "WAV has no data chunk");

  Wav wav;
  wav.channels = fmt.channels;
  wav.sample_rate = fmt.sample_rate;
  wav.bits_per_sample = fmt.bits;
  wav.frames = data_size / fmt.block_align;
  const uint64_t sample_bytes = wav.frames * fmt.block_align;
  const uint32_t bytes_per_sample = fmt.bits / 8;
  try {
    wav.samples.resize(static_cast<size_t>(wav.frames * fmt.channels));
    wav.header.assign(data, data + data_offset);
    wav.trailer.assign(data + data_offset + sample_bytes, data + size);
  } catch (const std::bad_alloc&) {
    return OutOfMemory("decoding WAV");
  } catch (const std::length_error&) {
    return OutOfMemory("decoding WAV");
  }
  const uint8_t* p = data + data_offset;
  for (size_t i = 0; i < wav.samples.size(); ++i, p += bytes_per_sample) {
    wav.samples[i] = LoadSample(p, fmt.bits);
  }
  return wav;
}

StatusOr<std::vector<uint8_t>> EncodeWav(const Wav& wav) {
  const uint32_t bits = wav.bits_per_sample;
  if (bits != 8 && bits != 16 && bits != 24 && bits != 32) {
    return Error(DC_ERR_INVALID_ARGUMENT, std::to_string(bits) + "-bit WAV cannot be written");
  }
  if (wav.channels == 0 || wav.channels > 65535) {
    return Error(DC_ERR_INVALID_ARGUMENT, "WAV channel count out of range");
  }
  // Division rather than multiplication: frames comes from the caller and may be anything.
  if (wav.samples.size() % wav.channels != 0 || wav.samples.size() / wav.channels != wav.frames) {
    return Error(DC_ERR_INVALID_ARGUMENT, "WAV sample count is not frames * channels");
  }
  const int64_t lo = bits == 32 ? INT32_MIN : -(int64_t{1} << (bits - 1));
  const int64_t hi = bits == 32 ? INT32_MAX : (int64_t{1} << (bits - 1)) - 1;
  for (const int32_t s : wav.samples) {
    if (s < lo || s > hi) {
      return Error(DC_ERR_INVALID_ARGUMENT, "WAV sample " + std::to_string(s) + " does not fit in " +
                                                std::to_string(bits) + " bits");
    }
  }
  const size_t bytes_per_sample = bits / 8;
  std::vector<uint8_t> out;
  try {
    out.resize(wav.header.size() + wav.samples.size() * bytes_per_sample + wav.trailer.size());
  } catch (const std::bad_alloc&) {
    return OutOfMemory("encoding WAV");
  } catch (const std::length_error&) {
    return OutOfMemory("encoding WAV");
  }
  uint8_t* p = out.data();
  if (!wav.header.empty()) std::memcpy(p, wav.header.data(), wav.header.size());
  p += wav.header.size();
  for (const int32_t s : wav.samples) {
    StoreSample(s, bits, p);
    p += bytes_per_sample;
  }
  if (!wav.trailer.empty()) std::memcpy(p, wav.trailer.data(), wav.trailer.size());
  return out;
}

StatusOr<Y4m> DecodeY4m(const uint8_t* data, size_t size) {
  if (data == nullptr && size != 0) return Error(DC_ERR_INVALID_ARGUMENT, "null Y4M data");
  if (size == 0) return Error(DC_ERR_TRUNCATED, "empty Y4M data");
  const size_t magic_len = std::min(size, kY4mMagicLen);
  if (std::memcmp(data, kY4mMagic, magic_len) != 0) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "not a Y4M stream");
  }
  if (size <= kY4mMagicLen) return Error(DC_ERR_TRUNCATED, "Y4M header ends early");
  size_t nl = 0;
  RETURN_IF_ERROR(FindLineEnd(data, size, 0, "header line", &nl));
  Y4mGeometry g;
  RETURN_IF_ERROR(ParseY4mHeader(data, nl, &g));

  Y4m y4m;
  y4m.width = g.width;
  y4m.height = g.height;
  y4m.chroma = g.chroma;
  try {
    y4m.header_line.assign(data, data + nl + 1);
    size_t pos = nl + 1;
    while (pos < size) {
      const size_t index = y4m.frames.size();
      if (index == kMaxY4mFrames) {
        return Error(DC_ERR_TOO_LARGE,
                     "Y4M has more than " + std::to_string(kMaxY4mFrames) + " frames");
      }
      const size_t left = size - pos;
      if (std::memcmp(data + pos, "FRAME", std::min<size_t>(left, 5)) != 0) {
        return Error(DC_ERR_CORRUPT, "Y4M frame " + std::to_string(index) + " lacks FRAME");
      }
      if (left <= 5) return Error(DC_ERR_TRUNCATED, "Y4M frame header ends early");
      if (data[pos + 5] != '\n' && data[pos + 5] != ' ') {
        return Error(DC_ERR_CORRUPT, "Y4M frame " + std::to_string(index) + " has a bad header");
      }
      RETURN_IF_ERROR(FindLineEnd(data, size, pos, "frame header", &nl));
      const size_t body = nl + 1;
      if (size - body < g.frame_bytes) {
        return Error(DC_ERR_TRUNCATED, "Y4M frame " + std::to_string(index) + " ends early");
      }
      y4m.frame_headers.emplace_back(data + pos, data + body);
      y4m.frames.emplace_back(data + body, data + body + g.frame_bytes);
      pos = body + static_cast<size_t>(g.frame_bytes);
    }
  } catch (const std::bad_alloc&) {
    return OutOfMemory("decoding Y4M");
  }
  return y4m;
}

StatusOr<std::vector<uint8_t>> EncodeY4m(const Y4m& y4m) {
  const std::vector<uint8_t>& line = y4m.header_line;
  if (line.empty() || line.back() != '\n' ||
      std::find(line.begin(), line.end() - 1, '\n') != line.end() - 1) {
    return Error(DC_ERR_INVALID_ARGUMENT, "Y4M header line must end with its only newline");
  }
  Y4mGeometry g;
  const Status parsed = ParseY4mHeader(line.data(), line.size() - 1, &g);
  if (!parsed.ok()) return Error(DC_ERR_INVALID_ARGUMENT, "Y4M header line: " + parsed.message());
  if (g.width != y4m.width || g.height != y4m.height || g.chroma != y4m.chroma) {
    return Error(DC_ERR_INVALID_ARGUMENT, "Y4M header line disagrees with width/height/chroma");
  }
  if (y4m.frame_headers.size() != y4m.frames.size()) {
    return Error(DC_ERR_INVALID_ARGUMENT, "Y4M needs one frame header per frame");
  }
  uint64_t total = line.size();
  for (size_t i = 0; i < y4m.frames.size(); ++i) {
    if (!IsFrameLine(y4m.frame_headers[i])) {
      return Error(DC_ERR_INVALID_ARGUMENT, "Y4M frame header " + std::to_string(i) + " is invalid");
    }
    if (y4m.frames[i].size() != g.frame_bytes) {
      return Error(DC_ERR_INVALID_ARGUMENT, "Y4M frame " + std::to_string(i) + " has " +
                                                std::to_string(y4m.frames[i].size()) +
                                                " bytes, expected " +
                                                std::to_string(g.frame_bytes));
    }
    total += y4m.frame_headers[i].size() + y4m.frames[i].size();
  }
  std::vector<uint8_t> out;
  try {
    out.reserve(static_cast<size_t>(total));
    out.insert(out.end(), line.begin(), line.end());
    for (size_t i = 0; i < y4m.frames.size(); ++i) {
      out.insert(out.end(), y4m.frame_headers[i].begin(), y4m.frame_headers[i].end());
      out.insert(out.end(), y4m.frames[i].begin(), y4m.frames[i].end());
    }
  } catch (const std::bad_alloc&) {
    return OutOfMemory("encoding Y4M");
  } catch (const std::length_error&) {
    return OutOfMemory("encoding Y4M");
  }
  return out;
}

}  // namespace dc::extras
