// diffcomp-train: `diffcomp train ...` (the CLI execs this program so that the coding tool does
// not load libtorch). Thin client of include/diffcomp/train.h.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "diffcomp/train.h"

int main(int argc, char** argv) {
  CLI::App app{"diffcomp train: train a model on this CPU (libtorch)"};
  std::string codec = "image-lossless", out, resume, ckpt;
  std::vector<std::string> data, holdout;
  double minutes = 0;
  long long max_steps = 0;
  int threads = 2, features = 0, trunk_blocks = -1, head_blocks = -1, mixtures = 0;
  uint64_t seed = 1;
  bool quiet = false;
  app.add_option("--codec", codec, "codec whose model to train (image-lossless, signal-lossless, ...)");
  app.add_option("--data", data, "training directories or files (PNG, CIFAR .bin; WAV, WFDB .hea, CSV)")->required();
  app.add_option("--max-steps", max_steps, "signal codecs: a step budget (the schedule follows steps; --minutes still caps the run)")
      ->check(CLI::Range(0LL, 1000000000LL));
  app.add_option("--holdout", holdout, "signal codecs: files for validation only, never trained on");
  app.add_option("--minutes", minutes, "wall-clock budget of the whole run, resumes included")->required();
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : DC_ERR_INVALID_ARGUMENT;
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
  p.minutes = minutes;
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
  if (dc_error e = dc_train(&p)) {
    std::fprintf(stderr, "diffcomp train: %s (%s)\n", dc_last_error_message(), dc_error_name(e));
    return e;
  }
  return 0;
}
