// signal-lossy encoder: block size and envelope, then the diffusion steps until the rate or SNR
// target, one progressive segment per step.
#include <algorithm>
#include <cmath>
#include <string>

#include "codecs/signal_lossy/signal_lossy_internal.h"
#include "rcc/progressive.h"
#include "rcc/rcc.h"

namespace dc::slossy {
namespace {

double SnrDb(const std::vector<float>& x0, const std::vector<float>& est, double energy) {
  double err = 0;
  for (size_t i = 0; i < x0.size(); ++i) {
    const double d = double(est[i]) - x0[i];
    err += d * d;
  }
  if (energy <= 0) return err > 0 ? -100.0 : 100.0;
  return err > 0 ? 10.0 * std::log10(energy / err) : 200.0;
}

}  // namespace

Status EncodeSignal(const SignalView& sig, const EncodeOptions& opt, std::vector<uint8_t>* payload, EncodeStats* stats) {
  if (!payload || !sig.samples) return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: null argument");
  if (sig.frames == 0 || sig.channels == 0 || sig.channels > kMaxChannels)
    return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: needs 1 to 255 channels and at least one frame");
  if (sig.bit_depth < 2 || sig.bit_depth > 32) return Error(DC_ERR_UNSUPPORTED_FORMAT, "signal-lossy: bit depth 2 to 32");
  if (opt.chunk_bits < rcc::kMinChunkBits || opt.chunk_bits > rcc::kMaxChunkBits)
    return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: chunk_bits out of range");
  if (opt.step_q < 1 || opt.step_q > 16) return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: step_q must be 1 to 16");
  if (opt.block_log2 != 0 && (opt.block_log2 < kMinBlockLog2 || opt.block_log2 > kMaxBlockLog2))
    return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: block size out of range");
  if (!(opt.target_snr_db >= 0) || opt.target_snr_db > 200) return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: SNR target out of range");
  if (sig.frames * sig.channels > kMaxSamples) return Error(DC_ERR_TOO_LARGE, "signal-lossy: more than 2^26 samples");

  // Block size and envelope frame length: the pair with the smallest model rate at about 30 dB
  // SNR, i.e. the reverse water-filling rate sum 0.5 log2(s^2 / theta) over coefficients with
  // s^2 > theta = signal power / 1000, plus the envelope's own bits (finer frames follow the
  // signal better but cost more side information).
  double power = 0;
  for (uint64_t i = 0; i < sig.frames * sig.channels; ++i) power += double(sig.samples[i]) * sig.samples[i];
  power /= static_cast<double>(sig.frames * sig.channels);
  const double theta = std::max(1.0, power * 1e-3);
  std::vector<int> sizes = opt.block_log2 ? std::vector<int>{opt.block_log2} : std::vector<int>{6, 8, 10};
  Header h;
  std::vector<float> x0;
  double best = 1e300;
  for (int bl : sizes) {
    const uint64_t blocks = BlocksFor(sig.frames, bl);
    std::vector<std::vector<float>> chan(sig.channels);  // per channel, blocks x 2^bl
    for (uint32_t ch = 0; ch < sig.channels; ++ch) chan[ch] = ForwardDct(sig.samples, sig.frames, sig.channels, ch, bl);
    bool won = false;
    for (int fl = std::max(bl, 7); fl <= 12; ++fl) {
      Header cand;
      cand.block_log2 = bl;
      cand.frame_log2 = fl;
      double score = 0;
      for (uint32_t ch = 0; ch < sig.channels; ++ch) {
        cand.env.push_back(Envelope(chan[ch], static_cast<uint32_t>(blocks), bl, fl));
        for (float v : PriorVariances(cand.env.back(), static_cast<uint32_t>(blocks), bl, fl))
          if (v > theta) score += 0.5 * std::log2(double(v) / theta);
      }
      score += 8.0 * static_cast<double>(WriteHeader(cand).size());
      if (score < best) {
        best = score;
        h = std::move(cand);
        won = true;
      }
    }
    if (won) {  // this block size holds the best pair so far: its coefficients, channel-major
      x0.clear();
      for (const auto& c : chan) x0.insert(x0.end(), c.begin(), c.end());
    }
  }
  h.chunk_bits = opt.chunk_bits;
  h.step_q = opt.step_q;
  h.seed = opt.seed;
  int qmax = 0;
  for (const auto& env : h.env)
    for (uint8_t q : env) qmax = std::max(qmax, int(q));
  h.e0 = 4 * qmax + 16;  // sigma_0^2 = 4 x the largest prior variance
  const std::vector<uint8_t> header = WriteHeader(h);
  payload->clear();
  rcc::BeginProgressive(header.data(), header.size(), payload);
  if (stats) {
    *stats = EncodeStats{};
    stats->block_log2 = h.block_log2;
    stats->frame_log2 = h.frame_log2;
    stats->header_bytes = payload->size();
  }
  if (opt.max_payload_bytes && payload->size() > opt.max_payload_bytes)
    return Error(DC_ERR_INVALID_ARGUMENT, "signal-lossy: the rate is below the codec header's size (" +
                                              std::to_string(payload->size()) + " bytes)");

  const uint64_t blocks = BlocksFor(sig.frames, h.block_log2);
  Chain chain = StartChain(h, blocks);
  double energy = 0;
  for (float v : x0) energy += double(v) * v;
  std::vector<float> est(x0.size());
  WienerEstimate(chain, est.data());
  double snr = SnrDb(x0, est, energy);
  const int max_steps = MaxStepsFor(h);
  std::vector<float> mp, mq, xa;
  std::vector<uint8_t> seg;
  for (int j = 0; j < max_steps; ++j) {
    if (opt.target_snr_db > 0 && snr >= opt.target_snr_db) break;
    const StepPrior prior = PrepareStep(chain);
    const size_t na = prior.active.size();
    mp.resize(na);
    mq.resize(na);
    xa.resize(na);
    for (size_t a = 0; a < na; ++a) {
      const uint32_t i = prior.active[a];
      mp[a] = prior.mu_p[i];
      const float target = prior.r * chain.y[i] + (1.0f - prior.r) * x0[i];
      mq[a] = mp[a] + static_cast<float>(opt.overshoot) * (target - mp[a]);
    }
    rcc::RccConfig cfg;
    cfg.chunk_bits = h.chunk_bits;
    cfg.seed = h.seed;
    cfg.step = static_cast<uint32_t>(j + 1);
    cfg.threads = opt.threads;
    cfg.margin_bits = opt.margin_bits;
    seg.clear();
    rcc::RccStats rs;
    RETURN_IF_ERROR(rcc::EncodeGaussian(mp.data(), mq.data(), prior.std, na, cfg, &seg, xa.data(), &rs));
    const size_t before = payload->size();
    rcc::AppendSegment(seg.data(), seg.size(), payload);
    if (opt.max_payload_bytes && payload->size() > opt.max_payload_bytes) {
      payload->resize(before);
      break;
    }
    FinishStep(&chain, prior, xa.data());
    WienerEstimate(chain, est.data());
    snr = SnrDb(x0, est, energy);
    if (stats) {
      StepInfo si;
      si.kl_bits = rs.kl_bits;
      si.payload_end = payload->size();
      si.coded_dims = static_cast<uint32_t>(na);
      si.chunks = rs.chunks;
      si.snr_db = snr;
      const float sig2 = ChainSigma2(h, chain.step);
      double nr = 0;
      for (uint32_t i : prior.active) nr += (double(chain.y[i]) - x0[i]) * (double(chain.y[i]) - x0[i]) / sig2;
      si.noise_ratio = na ? nr / na : 0;
      si.sigma2 = sig2;
      double dm = 0;
      for (size_t i = 0; i < x0.size(); ++i) dm += double(chain.s2[i]) * sig2 / (double(chain.s2[i]) + sig2);
      si.model_snr_db = 10 * std::log10(energy / dm);
      stats->steps.push_back(si);
    }
    if (opt.progress) opt.progress(j + 1, max_steps);
  }
  return Status::Ok();
}

}  // namespace dc::slossy
