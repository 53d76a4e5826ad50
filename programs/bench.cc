// `diffcomp bench`: the driver. Collects the input files, runs every codec on every file (file
// by file, so that only one input is in memory and progress is meaningful), then writes the
// Markdown, JSON and SVG reports. The measuring itself is in bench_process.cc, the codecs in
// bench_codecs.cc, the reports in bench_report.cc.
#include "programs/bench.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "diffcomp/extras/file_io.h"
#include "programs/bench_codecs.h"
#include "programs/bench_internal.h"

namespace dc::bench {
namespace {

// ordered_json keeps keys in the order written, so the file reads top-down like the report.
using json = nlohmann::ordered_json;

volatile sig_atomic_t g_interrupted = 0;
void OnSigint(int) { g_interrupted = 1; }

// Installs the SIGINT flag for the duration of a run. Without it, Ctrl-C would kill the harness
// between its child processes and leave the temporary directory behind. No SA_RESTART: the
// wait in RunProcess retries on EINTR and the loop then sees the flag.
class SigintGuard {
 public:
  SigintGuard() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = OnSigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_);
  }
  ~SigintGuard() { sigaction(SIGINT, &old_, nullptr); }

 private:
  struct sigaction old_ {};
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Documentation and sidecar files that sit next to the data in shared/data.
bool SkippedName(const std::string& name) {
  const std::string n = Lower(name);
  if (n.empty() || n[0] == '.') return true;
  if (n.rfind("readme", 0) == 0) return true;
  for (const char* ext : {".txt", ".md", ".hea", ".atr"}) {
    if (EndsWith(n, ext)) return true;
  }
  return false;
}

std::string BaseName(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

// Regular files under `dir`, recursively, as paths relative to it, sorted so that runs and
// --limit are reproducible.
void ListFiles(const std::string& dir, const std::string& rel, std::vector<std::string>* out) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (const dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != ".." && !SkippedName(n)) names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    const std::string full = dir + "/" + n;
    const std::string r = rel.empty() ? n : rel + "/" + n;
    struct stat st {
    }, lst{};
    if (stat(full.c_str(), &st) != 0 || lstat(full.c_str(), &lst) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      // Symlinked directories are not followed: a link to an ancestor would never end.
      if (!S_ISLNK(lst.st_mode)) ListFiles(full, r, out);
    } else if (S_ISREG(st.st_mode)) {
      out->push_back(r);
    }
  }
}

struct InputFile {
  std::string path, name;
};

StatusOr<std::vector<InputFile>> CollectInputs(const std::vector<std::string>& data, int limit) {
  std::vector<InputFile> files;
  for (const std::string& entry : data) {
    struct stat st {};
    if (stat(entry.c_str(), &st) != 0) {
      return Error(DC_ERR_IO, "cannot access " + entry + ": " + std::strerror(errno));
    }
    std::vector<InputFile> these;
    if (S_ISDIR(st.st_mode)) {
      std::vector<std::string> rel;
      ListFiles(entry, "", &rel);
      std::string root = entry;
      while (root.size() > 1 && root.back() == '/') root.pop_back();
      for (const std::string& r : rel) these.push_back({root + "/" + r, BaseName(root) + "/" + r});
    } else if (S_ISREG(st.st_mode)) {
      these.push_back({entry, BaseName(entry)});
    } else {
      return Error(DC_ERR_INVALID_ARGUMENT, entry + " is neither a file nor a directory");
    }
    if (limit > 0 && these.size() > static_cast<size_t>(limit)) these.resize(limit);
    for (InputFile& f : these) {
      const bool dup = std::any_of(files.begin(), files.end(),
                                   [&](const InputFile& g) { return g.path == f.path; });
      if (!dup) files.push_back(std::move(f));
    }
  }
  return files;
}

std::string SelfExe(const std::string& given) {
  if (!given.empty()) return given;
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "diffcomp";
  return std::string(buf, static_cast<size_t>(n));
}

// Removes a directory tree that this run created. Symlinks are unlinked, never followed.
void RemoveTree(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    if (DIR* d = opendir(path.c_str())) {
      std::vector<std::string> names;
      while (const dirent* e = readdir(d)) {
        const std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
      }
      closedir(d);
      for (const std::string& n : names) RemoveTree(path + "/" + n);
    }
    rmdir(path.c_str());
  } else {
    unlink(path.c_str());
  }
}

std::string UtcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json TimingJson(const Timing& t) {
  if (!t.measured) return nullptr;
  return {{"wall_s", t.wall_seconds},
          {"cpu_s", t.cpu_seconds},
          {"peak_rss_kb", t.peak_rss_kb},
          {"rss_exact", t.rss_exact}};
}

json RecordJson(const Record& r) {
  json j = {
      {"file", r.file},
      {"codec", r.codec},
      {"lossy", r.lossy},
      {"ours", r.ours},
      {"category", CategoryName(r.category)},
      {"ok", r.ok},
      {"input_bytes", r.input_bytes},
      {"units", r.units},
      {"rate", Num(r.rate)},
      {"rate_unit", RateUnit(r.category)},
      {"compressed_bytes", r.ok || r.verify_failed ? json(r.compressed_bytes) : json(nullptr)},
      {"encode", TimingJson(r.enc)},
      {"decode", TimingJson(r.dec)}};
  // verified: true or false for lossless runs that got as far as the check; null for lossy
  // codecs (nothing to verify exactly) and for runs that failed before it.
  j["verified"] = r.lossy || (!r.ok && !r.verify_failed) ? json(nullptr) : json(r.ok);
  if (r.lossy) {
    j["psnr_db"] = Num(r.psnr);
    j["ms_ssim"] = Num(r.ms_ssim);
  }
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

json AggregateJson(const Aggregate& a) {
  json j = {{"codec", a.codec},
            {"lossy", a.lossy},
            {"ours", a.ours},
            {"category", CategoryName(a.category)},
            {"files_ok", a.files_ok},
            {"files_total", a.files_total},
            {"verify_failures", a.verify_failures},
            {"compressed_bytes", a.compressed_bytes},
            {"units", a.units},
            {"input_bytes", a.input_bytes},
            {"rate", Num(a.rate)},
            {"rate_unit", RateUnit(a.category)},
            {"encode_s", a.enc_seconds},
            {"encode_cpu_s", a.enc_cpu_seconds},
            {"encode_speed", Num(a.enc_speed)},
            {"encode_peak_rss_kb", a.enc_peak_rss_kb},
            {"speed_unit", SpeedUnit(a.category)},
            {"rss_exact", a.rss_exact}};
  if (a.dec_measured) {
    j["decode_s"] = a.dec_seconds;
    j["decode_cpu_s"] = a.dec_cpu_seconds;
    j["decode_speed"] = Num(a.dec_speed);
    j["decode_peak_rss_kb"] = a.dec_peak_rss_kb;
  } else {
    j["decode_s"] = nullptr;
  }
  if (a.lossy) {
    j["mean_psnr_db"] = Num(a.psnr_mean);
    j["mean_ms_ssim"] = Num(a.ms_ssim_mean);
  }
  return j;
}

std::string ShortResult(const Record& r) {
  char buf[160];
  if (!r.ok) return r.verify_failed ? "VERIFY FAILED" : "FAILED";
  if (r.lossy) {
    std::snprintf(buf, sizeof(buf), "%.4f %s, %.2f dB, enc %.3f s, dec %.3f s", r.rate,
                  RateUnit(r.category), r.psnr, r.enc.wall_seconds, r.dec.wall_seconds);
  } else if (r.dec.measured) {
    std::snprintf(buf, sizeof(buf), "%.4f %s, enc %.3f s, dec %.3f s", r.rate, RateUnit(r.category),
                  r.enc.wall_seconds, r.dec.wall_seconds);
  } else {
    std::snprintf(buf, sizeof(buf), "%.4f %s, enc %.3f s", r.rate, RateUnit(r.category),
                  r.enc.wall_seconds);
  }
  return buf;
}

Status WriteText(const std::string& path, const std::string& text) {
  return extras::WriteFileAtomic(path, reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                 /*overwrite=*/true);
}

}  // namespace

int RunBench(const BenchOptions& opt) {
  // ---- Codecs ----
  std::vector<std::string> specs = SplitCommaList(opt.codecs);
  if (std::find(specs.begin(), specs.end(), "list") != specs.end()) {
    std::fputs(ListCodecs().c_str(), stdout);
    return 0;
  }
  if (specs.empty()) specs = {"lossless"};
  specs = ExpandCodecGroups(specs);

  CodecContext ctx;
  ctx.self_exe = SelfExe(opt.self_exe);
  ctx.threads = opt.threads;
  ctx.repeats = std::max(1, opt.repeats);
  ctx.cpu_limit_seconds = opt.cpu_limit_seconds;

  std::vector<std::unique_ptr<BenchCodec>> codecs;
  std::vector<std::string> notes;
  json codecs_json = json::array();
  for (const std::string& s : specs) {
    auto spec = ParseCodecSpec(s);
    if (!spec.ok()) {
      std::fprintf(stderr, "diffcomp bench: %s\n", spec.status().message().c_str());
      return 2;
    }
    auto codec = MakeCodec(*spec, ctx);
    if (!codec.ok()) {
      std::fprintf(stderr, "diffcomp bench: %s\n", codec.status().message().c_str());
      return 2;
    }
    std::unique_ptr<BenchCodec> c = std::move(codec).value();
    const bool dup = std::any_of(codecs.begin(), codecs.end(),
                                 [&](const auto& o) { return o->name() == c->name(); });
    if (dup) continue;
    const std::string why = c->UnavailableReason();
    json applies = json::array();
    for (const Category cat :
         {Category::kImage, Category::kAudio, Category::kVideo, Category::kBytes}) {
      if (c->AppliesTo(cat)) applies.push_back(CategoryName(cat));
    }
    codecs_json.push_back({{"name", c->name()},
                           {"lossy", c->lossy()},
                           {"ours", c->ours()},
                           {"applies_to", applies},
                           {"available", why.empty()},
                           {"encode", c->EncodeCommand()},
                           {"decode", c->DecodeCommand()}});
    if (!why.empty()) {
      codecs_json.back()["unavailable_reason"] = why;
      notes.push_back("skipped " + c->name() + ": " + why);
      if (!opt.quiet)
        std::fprintf(stderr, "note: skipping %s: %s\n", c->name().c_str(), why.c_str());
      continue;
    }
    codecs.push_back(std::move(c));
  }

  // ---- Inputs ----
  if (opt.data.empty()) {
    std::fprintf(stderr, "diffcomp bench: no --data given\n");
    return 2;
  }
  auto files_or = CollectInputs(opt.data, opt.limit);
  if (!files_or.ok()) {
    std::fprintf(stderr, "diffcomp bench: %s\n", files_or.status().message().c_str());
    return 2;
  }
  const std::vector<InputFile> files = std::move(files_or).value();
  if (files.empty()) {
    std::fprintf(stderr, "diffcomp bench: no input files found\n");
    return 2;
  }

  const char* tmp_env = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(tmp_env != nullptr && *tmp_env ? tmp_env : "/tmp") + "/diffcomp-bench-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::fprintf(stderr, "diffcomp bench: cannot create a temporary directory %s: %s\n",
                 tmpl.c_str(), std::strerror(errno));
    return 2;
  }
  const std::string workdir = tmpl;
  const SigintGuard sigint_guard;

  // ---- Runs ----
  std::vector<Record> records;
  json files_json = json::array();
  std::map<std::string, std::pair<int, std::string>> declined;  // codec -> count, reason
  int failures = 0, verify_failures = 0;
  const std::string total = std::to_string(files.size());
  for (size_t fi = 0; fi < files.size() && !g_interrupted; ++fi) {
    const InputFile& f = files[fi];
    const std::string fdir = workdir + "/f" + std::to_string(fi);
    mkdir(fdir.c_str(), 0700);
    const std::string tag = "[" + std::to_string(fi + 1) + "/" + total + "] " + f.name;
    auto loaded = BenchInput::Load(f.path, f.name, fdir);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s: ERROR: %s\n", tag.c_str(), loaded.status().message().c_str());
      files_json.push_back(
          {{"name", f.name}, {"path", f.path}, {"error", loaded.status().message()}});
      ++failures;
      RemoveTree(fdir);
      continue;
    }
    BenchInput& in = **loaded;
    json fj = {{"name", f.name},
               {"path", f.path},
               {"type", extras::FileTypeName(in.type())},
               {"category", CategoryName(in.category())},
               {"bytes", in.file_bytes()},
               {"units", in.units()},
               {"rate_unit", RateUnit(in.category())},
               {"original_rate", Num(BitsPerUnit(in.file_bytes(), in.units()))},
               {"description", in.Describe()}};
    if (const extras::Image* img = in.image()) {
      fj["width"] = img->width;
      fj["height"] = img->height;
      fj["channels"] = img->channels;
    }
    if (const extras::Wav* w = in.wav()) {
      fj["channels"] = w->channels;
      fj["sample_rate"] = w->sample_rate;
      fj["frames"] = w->frames;
    }
    if (!in.note().empty()) {
      fj["note"] = in.note();
      notes.push_back(f.name + ": " + in.note());
    }
    files_json.push_back(fj);
    if (!opt.quiet) std::fprintf(stderr, "%s: %s\n", tag.c_str(), in.Describe().c_str());

    for (const auto& codec : codecs) {
      if (g_interrupted) break;
      if (!codec->AppliesTo(in.category())) continue;
      const std::string why = codec->Declines(in);
      if (!why.empty()) {
        auto& d = declined[codec->name()];
        ++d.first;
        d.second = why;
        continue;
      }
      if (!opt.quiet) {
        std::fprintf(stderr, "%s %s ... ", tag.c_str(), codec->name().c_str());
        std::fflush(stderr);
      }
      const std::string cdir = fdir + "/" + codec->name();
      mkdir(cdir.c_str(), 0700);
      const CodecRun run = codec->Run(in, cdir);
      RemoveTree(cdir);

      Record r;
      r.file = f.name;
      r.codec = codec->name();
      r.lossy = codec->lossy();
      r.ours = codec->ours();
      r.category = in.category();
      r.input_bytes = in.file_bytes();
      r.units = in.units();
      r.work_mega = in.work_mega();
      r.enc = run.enc;
      r.dec = run.dec;
      r.compressed_bytes = run.compressed_bytes;
      r.verify_failed = run.status.ok() && run.verify_failed;
      r.ok = run.status.ok() && !run.verify_failed;
      if (!run.status.ok()) {
        r.error = run.status.message();
      } else if (run.verify_failed) {
        r.error = run.verify_detail;
      }
      if (r.ok || r.verify_failed) r.rate = BitsPerUnit(r.compressed_bytes, r.units);
      r.psnr = run.psnr;
      r.ms_ssim = run.ms_ssim;
      if (g_interrupted && !r.ok) {
        // The child most likely died of the same Ctrl-C; that is not the codec's failure.
        if (!opt.quiet) std::fprintf(stderr, "interrupted\n");
        break;
      }
      if (!opt.quiet) std::fprintf(stderr, "%s\n", ShortResult(r).c_str());
      // Failures are printed even with --quiet: a broken round trip must not go unnoticed.
      if (r.verify_failed) {
        ++verify_failures;
        std::fprintf(stderr, "*** VERIFY FAILED: %s with %s: %s\n", f.name.c_str(), r.codec.c_str(),
                     r.error.c_str());
      } else if (!r.ok) {
        ++failures;
        std::fprintf(stderr, "*** ERROR: %s with %s: %s\n", f.name.c_str(), r.codec.c_str(),
                     r.error.c_str());
      }
      records.push_back(std::move(r));
    }
    RemoveTree(fdir);
  }

  // ---- Reports ----
  for (const auto& [name, d] : declined) {
    notes.push_back(name + " not run on " + std::to_string(d.first) + " file(s): " + d.second);
  }
  const int code = g_interrupted ? 130 : (failures + verify_failures > 0 ? 1 : 0);
  if (verify_failures > 0) {
    notes.insert(notes.begin(), "**" + std::to_string(verify_failures) +
                                    " lossless round trip(s) FAILED verification** (see the "
                                    "per-file results)");
  }
  if (failures > 0) {
    notes.insert(notes.begin(), std::to_string(failures) + " run(s) failed (see stderr / JSON)");
  }
  if (g_interrupted) notes.insert(notes.begin(), "interrupted: results are partial");
  notes.push_back(
      "rates: 8 x compressed bytes / units, where units are width x height x channels for "
      "images, frames x channels for WAV, and file bytes otherwise; totals are sums of bytes "
      "over sums of units");
  notes.push_back(
      "inputs: general-purpose compressors and huffman/lzw read image pixels as binary PPM/PGM "
      "(a PNG is already compressed); image codecs read a PNG written fresh from the pixels; "
      "image-lossless reads the original file. Lossless results are verified by decoding "
      "(pixels, WAV samples, Y4M planes, or exact bytes)");
  notes.push_back("timing: wall clock from exec to exit of each child process, fastest of " +
                  std::to_string(ctx.repeats) +
                  " run(s); CPU = user + system; peak RSS = the child's own VmHWM; MP/s = "
                  "megapixels per second, MB/s = 10^6 bytes of the original file per second");

  const std::vector<Aggregate> aggregates = AggregateRecords(records);
  std::string title = "diffcomp bench: " + std::to_string(files.size()) + " file(s)";
  std::string header = "## " + title + "\n\n";
  if (opt.json_out != "-") {  // "-": the JSON document is standard output (the global --json)
    std::fputs((header + RenderMarkdown(aggregates, {}, notes)).c_str(), stdout);
    std::fflush(stdout);
  }

  int out_code = code;
  auto write = [&](const std::string& path, const std::string& text, const char* what) {
    if (path.empty()) return;
    if (path == "-") {
      std::fputs(text.c_str(), stdout);
      std::fflush(stdout);
      return;
    }
    const Status s = WriteText(path, text);
    if (!s.ok()) {
      std::fprintf(stderr, "diffcomp bench: cannot write %s %s: %s\n", what, path.c_str(),
                   s.message().c_str());
      if (out_code == 0) out_code = 2;
    } else if (!opt.quiet) {
      std::fprintf(stderr, "wrote %s %s\n", what, path.c_str());
    }
  };
  write(opt.markdown_out, header + RenderMarkdown(aggregates, records, notes), "Markdown");
  if (!opt.plot_out.empty()) {
    write(opt.plot_out, RenderRateChartSvg(aggregates, title), "SVG chart");
  }
  if (!opt.json_out.empty()) {
    utsname u{};
    uname(&u);
    json data_json = json::array();
    for (const std::string& d : opt.data) data_json.push_back(d);
    json aggregates_json = json::array();
    for (const Aggregate& a : aggregates) aggregates_json.push_back(AggregateJson(a));
    json results_json = json::array();
    for (const Record& r : records) results_json.push_back(RecordJson(r));
    // What made these numbers: the source commit (when run inside a git checkout) and every
    // model our codecs load, by fingerprint.
    std::string commit;
    if (FILE* g = popen("git rev-parse HEAD 2>/dev/null", "r")) {
      char buf[64] = {};
      if (std::fgets(buf, sizeof(buf), g)) commit = std::string(buf, strcspn(buf, "\n"));
      if (pclose(g) != 0) commit.clear();
    }
    json models_json = json::array();
    for (dc_codec mc : {DC_CODEC_IMAGE_LOSSLESS, DC_CODEC_SIGNAL_LOSSLESS, DC_CODEC_IMAGE_LOSSY, DC_CODEC_VIDEO_LOSSLESS}) {
      dc_model_info mi{};
      if (dc_model_describe(mc, nullptr, &mi) != DC_OK) continue;
      char fp[16];
      std::snprintf(fp, sizeof(fp), "%08x", mi.fingerprint);
      models_json.push_back({{"codec", dc_codec_name(mc)}, {"model_id", mi.model_id}, {"fingerprint", fp},
                             {"name", mi.name}, {"path", mi.path}});
    }
    const json doc = {{"tool", "diffcomp bench"},
                      {"schema_version", 1},
                      {"diffcomp_version", DC_VERSION_STRING},
                      {"git_commit", commit.empty() ? json(nullptr) : json(commit)},
                      {"models", models_json},
                      {"date_utc", UtcNow()},
                      {"host",
                       {{"system", u.sysname},
                        {"release", u.release},
                        {"machine", u.machine},
                        {"online_cpus", sysconf(_SC_NPROCESSORS_ONLN)}}},
                      {"options",
                       {{"data", data_json},
                        {"codecs", specs},
                        {"threads", opt.threads},
                        {"repeats", ctx.repeats},
                        {"limit", opt.limit},
                        {"cpu_limit_seconds", opt.cpu_limit_seconds}}},
                      {"exit_code", code},
                      {"notes", notes},
                      {"codecs", codecs_json},
                      {"files", files_json},
                      {"aggregates", aggregates_json},
                      {"results", results_json}};
    write(opt.json_out, doc.dump(2) + "\n", "JSON");
  }

  if (opt.keep_workdir) {
    std::fprintf(stderr, "kept work directory %s\n", workdir.c_str());
  } else {
    RemoveTree(workdir);
  }
  return out_code;
}

}  // namespace dc::bench
