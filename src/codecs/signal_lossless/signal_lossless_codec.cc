// signal-lossless (id 4) in the codec registry: container fields, options and revisions.
#include <algorithm>

#include "codecs/codec.h"
#include "codecs/signal_lossless/signal_layout.h"
#include "codecs/signal_lossless/signal_lossless.h"
#include "container/container.h"
#include "models/model_store.h"

namespace dc {
namespace {

// Working memory of one block coder per thread (the block's samples, residuals, network
// activations for 8192 frames x up to 255 channels is bounded by the block, not the file).
constexpr uint64_t kBlockWorkBytes = uint64_t{64} << 20;

class SignalLossless final : public Codec {
 public:
  SignalLossless() {
    id = DC_CODEC_SIGNAL_LOSSLESS;
    name = "signal-lossless";
    kind = DC_KIND_SIGNAL;
    needs_model = true;
    latest_revision = sig::kLatestRevision;
  }

  Status Compress(const dc_content& in, const CodecContext& c, container::Header* h, std::vector<uint8_t>* payload,
                  CodecStats* stats) const override {
    RETURN_IF_ERROR(CheckSignalContent(in));
    ASSIGN_OR_RETURN(auto model, GetModel(id, c.model_path));
    SetSignalFields(in, h);
    h->has_model = true;
    h->model_id = model->model_id;
    h->fingerprint = model->fingerprint;
    sig::CodecOptions o;
    o.threads = c.threads;
    o.progress = c.progress;
    o.revision = static_cast<int>(h->revision);  // the API sets the codec's latest revision
    sig::EncodeStats ss;
    const sig::SignalView view{reinterpret_cast<const int32_t*>(in.data), in.width, in.channels,
                               static_cast<int>(in.bit_depth)};
    RETURN_IF_ERROR(sig::EncodeSignal(*model->signal_lossless, view, o, payload, &ss));
    stats->model_bits = ss.model_bits;
    stats->model_nll_bits = ss.model_nll_bits;
    std::copy(ss.level_nll_bits, ss.level_nll_bits + 24, stats->level_nll_bits);
    return Status::Ok();
  }

  uint64_t DecodeMemory(const container::Header& h, int threads) const override {
    return h.original_size + h.side.size() + uint64_t(threads) * kBlockWorkBytes;
  }

  // The block-size byte, then a size varint per block.
  uint64_t MinPayload(const container::Header& h) const override {
    return 1 + (h.frames + sig::kBlockFrames - 1) / sig::kBlockFrames;
  }

  Status Decompress(const container::Header& h, const uint8_t* payload, const CodecContext& c,
                    std::vector<uint8_t>* out) const override {
    ASSIGN_OR_RETURN(auto model, ModelForFile(h, c.model_path));
    sig::CodecOptions o;
    o.threads = c.threads;
    o.progress = c.progress;
    o.revision = static_cast<int>(h.revision);
    out->assign(h.original_size, 0);
    return sig::DecodeSignal(*model->signal_lossless, payload, h.payload_size, h.frames, h.channels,
                             static_cast<int>(h.bit_depth), o, reinterpret_cast<int32_t*>(out->data()));
  }
};

}  // namespace

const Codec& SignalLosslessCodec() {
  static const SignalLossless kCodec;
  return kCodec;
}

}  // namespace dc
