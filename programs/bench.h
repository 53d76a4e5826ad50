// `diffcomp bench`: a harness over an abstract codec interface. Every codec, ours and the
// external baselines, runs as a child process (ours: this same executable), so size, encode and
// decode time and peak memory are measured the same way for all.
#ifndef DIFFCOMP_PROGRAMS_BENCH_H_
#define DIFFCOMP_PROGRAMS_BENCH_H_

#include <string>
#include <vector>

namespace dc::bench {

struct BenchOptions {
  std::vector<std::string> data;    // files or directories (directories: their files, sorted)
  std::vector<std::string> codecs;  // codec specs, e.g. "huffman", "lzw", "image-lossless",
                                    // "zstd-19", "xz-9e", "cjxl-e9", ... ("list" prints all)
  std::string json_out;             // write JSON results here ("" = none; "-" = stdout, instead of the table)
  std::string markdown_out;         // write the Markdown table here ("" = stdout only)
  std::string plot_out;             // write an SVG chart here ("" = none)
  std::string self_exe;             // path of the diffcomp executable (for our codecs)
  int threads = 2;                  // -T passed to our codecs
  int limit = 0;                    // use at most this many files per data entry (0 = all)
  bool quiet = false;
  // Fields below were added after the CLI was planned; their defaults keep the original
  // behaviour, so a CLI that does not know them still works.
  int repeats = 1;               // run each encode/decode this many times, report the fastest
  double cpu_limit_seconds = 0;  // RLIMIT_CPU per child (0 = none); a runaway tool is killed
  bool keep_workdir = false;     // leave the temporary directory in place (for debugging)
};

// Runs the benchmark and prints the aggregate Markdown tables to stdout.
// Codec specs may also be comma-separated lists and group names ("ours", "lossless",
// "external", "lossy", "all"); "list" prints every known codec and returns 0.
// @return a process exit code: 0 = everything ran and every lossless round trip verified;
//   1 = some codec run failed or a lossless round trip did not verify (reported on stderr and
//   in the outputs); 2 = usage error (unknown codec, no input files, cannot write an output);
//   130 = interrupted by SIGINT. A baseline whose tool is not installed is skipped with a note
//   and does not change the exit code.
int RunBench(const BenchOptions& opt);

}  // namespace dc::bench

#endif  // DIFFCOMP_PROGRAMS_BENCH_H_
