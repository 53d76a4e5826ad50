#include "api/signal_lossy_api.h"

#include <cmath>
#include <string>

#include "api/progress.h"
#include "codecs/signal_lossy/signal_lossy.h"

namespace dc {

Status CompressSignalLossy(const dc_content& in, const dc_params& p, container::Header* h,
                           std::vector<uint8_t>* payload, int threads) {
  if (!(p.bits_per_sample >= 0) || !std::isfinite(p.bits_per_sample) || p.bits_per_sample > 64)
    return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: --bits-per-sample must be in (0, 64]");
  if (!(p.snr_db >= 0) || !std::isfinite(p.snr_db) || p.snr_db > 200)
    return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: --snr must be in (0, 200] dB");
  h->frames = in.width;
  h->width = in.width;
  h->height = 1;
  h->channels = in.channels;
  h->bit_depth = in.bit_depth;
  h->side.assign(in.side, in.side + in.side_size);
  h->has_model = false;
  const uint64_t samples = uint64_t{in.width} * in.channels;
  slossy::EncodeOptions o;
  o.threads = threads;
  o.progress = ProgressOf(p);
  if (p.bits_per_sample > 0) {
    const double budget = std::floor(p.bits_per_sample * static_cast<double>(samples) / 8.0);
    // The container around the payload: its fields, the side data, the CRC and the slack of the
    // payload-size-independent varints (none: the payload runs to the CRC).
    const double overhead = static_cast<double>(container::Write(*h, nullptr, 0, 0).size());
    if (budget - overhead < 16)
      return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: --bits-per-sample " + std::to_string(p.bits_per_sample) +
                                                " leaves no room for the payload after the container (" +
                                                std::to_string(static_cast<long long>(overhead)) + " bytes)");
    o.max_payload_bytes = static_cast<uint64_t>(budget - overhead);
  }
  o.target_snr_db = p.snr_db > 0 ? p.snr_db : (p.bits_per_sample > 0 ? 0.0 : 30.0);
  const slossy::SignalView view{reinterpret_cast<const int32_t*>(in.data), in.width, in.channels,
                                static_cast<int>(in.bit_depth)};
  return slossy::EncodeSignal(view, o, payload, nullptr);
}

Status DecompressSignalLossy(const container::Header& h, const uint8_t* payload, std::vector<uint8_t>* out,
                             int threads) {
  out->assign(h.frames * h.channels * sizeof(int32_t), 0);
  slossy::DecodeOptions o;
  o.threads = threads;
  return slossy::DecodeSignal(payload, h.payload_size, h.frames, h.channels, static_cast<int>(h.bit_depth), o,
                              reinterpret_cast<int32_t*>(out->data()));
}

}  // namespace dc
