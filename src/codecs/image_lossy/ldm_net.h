// The lossy image model: a small autoencoder (8x down) and a latent denoiser, run with the
// deterministic float kernels (nn/kernels.h, nn/resample.h).
//
// Architecture "ldm1" (mirrored for training in src/train/train_image_lossy.cc; same tensor names):
//   image x: 3 x H x W in [-1, 1] (pixel / 127.5 - 1), H and W multiples of 8.
//   encoder: u = unshuffle2(x) (12ch) -> enc_in1 (c1) -> res enc_r1 -> unshuffle2 -> enc_in2 (c2)
//            -> res enc_r2 -> unshuffle2 -> enc_in3 (c3) -> res enc_r3_<i> (i < blocks3)
//            -> enc_out (latent channels), all 3x3; convs after a residual stream see relu(input).
//   decoder: z -> dec_in (c3) -> res dec_r3_<i> -> dec_up3 (4 c2) -> shuffle2 -> res dec_r2
//            -> dec_up2 (4 c1) -> shuffle2 -> res dec_r1 -> dec_up1 (12) -> shuffle2 -> image.
//   denoiser (v-prediction, variance-preserving): input [x_t, lambda/10 plane] -> den_in (F)
//            -> res den_b<i> (i < den_blocks) -> den_out (latent channels) = v_hat;
//            z0_hat = alpha * x_t - sigma * v_hat, alpha^2 = sigmoid(lambda), sigma^2 = sigmoid(-lambda).
//   res block: t += c2(relu(c1(relu(t)))).
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSY_LDM_NET_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSY_LDM_NET_H_

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "nn/weights.h"

namespace dc::lossy {

constexpr const char* kArch = "ldm1";
constexpr uint32_t kDefaultModelId = 3;  // registered in models/README.md (2 is signal-lossless)
constexpr int kFactor = 8;  // latent grid is 1/8 of the image per side

struct NetConfig {
  int latent = 8;       // latent channels
  int c1 = 32, c2 = 64, c3 = 128;  // autoencoder widths at 1/2, 1/4, 1/8 resolution
  int blocks3 = 2;      // residual blocks at 1/8 resolution (encoder and decoder each)
  int den_features = 96;
  int den_blocks = 6;
  std::string ToJson() const;
  static StatusOr<NetConfig> FromJson(const std::string& json);
};

// Multiply-adds per image pixel of the encoder, the decoder, and one denoiser pass.
int64_t EncoderMacsPerPixel(const NetConfig& c);
int64_t DecoderMacsPerPixel(const NetConfig& c);
int64_t DenoiserMacsPerPixel(const NetConfig& c);
// Encoder + decoder + one denoiser pass per step of the default schedule (a full-rate encode).
int64_t CodecMacsPerPixel(const NetConfig& c);

// Tiles: Encode, Decode and Denoise run over tiles of at most kEncodeTile / kDecodeTile /
// kDenoiseTile latent cells a side, each computed with its receptive field around it
// (EncodeHalo / DecodeHalo / DenoiseHalo cells, clipped to the grid). Every convolution output is computed by the same operations whatever the size of
// the array it is computed in (nn/kernels.h), and an output depends on no input further away than
// the halo, so the tiled result is bit-identical to one pass over the whole grid; tiling only
// bounds the working memory (a tile's activations instead of the image's). A grid that fits in
// one tile runs in one pass.
constexpr int kEncodeTile = 128;   // 1024 x 1024 pixels
constexpr int kDecodeTile = 128;   // 1024 x 1024 pixels
constexpr int kDenoiseTile = 256;

// A decoded tile: the float image (3 planes of ph x pw, not clamped) of a halo-extended tile;
// the tile itself is the h x w pixels at (oy, ox) in it, which are pixels (y0, x0) onward of the
// whole image.
struct DecodedTile {
  int y0 = 0, x0 = 0, h = 0, w = 0;
  const float* img = nullptr;
  int ph = 0, pw = 0, oy = 0, ox = 0;
};

// Immutable, shareable across threads. `threads` splits each convolution's output channels
// across threads: every output element is computed by the same operations whatever the count.
class LdmNet {
 public:
  static StatusOr<LdmNet> FromWeights(const nn::WeightsFile& w);
  const NetConfig& config() const { return cfg_; }
  int64_t parameters() const;

  // x: 3 x H x W (H, W multiples of 8) -> z: latent x H/8 x W/8 (in tiles of `tile` cells).
  void Encode(const float* x, int H, int W, int threads, float* z, int tile = kEncodeTile) const;
  // z: latent x h x w -> x: 3 x 8h x 8w (not clamped).
  void Decode(const float* z, int h, int w, int threads, float* x) const;
  // The same, one tile at a time (tile: latent cells a side): sink gets each tile's pixels, in
  // raster order of tiles. Memory: one tile's activations, whatever the image size.
  void DecodeTiles(const float* z, int h, int w, int threads, const std::function<void(const DecodedTile&)>& sink,
                   int tile = kDecodeTile) const;
  // x_t: latent x h x w at log-SNR lambda -> z0_hat: latent x h x w (in tiles of `tile` cells).
  void Denoise(const float* xt, int h, int w, float lambda, int threads, float* z0, int tile = kDenoiseTile) const;

  // Receptive-field radii in latent cells: a latent depends on pixels at most EncodeHalo() cells
  // (8-pixel blocks) from its own, a decoded pixel on latents at most DecodeHalo() cells from its
  // own cell, a denoised latent on inputs at most DenoiseHalo() cells away.
  int EncodeHalo() const;
  int DecodeHalo() const;
  int DenoiseHalo() const;

  struct Conv {
    int out = 0, in = 0, k = 0;
    std::vector<float> w, b;  // w: out x in x k x k
  };

 private:
  Status Load(const nn::WeightsFile& wf);
  void EncodeWhole(const float* x, int H, int W, int threads, float* z) const;
  void DecodeWhole(const float* z, int h, int w, int threads, float* x) const;
  void DenoiseWhole(const float* xt, int h, int w, float lambda, int threads, float* z0) const;
  NetConfig cfg_;
  Conv enc_in1_, enc_in2_, enc_in3_, enc_out_, dec_in_, dec_up3_, dec_up2_, dec_up1_, den_in_, den_out_;
  std::vector<Conv> enc_r1_, enc_r2_, enc_r3_, dec_r3_, dec_r2_, dec_r1_, den_b_;  // pairs c1, c2
};

}  // namespace dc::lossy

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSY_LDM_NET_H_
