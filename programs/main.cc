// diffcomp command-line tool: a thin client of the public API (include/diffcomp/) plus the
// file-format helpers in extras/. Exit codes are the dc_error values (README).
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "diffcomp/diffcomp.h"
#include "diffcomp/extras.h"
#include "programs/bench.h"

namespace {

using dc::extras::FileType;
using json = nlohmann::json;

struct Global {
  int verbosity = 1;  // 0 quiet, 1 normal, 2 verbose
  bool json = false;
};
Global g;

int Fail(dc_error e, const std::string& what) {
  std::fprintf(stderr, "diffcomp: %s: %s (%s)\n", what.c_str(), dc_last_error_message(), dc_error_name(e));
  return static_cast<int>(e);
}
int Fail(const dc::Status& s, const std::string& what) {
  std::fprintf(stderr, "diffcomp: %s: %s (%s)\n", what.c_str(), s.message().c_str(), dc_error_name(s.code()));
  return static_cast<int>(s.code());
}

// Progress on a terminal only, never in --json or -q mode. The units differ by codec (tiles,
// blocks, diffusion steps, frames), so the line shows the share done and the count.
void Progress(void* opaque, uint64_t done, uint64_t total) {
  const auto* name = static_cast<const std::string*>(opaque);
  std::fprintf(stderr, "\r%s: %3.0f%% (%llu/%llu)", name->c_str(), total ? 100.0 * done / total : 100.0,
               (unsigned long long)done, (unsigned long long)total);
  if (done == total) std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}
bool ShowProgress() { return g.verbosity > 0 && !g.json && isatty(STDERR_FILENO); }

std::string Basename(const std::string& p) {
  const auto s = p.find_last_of('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

// True if both paths name one existing file (same device and inode, symlinks followed): writing
// the output there would replace the input, which diffcomp never does, even with -f.
bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

// True if writing `out` would replace an existing file, which needs -f. A device or FIFO
// (-o /dev/null) is written into, not replaced, so it needs none.
bool OutputTaken(const std::string& out) {
  return dc::extras::FileExists(out) && !dc::extras::IsSpecialFile(out);
}

// "-" names standard input (as an input) or standard output (as -o).
bool IsStd(const std::string& p) { return p == "-"; }
std::string Label(const std::string& p) { return IsStd(p) ? "(stdin)" : p; }

dc::StatusOr<std::vector<uint8_t>> ReadInput(const std::string& in) {
  if (!IsStd(in)) return dc::extras::ReadFile(in);
  std::vector<uint8_t> v;
  uint8_t buf[1 << 16];
  for (;;) {
    const size_t n = std::fread(buf, 1, sizeof(buf), stdin);
    v.insert(v.end(), buf, buf + n);
    if (v.size() > DC_MAX_BYTES_INPUT) return dc::Error(DC_ERR_TOO_LARGE, "standard input is larger than 4 GiB");
    if (n < sizeof(buf)) break;
  }
  if (std::ferror(stdin)) return dc::Error(DC_ERR_IO, "cannot read standard input");
  return v;
}

// Standard output gets the whole result in one go, after it was made (nothing on error); a file
// is written atomically (a temporary renamed over it).
dc::Status WriteOutput(const std::string& out, const uint8_t* data, size_t size, bool force) {
  if (!IsStd(out)) return dc::extras::WriteFileAtomic(out, data, size, force);
  if (size && std::fwrite(data, 1, size, stdout) != size) return dc::Error(DC_ERR_IO, "cannot write standard output");
  if (std::fflush(stdout) != 0) return dc::Error(DC_ERR_IO, "cannot write standard output");
  return dc::Status::Ok();
}

// Refuses binary data to a terminal (as zstd and gzip do) unless -f.
dc::Status CheckOutput(const std::string& in, const std::string& out, bool force) {
  if (IsStd(out)) {
    if (!force && isatty(STDOUT_FILENO))
      return dc::Error(DC_ERR_INVALID_ARGUMENT, "not writing binary data to a terminal (use -o FILE, a pipe, or -f)");
    if (g.json) return dc::Error(DC_ERR_INVALID_ARGUMENT, "--json prints on standard output; it cannot take -o -");
    return dc::Status::Ok();
  }
  if (!IsStd(in) && SameFile(in, out)) return dc::Error(DC_ERR_INVALID_ARGUMENT, "output " + out + " is the input file");
  if (!force && OutputTaken(out))
    return dc::Error(DC_ERR_EXISTS, out + " already exists; use -f to overwrite");
  return dc::Status::Ok();
}

// --rm: removes the input after its output was written (never standard input; -k wins).
void RemoveInput(const std::string& in, bool rm, bool keep) {
  if (rm && !keep && !IsStd(in) && !dc::extras::IsSpecialFile(in) && std::remove(in.c_str()) != 0)
    std::fprintf(stderr, "diffcomp: %s: cannot remove the input\n", in.c_str());
}

struct CompressOpts {
  uint64_t memory_limit_mib = 0;  // 0: the library's default (2 GiB)
  std::string codec, out, model;
  bool force = false, keep = false, rm = false;
  int threads = 0;
  uint32_t tile = 0;
  double bpp = 0, quality = 0;  // image-lossy rate
  double snr_db = 0, bits_per_sample = 0;  // signal-lossy rate
  std::string raw;               // headerless signal input: s16le or s32le
  uint32_t raw_channels = 1;
  std::string video_size, video_fps;  // raw I420 input: --size WxH --fps F
  uint32_t keyint = 0;
  std::vector<std::string> inputs;
};

int CompressOne(const CompressOpts& o, const std::string& in, json* records) {
  auto bytes = ReadInput(in);
  if (!bytes.ok()) return Fail(bytes.status(), Label(in));
  const FileType type = dc::extras::DetectFileType(bytes->data(), bytes->size());
  const bool is_image = type == FileType::kPng || type == FileType::kPpm || type == FileType::kPgm;
  const bool is_signal = !o.raw.empty() || (!is_image && dc::extras::IsSignalPath(in)) ||
                         (bytes->size() >= 12 && std::memcmp(bytes->data(), "RIFF", 4) == 0);
  const bool is_video = !o.video_size.empty() || dc::extras::IsY4m(bytes->data(), bytes->size());
  std::string codec_name = o.codec.empty() ? (is_video ? "video-lossless" : is_image ? "image-lossless" : is_signal ? "signal-lossless" : "lzw") : o.codec;
  dc_codec codec;
  if (dc_error e = dc_codec_from_name(codec_name.c_str(), &codec)) return Fail(e, in);

  dc_params p;
  dc_params_init(&p);
  p.codec = codec;
  p.threads = o.threads;
  p.memory_limit = o.memory_limit_mib << 20;
  p.tile_size = o.tile;
  p.bpp = o.bpp;
  p.quality = o.quality;
  p.keyint = o.keyint;
  p.snr_db = o.snr_db;
  p.bits_per_sample = o.bits_per_sample;
  p.model_path = o.model.empty() ? nullptr : o.model.c_str();
  const std::string label = Basename(in);
  if (ShowProgress()) {
    p.progress = Progress;
    p.progress_opaque = const_cast<std::string*>(&label);
  }
  dc_content c{};
  dc::extras::Image img;
  dc::extras::SignalFile sig;
  dc::extras::VideoFile vid;
  if (codec == DC_CODEC_VIDEO_LOSSLESS || codec == DC_CODEC_VIDEO_LOSSY) {
    uint32_t rw = 0, rh = 0;
    if (!o.video_size.empty()) {
      if (o.video_fps.empty()) return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "raw I420 input needs --size WxH and --fps F"), in);
      if (const dc::Status s = dc::extras::ParseSize(o.video_size, &rw, &rh); !s.ok()) return Fail(s, in);
    } else if (!is_video) {
      return Fail(dc::Error(DC_ERR_UNSUPPORTED_FORMAT, std::string(dc_codec_name(codec)) +
                                                          " needs a Y4M file, or raw I420 with --size WxH --fps F"), in);
    }
    auto v = dc::extras::ParseVideo(bytes->data(), bytes->size(), rw, rh, o.video_fps);
    if (!v.ok()) return Fail(v.status(), in);
    vid = std::move(v).value();
    c = vid.Content();
  } else if (codec == DC_CODEC_SIGNAL_LOSSLESS || codec == DC_CODEC_SIGNAL_LOSSY) {
    dc_format raw = DC_FORMAT_RAW;
    if (o.raw == "s16le") raw = DC_FORMAT_RAW_S16LE;
    else if (o.raw == "s32le") raw = DC_FORMAT_RAW_S32LE;
    else if (!o.raw.empty()) return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "--raw takes s16le or s32le"), in);
    auto sf = IsStd(in) ? dc::extras::ReadSignalBytes(*bytes, in, raw, o.raw_channels)
                        : dc::extras::ReadSignalFile(in, raw, o.raw_channels);
    if (!sf.ok()) return Fail(sf.status(), in);
    sig = std::move(sf).value();
    c.kind = DC_KIND_SIGNAL;
    c.format = sig.format;
    c.data = reinterpret_cast<const uint8_t*>(sig.samples.data());
    c.size = sig.samples.size() * sizeof(int32_t);
    c.width = static_cast<uint32_t>(std::min<uint64_t>(sig.frames, UINT32_MAX));
    c.height = 1;
    c.channels = sig.channels;
    c.bit_depth = static_cast<uint32_t>(sig.bit_depth);
    c.side = sig.side.data();
    c.side_size = sig.side.size();
  } else if (codec == DC_CODEC_IMAGE_LOSSLESS || codec == DC_CODEC_IMAGE_LOSSY) {
    if (!is_image)
      return Fail(dc::Error(DC_ERR_UNSUPPORTED_FORMAT, std::string(dc_codec_name(codec)) + " needs a PNG, PPM or PGM image, got " +
                                                          dc::extras::FileTypeName(type)), in);
    auto im = dc::extras::DecodeImage(bytes->data(), bytes->size());
    if (!im.ok()) return Fail(im.status(), in);
    img = std::move(im).value();
    c.kind = DC_KIND_IMAGE;
    c.format = type == FileType::kPng ? DC_FORMAT_PNG : type == FileType::kPpm ? DC_FORMAT_PPM : DC_FORMAT_PGM;
    c.data = img.pixels.data();
    c.size = img.pixels.size();
    c.width = img.width;
    c.height = img.height;
    c.channels = img.channels;
    c.bit_depth = 8;
  } else {
    c.kind = DC_KIND_BYTES;
    c.format = DC_FORMAT_RAW;
    c.data = bytes->data();
    c.size = bytes->size();
  }
  const std::string out = o.out.empty() ? (IsStd(in) ? "-" : in + ".dfc") : o.out;
  if (const dc::Status cs = CheckOutput(in, out, o.force); !cs.ok()) return Fail(cs, Label(in));
  dc_buffer buf{};
  dc_stats st{};
  if (dc_error e = dc_compress(&c, &p, &buf, &st)) return Fail(e, Label(in));
  const dc::Status ws = WriteOutput(out, buf.data, buf.size, o.force);
  const size_t size = buf.size;
  dc_buffer_free(&buf);
  if (!ws.ok()) return Fail(ws, out);
  RemoveInput(in, o.rm, o.keep);
  if (IsStd(out)) return 0;  // standard output carries the data: no report there

  if (c.kind == DC_KIND_VIDEO) {  // rate: bits per pixel (luma position) and per frame
    const double px = static_cast<double>(c.width) * c.height * c.frames;
    json r = {{"input", in}, {"output", out}, {"codec", dc_codec_name(codec)}, {"input_bytes", bytes->size()},
              {"output_bytes", size}, {"frames", c.frames}, {"width", c.width}, {"height", c.height},
              {"chroma", c.chroma}, {"rate", 8.0 * size / px}, {"rate_unit", "bits/pixel"},
              {"bytes_per_frame", static_cast<double>(size) / c.frames}};
    const bool vlossy = codec == DC_CODEC_VIDEO_LOSSY;
    if (vlossy) r["lossy"] = true;
    else r["model_nll_bits"] = st.model_nll_bits;
    if (g.json) records->push_back(r);
    else if (g.verbosity > 0 && vlossy)
      std::printf("%s: %u frames %ux%u %u -> %zu bytes, %.4f bits/pixel (lossy) [%s] -> %s\n", in.c_str(), c.frames,
                  c.width, c.height, c.chroma, size, 8.0 * size / px, dc_codec_name(codec), out.c_str());
    else if (g.verbosity > 0)
      std::printf("%s: %u frames %ux%u %u -> %zu bytes, %.4f bits/pixel (model NLL %.4f) [%s] -> %s\n", in.c_str(),
                  c.frames, c.width, c.height, c.chroma, size, 8.0 * size / px, st.model_nll_bits / px,
                  dc_codec_name(codec), out.c_str());
    return 0;
  }
  const bool img_kind = c.kind == DC_KIND_IMAGE, sig_kind = c.kind == DC_KIND_SIGNAL;
  // Lossy codecs have no likelihood to report; images are rated per pixel (the --bpp unit).
  const bool lossy = codec == DC_CODEC_IMAGE_LOSSY || codec == DC_CODEC_SIGNAL_LOSSY;
  if (lossy) {
    const double n = img_kind ? static_cast<double>(c.width) * c.height : static_cast<double>(sig.samples.size());
    const double lrate = n > 0 ? 8.0 * size / n : 0.0;
    const char* unit = img_kind ? "bits/pixel" : "bits/sample";
    json r = {{"input", in}, {"output", out}, {"codec", dc_codec_name(codec)}, {"input_bytes", bytes->size()},
              {"output_bytes", size}, {"rate", lrate}, {"rate_unit", unit}, {"lossy", true}};
    if (g.json) records->push_back(r);
    else if (g.verbosity > 0)
      std::printf("%s: -> %zu bytes, %.4f %s (lossy) [%s] -> %s\n", in.c_str(), size, lrate, unit,
                  dc_codec_name(codec), out.c_str());
    return 0;
  }
  const double units = img_kind ? static_cast<double>(c.size)
                       : sig_kind ? static_cast<double>(sig.samples.size())
                                  : static_cast<double>(bytes->size());
  const double rate = units > 0 ? 8.0 * size / units : 0.0;
  json r = {{"input", in}, {"output", out}, {"codec", dc_codec_name(codec)}, {"input_bytes", bytes->size()},
            {"output_bytes", size}, {"rate", rate},
            {"rate_unit", img_kind ? "bits/sub-pixel" : sig_kind ? "bits/sample" : "bits/byte"}};
  if (sig_kind) {
    r["frames"] = sig.frames;
    r["channels"] = sig.channels;
    r["bit_depth"] = sig.bit_depth;
    r["model_nll_bits"] = st.model_nll_bits;
    r["model_nll_rate"] = st.model_nll_bits / units;
    r["quantised_model_bits"] = st.model_bits;
    json lv = json::array();
    for (int l = 0; l < 23; ++l) lv.push_back(st.level_nll_bits[l]);
    r["level_nll_bits"] = lv;  // level l reveals frames at odd multiples of 2^l; 0 = finest
    r["base_bits"] = st.level_nll_bits[23];
  }
  if (img_kind) {
    r["width"] = c.width;
    r["height"] = c.height;
    r["channels"] = c.channels;
    r["model_nll_bits"] = st.model_nll_bits;
    r["model_nll_rate"] = st.model_nll_bits / units;
    r["quantised_model_bits"] = st.model_bits;
    json lv = json::array();
    int last = 23;
    while (last > 0 && st.level_nll_bits[last] == 0) --last;
    for (int l = 0; l <= last; ++l) lv.push_back(st.level_nll_bits[l]);
    r["level_nll_bits"] = lv;
    r["stage_nll_bits"] = {st.stage_nll_bits[0], st.stage_nll_bits[1], st.stage_nll_bits[2]};
  }
  if (g.json) {
    records->push_back(r);
  } else if (g.verbosity > 0) {
    if (img_kind)
      std::printf("%s: %ux%ux%u -> %zu bytes, %.4f bpsp (model NLL %.4f) [%s] -> %s\n", in.c_str(), c.width, c.height,
                  c.channels, size, rate, st.model_nll_bits / units, dc_codec_name(codec), out.c_str());
    else if (sig_kind)
      std::printf("%s: %llu x %u samples, %d-bit -> %zu bytes, %.4f bits/sample (model NLL %.4f) [%s] -> %s\n",
                  in.c_str(), (unsigned long long)sig.frames, sig.channels, sig.bit_depth, size, rate,
                  st.model_nll_bits / units, dc_codec_name(codec), out.c_str());
    else
      std::printf("%s: %zu -> %zu bytes (%.2f%%, %.4f bits/byte) [%s] -> %s\n", in.c_str(), bytes->size(), size,
                  bytes->empty() ? 0.0 : 100.0 * size / bytes->size(), rate, dc_codec_name(codec), out.c_str());
    if (img_kind && g.verbosity > 1) {
      // -v: where the model's bits go, per pyramid level (0 = full resolution) and per stage.
      for (size_t l = 0; l < r["level_nll_bits"].size(); ++l)
        std::printf("  level %zu: %.0f bits (%.1f %%)\n", l, r["level_nll_bits"][l].get<double>(),
                    100.0 * r["level_nll_bits"][l].get<double>() / std::max(1.0, st.model_nll_bits));
      for (int k = 0; k < 3; ++k)
        std::printf("  stage %d: %.0f bits\n", k, st.stage_nll_bits[k]);
    }
  }
  return 0;
}

struct DecompressOpts {
  uint64_t memory_limit_mib = 0;
  std::string out, model;
  std::string frames;  // video: A:B
  bool force = false, keep = false, rm = false;
  int threads = 0;
  std::vector<std::string> inputs;
};

// Writes several output files (a WFDB record's .hea and .dat) all or nothing: every name is
// checked first, each write is atomic, and a failure removes the files already written.
int WriteAll(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& files, bool force, const std::string& in,
             json* records) {
  for (const auto& [path, bytes] : files) {
    if (SameFile(in, path)) return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "output " + path + " is the input file"), in);
    if (!force && OutputTaken(path))
      return Fail(dc::Error(DC_ERR_EXISTS, path + " already exists; use -f to overwrite"), in);
  }
  std::vector<std::string> written;
  for (auto it = files.rbegin(); it != files.rend(); ++it) {  // the .hea (first) last
    const dc::Status st = dc::extras::WriteFileAtomic(it->first, it->second.data(), it->second.size(), force);
    if (!st.ok()) {
      for (const auto& w : written)
        if (!dc::extras::IsSpecialFile(w)) std::remove(w.c_str());  // never a device such as /dev/null
      return Fail(st, it->first);
    }
    written.push_back(it->first);
  }
  size_t total = 0;
  for (const auto& f : files) total += f.second.size();
  if (g.json) {
    json outs = json::array();
    for (const auto& f : files) outs.push_back(f.first);
    records->push_back({{"input", in}, {"output", files[0].first}, {"outputs", outs}, {"output_bytes", total}});
  } else if (g.verbosity > 0) {
    for (const auto& f : files) std::printf("%s: %zu bytes -> %s\n", in.c_str(), f.second.size(), f.first.c_str());
  }
  return 0;
}

int DecompressOne(const DecompressOpts& o, const std::string& in, json* records) {
  std::string out = o.out;
  if (out.empty() && IsStd(in)) out = "-";
  if (out.empty()) {
    const std::string base = Basename(in);
    if (base.size() <= 4 || base.compare(base.size() - 4, 4, ".dfc") != 0)
      return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "input does not end in .dfc; name the output with -o"), in);
    out = in.substr(0, in.size() - 4);
  }
  if (const dc::Status cs = CheckOutput(in, out, o.force); !cs.ok()) return Fail(cs, Label(in));
  auto bytes = ReadInput(in);
  if (!bytes.ok()) return Fail(bytes.status(), Label(in));
  dc_params p;
  dc_params_init(&p);
  p.threads = o.threads;
  p.memory_limit = o.memory_limit_mib << 20;
  p.model_path = o.model.empty() ? nullptr : o.model.c_str();
  const std::string label = Basename(in);
  if (ShowProgress()) {
    p.progress = Progress;
    p.progress_opaque = const_cast<std::string*>(&label);
  }
  if (dc_info vi; dc_read_info(bytes->data(), bytes->size(), &vi) == DC_OK && vi.kind == DC_KIND_VIDEO) {
    // Video: frame by frame to a temporary file (memory: a few frames), --frames A:B from the
    // keyframe before A.
    // Standard output: through a temporary file, copied out whole once every frame decoded.
    std::string tmp = out;
    if (IsStd(out)) {
      const char* td = std::getenv("TMPDIR");
      std::string templ = std::string(td && *td ? td : "/tmp") + "/diffcomp-XXXXXX";
      const int fd = mkstemp(templ.data());
      if (fd < 0) return Fail(dc::Error(DC_ERR_IO, "cannot create a temporary file for standard output"), Label(in));
      ::close(fd);
      tmp = templ;
    }
    auto r = dc::extras::DecompressVideoToFile(bytes->data(), bytes->size(), p, tmp, o.force || IsStd(out), o.frames);
    if (IsStd(out) && r.ok()) {
      auto whole = dc::extras::ReadFile(tmp, UINT64_MAX);
      std::remove(tmp.c_str());
      if (!whole.ok()) return Fail(whole.status(), Label(in));
      if (const dc::Status ws = WriteOutput(out, whole->data(), whole->size(), true); !ws.ok()) return Fail(ws, out);
    } else if (IsStd(out)) {
      std::remove(tmp.c_str());
    }
    if (!r.ok()) return Fail(r.status(), Label(in));
    RemoveInput(in, o.rm, o.keep);
    if (IsStd(out)) return 0;  // standard output carries the data: no report there
    if (g.json)
      records->push_back({{"input", in}, {"output", out}, {"output_bytes", r->bytes}, {"first_frame", r->first},
                          {"frames", r->frames}});
    else if (g.verbosity > 0)
      std::printf("%s: frames %llu to %llu, %llu bytes -> %s\n", in.c_str(), (unsigned long long)r->first,
                  (unsigned long long)(r->first + r->frames - 1), (unsigned long long)r->bytes, out.c_str());
    return 0;
  }
  if (!o.frames.empty()) return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "--frames is for video files"), in);
  dc_decoded d{};
  if (dc_error e = dc_decompress(bytes->data(), bytes->size(), &p, &d)) return Fail(e, Label(in));
  std::vector<uint8_t> file;
  dc::Status st;
  if (d.content.kind == DC_KIND_SIGNAL) {
    auto files = dc::extras::BuildSignalFiles(d.content, IsStd(out) ? std::string("stdout") : out);
    dc_decoded_free(&d);
    if (!files.ok()) return Fail(files.status(), Label(in));
    if (IsStd(out)) {
      if (files->size() != 1)
        return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "a WFDB record is two files (.hea, .dat); name the output with -o"), Label(in));
      if (const dc::Status ws = WriteOutput(out, (*files)[0].second.data(), (*files)[0].second.size(), true); !ws.ok())
        return Fail(ws, out);
      return 0;
    }
    const int wr = WriteAll(*files, o.force, in, records);
    if (wr == 0) RemoveInput(in, o.rm, o.keep);
    return wr;
  }
  if (d.content.kind == DC_KIND_BYTES) {
    file.assign(d.content.data, d.content.data + d.content.size);
  } else {
    dc::extras::Image img;
    img.width = d.content.width;
    img.height = d.content.height;
    img.channels = d.content.channels;
    img.pixels.assign(d.content.data, d.content.data + d.content.size);
    // The recorded format, unless the output's name says otherwise: image-lossy records PNG
    // whatever the input was, and a file named .ppm/.pgm must hold a PPM/PGM (.png a PNG).
    bool pnm = d.content.format != DC_FORMAT_PNG;
    const auto ends = [&](const char* e) { return out.size() >= 4 && out.compare(out.size() - 4, 4, e) == 0; };
    if (ends(".ppm") || ends(".pgm") || ends(".pnm")) pnm = true;
    else if (ends(".png")) pnm = false;
    if (pnm && img.channels != 1 && img.channels != 3) {
      dc_decoded_free(&d);
      return Fail(dc::Error(DC_ERR_UNSUPPORTED_FORMAT, "a " + std::to_string(img.channels) +
                                                           "-channel image cannot be a PPM/PGM; name the output .png"), Label(in));
    }
    auto enc = pnm ? dc::extras::EncodePnm(img) : dc::extras::EncodePng(img);
    if (enc.ok()) file = std::move(enc).value(); else st = enc.status();
  }
  dc_decoded_free(&d);
  if (!st.ok()) return Fail(st, in);
  st = WriteOutput(out, file.data(), file.size(), o.force);
  if (!st.ok()) return Fail(st, out);
  RemoveInput(in, o.rm, o.keep);
  if (IsStd(out)) return 0;
  if (g.json) records->push_back({{"input", in}, {"output", out}, {"output_bytes", file.size()}});
  else if (g.verbosity > 0) std::printf("%s: %zu bytes -> %s\n", in.c_str(), file.size(), out.c_str());
  return 0;
}

struct TruncateOpts {
  uint64_t memory_limit_mib = 0;
  std::string in, out, model;
  double bpp = 0, bits_per_sample = 0;
  bool force = false;
};

// Cuts a lossy .dfc to a lower rate at a diffusion-step boundary (dc_truncate); atomic write.
int Truncate(const TruncateOpts& o) {
  if ((o.bpp > 0) == (o.bits_per_sample > 0))
    return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "give exactly one of --bpp (images) or --bits-per-sample (signals), > 0"), o.in);
  auto bytes = dc::extras::ReadFile(o.in);
  if (!bytes.ok()) return Fail(bytes.status(), o.in);
  dc_info info;
  if (dc_error e = dc_read_info(bytes->data(), bytes->size(), &info)) return Fail(e, o.in);
  if (info.kind == DC_KIND_VIDEO)
    return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "video files cannot be truncated: each predicted frame's prior is the "
                                                   "previous frame's full reconstruction (recompress with a lower --bpp)"), o.in);
  if (o.bpp > 0 && info.kind != DC_KIND_IMAGE)
    return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "--bpp is for images; this file is not an image (use --bits-per-sample)"), o.in);
  if (o.bits_per_sample > 0 && info.kind != DC_KIND_SIGNAL)
    return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "--bits-per-sample is for signals; this file is not a signal (use --bpp)"), o.in);
  if (SameFile(o.in, o.out))
    return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "output " + o.out + " is the input file"), o.in);
  if (!o.force && OutputTaken(o.out))
    return Fail(dc::Error(DC_ERR_EXISTS, o.out + " already exists; use -f to overwrite"), o.in);
  const double rate = o.bpp > 0 ? o.bpp : o.bits_per_sample;
  dc_buffer buf{};
  dc_params tp;
  dc_params_init(&tp);
  tp.memory_limit = o.memory_limit_mib << 20;
  tp.model_path = o.model.empty() ? nullptr : o.model.c_str();
  if (dc_error e = dc_truncate_with(bytes->data(), bytes->size(), rate, &tp, &buf)) return Fail(e, o.in);
  const dc::Status ws = dc::extras::WriteFileAtomic(o.out, buf.data, buf.size, o.force);
  const size_t size = buf.size;
  dc_buffer_free(&buf);
  if (!ws.ok()) return Fail(ws, o.out);
  const double units = info.kind == DC_KIND_IMAGE ? double(info.width) * info.height : double(info.original_size) / 4;
  const double got = units > 0 ? 8.0 * size / units : 0;
  const char* unit = info.kind == DC_KIND_IMAGE ? "bits/pixel" : "bits/sample";
  if (g.json) {
    // An array of one record, as compress, decompress, info and models print.
    std::printf("%s\n", json::array({json({{"input", o.in}, {"output", o.out}, {"input_bytes", bytes->size()},
                                            {"output_bytes", size}, {"rate", got}, {"rate_unit", unit}})})
                            .dump(2).c_str());
  } else if (g.verbosity > 0) {
    std::printf("%s: %zu -> %zu bytes (%.4f %s) -> %s\n", o.in.c_str(), bytes->size(), size, got, unit, o.out.c_str());
  }
  return 0;
}

int Info(const std::vector<std::string>& inputs) {
  json all = json::array();
  int rc = 0;
  for (const auto& in : inputs) {
    auto bytes = dc::extras::ReadFile(in);
    if (!bytes.ok()) { rc = rc ? rc : Fail(bytes.status(), in); continue; }
    dc_info info;
    if (dc_error e = dc_read_info(bytes->data(), bytes->size(), &info)) { rc = rc ? rc : Fail(e, in); continue; }
    static const char* kFormats[] = {"raw", "png", "ppm", "pgm", "wav", "wfdb", "csv", "raw-s16le", "raw-s32le", "y4m", "raw-i420"};
    const bool sig_kind = info.kind == DC_KIND_SIGNAL;
    const double units = sig_kind ? static_cast<double>(info.width) * info.channels : static_cast<double>(info.original_size);
    json r = {{"file", in}, {"version", fmt::format("{}.{}", info.version_major, info.version_minor)},
              {"codec", dc_codec_name(info.codec)}, {"revision", info.revision}, {"format", kFormats[info.format]},
              {"original_size", info.original_size}, {"payload_size", info.payload_size},
              {"container_size", info.container_size},
              {"rate", units > 0 ? 8.0 * info.container_size / units : 0.0},
              {"rate_unit", info.kind == DC_KIND_IMAGE ? "bits/sub-pixel" : sig_kind ? "bits/sample" : "bits/byte"}};
    if (sig_kind) {
      r["frames"] = info.width;
      r["channels"] = info.channels;
      r["bit_depth"] = info.bit_depth;
      r["model_id"] = info.model_id;
      r["model_fingerprint"] = fmt::format("{:08x}", info.model_fingerprint);
    }
    if (info.kind == DC_KIND_IMAGE) {
      r["width"] = info.width;
      r["height"] = info.height;
      r["channels"] = info.channels;
      r["model_id"] = info.model_id;
      r["model_fingerprint"] = fmt::format("{:08x}", info.model_fingerprint);
    }
    if (info.kind == DC_KIND_VIDEO) {
      auto vs = dc::extras::SummariseVideo(bytes->data(), bytes->size());
      if (!vs.ok()) { rc = rc ? rc : Fail(vs.status(), in); continue; }
      const auto& v = vs->info;
      const double px = static_cast<double>(v.width) * v.height;
      json fr = json::array();
      for (uint64_t f = 0; f < v.frames; ++f)
        fr.push_back({{"frame", f}, {"keyframe", f % v.keyint == 0}, {"bytes", vs->frame_bytes[f]},
                      {"bits_per_pixel", 8.0 * vs->frame_bytes[f] / px}});
      r["format"] = v.format == DC_FORMAT_Y4M ? "y4m" : "raw-i420";
      r.update({{"width", v.width}, {"height", v.height}, {"chroma", v.chroma}, {"frames", v.frames}, {"keyint", v.keyint},
                {"fps", vs->fps}, {"rate", 8.0 * info.container_size / (px * v.frames)}, {"rate_unit", "bits/pixel"},
                {"model_id", info.model_id}, {"model_fingerprint", fmt::format("{:08x}", info.model_fingerprint)},
                {"frame_list", fr}});
      if (g.json) { all.push_back(r); continue; }
      std::printf("%s\n  container %s, codec %s, original format %s\n  video %ux%u %u, %llu frames, fps %s, keyframe every %u; "
                  "model id %u fingerprint %08x\n  %llu bytes of content -> %llu bytes (payload %llu), %.4f bits/pixel\n",
                  in.c_str(), r["version"].get<std::string>().c_str(), dc_codec_name(info.codec),
                  r["format"].get<std::string>().c_str(), v.width, v.height, v.chroma, (unsigned long long)v.frames,
                  vs->fps.c_str(), v.keyint, info.model_id, info.model_fingerprint, (unsigned long long)info.original_size,
                  (unsigned long long)info.container_size, (unsigned long long)info.payload_size, r["rate"].get<double>());
      std::printf("  frame  key  bytes     bits/pixel\n");
      for (uint64_t f = 0; f < v.frames; ++f)
        std::printf("  %-6llu %-4s %-9llu %.4f\n", (unsigned long long)f, f % v.keyint == 0 ? "K" : "",
                    (unsigned long long)vs->frame_bytes[f], 8.0 * vs->frame_bytes[f] / px);
      continue;
    }
    if (g.json) { all.push_back(r); continue; }
    std::printf("%s\n  container %s, codec %s revision %u, original format %s\n", in.c_str(),
                r["version"].get<std::string>().c_str(), dc_codec_name(info.codec), info.revision, kFormats[info.format]);
    if (info.kind == DC_KIND_IMAGE)
      std::printf("  image %ux%u, %u channel(s), 8 bit; model id %u fingerprint %08x\n", info.width, info.height,
                  info.channels, info.model_id, info.model_fingerprint);
    if (sig_kind)
      std::printf("  signal of %u frames x %u channel(s), %u bit; model id %u fingerprint %08x\n", info.width,
                  info.channels, info.bit_depth, info.model_id, info.model_fingerprint);
    std::printf("  %llu bytes of content -> %llu bytes (payload %llu), %.4f %s\n", (unsigned long long)info.original_size,
                (unsigned long long)info.container_size, (unsigned long long)info.payload_size, r["rate"].get<double>(),
                r["rate_unit"].get<std::string>().c_str());
  }
  if (g.json) std::printf("%s\n", all.dump(2).c_str());
  return rc;
}

// The codecs whose default models ship in models/ (each must be found).
constexpr dc_codec kModelCodecs[] = {DC_CODEC_IMAGE_LOSSLESS, DC_CODEC_SIGNAL_LOSSLESS, DC_CODEC_IMAGE_LOSSY,
                                      DC_CODEC_VIDEO_LOSSLESS, DC_CODEC_VIDEO_LOSSY};

int Models(const std::string& path) {
  std::vector<dc_model_info> found;
  for (dc_codec c : kModelCodecs) {
    dc_model_info m;
    if (dc_error e = dc_model_describe(c, path.empty() ? nullptr : path.c_str(), &m)) {
      if (!path.empty() && e == DC_ERR_MODEL_MISMATCH) continue;  // the file is another codec's model
      return Fail(e, std::string(dc_codec_name(c)) + " model");
    }
    found.push_back(m);
  }
  if (found.empty()) return Fail(dc::Error(DC_ERR_MODEL_MISMATCH, "not a model of any codec"), path);
  if (g.json) {
    json all = json::array();
    for (const auto& m : found)
      all.push_back({{"codec", m.codec}, {"model_id", m.model_id}, {"arch", m.name},
                     {"fingerprint", fmt::format("{:08x}", m.fingerprint)}, {"parameters", m.parameters},
                     {"macs_per_pixel", m.macs_per_pixel}, {"path", m.path}});
    std::printf("%s\n", all.dump(2).c_str());
  } else {
    std::printf("%-16s %-8s %-6s %-11s %-10s %-12s %s\n", "codec", "model_id", "arch", "fingerprint", "parameters",
                "MACs/unit", "path");
    for (const auto& m : found)
      std::printf("%-16s %-8u %-6s %08x    %-10llu %-12llu %s\n", m.codec, m.model_id, m.name, m.fingerprint,
                  (unsigned long long)m.parameters, (unsigned long long)m.macs_per_pixel, m.path);
  }
  return 0;
}

std::string SelfExe(const char* argv0) {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string(argv0);
}

}  // namespace

int main(int argc, char** argv) {
  if (!dc_version_ok()) {
    std::fprintf(stderr, "diffcomp: libdiffcomp %u (ABI %u) cannot serve this program (built with %s, ABI %d)\n",
                 dc_version_number(), dc_abi_version(), DC_VERSION_STRING, DC_ABI_VERSION);
    return DC_ERR_INTERNAL;
  }
  CLI::App app{"diffcomp: compression with diffusion models"};
  app.set_version_flag("-V,--version", std::string("diffcomp ") + DC_VERSION_STRING);
  app.require_subcommand(1);
  bool quiet = false, verbose = false;
  app.add_flag("-q,--quiet", quiet, "print nothing but errors");
  app.add_flag("-v,--verbose", verbose, "print more");
  app.add_flag("--json", g.json, "machine-readable output on stdout");

  // 0 means "not set" in dc_params: an explicit 0 would silently mean the default, so the CLI
  // takes only values above 0 for the rate and quality options.
  const auto positive = [](double hi) {
    return CLI::Validator(
        [hi](std::string& v) -> std::string {
          double x = 0;
          try { x = std::stod(v); } catch (...) { return "not a number: " + v; }
          if (!(x > 0 && x <= hi)) return "must be above 0 and at most " + fmt::format("{:g}", hi);
          return std::string();
        },
        fmt::format("(0, {:g}]", hi));
  };
  CompressOpts co;
  auto* cc = app.add_subcommand("compress", "compress files to .dfc");
  cc->add_option("--codec,-c", co.codec,
                 "image-lossless (default for PNG/PPM/PGM), signal-lossless (default for WAV, WFDB .hea, CSV, --raw), "
                 "video-lossless (default for Y4M and --size/--fps raw I420), image-lossy, signal-lossy, video-lossy, huffman, "
                 "lzw (default otherwise), store");
  cc->add_option("--raw", co.raw, "headerless signal input: s16le or s32le (little-endian samples)");
  cc->add_option("--channels", co.raw_channels, "channels of a --raw signal (interleaved)")->check(CLI::Range(1, 255));
  cc->add_option("-o,--output", co.out, "output file (one input only)");
  cc->add_flag("-f,--force", co.force, "overwrite an existing output");
  cc->add_flag("-k,--keep", co.keep, "keep the input (the default; overrides --rm)");
  cc->add_flag("--rm", co.rm, "remove the input once its output is written (not with -k)");
  cc->add_option("-T,--threads", co.threads, "worker threads (0 = all cores); never changes the output")->check(CLI::Range(0, 256));
  cc->add_option("--tile", co.tile, "tile size in pixels (16-4096; default 256, video-lossless 512)")->check(CLI::Range(16, 4096));
  cc->add_option("--model", co.model, "model file (default: the shipped model)");
  cc->add_option("--memory-limit", co.memory_limit_mib, "MiB the compression may hold (default 2048)")->check(CLI::Range(1, 1 << 24));
  cc->add_option("--bpp", co.bpp, "image-lossy: target bits per pixel of the .dfc file; video-lossy: bits per luma pixel per frame, on average")->check(positive(64));
  cc->add_option("--quality", co.quality, "image-lossy, video-lossy: quality above 0, up to 100 (share of the diffusion steps coded; default 75)")->check(positive(100));
  cc->add_option("--snr", co.snr_db, "signal-lossy: target SNR in dB (default 30 without --bits-per-sample)")->check(positive(200));
  cc->add_option("--bits-per-sample", co.bits_per_sample, "signal-lossy: target bits per sample of the .dfc file (all channels)")->check(positive(64));
  cc->add_option("--size", co.video_size, "raw I420 video input: frame size WxH (with --fps)");
  cc->add_option("--fps", co.video_fps, "raw I420 video input: frame rate (recorded, e.g. 12 or 30000:1001)");
  cc->add_option("--keyint", co.keyint, "video: keyframe interval in frames (default 30)")->check(CLI::Range(1, 1 << 20));
  cc->add_option("inputs", co.inputs, "input files")->required();

  DecompressOpts dco;
  auto* dcmd = app.add_subcommand("decompress", "restore .dfc files");
  dcmd->add_option("-o,--output", dco.out, "output file (one input only)");
  dcmd->add_flag("-f,--force", dco.force, "overwrite an existing output");
  dcmd->add_flag("-k,--keep", dco.keep, "keep the input (the default; overrides --rm)");
  dcmd->add_flag("--rm", dco.rm, "remove the input once its output is written (not with -k)");
  dcmd->add_option("-T,--threads", dco.threads, "worker threads (0 = all cores)")->check(CLI::Range(0, 256));
  dcmd->add_option("--model", dco.model, "model file (default: the model the file names, among the shipped ones)");
  dcmd->add_option("--memory-limit", dco.memory_limit_mib, "MiB the decoder may hold (default 2048): a file that needs more fails (too-large) before decoding")->check(CLI::Range(1, 1 << 24));
  dcmd->add_option("--frames", dco.frames, "video: decode frames A to B-1 only (A:B, A:, :B or A), from the keyframe before A");
  dcmd->add_option("inputs", dco.inputs, "input .dfc files")->required();

  std::vector<std::string> info_inputs;
  TruncateOpts to;
  auto* tcmd = app.add_subcommand("truncate", "cut a lossy .dfc (image-lossy, signal-lossy) to a lower rate, at a diffusion-step boundary");
  tcmd->add_option("input", to.in, "input .dfc file")->required();
  tcmd->add_option("-o,--output", to.out, "output .dfc file")->required();
  tcmd->add_option("--bpp", to.bpp, "target bits per pixel of the whole file (image-lossy)");
  tcmd->add_option("--bits-per-sample", to.bits_per_sample, "target bits per sample of the whole file (signal-lossy)");
  tcmd->add_flag("-f,--force", to.force, "overwrite an existing output");
  tcmd->add_option("--model", to.model, "model file, for the decode that re-seals the checksum of the decoded content (default: the shipped model)");
  tcmd->add_option("--memory-limit", to.memory_limit_mib, "MiB the decode may hold (default 2048)")->check(CLI::Range(1, 1 << 24));

  auto* icmd = app.add_subcommand("info", "describe .dfc files");
  icmd->add_option("inputs", info_inputs, "input .dfc files")->required();

  std::string model_path;
  auto* mcmd = app.add_subcommand("models", "list the shipped models");
  mcmd->add_option("--model", model_path, "describe this model file instead");

  dc::bench::BenchOptions bo;
  auto* bcmd = app.add_subcommand("bench", "benchmark our codecs beside the classic ones");
  bcmd->add_option("--data", bo.data, "files or directories")->required();
  bcmd->add_option("--codecs", bo.codecs, "codec specs, comma-separated; 'list' shows them")->delimiter(',');
  bcmd->add_option("--json-out", bo.json_out, "write all results as JSON to this file (the global --json prints them on stdout instead of the table)");
  bcmd->add_option("--markdown", bo.markdown_out, "write the Markdown tables");
  bcmd->add_option("--plot", bo.plot_out, "write an SVG chart");
  bcmd->add_option("-T,--threads", bo.threads, "threads for our codecs");
  bcmd->add_option("--limit", bo.limit, "at most this many files per data entry");
  bcmd->add_option("--repeats", bo.repeats, "runs per measurement; the fastest counts");


  // `diffcomp train ...` runs the separate diffcomp-train program beside this one, so that the
  // coding tool does not load libtorch (0.35 s and 160 MB per run).
  // The global flags may come first (diffcomp -q train ...): -q/--quiet is passed on.
  int train_at = 1;
  bool train_quiet = false;
  while (train_at < argc && (std::strcmp(argv[train_at], "-q") == 0 || std::strcmp(argv[train_at], "--quiet") == 0 ||
                             std::strcmp(argv[train_at], "-v") == 0 || std::strcmp(argv[train_at], "--verbose") == 0 ||
                             std::strcmp(argv[train_at], "--json") == 0)) {
    if (argv[train_at][1] == 'q' || std::strcmp(argv[train_at], "--quiet") == 0) train_quiet = true;
    ++train_at;
  }
  if (train_at < argc && std::string(argv[train_at]) == "train") {
    const std::string exe = SelfExe(argv[0]);
    const std::string trainer = exe.substr(0, exe.find_last_of('/') + 1) + "diffcomp-train";
    std::vector<char*> args{const_cast<char*>(trainer.c_str())};
    static char quiet_flag[] = "--quiet";
    if (train_quiet) args.push_back(quiet_flag);
    for (int i = train_at + 1; i < argc; ++i) args.push_back(argv[i]);
    args.push_back(nullptr);
    execv(trainer.c_str(), args.data());
    // Not beside this program: the trainer on PATH, if any.
    args[0] = const_cast<char*>("diffcomp-train");
    execvp("diffcomp-train", args.data());
    std::fprintf(stderr, "diffcomp: cannot run %s (built with -DDIFFCOMP_TRAINING=ON?)\n", trainer.c_str());
    return DC_ERR_INVALID_ARGUMENT;
  }
  app.add_subcommand("train", "train a model (runs diffcomp-train; see diffcomp train --help)");
  for (auto* sub : {cc, dcmd, tcmd, icmd, mcmd, bcmd}) sub->fallthrough();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : DC_ERR_INVALID_ARGUMENT;
  }
  g.verbosity = quiet ? 0 : verbose ? 2 : 1;

  json records = json::array();
  int rc = 0;
  if (cc->parsed()) {
    if (!co.out.empty() && co.inputs.size() > 1) return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "-o takes one input"), "compress");
    if (co.inputs.size() > 1 && std::count(co.inputs.begin(), co.inputs.end(), "-"))
      return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "standard input (-) is the only input or none"), "compress");
    for (const auto& in : co.inputs) {
      const int r = CompressOne(co, in, &records);
      if (r && !rc) rc = r;
    }
  } else if (dcmd->parsed()) {
    if (!dco.out.empty() && dco.inputs.size() > 1) return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "-o takes one input"), "decompress");
    if (dco.inputs.size() > 1 && std::count(dco.inputs.begin(), dco.inputs.end(), "-"))
      return Fail(dc::Error(DC_ERR_INVALID_ARGUMENT, "standard input (-) is the only input or none"), "decompress");
    for (const auto& in : dco.inputs) {
      const int r = DecompressOne(dco, in, &records);
      if (r && !rc) rc = r;
    }
  } else if (tcmd->parsed()) {
    return Truncate(to);
  } else if (icmd->parsed()) {
    return Info(info_inputs);
  } else if (mcmd->parsed()) {
    return Models(model_path);
  } else if (bcmd->parsed()) {
    bo.self_exe = SelfExe(argv[0]);
    if (g.json && bo.json_out.empty()) bo.json_out = "-";  // global --json: the JSON on stdout
    bo.quiet = quiet;
    if (bo.codecs.empty()) bo.codecs = {"ours", "external"};
    return dc::bench::RunBench(bo);
  }
  if (g.json) std::printf("%s\n", records.dump(2).c_str());
  return rc;
}
