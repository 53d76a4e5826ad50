// The store codec (id 0): the bytes as they are. Payload: docs/format.md.
#include "codecs/codec.h"
#include "container/container.h"

namespace dc {
namespace {

class Store final : public Codec {
 public:
  Store() {
    id = DC_CODEC_STORE;
    name = "store";
    kind = DC_KIND_BYTES;
  }
  Status Compress(const dc_content& in, const CodecContext&, container::Header* h, std::vector<uint8_t>* payload,
                  CodecStats*) const override {
    h->original_size = in.size;
    if (in.size) payload->assign(in.data, in.data + in.size);
    return Status::Ok();
  }
  uint64_t MinPayload(const container::Header& h) const override { return h.original_size; }
  Status Decompress(const container::Header& h, const uint8_t* payload, const CodecContext&,
                    std::vector<uint8_t>* out) const override {
    if (h.payload_size != h.original_size) return Error(DC_ERR_CORRUPT, "stored size does not match");
    out->assign(payload, payload + h.payload_size);
    return Status::Ok();
  }
};

}  // namespace

const Codec& StoreCodec() {
  static const Store kCodec;
  return kCodec;
}

}  // namespace dc
