// `diffcomp bench`: a harness over an abstract codec interface. Every codec, ours and the
// external baselines, runs as a child process (ours: this same executable), so size, encode and
// decode time and peak memory (wait4 rusage) are measured the same way for all.
#ifndef DIFFCOMP_PROGRAMS_BENCH_H_
#define DIFFCOMP_PROGRAMS_BENCH_H_

#include <string>
#include <vector>

namespace dc::bench {

struct BenchOptions {
  std::vector<std::string> data;    // files or directories (directories: their files, sorted)
  std::vector<std::string> codecs;  // codec specs, e.g. "huffman", "lzw", "image-lossless",
                                    // "zstd-19", "xz-9e", "cjxl-e9", ... ("list" prints all)
  std::string json_out;             // write JSON results here ("" = none)
  std::string markdown_out;         // write the Markdown table here ("" = stdout only)
  std::string plot_out;             // write an SVG chart here ("" = none)
  std::string self_exe;             // path of the diffcomp executable (for our codecs)
  int threads = 2;                  // -T passed to our codecs
  int limit = 0;                    // use at most this many files per data entry (0 = all)
  bool quiet = false;
};

// Runs the benchmark and prints the Markdown table to stdout. Returns a process exit code
// (0 = all ran and every lossless round trip verified).
int RunBench(const BenchOptions& opt);

}  // namespace dc::bench

#endif  // DIFFCOMP_PROGRAMS_BENCH_H_
