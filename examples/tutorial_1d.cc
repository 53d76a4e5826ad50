// The worked 1-D example of issue 5 (docs/tutorial-1d.md): one real signal segment shown through
// the forward diffusion, the reverse (decoding) trajectory of the signal-lossy codec with the bits
// each step costs, the reconstruction, and the lossless side (signal-lossless, level by level,
// against huffman, lzw, zstd -19, xz -9e and bzip2 -9). Every figure and table of the tutorial is written
// by this program; nothing is computed elsewhere.
//
//   build/bin/diffcomp-tutorial-1d --out OUT_DIR [--record FILE.hea|FILE.wav] [--channel C]
//       [--start SECONDS] [--seconds S] [--max-snr DB] [--model FILE.dcw] [--whole-record] [-T N]
//
// A client of the public headers only: the look inside the codec comes from the inspection API
// (include/diffcomp/inspect.h: one encode, the decoder replayed step by step and checked inside
// the library against its prefix decoder), and the tutorial checks that the public path
// (dc_compress, dc_truncate, dc_decompress) gives the same payload and the same reconstruction.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <memory>

#include "diffcomp/diffcomp.h"
#include "diffcomp/extras.h"
#include "diffcomp/inspect.h"
#include "programs/svg_chart.h"

namespace {

using dc::bench::XmlEscape;

struct Options {
  std::string record = "../shared/data/signals/ecg_mitbih/100.hea";
  std::string out;
  std::string model = "models/signal-lossless-sig1.dcw";
  uint32_t channel = 0;
  double start_s = 60, seconds = 10, max_snr = 60;
  bool whole = false;
  int threads = 2;
};

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "diffcomp-tutorial-1d: %s\n", msg.c_str());
  std::exit(1);
}
void Check(const dc::Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.message());
}
void CheckDc(dc_error e, const std::string& what) {
  if (e != DC_OK) Die(what + ": " + dc_error_name(e) + " (" + dc_last_error_message() + ")");
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) Die("cannot read " + path);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
void WriteFile(const std::string& path, const std::string& s) {
  std::ofstream f(path, std::ios::binary);
  f << s;
  if (!f) Die("cannot write " + path);
}
void WriteBytes(const std::string& path, const uint8_t* d, size_t n) {
  WriteFile(path, std::string(reinterpret_cast<const char*>(d), n));
}

// --- a small line-plot SVG writer (the bar charts come from programs/svg_chart.h) -------------

struct Series {
  std::vector<double> x, y;
  std::string color = "#1f77b4", label;
  double width = 1.2;
  bool dots = false;  // markers only
};
struct Panel {
  std::string title;
  std::vector<Series> series;
  std::string xlabel;
  bool fix_y = false;
  double ymin = 0, ymax = 1;
};

std::string Num(double v, int prec = 6) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*g", prec, v);
  return b;
}
std::string Fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

double NiceStep(double range) {
  if (!(range > 0)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(range / 5)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (range / (m * p) <= 6) return m * p;
  return 10 * p;
}

// Panels stacked vertically; each has its own y range (or a fixed one; lines are clipped to it)
// and its own x range.
std::string RenderLines(const std::string& title, const std::vector<Panel>& panels, int width = 900,
                        int panel_h = 150) {
  const double ml = 62, mr = 16, mt = 28, mb = 34, top = 30;
  std::ostringstream s;
  const double H = top + panels.size() * (panel_h + mt + mb);
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << H
    << "\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << width / 2 << "\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">" << XmlEscape(title)
    << "</text>\n";
  for (size_t p = 0; p < panels.size(); ++p) {
    const Panel& P = panels[p];
    double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
    for (const Series& se : P.series)
      for (size_t i = 0; i < se.x.size(); ++i) {
        x0 = std::min(x0, se.x[i]), x1 = std::max(x1, se.x[i]);
        y0 = std::min(y0, se.y[i]), y1 = std::max(y1, se.y[i]);
      }
    if (P.fix_y) y0 = P.ymin, y1 = P.ymax;
    if (!(x1 > x0)) x1 = x0 + 1;
    if (!(y1 > y0)) y1 = y0 + 1;
    const double pad = 0.04 * (y1 - y0);
    if (!P.fix_y) y0 -= pad, y1 += pad;
    const double ox = ml, oy = top + p * (panel_h + mt + mb) + mt, pw = width - ml - mr, ph = panel_h;
    auto X = [&](double v) { return ox + (v - x0) / (x1 - x0) * pw; };
    auto Y = [&](double v) { return oy + ph - (v - y0) / (y1 - y0) * ph; };
    s << "<text x=\"" << ox << "\" y=\"" << oy - 8 << "\" font-size=\"12\">" << XmlEscape(P.title) << "</text>\n";
    s << "<rect x=\"" << ox << "\" y=\"" << oy << "\" width=\"" << pw << "\" height=\"" << ph
      << "\" fill=\"none\" stroke=\"#999\"/>\n";
    const double xs = NiceStep(x1 - x0), ys = NiceStep(y1 - y0);
    for (double t = std::ceil(x0 / xs) * xs; t <= x1 + 1e-9 * xs; t += xs)
      s << "<line x1=\"" << X(t) << "\" y1=\"" << oy + ph << "\" x2=\"" << X(t) << "\" y2=\"" << oy + ph + 4
        << "\" stroke=\"#999\"/><text x=\"" << X(t) << "\" y=\"" << oy + ph + 15 << "\" text-anchor=\"middle\">"
        << Num(std::fabs(t) < 1e-9 * xs ? 0 : t) << "</text>\n";
    for (double t = std::ceil(y0 / ys) * ys; t <= y1 + 1e-9 * ys; t += ys)
      s << "<line x1=\"" << ox << "\" y1=\"" << Y(t) << "\" x2=\"" << ox + pw << "\" y2=\"" << Y(t)
        << "\" stroke=\"#eee\"/><text x=\"" << ox - 4 << "\" y=\"" << Y(t) + 4 << "\" text-anchor=\"end\">"
        << Num(std::fabs(t) < 1e-9 * ys ? 0 : t) << "</text>\n";
    if (!P.xlabel.empty())
      s << "<text x=\"" << ox + pw / 2 << "\" y=\"" << oy + ph + 29 << "\" text-anchor=\"middle\" fill=\"#444\">"
        << XmlEscape(P.xlabel) << "</text>\n";
    s << "<clipPath id=\"c" << p << "\"><rect x=\"" << ox << "\" y=\"" << oy << "\" width=\"" << pw
      << "\" height=\"" << ph << "\"/></clipPath>\n<g clip-path=\"url(#c" << p << ")\">\n";
    for (const Series& se : P.series) {
      if (se.dots) {
        for (size_t i = 0; i < se.x.size(); ++i)
          s << "<circle cx=\"" << Fmt("%.1f", X(se.x[i])) << "\" cy=\"" << Fmt("%.1f", Y(se.y[i])) << "\" r=\""
            << se.width << "\" fill=\"" << se.color << "\"/>";
        s << "\n";
        continue;
      }
      s << "<polyline fill=\"none\" stroke=\"" << se.color << "\" stroke-width=\"" << se.width << "\" points=\"";
      // More points than pixel columns: keep, per column, the first point, the extremes and the
      // last (in order), which draws the same picture with a fraction of the text.
      auto emit = [&](size_t i) {
        s << Fmt("%.1f", X(se.x[i])) << "," << Fmt("%.1f", std::clamp(Y(se.y[i]), oy - 1000, oy + ph + 1000)) << " ";
      };
      for (size_t i = 0; i < se.x.size();) {
        const long col = std::lround(X(se.x[i]));
        size_t e = i, lo_i = i, hi_i = i;
        while (e < se.x.size() && std::lround(X(se.x[e])) == col) {
          if (se.y[e] < se.y[lo_i]) lo_i = e;
          if (se.y[e] > se.y[hi_i]) hi_i = e;
          ++e;
        }
        size_t keep[4] = {i, std::min(lo_i, hi_i), std::max(lo_i, hi_i), e - 1};
        for (int k = 0; k < 4; ++k)
          if (k == 0 || keep[k] != keep[k - 1]) emit(keep[k]);
        i = e;
      }
      s << "\"/>\n";
    }
    s << "</g>\n";
    size_t chars = 0, rows = 0;
    for (const Series& se : P.series)
      if (!se.label.empty()) chars = std::max(chars, se.label.size()), ++rows;
    const double lw = 26 + 6.2 * chars, lx = ox + pw - lw - 4;
    if (rows)
      s << "<rect x=\"" << lx << "\" y=\"" << oy + 3 << "\" width=\"" << lw << "\" height=\"" << 13 * rows + 4
        << "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ddd\"/>\n";
    double ly = oy + 14;
    for (const Series& se : P.series) {
      if (se.label.empty()) continue;
      s << "<rect x=\"" << lx + 6 << "\" y=\"" << ly - 8 << "\" width=\"12\" height=\"8\" fill=\"" << se.color
        << "\"/><text x=\"" << lx + 22 << "\" y=\"" << ly << "\">" << XmlEscape(se.label) << "</text>\n";
      ly += 13;
    }
  }
  s << "</svg>\n";
  return s.str();
}

// --- signal helpers ---------------------------------------------------------------------------

// 10 log10(sum x^2 / sum (x - y)^2), the codec's definition (signal-lossy StepInfo::snr_db).
double SnrDb(const std::vector<double>& x, const std::vector<double>& y) {
  double e = 0, d = 0;
  for (size_t i = 0; i < x.size(); ++i) e += x[i] * x[i], d += (x[i] - y[i]) * (x[i] - y[i]);
  return d > 0 ? 10 * std::log10(e / d) : 200.0;
}
// The same about the segment's mean: 10 log10(sum (x - mean)^2 / sum (x - y)^2). An ECG sits on
// an offset (the ADC's zero, 1024 here) that carries most of sum x^2 and none of the waveform, so
// this is the figure that says how well the waveform is kept.
double WaveSnrDb(const std::vector<double>& x, const std::vector<double>& y) {
  double m = 0, e = 0, d = 0;
  for (double v : x) m += v;
  m /= x.size();
  for (size_t i = 0; i < x.size(); ++i) e += (x[i] - m) * (x[i] - m), d += (x[i] - y[i]) * (x[i] - y[i]);
  return d > 0 ? 10 * std::log10(e / d) : 200.0;
}

struct CodedSize {
  std::string name;
  size_t bytes = 0;
  bool verified = false;
};

dc_content SignalContent(const dc::extras::SignalFile& sf) {
  dc_content c{};
  c.kind = DC_KIND_SIGNAL;
  c.format = sf.format;
  c.data = reinterpret_cast<const uint8_t*>(sf.samples.data());
  c.size = sf.samples.size() * sizeof(int32_t);
  c.width = static_cast<uint32_t>(sf.frames);
  c.height = 1;
  c.channels = sf.channels;
  c.bit_depth = static_cast<uint32_t>(sf.bit_depth);
  c.side = sf.side.data();
  c.side_size = sf.side.size();
  return c;
}

// Our byte coders (huffman, lzw) through the library, decoded back and compared.
CodedSize OurBytes(dc_codec codec, const std::vector<uint8_t>& bytes) {
  dc_params p;
  dc_params_init(&p);
  p.codec = codec;
  dc_content c{};
  c.kind = DC_KIND_BYTES;
  c.format = DC_FORMAT_RAW;
  c.data = bytes.data();
  c.size = bytes.size();
  dc_buffer out{};
  CheckDc(dc_compress(&c, &p, &out, nullptr), dc_codec_name(codec));
  dc_decoded d{};
  CheckDc(dc_decompress(out.data, out.size, nullptr, &d), dc_codec_name(codec));
  CodedSize r{dc_codec_name(codec), out.size,
              d.content.size == bytes.size() && std::equal(bytes.begin(), bytes.end(), d.content.data)};
  dc_decoded_free(&d);
  dc_buffer_free(&out);
  return r;
}

// An external coder, run on the file and back; the round trip is compared byte for byte. Both
// files are removed afterwards.
// z: where the compressed file goes (never beside a read-only input).
CodedSize External(const std::string& name, const std::string& enc, const std::string& dec, const std::string& in,
                   const std::string& z) {
  const std::string back = z + ".back";
  if (std::system((enc + " < '" + in + "' > '" + z + "'").c_str()) != 0) Die(name + " failed");
  if (std::system((dec + " < '" + z + "' > '" + back + "'").c_str()) != 0) Die(name + " -d failed");
  CodedSize r{name, ReadFile(z).size(), ReadFile(back) == ReadFile(in)};
  std::remove(back.c_str());
  std::remove(z.c_str());
  return r;
}

// signal-lossless through the library; the decoded files rebuilt by the format layer and
// compared with the originals. stats may be null.
CodedSize OurSignal(const dc::extras::SignalFile& sf, const std::string& model, const std::string& out_path,
                    const std::vector<std::string>& originals, int threads, dc_stats* stats) {
  dc_params p;
  dc_params_init(&p);
  p.codec = DC_CODEC_SIGNAL_LOSSLESS;
  p.model_path = model.c_str();
  p.threads = threads;
  const dc_content c = SignalContent(sf);
  dc_buffer out{};
  CheckDc(dc_compress(&c, &p, &out, stats), "signal-lossless");
  dc_decoded d{};
  CheckDc(dc_decompress(out.data, out.size, &p, &d), "signal-lossless decode");
  auto files = dc::extras::BuildSignalFiles(d.content, out_path);
  Check(files.status(), "rebuilding the signal files");
  bool same = files->size() == originals.size();
  for (size_t i = 0; same && i < originals.size(); ++i) same = (*files)[i].second == ReadFile(originals[i]);
  CodedSize r{"signal-lossless", out.size, same};
  dc_decoded_free(&d);
  dc_buffer_free(&out);
  return r;
}

void PrintSizes(const std::string& what, const std::vector<CodedSize>& v, size_t raw_bytes, double samples) {
  std::printf("\n%s: %zu bytes, %.0f samples\n\n", what.c_str(), raw_bytes, samples);
  std::printf("| coder | bytes | bits per sample | x smallest baseline | round trip |\n|---|---|---|---|---|\n");
  size_t best = SIZE_MAX;
  for (const CodedSize& c : v)
    if (c.name != "signal-lossless") best = std::min(best, c.bytes);
  for (const CodedSize& c : v)
    std::printf("| %s | %zu | %.3f | %.3f | %s |\n", c.name.c_str(), c.bytes, 8.0 * c.bytes / samples,
                double(c.bytes) / best, c.verified ? "identical" : "DIFFERS");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--out") o.out = next();
    else if (a == "--record") o.record = next();
    else if (a == "--model") o.model = next();
    else if (a == "--channel") o.channel = static_cast<uint32_t>(std::stoul(next()));
    else if (a == "--start") o.start_s = std::stod(next());
    else if (a == "--seconds") o.seconds = std::stod(next());
    else if (a == "--max-snr") o.max_snr = std::stod(next());
    else if (a == "-T") o.threads = std::stoi(next());
    else if (a == "--whole-record") o.whole = true;
    else if (a == "-h" || a == "--help") {
      std::printf("usage: diffcomp-tutorial-1d --out DIR [--record FILE.hea|.wav] [--channel C] [--start S]\n"
                  "       [--seconds S] [--max-snr DB] [--model FILE.dcw] [--whole-record] [-T N]\n");
      return 0;
    } else Die("unknown argument " + a);
  }
  if (o.out.empty()) Die("--out DIR is required");
  if (std::system(("mkdir -p '" + o.out + "'").c_str()) != 0) Die("cannot create " + o.out);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  // ---------------------------------------------------------------- the segment ----------------
  auto rec = dc::extras::ReadSignalFile(o.record);
  Check(rec.status(), o.record.c_str());
  const dc::extras::SignalFile& sf = *rec;
  const double fs = sf.sample_rate > 0 ? sf.sample_rate : 1.0;
  if (o.channel >= sf.channels) Die("the record has " + std::to_string(sf.channels) + " channels");
  const uint64_t start = static_cast<uint64_t>(o.start_s * fs), n = static_cast<uint64_t>(o.seconds * fs);
  if (n < 16 || start + n > sf.frames) Die("segment out of the record");
  std::vector<int32_t> seg(n);
  std::vector<double> x(n), t(n);
  for (uint64_t i = 0; i < n; ++i) {
    seg[i] = sf.samples[(start + i) * sf.channels + o.channel];
    x[i] = seg[i];
    t[i] = double(start + i) / fs;
  }
  const auto [mn, mx] = std::minmax_element(x.begin(), x.end());
  const double lo = *mn - 0.15 * (*mx - *mn), hi = *mx + 0.15 * (*mx - *mn);
  std::printf("# diffcomp-tutorial-1d\n\nrecord %s, channel %u of %u, %.0f Hz, %d-bit samples\n", o.record.c_str(),
              o.channel, sf.channels, fs, sf.bit_depth);
  std::printf("segment: samples %llu..%llu (t = %.2f..%.2f s), %llu samples, values %d..%d\n",
              (unsigned long long)start, (unsigned long long)(start + n - 1), t.front(), t.back() + 1 / fs,
              (unsigned long long)n, int(*mn), int(*mx));
  // The segment as headerless int16 (the bytes every coder below gets).
  std::vector<uint8_t> s16(2 * n);
  for (uint64_t i = 0; i < n; ++i) s16[2 * i] = uint8_t(seg[i] & 0xFF), s16[2 * i + 1] = uint8_t((seg[i] >> 8) & 0xFF);
  const std::string seg_path = o.out + "/segment.s16";
  WriteBytes(seg_path, s16.data(), s16.size());

  // ---------------------------------------------------------------- lossy: encode once ---------
  // The inspection API (include/diffcomp/inspect.h) encodes the segment with signal-lossy as
  // dc_compress does and replays the decoder one diffusion step at a time (checked bit for bit
  // against the codec's prefix decoder inside the library).
  dc_params tp;
  dc_params_init(&tp);
  tp.threads = o.threads;
  tp.snr_db = o.max_snr;
  dc_slossy_trace* trace = nullptr;
  CheckDc(dc_slossy_trace_run(seg.data(), n, uint32_t(sf.bit_depth), &tp, &trace), "signal-lossy trace");
  std::unique_ptr<dc_slossy_trace, void (*)(dc_slossy_trace*)> trace_owner(trace, dc_slossy_trace_free);
  dc_slossy_trace_info ti;
  CheckDc(dc_slossy_trace_get_info(trace, &ti), "trace info");
  const std::vector<uint8_t> payload(ti.payload, ti.payload + ti.payload_size);
  const int L = int(ti.block_log2);
  const uint64_t blocks = ti.blocks;
  const size_t J = ti.steps;
  const size_t header_end = size_t(ti.header_bytes);
  std::vector<dc_slossy_trace_step> steps(J + 1);
  for (size_t j = 0; j <= J; ++j) CheckDc(dc_slossy_trace_get_step(trace, uint32_t(j), &steps[j]), "trace step");
  const auto sigma_at = [&](size_t j) { return dc_slossy_trace_sigma(trace, uint32_t(j)); };
  std::printf("\n## signal-lossy: one encode, %zu diffusion steps (stopped at %.0f dB or the schedule's end)\n\n", J,
              o.max_snr);
  std::printf("block DCT of %u samples (%llu blocks), chunk_bits %d, step_q %d (sigma^2 x %.4f per step), "
              "sigma_0 = %.1f\n",
              1u << L, (unsigned long long)blocks, ti.chunk_bits, ti.step_q, std::pow(2.0, -ti.step_q / 8.0),
              steps[0].sigma);
  std::printf("codec header (with the spectral envelope): %zu bytes = %.3f bits/sample; payload %zu bytes\n",
              header_end, 8.0 * header_end / n, payload.size());

  // ------------------------------------------------ forward diffusion (what the noise does) -----
  {
    double mean = 0, ex = 0;
    for (double v : x) mean += v / n;
    for (double v : x) ex += (v - mean) * (v - mean);
    const double power = ex / n;  // of the waveform (about its mean)
    std::vector<Panel> panels;
    panels.push_back({"x: the segment (" + std::to_string(n) + " samples)", {{t, x, "#000", ""}}, "", true, lo, hi});
    std::printf("\n### forward diffusion y = x + sigma eps (in the DCT domain; white noise in time too)\n\n");
    std::printf("| step j | sigma_j | waveform SNR of y_j (dB) |\n|---|---|---|\n");
    const int max_step = int(ti.max_steps);
    const auto sigma2 = [&](int j) { const double sg = sigma_at(size_t(j)); return sg * sg; };
    std::vector<int> show;
    for (double target : {-10.0, 0.0, 10.0, 20.0, 30.0}) {  // input SNRs to show, on the schedule
      int best = 0;
      for (int j = 0; j <= max_step; ++j)
        if (std::fabs(10 * std::log10(power / sigma2(j)) - target) <
            std::fabs(10 * std::log10(power / sigma2(best)) - target))
          best = j;
      show.push_back(best);
    }
    std::vector<double> yt(n);
    for (int j : show) {
      const double sigma = sigma_at(size_t(j));
      CheckDc(dc_slossy_trace_forward(trace, uint32_t(j), 0x7475746F, yt.data()), "forward diffusion");  // one fixed noise draw
      const double snr = WaveSnrDb(x, yt);
      std::printf("| %d | %.2f | %.1f |\n", j, sigma, snr);
      panels.push_back({"y at step " + std::to_string(j) + ": sigma = " + Fmt("%.1f", sigma) + ", SNR " +
                            Fmt("%.1f", snr) + " dB (waveform)",
                        {{t, x, "#ccc", ""}, {t, yt, "#d62728", "", 0.9}},
                        "",
                        true,
                        lo,
                        hi});
    }
    panels.back().xlabel = "time (s)";
    WriteFile(o.out + "/forward.svg",
              RenderLines("Forward diffusion of the segment (red: y = x + sigma eps; grey: x)", panels, 900, 110));
  }

  // ---------------------------------- reverse: every prefix of whole steps ---------------------
  // decoded[j]: the decoder's output from the first j steps (j = 0: nothing sent but the header);
  // held[j]: what the decoder holds then (y_j, unrounded, in the time domain).
  std::vector<std::vector<int32_t>> decoded(J + 1);
  std::vector<std::vector<double>> held(J + 1), denoised(J + 1);
  std::vector<size_t> prefix(J + 1);
  for (size_t j = 0; j <= J; ++j) {
    prefix[j] = size_t(steps[j].payload_end);
    decoded[j].assign(steps[j].decoded, steps[j].decoded + n);
    held[j].assign(steps[j].held, steps[j].held + n);
    denoised[j].assign(decoded[j].begin(), decoded[j].end());
  }
  std::vector<double> snr(J + 1), wsnr(J + 1), bps(J + 1);
  for (size_t j = 0; j <= J; ++j)
    snr[j] = SnrDb(x, denoised[j]), wsnr[j] = WaveSnrDb(x, denoised[j]), bps[j] = 8.0 * prefix[j] / n;

  // Full table to rd.tsv; a readable subset on stdout.
  {
    std::ostringstream tsv;
    tsv << "step\tsigma\tcoded_coefs\tchunks\tkl_bits\tsegment_bits\tcumulative_bits\tbits_per_sample\tsnr_db\t"
           "wave_snr_db\n";
    tsv << "0\t" << Num(steps[0].sigma) << "\t0\t0\t0\t0\t" << 8 * prefix[0] << "\t" << Num(bps[0])
        << "\t" << Num(snr[0]) << "\t" << Num(wsnr[0]) << "\n";
    std::printf("\n### what each step costs and what the decoder gets (every %zu-th step; all in rd.tsv)\n\n",
                std::max<size_t>(1, (J + 11) / 12));
    std::printf("| step | sigma | coded coefs | chunks | KL (bits) | step bits | total bits | bits/sample | SNR (dB) | waveform SNR (dB) |\n"
                "|---|---|---|---|---|---|---|---|---|---|\n");
    std::printf("| 0 (header) | %.1f | | | | %zu | %zu | %.3f | %.2f | %.2f |\n", steps[0].sigma,
                8 * prefix[0], 8 * prefix[0], bps[0], snr[0], wsnr[0]);
    const size_t every = std::max<size_t>(1, (J + 11) / 12);
    for (size_t j = 1; j <= J; ++j) {
      const dc_slossy_trace_step& si = steps[j];
      const size_t step_bits = 8 * (prefix[j] - prefix[j - 1]);
      tsv << j << "\t" << Num(si.sigma) << "\t" << si.coded_coefs << "\t" << si.chunks << "\t"
          << Num(si.kl_bits) << "\t" << step_bits << "\t" << 8 * prefix[j] << "\t" << Num(bps[j]) << "\t"
          << Num(snr[j]) << "\t" << Num(wsnr[j]) << "\n";
      if (j % every == 0 || j == J)
        std::printf("| %zu | %.2f | %u | %u | %.1f | %zu | %zu | %.3f | %.2f | %.2f |\n", j, si.sigma,
                    si.coded_coefs, si.chunks, si.kl_bits, step_bits, 8 * prefix[j], bps[j], snr[j], wsnr[j]);
    }
    WriteFile(o.out + "/rd.tsv", tsv.str());
    double kl = 0, mean = 0, ac = 0;
    for (size_t j = 1; j <= J; ++j) kl += steps[j].kl_bits;
    for (double v : x) mean += v / n;
    for (double v : x) ac += (v - mean) * (v - mean) / n;
    size_t zero = J;  // the first step whose output has a waveform SNR of 0 dB
    for (size_t j = 0; j <= J; ++j)
      if (wsnr[j] >= 0) {
        zero = j;
        break;
      }
    std::printf("\nsteps 1..%zu: KL %.0f bits, coded %zu bits (x %.2f); codec header %zu bits\n", J, kl,
                8 * (prefix[J] - prefix[0]), 8.0 * (prefix[J] - prefix[0]) / kl, 8 * prefix[0]);
    std::printf("the segment's mean is %.1f and its waveform rms %.1f: SNR - waveform SNR = %.2f dB at every step\n",
                mean, std::sqrt(ac), 10 * std::log10((ac + mean * mean) / ac));
    std::printf("the first %zu steps (until the waveform SNR reaches 0 dB) cost %zu bits = %.3f bits/sample\n", zero,
                8 * prefix[zero], bps[zero]);
    // What one step puts on the wire: its length, then the chunk count C and the rANS stream of
    // the C candidate indices (docs/rcc.md).
    const size_t k = std::min<size_t>(J, 40);
    std::printf("step %zu on the wire (%zu bytes):", k, prefix[k] - prefix[k - 1]);
    for (size_t b = prefix[k - 1]; b < prefix[k]; ++b) std::printf(" %02x", payload[b]);
    std::printf("  (length %zu, then C = %u chunks and their indices)\n", size_t(steps[k].segment_bytes),
                steps[k].chunks);
  }

  // The public path: dc_compress must give this payload, dc_truncate + dc_decompress the same
  // reconstruction as DecodeSignal on the prefix.
  size_t mid = J;  // the first step with a waveform SNR of 15 dB: the reconstruction figure shows it
  for (size_t j = 0; j <= J; ++j)
    if (wsnr[j] >= 15) {
      mid = j;
      break;
    }
  {
    dc::extras::SignalFile segf;
    auto sr = dc::extras::ReadSignalFile(seg_path, DC_FORMAT_RAW_S16LE, 1);
    Check(sr.status(), "segment.s16");
    segf = std::move(sr).value();
    segf.bit_depth = sf.bit_depth;  // the record's depth (12), as the codec was given above
    dc_params p;
    dc_params_init(&p);
    p.codec = DC_CODEC_SIGNAL_LOSSY;
    p.snr_db = o.max_snr;
    p.threads = o.threads;
    const dc_content c = SignalContent(segf);
    dc_buffer full{}, cut{};
    CheckDc(dc_compress(&c, &p, &full, nullptr), "dc_compress signal-lossy");
    dc_info info{};
    CheckDc(dc_read_info(full.data, full.size, &info), "dc_read_info");
    if (info.payload_size != payload.size()) Die("dc_compress made another payload size");
    const size_t overhead = full.size - payload.size();
    const double rate = (8.0 * (overhead + prefix[mid]) + 4) / n;
    CheckDc(dc_truncate(full.data, full.size, rate, &cut), "dc_truncate");
    dc_decoded d{};
    CheckDc(dc_decompress(cut.data, cut.size, &p, &d), "dc_decompress");
    const int32_t* ds = reinterpret_cast<const int32_t*>(d.content.data);
    if (d.content.size != 4 * n || !std::equal(decoded[mid].begin(), decoded[mid].end(), ds))
      Die("dc_truncate + dc_decompress differ from the prefix decode");
    std::printf("\npublic API check: dc_compress gives the same %zu-byte payload (container %zu bytes: %zu bytes of "
                "container fields); dc_truncate at %.4f bits/sample keeps %zu steps and decodes to the same samples\n",
                payload.size(), full.size, overhead, rate, mid);
    dc_decoded_free(&d);
    dc_buffer_free(&cut);
    dc_buffer_free(&full);
  }

  // Figures: the reverse trajectory, the rate-distortion curve, the reconstruction.
  {
    std::vector<size_t> show = {0};
    for (double target : {0.0, 5.0, 10.0, 15.0})
      for (size_t j = 0; j <= J; ++j)
        if (wsnr[j] >= target) {
          if (j != show.back()) show.push_back(j);
          break;
        }
    if (show.back() != J) show.push_back(J);
    std::vector<Panel> panels;
    for (size_t j : show)
      panels.push_back({"after step " + std::to_string(j) + ": " + Fmt("%.3f", bps[j]) + " bits/sample, waveform SNR " +
                            Fmt("%.1f", wsnr[j]) + " dB (sigma_j = " +
                            Fmt("%.1f", sigma_at(j)) + ")",
                        {{t, held[j], "#f4a6a6", "held: y_j", 0.8},
                         {t, x, "#bbb", "original x", 1.0},
                         {t, denoised[j], "#1f77b4", "decoded: denoised y_j", 1.3}},
                        "",
                        true,
                        lo,
                        hi});
    panels.back().xlabel = "time (s)";
    WriteFile(o.out + "/reverse.svg",
              RenderLines("Reverse trajectory: what the decoder holds after j coded steps, and its output", panels,
                          900, 120));

    Series rd{bps, snr, "#1f77b4", "SNR (codec's definition)", 1.6};
    Series rdd{bps, snr, "#1f77b4", "", 2.0, true};
    Series rw{bps, wsnr, "#d62728", "waveform SNR (about the mean)", 1.6};
    Series rwd{bps, wsnr, "#d62728", "", 2.0, true};
    std::vector<double> js, step_bits, kl;
    for (size_t j = 1; j <= J; ++j) {
      js.push_back(double(j));
      step_bits.push_back(8.0 * (prefix[j] - prefix[j - 1]));
      kl.push_back(steps[j].kl_bits);
    }
    // The lossless codec's rate on the same segment, for reference (exact reconstruction).
    dc_stats lst{};
    {
      auto sr = dc::extras::ReadSignalFile(seg_path, DC_FORMAT_RAW_S16LE, 1);
      Check(sr.status(), "segment.s16");
      OurSignal(*sr, o.model, o.out + "/segment.back.s16", {seg_path}, o.threads, &lst);
      std::remove((o.out + "/segment.back.s16").c_str());
    }
    const double lbps = 8.0 * lst.container_size / n;
    const double top = *std::max_element(snr.begin(), snr.end());
    Series ll{{lbps, lbps}, {wsnr.front(), top}, "#2ca02c",
              "signal-lossless: " + Fmt("%.3f", lbps) + " bits/sample, exact", 1.2};
    std::vector<Panel> rdp = {
        {"SNR of the decoded segment (dB) against bits per sample (every prefix of whole steps)", {rd, rdd, rw, rwd, ll},
         "bits per sample (codec header + steps)"},
        {"bits per step: coded (blue) and KL(q || p) of the step (orange)",
         {{js, step_bits, "#1f77b4", "coded bits", 1.4}, {js, kl, "#ff7f0e", "KL bits", 1.0}},
         "diffusion step j"}};
    WriteFile(o.out + "/rd.svg", RenderLines("signal-lossy on the segment: rate and distortion", rdp, 900, 200));

    const uint64_t zoom = std::min<uint64_t>(n, static_cast<uint64_t>(fs));
    const std::vector<double> tz(t.begin(), t.begin() + zoom), xz(x.begin(), x.begin() + zoom);
    std::vector<double> e1(n), e2(n);
    for (uint64_t i = 0; i < n; ++i) e1[i] = denoised[mid][i] - x[i], e2[i] = denoised[J][i] - x[i];
    std::vector<Panel> rp = {
        {"step " + std::to_string(mid) + ": " + Fmt("%.3f", bps[mid]) + " bits/sample, waveform SNR " +
             Fmt("%.1f", wsnr[mid]) + " dB",
         {{t, x, "#000", "original", 1.0}, {t, denoised[mid], "#1f77b4", "decoded", 1.2}}, "", true, lo, hi},
        {"the first second, zoomed: original, step " + std::to_string(mid) + " and step " + std::to_string(J) + " (" +
             Fmt("%.3f", bps[J]) + " bits/sample, waveform SNR " + Fmt("%.1f", wsnr[J]) + " dB)",
         {{tz, xz, "#000", "original", 1.6},
          {tz, std::vector<double>(denoised[mid].begin(), denoised[mid].begin() + zoom), "#1f77b4",
           "step " + std::to_string(mid), 1.1},
          {tz, std::vector<double>(denoised[J].begin(), denoised[J].begin() + zoom), "#2ca02c",
           "step " + std::to_string(J), 1.1}},
         "time (s)", true, lo, hi},
        {"error (decoded - original)",
         {{t, e1, "#1f77b4", "step " + std::to_string(mid), 1.0}, {t, e2, "#2ca02c", "step " + std::to_string(J), 1.0}},
         "time (s)"}};
    WriteFile(o.out + "/reconstruction.svg", RenderLines("Reconstruction beside the original", rp, 900, 150));
  }

  // ---------------------------------------------------------------- lossless --------------------
  std::printf("\n## lossless: the same segment as headerless little-endian int16 (segment.s16, a scratch file)\n");
  {
    auto sr = dc::extras::ReadSignalFile(seg_path, DC_FORMAT_RAW_S16LE, 1);
    Check(sr.status(), "segment.s16");
    dc_stats st{};
    std::vector<CodedSize> v;
    v.push_back(OurSignal(*sr, o.model, o.out + "/segment.back.s16", {seg_path}, o.threads, &st));
    v.push_back(OurBytes(DC_CODEC_HUFFMAN, s16));
    v.push_back(OurBytes(DC_CODEC_LZW, s16));
    v.push_back(External("zstd -19", "zstd -19 -q -c", "zstd -d -q -c", seg_path, seg_path + ".zst"));
    v.push_back(External("xz -9e", "xz -9e -c", "xz -d -c", seg_path, seg_path + ".xz"));
    v.push_back(External("bzip2 -9", "bzip2 -9 -c", "bzip2 -d -c", seg_path, seg_path + ".bz2"));
    std::remove((o.out + "/segment.back.s16").c_str());
    PrintSizes("segment.s16", v, s16.size(), double(n));
    std::vector<dc::bench::SvgBar> bars;
    for (const CodedSize& c : v)
      bars.push_back({c.name, 8.0 * c.bytes / n, Fmt("%.3f", 8.0 * c.bytes / n), c.name == "signal-lossless" ? 1 : 0});
    dc::bench::SvgChart chart{"Lossless: bits per sample on the same bytes (lower is better)",
                              {{"segment: " + std::to_string(n) + " samples as int16", bars}}, 900};

    // The masking view: which samples each dyadic level reveals and what they cost.
    int top = 0;
    while ((uint64_t{1} << (top + 1)) < n) ++top;
    std::printf("\n### signal-lossless, level by level (model NLL in bits; one block of %llu samples)\n\n",
                (unsigned long long)n);
    std::printf("| stage | stride | samples revealed | known after | NLL bits | bits per revealed sample |\n"
                "|---|---|---|---|---|---|\n");
    std::printf("| base (sample 0, raw) | | 1 | 1 | %.1f | %.2f |\n", st.level_nll_bits[23], st.level_nll_bits[23]);
    uint64_t known = 1;
    double total = st.level_nll_bits[23];
    // The figure zooms on the first second (the counts and bits are the whole segment's).
    const uint64_t zoom = std::min<uint64_t>(n, static_cast<uint64_t>(fs));
    const std::vector<double> tz(t.begin(), t.begin() + zoom), xz(x.begin(), x.begin() + zoom);
    std::vector<Panel> lp;
    for (int l = top; l >= 0; --l) {
      const uint64_t s = uint64_t{1} << l;
      std::vector<double> kt, kx, rt, rx;
      uint64_t revealed = 0;
      for (uint64_t i = 0; i < zoom; i += 2 * s) kt.push_back(t[i]), kx.push_back(x[i]);
      for (uint64_t i = s; i < n; i += 2 * s, ++revealed)
        if (i < zoom) rt.push_back(t[i]), rx.push_back(x[i]);
      known += revealed;
      total += st.level_nll_bits[l];
      std::printf("| level %d | %llu | %llu | %llu | %.1f | %.2f |\n", l, (unsigned long long)s,
                  (unsigned long long)revealed, (unsigned long long)known, st.level_nll_bits[l],
                  st.level_nll_bits[l] / revealed);
      if (l <= 5)
        lp.push_back({"level " + std::to_string(l) + " (stride " + std::to_string(s) + "): reveals the red samples given the black; " +
                          "over the segment " + std::to_string(revealed) + " samples, " +
                          Fmt("%.0f", st.level_nll_bits[l]) + " bits = " + Fmt("%.2f", st.level_nll_bits[l] / revealed) +
                          " per sample",
                      {{tz, xz, "#e6e6e6", "", 1.0}, {kt, kx, "#000", "", 2.2, true}, {rt, rx, "#d62728", "", 2.2, true}},
                      l == 0 ? "time (s)" : "",
                      true,
                      lo,
                      hi});
    }
    std::printf("| all | | | %llu | %.1f | %.3f |\n", (unsigned long long)known, total, total / n);
    std::printf("\nmodel NLL %.1f bits; coded payload %llu bytes = %.1f bits; container %llu bytes\n",
                st.model_nll_bits, (unsigned long long)st.payload_size, 8.0 * st.payload_size,
                (unsigned long long)st.container_size);
    WriteFile(o.out + "/levels.svg",
              RenderLines("signal-lossless reveals the segment level by level: its first second, levels 5 to 0 of " +
                              std::to_string(top + 1),
                          lp, 900, 110));

    if (o.whole) {
      const std::string dat = o.record.substr(0, o.record.size() - 4) + ".dat";
      const std::vector<uint8_t> dat_bytes = ReadFile(dat);
      const double samples = double(sf.frames) * sf.channels;
      std::vector<CodedSize> w;
      const std::string back = o.out + "/record.back.hea";
      w.push_back(OurSignal(sf, o.model, back, {o.record, dat}, o.threads, nullptr));
      w.push_back(OurBytes(DC_CODEC_HUFFMAN, dat_bytes));
      w.push_back(OurBytes(DC_CODEC_LZW, dat_bytes));
      w.push_back(External("zstd -19", "zstd -19 -q -c", "zstd -d -q -c", dat, o.out + "/record.dat.zst"));
      w.push_back(External("xz -9e", "xz -9e -c", "xz -d -c", dat, o.out + "/record.dat.xz"));
      w.push_back(External("bzip2 -9", "bzip2 -9 -c", "bzip2 -d -c", dat, o.out + "/record.dat.bz2"));
      PrintSizes("the whole record (" + dat + "; signal-lossless codes the .hea + .dat pair)", w, dat_bytes.size(),
                 samples);
      std::vector<dc::bench::SvgBar> wb;
      for (const CodedSize& c : w)
        wb.push_back({c.name, 8.0 * c.bytes / samples, Fmt("%.3f", 8.0 * c.bytes / samples),
                      c.name == "signal-lossless" ? 1 : 0});
      chart.panels.push_back({"whole record: " + Num(samples) + " samples (format-212 .dat)", wb});
    }
    WriteFile(o.out + "/lossless.svg", dc::bench::RenderBarChartSvg(chart));
  }
  std::remove(seg_path.c_str());  // scratch: only the figures and rd.tsv stay
  std::printf("\nfigures: %s/{forward,reverse,rd,reconstruction,levels,lossless}.svg; table: %s/rd.tsv\n",
              o.out.c_str(), o.out.c_str());
  return 0;
}
