// Encoder side of the lossless video codec.
#include <algorithm>
#include <string>

#include "codecs/image_lossless/tile_coder.h"
#include "codecs/video_lossless/video_lossless.h"
#include "codecs/video_lossless/video_lossless_common.h"
#include "common/bytes.h"
#include "common/parallel.h"
#include "container/container.h"
#include "entropy/rans.h"

namespace dc::video {
namespace {

Status EncodeField(const MotionField& m, std::vector<uint8_t>* out) {
  FieldCoder fc;
  rans::Encoder enc;
  const auto put = [&](int ctx, int bit) {
    const uint32_t p = fc.P16(ctx);
    enc.Put(bit ? 0 : p, bit ? p : 65536 - p, 16);
    fc.Update(ctx, bit);
  };
  std::vector<int> v(2 * m.dx.size());
  int last_filter = 0;
  for (size_t b = 0; b < m.dx.size(); ++b) {
    v[2 * b] = 4 * m.dx[b] + m.fx[b];
    v[2 * b + 1] = 4 * m.dy[b] + m.fy[b];
    for (int comp = 0; comp < 2; ++comp) {
      const int d = v[2 * b + comp] - FieldCoder::Predictor(v, m.cols, b, comp);
      put(FieldCoder::Context(comp, 0), d == 0);
      if (d == 0) continue;
      put(FieldCoder::Context(comp, 1), d < 0);
      const int mag = std::abs(d) - 1;
      for (int i = 0;; ++i) {
        put(FieldCoder::Context(comp, 2 + i), mag > i);
        if (mag <= i) break;
      }
    }
    if (m.fx[b] || m.fy[b]) {  // a fractional vector says which filter
      put(FieldCoder::FilterContext(last_filter), m.filter[b]);
      last_filter = m.filter[b];
    }
  }
  return enc.Finish(out);
}

}  // namespace

Status EncodeFrame(const adm::AdmNet& net, const Geometry& g, const uint8_t* frame, const uint8_t* prev,
                   const adm::CodecOptions& opt, std::vector<uint8_t>* out, FrameStats* stats,
                   std::vector<adm::GroupState>* states) {
  RETURN_IF_ERROR(CheckVideoNet(net));
  if (opt.revision < static_cast<int>(kRevision1) || opt.revision > static_cast<int>(kLatestRevision))
    return Error(DC_ERR_INVALID_ARGUMENT, "video-lossless revision " + std::to_string(opt.revision));
  if (opt.tile_size < adm::kMinTileSize || opt.tile_size > adm::kMaxTileSize)
    return Error(DC_ERR_INVALID_ARGUMENT, "tile size out of range (16 to 4096)");
  const auto tiles = FrameTiles(g, opt.tile_size);
  if (states && (!prev || opt.revision < static_cast<int>(kRevision2)))
    return Error(DC_ERR_INTERNAL, "carried states need revision 2 and a previous frame");
  if (states) states->resize(tiles.size());
  ByteWriter w(out);
  std::vector<uint8_t> moved;
  if (prev) {  // the motion field, then the network sees the compensated previous frame
    // Revision 2 searches quarter-pixel vectors too and writes the field coded (mode 2).
    MotionField m = EstimateMotion(g, frame, prev, opt.revision >= static_cast<int>(kRevision2));
    if (m.zero()) {
      w.U8(0);
    } else {
      if (m.sub()) {  // mode 2: the coded field
        w.U8(2);
        std::vector<uint8_t> field;
        RETURN_IF_ERROR(EncodeField(m, &field));
        w.Varint(field.size());
        w.Bytes(field.data(), field.size());
      } else {
        w.U8(1);
        for (size_t b = 0; b < m.dx.size(); ++b) w.U8(static_cast<uint8_t>(((m.dx[b] + 8) << 4) | (m.dy[b] + 8)));
      }
      moved.resize(g.frame_bytes());
      Compensate(g, prev, m, moved.data());
      prev = moved.data();
    }
  }
  std::vector<std::vector<uint8_t>> streams(tiles.size());
  std::vector<double> bits(tiles.size(), 0.0), nll(tiles.size(), 0.0);
  const bool copies = prev && opt.revision >= static_cast<int>(kRevision2);
  RETURN_IF_ERROR(ParallelFor(tiles.size(), opt.threads, [&](uint64_t t) -> Status {
    // Revision 2: a tile equal to its reference tile is an empty stream.
    if (copies && TileEqual(frame, prev, tiles[t])) return Status::Ok();
    const adm::Level cur = TileLevel(frame, tiles[t]);
    adm::Level pl;
    if (prev) pl = TileLevel(prev, tiles[t]);
    rans::Encoder enc;
    adm::EncodeStats st;
    RETURN_IF_ERROR(adm::EncodeGroup(net, cur, prev ? &pl : nullptr, 1, opt.adapt, &enc, &bits[t], &nll[t], &st,
                                     opt.revision, states ? &(*states)[t] : nullptr));
    RETURN_IF_ERROR(enc.Finish(&streams[t]));
    if (streams[t].empty()) return Error(DC_ERR_INTERNAL, "empty tile stream");  // 0 means a copy
    return Status::Ok();
  }, nullptr));
  for (size_t t = 0; t < tiles.size(); ++t) {
    w.Varint(streams[t].size());
    w.Bytes(streams[t].data(), streams[t].size());
    if (stats) {
      stats->model_bits += bits[t];
      stats->model_nll_bits += nll[t];
    }
  }
  return Status::Ok();
}

Status EncodeVideo(const adm::AdmNet& net, const Geometry& g, const uint8_t* frames, uint64_t count, uint32_t keyint,
                   const adm::CodecOptions& opt, std::vector<uint8_t>* payload, FrameStats* stats,
                   std::vector<uint64_t>* frame_sizes) {
  if (keyint < 1 || keyint > kMaxKeyint) return Error(DC_ERR_INVALID_ARGUMENT, "keyframe interval out of range");
  if (count == 0 || count > kMaxFrames) return Error(DC_ERR_INVALID_ARGUMENT, "frame count out of range");
  const size_t fb = g.frame_bytes();
  std::vector<uint8_t> data;
  std::vector<uint64_t> sizes;
  std::vector<uint32_t> crcs;
  std::vector<adm::GroupState> states;
  const bool carry = opt.revision >= static_cast<int>(kRevision2);
  for (uint64_t f = 0; f < count; ++f) {
    const uint8_t* cur = frames + f * fb;
    const uint8_t* prev = f % keyint == 0 ? nullptr : cur - fb;
    if (!prev) states.clear();  // a keyframe starts a new group of pictures
    const size_t before = data.size();
    RETURN_IF_ERROR(EncodeFrame(net, g, cur, prev, opt, &data, stats, carry && prev ? &states : nullptr));
    sizes.push_back(data.size() - before);
    crcs.push_back(container::Crc32(cur, fb));
    if (opt.progress) opt.progress(f + 1, count);
  }
  payload->clear();
  ByteWriter w(payload);
  for (uint64_t f = 0; f < count; ++f) {
    w.Varint(sizes[f]);
    w.U32(crcs[f]);
  }
  w.Bytes(data.data(), data.size());
  if (frame_sizes) *frame_sizes = std::move(sizes);
  return Status::Ok();
}

}  // namespace dc::video
