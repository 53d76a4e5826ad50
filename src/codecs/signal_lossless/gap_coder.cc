#include "codecs/signal_lossless/gap_coder.h"

#include <algorithm>
#include <cmath>

#include "codecs/signal_lossless/signal_net.h"
#include "common/detmath.h"

namespace dc::sig {
namespace {

constexpr int kMaxLowBits = 32;
constexpr int64_t kMaxCenter = int64_t{1} << 40;

// Puts/gets up to 40 raw bits in pieces of at most 16.
void PutWide(rans::Encoder* enc, uint64_t v, int nbits) {
  for (int done = 0; done < nbits; done += 16) enc->PutBits(static_cast<uint32_t>(v >> done), std::min(16, nbits - done));
}
Status GetWide(rans::Decoder* dec, int nbits, uint64_t* v) {
  *v = 0;
  for (int done = 0; done < nbits; done += 16) {
    uint32_t piece;
    RETURN_IF_ERROR(dec->GetBits(std::min(16, nbits - done), &piece));
    *v |= static_cast<uint64_t>(piece) << done;
  }
  return Status::Ok();
}
int BitLength(uint64_t v) {
  int n = 0;
  while (v) {
    v >>= 1;
    ++n;
  }
  return n;
}

// Window value of high part h, and the tail excess when it falls outside.
int WindowValue(const GapDist& gd, int64_t h, uint64_t* excess) {
  const int64_t w = h - gd.center + 128;
  *excess = 0;
  if (w <= 0) {
    *excess = static_cast<uint64_t>(-w);
    return 0;
  }
  if (w >= 255) {
    *excess = static_cast<uint64_t>(w - 255);
    return 255;
  }
  return static_cast<int>(w);
}

}  // namespace

void MakeGapDist(const float* out, long stride, int K, int k, GapDist* gd) {
  mix::SetWeights(out, stride, K, &gd->d);
  int top = 0;
  for (int i = 1; i < K; ++i)
    if (gd->d.weight[i] > gd->d.weight[top]) top = i;
  const auto log_scale = [&](int i) {
    const float v = out[(2 * K + i) * stride];
    return v >= kMinLogScale ? std::min(v, kMaxLogScale) : kMinLogScale;  // NaN -> min
  };
  // Scale of the dominant component in residual units; bins at most half of it wide.
  const float s_top = std::ldexp(nn::DetExp(log_scale(top)), k);
  int b = std::ilogb(s_top) - 1;
  b = b < 0 ? 0 : std::min(b, kMaxLowBits);
  gd->b = b;
  // Bin h holds residuals [h 2^b - 1/2, (h + 1) 2^b - 1/2): in bin units u = (r + 1/2) 2^-b - 1/2
  // it is the interval [h - 1/2, h + 1/2), as window values are for the mixture coder.
  const auto bin_mean = [&](int i) {
    const double mu = std::ldexp(static_cast<double>(out[(K + i) * stride]), k);
    return std::ldexp(mu + 0.5, -b) - 0.5;
  };
  const double ut = bin_mean(top);
  double c = std::floor(ut + 0.5);
  if (!(c > -static_cast<double>(kMaxCenter))) c = 0;  // NaN or far out
  if (c > static_cast<double>(kMaxCenter)) c = static_cast<double>(kMaxCenter);
  gd->center = static_cast<int64_t>(c);
  for (int i = 0; i < K; ++i) {
    double mv = bin_mean(i) - c + 128.0;
    mv = mv >= -200.0 ? std::min(mv, 455.0) : -200.0;  // NaN -> -200
    // 1 / scale in bin units = exp(-log_scale) 2^(b - k).
    const float inv = std::ldexp(nn::DetExp(-log_scale(i)), b - k);
    mix::SetComponent(i, static_cast<float>(mv), inv, &gd->d);
  }
}

void EncodeResidual(rans::Encoder* enc, const GapDist& gd, int64_t r) {
  const int64_t h = r >> gd.b;  // arithmetic shift: floor
  // h * 2^b, not h << b: a left shift of a negative value is undefined before C++20 (same value).
  const uint64_t low = static_cast<uint64_t>(r - h * (int64_t{1} << gd.b));
  uint64_t excess;
  const int v = WindowValue(gd, h, &excess);
  mix::EncodeValue(enc, gd.d, v);
  if (v == 0 || v == 255) {
    // Elias gamma of excess + 1: its bit length n (6 bits), then its n - 1 low bits.
    const uint64_t e = excess + 1;
    const int n = BitLength(e);
    enc->PutBits(static_cast<uint32_t>(n - 1), 6);
    PutWide(enc, e, n - 1);
  }
  PutWide(enc, low, gd.b);
}

Status DecodeResidual(rans::Decoder* dec, const GapDist& gd, int64_t* r) {
  int v;
  RETURN_IF_ERROR(mix::DecodeValue(dec, gd.d, &v));
  int64_t h = gd.center + v - 128;
  if (v == 0 || v == 255) {
    uint32_t n1;
    RETURN_IF_ERROR(dec->GetBits(6, &n1));
    if (n1 > 40) return Error(DC_ERR_CORRUPT, "signal residual escape out of range");
    uint64_t e;
    RETURN_IF_ERROR(GetWide(dec, static_cast<int>(n1), &e));
    e |= uint64_t{1} << n1;
    const int64_t excess = static_cast<int64_t>(e - 1);
    h = v == 0 ? h - excess : h + excess;
  }
  uint64_t low;
  RETURN_IF_ERROR(GetWide(dec, gd.b, &low));
  if (h > (int64_t{1} << 40) || h < -(int64_t{1} << 40)) return Error(DC_ERR_CORRUPT, "signal residual out of range");
  *r = h * (int64_t{1} << gd.b) + static_cast<int64_t>(low);
  return Status::Ok();
}

namespace {
double ExtraBits(const GapDist& gd, int v, uint64_t excess) {
  double bits = gd.b;
  if (v == 0 || v == 255) bits += 6 + (BitLength(excess + 1) - 1);
  return bits;
}
}  // namespace

double ResidualBits(const GapDist& gd, int64_t r) {
  uint64_t excess;
  const int v = WindowValue(gd, r >> gd.b, &excess);
  return mix::ValueBits(gd.d, v) + ExtraBits(gd, v, excess);
}

double ResidualNllBits(const GapDist& gd, int64_t r) {
  uint64_t excess;
  const int v = WindowValue(gd, r >> gd.b, &excess);
  return mix::ModelNllBits(gd.d, v) + ExtraBits(gd, v, excess);
}

}  // namespace dc::sig
