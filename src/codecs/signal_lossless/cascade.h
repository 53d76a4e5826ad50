// Revision 2 of signal-lossless: a cascade of adaptive integer filters that the encoder and the
// decoder run identically over the whole file, frame by frame and channel by channel, learning
// from the file as it is coded (after Monkey's Audio's sign-adapted NLMS cascades and MPEG-4 ALS
// RLS-LMS). Its prediction P of each sample turns the signal into a residual
//
//   r = wrap(x - P)   (modulo 2^bit_depth into the signed bit_depth-bit range; x = wrap(r + P)),
//
// which the dyadic stages and the network code per block as they code samples in revision 1.
// Every rule (integer arithmetic only) is normative: docs/codecs/signal-lossless.md, "Revision 2".
#ifndef DIFFCOMP_CODECS_SIGNAL_LOSSLESS_CASCADE_H_
#define DIFFCOMP_CODECS_SIGNAL_LOSSLESS_CASCADE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace dc::sig {

// One sign-sign LMS filter with magnitude-classed steps (the NNFilter idea of Monkey's Audio):
// int16 weights and an int16 history of its (down-shifted, saturated) inputs.
class SignLms {
 public:
  SignLms(int order, int shift, int downshift);
  // The prediction of the next input (history only).
  int64_t Predict() const;
  // After the input v is known: adapt by the sign of err (the stage's output), then push v.
  void Update(int64_t v, int64_t err);
  void Adapt(int64_t err);
  void Push(int64_t v);

 private:
  int order_, shift_, ds_;
  uint32_t pos_;  // next write index into hist_/adapt_ (always >= order_)
  int32_t avg_ = 0;
  std::vector<int16_t> w_, hist_, adapt_;
};

// A normalised LMS filter in integer arithmetic: int32 history, Q14 weights, one division per
// sample for the step mu e / (eps + |h|^2), mu = 2^-mu_log2.
class IntNlms {
 public:
  IntNlms(int order, int mu_log2);
  int64_t Predict() const;
  void Update(int64_t v, int64_t err) {
    Adapt(err);
    Push(v);
  }
  void Adapt(int64_t err);
  void Push(int64_t v);

 private:
  int order_, mu_;
  uint32_t pos_;
  int64_t energy_ = 0;
  std::vector<int32_t> w_, hist_;
};

// A cascade profile (its index is sent in the revision-2 payload). Stages, in order, each
// predicting the previous stage's output: 1 the fixed first-order x[t-1] 31/32; 2 an NLMS filter
// (IntNlms); 3 a long and 4 a short sign-sign LMS (SignLms); 5 the previous channel's final
// residuals (channels > 0); 6 bias cancellation by the sign of the previous residual.
struct CascadeProfile {
  int nlms_taps, nlms_mu_log2;  // stage 2 (taps 0: off)
  int long_taps, long_shift;    // stage 3 (0: off)
  int short_taps, short_shift;  // stage 4 (0: off)
  int cross_taps;               // stage 5 (0: off)
  int mix_step;                 // stage 7, the mixer's step (0: plain sum)
  int bias;                     // stage 6 (0: off)
  int stereo_taps;              // stage 1b (channels > 0; 0: off): set by the payload's stereo bit
};
constexpr int kStereoTaps = 2, kStereoMuLog2 = 5;
constexpr int kNumCascadeProfiles = 7;
constexpr int kCrossShift = 12;
// 0: none (P = 0: the samples are coded as they are); 1: general (NLMS 16 + sign-LMS 16 + cross);
// 2: tonal (1 plus a 256-tap sign-LMS); 3: slow signals (NLMS 32 with a smaller step); 4: long
// (1 plus a 1024-tap sign-LMS); 5: speech (NLMS 32); 6: the first order and bias alone.
extern const CascadeProfile kCascadeProfiles[kNumCascadeProfiles];
// The payload's cascade byte: bits 0-5 the profile index, bit 6 mid/side (2 channels of at most
// 31 bits: the cascade codes mid = (L + R) >> 1 and side = L - R, one bit wider), bit 7 the stereo
// stage (profiles > 0).
constexpr uint8_t kCascadeMidSideBit = 0x40, kCascadeStereoBit = 0x80;
inline bool ValidCascadeCode(int code, uint32_t channels, int bit_depth) {
  const int p = code & 0x3f;
  if (code < 0 || code > 0xff || p >= kNumCascadeProfiles) return false;
  if (p == 0 && (code & kCascadeStereoBit)) return false;
  return !(code & kCascadeMidSideBit) || (channels == 2 && bit_depth < 32);
}
// The bit depth the cascade and the block coder work at.
inline int CascadeDepth(int code, int bit_depth) { return (code & kCascadeMidSideBit) ? bit_depth + 1 : bit_depth; }
// In place, frames x 2: (L, R) -> (mid, side) and back (FLAC's rule: exact).
void ToMidSide(int32_t* x, uint64_t frames);
// FromMidSide: false if a sample leaves bit_depth (a damaged stream).
bool FromMidSide(int32_t* x, uint64_t frames, int bit_depth);
inline CascadeProfile CascadeProfileOf(int code) {
  CascadeProfile p = kCascadeProfiles[code & 0x3f];
  p.stereo_taps = (code & kCascadeStereoBit) ? kStereoTaps : 0;
  return p;
}

class Cascade {
 public:
  Cascade(const CascadeProfile& profile, uint32_t channels, int bit_depth);
  // Prediction of channel c's sample of the current frame (call for c = 0 .. C-1 in order, each
  // followed by Update(c, x) before the next).
  int64_t Predict(uint32_t c);
  void Update(uint32_t c, int32_t x);
  // Forward and inverse over a whole signal (frames x channels, frame-major).
  static void Residual(const CascadeProfile& profile, const int32_t* x, uint64_t frames, uint32_t channels,
                       int bit_depth, int32_t* r);
  // In place: r -> x.
  static void Restore(const CascadeProfile& profile, int32_t* rx, uint64_t frames, uint32_t channels, int bit_depth);

 private:
  struct Chan {
    int64_t last = 0;  // x[t-1]
    int64_t p[8] = {};  // this frame's stage predictions
    int64_t prev = 0;   // the previous final residual (before bias cancellation)
    int64_t bias[3] = {0, 0, 0};
    std::unique_ptr<IntNlms> nlms, st;
    int32_t mix[5] = {4096, 4096, 4096, 4096, 4096};
    std::unique_ptr<SignLms> lng, sht, cross;
  };
  bool none_;
  int mix_step_, bias_;
  int64_t lo_, hi_, plim_;
  std::vector<Chan> ch_;
};

// Encoder: the cascade byte whose residual costs the fewest bits under an adaptive Rice code
// (integer), counted on the second half of the frames given (the encoder gives the first
// kCascadeTrialFrames): every profile without the stereo stage, then (2 channels or more) the best
// with mid/side (2 channels) and with the stereo stage. If `charge` is given (bits of a residual of
// `frames` frames at a depth, as the block coder would code it), the two cheapest profiles under
// the proxy are compared by it instead when the proxy puts them within 2 % of each other.
constexpr uint64_t kCascadeTrialFrames = uint64_t{1} << 17;
int ChooseCascadeProfile(const int32_t* x, uint64_t frames, uint32_t channels, int bit_depth,
                         const std::function<double(const int32_t*, uint64_t, int)>& charge = nullptr,
                         int threads = 1);

int64_t WrapToDepth(int64_t v, int bit_depth);

}  // namespace dc::sig

#endif  // DIFFCOMP_CODECS_SIGNAL_LOSSLESS_CASCADE_H_
