#include "extras/wfdb.h"
#include "common/status.h"  // the macros (extras is built with the library's private headers)

#include <cstdlib>
#include <sstream>

namespace dc::extras {
namespace {

std::vector<std::string> Lines(const uint8_t* p, size_t n) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < n; ++i) {
    const char c = static_cast<char>(p[i]);
    if (c == '\n') {
      if (!cur.empty() && cur.back() == '\r') cur.pop_back();
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<std::string> Fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> f;
  for (std::string s; in >> s;) f.push_back(s);
  return f;
}

bool ParseInt(const std::string& s, long long lo, long long hi, long long* v) {
  if (s.empty()) return false;
  char* end = nullptr;
  const long long x = std::strtoll(s.c_str(), &end, 10);
  if (*end != '\0' || x < lo || x > hi) return false;
  *v = x;
  return true;
}

int32_t SignExtend12(uint32_t v) { return static_cast<int32_t>(v & 0x800 ? v | 0xFFFFF000u : v); }

}  // namespace

StatusOr<Wfdb> DecodeWfdb(const uint8_t* hea, size_t hea_size, const uint8_t* dat, size_t dat_size) {
  if (hea_size > (1u << 20)) return Error(DC_ERR_TOO_LARGE, "WFDB header larger than 1 MiB");
  Wfdb w;
  w.header_text.assign(hea, hea + hea_size);
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : Lines(hea, hea_size)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = Fields(line);
    if (!f.empty()) rows.push_back(std::move(f));
  }
  if (rows.empty() || rows[0].size() < 4)
    return Error(DC_ERR_CORRUPT, "WFDB header lacks its record line (name, signals, frequency, samples)");
  long long ns, frames;
  w.record = rows[0][0];
  // The frequency field may carry "/counter" or "(base)" suffixes; only its number is needed.
  w.sampling_hz = std::strtod(rows[0][2].c_str(), nullptr);
  if (!ParseInt(rows[0][1], 1, 64, &ns) || !ParseInt(rows[0][3], 1, static_cast<long long>(kMaxWfdbSamples), &frames) ||
      !(w.sampling_hz > 0))
    return Error(DC_ERR_CORRUPT, "WFDB record line out of range");
  w.num_signals = static_cast<uint32_t>(ns);
  w.frames = static_cast<uint64_t>(frames);
  if (rows.size() < 1 + w.num_signals) return Error(DC_ERR_CORRUPT, "WFDB header lists fewer signals than it declares");
  for (uint32_t s = 0; s < w.num_signals; ++s) {
    const auto& f = rows[1 + s];
    WfdbSignal sig;
    long long fmt, init = 0, sum = 0;
    if (f.size() < 2 || !ParseInt(f[1].substr(0, f[1].find_first_of("x:+")), 0, 1000, &fmt))
      return Error(DC_ERR_CORRUPT, "WFDB signal line " + std::to_string(s + 1) + " is malformed");
    if (fmt != 212) return Error(DC_ERR_UNSUPPORTED_FORMAT, "WFDB format " + std::to_string(fmt) + " (only 212 is supported)");
    if (f.size() < 7 || !ParseInt(f[5], -2048, 2047, &init) || !ParseInt(f[6], -32768, 32767, &sum))
      return Error(DC_ERR_CORRUPT, "WFDB signal line " + std::to_string(s + 1) + " lacks initial value or checksum");
    sig.file = f[0];
    sig.format = static_cast<int>(fmt);
    sig.initial = static_cast<int32_t>(init);
    sig.checksum = static_cast<int32_t>(sum);
    for (size_t k = 8; k < f.size(); ++k) sig.description += (k > 8 ? " " : "") + f[k];
    if (s > 0 && sig.file != w.signals[0].file) return Error(DC_ERR_UNSUPPORTED_FORMAT, "WFDB signals in several files");
    w.signals.push_back(sig);
  }
  const uint64_t total = w.frames * w.num_signals;
  const uint64_t need = total / 2 * 3 + (total % 2 ? 2 : 0);
  if (dat_size < need) return Error(DC_ERR_TRUNCATED, "WFDB signal file shorter than the header's sample count");
  w.samples.resize(total);
  for (uint64_t i = 0; i + 1 < total; i += 2) {
    const uint8_t* g = dat + i / 2 * 3;
    w.samples[i] = SignExtend12(g[0] | ((g[1] & 0x0Fu) << 8));
    w.samples[i + 1] = SignExtend12(g[2] | ((g[1] & 0xF0u) << 4));
  }
  if (total % 2) {
    const uint8_t* g = dat + total / 2 * 3;
    // The odd last sample leaves the high nibble of its second byte unused. Writers set it to
    // zero; any other value could not be rebuilt from the samples, so it is refused rather than
    // silently lost (a lossless coder must restore every byte).
    if (g[1] & 0xF0u)
      return Error(DC_ERR_UNSUPPORTED_FORMAT, "WFDB signal file's unused last half-byte is not zero");
    w.samples[total - 1] = SignExtend12(g[0] | ((g[1] & 0x0Fu) << 8));
  }
  w.trailer.assign(dat + need, dat + dat_size);
  for (uint32_t s = 0; s < w.num_signals; ++s) {
    int32_t sum = 0;
    for (uint64_t t = 0; t < w.frames; ++t) sum += w.samples[t * w.num_signals + s];
    const int16_t sum16 = static_cast<int16_t>(static_cast<uint16_t>(sum));
    if (sum16 != w.signals[s].checksum || w.samples[s] != w.signals[s].initial)
      return Error(DC_ERR_CORRUPT, "WFDB signal " + std::to_string(s + 1) + " does not match its header checksum");
  }
  return w;
}

StatusOr<std::vector<uint8_t>> EncodeWfdbDat(const Wfdb& w) {
  const uint64_t total = w.samples.size();
  if (total != w.frames * w.num_signals) return Error(DC_ERR_INVALID_ARGUMENT, "WFDB sample count does not match");
  std::vector<uint8_t> out;
  out.reserve(total / 2 * 3 + 2 + w.trailer.size());
  for (uint64_t i = 0; i < total; i += 2) {
    const uint32_t a = static_cast<uint32_t>(w.samples[i]) & 0xFFF;
    if (i + 1 < total) {
      const uint32_t b = static_cast<uint32_t>(w.samples[i + 1]) & 0xFFF;
      out.push_back(static_cast<uint8_t>(a & 0xFF));
      out.push_back(static_cast<uint8_t>((a >> 8) | ((b >> 8) << 4)));
      out.push_back(static_cast<uint8_t>(b & 0xFF));
    } else {
      out.push_back(static_cast<uint8_t>(a & 0xFF));
      out.push_back(static_cast<uint8_t>(a >> 8));
    }
  }
  out.insert(out.end(), w.trailer.begin(), w.trailer.end());
  return out;
}

}  // namespace dc::extras
