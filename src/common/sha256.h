// SHA-256 (FIPS 180-4), used for model fingerprints.
#ifndef DIFFCOMP_COMMON_SHA256_H_
#define DIFFCOMP_COMMON_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace dc {

class Sha256 {
 public:
  Sha256();
  void Update(const uint8_t* data, size_t size);
  std::array<uint8_t, 32> Final();

 private:
  void Block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

std::array<uint8_t, 32> Sha256Of(const uint8_t* data, size_t size);
std::string ToHex(const uint8_t* data, size_t size);

}  // namespace dc

#endif  // DIFFCOMP_COMMON_SHA256_H_
