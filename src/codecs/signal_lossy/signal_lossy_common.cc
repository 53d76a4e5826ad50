#include <algorithm>
#include <cmath>
#include <string>

#include "codecs/signal_lossy/signal_lossy_internal.h"
#include "common/bytes.h"
#include "entropy/rans.h"
#include "rcc/rcc.h"

namespace dc::slossy {
namespace {


// cos(2 pi m / period) for integers, period a multiple of 8: reduced to |x| <= pi/4 by integer
// symmetry, then a fixed Taylor polynomial in double (|term| < 1e-17 past x^18).
double CosTurn(uint64_t m, uint64_t period) {
  m %= period;
  const uint64_t quarter = period / 4;
  const uint64_t qq = (m + quarter / 2) / quarter;  // nearest quarter turn, 0..4
  const int64_t dd = static_cast<int64_t>(m) - static_cast<int64_t>(qq * quarter);  // |dd| <= period / 8
  const uint64_t q = qq % 4;
  const double x = 6.283185307179586 * static_cast<double>(dd) / static_cast<double>(period);
  const double x2 = x * x;
  double c = 1.0, s = x, tc = 1.0, ts = x;
  for (int i = 1; i <= 9; ++i) {
    tc = -tc * x2 / static_cast<double>((2 * i - 1) * (2 * i));
    ts = -ts * x2 / static_cast<double>((2 * i) * (2 * i + 1));
    c += tc;
    s += ts;
  }
  switch (q) {
    case 0: return c;
    case 1: return -s;
    case 2: return -c;
    default: return s;
  }
}

// 2^(i / 16) for i = 0..15 (decimal literals, correctly rounded by the compiler).
constexpr float kExp2Sixteenth[16] = {
    1.0f,          1.04427378f, 1.09050773f, 1.13878863f, 1.18920712f, 1.24185781f,
    1.29683955f,   1.35425555f, 1.41421356f, 1.47682615f, 1.54221083f, 1.61049033f,
    1.68179283f,   1.75625216f, 1.83400809f, 1.91520656f};

// 2^(m / 16) for an integer m in [-2000, 2000].
float Exp2Sixteenths(int m) {
  const int whole = m >= 0 ? m / 16 : -((-m + 15) / 16);
  const int frac = m - whole * 16;
  return std::ldexp(kExp2Sixteenth[frac], whole);  // exact scaling by a power of two
}

void PutExpGolomb(rans::Encoder* e, uint32_t u) {
  int m = 0;
  while ((u + 1) >> (m + 1)) ++m;
  for (int i = 0; i < m; ++i) e->PutBits(0, 1);
  e->PutBits(1, 1);
  if (m) e->PutBits(u + 1 - (1u << m), m);
}

Status GetExpGolomb(rans::Decoder* d, uint32_t* u) {
  int m = 0;
  for (;;) {
    uint32_t b;
    RETURN_IF_ERROR(d->GetBits(1, &b));
    if (b) break;
    if (++m > 8) return Error(DC_ERR_CORRUPT, "signal-lossy: envelope code too long");
  }
  uint32_t low = 0;
  if (m) RETURN_IF_ERROR(d->GetBits(m, &low));
  *u = (1u << m) - 1 + low;
  return Status::Ok();
}

}  // namespace

std::vector<float> DctMatrix(int log2) {
  const uint32_t n = 1u << log2;
  std::vector<float> m(static_cast<size_t>(n) * n);
  const double a0 = std::sqrt(1.0 / n), ak = std::sqrt(2.0 / n);  // sqrt is correctly rounded
  for (uint32_t k = 0; k < n; ++k)
    for (uint32_t i = 0; i < n; ++i)
      m[static_cast<size_t>(k) * n + i] =
          static_cast<float>((k == 0 ? a0 : ak) * CosTurn(uint64_t{2 * i + 1} * k, uint64_t{4} * n));
  return m;
}

std::vector<uint32_t> BandEdges(uint32_t n) {
  // 0, 1, 2, 3, 4, 6, 8, 12, 16, 24, ... : two bands per octave above 4.
  std::vector<uint32_t> e = {0};
  for (uint32_t v = 1; v < n;) {
    e.push_back(v);
    if (v < 4) v += 1;
    else if ((v & (v - 1)) == 0) v += v / 2;  // power of two -> 1.5 x
    else v = v / 3 * 4;                       // 1.5 x a power of two -> next power
  }
  e.push_back(n);
  return e;
}

uint32_t FrameBlocks(int block_log2, int frame_log2) { return frame_log2 <= block_log2 ? 1 : 1u << (frame_log2 - block_log2); }

float EnvVariance(int q) { return Exp2Sixteenths(8 * q); }  // 2^(q / 2)
float SigmaSquared(int e) { return Exp2Sixteenths(2 * e); }  // 2^(e / 8)

std::vector<float> ForwardDct(const int32_t* samples, uint64_t frames, uint32_t channels, uint32_t ch, int log2) {
  const uint32_t n = 1u << log2;
  const uint64_t blocks = BlocksFor(frames, log2);
  const std::vector<float> m = DctMatrix(log2);
  std::vector<float> out(blocks * n);
  std::vector<double> x(n);
  for (uint64_t b = 0; b < blocks; ++b) {
    for (uint32_t i = 0; i < n; ++i) {
      const uint64_t t = b * n + i;
      x[i] = t < frames ? samples[t * channels + ch] : 0.0;
    }
    for (uint32_t k = 0; k < n; ++k) {
      double acc = 0;
      const float* row = &m[static_cast<size_t>(k) * n];
      for (uint32_t i = 0; i < n; ++i) acc += row[i] * x[i];
      out[b * n + k] = static_cast<float>(acc);
    }
  }
  return out;
}

std::vector<uint8_t> Envelope(const std::vector<float>& coefs, uint32_t blocks, int log2, int frame_log2) {
  const uint32_t n = 1u << log2, fb = FrameBlocks(log2, frame_log2);
  const auto edges = BandEdges(n);
  const uint32_t bands = static_cast<uint32_t>(edges.size() - 1);
  const uint32_t frames = (blocks + fb - 1) / fb;
  std::vector<uint8_t> env(static_cast<size_t>(frames) * bands);
  for (uint32_t f = 0; f < frames; ++f)
    for (uint32_t band = 0; band < bands; ++band) {
      double e = 0;
      uint64_t cnt = 0;
      for (uint32_t b = f * fb; b < std::min(blocks, (f + 1) * fb); ++b)
        for (uint32_t k = edges[band]; k < edges[band + 1]; ++k, ++cnt) e += double(coefs[size_t(b) * n + k]) * coefs[size_t(b) * n + k];
      const double ms = cnt ? e / cnt : 0;
      // q = round(4 log2 rms) = round(2 log2 ms), at least 0 (rms 1 LSB).
      const double q = ms > 1.0 ? std::floor(2.0 * std::log2(ms) + 0.5) : 0.0;
      env[size_t(f) * bands + band] = static_cast<uint8_t>(std::min<double>(kEnvMax, q));
    }
  return env;
}

std::vector<float> PriorVariances(const std::vector<uint8_t>& env, uint32_t blocks, int log2, int frame_log2) {
  const uint32_t n = 1u << log2, fb = FrameBlocks(log2, frame_log2);
  const auto edges = BandEdges(n);
  const uint32_t bands = static_cast<uint32_t>(edges.size() - 1);
  std::vector<float> s2(static_cast<size_t>(blocks) * n);
  for (uint32_t b = 0; b < blocks; ++b)
    for (uint32_t band = 0; band < bands; ++band) {
      const float v = EnvVariance(env[size_t(b / fb) * bands + band]);
      for (uint32_t k = edges[band]; k < edges[band + 1]; ++k) s2[size_t(b) * n + k] = v;
    }
  return s2;
}

std::vector<uint8_t> WriteHeader(const Header& h) {
  std::vector<uint8_t> out;
  ByteWriter w(&out);
  w.U8(kHeaderVersion);
  w.U8(static_cast<uint8_t>(h.block_log2));
  w.U8(static_cast<uint8_t>(h.chunk_bits));
  w.U8(static_cast<uint8_t>(h.step_q));
  w.U8(static_cast<uint8_t>(h.frame_log2));
  w.Varint(h.seed);
  w.Varint(static_cast<uint64_t>(h.e0));
  // Envelope: per channel, the first frame's codes in 7 raw bits, then each code's difference
  // from the same band one frame earlier, zigzag + Exp-Golomb order 0; one rANS stream.
  rans::Encoder e;
  for (const auto& env : h.env) {
    const size_t bands = BandEdges(1u << h.block_log2).size() - 1;
    for (size_t i = 0; i < env.size(); ++i) {
      if (i < bands) {
        e.PutBits(env[i], 7);
      } else {
        const int d = int(env[i]) - int(env[i - bands]);
        PutExpGolomb(&e, d >= 0 ? uint32_t(2 * d) : uint32_t(-2 * d - 1));
      }
    }
  }
  std::vector<uint8_t> stream;
  if (!e.Finish(&stream).ok()) stream.clear();  // cannot fail: every interval is valid
  w.Varint(stream.size());
  w.Bytes(stream.data(), stream.size());
  return out;
}

StatusOr<Header> ParseHeader(const uint8_t* data, size_t size, uint64_t frames, uint32_t channels) {
  ByteReader r(data, size);
  Header h;
  uint8_t v, bl, cb, sq, fl;
  RETURN_IF_ERROR(r.U8(&v));
  if (v != kHeaderVersion) return Error(DC_ERR_UNSUPPORTED_VERSION, "signal-lossy header version " + std::to_string(v));
  RETURN_IF_ERROR(r.U8(&bl));
  RETURN_IF_ERROR(r.U8(&cb));
  RETURN_IF_ERROR(r.U8(&sq));
  RETURN_IF_ERROR(r.U8(&fl));
  if (bl < kMinBlockLog2 || bl > kMaxBlockLog2) return Error(DC_ERR_CORRUPT, "signal-lossy: block size out of range");
  if (cb < rcc::kMinChunkBits || cb > rcc::kMaxChunkBits) return Error(DC_ERR_CORRUPT, "signal-lossy: chunk_bits out of range");
  if (sq < 1 || sq > 16) return Error(DC_ERR_CORRUPT, "signal-lossy: step size out of range");
  if (fl < bl || fl > kMaxFrameLog2) return Error(DC_ERR_CORRUPT, "signal-lossy: envelope frame size out of range");
  h.frame_log2 = fl;
  h.block_log2 = bl;
  h.chunk_bits = cb;
  h.step_q = sq;
  uint64_t e0, len;
  RETURN_IF_ERROR(r.Varint(&h.seed));
  RETURN_IF_ERROR(r.Varint(&e0));
  if (e0 > 8 * 70) return Error(DC_ERR_CORRUPT, "signal-lossy: start noise level out of range");
  h.e0 = static_cast<int>(e0);
  RETURN_IF_ERROR(r.Varint(&len));
  const uint8_t* stream;
  RETURN_IF_ERROR(r.Bytes(static_cast<size_t>(std::min<uint64_t>(len, SIZE_MAX)), &stream));
  if (r.remaining() != 0) return Error(DC_ERR_CORRUPT, "signal-lossy: bytes after the codec header");
  const uint64_t blocks = BlocksFor(frames, bl);
  const uint64_t env_frames = (blocks + FrameBlocks(bl, fl) - 1) / FrameBlocks(bl, fl);
  const size_t bands = BandEdges(1u << bl).size() - 1;
  // Every code costs at least one bit: refuse a count the stream cannot hold before allocating.
  if (env_frames * bands * channels > 8 * len + 8) return Error(DC_ERR_TRUNCATED, "signal-lossy: envelope shorter than the signal needs");
  rans::Decoder d;
  RETURN_IF_ERROR(d.Init(stream, len));
  h.env.resize(channels);
  for (auto& env : h.env) {
    env.resize(env_frames * bands);
    for (size_t i = 0; i < env.size(); ++i) {
      uint32_t u;
      if (i < bands) {
        RETURN_IF_ERROR(d.GetBits(7, &u));
      } else {
        uint32_t z;
        RETURN_IF_ERROR(GetExpGolomb(&d, &z));
        const int dlt = (z & 1) ? -int((z + 1) / 2) : int(z / 2);
        const int q = int(env[i - bands]) + dlt;
        if (q < 0 || q > kEnvMax) return Error(DC_ERR_CORRUPT, "signal-lossy: envelope code out of range");
        u = static_cast<uint32_t>(q);
      }
      env[i] = static_cast<uint8_t>(u);
    }
  }
  RETURN_IF_ERROR(d.Finish());
  return h;
}

int MaxStepsFor(const Header& h) { return std::min(kMaxSteps, (h.e0 - kMinScheduleE) / h.step_q); }

float ChainSigma2(const Header& h, int step) { return SigmaSquared(h.e0 - step * h.step_q); }

Chain StartChain(const Header& h, uint64_t blocks) {
  Chain c;
  c.h = &h;
  const uint32_t n = 1u << h.block_log2;
  for (const auto& env : h.env) {
    const auto s2 = PriorVariances(env, static_cast<uint32_t>(blocks), h.block_log2, h.frame_log2);
    c.s2.insert(c.s2.end(), s2.begin(), s2.end());
  }
  (void)n;
  c.y.resize(c.s2.size());
  rcc::StdNormals(h.seed, 0, kFreeChunk, 0, c.y.size(), c.y.data());
  const float s0 = std::sqrt(ChainSigma2(h, 0));
  for (float& v : c.y) v = s0 * v;
  return c;
}

void WienerEstimate(const Chain& c, float* out) {
  const float sig2 = ChainSigma2(*c.h, c.step);
  for (size_t i = 0; i < c.y.size(); ++i) out[i] = c.s2[i] / (c.s2[i] + sig2) * c.y[i];
}

StepPrior PrepareStep(const Chain& c) {
  StepPrior p;
  const float prev = ChainSigma2(*c.h, c.step), next = ChainSigma2(*c.h, c.step + 1);
  p.r = SigmaSquared(-c.h->step_q);  // next / prev, exactly the schedule's ratio
  p.std = std::sqrt(next * (1.0f - p.r));
  p.mu_p.resize(c.y.size());
  WienerEstimate(c, p.mu_p.data());
  const float one_minus_r = 1.0f - p.r;
  for (size_t i = 0; i < c.y.size(); ++i) {
    p.mu_p[i] = p.r * c.y[i] + one_minus_r * p.mu_p[i];
    if (c.s2[i] * kActiveRatio >= next) p.active.push_back(static_cast<uint32_t>(i));
  }
  (void)prev;
  return p;
}

void FinishStep(Chain* c, const StepPrior& p, const float* x_active) {
  const uint32_t step = static_cast<uint32_t>(c->step + 1);
  const size_t n = c->y.size(), na = p.active.size();
  std::vector<float> z(n - na);
  rcc::StdNormals(c->h->seed, step, kFreeChunk, 0, z.size(), z.data());
  size_t a = 0, f = 0;
  for (size_t i = 0; i < n; ++i) {
    if (a < na && p.active[a] == i) {
      c->y[i] = x_active[a++];
    } else {
      c->y[i] = p.mu_p[i] + p.std * z[f++];
    }
  }
  c->step = static_cast<int>(step);
}

Status Denoise(const Chain& c, const Refiner& refiner, float* out) {
  WienerEstimate(c, out);
  if (!refiner) return Status::Ok();
  const uint32_t n = 1u << c.h->block_log2;
  const size_t per = c.y.size() / c.h->env.size();
  const uint32_t blocks = static_cast<uint32_t>(per / n);
  const float sig2 = ChainSigma2(*c.h, c.step);
  std::vector<float> refined(per);
  for (size_t ch = 0; ch < c.h->env.size(); ++ch) {
    RETURN_IF_ERROR(refiner(out + ch * per, c.y.data() + ch * per, c.s2.data() + ch * per, sig2, blocks, n, refined.data()));
    std::copy(refined.begin(), refined.end(), out + ch * per);
  }
  return Status::Ok();
}

void InverseDct(const std::vector<float>& est, uint64_t blocks, uint64_t frames, uint32_t channels, int log2,
                int bit_depth, int32_t* out) {
  const uint32_t n = 1u << log2;
  const std::vector<float> m = DctMatrix(log2);
  std::vector<float> acc(n);
  const double lo = -std::ldexp(1.0, bit_depth - 1), hi = std::ldexp(1.0, bit_depth - 1) - 1;
  for (uint32_t ch = 0; ch < channels; ++ch)
    for (uint64_t b = 0; b < blocks; ++b) {
      const float* coef = &est[(ch * blocks + b) * n];
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (uint32_t k = 0; k < n; ++k) {
        const float ck = coef[k];
        const float* row = &m[static_cast<size_t>(k) * n];
        for (uint32_t i = 0; i < n; ++i) acc[i] += row[i] * ck;
      }
      for (uint32_t i = 0; i < n; ++i) {
        const uint64_t t = b * n + i;
        if (t >= frames) break;
        const double a = std::isfinite(acc[i]) ? static_cast<double>(acc[i]) : 0.0;
        const double v = std::min(hi, std::max(lo, std::nearbyint(a)));
        out[t * channels + ch] = static_cast<int32_t>(v);
      }
    }
}

}  // namespace dc::slossy
