#include "codecs/image_lossless/mixture.h"

#include <algorithm>

#include "common/detmath.h"

namespace dc::adm {

void MakeChannelDist(const float* out, long stride, int K, int c, const int32_t pred[3],
                     const int32_t residual[3], ChannelDist* d) {
  const auto at = [&](int group, int comp) { return out[(group * 3 * K + c * K + comp) * stride]; };
  mix::SetWeights(&out[(c * K) * stride], stride, K, d);
  // Residuals of earlier channels in normalised units (as in training).
  const float rR = static_cast<float>(residual[0]) / 127.5f;
  const float rG = static_cast<float>(residual[1]) / 127.5f;
  const float predn = static_cast<float>(pred[c]) / 127.5f - 1.0f;
  for (int k = 0; k < K; ++k) {
    float mean = predn + at(1, k);
    if (c == 1) mean = mean + nn::DetTanh(out[(9 * K + 1 * K + k) * stride]) * rR;
    if (c == 2) {
      mean = mean + nn::DetTanh(out[(9 * K + 2 * K + k) * stride]) * rR;
      mean = mean + nn::DetTanh(out[(9 * K + 0 * K + k) * stride]) * rG;
    }
    const float mean_px = (mean + 1.0f) * 127.5f;
    const float log_s = std::min(std::max(at(2, k), kMinLogScale), kMaxLogScale);
    mix::SetComponent(k, mean_px, nn::DetExp(-log_s) / 127.5f, d);
  }
}

Status DecodeValueExcl(rans::Decoder* dec, const ChannelDist& d, const Exclusion& e, int* v) {
  const uint32_t target = dec->Peek(kCdfPrecision);
  uint32_t s, s_next;
  const int value = mix::SearchValue([&](int x) { return ExclStart(d, e, x); }, target, mix::SearchStart(d), &s, &s_next);
  RETURN_IF_ERROR(dec->Advance(s, s_next - s, kCdfPrecision));
  *v = value;
  return Status::Ok();
}

void PrepareCell(const float* out, long stride, int K, const int32_t pred[3], int coded, CellMixture* m) {
  m->K = K;
  for (int c = 0; c < coded; ++c) {
    const auto at = [&](int group, int comp) { return out[(group * 3 * K + c * K + comp) * stride]; };
    ChannelDist* d = &m->base[c];
    mix::SetWeights(&out[(c * K) * stride], stride, K, d);
    const float predn = static_cast<float>(pred[c]) / 127.5f - 1.0f;
    for (int k = 0; k < K; ++k) {
      m->mean0[c][k] = predn + at(1, k);
      if (c == 1) m->tR[c][k] = nn::DetTanh(out[(9 * K + 1 * K + k) * stride]);
      if (c == 2) {
        m->tR[c][k] = nn::DetTanh(out[(9 * K + 2 * K + k) * stride]);
        m->tG[k] = nn::DetTanh(out[(9 * K + 0 * K + k) * stride]);
      }
      const float log_s = std::min(std::max(at(2, k), kMinLogScale), kMaxLogScale);
      mix::SetComponent(k, 0.0f, nn::DetExp(-log_s) / 127.5f, d);
    }
  }
}

void CellChannelDist(const CellMixture& m, int c, const int32_t residual[3], ChannelDist* d) {
  *d = m.base[c];
  SetCellMeans(m, c, residual, d);
}

void SetCellMeans(const CellMixture& m, int c, const int32_t residual[3], ChannelDist* d) {
  const float rR = static_cast<float>(residual[0]) / 127.5f;
  const float rG = static_cast<float>(residual[1]) / 127.5f;
  for (int k = 0; k < m.K; ++k) {
    float mean = m.mean0[c][k];
    if (c == 1) mean = mean + m.tR[c][k] * rR;
    if (c == 2) {
      mean = mean + m.tR[c][k] * rR;
      mean = mean + m.tG[k] * rG;
    }
    const float mean_px = (mean + 1.0f) * 127.5f;
    mix::SetMean(k, mean_px, d);  // the scale part is in base
  }
}

}  // namespace dc::adm
