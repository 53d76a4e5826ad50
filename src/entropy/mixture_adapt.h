// Online correction of a network's mixtures inside one coded stream, learned from the values
// already coded. Encoder and decoder apply the same integer updates in the same order, so they
// derive the same corrected distributions (it is part of the bitstream, not of the model).
//
// Context: (stage, channel, scale bucket of the dominant component). Per context:
//   - bias: every component's mean moves by sum(v - mu_net) / (n + 64) (Q8; mu_net = the
//     network's mixture mean; n values seen, sums and n halved at 256 so the state follows the
//     image);
//   - scale: every component's scale is multiplied by the factor of kScaleFactors whose
//     decayed code length over the context's past values is the smallest (ties: the lowest
//     index, i.e. no change first). Code lengths are 16 - log2(frequency) of the value's rANS
//     interval under each factor, with a piecewise-linear integer log2, decayed by 1/64 per value.
// Everything is integer arithmetic (ChannelDist's float fields follow for statistics only).
#ifndef DIFFCOMP_ENTROPY_MIXTURE_ADAPT_H_
#define DIFFCOMP_ENTROPY_MIXTURE_ADAPT_H_

#include <array>
#include <cstdint>
#include <vector>

#include "entropy/logistic_mixture.h"

namespace dc::mix {

class MixtureAdapter {
 public:
  static constexpr int kScaleBuckets = 10;
  static constexpr int kFactors = 5;
  // Scale factors in Q16: 1, 2^(-1/4), 2^(1/4), 2^(-1/2), 2^(1/2) (applied to 1/scale inversely).
  static constexpr std::array<int32_t, kFactors> kScaleFactors = {65536, 55109, 77936, 46341, 92682};

  // stages x channels contexts per scale bucket.
  MixtureAdapter(int stages, int channels);

  // Corrects d in place for (stage, channel); returns the context for Update.
  int Apply(int stage, int channel, ChannelDist* d);
  // Learns from the coded value v (0..255) of the distribution that Apply corrected last.
  void Update(int ctx, int v);

 private:
  struct Ctx {
    int64_t bias_sum = 0;  // Q8, sum of (v - mu_net)
    int32_t n = 0;
    std::array<int32_t, kFactors> cost{};  // decayed code length, Q8 bits x 32
  };
  int channels_;
  std::vector<Ctx> ctx_;
  // The last Apply's bias-corrected distribution before scaling, and its network mean (Q8).
  ChannelDist base_, scratch_;
  int64_t mu_net_ = 0;
};

}  // namespace dc::mix

#endif  // DIFFCOMP_ENTROPY_MIXTURE_ADAPT_H_
