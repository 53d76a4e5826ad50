// The one interface every codec implements, and the registry that maps codec ids and names to
// implementations (docs/adding-a-codec.md). The C API (src/api/diffcomp.cc) resolves the common
// options once (threads, model, memory limit, progress) and hands them over in a CodecContext; it
// names no codec. The container (src/container/) asks the registry for a codec's kind, whether it
// needs a model, and to read and write its codec parameters.
#ifndef DIFFCOMP_CODECS_CODEC_H_
#define DIFFCOMP_CODECS_CODEC_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "container/header.h"
#include "diffcomp/diffcomp.h"

namespace dc {

// Options common to every codec, resolved by the API before a codec sees them.
struct CodecContext {
  int threads = 1;                 // >= 1
  const char* model_path = nullptr;  // a model file, or null for the file's / codec's default
  uint64_t memory_limit = 0;       // bytes; the codec's working set must stay below it
  std::function<void(uint64_t done, uint64_t total)> progress;  // may be empty
  const dc_params* params = nullptr;  // the caller's parameters (rate, tile size, keyint, ...)
};

// What a compression measured (dc_stats' model fields).
struct CodecStats {
  double model_bits = 0, model_nll_bits = 0;
  double level_nll_bits[24] = {};
  double stage_nll_bits[3] = {};
};

class Codec {
 public:
  virtual ~Codec() = default;

  dc_codec id = DC_CODEC_STORE;
  const char* name = "";
  dc_kind kind = DC_KIND_BYTES;
  bool needs_model = false;
  // Lossy codecs: the container's trailer holds the payload's CRC-32 (verified before decoding)
  // and, from container 2.0 on, the CRC-32 of the decoded content (verified after).
  bool lossy = false;
  // Progressive payloads (rcc/progressive.h) that dc_truncate may cut.
  bool progressive = false;
  // Revisions this build decodes are 1..latest_revision; new files are written at latest.
  uint32_t latest_revision = 1;

  // Checks `in`, fills the header's content, model and parameter fields (kind, codec, revision
  // and checksums are the API's) and writes the payload.
  virtual Status Compress(const dc_content& in, const CodecContext& c, container::Header* h,
                          std::vector<uint8_t>* payload, CodecStats* stats) const = 0;
  // Decodes the payload of a parsed header (its header checksum and, for lossy codecs, its
  // payload checksum already verified) into `out`: the content as dc_content describes it.
  virtual Status Decompress(const container::Header& h, const uint8_t* payload, const CodecContext& c,
                            std::vector<uint8_t>* out) const = 0;
  // Bytes a decode of this header will hold at most (output, working buffers, model), checked
  // against the memory limit before anything is allocated. The default: the output.
  virtual uint64_t DecodeMemory(const container::Header& h, int threads) const;
  // The fewest payload bytes a well-formed file with this header can have (a payload shorter
  // than that is DC_ERR_TRUNCATED before any allocation). The default: 0.
  virtual uint64_t MinPayload(const container::Header& h) const;
  // The tile size the encoder will use for `in` (tiled codecs; the API's memory estimate of an
  // encode uses it). The default: p.tile_size, or 256 when it is 0.
  virtual uint32_t EncodeTileSize(const dc_content& in, const dc_params& p) const;
  // Codec parameters between the model reference and the payload (docs/format.md registry).
  virtual void WriteParams(const container::Header& h, ByteWriter& w) const;
  virtual Status ParseParams(ByteReader& r, container::Header* h) const;
};

// The registry (src/codecs/registry.cc): null if unknown.
const Codec* FindCodec(dc_codec id);
const Codec* FindCodec(const char* name);
// Every registered codec, in id order.
const std::vector<const Codec*>& AllCodecs();

// Worker threads for a dc_params.threads value (0: all cores).
int ResolveThreads(int threads);
// The library's memory limit when dc_params.memory_limit is 0: 2 GiB.
constexpr uint64_t kDefaultMemoryLimit = uint64_t{2} << 30;
// DC_ERR_TOO_LARGE naming both figures if `need` bytes exceed `limit` (0: the default).
Status CheckMemory(uint64_t need, uint64_t limit);
// The most threads, at most `threads`, whose working set `need(t)` (bytes, t threads; extra
// bytes the caller holds included) fits `limit` (0: the default). A codec's output never depends
// on its thread count, so a decode or encode that fits with fewer threads runs with fewer rather
// than failing; DC_ERR_TOO_LARGE (CheckMemory's message, one thread's need) if none fits.
template <typename Need>
StatusOr<int> ThreadsWithinMemory(int threads, uint64_t limit, Need&& need) {
  const uint64_t lim = limit ? limit : kDefaultMemoryLimit;
  int t = threads < 1 ? 1 : threads;
  if (need(t) > lim) {  // the largest fitting count in [1, t), need growing with the threads
    int lo = 1, hi = t - 1;
    while (lo < hi) {
      const int mid = lo + (hi - lo + 1) / 2;
      if (need(mid) <= lim) lo = mid; else hi = mid - 1;
    }
    t = lo;
  }
  RETURN_IF_ERROR(CheckMemory(need(t), limit));
  return t;
}

// Content checks shared by the codecs of one kind.
Status CheckImageContent(const dc_content& in);
Status CheckSignalContent(const dc_content& in);
// The container fields of a checked signal: frames, channels, bit depth, side data.
void SetSignalFields(const dc_content& in, container::Header* h);

}  // namespace dc

#endif  // DIFFCOMP_CODECS_CODEC_H_
