// The lossless video codec: each frame's Y, U, V planes coded as gray images by the lossless
// image codec's core (adm_layout, AdmNet, CodeLevel / EncodeGroup / DecodeGroup, tiles coded in
// parallel), the network also seeing the previous decoded frame's co-located pixels at the same
// pyramid level (the extra input planes of adm_layout.h). Keyframes (every keyint-th frame,
// starting at 0) have no previous frame. Payload layout: docs/codecs/video-lossless.md.
#ifndef DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_H_
#define DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "codecs/image_lossless/adm_net.h"
#include "codecs/image_lossless/image_lossless.h"
#include "codecs/image_lossless/tile_coder.h"
#include "common/status.h"

namespace dc::video {

constexpr uint32_t kDefaultModelId = 7;
constexpr uint32_t kDefaultKeyint = 30;
constexpr uint32_t kMaxKeyint = 1u << 20;
constexpr uint64_t kMaxFrames = uint64_t{1} << 20;
// The encoder's default tile (revision 1 files were written with 256): at CIF one luma tile
// instead of four, so the network sees whole frames and revision 2's models learn from more
// pixels (pilot: 0.1-1 % smaller, docs/design-adaptive.md).
constexpr uint32_t kDefaultTileSize = 512;

// Bitstream revisions (docs/codecs/video-lossless.md; CodecOptions::revision carries it):
//   1: planes coded by image-lossless revision 1 (the network sees the reference frame).
//   2: planes coded by image-lossless revision 2; in predicted frames the neighbour colour model
//      also offers the reference frame's co-located pixel (MatchModel, temporal), and a tile
//      equal to its reference tile is coded as an empty stream (copied).
constexpr uint32_t kRevision1 = 1;
constexpr uint32_t kRevision2 = 2;
constexpr uint32_t kLatestRevision = kRevision2;

// Chroma layout codes as stored in the container (docs/format.md).
constexpr uint8_t kChroma420 = 0;  // U and V of ceil(W/2) x ceil(H/2)
constexpr uint8_t kChroma444 = 1;  // U and V of W x H

struct Geometry {
  uint32_t width = 0, height = 0;
  uint8_t chroma = kChroma420;
  uint32_t plane_width(int p) const { return p == 0 || chroma == kChroma444 ? width : (width + 1) / 2; }
  uint32_t plane_height(int p) const { return p == 0 || chroma == kChroma444 ? height : (height + 1) / 2; }
  size_t plane_bytes(int p) const { return static_cast<size_t>(plane_width(p)) * plane_height(p); }
  size_t frame_bytes() const { return plane_bytes(0) + plane_bytes(1) + plane_bytes(2); }
};

// Motion: the previous frame the network sees is motion-compensated by one integer vector per
// 16x16 luma block (8x8 chroma blocks in 4:2:0, with the vector halved by an arithmetic shift),
// each component in [-7, 7], references clamped to the frame edge. The encoder's full search
// minimises SAD + 4 (|dx| + |dy|) on luma.
constexpr int kMotionBlock = 16;
constexpr int kMotionRange = 7;
// Mode 2's integer range, -15..15: screen content moves by more than 7 pixels (pilot,
// docs/design-adaptive.md: 9 % smaller on the screen clip, natural video within 0.03 %).
constexpr int kSubRange = 15;
//
// Revision 2 (motion mode 2) adds quarter-pixel vectors: (dx + fx / 4, dy + fy / 4) with fx, fy
// in 0..3, the reference sample then the bilinear blend (weights in quarters, rounded) of the
// 2 x 2 samples around it; in 4:2:0 chroma the vector in chroma quarter pixels is
// (4 dx + fx) >> 1 (likewise y).
struct MotionField {
  int range = kMotionRange;     // mode 2: kSubRange
  uint32_t cols = 0, rows = 0;  // ceil(W / 16) x ceil(H / 16)
  std::vector<int8_t> dx, dy;
  std::vector<uint8_t> fx, fy;  // empty: integer vectors (modes 0, 1)
  std::vector<uint8_t> filter;  // mode 2: 0 bilinear, 1 8-tap (0 where the vector is integer)
  bool zero() const;
  bool sub() const { return !fx.empty(); }
};
// subpel: also search half- and quarter-pixel positions around the best integer vector
// (revision 2).
MotionField EstimateMotion(const Geometry& g, const uint8_t* cur, const uint8_t* prev, bool subpel = false);
// The previous frame moved by the field, all planes, into out (frame_bytes).
void Compensate(const Geometry& g, const uint8_t* prev, const MotionField& m, uint8_t* out);

// A video model is adm1 with exactly the previous-frame extra inputs (DC_ERR_MODEL_MISMATCH).
Status CheckVideoNet(const adm::AdmNet& net);

struct FrameStats {
  double model_bits = 0, model_nll_bits = 0;
};

// Codes one frame (planes Y, U, V, each row-major, one after another) into `out` (appended).
// prev: the previous frame (same layout) or null for a keyframe; with a previous frame the
// frame data starts with its motion field (docs/codecs/video-lossless.md).
// Revision 2: `states` (one per tile of the frame; empty at a group of pictures' first predicted
// frame) carries every tile's adaptive model from one predicted frame to the next; null for
// revision 1 and keyframes.
Status EncodeFrame(const adm::AdmNet& net, const Geometry& g, const uint8_t* frame, const uint8_t* prev,
                   const adm::CodecOptions& opt, std::vector<uint8_t>* out, FrameStats* stats,
                   std::vector<adm::GroupState>* states = nullptr);
Status DecodeFrame(const adm::AdmNet& net, const Geometry& g, const uint8_t* data, size_t size, const uint8_t* prev,
                   const adm::CodecOptions& opt, uint8_t* out, std::vector<adm::GroupState>* states = nullptr);

// The payload's frame index: per frame its coded size and the CRC-32 of its planes.
struct FrameEntry {
  uint64_t offset = 0, size = 0;  // of the frame's data, relative to the payload
  uint32_t crc = 0;
};
// Encodes a whole sequence (frames * frame_bytes bytes) into the payload.
Status EncodeVideo(const adm::AdmNet& net, const Geometry& g, const uint8_t* frames, uint64_t count, uint32_t keyint,
                   const adm::CodecOptions& opt, std::vector<uint8_t>* payload, FrameStats* stats,
                   std::vector<uint64_t>* frame_sizes);
// Reads and checks the index (every frame's data inside the payload, nothing after the last).
StatusOr<std::vector<FrameEntry>> ParseIndex(const uint8_t* payload, size_t size, uint64_t frames);

// The first frame to decode to get frame i, the last decoded frame being `last` (-1: none): the
// frame after `last` if it lies in i's group of pictures before i, else the keyframe at or
// before i. Shared by the video decoders.
inline uint64_t DecodeStart(uint64_t i, uint32_t keyint, int64_t last) {
  const uint64_t key = i - i % keyint;
  return last >= static_cast<int64_t>(key) && last < static_cast<int64_t>(i) ? static_cast<uint64_t>(last) + 1 : key;
}

// Decodes frames one at a time with two frame buffers (memory: a few frames whatever the
// length). Decode(i) continues from the last decoded frame when i follows it; otherwise it starts
// again at the keyframe at or before i. `payload` must outlive the decoder.
class FrameDecoder {
 public:
  FrameDecoder(const adm::AdmNet* net, const Geometry& g, uint32_t keyint, adm::CodecOptions opt,
               const uint8_t* payload, std::vector<FrameEntry> index)
      : net_(net), g_(g), keyint_(keyint), opt_(std::move(opt)), payload_(payload), index_(std::move(index)) {}
  // Writes frame i (frame_bytes) to out; checks its CRC-32 (DC_ERR_CHECKSUM).
  Status Decode(uint64_t i, uint8_t* out);
  const std::vector<FrameEntry>& index() const { return index_; }
  uint64_t frames_decoded() const { return decoded_; }  // network decodes done (counts re-decodes)

 private:
  const adm::AdmNet* net_;
  Geometry g_;
  uint32_t keyint_;
  adm::CodecOptions opt_;
  const uint8_t* payload_;
  std::vector<FrameEntry> index_;
  std::vector<uint8_t> last_, cur_;
  std::vector<adm::GroupState> states_;  // revision 2: the tiles' models after frame last_index_
  int64_t last_index_ = -1;  // frame held in last_
  uint64_t decoded_ = 0;
};

}  // namespace dc::video

#endif  // DIFFCOMP_CODECS_VIDEO_LOSSLESS_VIDEO_LOSSLESS_H_
