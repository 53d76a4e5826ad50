// The lossy video codec: every frame is coded like an image-lossy image (DiffC in the latent
// space of the image-lossy autoencoder, one progressive segment per diffusion step), and the
// prior of a non-key frame is conditioned on the previous frame's reconstruction. The denoiser's
// estimate d of the latents is pulled towards r, the autoencoder's latents of the previous decoded
// frame moved by a block motion field (video::EstimateMotion, sent; the decoder has r bit for
// bit):
//
//     z0_hat = d + (w / 64) (r - d),   w in 0..64, chosen by the encoder at every step and sent
//
// w is the least-squares optimum of |z0_hat - z|^2 (z: the frame's true latents), which is what
// the next step's KL, i.e. its rate, is proportional to: where the frame repeats the previous one
// the prior already predicts it and the step costs almost nothing; where it does not, w falls
// back towards 0 (the image prior). A keyframe is coded without reference (w absent).
//
// Frames are YUV (4:2:0 or 4:4:4, 8-bit), converted to RGB (BT.601, limited range) for the
// autoencoder and back. Payload layout and rate control: docs/codecs/video-lossy.md.
#ifndef DIFFCOMP_CODECS_VIDEO_LOSSY_VIDEO_LOSSY_H_
#define DIFFCOMP_CODECS_VIDEO_LOSSY_VIDEO_LOSSY_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "codecs/image_lossy/image_lossy.h"
#include "codecs/image_lossy/ldm_net.h"
#include "codecs/video_lossless/video_lossless.h"  // video::Geometry, FrameEntry, ParseIndex
#include "common/status.h"

namespace dc::vlossy {

constexpr int kWeightOne = 64;  // w = 64 means z0_hat = r
// Encoder: a step whose KL is at most this many bits sends no index (rcc::RccConfig::min_kl_bits);
// predicted frames' first steps often carry less than that.
constexpr double kMinStepKlBits = 2.0;

struct EncodeOptions {
  int threads = 1;
  uint32_t keyint = 30;
  // Rate: bits per luma pixel per frame on average (0 = none): a per-GOP byte budget shared by
  // its frames, a keyframe weighted kKeyWeight times a predicted frame, savings carried forward.
  double bpp = 0;
  int max_steps = -1;  // steps per frame at most (-1: all of the schedule)
  lossy::Schedule schedule = lossy::DefaultSchedule();
  std::function<void(uint64_t done, uint64_t total)> progress;
};
constexpr double kKeyWeight = 4.0;

struct FrameInfo {
  bool key = false;
  uint64_t bytes = 0;  // coded bytes of the frame (without its index entry)
  int steps = 0;       // diffusion steps kept
  double kl_bits = 0;  // sum of the kept steps' KL
  std::vector<uint8_t> weights;  // w at the start and after each kept step (non-key frames)
  bool motion = false;           // a motion field was sent
  uint32_t recon_crc = 0;        // CRC-32 of the frame the decoder will make (drift tests)
};

// Codes `count` frames (each Y, U, V planes, video::Geometry layout). payload_overhead: bytes the
// container adds around the payload (counted against the bpp budget).
Status EncodeVideo(const lossy::LdmNet& net, const video::Geometry& g, const uint8_t* frames, uint64_t count,
                   const EncodeOptions& opt, uint64_t payload_overhead, std::vector<uint8_t>* payload,
                   std::vector<FrameInfo>* info);

// The payload's schedule and frame index (offsets relative to the payload), checked.
struct Stream {
  lossy::Schedule schedule;
  std::vector<video::FrameEntry> index;
};
StatusOr<Stream> ParseStream(const uint8_t* payload, size_t size, uint64_t frames);

// Every frame starts from the same noise x0 (the schedule's seed, step 0), so the denoiser's first
// estimate d0 = D(x0, lambda_0) is the same for every frame: computed once per stream.
struct Start {
  std::vector<float> x0, d0;
};
Start MakeStart(const lossy::LdmNet& net, const video::Geometry& g, const lossy::Schedule& s, int threads);

// Decodes one frame's data into out (frame_bytes). prev: the previous decoded frame (null for a
// keyframe); start: MakeStart of the stream.
Status DecodeFrame(const lossy::LdmNet& net, const video::Geometry& g, const lossy::Schedule& s, const Start& start,
                   const uint8_t* data, size_t size, const uint8_t* prev, int threads, uint8_t* out);

// Frame by frame with two frame buffers (memory: a few frames whatever the length). Decode(i)
// continues from the last decoded frame when i follows it; otherwise it starts again at the
// keyframe at or before i. Each frame's data is checked against its CRC-32 before it is decoded.
class FrameDecoder {
 public:
  FrameDecoder(const lossy::LdmNet* net, const video::Geometry& g, uint32_t keyint, int threads,
               const uint8_t* payload, Stream stream)
      : net_(net), g_(g), keyint_(keyint), threads_(threads), payload_(payload), stream_(std::move(stream)) {}
  Status Decode(uint64_t i, uint8_t* out);
  const std::vector<video::FrameEntry>& index() const { return stream_.index; }

 private:
  const lossy::LdmNet* net_;
  video::Geometry g_;
  uint32_t keyint_;
  int threads_;
  const uint8_t* payload_;
  Stream stream_;
  std::vector<uint8_t> last_, cur_;
  int64_t last_index_ = -1;  // frame held in last_
  Start start_;              // made at the first decoded frame
};

// --- shared by encoder and decoder (exposed for tests) -------------------------------------

// YUV frame -> RGB planes in [-1, 1], 3 x H x W (H, W multiples of 8, edge-replicated padding).
void FrameToPlanes(const video::Geometry& g, const uint8_t* frame, int H, int W, float* planes);
// RGB planes (the autoencoder's output) -> YUV frame (4:2:0 chroma: mean of each 2x2 block).
void PlanesToFrame(const video::Geometry& g, const float* planes, int H, int W, uint8_t* frame);
// Motion field of a predicted frame (video::MotionField blocks and range), as a rANS stream.
Status WriteMotion(const video::MotionField& m, std::vector<uint8_t>* out);
Status ReadMotion(const uint8_t* data, size_t size, const video::Geometry& g, video::MotionField* m);
// r: the autoencoder's latents of prev moved by m (m null: not moved).
void ReferenceLatents(const lossy::LdmNet& net, const video::Geometry& g, const uint8_t* prev,
                      const video::MotionField* m, int threads, float* r);
// z0_hat = d + (w / 64) (r - d), element by element in a fixed order.
void Blend(const float* d, const float* r, int w, size_t n, float* out);
// The w in 0..64 nearest the least-squares optimum of |d + w/64 (r - d) - z|^2.
int BestWeight(const float* d, const float* r, const float* z, size_t n);

}  // namespace dc::vlossy

#endif  // DIFFCOMP_CODECS_VIDEO_LOSSY_VIDEO_LOSSY_H_
