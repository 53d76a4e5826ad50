#include "entropy/cdf_table.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "common/bytes.h"

namespace dc::rans {

StatusOr<CdfTable> BuildCdfTable(const std::vector<double>& pmf, int precision, bool escape) {
  const size_t n = pmf.size();
  if (precision < 1 || precision > kMaxPrecision || n == 0 || n > (1u << precision))
    return Error(DC_ERR_INVALID_ARGUMENT, "CDF table: bad precision or size");
  double total = 0;
  for (double p : pmf) {
    if (!(p >= 0) || !std::isfinite(p)) return Error(DC_ERR_INVALID_ARGUMENT, "CDF table: bad pmf");
    total += p;
  }
  const uint32_t M = 1u << precision;
  std::vector<uint32_t> freq(n, 1);
  uint32_t used = static_cast<uint32_t>(n);
  if (total > 0) {
    // Floor of the share of the mass left after the minimum frequency of 1 each.
    const double scale = (M - n) / total;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t extra = static_cast<uint32_t>(std::floor(pmf[i] * scale));
      freq[i] += extra;
      used += extra;
    }
    // Hand out what rounding left over where it lowers the expected cost most:
    // gain of +1 on symbol i is p_i * log2((f_i + 1) / f_i).
    using Item = std::pair<double, size_t>;
    std::priority_queue<Item> q;
    for (size_t i = 0; i < n; ++i)
      if (pmf[i] > 0) q.push({pmf[i] * std::log2((freq[i] + 1.0) / freq[i]), i});
    while (used < M && !q.empty()) {
      const size_t i = q.top().second;
      q.pop();
      ++freq[i];
      ++used;
      q.push({pmf[i] * std::log2((freq[i] + 1.0) / freq[i]), i});
    }
  }
  if (used < M) freq[0] += M - used;  // all-zero pmf: the rest to symbol 0
  CdfTable t;
  t.precision = precision;
  t.escape = escape;
  t.cdf.resize(n + 1);
  t.cdf[0] = 0;
  for (size_t i = 0; i < n; ++i) t.cdf[i + 1] = t.cdf[i] + freq[i];
  return t;
}

namespace {
// Elias gamma of v + 1 in raw bits: the bit length (unary in 5-bit form) then the value.
void PutGamma(Encoder* enc, uint32_t v) {
  const uint64_t x = uint64_t{v} + 1;
  int bits = 0;
  while ((x >> bits) > 1) ++bits;  // x has bits + 1 significant bits
  enc->PutBits(static_cast<uint32_t>(bits), 6);
  const uint64_t rest = x & ((uint64_t{1} << bits) - 1);
  if (bits > 16) {
    enc->PutBits(static_cast<uint32_t>(rest & 0xFFFF), 16);
    enc->PutBits(static_cast<uint32_t>(rest >> 16), bits - 16);
  } else {
    enc->PutBits(static_cast<uint32_t>(rest), bits);
  }
}
Status GetGamma(Decoder* dec, uint32_t* v) {
  uint32_t bits;
  RETURN_IF_ERROR(dec->GetBits(6, &bits));
  if (bits > 32) return Error(DC_ERR_CORRUPT, "escape value too long");
  uint64_t rest = 0;
  uint32_t lo, hi = 0;
  if (bits > 16) {
    RETURN_IF_ERROR(dec->GetBits(16, &lo));
    RETURN_IF_ERROR(dec->GetBits(static_cast<int>(bits) - 16, &hi));
    rest = lo | (uint64_t{hi} << 16);
  } else {
    RETURN_IF_ERROR(dec->GetBits(static_cast<int>(bits), &lo));
    rest = lo;
  }
  const uint64_t x = (uint64_t{1} << bits) | rest;
  if (x - 1 > 0xFFFFFFFFull) return Error(DC_ERR_CORRUPT, "escape value out of range");
  *v = static_cast<uint32_t>(x - 1);
  return Status::Ok();
}
}  // namespace

void EncodeSymbol(Encoder* enc, const CdfTable& t, uint32_t value) {
  const uint32_t n = t.symbols();
  const uint32_t esc = n - 1;
  const uint32_t s = (t.escape && value >= esc) ? esc : value;
  enc->Put(t.cdf[s], t.cdf[s + 1] - t.cdf[s], t.precision);
  if (t.escape && s == esc) PutGamma(enc, value - esc);
}

Status DecodeSymbol(Decoder* dec, const CdfTable& t, uint32_t* value) {
  const uint32_t v = dec->Peek(t.precision);
  // First entry above v, minus one: the symbol whose interval holds v.
  const auto it = std::upper_bound(t.cdf.begin(), t.cdf.end(), v);
  const uint32_t s = static_cast<uint32_t>(it - t.cdf.begin()) - 1;
  RETURN_IF_ERROR(dec->Advance(t.cdf[s], t.cdf[s + 1] - t.cdf[s], t.precision));
  if (t.escape && s == t.symbols() - 1) {
    uint32_t extra;
    RETURN_IF_ERROR(GetGamma(dec, &extra));
    if (extra > 0xFFFFFFFFu - s) return Error(DC_ERR_CORRUPT, "escape value out of range");
    *value = s + extra;
  } else {
    *value = s;
  }
  return Status::Ok();
}

void SerializeCdfTable(const CdfTable& t, std::vector<uint8_t>* out) {
  ByteWriter w(out);
  w.U8(static_cast<uint8_t>(t.precision));
  w.U8(t.escape ? 1 : 0);
  w.Varint(t.symbols());
  for (uint32_t i = 0; i < t.symbols(); ++i) w.Varint(t.cdf[i + 1] - t.cdf[i]);
}

StatusOr<CdfTable> ParseCdfTable(const uint8_t* data, size_t size, size_t* consumed) {
  ByteReader r(data, size);
  uint8_t prec, esc;
  uint64_t n;
  RETURN_IF_ERROR(r.U8(&prec));
  RETURN_IF_ERROR(r.U8(&esc));
  if (prec < 1 || prec > kMaxPrecision) return Error(DC_ERR_CORRUPT, "CDF table precision out of range");
  if (esc > 1) return Error(DC_ERR_RESERVED_BITS, "CDF table escape flag has reserved bits");
  RETURN_IF_ERROR(r.Varint(&n));
  if (n == 0 || n > (1u << prec)) return Error(DC_ERR_CORRUPT, "CDF table size out of range");
  CdfTable t;
  t.precision = prec;
  t.escape = esc != 0;
  t.cdf.resize(n + 1);
  uint64_t sum = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t f;
    RETURN_IF_ERROR(r.Varint(&f));
    if (f == 0) return Error(DC_ERR_CORRUPT, "CDF table has a zero frequency");
    sum += f;
    if (sum > (1u << prec)) return Error(DC_ERR_CORRUPT, "CDF table frequencies exceed the total");
    t.cdf[i + 1] = static_cast<uint32_t>(sum);
  }
  if (sum != (1u << prec)) return Error(DC_ERR_CORRUPT, "CDF table frequencies do not sum to the total");
  *consumed = size - r.remaining();
  return t;
}

}  // namespace dc::rans
