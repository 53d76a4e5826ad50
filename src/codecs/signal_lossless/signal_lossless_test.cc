// The lossless signal codec with random models: exact round trips over shapes, bit depths and
// thread counts, coded size against the model's bits, and damaged payloads.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "codecs/signal_lossless/cascade.h"
#include "codecs/signal_lossless/gap_coder.h"
#include "codecs/signal_lossless/lpc.h"
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
                            int threads = 1, EncodeStats* st = nullptr, bool lpc = true, int revision = kLatestRevision,
                            int profile = -1, int block_coder = 1) {
  CodecOptions o;
  o.block_coder = block_coder;
  o.threads = threads;
  o.linear_prediction = lpc;
  o.revision = revision;
  o.cascade_profile = profile;
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

// Both revisions (revision 2 with every cascade profile and the encoder's choice).
TEST(SignalLossless, RoundTripsShapesAndBitDepths) {
  const SigNet net = Net();
  struct Case { uint64_t frames; uint32_t ch; int bd; int kind; };
  const Case cases[] = {{1, 1, 16, 0},    {2, 1, 16, 1},     {3, 2, 8, 1},      {100, 1, 2, 1},   {100, 3, 12, 0},
                        {8192, 1, 16, 0}, {8193, 2, 16, 1},  {20000, 2, 24, 0}, {5000, 1, 32, 1}, {4000, 2, 32, 3},
                        {3000, 1, 16, 2}, {9000, 1, 12, 3},  {3000, 6, 16, 0},  {2500, 5, 24, 3}, {2000, 2, 8, 0}};
  for (const Case& c : cases)
    for (int rev : {kRevision1, kRevision2})
      for (int profile = -1; profile < (rev == kRevision2 ? kNumCascadeProfiles : 0); ++profile) {
        const auto s = MakeSignal(c.frames, c.ch, c.bd, c.kind, static_cast<uint32_t>(c.frames));
        // Revision 2: the adaptive block coder, or (profiles -1 and 1) the network / the choice.
        const int coder = profile == -1 ? -1 : (profile == 1 ? 0 : 1);
        const auto payload = Encode(net, s, c.frames, c.ch, c.bd, 1, nullptr, true, rev, profile, coder);
        std::vector<int32_t> back(s.size(), 12345);
        CodecOptions o;
        o.revision = rev;
        const Status d = DecodeSignal(net, payload.data(), payload.size(), c.frames, c.ch, c.bd, o, back.data());
        ASSERT_TRUE(d.ok()) << d.message() << " frames " << c.frames << " bd " << c.bd << " rev " << rev;
        EXPECT_EQ(back, s) << "frames " << c.frames << " channels " << c.ch << " bd " << c.bd << " kind " << c.kind
                           << " revision " << rev << " profile " << profile;
      }
}

// The cascade alone: exact inverse on every profile, bit depth and kind (also full-range noise,
// where predictions hit the clamps and residuals wrap), and it shrinks a tonal signal.
TEST(Cascade, ResidualRestoresExactlyAndPredicts) {
  for (int bd : {2, 8, 12, 16, 24, 32})
    for (int kind : {0, 1, 3})
      for (uint32_t ch : {1u, 2u, 3u})
        for (int p = 0; p < kNumCascadeProfiles; ++p) {
          const uint64_t frames = 3000;
          const auto s = MakeSignal(frames, ch, bd, kind, 11u + static_cast<uint32_t>(bd));
          std::vector<int32_t> r(s.size());
          Cascade::Residual(kCascadeProfiles[p], s.data(), frames, ch, bd, r.data());
          const int64_t lo = -(int64_t{1} << (bd - 1)), hi = (int64_t{1} << (bd - 1)) - 1;
          for (int32_t v : r) ASSERT_TRUE(v >= lo && v <= hi);
          Cascade::Restore(kCascadeProfiles[p], r.data(), frames, ch, bd);
          ASSERT_EQ(r, s) << "bd " << bd << " kind " << kind << " channels " << ch << " profile " << p;
        }
  const auto s = MakeSignal(20000, 2, 16, 0, 5);
  std::vector<int32_t> r(s.size());
  Cascade::Residual(kCascadeProfiles[1], s.data(), 20000, 2, 16, r.data());
  int64_t big = 0;
  for (size_t i = 2 * 5000; i < r.size(); ++i) big = std::max<int64_t>(big, std::abs(r[i]));
  EXPECT_LT(big, 64);  // a sine of amplitude 13107 plus noise of +-3, once the filters have learnt
  EXPECT_NE(ChooseCascadeProfile(s.data(), 20000, 2, 16), 0);
  // Mid/side: exact both ways at every depth up to 31 bits, and a damaged pair is refused.
  for (int bd : {2, 16, 31}) {
    auto v = MakeSignal(5000, 2, bd, 1, 3);
    const auto orig = v;
    ToMidSide(v.data(), 5000);
    ASSERT_TRUE(FromMidSide(v.data(), 5000, bd));
    EXPECT_EQ(v, orig);
  }
  std::vector<int32_t> bad = {32767, -32768};
  EXPECT_FALSE(FromMidSide(bad.data(), 1, 16));
  EXPECT_FALSE(ValidCascadeCode(kCascadeMidSideBit | 1, 3, 16));
  EXPECT_FALSE(ValidCascadeCode(kCascadeMidSideBit | 1, 2, 32));
  EXPECT_FALSE(ValidCascadeCode(kCascadeStereoBit, 2, 16));
  EXPECT_TRUE(ValidCascadeCode(kCascadeStereoBit | kCascadeMidSideBit | 2, 2, 16));
}

// Revision 2 with every cascade byte that a stereo file may carry (mid/side, stereo stage) and
// the network or adaptive block coder: exact round trips at 8, 16, 24 and 31 bits.
TEST(SignalLossless, Revision2StereoCodesRoundTrip) {
  const SigNet net = Net(4);
  for (int bd : {8, 16, 24, 31})
    for (int code : {1, 2 | kCascadeMidSideBit, 3 | kCascadeStereoBit, 4 | kCascadeMidSideBit | kCascadeStereoBit, 5})
      for (int coder : {0, 1}) {
        const auto s = MakeSignal(9000, 2, bd, bd == 31 ? 1 : 0, 5u + static_cast<uint32_t>(code));
        const auto p = Encode(net, s, 9000, 2, bd, 2, nullptr, true, kRevision2, code, coder);
        std::vector<int32_t> back(s.size());
        const Status d = DecodeSignal(net, p.data(), p.size(), 9000, 2, bd, {}, back.data());
        ASSERT_TRUE(d.ok()) << d.message();
        EXPECT_EQ(back, s) << "bd " << bd << " code " << code << " coder " << coder;
      }
  // Mid/side on 32 bits or on other than 2 channels is refused at both ends.
  const auto s = MakeSignal(100, 3, 16, 0, 1);
  std::vector<uint8_t> p;
  CodecOptions o;
  o.cascade_profile = 1 | kCascadeMidSideBit;
  EXPECT_EQ(EncodeSignal(net, {s.data(), 100, 3, 16}, o, &p, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
  auto ok = Encode(net, s, 100, 3, 16, 1, nullptr, true, kRevision2, 1);
  ok[1] = 1 | kCascadeMidSideBit;
  std::vector<int32_t> back(s.size());
  EXPECT_EQ(DecodeSignal(net, ok.data(), ok.size(), 100, 3, 16, {}, back.data()).code(), DC_ERR_CORRUPT);
}

TEST(SignalLossless, OutputIndependentOfThreadCount) {
  const SigNet net = Net(3);
  const uint64_t frames = 5 * kBlockFrames + 77;
  const auto s = MakeSignal(frames, 2, 16, 0, 9);
  for (int rev : {kRevision1, kRevision2}) {
    const auto p1 = Encode(net, s, frames, 2, 16, 1, nullptr, true, rev);
    const auto p2 = Encode(net, s, frames, 2, 16, 2, nullptr, true, rev);
    const auto p3 = Encode(net, s, frames, 2, 16, 3, nullptr, true, rev);
    EXPECT_EQ(p1, p2);
    EXPECT_EQ(p1, p3);
    for (int t : {1, 2, 4}) {
      CodecOptions o;
      o.threads = t;
      o.revision = rev;
      std::vector<int32_t> back(s.size());
      ASSERT_TRUE(DecodeSignal(net, p2.data(), p2.size(), frames, 2, 16, o, back.data()).ok());
      EXPECT_EQ(back, s) << t << " threads, revision " << rev;
    }
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
  for (int rev : {kRevision1, kRevision2}) {
  SCOPED_TRACE("revision " + std::to_string(rev));
  const SigNet net = Net(7);
  const uint64_t frames = 3000;
  const auto s = MakeSignal(frames, 2, 16, 0, 2);
  const auto payload = Encode(net, s, frames, 2, 16, 1, nullptr, true, rev);
  std::vector<int32_t> back(s.size());
  CodecOptions ro;
  ro.revision = rev;
  for (size_t cut = 0; cut < payload.size(); ++cut)
    EXPECT_FALSE(DecodeSignal(net, payload.data(), cut, frames, 2, 16, ro, back.data()).ok()) << "cut " << cut;
  auto longer = payload;
  longer.push_back(0);
  EXPECT_FALSE(DecodeSignal(net, longer.data(), longer.size(), frames, 2, 16, ro, back.data()).ok());
  // A flipped byte either fails or (rarely) decodes to other samples: never the original ones
  // claimed silently as something else; the container's CRC catches the rest.
  std::mt19937 rng(1);
  int failed = 0;
  for (int i = 0; i < 200; ++i) {
    auto bad = payload;
    bad[1 + rng() % (bad.size() - 1)] ^= static_cast<uint8_t>(1 + rng() % 255);
    if (!DecodeSignal(net, bad.data(), bad.size(), frames, 2, 16, ro, back.data()).ok()) ++failed;
  }
  EXPECT_GT(failed, 150);
  // The wrong model desynchronises the stream where the network codes: an error (revision 2's
  // adaptive blocks do not use the network).
  const SigNet other = Net(8);
  const auto net_coded = Encode(net, s, frames, 2, 16, 1, nullptr, true, rev, -1, 0);
  EXPECT_FALSE(DecodeSignal(other, net_coded.data(), net_coded.size(), frames, 2, 16, ro, back.data()).ok());
  }
  // Revision 2's header: an unknown cascade profile, another block size, an unknown revision.
  const SigNet net = Net(7);
  const auto s = MakeSignal(3000, 2, 16, 0, 2);
  auto p = Encode(net, s, 3000, 2, 16);
  std::vector<int32_t> back(s.size());
  auto bad = p;
  bad[1] = kNumCascadeProfiles;
  EXPECT_EQ(DecodeSignal(net, bad.data(), bad.size(), 3000, 2, 16, {}, back.data()).code(), DC_ERR_CORRUPT);
  bad[1] = kCascadeStereoBit;  // the stereo stage without a cascade
  EXPECT_EQ(DecodeSignal(net, bad.data(), bad.size(), 3000, 2, 16, {}, back.data()).code(), DC_ERR_CORRUPT);
  bad = p;
  bad[0] = 12;
  EXPECT_EQ(DecodeSignal(net, bad.data(), bad.size(), 3000, 2, 16, {}, back.data()).code(), DC_ERR_CORRUPT);
  CodecOptions o3;
  o3.revision = 3;
  EXPECT_EQ(DecodeSignal(net, p.data(), p.size(), 3000, 2, 16, o3, back.data()).code(), DC_ERR_UNSUPPORTED_FORMAT);
  std::vector<uint8_t> out;
  EXPECT_EQ(EncodeSignal(net, {s.data(), 3000, 2, 16}, o3, &out, nullptr).code(), DC_ERR_INVALID_ARGUMENT);
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
  // Without linear prediction: the layout of files made before it (they must still decode).
  // Revision 1 (pinned: these hashes never change).
  CodecOptions r1;
  r1.revision = kRevision1;
  const auto p = Encode(net, s, frames, 2, 16, 2, nullptr, false, kRevision1);
  const auto d = Sha256Of(p.data(), p.size());
  EXPECT_EQ(ToHex(d.data(), 8), "4ad9455a69724f44") << "payload size " << p.size();
  std::vector<int32_t> back(s.size());
  ASSERT_TRUE(DecodeSignal(net, p.data(), p.size(), frames, 2, 16, r1, back.data()).ok());
  EXPECT_EQ(back, s);
  // With it (revision 1's default): the block flags and predictors.
  const auto q = Encode(net, s, frames, 2, 16, 2, nullptr, true, kRevision1);
  const auto dq = Sha256Of(q.data(), q.size());
  EXPECT_EQ(ToHex(dq.data(), 8), "bb02938d3f3bb8e5") << "payload size " << q.size();
  ASSERT_TRUE(DecodeSignal(net, q.data(), q.size(), frames, 2, 16, r1, back.data()).ok());
  EXPECT_EQ(back, s);
  // Revision 2 (the cascade): pinned from its first release.
  const auto v2 = Encode(net, s, frames, 2, 16, 2, nullptr, true, kRevision2);
  const auto d2 = Sha256Of(v2.data(), v2.size());
  EXPECT_EQ(ToHex(d2.data(), 8), "4be93c439993e680") << "payload size " << v2.size();
  ASSERT_TRUE(DecodeSignal(net, v2.data(), v2.size(), frames, 2, 16, {}, back.data()).ok());
  EXPECT_EQ(back, s);
}

// A tonal signal (two sines, little noise): the residual of a per-block predictor wins, the file
// is smaller than without, and decodes exactly on any thread count; silent and full-range blocks
// fall back to the samples.
TEST(SignalLossless, LinearPredictionRoundTripsAndHelpsTonalSignals) {
  const SigNet net = Net(5, 8, 2);
  const uint64_t frames = 2 * kBlockFrames + 333;
  std::mt19937 rng(3);
  std::vector<int32_t> s(frames * 2);
  for (uint64_t f = 0; f < frames; ++f)
    for (int c = 0; c < 2; ++c)
      s[f * 2 + c] = static_cast<int32_t>(std::lround(9000 * std::sin(0.031 * f + c) + 5000 * std::sin(0.2 * f)) +
                                          static_cast<int>(rng() % 5) - 2);
  for (uint64_t f = kBlockFrames; f < 2 * kBlockFrames; ++f) s[f * 2] = s[f * 2 + 1] = 0;  // a silent block
  const auto with = Encode(net, s, frames, 2, 16, 2, nullptr, true, kRevision1);
  const auto without = Encode(net, s, frames, 2, 16, 2, nullptr, false, kRevision1);
  EXPECT_LT(with.size() * 10, without.size() * 9) << with.size() << " vs " << without.size();
  for (int threads : {1, 2}) {
    std::vector<int32_t> back(s.size());
    CodecOptions o;
    o.threads = threads;
    o.revision = kRevision1;
    ASSERT_TRUE(DecodeSignal(net, with.data(), with.size(), frames, 2, 16, o, back.data()).ok());
    EXPECT_EQ(back, s);
  }
  for (int kind : {1, 2}) {  // full-range noise, constant
    const auto v = MakeSignal(3000, 1, 12, kind, 9);
    const auto p = Encode(net, v, 3000, 1, 12, 1, nullptr, true, kRevision1);
    std::vector<int32_t> back(v.size());
    CodecOptions r1;
    r1.revision = kRevision1;
    ASSERT_TRUE(DecodeSignal(net, p.data(), p.size(), 3000, 1, 12, r1, back.data()).ok());
    EXPECT_EQ(back, v);
  }
}

TEST(Lpc, FitResidualRestoreAndBitsRoundTrip) {
  std::vector<int32_t> x(4000);
  for (size_t t = 0; t < x.size(); ++t) x[t] = static_cast<int32_t>(std::lround(20000 * std::sin(0.05 * t)));
  const Lpc l = FitLpc(x.data(), 4000, 1, kMaxLpcOrder);
  ASSERT_EQ(l.order, kMaxLpcOrder);
  std::vector<int32_t> e(x.size());
  ASSERT_TRUE(LpcResidual(l, x.data(), 4000, 1, 20, e.data()));
  int64_t big = 0;
  for (size_t t = kMaxLpcOrder; t < e.size(); ++t) big = std::max<int64_t>(big, std::abs(e[t]));
  EXPECT_LT(big, 8);  // a pure sine is predicted to the rounding
  ASSERT_TRUE(LpcRestore(l, e.data(), 4000, 1, -32768, 32767).ok());
  EXPECT_EQ(e, x);
  // A residual that needs more bits than allowed is refused; a rebuilt sample out of range too.
  EXPECT_FALSE(LpcResidual(Lpc{}, x.data(), 4000, 1, 12, e.data()));
  std::vector<int32_t> big_e(10, 30000);
  EXPECT_EQ(LpcRestore(Lpc{}, big_e.data(), 10, 1, -100, 100).code(), DC_ERR_CORRUPT);
  // Backward mode (refits from the samples before, nothing sent) on a sine that changes pitch:
  // small residual once a window is full, and an exact rebuild.
  Lpc bw;
  bw.backward = 1;
  const uint32_t win = kBackModes[1].window, hop = kBackModes[1].hop;
  for (size_t t = 0; t < x.size(); ++t)
    x[t] = static_cast<int32_t>(std::lround(20000 * std::sin((t < 2000 ? 0.05 : 0.11) * t)));
  ASSERT_TRUE(LpcResidual(bw, x.data(), 4000, 1, 20, e.data()));
  big = 0;
  for (size_t t = win + hop; t < 2000; ++t) big = std::max<int64_t>(big, std::abs(e[t]));
  for (size_t t = 2000 + win + hop; t < e.size(); ++t) big = std::max<int64_t>(big, std::abs(e[t]));
  EXPECT_LT(big, 64);  // beside the jump at 2000, once the window holds the new pitch
  ASSERT_TRUE(LpcRestore(bw, e.data(), 4000, 1, -32768, 32767).ok());
  EXPECT_EQ(e, x);
  Lpc bw2;  // the short mode
  bw2.backward = 2;
  ASSERT_TRUE(LpcResidual(bw2, x.data(), 4000, 1, 20, e.data()));
  ASSERT_TRUE(LpcRestore(bw2, e.data(), 4000, 1, -32768, 32767).ok());
  EXPECT_EQ(e, x);
  // The stream form.
  rans::Encoder enc;
  PutLpc(&enc, l);
  PutLpc(&enc, Lpc{});
  PutLpc(&enc, bw);
  PutLpc(&enc, bw2);
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(enc.Finish(&bytes).ok());
  rans::Decoder dec;
  ASSERT_TRUE(dec.Init(bytes.data(), bytes.size()).ok());
  Lpc a, b, c, d;
  ASSERT_TRUE(GetLpc(&dec, &a).ok());
  ASSERT_TRUE(GetLpc(&dec, &b).ok());
  ASSERT_TRUE(GetLpc(&dec, &c).ok());
  ASSERT_TRUE(GetLpc(&dec, &d).ok());
  EXPECT_TRUE(dec.Finish().ok());
  EXPECT_EQ(c.backward, 1);
  EXPECT_EQ(d.backward, 2);
  EXPECT_EQ(a.backward + b.backward, 0);
  EXPECT_EQ(a.order, l.order);
  EXPECT_EQ(a.shift, l.shift);
  for (int i = 0; i < l.order; ++i) EXPECT_EQ(a.coef[i], l.coef[i]);
  EXPECT_EQ(b.order, 0);
  // Orders 33 to 61 are corrupt (62 and 63 are the backward modes).
  rans::Encoder e2;
  e2.PutBits(40, 6);
  bytes.clear();
  ASSERT_TRUE(e2.Finish(&bytes).ok());
  ASSERT_TRUE(dec.Init(bytes.data(), bytes.size()).ok());
  EXPECT_EQ(GetLpc(&dec, &a).code(), DC_ERR_CORRUPT);
}

}  // namespace
}  // namespace dc::sig
