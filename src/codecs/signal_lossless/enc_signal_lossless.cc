// Encoder side: blocks in parallel, one rANS stream per block.
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

struct EncSide {
  rans::Encoder* enc;
  EncodeStats st;
  Status Base(int bit_depth, int32_t* x) {
    const uint64_t u = static_cast<uint64_t>(static_cast<int64_t>(*x) - MinSample(bit_depth));
    for (int done = 0; done < bit_depth; done += 16)
      enc->PutBits(static_cast<uint32_t>(u >> done), std::min(16, bit_depth - done));
    st.model_bits += bit_depth;
    st.model_nll_bits += bit_depth;
    st.level_nll_bits[23] += bit_depth;
    return Status::Ok();
  }
  Status Gap(int level, const GapDist& gd, int64_t pred, int32_t* x) {
    const int64_t r = *x - pred;
    EncodeResidual(enc, gd, r);
    st.model_bits += ResidualBits(gd, r);
    const double nll = ResidualNllBits(gd, r);
    st.model_nll_bits += nll;
    st.level_nll_bits[level] += nll;
    return Status::Ok();
  }
};

// Counts the bits a block would take (nothing written): for the linear-prediction choice.
struct CostSide {
  double bits = 0;
  Status Base(int bit_depth, int32_t*) {
    bits += bit_depth;
    return Status::Ok();
  }
  Status Gap(int, const GapDist& gd, int64_t pred, int32_t* x) {
    bits += ResidualBits(gd, *x - pred);
    return Status::Ok();
  }
};

// Codes one block (frames x channels, frame-major) into enc: with the flag bit and, if a
// residual (block fits or backward mode, lpc.h) wins on trial pieces of the block, the predictors
// and that residual.
Status EncodeBlock(const SigNet& net, std::vector<int32_t>& block, uint32_t n, uint32_t channels, int bit_depth,
                   bool lpc_allowed, rans::Encoder* enc, EncSide* side) {
  if (!lpc_allowed) return CodeBlock(net, block.data(), n, channels, bit_depth, *side);
  const int rd = ResidualDepth(bit_depth);
  std::vector<Lpc> lpc[2];
  std::vector<int32_t> res[2] = {std::vector<int32_t>(block.size()), std::vector<int32_t>(block.size())};
  int lpc_bits[2];
  for (int m = 0; m < 2; ++m) lpc_bits[m] = BlockResidual(block.data(), n, channels, bit_depth, m == 1, &lpc[m], res[m].data());
  // Every way on kLpcTrialParts pieces spread over the block (as blocks of their own).
  CostSide cost[3];  // samples, block fits, backward
  const uint32_t part = std::min(n, kLpcTrialFrames / kLpcTrialParts);
  const uint32_t parts = n >= kLpcTrialParts * part ? kLpcTrialParts : 1;
  std::vector<int32_t> trial;
  for (uint32_t i = 0; i < parts; ++i) {
    const size_t f0 = static_cast<size_t>(i) * (n / parts) * channels, len = static_cast<size_t>(part) * channels;
    for (int v = 0; v < 3; ++v) {
      const std::vector<int32_t>& src = v == 0 ? block : res[v - 1];
      trial.assign(src.begin() + f0, src.begin() + f0 + len);
      RETURN_IF_ERROR(CodeBlock(net, trial.data(), part, channels, v == 0 ? bit_depth : rd, cost[v]));
    }
  }
  const double share = static_cast<double>(part * parts) / n;  // of the predictors' bits
  int best = 0;
  for (int v = 1; v < 3; ++v)
    if (cost[v].bits + lpc_bits[v - 1] * share < (best ? cost[best].bits + lpc_bits[best - 1] * share : cost[0].bits))
      best = v;
  enc->PutBits(best ? 1 : 0, 1);
  side->st.model_bits += 1;
  side->st.model_nll_bits += 1;
  side->st.level_nll_bits[23] += 1;  // raw bits go with the base samples
  if (!best) return CodeBlock(net, block.data(), n, channels, bit_depth, *side);
  for (uint32_t c = 0; c < channels; ++c) {
    const Lpc& l = lpc[best - 1][c];
    PutLpc(enc, l);
    side->st.model_bits += LpcBits(l);
    side->st.model_nll_bits += LpcBits(l);
    side->st.level_nll_bits[23] += LpcBits(l);
  }
  return CodeBlock(net, res[best - 1].data(), n, channels, rd, *side);
}

constexpr uint64_t kExactChoiceSamples = 8192;

// Revision 2: one raw bit (0: the network's dyadic stages, 1: the adaptive time-order coder),
// then the block's residual coded that way. `choice` -1 counts the block's bits both ways (the
// network's pass doubles the work) and takes the cheaper.
Status EncodeBlock2(const SigNet& net, std::vector<int32_t>& block, uint32_t n, uint32_t channels, int bit_depth,
                    int choice, rans::Encoder* enc, EncSide* side) {
  int mode = choice;
  // Short blocks (short files: series) are cheap to code both ways: always the better one.
  if (mode == 1 && static_cast<uint64_t>(n) * channels < kExactChoiceSamples) mode = -1;
  if (mode < 0) {
    CostSide cost[2];
    std::vector<int32_t> trial(block);
    RETURN_IF_ERROR(CodeBlock(net, trial.data(), n, channels, bit_depth, cost[0]));
    RETURN_IF_ERROR(CodeBlockAdaptive(trial.data(), n, channels, cost[1]));
    mode = cost[1].bits <= cost[0].bits ? 1 : 0;
  }
  enc->PutBits(static_cast<uint32_t>(mode), 1);
  side->st.model_bits += 1;
  side->st.model_nll_bits += 1;
  side->st.level_nll_bits[23] += 1;
  if (mode == 1) return CodeBlockAdaptive(block.data(), n, channels, *side);
  return CodeBlock(net, block.data(), n, channels, bit_depth, *side);
}

}  // namespace

int ChooseCascadeCode(const SignalView& s, int threads) {
  // The real adaptive coder's bits (blocks of kBlockFrames, nothing written) settle between the
  // proxy's two best profiles.
  const auto charge = [&](const int32_t* r, uint64_t frames, int) {
    CostSide cost;
    std::vector<int32_t> blk;
    for (uint64_t f0 = 0; f0 < frames; f0 += kBlockFrames) {
      const uint64_t n = std::min<uint64_t>(kBlockFrames, frames - f0);
      blk.assign(r + f0 * s.channels, r + (f0 + n) * s.channels);
      if (!CodeBlockAdaptive(blk.data(), static_cast<uint32_t>(n), s.channels, cost).ok()) return 1e300;
    }
    return cost.bits;
  };
  return ChooseCascadeProfile(s.samples, std::min<uint64_t>(s.frames, kCascadeTrialFrames), s.channels, s.bit_depth,
                              charge, threads);
}

Status EncodeSignal(const SigNet& net, const SignalView& s, const CodecOptions& opt, std::vector<uint8_t>* payload,
                    EncodeStats* stats) {
  if (s.bit_depth < kMinBitDepth || s.bit_depth > kMaxBitDepth)
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "signal bit depth " + std::to_string(s.bit_depth) + " (2 to 32 supported)");
  if (s.channels == 0 || s.frames == 0) return Error(DC_ERR_INVALID_ARGUMENT, "empty signal");
  const uint64_t total = s.frames * s.channels;
  const int64_t lo = MinSample(s.bit_depth), hi = MaxSample(s.bit_depth);
  for (uint64_t i = 0; i < total; ++i)
    if (s.samples[i] < lo || s.samples[i] > hi)
      return Error(DC_ERR_INVALID_ARGUMENT, "sample " + std::to_string(i) + " (" + std::to_string(s.samples[i]) +
                                                ") does not fit " + std::to_string(s.bit_depth) + " bits");
  if (opt.revision != kRevision1 && opt.revision != kRevision2)
    return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossless revision " + std::to_string(opt.revision) + " unknown");
  if (opt.block_coder < -1 || opt.block_coder > 1)
    return Error(DC_ERR_INVALID_ARGUMENT, "block coder " + std::to_string(opt.block_coder) + " unknown");
  if (opt.cascade_profile != -1 && !ValidCascadeCode(opt.cascade_profile, s.channels, s.bit_depth))
    return Error(DC_ERR_INVALID_ARGUMENT, "cascade profile " + std::to_string(opt.cascade_profile) + " unknown");
  const bool rev2 = opt.revision == kRevision2;
  // Revision 2: the cascade's residual of the whole signal, in time order (one pass, sequential);
  // the blocks then code it in parallel.
  std::vector<int32_t> residual;
  int profile = 0;
  if (rev2) {
    profile = opt.cascade_profile >= 0 ? opt.cascade_profile : ChooseCascadeCode(s, opt.threads);
    residual.resize(total);
    const int32_t* in = s.samples;
    std::vector<int32_t> ms;
    if (profile & kCascadeMidSideBit) {
      ms.assign(s.samples, s.samples + total);
      ToMidSide(ms.data(), s.frames);
      in = ms.data();
    }
    Cascade::Residual(CascadeProfileOf(profile), in, s.frames, s.channels, CascadeDepth(profile, s.bit_depth),
                      residual.data());
  }
  const int depth = rev2 ? CascadeDepth(profile, s.bit_depth) : s.bit_depth;
  const int32_t* src = rev2 ? residual.data() : s.samples;
  const uint64_t blocks = (s.frames + kBlockFrames - 1) / kBlockFrames;
  std::vector<std::vector<uint8_t>> streams(blocks);
  std::vector<EncodeStats> block_stats(blocks);
  RETURN_IF_ERROR(ParallelFor(blocks, opt.threads, [&](uint64_t b) -> Status {
    const uint64_t f0 = b * kBlockFrames;
    const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(kBlockFrames, s.frames - f0));
    std::vector<int32_t> block(src + f0 * s.channels, src + (f0 + n) * s.channels);
    rans::Encoder enc;
    EncSide side{&enc, {}};
    if (rev2)
      RETURN_IF_ERROR(EncodeBlock2(net, block, n, s.channels, depth, opt.block_coder, &enc, &side));
    else
      RETURN_IF_ERROR(EncodeBlock(net, block, n, s.channels, s.bit_depth, opt.linear_prediction, &enc, &side));
    block_stats[b] = side.st;
    return enc.Finish(&streams[b]);
  }, opt.progress));
  payload->clear();
  ByteWriter w(payload);
  if (rev2) {
    w.U8(static_cast<uint8_t>(kBlockLog2));
    w.U8(static_cast<uint8_t>(profile));
  } else {
    w.U8(static_cast<uint8_t>(kBlockLog2 | (opt.linear_prediction ? kLpcFlag : 0)));
  }
  for (const auto& st : streams) w.Varint(st.size());
  for (const auto& st : streams) w.Bytes(st.data(), st.size());
  if (stats) {
    *stats = EncodeStats{};
    for (const auto& bs : block_stats) {  // block order: the same sum on any thread count
      stats->model_bits += bs.model_bits;
      stats->model_nll_bits += bs.model_nll_bits;
      for (int l = 0; l < 24; ++l) stats->level_nll_bits[l] += bs.level_nll_bits[l];
    }
  }
  return Status::Ok();
}

}  // namespace dc::sig
