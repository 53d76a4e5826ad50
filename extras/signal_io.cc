#include "extras/signal_io.h"
#include "common/status.h"  // the macros (extras is built with the library's private headers)

#include <algorithm>
#include <cstring>

#include "common/bytes.h"
#include "extras/audio_io.h"
#include "extras/csv.h"
#include "extras/file_io.h"
#include "extras/wfdb.h"

namespace dc::extras {
namespace {

constexpr uint8_t kTagWav = 'W', kTagWfdb = 'E', kTagCsv = 'C', kTagRaw = 'R';

bool EndsWith(const std::string& s, const char* suf) {
  const size_t n = std::strlen(suf);
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - n + i])) != suf[i]) return false;
  return true;
}
std::string DirOf(const std::string& p) {
  const size_t s = p.find_last_of('/');
  return s == std::string::npos ? "" : p.substr(0, s + 1);
}

void PutBlob(ByteWriter& w, const std::vector<uint8_t>& b) {
  w.Varint(b.size());
  w.Bytes(b.data(), b.size());
}
Status GetBlob(ByteReader& r, std::vector<uint8_t>* b) {
  uint64_t n;
  RETURN_IF_ERROR(r.Varint(&n));
  const uint8_t* p;
  RETURN_IF_ERROR(r.Bytes(static_cast<size_t>(std::min<uint64_t>(n, SIZE_MAX)), &p));
  b->assign(p, p + n);
  return Status::Ok();
}

int BitsFor(const std::vector<int32_t>& v) {
  int bd = 2;
  for (int32_t x : v)
    while (x < -(int64_t{1} << (bd - 1)) || x > (int64_t{1} << (bd - 1)) - 1) ++bd;
  return bd;
}

StatusOr<SignalFile> FromWav(const std::vector<uint8_t>& bytes) {
  ASSIGN_OR_RETURN(Wav wav, DecodeWav(bytes.data(), bytes.size()));
  SignalFile s;
  s.format = DC_FORMAT_WAV;
  s.channels = wav.channels;
  s.frames = wav.frames;
  s.bit_depth = static_cast<int>(wav.bits_per_sample);
  s.sample_rate = wav.sample_rate;
  s.samples = std::move(wav.samples);
  ByteWriter w(&s.side);
  w.U8(kTagWav);
  w.Varint(wav.bits_per_sample);
  PutBlob(w, wav.header);
  PutBlob(w, wav.trailer);
  return s;
}

StatusOr<SignalFile> FromCsv(const std::vector<uint8_t>& bytes) {
  ASSIGN_OR_RETURN(CsvTable t, ParseCsv(bytes.data(), bytes.size()));
  if (t.columns == 0 || t.rows() == 0) return Error(DC_ERR_UNSUPPORTED_FORMAT, "CSV table without numbers");
  SignalFile s;
  s.format = DC_FORMAT_CSV;
  s.channels = t.columns;
  s.frames = t.rows();
  s.samples.resize(t.values.size());
  for (uint32_t c = 0; c < t.columns; ++c) {
    int64_t prev = 0;
    for (uint64_t r = 0; r < t.rows(); ++r) {
      const size_t i = r * t.columns + c;
      const int64_t v = t.decimals[i] == kCsvGap ? prev : t.values[i];
      if (v < INT32_MIN || v > INT32_MAX)
        return Error(DC_ERR_UNSUPPORTED_FORMAT, "CSV value on row " + std::to_string(r + 1) + " beyond 32 bits");
      s.samples[i] = static_cast<int32_t>(v);
      prev = v;
    }
  }
  s.bit_depth = BitsFor(s.samples);
  ByteWriter w(&s.side);
  w.U8(kTagCsv);
  w.U8(static_cast<uint8_t>((t.crlf ? 1 : 0) | (t.final_eol ? 2 : 0)));
  PutBlob(w, t.header);
  // Decimals (gaps as kCsvGap), run-length coded column by column: (run, value) pairs.
  const uint64_t rows = t.rows();
  for (uint32_t c = 0; c < t.columns; ++c)
    for (uint64_t i = 0; i < rows;) {
      uint64_t j = i;
      while (j < rows && t.decimals[j * t.columns + c] == t.decimals[i * t.columns + c]) ++j;
      w.Varint(j - i);
      w.U8(t.decimals[i * t.columns + c]);
      i = j;
    }
  return s;
}

}  // namespace

bool IsSignalPath(const std::string& path) {
  for (const char* e : {".wav", ".hea", ".csv", ".raw", ".s16", ".s32", ".pcm"})
    if (EndsWith(path, e)) return true;
  return false;
}

StatusOr<SignalFile> ReadSignalFile(const std::string& path, dc_format raw, uint32_t raw_channels) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFile(path));
  return ReadSignalBytes(std::move(bytes), path, raw, raw_channels);
}

StatusOr<SignalFile> ReadSignalBytes(std::vector<uint8_t> bytes, const std::string& path, dc_format raw,
                                     uint32_t raw_channels) {
  if (raw == DC_FORMAT_RAW_S16LE || raw == DC_FORMAT_RAW_S32LE) {
    const size_t width = raw == DC_FORMAT_RAW_S16LE ? 2 : 4;
    if (raw_channels == 0 || raw_channels > 255) return Error(DC_ERR_INVALID_ARGUMENT, "raw signals need 1 to 255 channels");
    const size_t frame = width * raw_channels;
    SignalFile s;
    s.format = raw;
    s.channels = raw_channels;
    s.frames = bytes.size() / frame;
    if (s.frames == 0) return Error(DC_ERR_UNSUPPORTED_FORMAT, "raw signal shorter than one frame");
    s.samples.resize(s.frames * raw_channels);
    for (size_t i = 0; i < s.samples.size(); ++i) {
      const uint8_t* p = &bytes[i * width];
      s.samples[i] = width == 2 ? static_cast<int16_t>(p[0] | (p[1] << 8))
                                : static_cast<int32_t>(uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
                                                       uint32_t{p[3]} << 24);
    }
    s.bit_depth = width == 2 ? 16 : 32;
    ByteWriter w(&s.side);
    w.U8(kTagRaw);
    PutBlob(w, std::vector<uint8_t>(bytes.begin() + static_cast<long>(s.frames * frame), bytes.end()));
    return s;
  }
  if (bytes.size() >= 12 && std::memcmp(bytes.data(), "RIFF", 4) == 0) return FromWav(bytes);
  if (EndsWith(path, ".hea")) {
    // Find the signal file the header names: the second field of the first signal line.
    std::string text(bytes.begin(), bytes.end()), dat;
    size_t pos = 0;
    int line = 0;
    while (pos < text.size() && dat.empty()) {
      size_t e = text.find('\n', pos);
      if (e == std::string::npos) e = text.size();
      std::string l = text.substr(pos, e - pos);
      pos = e + 1;
      if (!l.empty() && l.back() == '\r') l.pop_back();
      if (l.empty() || l[0] == '#') continue;
      if (line++ == 1) dat = l.substr(0, l.find(' '));
    }
    if (dat.empty() || dat.find('/') != std::string::npos)
      return Error(DC_ERR_UNSUPPORTED_FORMAT, path + ": no signal file named in the WFDB header");
    ASSIGN_OR_RETURN(std::vector<uint8_t> datb, ReadFile(DirOf(path) + dat));
    ASSIGN_OR_RETURN(Wfdb w, DecodeWfdb(bytes.data(), bytes.size(), datb.data(), datb.size()));
    SignalFile s;
    s.format = DC_FORMAT_WFDB;
    s.channels = w.num_signals;
    s.frames = w.frames;
    s.bit_depth = 12;
    s.sample_rate = w.sampling_hz;
    s.samples = std::move(w.samples);
    ByteWriter bw(&s.side);
    bw.U8(kTagWfdb);
    PutBlob(bw, std::vector<uint8_t>(dat.begin(), dat.end()));
    PutBlob(bw, w.header_text);
    PutBlob(bw, w.trailer);
    return s;
  }
  if (EndsWith(path, ".csv") || path == "-") return FromCsv(bytes);  // "-": standard input
  return Error(DC_ERR_UNSUPPORTED_FORMAT, path + ": not a WAV, WFDB (.hea) or CSV signal (raw input needs --raw)");
}

StatusOr<std::vector<std::pair<std::string, std::vector<uint8_t>>>> BuildSignalFiles(const dc_content& c,
                                                                                     const std::string& out_path) {
  if (c.kind != DC_KIND_SIGNAL) return Error(DC_ERR_INVALID_ARGUMENT, "not a signal");
  ByteReader r(c.side, c.side_size);
  uint8_t tag = 0;
  RETURN_IF_ERROR(r.U8(&tag));
  const auto* samples = reinterpret_cast<const int32_t*>(c.data);
  const uint64_t total = uint64_t{c.width} * c.channels;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> files;
  if (c.format == DC_FORMAT_WAV && tag == kTagWav) {
    Wav wav;
    uint64_t bits;
    RETURN_IF_ERROR(r.Varint(&bits));
    if (bits != c.bit_depth) return Error(DC_ERR_CORRUPT, "WAV side data does not match the bit depth");
    wav.bits_per_sample = static_cast<uint32_t>(bits);
    wav.channels = c.channels;
    wav.frames = c.width;
    RETURN_IF_ERROR(GetBlob(r, &wav.header));
    RETURN_IF_ERROR(GetBlob(r, &wav.trailer));
    wav.samples.assign(samples, samples + total);
    ASSIGN_OR_RETURN(auto bytes, EncodeWav(wav));
    files.emplace_back(out_path, std::move(bytes));
  } else if (c.format == DC_FORMAT_WFDB && tag == kTagWfdb) {
    std::vector<uint8_t> dat;
    Wfdb w;
    RETURN_IF_ERROR(GetBlob(r, &dat));
    RETURN_IF_ERROR(GetBlob(r, &w.header_text));
    RETURN_IF_ERROR(GetBlob(r, &w.trailer));
    const std::string dat_name(dat.begin(), dat.end());
    if (dat_name.empty() || dat_name.find('/') != std::string::npos)
      return Error(DC_ERR_CORRUPT, "bad WFDB signal file name in the side data");
    w.num_signals = c.channels;
    w.frames = c.width;
    w.samples.assign(samples, samples + total);
    ASSIGN_OR_RETURN(auto bytes, EncodeWfdbDat(w));
    files.emplace_back(out_path, std::move(w.header_text));
    files.emplace_back(DirOf(out_path) + dat_name, std::move(bytes));
  } else if (c.format == DC_FORMAT_CSV && tag == kTagCsv) {
    CsvTable t;
    uint8_t flags;
    RETURN_IF_ERROR(r.U8(&flags));
    t.crlf = flags & 1;
    t.final_eol = flags & 2;
    RETURN_IF_ERROR(GetBlob(r, &t.header));
    t.columns = c.channels;
    t.values.assign(samples, samples + total);
    t.decimals.assign(total, 0);
    const uint64_t rows = c.width;
    for (uint32_t col = 0; col < c.channels; ++col)
      for (uint64_t i = 0; i < rows;) {
        uint64_t run;
        uint8_t v;
        RETURN_IF_ERROR(r.Varint(&run));
        RETURN_IF_ERROR(r.U8(&v));
        if (run == 0 || run > rows - i) return Error(DC_ERR_CORRUPT, "CSV layout runs past the table");
        for (uint64_t k = 0; k < run; ++k, ++i) t.decimals[i * c.channels + col] = v;
      }
    files.emplace_back(out_path, FormatCsv(t));
  } else if ((c.format == DC_FORMAT_RAW_S16LE || c.format == DC_FORMAT_RAW_S32LE) && tag == kTagRaw) {
    std::vector<uint8_t> tail;
    RETURN_IF_ERROR(GetBlob(r, &tail));
    const int width = c.format == DC_FORMAT_RAW_S16LE ? 2 : 4;
    std::vector<uint8_t> bytes;
    bytes.reserve(total * width + tail.size());
    for (uint64_t i = 0; i < total; ++i) {
      const uint32_t u = static_cast<uint32_t>(samples[i]);
      if (width == 2 && (samples[i] < INT16_MIN || samples[i] > INT16_MAX))
        return Error(DC_ERR_CORRUPT, "raw int16 sample out of range");
      for (int b = 0; b < width; ++b) bytes.push_back(static_cast<uint8_t>(u >> (8 * b)));
    }
    bytes.insert(bytes.end(), tail.begin(), tail.end());
    files.emplace_back(out_path, std::move(bytes));
  } else {
    return Error(DC_ERR_CORRUPT, "signal side data does not match the original format");
  }
  if (r.remaining() != 0) return Error(DC_ERR_CORRUPT, "bytes after the signal side data");
  return files;
}

}  // namespace dc::extras
