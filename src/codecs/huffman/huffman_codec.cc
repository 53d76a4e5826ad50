// The huffman codec's entry in the codec registry (src/codecs/codec.h).
#include "codecs/codec.h"
#include "codecs/huffman/huffman.h"

namespace dc {
namespace {

class Huffman final : public Codec {
 public:
  Huffman() {
    id = DC_CODEC_HUFFMAN;
    name = "huffman";
    kind = DC_KIND_BYTES;
  }
  Status Compress(const dc_content& in, const CodecContext&, container::Header* h, std::vector<uint8_t>* payload,
                  CodecStats*) const override {
    h->original_size = in.size;
    return HuffmanEncode(in.data, in.size, payload);
  }
  Status Decompress(const container::Header& h, const uint8_t* payload, const CodecContext&,
                    std::vector<uint8_t>* out) const override {
    RETURN_IF_ERROR(HuffmanDecode(payload, h.payload_size, h.original_size, out));
    if (out->size() != h.original_size) return Error(DC_ERR_CORRUPT, "decoded size does not match");
    return Status::Ok();
  }
};

}  // namespace

const Codec& HuffmanCodec() {
  static const Huffman kCodec;
  return kCodec;
}

}  // namespace dc
