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
    // Mode 2 (half-pixel vectors) exists from revision 2 on.
    if (mode > (opt.revision >= static_cast<int>(kRevision2) ? 2 : 1))
      return Error(DC_ERR_CORRUPT, "unknown motion mode " + std::to_string(mode));
    if (mode >= 1) {
      MotionField m;
      m.cols = (g.width + kMotionBlock - 1) / kMotionBlock;
      m.rows = (g.height + kMotionBlock - 1) / kMotionBlock;
      const size_t n = static_cast<size_t>(m.cols) * m.rows;
      if (n > r.remaining()) return Error(DC_ERR_TRUNCATED, "motion field ends early");
      for (size_t b = 0; b < n; ++b) {
        uint8_t v;
        RETURN_IF_ERROR(r.U8(&v));
        const int dx = (v >> 4) - 8, dy = (v & 15) - 8;
        if (dx < -kMotionRange || dy < -kMotionRange) return Error(DC_ERR_CORRUPT, "motion vector out of range");
        m.dx.push_back(static_cast<int8_t>(dx));
        m.dy.push_back(static_cast<int8_t>(dy));
      }
      if (mode == 2) {
        if ((n + 3) / 4 > r.remaining()) return Error(DC_ERR_TRUNCATED, "motion field ends early");
        m.hx.resize(n);
        m.hy.resize(n);
        for (size_t b = 0; b < n; b += 4) {
          uint8_t v;
          RETURN_IF_ERROR(r.U8(&v));
          for (size_t k = 0; k < 4; ++k) {
            const uint8_t bits = static_cast<uint8_t>(v >> (2 * k) & 3);
            if (b + k < n) {
              m.hx[b + k] = bits & 1;
              m.hy[b + k] = bits >> 1;
            } else if (bits) {
              return Error(DC_ERR_RESERVED_BITS, "half-pixel bits set after the last block");
            }
          }
          // A half-pixel step beyond +7.5 is impossible: the integer part is at most 7.
        }
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
