// The inspection API (include/diffcomp/inspect.h): the tutorial's look inside signal-lossy,
// moved behind the C API so that examples/ uses public headers only (issue 17).
#include "diffcomp/inspect.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "api/abi.h"
#include "codecs/signal_lossy/signal_lossy.h"
#include "codecs/signal_lossy/signal_lossy_internal.h"
#include "common/last_error.h"
#include "common/status.h"
#include "rcc/philox.h"
#include "rcc/progressive.h"
#include "rcc/rcc.h"

struct dc_slossy_trace {
  std::vector<int32_t> x;
  std::vector<uint8_t> payload;
  dc::slossy::Header h;
  dc::slossy::EncodeStats es;
  uint64_t blocks = 0;
  int log2 = 0;
  std::vector<uint64_t> prefix, segment;
  std::vector<std::vector<double>> held;
  std::vector<std::vector<int32_t>> decoded;
};

namespace {

namespace sl = dc::slossy;

// Time-domain view of block-DCT coefficients (no rounding or clamping: noise shown as it is).
std::vector<double> InverseDctView(const std::vector<float>& coefs, uint64_t frames, int log2) {
  const std::vector<float> m = sl::DctMatrix(log2);
  const uint32_t n = 1u << log2;
  std::vector<double> out(frames);
  for (uint64_t t = 0; t < frames; ++t) {
    const uint64_t b = t >> log2, i = t & (n - 1);
    double acc = 0;
    for (uint32_t k = 0; k < n; ++k) acc += double(m[k * n + i]) * coefs[b * n + k];
    out[t] = acc;
  }
  return out;
}

dc::Status Run(const int32_t* samples, uint64_t n, uint32_t bit_depth, const dc_params& p, dc_slossy_trace* t) {
  using dc::Error;
  if (!samples || n == 0) return Error(DC_ERR_INVALID_ARGUMENT, "no samples");
  if (bit_depth < 2 || bit_depth > 32) return Error(DC_ERR_INVALID_ARGUMENT, "bit_depth must be 2..32");
  t->x.assign(samples, samples + n);
  sl::EncodeOptions eo;
  eo.threads = p.threads > 0 ? p.threads : 1;
  if (p.snr_db > 0) eo.target_snr_db = p.snr_db;
  const sl::SignalView view{t->x.data(), n, 1, static_cast<int>(bit_depth)};
  RETURN_IF_ERROR(sl::EncodeSignal(view, eo, &t->payload, &t->es));
  const std::vector<uint8_t>& payload = t->payload;
  ASSIGN_OR_RETURN(auto pv, dc::rcc::ParseProgressive(payload.data(), payload.size()));
  ASSIGN_OR_RETURN(t->h, sl::ParseHeader(pv.header.data, pv.header.size, n, 1));
  const sl::Header& h = t->h;
  t->log2 = h.block_log2;
  t->blocks = sl::BlocksFor(n, t->log2);
  const size_t J = pv.segments.size();
  if (J != t->es.steps.size()) return Error(DC_ERR_INTERNAL, "step count differs from the encoder's");
  // Every prefix of whole steps through the codec's decoder.
  t->prefix.assign(J + 1, 0);
  t->segment.assign(J + 1, 0);
  t->decoded.assign(J + 1, std::vector<int32_t>(n));
  for (size_t j = 0; j <= J; ++j) {
    t->prefix[j] = j == 0 ? static_cast<uint64_t>(pv.header.data + pv.header.size - payload.data())
                          : static_cast<uint64_t>(pv.segments[j - 1].data + pv.segments[j - 1].size - payload.data());
    if (j > 0) t->segment[j] = pv.segments[j - 1].size;
    if (j > 0 && t->prefix[j] != t->es.steps[j - 1].payload_end)
      return Error(DC_ERR_INTERNAL, "step boundary differs from the encoder's");
    sl::DecodeOptions dopt;
    dopt.threads = eo.threads;
    RETURN_IF_ERROR(sl::DecodeSignal(payload.data(), t->prefix[j], n, 1, static_cast<int>(bit_depth), dopt,
                                     t->decoded[j].data()));
  }
  // The decoder replayed step by step: its state y_j, and its output (checked bit for bit).
  t->held.assign(J + 1, {});
  sl::Chain chain = sl::StartChain(h, t->blocks);
  std::vector<float> mp, xa, est(chain.y.size());
  std::vector<int32_t> out(n);
  for (size_t j = 0;; ++j) {
    t->held[j] = InverseDctView(chain.y, n, t->log2);
    RETURN_IF_ERROR(sl::Denoise(chain, nullptr, est.data()));
    sl::InverseDct(est, t->blocks, n, 1, t->log2, static_cast<int>(bit_depth), out.data());
    if (out != t->decoded[j])
      return Error(DC_ERR_INTERNAL, "the step-by-step replay differs from the decoder at step " + std::to_string(j));
    if (j == J) break;
    const sl::StepPrior prior = sl::PrepareStep(chain);
    mp.resize(prior.active.size());
    xa.resize(prior.active.size());
    for (size_t a = 0; a < mp.size(); ++a) mp[a] = prior.mu_p[prior.active[a]];
    dc::rcc::RccConfig cfg;
    cfg.chunk_bits = h.chunk_bits;
    cfg.seed = h.seed;
    cfg.step = static_cast<uint32_t>(j + 1);
    RETURN_IF_ERROR(dc::rcc::DecodeGaussian(mp.data(), prior.std, mp.size(), cfg, pv.segments[j].data,
                                            pv.segments[j].size, xa.data()));
    sl::FinishStep(&chain, prior, xa.data());
  }
  return dc::Status::Ok();
}

}  // namespace

extern "C" {

dc_error dc_slossy_trace_run(const int32_t* samples, uint64_t frames, uint32_t bit_depth, const dc_params* params,
                             dc_slossy_trace** out) {
  if (!out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  *out = nullptr;
  dc_params p;
  dc_params_init(&p);
  if (params) {
    const dc::Status ps = dc::ReadParams(params, &p);  // struct_size (api/abi.h)
    if (!ps.ok()) return dc::SetLastError(ps);
  }
  auto t = std::make_unique<dc_slossy_trace>();
  const dc::Status s = Run(samples, frames, bit_depth, p, t.get());
  if (!s.ok()) return dc::SetLastError(s);
  *out = t.release();
  return DC_OK;
}

dc_error dc_slossy_trace_get_info(const dc_slossy_trace* t, dc_slossy_trace_info* out) {
  if (!t || !out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  *out = dc_slossy_trace_info{};
  out->frames = t->x.size();
  out->block_log2 = static_cast<uint32_t>(t->log2);
  out->blocks = t->blocks;
  out->chunk_bits = t->h.chunk_bits;
  out->step_q = t->h.step_q;
  out->steps = static_cast<uint32_t>(t->es.steps.size());
  out->max_steps = static_cast<uint32_t>(sl::MaxStepsFor(t->h));
  out->header_bytes = t->prefix.empty() ? 0 : t->prefix[0];
  out->payload = t->payload.data();
  out->payload_size = t->payload.size();
  return DC_OK;
}

dc_error dc_slossy_trace_get_step(const dc_slossy_trace* t, uint32_t j, dc_slossy_trace_step* out) {
  if (!t || !out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  if (j >= t->held.size()) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "no such step"));
  *out = dc_slossy_trace_step{};
  out->step = j;
  out->sigma = j == 0 ? std::sqrt(sl::ChainSigma2(t->h, 0)) : std::sqrt(t->es.steps[j - 1].sigma2);
  if (j > 0) {
    const sl::StepInfo& si = t->es.steps[j - 1];
    out->coded_coefs = si.coded_dims;
    out->chunks = si.chunks;
    out->kl_bits = si.kl_bits;
  }
  out->payload_end = t->prefix[j];
  out->segment_bytes = t->segment[j];
  out->held = t->held[j].data();
  out->decoded = t->decoded[j].data();
  return DC_OK;
}

double dc_slossy_trace_sigma(const dc_slossy_trace* t, uint32_t j) {
  if (!t || j > static_cast<uint32_t>(sl::MaxStepsFor(t->h))) return -1;
  return std::sqrt(double(sl::ChainSigma2(t->h, static_cast<int>(j))));
}

dc_error dc_slossy_trace_forward(const dc_slossy_trace* t, uint32_t j, uint64_t seed, double* out) {
  if (!t || !out) return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "null argument"));
  if (j > static_cast<uint32_t>(sl::MaxStepsFor(t->h)))
    return dc::SetLastError(dc::Error(DC_ERR_INVALID_ARGUMENT, "step beyond the schedule"));
  const uint64_t n = t->x.size();
  std::vector<float> X = sl::ForwardDct(t->x.data(), n, 1, 0, t->log2), eps(X.size()), y(X.size());
  dc::rcc::StdNormals(seed, 0, 0, 0, eps.size(), eps.data());
  const double sigma = std::sqrt(double(sl::ChainSigma2(t->h, static_cast<int>(j))));
  for (size_t i = 0; i < X.size(); ++i) y[i] = X[i] + float(sigma) * eps[i];
  const std::vector<double> v = InverseDctView(y, n, t->log2);
  for (uint64_t i = 0; i < n; ++i) out[i] = v[i];
  return DC_OK;
}

void dc_slossy_trace_free(dc_slossy_trace* t) { delete t; }

}  // extern "C"
