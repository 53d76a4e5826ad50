// Helpers shared by the signal-lossy tests (beside the codec and in tests/unit/).
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSY_TEST_UTIL_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSY_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace dc::slossy::testing {

// 10 log10(sum a^2 / sum (a - b)^2).
inline double SnrDb(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  double e = 0, d = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    e += double(a[i]) * a[i];
    d += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  }
  return 10 * std::log10(e / std::max(d, 1e-9));
}

}  // namespace dc::slossy::testing

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSY_TEST_UTIL_H_
