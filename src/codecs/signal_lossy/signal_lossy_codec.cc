// signal-lossy (id 6) in the codec registry: rate parameters and container fields. Like every
// lossy codec, the container holds the CRC-32 of the payload and of the decoded content.
#include <cmath>
#include <string>

#include "codecs/codec.h"
#include "container/container.h"
#include "codecs/signal_lossy/signal_lossy.h"

namespace dc {
namespace {

// Rate: params.bits_per_sample (bits per sample of the whole .dfc file, all channels) and/or
// params.snr_db (stop once the reconstruction reaches it); with both, whichever stops first;
// with neither, SNR 30 dB (docs/codecs/signal-lossy.md).
Status CompressSignalLossy(const dc_content& in, const dc_params& p, container::Header* h,
                           std::vector<uint8_t>* payload, const CodecContext& c) {
  if (!(p.bits_per_sample >= 0) || !std::isfinite(p.bits_per_sample) || p.bits_per_sample > 64)
    return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: --bits-per-sample must be in (0, 64]");
  if (!(p.snr_db >= 0) || !std::isfinite(p.snr_db) || p.snr_db > 200)
    return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: --snr must be in (0, 200] dB");
  SetSignalFields(in, h);
  h->has_model = false;
  const uint64_t samples = uint64_t{in.width} * in.channels;
  slossy::EncodeOptions o;
  o.threads = c.threads;
  o.progress = c.progress;
  if (p.bits_per_sample > 0) {
    const double budget = std::floor(p.bits_per_sample * static_cast<double>(samples) / 8.0);
    // The container around the payload: its fields, the side data, the CRC and the slack of the
    // payload-size-independent varints (none: the payload runs to the CRC).
    const double overhead = static_cast<double>(container::Overhead(*h));
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
  // Checked before the output is allocated: a progressive payload starts with its header.
  if (h.payload_size < 2) return Error(DC_ERR_TRUNCATED, "signal-lossy payload ends before its header");
  out->assign(h.frames * h.channels * sizeof(int32_t), 0);
  slossy::DecodeOptions o;
  o.threads = threads;
  return slossy::DecodeSignal(payload, h.payload_size, h.frames, h.channels, static_cast<int>(h.bit_depth), o,
                              reinterpret_cast<int32_t*>(out->data()));
}

class SignalLossy final : public Codec {
 public:
  SignalLossy() {
    id = DC_CODEC_SIGNAL_LOSSY;
    name = "signal-lossy";
    kind = DC_KIND_SIGNAL;
    lossy = true;
    progressive = true;
  }
  Status Compress(const dc_content& in, const CodecContext& c, container::Header* h, std::vector<uint8_t>* payload,
                  CodecStats*) const override {
    RETURN_IF_ERROR(CheckSignalContent(in));
    return CompressSignalLossy(in, *c.params, h, payload, c);
  }
  // The output, and the decoder's float copy of the coefficients (8 bytes a sample).
  uint64_t DecodeMemory(const container::Header& h, int) const override {
    return h.original_size * 3 + h.side.size();
  }
  uint64_t MinPayload(const container::Header&) const override { return 2; }
  Status Decompress(const container::Header& h, const uint8_t* payload, const CodecContext& c,
                    std::vector<uint8_t>* out) const override {
    return DecompressSignalLossy(h, payload, out, c.threads);
  }
};

}  // namespace

const Codec& SignalLossyCodec() {
  static const SignalLossy kCodec;
  return kCodec;
}

}  // namespace dc
