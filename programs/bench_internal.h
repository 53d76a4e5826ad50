// The pure pieces of `diffcomp bench` (rates, codec spec parsing, child processes, result
// aggregation and report rendering), kept apart from the codec table and the driver so that the
// unit test can exercise them without running any real codec.
#ifndef DIFFCOMP_PROGRAMS_BENCH_INTERNAL_H_
#define DIFFCOMP_PROGRAMS_BENCH_INTERNAL_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "programs/status_macros.h"

namespace dc::bench {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- What a file is, and therefore what its rate is measured in --------------------------
// Rates are only ever summed within one category: bits per sub-pixel and bits per byte of a
// WAV file are not comparable, so mixing them in one total would mean nothing.
enum class Category { kImage, kAudio, kVideo, kBytes };
const char* CategoryName(Category c);  // "image", "audio", "video", "bytes"
const char* RateUnit(Category c);      // "bpsp", "bps", "bpB"
const char* RateUnitLong(Category c);  // "bits per sub-pixel", ...
const char* SpeedUnit(Category c);     // "MP/s" for images, "MB/s" otherwise

// 8 * compressed_bytes / units. NaN when units is 0: an empty input has no rate, and 0 would
// look like a perfect result in a sorted table.
double BitsPerUnit(uint64_t compressed_bytes, uint64_t units);

// ---- Codec specs ---------------------------------------------------------------------------
// "zstd-19" (a plain name) or "family:<letter><number>" for the lossy baselines at a chosen
// setting ("cjpeg:q75", "cwebp:q75", "cjxl:d1.0", "avif:q30").
struct CodecSpec {
  std::string text;    // as given, trimmed
  std::string family;  // "zstd-19" for plain names, "cjxl" for "cjxl:d1.0"
  char param = 0;      // 'q' or 'd'; 0 for plain names
  double value = 0;
  std::string value_text;  // the number as typed ("1.0"), so result names keep its spelling
};
// Syntax only; whether the family exists is up to the codec table.
// @return DC_ERR_INVALID_ARGUMENT for an empty spec, a missing or non-numeric setting, or a
//   setting letter other than q/d.
StatusOr<CodecSpec> ParseCodecSpec(const std::string& text);
// Splits every item on commas and drops empty pieces, so "--codecs a,b --codecs c" works.
std::vector<std::string> SplitCommaList(const std::vector<std::string>& items);

// ---- Child processes -------------------------------------------------------------------------
struct ProcessOptions {
  std::string stdout_path;       // "" = stdout goes to stderr_path (tools chat on both)
  std::string stderr_path;       // "" = /dev/null
  double cpu_limit_seconds = 0;  // RLIMIT_CPU in the child; 0 = none
};

struct ProcessResult {
  int exit_code = -1;   // valid when term_signal == 0
  int term_signal = 0;  // the signal that killed the child, or 0
  double wall_seconds = 0;
  double cpu_seconds = 0;  // user + system, from wait4
  int64_t peak_rss_kb = 0;
  // true: VmHWM of the exec'ed program's own address space, read at its ptrace exit stop.
  // false: wait4's ru_maxrss, which also counts the harness pages the child held between fork
  // and exec (measured: a 300 MB harness makes /bin/true report 308 MB), so it is an upper bound.
  bool rss_exact = false;
  bool ok() const { return term_signal == 0 && exit_code == 0; }
  std::string Describe() const;  // "exit 3", "killed by signal 9 (Killed)"
};

// Runs argv[0] (looked up in PATH by execvp; no shell) with stdin from /dev/null, waits for it
// and measures it. A child that runs but fails is not an error here: see ProcessResult.
// @return DC_ERR_INVALID_ARGUMENT for an empty argv; DC_ERR_IO when a redirection file cannot
//   be opened, fork fails, or the program cannot be executed (the message says why).
StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& opt);
// Full path of an executable found in PATH (or the name itself if it contains a '/' and is
// executable), "" if none.
std::string FindInPath(const std::string& name);
// A human-readable command line; arguments are quoted only where a shell would need it. For
// reports, never executed.
std::string FormatCommand(const std::vector<std::string>& argv);

// ---- Results -------------------------------------------------------------------------------
struct Timing {
  bool measured = false;  // false: this step has no separate process (e.g. optipng's decode)
  double wall_seconds = 0, cpu_seconds = 0;
  int64_t peak_rss_kb = 0;
  bool rss_exact = true;
};

// One codec on one file.
struct Record {
  std::string file;   // display name
  std::string codec;  // result name, e.g. "cjxl-e9", "cjpeg-q75"
  bool lossy = false;
  bool ours = false;
  Category category = Category::kBytes;
  uint64_t input_bytes = 0;  // size of the original file
  uint64_t units = 0;        // rate denominator: sub-pixels, samples or bytes
  double work_mega = 0;      // megapixels (images) or megabytes (others), for speeds
  bool ok = false;           // ran, and for lossless codecs, the round trip verified
  bool verify_failed = false;
  std::string error;  // why not ok ("" when ok)
  uint64_t compressed_bytes = 0;
  double rate = kNaN;
  Timing enc, dec;
  double psnr = kNaN, ms_ssim = kNaN;  // lossy only
};

// One codec over all files of one category. Only successful records are summed (an aggregate
// over fewer files is flagged by files_ok < files_total, never silently mixed).
struct Aggregate {
  std::string codec;
  bool lossy = false, ours = false;
  Category category = Category::kBytes;
  int files_ok = 0, files_total = 0, verify_failures = 0;
  uint64_t compressed_bytes = 0, units = 0, input_bytes = 0;
  double rate = kNaN;  // sum of bytes over sum of units, not a mean of per-file rates
  double work_mega = 0;
  double enc_seconds = 0, dec_seconds = 0, enc_cpu_seconds = 0, dec_cpu_seconds = 0;
  bool dec_measured = false;
  double enc_speed = kNaN, dec_speed = kNaN;  // work_mega / seconds
  int64_t enc_peak_rss_kb = 0, dec_peak_rss_kb = 0;
  bool rss_exact = true;
  double psnr_mean = kNaN, ms_ssim_mean = kNaN;  // means of per-file values (Kodak convention)
};

// Groups by (category, codec); output order: category, lossless before lossy, then rate
// ascending (failed-everywhere codecs, whose rate is NaN, last).
std::vector<Aggregate> AggregateRecords(const std::vector<Record>& records);

// Markdown: one aggregate table per (category, lossless/lossy), then, when per_file is
// non-empty, a per-file table. `notes` become a bullet list (skipped codecs and the like).
std::string RenderMarkdown(const std::vector<Aggregate>& aggregates,
                           const std::vector<Record>& per_file,
                           const std::vector<std::string>& notes);

// A self-contained SVG bar chart of the aggregate rate per codec, one panel per
// (category, lossless/lossy).
std::string RenderRateChartSvg(const std::vector<Aggregate>& aggregates, const std::string& title);

}  // namespace dc::bench

#endif  // DIFFCOMP_PROGRAMS_BENCH_INTERNAL_H_
