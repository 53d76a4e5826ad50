// Numeric CSV tables (time series), outside the core library. Only text that this module
// regenerates byte for byte is accepted, so a decoder restores the exact file.
#ifndef DIFFCOMP_EXTRAS_CSV_H_
#define DIFFCOMP_EXTRAS_CSV_H_

#include <cstdint>
#include <vector>

#include "diffcomp/status.h"

namespace dc::extras {

constexpr uint8_t kCsvGap = 0xFF;  // decimals value of an empty field

struct CsvTable {
  std::vector<uint8_t> header;  // the header line (any line with a non-numeric field) or empty
  bool crlf = false;            // line ends are "\r\n" (else "\n"), the same on every line
  bool final_eol = true;        // the last line ends with a line end
  uint32_t columns = 0;
  std::vector<int64_t> values;    // rows x columns: the number with its decimal point removed
  std::vector<uint8_t> decimals;  // rows x columns: digits after the point, or kCsvGap
  uint64_t rows() const { return columns ? values.size() / columns : 0; }
};

// Parses a comma-separated table of decimal numbers (-?digits[.digits], at most 18 digits),
// with an optional first header line and empty fields as gaps. Text that FormatCsv would not
// reproduce exactly (leading zeros, '+', exponents, spaces, "-0", ragged rows, mixed line
// ends) is DC_ERR_UNSUPPORTED_FORMAT naming the line.
StatusOr<CsvTable> ParseCsv(const uint8_t* data, size_t size);
std::vector<uint8_t> FormatCsv(const CsvTable& t);

}  // namespace dc::extras

#endif  // DIFFCOMP_EXTRAS_CSV_H_
