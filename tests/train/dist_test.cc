// Data-parallel training (issue 16), through the diffcomp-train program: --nproc 2 on loopback
// trains and exports a model that codes an image losslessly; 2 ranks follow 1 rank's loss curve;
// a peer that never arrives or a rank that dies ends the run with an error, and the checkpoint
// stays valid (and resumes with another world size); two ranks in two network namespaces joined
// by a veth pair (skipped where namespaces are not allowed). Every network stays on loopback or
// inside the namespaces the test makes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "diffcomp/diffcomp.h"

namespace {

namespace fs = std::filesystem;

struct Result {
  int rc = -1;
  std::string out;
};

Result Sh(const std::string& cmd) {
  Result r;
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) r.out.append(buf, n);
  const int st = pclose(f);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<double> Losses(const std::string& path) {
  std::vector<double> v;
  std::ifstream f(path);
  long long step;
  double loss;
  while (f >> step >> loss) v.push_back(loss);
  return v;
}

// Codes an image with the model and checks the round trip.
void ExpectRoundTrip(const std::string& model) {
  std::mt19937 rng(9);
  const uint32_t w = 41, h = 29;
  std::vector<uint8_t> px(w * h * 3);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>((i * 5 + rng() % 9) % 256);
  dc_content c{};
  c.kind = DC_KIND_IMAGE;
  c.format = DC_FORMAT_PNG;
  c.data = px.data();
  c.size = px.size();
  c.width = w;
  c.height = h;
  c.channels = 3;
  c.bit_depth = 8;
  dc_params p;
  dc_params_init(&p);
  p.model_path = model.c_str();
  dc_buffer buf{};
  ASSERT_EQ(dc_compress(&c, &p, &buf, nullptr), DC_OK) << dc_last_error_message();
  dc_decoded d{};
  ASSERT_EQ(dc_decompress(buf.data, buf.size, &p, &d), DC_OK) << dc_last_error_message();
  EXPECT_EQ(std::vector<uint8_t>(d.content.data, d.content.data + d.content.size), px);
  dc_decoded_free(&d);
  dc_buffer_free(&buf);
}

class DistTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef DC_TRAIN_GLOO
    GTEST_SKIP() << "diffcomp-train was built without Gloo's headers (libgloo-dev): one rank only";
#endif
    char tmpl[] = "/tmp/dc_dist_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::create_directory(dir_ + "/photos");
    for (const char* s : {"kodim08-256.png", "kodim23-256.png"})
      fs::copy_file(std::string(DC_SOURCE_DIR) + "/samples/" + s, dir_ + "/photos/" + s);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  // A small image-lossless run's arguments (global batch 12 photo crops).
  std::string Args(const std::string& out, int steps) const {
    return std::string(DC_TRAIN_EXE) + " --codec image-lossless --data " + dir_ + "/photos --features 8 --trunk-blocks 1" +
           " --mixtures 2 --max-steps " + std::to_string(steps) + " --out " + out;
  }
  std::string dir_;
};

TEST_F(DistTest, NprocTwoTrainsLikeOneRankAndRoundTrips) {
  const Result two = Sh(Args(dir_ + "/m2.dcw", 5) + " -T 2 --nproc 2 --loss-log " + dir_ + "/l2.txt");
  ASSERT_EQ(two.rc, 0) << two.out;
  EXPECT_NE(two.out.find("launching 2 ranks"), std::string::npos) << two.out;
  EXPECT_NE(two.out.find("rank 1 of 2 joined"), std::string::npos) << two.out;
  EXPECT_NE(two.out.find("world size 2"), std::string::npos) << two.out;
  EXPECT_NE(two.out.find("5 steps on 2 ranks"), std::string::npos) << two.out;
  ExpectRoundTrip(dir_ + "/m2.dcw");

  // Same seed, same global batch: 1 rank follows the same loss curve.
  const Result one = Sh(Args(dir_ + "/m1.dcw", 5) + " -T 1 --loss-log " + dir_ + "/l1.txt");
  ASSERT_EQ(one.rc, 0) << one.out;
  const auto l1 = Losses(dir_ + "/l1.txt"), l2 = Losses(dir_ + "/l2.txt");
  ASSERT_EQ(l1.size(), 5u);
  ASSERT_EQ(l2.size(), 5u);
  for (size_t i = 0; i < l1.size(); ++i) EXPECT_NEAR(l1[i], l2[i], 1e-4 * std::abs(l1[i])) << "step " << i + 1;
}

TEST_F(DistTest, PeerThatNeverArrivesIsAnErrorWithinTheTimeout) {
  const auto t0 = std::chrono::steady_clock::now();
  const Result r = Sh(Args(dir_ + "/m.dcw", 3) + " -T 1 --world-size 2 --rank 0 --master 127.0.0.1:" +
                       std::to_string(20000 + getpid() % 20000) + " --timeout 3");
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_NE(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("could not join"), std::string::npos) << r.out;
  EXPECT_LT(s, 30.0);
  EXPECT_FALSE(fs::exists(dir_ + "/m.dcw"));
}

TEST_F(DistTest, DeadRankEndsTheRunAndTheCheckpointResumesOnOneRank) {
  // A checkpoint to resume from, then a long 2-rank run whose rank 1 is killed once it trains.
  ASSERT_EQ(Sh(Args(dir_ + "/m.dcw", 2) + " -T 1 -q").rc, 0);
  const std::string ckpt = dir_ + "/m.dcw.ckpt";
  ASSERT_TRUE(fs::exists(ckpt));
  const std::string before = Slurp(ckpt);
  const std::string master = "127.0.0.1:" + std::to_string(20000 + (getpid() + 7) % 20000);
  const std::string rank = Args(dir_ + "/m.dcw", 100000) + " -T 1 --resume " + ckpt + " --world-size 2 --timeout 20 --master " +
                           master + " --loss-log " + dir_ + "/l.txt --rank ";
  const auto t0 = std::chrono::steady_clock::now();
  const Result r = Sh("sh -c '" + rank + "0 > " + dir_ + "/r0.log 2>&1 & P0=$!; " + rank + "1 > " + dir_ +
                       "/r1.log 2>&1 & P1=$!; i=0; while [ $i -lt 600 ] && [ ! -s " + dir_ +
                       "/l.txt ]; do sleep 0.1; i=$((i+1)); done; kill -9 $P1; wait $P0; echo rank0=$?'");
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string log0 = Slurp(dir_ + "/r0.log");
  EXPECT_NE(r.out.find("rank0="), std::string::npos);
  EXPECT_EQ(r.out.find("rank0=0"), std::string::npos) << r.out << log0;
  EXPECT_NE(log0.find("the last checkpoint"), std::string::npos) << log0;
  EXPECT_LT(s, 90.0);
  EXPECT_EQ(Slurp(ckpt), before);  // untouched (checkpoints are written whole, then renamed)
  // It resumes, on another world size.
  const Result again = Sh(Args(dir_ + "/m.dcw", 4) + " -T 1 --resume " + ckpt);
  ASSERT_EQ(again.rc, 0) << again.out;
  EXPECT_NE(again.out.find("resumed"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("4 steps on 1 rank"), std::string::npos) << again.out;
}

TEST_F(DistTest, TwoNetworkNamespacesJoinedByVeth) {
  const std::string id = std::to_string(getpid() % 100000);
  const std::string a = "dct" + id + "a", b = "dct" + id + "b";
  const int net = 16 + getpid() % 200;  // 169.254.<net>.1 and .2: link-local, only on the veth
  const std::string ip_a = "169.254." + std::to_string(net) + ".1", ip_b = "169.254." + std::to_string(net) + ".2";
  if (Sh("ip netns add " + a).rc != 0) GTEST_SKIP() << "this machine does not allow network namespaces (ip netns add failed)";
  const auto cleanup = [&] {
    Sh("ip netns del " + a);
    Sh("ip netns del " + b);
  };
  const std::string setup = "ip netns add " + b + " && ip link add v" + id + "a netns " + a + " type veth peer name v" + id +
                            "b netns " + b + " && ip -n " + a + " addr add " + ip_a + "/30 dev v" + id + "a && ip -n " + b +
                            " addr add " + ip_b + "/30 dev v" + id + "b && ip -n " + a + " link set v" + id +
                            "a up && ip -n " + b + " link set v" + id + "b up && ip -n " + a + " link set lo up && ip -n " +
                            b + " link set lo up";
  const Result s = Sh(setup);
  if (s.rc != 0) {
    cleanup();
    GTEST_SKIP() << "cannot make a veth pair between namespaces: " << s.out;
  }
  const std::string rank = Args(dir_ + "/ns.dcw", 4) + " -T 1 --world-size 2 --timeout 60 --master " + ip_a + ":29517 --rank ";
  const Result r = Sh("sh -c 'ip netns exec " + a + " " + rank + "0 > " + dir_ + "/a.log 2>&1 & P0=$!; ip netns exec " + b +
                       " " + rank + "1 > " + dir_ + "/b.log 2>&1 & P1=$!; wait $P0; echo a=$?; wait $P1; echo b=$?'");
  cleanup();
  const std::string la = Slurp(dir_ + "/a.log"), lb = Slurp(dir_ + "/b.log");
  EXPECT_NE(r.out.find("a=0"), std::string::npos) << r.out << la << lb;
  EXPECT_NE(r.out.find("b=0"), std::string::npos) << r.out << la << lb;
  EXPECT_NE(la.find("rank 0 of 2 joined (" + ip_a), std::string::npos) << la;
  EXPECT_NE(lb.find("rank 1 of 2 joined (" + ip_b), std::string::npos) << lb;
  EXPECT_NE(la.find("4 steps on 2 ranks"), std::string::npos) << la;
  ExpectRoundTrip(dir_ + "/ns.dcw");
}

}  // namespace
