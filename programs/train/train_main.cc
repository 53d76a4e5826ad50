// diffcomp-train: `diffcomp train ...` (the CLI execs this program so that the coding tool does
// not load libtorch). Thin client of include/diffcomp/train.h.
//
// Data parallel: `--nproc N` is a local launcher (as torchrun): it picks a free loopback port and
// runs this program once per rank, with the rank, world size, master and threads in the
// environment (DC_TRAIN_RANK, DC_TRAIN_WORLD_SIZE, DC_TRAIN_MASTER, DC_TRAIN_THREADS); a rank
// that fails stops the others. `--world-size N --rank R --master HOST:PORT` joins a run that
// spans hosts (one process per host and rank).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "diffcomp/train.h"

namespace {

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(sa);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0)
    port = ntohs(sa.sin_port);
  close(fd);
  return port;
}

// Runs N ranks of this program on loopback; returns the first failing rank's exit code, or 0.
int Launch(int nproc, int threads, char** argv, bool quiet) {
  const int port = FreeLoopbackPort();
  if (port <= 0) {
    std::fprintf(stderr, "diffcomp train: no free port on loopback\n");
    return DC_ERR_IO;
  }
  const int per_rank = threads / nproc > 0 ? threads / nproc : 1;
  const std::string master = "127.0.0.1:" + std::to_string(port);
  if (!quiet)
    std::fprintf(stderr, "train: launching %d ranks on this machine (master %s), %d thread%s each\n", nproc, master.c_str(),
                 per_rank, per_rank == 1 ? "" : "s");
  std::vector<pid_t> pids;
  for (int r = 0; r < nproc; ++r) {
    const pid_t pid = fork();
    if (pid == 0) {
      setenv("DC_TRAIN_RANK", std::to_string(r).c_str(), 1);
      setenv("DC_TRAIN_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("DC_TRAIN_MASTER", master.c_str(), 1);
      setenv("DC_TRAIN_THREADS", std::to_string(per_rank).c_str(), 1);
      execv("/proc/self/exe", argv);
      _exit(127);
    }
    if (pid < 0) {
      std::fprintf(stderr, "diffcomp train: cannot start rank %d\n", r);
      for (pid_t p : pids) kill(p, SIGTERM);
      for (pid_t p : pids) waitpid(p, nullptr, 0);
      return DC_ERR_INTERNAL;
    }
    pids.push_back(pid);
  }
  int rc = 0, left = nproc;
  while (left > 0) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) break;
    int rank = -1;
    for (int r = 0; r < nproc; ++r)
      if (pids[r] == pid) rank = r;
    if (rank < 0) continue;
    pids[rank] = 0;
    --left;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0 && rc == 0) {
      rc = code;
      std::fprintf(stderr, "diffcomp train: rank %d %s %d; stopping the other ranks\n", rank,
                   WIFEXITED(status) ? "exited with code" : "was killed by signal", WIFEXITED(status) ? code : WTERMSIG(status));
      for (pid_t p : pids)
        if (p > 0) kill(p, SIGTERM);
    }
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"diffcomp train: train a model on this CPU (libtorch)"};
  std::string codec = "image-lossless", out, resume, ckpt;
  std::vector<std::string> data, holdout;
  double minutes = 0;
  long long max_steps = 0;
  int threads = 2, features = 0, trunk_blocks = -1, head_blocks = -1, mixtures = 0;
  uint64_t seed = 1;
  bool quiet = false;
  int nproc = 1, world_size = 1, rank = 0;
  std::string master, device = "cpu", loss_log;
  double timeout = 300;
  app.add_option("--codec", codec, "codec whose model to train (image-lossless, signal-lossless, ...)");
  app.add_option("--data", data, "training directories or files (PNG, CIFAR .bin; WAV, WFDB .hea, CSV)")->required();
  app.add_option("--max-steps", max_steps, "a step budget (the schedule follows steps; --minutes still caps the run)")
      ->check(CLI::Range(0LL, 1000000000LL));
  app.add_option("--holdout", holdout, "signal codecs: files for validation only, never trained on");
  app.add_option("--minutes", minutes, "wall-clock budget of the whole run, resumes included (default 10; none with --max-steps)");
  app.add_option("--out", out, "model file to write (.dcw); also exported every 15 minutes")->required();
  app.add_option("--resume", resume, "checkpoint to resume from");
  app.add_option("--checkpoint", ckpt, "checkpoint path (default: OUT.ckpt), written every 5 minutes");
  app.add_option("-T,--threads", threads, "torch threads")->check(CLI::Range(1, 64));
  app.add_option("--features", features, "network width (default 32)")->check(CLI::Range(0, 512));
  app.add_option("--trunk-blocks", trunk_blocks, "residual blocks in the trunk (default 3)")->check(CLI::Range(0, 64));
  app.add_option("--head-blocks", head_blocks, "residual blocks in each stage head (default 1)")->check(CLI::Range(0, 64));
  app.add_option("--mixtures", mixtures, "logistics per channel (default 5, at most 16)")->check(CLI::Range(1, 16));
  app.add_option("--seed", seed, "random seed");
  app.add_flag("-q,--quiet", quiet, "no progress output");
  app.add_option("--nproc", nproc, "data parallel on this machine: start N ranks on loopback, --threads split between them")
      ->check(CLI::Range(1, 256));
  app.add_option("--world-size", world_size, "data parallel across hosts: ranks in the whole run")->check(CLI::Range(1, 4096));
  app.add_option("--rank", rank, "this process's rank (0 validates, checkpoints and exports)")->check(CLI::Range(0, 4095));
  app.add_option("--master", master, "HOST:PORT where rank 0 serves the rendezvous store");
  app.add_option("--timeout", timeout, "seconds to wait for peers and for each collective (default 300)")
      ->check(CLI::Range(1.0, 86400.0));
  app.add_option("--device", device, "cpu, cuda or auto (cuda needs a CUDA build of libtorch)");
  app.add_option("--loss-log", loss_log, "append every step's global loss to this file (rank 0; tests)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : DC_ERR_INVALID_ARGUMENT;
  }
  signal(SIGPIPE, SIG_IGN);  // a peer that dies closes its sockets: an error, not a signal
  if (const char* r = std::getenv("DC_TRAIN_RANK")) {  // started by --nproc
    rank = std::atoi(r);
    world_size = std::atoi(std::getenv("DC_TRAIN_WORLD_SIZE") ? std::getenv("DC_TRAIN_WORLD_SIZE") : "1");
    master = std::getenv("DC_TRAIN_MASTER") ? std::getenv("DC_TRAIN_MASTER") : "";
    threads = std::atoi(std::getenv("DC_TRAIN_THREADS") ? std::getenv("DC_TRAIN_THREADS") : "1");
    nproc = 1;
  } else if (nproc > 1) {
    if (world_size > 1) {
      std::fprintf(stderr, "diffcomp train: --nproc starts a local run; --world-size joins one across hosts (not both)\n");
      return DC_ERR_INVALID_ARGUMENT;
    }
    return Launch(nproc, threads, argv, quiet);
  }
  if (world_size > 1 && master.empty()) {
    std::fprintf(stderr, "diffcomp train: --world-size %d needs --master HOST:PORT (rank 0's address)\n", world_size);
    return DC_ERR_INVALID_ARGUMENT;
  }
  if (rank >= world_size) {
    std::fprintf(stderr, "diffcomp train: --rank %d is not below --world-size %d\n", rank, world_size);
    return DC_ERR_INVALID_ARGUMENT;
  }
  dc_train_params p;
  dc_train_params_init(&p);
  if (dc_error e = dc_codec_from_name(codec.c_str(), &p.codec)) {
    std::fprintf(stderr, "diffcomp train: %s\n", dc_last_error_message());
    return e;
  }
  std::vector<const char*> d;
  for (const auto& s : data) d.push_back(s.c_str());
  p.data = d.data();
  p.num_data = static_cast<int>(d.size());
  std::vector<const char*> h;
  for (const auto& s : holdout) h.push_back(s.c_str());
  p.holdout = h.data();
  p.num_holdout = static_cast<int>(h.size());
  p.minutes = minutes > 0 ? minutes : max_steps > 0 ? 1e7 : 10;
  p.max_steps = max_steps;
  p.out_path = out.c_str();
  p.resume_path = resume.empty() ? nullptr : resume.c_str();
  p.checkpoint_path = ckpt.empty() ? nullptr : ckpt.c_str();
  p.threads = threads;
  p.features = features;
  p.trunk_blocks = trunk_blocks;
  p.head_blocks = head_blocks;
  p.mixtures = mixtures;
  p.seed = seed;
  p.quiet = quiet;
  std::string cmdline = "diffcomp train";
  for (int i = 1; i < argc; ++i) cmdline += " " + std::string(argv[i]);
  p.command_line = cmdline.c_str();
  p.world_size = world_size;
  p.rank = rank;
  p.master = master.empty() ? nullptr : master.c_str();
  p.timeout_s = timeout;
  p.device = device.c_str();
  p.loss_log = loss_log.empty() ? nullptr : loss_log.c_str();
  if (dc_error e = dc_train(&p)) {
    if (world_size > 1)
      std::fprintf(stderr, "diffcomp train (rank %d of %d): %s (%s)\n", rank, world_size, dc_last_error_message(), dc_error_name(e));
    else
      std::fprintf(stderr, "diffcomp train: %s (%s)\n", dc_last_error_message(), dc_error_name(e));
    return e;
  }
  return 0;
}
