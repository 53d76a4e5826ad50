// Decoder side: reads the block table, then decodes the blocks in parallel in place.
#include <algorithm>
#include <string>

#include "codecs/signal_lossless/adaptive_coder.h"
#include "codecs/signal_lossless/block_coder.h"
#include "codecs/signal_lossless/cascade.h"
#include "codecs/signal_lossless/lpc.h"
#include "codecs/signal_lossless/signal_lossless.h"
#include "common/bytes.h"
#include "common/parallel.h"
#include "entropy/rans.h"

namespace dc::sig {
namespace {

struct DecSide {
  rans::Decoder* dec;
  int64_t lo, hi;
  Status Base(int bit_depth, int32_t* x) {
    uint64_t u = 0;
    for (int done = 0; done < bit_depth; done += 16) {
      uint32_t piece;
      RETURN_IF_ERROR(dec->GetBits(std::min(16, bit_depth - done), &piece));
      u |= static_cast<uint64_t>(piece) << done;
    }
    *x = static_cast<int32_t>(static_cast<int64_t>(u) + MinSample(bit_depth));
    return Status::Ok();
  }
  Status Gap(int, const GapDist& gd, int64_t pred, int32_t* x) {
    int64_t r;
    RETURN_IF_ERROR(DecodeResidual(dec, gd, &r));
    const int64_t v = pred + r;
    if (v < lo || v > hi) return Error(DC_ERR_CORRUPT, "decoded sample outside the bit depth");
    *x = static_cast<int32_t>(v);
    return Status::Ok();
  }
};

}  // namespace

Status DecodeSignal(const SigNet& net, const uint8_t* payload, size_t size, uint64_t frames, uint32_t channels,
                    int bit_depth, const CodecOptions& opt, int32_t* out) {
  if (bit_depth < kMinBitDepth || bit_depth > kMaxBitDepth) return Error(DC_ERR_CORRUPT, "signal bit depth out of range");
  if (channels == 0 || frames == 0) return Error(DC_ERR_CORRUPT, "empty signal");
  if (opt.revision != kRevision1 && opt.revision != kRevision2)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "signal-lossless revision " + std::to_string(opt.revision) + " unknown");
  const bool rev2 = opt.revision == kRevision2;
  ByteReader r(payload, size);
  uint8_t log2;
  RETURN_IF_ERROR(r.U8(&log2));
  bool lpc_flags = false;
  uint8_t profile = 0;
  if (rev2) {
    if (log2 != kBlockLog2) return Error(DC_ERR_CORRUPT, "signal block size 2^" + std::to_string(log2) + " not supported");
    RETURN_IF_ERROR(r.U8(&profile));
    if (!ValidCascadeCode(profile, channels, bit_depth))
      return Error(DC_ERR_CORRUPT, "signal cascade code " + std::to_string(profile) + " unknown");
  } else {
    lpc_flags = (log2 & kLpcFlag) != 0;
    log2 &= static_cast<uint8_t>(~kLpcFlag);
    if (log2 != kBlockLog2) return Error(DC_ERR_CORRUPT, "signal block size 2^" + std::to_string(log2) + " not supported");
  }
  const uint64_t blocks = (frames + kBlockFrames - 1) / kBlockFrames;
  std::vector<uint64_t> sizes(blocks), offsets(blocks);
  uint64_t sum = 0;
  for (uint64_t b = 0; b < blocks; ++b) {
    RETURN_IF_ERROR(r.Varint(&sizes[b]));
    if (sizes[b] > size) return Error(DC_ERR_CORRUPT, "signal block larger than the payload");
    offsets[b] = sum;
    sum += sizes[b];
  }
  if (sum > r.remaining()) return Error(DC_ERR_TRUNCATED, "signal payload ends inside its blocks");
  if (sum < r.remaining()) return Error(DC_ERR_CORRUPT, "bytes after the last signal block");
  const uint8_t* base = payload + (size - r.remaining());
  RETURN_IF_ERROR(ParallelFor(blocks, opt.threads, [&](uint64_t b) -> Status {
    const uint64_t f0 = b * kBlockFrames;
    const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(kBlockFrames, frames - f0));
    rans::Decoder dec;
    RETURN_IF_ERROR(dec.Init(base + offsets[b], sizes[b]));
    uint32_t use = 0;
    if (rev2) {
      uint32_t mode;
      RETURN_IF_ERROR(dec.GetBits(1, &mode));
      const int depth = CascadeDepth(profile, bit_depth);
      DecSide side{&dec, MinSample(depth), MaxSample(depth)};
      if (mode == 1)
        RETURN_IF_ERROR(CodeBlockAdaptive(out + f0 * channels, n, channels, side));
      else
        RETURN_IF_ERROR(CodeBlock(net, out + f0 * channels, n, channels, depth, side));
      return dec.Finish();
    }
    if (lpc_flags) RETURN_IF_ERROR(dec.GetBits(1, &use));
    if (!use) {
      DecSide side{&dec, MinSample(bit_depth), MaxSample(bit_depth)};
      RETURN_IF_ERROR(CodeBlock(net, out + f0 * channels, n, channels, bit_depth, side));
      return dec.Finish();
    }
    std::vector<Lpc> lpc(channels);
    for (uint32_t c = 0; c < channels; ++c) RETURN_IF_ERROR(GetLpc(&dec, &lpc[c]));
    const int rd = ResidualDepth(bit_depth);
    DecSide side{&dec, MinSample(rd), MaxSample(rd)};
    int32_t* block = out + f0 * channels;
    RETURN_IF_ERROR(CodeBlock(net, block, n, channels, rd, side));
    for (uint32_t c = 0; c < channels; ++c)
      RETURN_IF_ERROR(LpcRestore(lpc[c], block + c, n, channels, MinSample(bit_depth), MaxSample(bit_depth)));
    return dec.Finish();
  }, opt.progress));
  // Revision 2: out holds the cascade's residual (every value inside the bit depth, checked by
  // DecSide); the inverse cascade rebuilds the samples in time order.
  if (!rev2) return Status::Ok();
  Cascade::Restore(CascadeProfileOf(profile), out, frames, channels, CascadeDepth(profile, bit_depth));
  if (profile & kCascadeMidSideBit) {
    // mid and side of bit_depth + 1 bits give L and R that may leave bit_depth: checked.
    if (!FromMidSide(out, frames, bit_depth)) return Error(DC_ERR_CORRUPT, "decoded sample outside the bit depth");
  }
  return Status::Ok();
}

}  // namespace dc::sig
