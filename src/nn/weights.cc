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

uint32_t Fingerprint(const std::string& config, const std::string& table, const uint8_t* data,
                     size_t size, std::string* hex) {
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
  std::string hex;
  Fingerprint(config.dump(), table.dump(), data.data(), data.size(), &hex);
  nlohmann::json meta = {{"format", "diffcomp-weights"}, {"arch", w.arch},
                         {"model_id", w.model_id},       {"config", config},
                         {"tensors", table},             {"info", info},
                         {"sha256", hex}};
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
    w.fingerprint = Fingerprint(meta.at("config").dump(), table.dump(), data, data_size, &w.fingerprint_hex);
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
