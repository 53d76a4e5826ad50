// The lossless signal codec with random models: exact round trips over shapes, bit depths and
// thread counts, coded size against the model's bits, and damaged payloads.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "codecs/signal_lossless/gap_coder.h"
#include "codecs/signal_lossless/signal_layout.h"
#include "codecs/signal_lossless/signal_lossless.h"
#include "codecs/signal_lossless/test_util.h"
#include "common/sha256.h"

namespace dc::sig {
namespace {

SigNet Net(uint32_t seed = 1, int features = 8, int mixtures = 2) {
  auto n = SigNet::FromWeights(testing::RandomWeights(seed, features, 1, 1, mixtures));
  EXPECT_TRUE(n.ok()) << n.status().message();
  return std::move(n).value();
}

// A signal of a kind: 0 sine + noise, 1 full-range noise, 2 constant at the minimum, 3 steps.
std::vector<int32_t> MakeSignal(uint64_t frames, uint32_t channels, int bd, int kind, uint32_t seed) {
  std::mt19937 rng(seed);
  const int64_t lo = -(int64_t{1} << (bd - 1)), hi = (int64_t{1} << (bd - 1)) - 1;
  std::vector<int32_t> v(frames * channels);
  for (uint64_t f = 0; f < frames; ++f)
    for (uint32_t c = 0; c < channels; ++c) {
      int64_t x;
      switch (kind) {
        case 0: x = static_cast<int64_t>(std::llround(0.4 * hi * std::sin(0.01 * f * (c + 1)))) + static_cast<int64_t>(rng() % 7) - 3; break;
        case 1: x = lo + static_cast<int64_t>((static_cast<uint64_t>(rng()) << 32 | rng()) % static_cast<uint64_t>(hi - lo + 1)); break;
        case 2: x = lo; break;
        default: x = ((f / 37) % 2) ? hi : lo / 2; break;
      }
      v[f * channels + c] = static_cast<int32_t>(std::min(hi, std::max(lo, x)));
    }
  return v;
}

std::vector<uint8_t> Encode(const SigNet& net, const std::vector<int32_t>& s, uint64_t frames, uint32_t ch, int bd,
                            int threads = 1, EncodeStats* st = nullptr) {
  CodecOptions o;
  o.threads = threads;
  std::vector<uint8_t> payload;
  const Status e = EncodeSignal(net, {s.data(), frames, ch, bd}, o, &payload, st);
  EXPECT_TRUE(e.ok()) << e.message();
  return payload;
}

TEST(SignalLayout, LevelsCoverEveryFrameOnce) {
  for (uint32_t n : {1u, 2u, 3u, 5u, 8u, 100u, 4097u, 8191u, 8192u}) {
    std::vector<int> seen(n, 0);
    seen[0] = 1;  // the base
    for (int l = TopLevel(n); l >= 0; --l) {
      const LevelGeom g = Geometry(n, l);
      for (uint32_t j = 0; j < g.gaps; ++j) {
        const uint64_t f = (2 * j + 1) * uint64_t{g.stride};
        ASSERT_LT(f, n);
        ++seen[f];
        // Every coarse sample of this level was revealed before (base or a coarser level).
        for (uint32_t c = 0; c < g.coarse; ++c) ASSERT_EQ(seen[c * 2 * uint64_t{g.stride}], 1);
      }
    }
    for (uint32_t f = 0; f < n; ++f) EXPECT_EQ(seen[f], 1) << "frame " << f << " of " << n;
  }
}

TEST(SignalLossless, RoundTripsShapesAndBitDepths) {
  const SigNet net = Net();
  struct Case { uint64_t frames; uint32_t ch; int bd; int kind; };
  const Case cases[] = {{1, 1, 16, 0},    {2, 1, 16, 1},     {3, 2, 8, 1},      {100, 1, 2, 1},   {100, 3, 12, 0},
                        {8192, 1, 16, 0}, {8193, 2, 16, 1},  {20000, 2, 24, 0}, {5000, 1, 32, 1}, {4000, 2, 32, 3},
                        {3000, 1, 16, 2}, {9000, 1, 12, 3}};
  for (const Case& c : cases) {
    const auto s = MakeSignal(c.frames, c.ch, c.bd, c.kind, static_cast<uint32_t>(c.frames));
    const auto payload = Encode(net, s, c.frames, c.ch, c.bd);
    std::vector<int32_t> back(s.size(), 12345);
    const Status d = DecodeSignal(net, payload.data(), payload.size(), c.frames, c.ch, c.bd, {}, back.data());
    ASSERT_TRUE(d.ok()) << d.message() << " frames " << c.frames << " bd " << c.bd;
    EXPECT_EQ(back, s) << "frames " << c.frames << " channels " << c.ch << " bd " << c.bd << " kind " << c.kind;
  }
}

TEST(SignalLossless, OutputIndependentOfThreadCount) {
  const SigNet net = Net(3);
  const uint64_t frames = 5 * kBlockFrames + 77;
  const auto s = MakeSignal(frames, 2, 16, 0, 9);
  const auto p1 = Encode(net, s, frames, 2, 16, 1);
  const auto p2 = Encode(net, s, frames, 2, 16, 2);
  const auto p3 = Encode(net, s, frames, 2, 16, 3);
  EXPECT_EQ(p1, p2);
  EXPECT_EQ(p1, p3);
  for (int t : {1, 2, 4}) {
    CodecOptions o;
    o.threads = t;
    std::vector<int32_t> back(s.size());
    ASSERT_TRUE(DecodeSignal(net, p2.data(), p2.size(), frames, 2, 16, o, back.data()).ok());
    EXPECT_EQ(back, s) << t << " threads";
  }
}

TEST(SignalLossless, CodedSizeMatchesModelBits) {
  const SigNet net = Net(5, 8, 3);
  const uint64_t frames = 30000;
  const auto s = MakeSignal(frames, 1, 16, 0, 4);
  EncodeStats st;
  const auto payload = Encode(net, s, frames, 1, 16, 2, &st);
  const double coded = 8.0 * payload.size();
  // rANS adds a 4-byte flush per block and a few bits; the block table a few bytes.
  EXPECT_LT(coded, st.model_bits * 1.01 + 8 * 8 * 4);
  EXPECT_GT(coded, st.model_bits * 0.999);
  EXPECT_GT(st.model_nll_bits, 0.0);
  double levels = 0;
  for (double v : st.level_nll_bits) levels += v;
  EXPECT_NEAR(levels, st.model_nll_bits, 1e-6 * st.model_nll_bits);
}

TEST(SignalLossless, DamagedPayloadsNeverDecodeSilently) {
  const SigNet net = Net(7);
  const uint64_t frames = 3000;
  const auto s = MakeSignal(frames, 2, 16, 0, 2);
  const auto payload = Encode(net, s, frames, 2, 16);
  std::vector<int32_t> back(s.size());
  for (size_t cut = 0; cut < payload.size(); ++cut)
    EXPECT_FALSE(DecodeSignal(net, payload.data(), cut, frames, 2, 16, {}, back.data()).ok()) << "cut " << cut;
  auto longer = payload;
  longer.push_back(0);
  EXPECT_FALSE(DecodeSignal(net, longer.data(), longer.size(), frames, 2, 16, {}, back.data()).ok());
  // A flipped byte either fails or (rarely) decodes to other samples: never the original ones
  // claimed silently as something else; the container's CRC catches the rest.
  std::mt19937 rng(1);
  int failed = 0;
  for (int i = 0; i < 200; ++i) {
    auto bad = payload;
    bad[1 + rng() % (bad.size() - 1)] ^= static_cast<uint8_t>(1 + rng() % 255);
    if (!DecodeSignal(net, bad.data(), bad.size(), frames, 2, 16, {}, back.data()).ok()) ++failed;
  }
  EXPECT_GT(failed, 150);
  // The wrong model desynchronises the stream: an error.
  const SigNet other = Net(8);
  EXPECT_FALSE(DecodeSignal(other, payload.data(), payload.size(), frames, 2, 16, {}, back.data()).ok());
}

TEST(SignalLossless, RejectsSamplesOutsideTheBitDepth) {
  const SigNet net = Net();
  std::vector<int32_t> s = {0, 1, 2, 128};
  std::vector<uint8_t> payload;
  EXPECT_EQ(EncodeSignal(net, {s.data(), 4, 1, 8}, {}, &payload, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(EncodeSignal(net, {s.data(), 4, 1, 33}, {}, &payload, nullptr).code(), DC_ERR_UNSUPPORTED_FORMAT);
  EXPECT_EQ(EncodeSignal(net, {s.data(), 4, 1, 9}, {}, &payload, nullptr).code(), DC_OK);
}

TEST(GapCoder, ExtremeResidualsAndNonFiniteOutputsRoundTrip) {
  const float nan = std::nanf("");
  const float inf = INFINITY;
  const float outs[][6] = {{0, 0, 0, 0, 0, 0},          {1, -1, 3e4f, -3e4f, 8, -6},   {nan, 0, nan, 1, nan, 2},
                           {inf, -inf, inf, -inf, inf, -inf}, {0, 5, 0.2f, 0.1f, -6, -6}};
  for (const auto& o : outs)
    for (int k : {0, 3, 16, 31}) {
      GapDist gd;
      MakeGapDist(o, 1, 2, k, &gd);
      for (int64_t r : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1} << 31, -(int64_t{1} << 32), (int64_t{1} << 32) - 1,
                        int64_t{123456789}}) {
        rans::Encoder enc;
        EncodeResidual(&enc, gd, r);
        std::vector<uint8_t> bytes;
        ASSERT_TRUE(enc.Finish(&bytes).ok());
        rans::Decoder dec;
        ASSERT_TRUE(dec.Init(bytes.data(), bytes.size()).ok());
        int64_t back = 0;
        ASSERT_TRUE(DecodeResidual(&dec, gd, &back).ok());
        EXPECT_EQ(back, r) << "k " << k;
        EXPECT_TRUE(dec.Finish().ok());
      }
    }
}

// The format is the bits: a change of the layout, the predictor, the network or the coder that
// alters the payload shows here (update the hash only with a format version change).
TEST(SignalLossless, GoldenBitstream) {
  const SigNet net = Net(42, 8, 3);
  const uint64_t frames = kBlockFrames + 1000;
  // Integer-only input (no libm): a triangle wave plus noise from mt19937's raw output.
  std::mt19937 rng(77);
  std::vector<int32_t> s(frames * 2);
  for (uint64_t f = 0; f < frames; ++f)
    for (int c = 0; c < 2; ++c) {
      const int64_t phase = static_cast<int64_t>((f * (3 + c)) % 400);
      const int64_t tri = (phase < 200 ? phase : 400 - phase) * 150 - 15000;
      s[f * 2 + c] = static_cast<int32_t>(tri + static_cast<int64_t>(rng() % 64) - 32);
    }
  const auto p = Encode(net, s, frames, 2, 16, 2);
  const auto d = Sha256Of(p.data(), p.size());
  EXPECT_EQ(ToHex(d.data(), 8), "4ad9455a69724f44") << "payload size " << p.size();
}

}  // namespace
}  // namespace dc::sig
