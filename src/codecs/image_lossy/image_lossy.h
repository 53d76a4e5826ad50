// The lossy image codec (DiffC in the latent space of a small autoencoder): the encoder maps the
// image to latents z, then walks a Gaussian diffusion from pure noise down a log-SNR schedule,
// sending at each step a sample of q(x_s | x_t, z) with the denoiser's p(x_s | x_t) as the shared
// prior by reverse channel coding (rcc/rcc.h). Each step is one progressive segment
// (rcc/progressive.h), so any prefix of whole steps decodes. The decoder reaches x_{t*}, denoises
// it (probability-flow ODE or one step) and decodes the latents to pixels. Revision 2 continues
// the payload with pixel-space refinement passes (refine.h) up to the exact original.
// Payload layout and rate scale: docs/codecs/image-lossy.md.
#ifndef DIFFCOMP_CODECS_IMAGE_LOSSY_IMAGE_LOSSY_H_
#define DIFFCOMP_CODECS_IMAGE_LOSSY_IMAGE_LOSSY_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "codecs/image_lossy/ldm_net.h"
#include "common/status.h"

namespace dc::lossy {

// Bitstream revisions (docs/codecs/image-lossy.md). A file once written decodes forever: the
// encoder writes the revision its options say, the decoder decodes the revision its options say.
//   1: the latent diffusion steps only (header version byte 1).
//   2: the same steps, then pixel-space refinement passes up to the exact original (header flag
//      bit 1 and a list of quantizer steps after the revision 1 fields; a revision 2 payload
//      without passes is byte for byte a revision 1 payload).
constexpr int kRevision1 = 1, kRevision2 = 2, kLatestRevision = 2;

constexpr uint8_t kHeaderVersion = 1;  // the header's version byte, in both revisions
constexpr int kMaxSteps = 64;
constexpr float kMaxAbsLambda = 30.0f;
constexpr int kMaxDecodeSteps = 64;
constexpr float kMaxColourCoef = 8.0f;

// The coding schedule and decoder settings written in the codec header.
struct Schedule {
  std::vector<float> lambdas;  // lambda_0 (start: pure noise) < lambda_1 < ... < lambda_S; each a multiple of 1/256
  int chunk_bits = 12;
  int decode_steps = 0;   // probability-flow (DDIM) steps after the last coded step; 0 = one denoising step
  float decode_end = 12;  // log-SNR where the ODE stops (the final z0 estimate is taken there)
  uint64_t seed = 0;
  // Colour transform applied to the decoded RGB (in [-1, 1] units) before rounding:
  // out_c = colour[4c + 3] + colour[4c] r + colour[4c + 1] g + colour[4c + 2] b. Fitted by the
  // encoder (least squares of the original on the autoencoder's reconstruction of its own
  // latents, so the same for every rate), stored as f16. Absent: identity.
  bool has_colour = false;
  float colour[12] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
  // Revision 2: steps of the pixel-space refinement passes that may follow the S latent steps:
  // a power of two 1..128, then each half the one before (refine::CheckSteps). Revision 1: empty.
  std::vector<int> refine_steps;
};
Schedule DefaultSchedule();

struct ImageView {
  const uint8_t* pixels = nullptr;  // interleaved, row-major
  uint32_t width = 0, height = 0, channels = 0;  // channels 1 or 3
};

struct EncodeOptions {
  int revision = kLatestRevision;
  int threads = 1;
  // Rate: stop after the longest prefix of segments (latent steps, then refinement passes) whose
  // payload fits max_payload_bytes (0 = no byte limit), and after at most max_steps segments
  // (-1 = all).
  uint64_t max_payload_bytes = 0;
  int max_steps = -1;
  Schedule schedule = DefaultSchedule();
  bool colour_transform = true;  // fit and send Schedule::colour (costs one autoencoder decode)
  // Revision 2: the refinement passes' quantizer steps, written to the header (Schedule::
  // refine_steps); empty = none. The API and CLI pass refine::DefaultSteps(). Revision 1: must be empty.
  std::vector<int> refine_steps;
  // Encoder only: the latents to send instead of the autoencoder's Enc(x) (latent x ceil(H/8) x
  // ceil(W/8), e.g. latents refined through the decoder: docs/pilot-latent-refinement.md); empty =
  // Enc(x). The colour transform is fitted on the decoder's image of these latents. The decoder
  // does not know the difference: same bitstream, same revision (latents equal to Enc(x) give the
  // same bytes as none). Another size is DC_ERR_INVALID_ARGUMENT.
  std::vector<float> latents;
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct StepInfo {
  float lambda = 0;        // log-SNR reached by the step
  double kl_bits = 0;      // KL(q || p) of the step
  size_t payload_end = 0;  // payload bytes once this step is in
  uint32_t chunks = 0;
};

struct PassInfo {
  int step = 0;            // quantizer step of the refinement pass
  size_t payload_end = 0;  // payload bytes once this pass is in
};

struct EncodeStats {
  std::vector<StepInfo> steps;  // every coded step (also those past the rate limit, if computed)
  int kept_steps = 0;           // latent steps in the payload
  std::vector<PassInfo> passes;  // refinement passes in the payload (revision 2)
  std::vector<float> x_final;   // the latent x_{t*} the decoder will reach (for drift tests)
};

Status EncodeImage(const LdmNet& net, const ImageView& img, const EncodeOptions& opt,
                   std::vector<uint8_t>* payload, EncodeStats* stats);

struct DecodeOptions {
  int revision = kLatestRevision;  // the payload's revision (a header of another is an error)
  int threads = 1;
  std::function<void(uint64_t done, uint64_t total)> progress;
  std::vector<float>* x_final = nullptr;  // if set: receives x_{t*} (drift measurement)
};

// Decodes into out (width * height * channels bytes).
Status DecodeImage(const LdmNet& net, const uint8_t* payload, size_t size, uint32_t width, uint32_t height,
                   uint32_t channels, const DecodeOptions& opt, uint8_t* out);

// One pass over the payload that yields the decoded image after each of `prefixes` (segment counts,
// increasing, each at most the number of segments): out(k, pixels) is called with the same
// pixels DecodeImage gives for the payload cut after k steps (the same code path), for the cost
// of one decode plus a final denoise + autoencoder decode per prefix. For benchmarks.
Status DecodePrefixes(const LdmNet& net, const uint8_t* payload, size_t size, uint32_t width, uint32_t height,
                      uint32_t channels, const DecodeOptions& opt, const std::vector<int>& prefixes,
                      const std::function<void(int, const std::vector<uint8_t>&)>& out);

// Header (de)serialisation, exposed for tests. WriteHeader writes the refinement passes (flag bit
// 1) when refine_steps is not empty; ParseHeader at revision 1 rejects that bit (reserved-bits).
std::vector<uint8_t> WriteHeader(const Schedule& s);
StatusOr<Schedule> ParseHeader(const uint8_t* data, size_t size, int revision = kLatestRevision);

// --quality Q (0..100) as a count of segments: revision 1: round(Q / 100 x steps); revision 2:
// round(Q / 80 x steps) up to Q = 80, then all steps and round((Q - 80) / 20 x passes) refinement
// passes (Q = 100: every pass, the exact original with the default passes).
int SegmentsForQuality(double quality, int revision, int steps, int passes);


}  // namespace dc::lossy

#endif  // DIFFCOMP_CODECS_IMAGE_LOSSY_IMAGE_LOSSY_H_
