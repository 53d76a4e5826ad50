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

}  // namespace dc::extras
