// Rates, codec spec syntax, aggregation and the Markdown / SVG reports of `diffcomp bench`.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <tuple>

#include "programs/bench_internal.h"
#include "programs/svg_chart.h"

namespace dc::bench {

const char* CategoryName(Category c) {
  switch (c) {
    case Category::kImage:
      return "image";
    case Category::kAudio:
      return "audio";
    case Category::kVideo:
      return "video";
    case Category::kBytes:
      return "bytes";
  }
  return "?";
}

const char* RateUnit(Category c) {
  switch (c) {
    case Category::kImage:
      return "bpsp";
    case Category::kAudio:
      return "bps";
    case Category::kVideo:
    case Category::kBytes:
      return "bpB";
  }
  return "?";
}

const char* RateUnitLong(Category c) {
  switch (c) {
    case Category::kImage:
      return "bits per sub-pixel";
    case Category::kAudio:
      return "bits per sample";
    case Category::kVideo:
    case Category::kBytes:
      return "bits per byte";
  }
  return "?";
}

const char* SpeedUnit(Category c) { return c == Category::kImage ? "MP/s" : "MB/s"; }

double BitsPerUnit(uint64_t compressed_bytes, uint64_t units) {
  if (units == 0) return kNaN;
  return 8.0 * static_cast<double>(compressed_bytes) / static_cast<double>(units);
}

// ---- Specs ----------------------------------------------------------------------------------

namespace {

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace

StatusOr<CodecSpec> ParseCodecSpec(const std::string& text) {
  CodecSpec spec;
  spec.text = Trim(text);
  if (spec.text.empty()) return Error(DC_ERR_INVALID_ARGUMENT, "empty codec spec");
  const size_t colon = spec.text.find(':');
  if (colon == std::string::npos) {
    spec.family = spec.text;
    return spec;
  }
  spec.family = spec.text.substr(0, colon);
  const std::string setting = spec.text.substr(colon + 1);
  if (spec.family.empty()) {
    return Error(DC_ERR_INVALID_ARGUMENT, "codec spec '" + spec.text + "' has no codec name");
  }
  if (setting.size() < 2 || (setting[0] != 'q' && setting[0] != 'd')) {
    return Error(DC_ERR_INVALID_ARGUMENT,
                 "codec spec '" + spec.text + "': expected a setting like q75 or d1.0 after ':'");
  }
  spec.param = setting[0];
  spec.value_text = setting.substr(1);
  // strtod accepts "inf", "nan", hex and leading spaces; a setting is a plain decimal.
  if (spec.value_text.find_first_not_of("0123456789.") != std::string::npos) {
    return Error(DC_ERR_INVALID_ARGUMENT,
                 "codec spec '" + spec.text + "': '" + spec.value_text + "' is not a number");
  }
  char* end = nullptr;
  spec.value = std::strtod(spec.value_text.c_str(), &end);
  if (end == spec.value_text.c_str() || *end != '\0' || !std::isfinite(spec.value)) {
    return Error(DC_ERR_INVALID_ARGUMENT,
                 "codec spec '" + spec.text + "': '" + spec.value_text + "' is not a number");
  }
  return spec;
}

std::vector<std::string> SplitCommaList(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& item : items) {
    size_t start = 0;
    while (start <= item.size()) {
      size_t end = item.find(',', start);
      if (end == std::string::npos) end = item.size();
      const std::string piece = Trim(item.substr(start, end - start));
      if (!piece.empty()) out.push_back(piece);
      start = end + 1;
    }
  }
  return out;
}

// ---- Aggregation ------------------------------------------------------------------------------

std::vector<Aggregate> AggregateRecords(const std::vector<Record>& records) {
  std::map<std::pair<int, std::string>, size_t> index;
  std::vector<Aggregate> out;
  std::vector<int> psnr_n, ssim_n;
  for (const Record& r : records) {
    const auto key = std::make_pair(static_cast<int>(r.category), r.codec);
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, out.size()).first;
      Aggregate a;
      a.codec = r.codec;
      a.lossy = r.lossy;
      a.ours = r.ours;
      a.category = r.category;
      a.psnr_mean = 0;
      a.ms_ssim_mean = 0;
      out.push_back(a);
      psnr_n.push_back(0);
      ssim_n.push_back(0);
    }
    const size_t i = it->second;
    Aggregate& a = out[i];
    ++a.files_total;
    if (r.verify_failed) ++a.verify_failures;
    if (!r.ok) continue;
    ++a.files_ok;
    a.compressed_bytes += r.compressed_bytes;
    a.units += r.units;
    a.input_bytes += r.input_bytes;
    a.work_mega += r.work_mega;
    a.enc_seconds += r.enc.wall_seconds;
    a.enc_cpu_seconds += r.enc.cpu_seconds;
    a.enc_peak_rss_kb = std::max(a.enc_peak_rss_kb, r.enc.peak_rss_kb);
    a.rss_exact = a.rss_exact && r.enc.rss_exact;
    if (r.dec.measured) {
      a.dec_measured = true;
      a.dec_seconds += r.dec.wall_seconds;
      a.dec_cpu_seconds += r.dec.cpu_seconds;
      a.dec_peak_rss_kb = std::max(a.dec_peak_rss_kb, r.dec.peak_rss_kb);
      a.rss_exact = a.rss_exact && r.dec.rss_exact;
    }
    // An identical reconstruction has infinite PSNR; one such file would make the mean
    // infinite, so means are over finite values only.
    if (std::isfinite(r.psnr)) {
      a.psnr_mean += r.psnr;
      ++psnr_n[i];
    }
    if (std::isfinite(r.ms_ssim)) {
      a.ms_ssim_mean += r.ms_ssim;
      ++ssim_n[i];
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    Aggregate& a = out[i];
    a.rate = a.files_ok > 0 ? BitsPerUnit(a.compressed_bytes, a.units) : kNaN;
    a.psnr_mean = psnr_n[i] > 0 ? a.psnr_mean / psnr_n[i] : kNaN;
    a.ms_ssim_mean = ssim_n[i] > 0 ? a.ms_ssim_mean / ssim_n[i] : kNaN;
    if (a.enc_seconds > 0) a.enc_speed = a.work_mega / a.enc_seconds;
    if (a.dec_measured && a.dec_seconds > 0) a.dec_speed = a.work_mega / a.dec_seconds;
  }
  std::stable_sort(out.begin(), out.end(), [](const Aggregate& x, const Aggregate& y) {
    const auto group = [](const Aggregate& a) {
      return std::make_tuple(static_cast<int>(a.category), a.lossy ? 1 : 0);
    };
    if (group(x) != group(y)) return group(x) < group(y);
    const bool xn = std::isnan(x.rate), yn = std::isnan(y.rate);
    if (xn != yn) return yn;  // NaN (nothing succeeded) sorts last
    if (!xn && x.rate != y.rate) return x.rate < y.rate;
    return x.codec < y.codec;
  });
  return out;
}

// ---- Markdown -------------------------------------------------------------------------------

namespace {

std::string Fmt(const char* fmt, double v) {
  if (!std::isfinite(v)) return std::isinf(v) && v > 0 ? "inf" : "-";
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

std::string Seconds(double s) { return Fmt(s < 10 ? "%.3f" : "%.1f", s); }

std::string MiB(int64_t kb) { return Fmt("%.1f", static_cast<double>(kb) / 1024.0); }

// Table cells cannot hold '|' or line breaks.
std::string Cell(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string FilesCell(const Aggregate& a) {
  std::string s = std::to_string(a.files_ok);
  if (a.files_ok != a.files_total) s += "/" + std::to_string(a.files_total);
  if (a.verify_failures > 0) {
    s += " (" + std::to_string(a.verify_failures) + " VERIFY FAILED)";
  } else if (a.files_ok != a.files_total) {
    s += " (failures)";
  }
  return s;
}

}  // namespace

std::string RenderMarkdown(const std::vector<Aggregate>& aggregates,
                           const std::vector<Record>& per_file,
                           const std::vector<std::string>& notes) {
  std::ostringstream o;
  bool any_inexact_rss = false;
  size_t i = 0;
  while (i < aggregates.size()) {
    const Category cat = aggregates[i].category;
    const bool lossy = aggregates[i].lossy;
    size_t j = i;
    while (j < aggregates.size() && aggregates[j].category == cat && aggregates[j].lossy == lossy) {
      ++j;
    }
    const char* unit = RateUnit(cat);
    const char* speed = SpeedUnit(cat);
    o << "### " << CategoryName(cat) << ", " << (lossy ? "lossy" : "lossless") << ": "
      << RateUnitLong(cat) << " (" << unit << "), sorted by rate\n\n";
    o << "| codec | files | bytes | " << unit;
    if (lossy) o << " | mean PSNR dB | mean MS-SSIM";
    o << " | enc s | dec s | enc " << speed << " | dec " << speed
      << " | enc / dec CPU s | peak RSS enc / dec MiB |\n";
    o << "|---|---:|---:|---:";
    if (lossy) o << "|---:|---:";
    o << "|---:|---:|---:|---:|---:|---:|\n";
    for (size_t k = i; k < j; ++k) {
      const Aggregate& a = aggregates[k];
      const std::string name = a.ours ? "**" + a.codec + "**" : a.codec;
      if (a.files_ok == 0) {
        // Nothing succeeded: zeros would read as measurements.
        o << "| " << Cell(name) << " | " << FilesCell(a) << " | - | -";
        if (lossy) o << " | - | -";
        o << " | - | - | - | - | - | - |\n";
        continue;
      }
      o << "| " << Cell(name) << " | " << FilesCell(a) << " | " << a.compressed_bytes << " | "
        << Fmt("%.4f", a.rate);
      if (lossy) o << " | " << Fmt("%.2f", a.psnr_mean) << " | " << Fmt("%.4f", a.ms_ssim_mean);
      o << " | " << Seconds(a.enc_seconds) << " | "
        << (a.dec_measured ? Seconds(a.dec_seconds) : "n/a") << " | " << Fmt("%.2f", a.enc_speed)
        << " | " << (a.dec_measured ? Fmt("%.2f", a.dec_speed) : "n/a") << " | "
        << Seconds(a.enc_cpu_seconds) << " / "
        << (a.dec_measured ? Seconds(a.dec_cpu_seconds) : "n/a") << " | " << MiB(a.enc_peak_rss_kb)
        << " / " << (a.dec_measured ? MiB(a.dec_peak_rss_kb) : "n/a") << (a.rss_exact ? "" : " †")
        << " |\n";
      any_inexact_rss = any_inexact_rss || !a.rss_exact;
    }
    o << "\n";
    i = j;
  }
  if (aggregates.empty()) o << "(no results)\n\n";
  if (any_inexact_rss) {
    o << "† peak RSS from wait4 ru_maxrss (ptrace unavailable): an upper bound that includes "
         "the harness pages the child inherited through fork.\n\n";
  }

  if (!per_file.empty()) {
    o << "### Per file\n\n";
    o << "| file | codec | bytes | rate | unit | PSNR dB | MS-SSIM | enc s | dec s "
         "| peak RSS enc / dec MiB | status |\n";
    o << "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---|\n";
    for (const Record& r : per_file) {
      std::string status = "ok";
      if (r.verify_failed) {
        status = "VERIFY FAILED: " + r.error;
      } else if (!r.ok) {
        status = "error: " + r.error;
      }
      o << "| " << Cell(r.file) << " | " << Cell(r.codec) << " | "
        << (r.ok || r.verify_failed ? std::to_string(r.compressed_bytes) : "-") << " | "
        << Fmt("%.4f", r.rate) << " | " << RateUnit(r.category) << " | "
        << (r.lossy ? Fmt("%.2f", r.psnr) : "-") << " | "
        << (r.lossy ? Fmt("%.4f", r.ms_ssim) : "-") << " | "
        << (r.enc.measured ? Seconds(r.enc.wall_seconds) : "-") << " | "
        << (r.dec.measured ? Seconds(r.dec.wall_seconds) : "n/a") << " | "
        << (r.enc.measured ? MiB(r.enc.peak_rss_kb) : "-") << " / "
        << (r.dec.measured ? MiB(r.dec.peak_rss_kb) : "n/a") << " | " << Cell(status) << " |\n";
    }
    o << "\n";
  }

  if (!notes.empty()) {
    o << "Notes:\n";
    for (const std::string& n : notes) o << "- " << n << "\n";
    o << "\n";
  }
  return o.str();
}

// ---- SVG --------------------------------------------------------------------------------------

std::string RenderRateChartSvg(const std::vector<Aggregate>& aggregates, const std::string& title) {
  SvgChart chart;
  chart.title = title;
  for (size_t i = 0; i < aggregates.size();) {
    const Category cat = aggregates[i].category;
    const bool lossy = aggregates[i].lossy;
    SvgPanel panel;
    int max_files = 0;
    size_t j = i;
    for (; j < aggregates.size() && aggregates[j].category == cat && aggregates[j].lossy == lossy;
         ++j) {
      const Aggregate& a = aggregates[j];
      max_files = std::max(max_files, a.files_total);
      SvgBar bar;
      bar.label = a.codec;
      bar.value = a.rate;
      bar.value_text = Fmt("%.3f", a.rate);
      if (lossy && std::isfinite(a.psnr_mean)) {
        bar.value_text += ", " + Fmt("%.2f", a.psnr_mean) + " dB";
      }
      bar.style = a.ours ? 1 : 0;
      if (a.files_ok != a.files_total) {
        bar.style = 2;
        bar.value_text +=
            " (" + std::to_string(a.files_ok) + "/" + std::to_string(a.files_total) + " files)";
      }
      panel.bars.push_back(bar);
    }
    panel.title = std::string(CategoryName(cat)) + ", " + (lossy ? "lossy" : "lossless") + ": " +
                  RateUnitLong(cat) + ", lower is better (" + std::to_string(max_files) +
                  (max_files == 1 ? " file)" : " files)");
    chart.panels.push_back(panel);
    i = j;
  }
  return RenderBarChartSvg(chart);
}

}  // namespace dc::bench
