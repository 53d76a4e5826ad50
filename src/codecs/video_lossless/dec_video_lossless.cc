// Decoder side of the lossless video codec. Every length is checked; every tile stream must end
// exactly where the encoder's did; every frame's CRC-32 is verified.
#include <algorithm>
#include <cstring>
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

Status DecodeField(const uint8_t* data, size_t size, MotionField* m) {
  FieldCoder fc;
  rans::Decoder dec;
  RETURN_IF_ERROR(dec.Init(data, size));
  const auto get = [&](int ctx, int* bit) -> Status {
    const uint32_t p = fc.P16(ctx);
    *bit = dec.Peek(16) < p ? 1 : 0;
    RETURN_IF_ERROR(*bit ? dec.Advance(0, p, 16) : dec.Advance(p, 65536 - p, 16));
    fc.Update(ctx, *bit);
    return Status::Ok();
  };
  const size_t n = static_cast<size_t>(m->cols) * m->rows;
  std::vector<int> v(2 * n);
  int last_filter = 0;
  m->filter.assign(n, 0);
  m->dx.resize(n);
  m->dy.resize(n);
  m->fx.resize(n);
  m->fy.resize(n);
  for (size_t b = 0; b < n; ++b) {
    for (int comp = 0; comp < 2; ++comp) {
      int bit, d = 0;
      RETURN_IF_ERROR(get(FieldCoder::Context(comp, 0), &bit));
      if (!bit) {
        int neg;
        RETURN_IF_ERROR(get(FieldCoder::Context(comp, 1), &neg));
        int mag = 0;
        for (;; ++mag) {
          if (mag >= 8 * m->range + 3) return Error(DC_ERR_CORRUPT, "motion vector difference out of range");
          RETURN_IF_ERROR(get(FieldCoder::Context(comp, 2 + mag), &bit));
          if (!bit) break;
        }
        d = neg ? -(mag + 1) : mag + 1;
      }
      const int val = FieldCoder::Predictor(v, m->cols, b, comp) + d;
      if (val < -4 * m->range || val > 4 * m->range + 3)
        return Error(DC_ERR_CORRUPT, "motion vector out of range");
      v[2 * b + comp] = val;
    }
    m->dx[b] = static_cast<int8_t>(v[2 * b] >> 2);
    m->fx[b] = static_cast<uint8_t>(v[2 * b] & 3);
    m->dy[b] = static_cast<int8_t>(v[2 * b + 1] >> 2);
    m->fy[b] = static_cast<uint8_t>(v[2 * b + 1] & 3);
    if (m->fx[b] || m->fy[b]) {
      int f;
      RETURN_IF_ERROR(get(FieldCoder::FilterContext(last_filter), &f));
      m->filter[b] = static_cast<uint8_t>(f);
      last_filter = f;
    }
  }
  return dec.Finish();
}

}  // namespace

Status DecodeFrame(const adm::AdmNet& net, const Geometry& g, const uint8_t* data, size_t size, const uint8_t* prev,
                   const adm::CodecOptions& opt, uint8_t* out, std::vector<adm::GroupState>* states) {
  RETURN_IF_ERROR(CheckVideoNet(net));
  if (opt.tile_size < adm::kMinTileSize || opt.tile_size > adm::kMaxTileSize)
    return Error(DC_ERR_CORRUPT, "tile size out of range");
  if (opt.revision < static_cast<int>(kRevision1) || opt.revision > static_cast<int>(kLatestRevision))
    return Error(DC_ERR_UNSUPPORTED_VERSION, "video-lossless revision " + std::to_string(opt.revision));
  // Revision 2: an empty tile stream in a predicted frame copies the reference tile.
  const bool copies = prev && opt.revision >= static_cast<int>(kRevision2);
  const auto tiles = FrameTiles(g, opt.tile_size);
  if (states && (!prev || opt.revision < static_cast<int>(kRevision2)))
    return Error(DC_ERR_INTERNAL, "carried states need revision 2 and a previous frame");
  if (states) states->resize(tiles.size());
  std::vector<std::pair<const uint8_t*, size_t>> streams(tiles.size());
  ByteReader r(data, size);
  std::vector<uint8_t> moved;
  if (prev) {
    uint8_t mode;
    RETURN_IF_ERROR(r.U8(&mode));
    // Mode 2 (quarter-pixel vectors) exists from revision 2 on.
    if (mode > (opt.revision >= static_cast<int>(kRevision2) ? 2 : 1))
      return Error(DC_ERR_CORRUPT, "unknown motion mode " + std::to_string(mode));
    if (mode >= 1) {
      MotionField m;
      if (mode == 2) m.range = kSubRange;
      m.cols = (g.width + kMotionBlock - 1) / kMotionBlock;
      m.rows = (g.height + kMotionBlock - 1) / kMotionBlock;
      const size_t n = static_cast<size_t>(m.cols) * m.rows;
      if (mode == 1) {
        if (n > r.remaining()) return Error(DC_ERR_TRUNCATED, "motion field ends early");
        for (size_t b = 0; b < n; ++b) {
          uint8_t v;
          RETURN_IF_ERROR(r.U8(&v));
          const int dx = (v >> 4) - 8, dy = (v & 15) - 8;
          if (dx < -kMotionRange || dy < -kMotionRange) return Error(DC_ERR_CORRUPT, "motion vector out of range");
          m.dx.push_back(static_cast<int8_t>(dx));
          m.dy.push_back(static_cast<int8_t>(dy));
        }
      } else {  // mode 2: the coded quarter-pixel field
        uint64_t len;
        RETURN_IF_ERROR(r.Varint(&len));
        if (len > r.remaining()) return Error(DC_ERR_TRUNCATED, "motion field ends early");
        const uint8_t* p;
        RETURN_IF_ERROR(r.Bytes(static_cast<size_t>(len), &p));
        RETURN_IF_ERROR(DecodeField(p, static_cast<size_t>(len), &m));
      }
      moved.resize(g.frame_bytes());
      Compensate(g, prev, m, moved.data());
      prev = moved.data();
    }
  }
  for (size_t t = 0; t < tiles.size(); ++t) {
    uint64_t len;
    RETURN_IF_ERROR(r.Varint(&len));
    if (len > r.remaining()) return Error(DC_ERR_TRUNCATED, "tile stream ends early");
    if (len == 0 && !copies) return Error(DC_ERR_CORRUPT, "empty tile stream");
    const uint8_t* p;
    RETURN_IF_ERROR(r.Bytes(static_cast<size_t>(len), &p));
    streams[t] = {p, static_cast<size_t>(len)};
  }
  if (r.remaining() != 0) return Error(DC_ERR_CORRUPT, "trailing bytes after the last tile of a frame");
  return ParallelFor(tiles.size(), opt.threads, [&](uint64_t t) -> Status {
    const TileTask& task = tiles[t];
    if (streams[t].second == 0) {  // a copied tile (revision 2, predicted frame)
      for (uint32_t y = 0; y < task.th; ++y) {
        const size_t o = task.plane_offset + static_cast<size_t>(task.y0 + y) * task.plane_width + task.x0;
        std::memcpy(out + o, prev + o, task.tw);
      }
      return Status::Ok();
    }
    adm::Level pl, l;
    if (prev) pl = TileLevel(prev, task);
    rans::Decoder dec;
    RETURN_IF_ERROR(dec.Init(streams[t].first, streams[t].second));
    RETURN_IF_ERROR(adm::DecodeGroup(net, static_cast<int>(task.th), static_cast<int>(task.tw), prev ? &pl : nullptr,
                                     1, opt.adapt, &dec, &l, opt.revision, states ? &(*states)[t] : nullptr));
    for (uint32_t y = 0; y < task.th; ++y) {
      uint8_t* row = out + task.plane_offset + static_cast<size_t>(task.y0 + y) * task.plane_width + task.x0;
      for (uint32_t x = 0; x < task.tw; ++x) row[x] = l.at(static_cast<int>(y), static_cast<int>(x), 0);
    }
    return dec.Finish();
  }, nullptr);
}

Status FrameDecoder::Decode(uint64_t i, uint8_t* out) {
  if (i >= index_.size()) return Error(DC_ERR_INVALID_ARGUMENT, "frame " + std::to_string(i) + " beyond the last");
  const size_t fb = g_.frame_bytes();
  if (last_index_ != static_cast<int64_t>(i)) {
    const uint64_t start = DecodeStart(i, keyint_, last_index_);
    last_.resize(fb);
    cur_.resize(fb);
    for (uint64_t j = start; j <= i; ++j) {
      const FrameEntry& e = index_[j];
      const uint8_t* prev = j % keyint_ == 0 ? nullptr : last_.data();
      if (!prev) states_.clear();  // a keyframe starts a new group of pictures
      last_index_ = -1;  // last_ and states_ stay valid only if this frame decodes
      const bool carry = opt_.revision >= static_cast<int>(kRevision2);
      RETURN_IF_ERROR(DecodeFrame(*net_, g_, payload_ + e.offset, e.size, prev, opt_, cur_.data(),
                                  carry && prev ? &states_ : nullptr));
      if (container::Crc32(cur_.data(), fb) != e.crc)
        return Error(DC_ERR_CHECKSUM, "frame " + std::to_string(j) + " does not match its checksum");
      std::swap(last_, cur_);
      last_index_ = static_cast<int64_t>(j);
      ++decoded_;
    }
  }
  std::memcpy(out, last_.data(), fb);
  return Status::Ok();
}

}  // namespace dc::video
