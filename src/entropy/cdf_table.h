// Quantised CDF tables for the rANS coder, built in explicit steps (pmf -> quantised CDF ->
// serialised table -> coding), so that tables can be static, trained or predicted.
//
// A table of n entries codes symbols 0..n-2 directly; with `escape`, symbol n-1 is the escape:
// a value v >= n-1 is coded as the escape followed by (v - (n-1)) in Elias-gamma form with raw
// bits, so any 32-bit value can be coded.
#ifndef DIFFCOMP_ENTROPY_CDF_TABLE_H_
#define DIFFCOMP_ENTROPY_CDF_TABLE_H_

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "entropy/rans.h"

namespace dc::rans {

struct CdfTable {
  int precision = 0;
  bool escape = false;
  std::vector<uint32_t> cdf;  // n + 1 entries, cdf[0] = 0, cdf[n] = 2^precision, strictly rising
  uint32_t symbols() const { return static_cast<uint32_t>(cdf.size() - 1); }
};

// Quantises a pmf (non-negative weights, any scale) to 2^precision with every symbol's frequency
// >= 1, minimising the coding cost of the rounding greedily. Needs n <= 2^precision, n >= 1.
StatusOr<CdfTable> BuildCdfTable(const std::vector<double>& pmf, int precision, bool escape);

void EncodeSymbol(Encoder* enc, const CdfTable& t, uint32_t value);
Status DecodeSymbol(Decoder* dec, const CdfTable& t, uint32_t* value);

// Serialised form: u8 precision | u8 escape | varint n | n varint frequencies.
void SerializeCdfTable(const CdfTable& t, std::vector<uint8_t>* out);
StatusOr<CdfTable> ParseCdfTable(const uint8_t* data, size_t size, size_t* consumed);

}  // namespace dc::rans

#endif  // DIFFCOMP_ENTROPY_CDF_TABLE_H_
