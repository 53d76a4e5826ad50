// libFuzzer target: the entropy layer on untrusted bytes. rans::ParseCdfTable reads a table from
// the front of the input; the rest is a rANS stream decoded with it (DecodeSymbol, escapes
// included) until the stream fails or 4096 symbols are read, then Finish.
#include <cstdint>
#include <cstdlib>

#include "entropy/cdf_table.h"
#include "entropy/rans.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t used = 0;
  auto t = dc::rans::ParseCdfTable(data, size, &used);
  if (!t.ok()) return 0;
  if (used > size || t->cdf.size() < 2 || t->cdf.front() != 0 ||
      t->cdf.back() != (1u << t->precision))
    std::abort();
  dc::rans::Decoder dec;
  if (!dec.Init(data + used, size - used).ok()) return 0;
  for (int i = 0; i < 4096; ++i) {
    uint32_t v;
    if (!dc::rans::DecodeSymbol(&dec, t.value(), &v).ok()) return 0;
    if (!t->escape && v >= t->symbols()) std::abort();
  }
  (void)dec.Finish();
  return 0;
}
