#include "nn/weights.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/bytes.h"
#include "common/sha256.h"

namespace dc::nn {
namespace {

constexpr uint16_t kMajor = 1, kMinor = 0;
constexpr size_t kAlign = 16;
constexpr uint64_t kMaxTensorElems = 1ull << 26;  // 64 M values: far above any shipped model
// Parsing is iterative, but dumping (config, tensor table, info) recurses once per level: deeper
// metadata overflowed the stack. Shipped models nest 4 levels.
constexpr int kMaxJsonDepth = 64;

// nlohmann's get<integer type>() of a JSON float is a plain cast, undefined beyond the type's
// range (1e42; an integer literal too long for 64 bits also parses as a float): integer fields
// must be JSON integers, within [0, max].
uint64_t GetUnsigned(const nlohmann::json& j, uint64_t max, const char* field) {
  if (!j.is_number_unsigned() || j.get<uint64_t>() > max)
    throw std::out_of_range(std::string(field) + " is not an integer in 0.." + std::to_string(max));
  return j.get<uint64_t>();
}

uint32_t BitsOf(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
float FloatOf(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

// JSON whitespace (RFC 8259): space, tab, line feed, carriage return.
bool IsJsonSpace(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Index just past the string literal that starts at m[i] (a '"').
size_t SkipString(const uint8_t* m, size_t n, size_t i) {
  for (++i; i < n && m[i] != '"'; ++i)
    if (m[i] == '\\') ++i;
  return i + 1;
}

// Appends m[begin, end) to *out without the whitespace outside string literals.
void AppendWithoutSpace(const uint8_t* m, size_t begin, size_t end, std::string* out) {
  for (size_t i = begin; i < end;) {
    if (m[i] == '"') {
      const size_t j = std::min(SkipString(m, end, i), end);
      out->append(reinterpret_cast<const char*>(m + i), j - i);
      i = j;
    } else {
      if (!IsJsonSpace(m[i])) out->push_back(static_cast<char>(m[i]));
      ++i;
    }
  }
}

// The fingerprint's input from the metadata text m[0, n), which nlohmann has already parsed as
// a JSON object (docs/weights-format.md, "Fingerprint"): the bytes of the values of the top-level
// members "config" and "tensors" as they stand in the file, less the whitespace outside strings.
// Top-level names are compared byte for byte, so a top-level name with an escape or a repeated
// one is refused: the parsed view and the hashed bytes could otherwise name different values.
Status FingerprintInput(const uint8_t* m, size_t n, std::string* config, std::string* table) {
  size_t i = 0;
  if (n >= 3 && m[0] == 0xEF && m[1] == 0xBB && m[2] == 0xBF) i = 3;  // a UTF-8 BOM, as nlohmann
  const auto skip_space = [&] { while (i < n && IsJsonSpace(m[i])) ++i; };
  skip_space();
  if (i >= n || m[i] != '{') return Error(DC_ERR_CORRUPT, "weights metadata is not an object");
  ++i;
  std::vector<std::string> names;
  bool have_config = false, have_table = false;
  while (true) {
    skip_space();
    if (i >= n) return Error(DC_ERR_CORRUPT, "weights metadata ends early");
    if (m[i] == '}') break;
    if (m[i] == ',') { ++i; continue; }
    if (m[i] != '"') return Error(DC_ERR_CORRUPT, "weights metadata: bad member name");
    const size_t name_end = SkipString(m, n, i);
    if (name_end > n) return Error(DC_ERR_CORRUPT, "weights metadata ends early");
    std::string name(reinterpret_cast<const char*>(m + i + 1), name_end - i - 2);
    if (name.find('\\') != std::string::npos)
      return Error(DC_ERR_CORRUPT, "weights metadata: escaped top-level member name");
    if (std::find(names.begin(), names.end(), name) != names.end())
      return Error(DC_ERR_CORRUPT, "weights metadata: repeated member " + name);
    names.push_back(name);
    i = name_end;
    skip_space();
    if (i >= n || m[i] != ':') return Error(DC_ERR_CORRUPT, "weights metadata: bad member");
    ++i;
    skip_space();
    // The value ends at the ',' or '}' that closes it at depth 0.
    const size_t begin = i;
    int depth = 0;
    while (i < n) {
      const uint8_t c = m[i];
      if (c == '"') { i = SkipString(m, n, i); continue; }
      if (depth == 0 && (c == ',' || c == '}')) break;
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      ++i;
    }
    if (i >= n) return Error(DC_ERR_CORRUPT, "weights metadata ends early");
    if (name == "config") { AppendWithoutSpace(m, begin, i, config); have_config = true; }
    if (name == "tensors") { AppendWithoutSpace(m, begin, i, table); have_table = true; }
  }
  if (!have_config || !have_table) return Error(DC_ERR_CORRUPT, "weights metadata lacks config or tensors");
  return Status::Ok();
}

// SHA-256 of FingerprintInput's two strings, then the data section (to the end of the file).
StatusOr<uint32_t> Fingerprint(const uint8_t* meta, size_t meta_size, const uint8_t* data, size_t size,
                               std::string* hex) {
  std::string config, table;
  RETURN_IF_ERROR(FingerprintInput(meta, meta_size, &config, &table));
  Sha256 s;
  s.Update(reinterpret_cast<const uint8_t*>(config.data()), config.size());
  s.Update(reinterpret_cast<const uint8_t*>(table.data()), table.size());
  s.Update(data, size);
  const auto d = s.Final();
  *hex = ToHex(d.data(), d.size());
  return (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | d[3];
}

}  // namespace

uint16_t FloatToHalf(float f) {
  const uint32_t x = BitsOf(f);
  const uint32_t sign = (x >> 16) & 0x8000;
  const int32_t exp = static_cast<int32_t>((x >> 23) & 0xFF);
  uint32_t mant = x & 0x7FFFFF;
  if (exp == 0xFF) return static_cast<uint16_t>(sign | 0x7C00 | (mant ? 0x200 : 0));
  int32_t e = exp - 127 + 15;
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7C00);
  if (e <= 0) {
    if (e < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000;
    const int shift = 14 - e;
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) ++h;
    return static_cast<uint16_t>(sign | h);
  }
  uint32_t h = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1FFF;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;  // may carry into the exponent: correct
  return static_cast<uint16_t>(sign | h);
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = (uint32_t{h} & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1F;
  uint32_t mant = h & 0x3FF;
  if (exp == 0) {
    if (mant == 0) return FloatOf(sign);
    int e = -1;
    do { ++e; mant <<= 1; } while (!(mant & 0x400));
    return FloatOf(sign | ((127 - 15 - e) << 23) | ((mant & 0x3FF) << 13));
  }
  if (exp == 31) return FloatOf(sign | 0x7F800000 | (mant << 13));
  return FloatOf(sign | ((exp + 127 - 15) << 23) | (mant << 13));
}

std::vector<uint8_t> SerializeWeights(const WeightsFile& w, DType dtype) {
  nlohmann::json table = nlohmann::json::array();
  std::vector<uint8_t> data;
  for (const auto& [name, t] : w.tensors) {
    while (data.size() % kAlign) data.push_back(0);
    const size_t offset = data.size();
    for (float v : t.data) {
      if (dtype == DType::kF16) {
        const uint16_t h = FloatToHalf(v);
        data.push_back(h & 0xFF);
        data.push_back(h >> 8);
      } else {
        const uint32_t u = BitsOf(v);
        for (int i = 0; i < 4; ++i) data.push_back((u >> (8 * i)) & 0xFF);
      }
    }
    table.push_back({{"name", name},
                     {"dtype", dtype == DType::kF16 ? "f16" : "f32"},
                     {"shape", t.shape},
                     {"offset", offset},
                     {"bytes", data.size() - offset}});
  }
  const nlohmann::json config = nlohmann::json::parse(w.config_json.empty() ? "{}" : w.config_json);
  const nlohmann::json info = nlohmann::json::parse(w.info_json.empty() ? "{}" : w.info_json);
  nlohmann::json meta = {{"format", "diffcomp-weights"}, {"arch", w.arch},
                         {"model_id", w.model_id},       {"config", config},
                         {"tensors", table},             {"info", info},
                         {"sha256", ""}};
  // The fingerprint is defined over the metadata's bytes as written (config and tensor table
  // less whitespace, then the data section): hash the text, then fill in the hex. The sha256
  // member does not change the other members' text.
  std::string hex;
  const std::string draft = meta.dump(1);
  const auto fp = Fingerprint(reinterpret_cast<const uint8_t*>(draft.data()), draft.size(), data.data(),
                              data.size(), &hex);
  if (!fp.ok()) throw std::logic_error("weights: " + fp.status().message());  // our own JSON: cannot happen
  meta["sha256"] = hex;
  const std::string m = meta.dump(1);
  std::vector<uint8_t> out;
  ByteWriter bw(&out);
  bw.Bytes(reinterpret_cast<const uint8_t*>("DCWT"), 4);
  bw.U16(kMajor);
  bw.U16(kMinor);
  bw.U32(static_cast<uint32_t>(m.size()));
  bw.Bytes(reinterpret_cast<const uint8_t*>(m.data()), m.size());
  while (out.size() % kAlign) out.push_back(0);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

StatusOr<WeightsFile> ParseWeights(const uint8_t* bytes, size_t size) {
  ByteReader r(bytes, size);
  const uint8_t* magic = nullptr;
  if (size < 4 || std::memcmp(bytes, "DCWT", 4) != 0)
    return Error(DC_ERR_BAD_MAGIC, "not a diffcomp weights file");
  RETURN_IF_ERROR(r.Bytes(4, &magic));
  uint16_t major = 0, minor = 0;
  uint32_t mlen = 0;
  RETURN_IF_ERROR(r.U16(&major));
  RETURN_IF_ERROR(r.U16(&minor));
  if (major != kMajor) return Error(DC_ERR_UNSUPPORTED_VERSION, "weights file version " + std::to_string(major));
  RETURN_IF_ERROR(r.U32(&mlen));
  const uint8_t* mp = nullptr;
  RETURN_IF_ERROR(r.Bytes(mlen, &mp));
  size_t data_start = 12 + static_cast<size_t>(mlen);
  data_start = (data_start + kAlign - 1) / kAlign * kAlign;
  if (data_start > size) return Error(DC_ERR_TRUNCATED, "weights file ends in its header");
  const uint8_t* data = bytes + data_start;
  const size_t data_size = size - data_start;

  WeightsFile w;
  try {
    int depth = 0;
    const auto deepest = [&depth](int d, nlohmann::json::parse_event_t, nlohmann::json&) {
      depth = std::max(depth, d);
      return true;
    };
    const auto meta = nlohmann::json::parse(mp, mp + mlen, deepest, /*allow_exceptions=*/false);
    if (meta.is_discarded() || !meta.is_object())
      return Error(DC_ERR_CORRUPT, "weights metadata is not valid JSON");
    if (depth > kMaxJsonDepth) return Error(DC_ERR_CORRUPT, "weights metadata is nested too deeply");
    if (meta.value("format", "") != "diffcomp-weights")
      return Error(DC_ERR_CORRUPT, "weights metadata has the wrong format tag");
    w.arch = meta.at("arch").get<std::string>();
    w.model_id = static_cast<uint32_t>(GetUnsigned(meta.at("model_id"), 0xFFFFFFFFu, "model_id"));
    w.config_json = meta.at("config").dump();
    w.info_json = meta.contains("info") ? meta.at("info").dump() : "{}";
    const auto& table = meta.at("tensors");
    if (!table.is_array()) return Error(DC_ERR_CORRUPT, "tensor table is not an array");
    for (const auto& e : table) {
      Tensor t;
      const std::string name = e.at("name").get<std::string>();
      const std::string dt = e.at("dtype").get<std::string>();
      const uint64_t offset = GetUnsigned(e.at("offset"), UINT64_MAX, "tensor offset");
      const uint64_t nbytes = GetUnsigned(e.at("bytes"), UINT64_MAX, "tensor size");
      uint64_t n = 1;
      for (const auto& d : e.at("shape")) {
        if (!d.is_number_integer()) return Error(DC_ERR_CORRUPT, "bad tensor shape: " + name);
        const int64_t v = d.get<int64_t>();
        if (v <= 0 || static_cast<uint64_t>(v) > kMaxTensorElems) return Error(DC_ERR_CORRUPT, "bad tensor shape: " + name);
        n *= static_cast<uint64_t>(v);
        if (n > kMaxTensorElems) return Error(DC_ERR_CORRUPT, "tensor too large: " + name);
        t.shape.push_back(v);
      }
      const uint64_t esize = dt == "f16" ? 2 : dt == "f32" ? 4 : 0;
      if (esize == 0) return Error(DC_ERR_CORRUPT, "unknown tensor dtype: " + dt);
      if (nbytes != n * esize || offset > data_size || nbytes > data_size - offset)
        return Error(DC_ERR_CORRUPT, "tensor out of range: " + name);
      t.data.resize(n);
      const uint8_t* p = data + offset;
      for (uint64_t i = 0; i < n; ++i) {
        if (esize == 2) {
          t.data[i] = HalfToFloat(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
        } else {
          const uint32_t u = uint32_t{p[4 * i]} | (uint32_t{p[4 * i + 1]} << 8) |
                             (uint32_t{p[4 * i + 2]} << 16) | (uint32_t{p[4 * i + 3]} << 24);
          t.data[i] = FloatOf(u);
        }
      }
      if (!w.tensors.emplace(name, std::move(t)).second)
        return Error(DC_ERR_CORRUPT, "duplicate tensor: " + name);
    }
    const auto fp = Fingerprint(mp, mlen, data, data_size, &w.fingerprint_hex);
    if (!fp.ok()) return fp.status();
    w.fingerprint = fp.value();
  } catch (const std::exception& e) {
    return Error(DC_ERR_CORRUPT, std::string("weights metadata: ") + e.what());
  }
  return w;
}

StatusOr<WeightsFile> LoadWeights(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error(DC_ERR_MODEL_NOT_FOUND, "cannot open model file " + path);
  std::vector<uint8_t> buf;
  uint8_t tmp[1 << 16];
  size_t n;
  while ((n = std::fread(tmp, 1, sizeof(tmp), f)) > 0) {
    buf.insert(buf.end(), tmp, tmp + n);
    if (buf.size() > (256u << 20)) {
      std::fclose(f);
      return Error(DC_ERR_TOO_LARGE, "model file larger than 256 MiB: " + path);
    }
  }
  const bool err = std::ferror(f);
  std::fclose(f);
  if (err) return Error(DC_ERR_MODEL_NOT_FOUND, "cannot read model file " + path);
  auto w = ParseWeights(buf.data(), buf.size());
  if (!w.ok()) return Error(w.status().code(), path + ": " + w.status().message());
  return w;
}

}  // namespace dc::nn
