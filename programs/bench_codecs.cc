// The codec table of `diffcomp bench`: our codecs (this executable as a child) and the external
// baselines, all as command lines run through RunProcess, plus the round-trip checks.
//
// Baseline flags follow shared/STACK.md section 3. Where a flag is ours rather than the tool's
// default, the reason is next to it.
#include "programs/bench_codecs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <sstream>
#include <utility>

#include "diffcomp/extras/file_io.h"
#include "diffcomp/extras/metrics.h"

namespace dc::bench {

unsigned CategoryBit(Category c) {
  switch (c) {
    case Category::kImage:
      return kToImage;
    case Category::kAudio:
      return kToAudio;
    case Category::kVideo:
      return kToVideo;
    case Category::kBytes:
      return kToBytes;
  }
  return 0;
}

// ---- BenchInput --------------------------------------------------------------------------------

StatusOr<std::unique_ptr<BenchInput>> BenchInput::Load(const std::string& path,
                                                       const std::string& display_name,
                                                       const std::string& workdir) {
  auto in = std::make_unique<BenchInput>();
  in->path_ = path;
  in->name_ = display_name;
  in->workdir_ = workdir;
  ASSIGN_OR_RETURN(in->original_, extras::ReadFile(path));
  const std::vector<uint8_t>& data = in->original_;
  in->type_ = extras::DetectFileType(data.data(), data.size());
  in->category_ = Category::kBytes;
  in->units_ = data.size();
  in->work_mega_ = static_cast<double>(data.size()) / 1e6;

  switch (in->type_) {
    case extras::FileType::kPng:
    case extras::FileType::kPpm:
    case extras::FileType::kPgm: {
      auto img = extras::DecodeImage(data.data(), data.size());
      if (!img.ok()) {
        in->note_ = std::string(extras::FileTypeName(in->type_)) +
                    " not decodable, benchmarked as bytes: " + img.status().message();
        break;
      }
      in->image_ = std::move(img).value();
      in->category_ = Category::kImage;
      const uint64_t pixels = static_cast<uint64_t>(in->image_->width) * in->image_->height;
      in->units_ = pixels * in->image_->channels;
      in->work_mega_ = static_cast<double>(pixels) / 1e6;
      break;
    }
    case extras::FileType::kWav: {
      auto wav = extras::DecodeWav(data.data(), data.size());
      if (!wav.ok()) {
        in->note_ = "WAV not decodable, benchmarked as bytes: " + wav.status().message();
        break;
      }
      in->wav_ = std::move(wav).value();
      in->category_ = Category::kAudio;
      in->units_ = in->wav_->frames * in->wav_->channels;
      break;
    }
    case extras::FileType::kY4m: {
      auto y4m = extras::DecodeY4m(data.data(), data.size());
      if (!y4m.ok()) {
        in->note_ = "Y4M not decodable, benchmarked as bytes: " + y4m.status().message();
        break;
      }
      in->y4m_ = std::move(y4m).value();
      in->category_ = Category::kVideo;
      break;
    }
    case extras::FileType::kRaw:
      break;
  }
  return in;
}

std::string BenchInput::Describe() const {
  std::ostringstream o;
  o << extras::FileTypeName(type_);
  if (image_) {
    o << ' ' << image_->width << 'x' << image_->height << 'x' << image_->channels;
  } else if (wav_) {
    o << ' ' << wav_->channels << " ch " << wav_->sample_rate << " Hz " << wav_->bits_per_sample
      << "-bit, " << wav_->frames << " frames";
  } else if (y4m_) {
    o << ' ' << y4m_->width << 'x' << y4m_->height << ' ' << y4m_->chroma << ", "
      << y4m_->frames.size() << " frames";
  } else {
    o << ", " << original_.size() << " bytes";
  }
  return o.str();
}

namespace {

Status WriteScratch(const std::string& path, const std::vector<uint8_t>& bytes) {
  return extras::WriteFileAtomic(path, bytes.data(), bytes.size(), /*overwrite=*/true);
}

}  // namespace

StatusOr<std::string> BenchInput::RawPath() {
  if (!raw_path_.empty()) return raw_path_;
  if (!image_) {
    raw_bytes_ = original_;
    raw_path_ = path_;
    return raw_path_;
  }
  if (image_->channels == 1 || image_->channels == 3) {
    ASSIGN_OR_RETURN(raw_path_, PnmPath());
    return raw_path_;
  }
  // PNM has no alpha; the general-purpose compressors only need the bytes anyway.
  raw_bytes_ = image_->pixels;
  const std::string p = workdir_ + "/input.raw";
  RETURN_IF_ERROR(WriteScratch(p, raw_bytes_));
  raw_path_ = p;
  return raw_path_;
}

StatusOr<std::string> BenchInput::PnmPath() {
  if (!pnm_path_.empty()) return pnm_path_;
  if (!image_ || (image_->channels != 1 && image_->channels != 3)) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "PPM/PGM needs a gray or RGB image");
  }
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, extras::EncodePnm(*image_));
  const std::string p = workdir_ + (image_->channels == 1 ? "/input.pgm" : "/input.ppm");
  RETURN_IF_ERROR(WriteScratch(p, bytes));
  raw_bytes_ = std::move(bytes);
  pnm_path_ = p;
  return pnm_path_;
}

StatusOr<std::string> BenchInput::PngPath() {
  if (!png_path_.empty()) return png_path_;
  if (!image_) return Error(DC_ERR_UNSUPPORTED_FORMAT, "not an image");
  ASSIGN_OR_RETURN(const std::vector<uint8_t> bytes, extras::EncodePng(*image_));
  const std::string p = workdir_ + "/input.png";
  RETURN_IF_ERROR(WriteScratch(p, bytes));
  png_path_ = p;
  return png_path_;
}

// ---- Round-trip checks -------------------------------------------------------------------------

namespace {

// Decoded images may come back with other channels than the original and still be the same
// image: dwebp and avifdec turn gray into RGB, some decoders add an opaque alpha channel, and
// optipng and avifenc store an image whose alpha is all opaque without alpha, or an RGB image
// whose pixels are all gray as a gray PNG. So both images are compared as RGBA (gray expanded to
// R = G = B, a missing alpha read as 255): any difference there is a difference. Returns "" when
// equal, else where the first difference is.
uint8_t RgbaAt(const extras::Image& im, uint64_t pixel, uint32_t c) {
  const uint8_t* p = &im.pixels[pixel * im.channels];
  switch (im.channels) {
    case 1: return c == 3 ? 255 : p[0];
    case 2: return c == 3 ? p[1] : p[0];
    case 3: return c == 3 ? 255 : p[c];
    default: return p[c];
  }
}

std::string ComparePixels(const extras::Image& orig, const extras::Image& dec) {
  if (orig.width != dec.width || orig.height != dec.height) {
    return "size " + std::to_string(dec.width) + "x" + std::to_string(dec.height) + ", expected " +
           std::to_string(orig.width) + "x" + std::to_string(orig.height);
  }
  if (orig.channels < 1 || orig.channels > 4 || dec.channels < 1 || dec.channels > 4) {
    return std::to_string(dec.channels) + " channels, expected " + std::to_string(orig.channels);
  }
  const uint64_t pixels = static_cast<uint64_t>(orig.width) * orig.height;
  for (uint64_t i = 0; i < pixels; ++i)
    for (uint32_t c = 0; c < 4; ++c) {
      const uint8_t want = RgbaAt(orig, i, c), got = RgbaAt(dec, i, c);
      if (got != want) {
        return "pixel (" + std::to_string(i % orig.width) + "," + std::to_string(i / orig.width) + ") channel " +
               std::to_string(c) + " (as RGBA, of " + std::to_string(dec.channels) + " decoded, " +
               std::to_string(orig.channels) + " original): " + std::to_string(got) + ", expected " +
               std::to_string(want);
      }
    }
  return "";
}

std::string CompareBytes(const std::vector<uint8_t>& want, const std::vector<uint8_t>& got) {
  const size_t n = std::min(want.size(), got.size());
  for (size_t i = 0; i < n; ++i) {
    if (want[i] != got[i]) {
      return "first difference at byte " + std::to_string(i) + " (of " +
             std::to_string(want.size()) + ")";
    }
  }
  if (want.size() != got.size()) {
    return "size " + std::to_string(got.size()) + " bytes, expected " + std::to_string(want.size());
  }
  return "";
}

std::string CompareWav(const extras::Wav& want, const extras::Wav& got) {
  if (want.channels != got.channels || want.sample_rate != got.sample_rate ||
      want.bits_per_sample != got.bits_per_sample || want.frames != got.frames) {
    return "format " + std::to_string(got.channels) + " ch " + std::to_string(got.sample_rate) +
           " Hz " + std::to_string(got.bits_per_sample) + "-bit " + std::to_string(got.frames) +
           " frames, expected " + std::to_string(want.channels) + " ch " +
           std::to_string(want.sample_rate) + " Hz " + std::to_string(want.bits_per_sample) +
           "-bit " + std::to_string(want.frames) + " frames";
  }
  for (size_t i = 0; i < want.samples.size(); ++i) {
    if (want.samples[i] != got.samples[i]) {
      return "first different sample at index " + std::to_string(i);
    }
  }
  return "";
}

// Metrics want equal shapes; the only expansion a lossy decoder is allowed is gray -> RGB(A)
// or an opaque alpha, and those are undone here rather than counted as distortion.
StatusOr<extras::Image> MatchChannels(const extras::Image& orig, const extras::Image& dec) {
  if (orig.channels == dec.channels) return dec;
  const uint64_t pixels = static_cast<uint64_t>(dec.width) * dec.height;
  if (orig.channels == 3 && dec.channels == 4) {
    extras::Image out{dec.width, dec.height, 3, {}};
    out.pixels.resize(pixels * 3);
    for (uint64_t i = 0; i < pixels; ++i) {
      for (int c = 0; c < 3; ++c) out.pixels[i * 3 + c] = dec.pixels[i * 4 + c];
    }
    return out;
  }
  return Error(DC_ERR_UNSUPPORTED_FORMAT, "decoded image has " + std::to_string(dec.channels) +
                                              " channels, original " +
                                              std::to_string(orig.channels));
}

// The original expanded to RGB, for a gray original that a lossy codec decodes as RGB: the
// distortion is then measured over the three (possibly unequal) decoded channels.
extras::Image GrayToRgb(const extras::Image& g) {
  extras::Image out{g.width, g.height, 3, {}};
  out.pixels.resize(g.pixels.size() * 3);
  for (size_t i = 0; i < g.pixels.size(); ++i) {
    out.pixels[i * 3] = out.pixels[i * 3 + 1] = out.pixels[i * 3 + 2] = g.pixels[i];
  }
  return out;
}

std::string LogTail(const std::string& path) {
  auto bytes = extras::ReadFile(path, 1 << 20);
  if (!bytes.ok() || bytes->empty()) return "";
  const std::vector<uint8_t>& b = *bytes;
  const size_t keep = 300;
  std::string s(b.end() - static_cast<std::ptrdiff_t>(std::min(keep, b.size())), b.end());
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

int64_t FileSize(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  return static_cast<int64_t>(st.st_size);
}

// ---- Command-line codecs -----------------------------------------------------------------------

enum class Source { kRaw, kPng, kPnm, kOriginal };
enum class Check { kExactBytes, kPixels, kWavSamples, kYuvPlanes, kImageMetrics };

struct ArgvContext {
  std::string in, out, dec;
  uint32_t channels = 3;
  uint32_t chroma = 420;
  extras::FileType type = extras::FileType::kPng;
};
using ArgvFn = std::function<std::vector<std::string>(const ArgvContext&)>;
using StringFn = std::function<std::string(const ArgvContext&)>;
using Strings = std::vector<std::string>;

struct CommandConfig {
  std::string name;
  bool lossy = false, ours = false;
  unsigned applies = 0;
  Strings tools;  // executables that must be installed
  Source source = Source::kRaw;
  std::string out_ext;
  ArgvFn encode;
  bool encode_stdout = false;  // the tool writes the compressed stream to stdout
  ArgvFn decode;               // empty: the compressed file is itself read back (optipng)
  bool decode_stdout = false;
  StringFn dec_ext;
  Check check = Check::kExactBytes;
  std::function<std::string(const BenchInput&)> declines;  // may be empty
};

class CommandCodec final : public BenchCodec {
 public:
  CommandCodec(CommandConfig cfg, CodecContext ctx) : cfg_(std::move(cfg)), ctx_(std::move(ctx)) {}

  const std::string& name() const override { return cfg_.name; }
  bool lossy() const override { return cfg_.lossy; }
  bool ours() const override { return cfg_.ours; }
  unsigned applies_to() const override { return cfg_.applies; }

  std::string UnavailableReason() const override {
    for (const std::string& t : cfg_.tools) {
      if (FindInPath(t).empty()) {
        return cfg_.ours ? "diffcomp executable '" + t + "' not found or not executable"
                         : "'" + t + "' not found in PATH";
      }
    }
    return "";
  }

  std::string Declines(const BenchInput& in) const override {
    if (!AppliesTo(in.category()))
      return "does not apply to " + std::string(CategoryName(in.category()));
    return cfg_.declines ? cfg_.declines(in) : "";
  }

  std::string EncodeCommand() const override {
    const ArgvContext c = Placeholders();
    return FormatCommand(cfg_.encode(c)) + (cfg_.encode_stdout ? " > OUT" : "");
  }
  std::string DecodeCommand() const override {
    if (!cfg_.decode) return "(none: the output is read back directly)";
    const ArgvContext c = Placeholders();
    return FormatCommand(cfg_.decode(c)) + (cfg_.decode_stdout ? " > DEC" : "");
  }

  CodecRun Run(BenchInput& in, const std::string& dir) override {
    CodecRun run;
    auto src = SourcePath(in);
    if (!src.ok()) {
      run.status = src.status();
      return run;
    }
    ArgvContext c;
    c.in = *src;
    c.out = dir + "/c" + cfg_.out_ext;
    c.type = in.type();
    if (in.image()) c.channels = in.image()->channels;
    if (in.y4m()) c.chroma = in.y4m()->chroma;
    c.dec = cfg_.decode ? dir + "/d" + cfg_.dec_ext(c) : c.out;

    run.status = Step(cfg_.encode(c), cfg_.encode_stdout ? c.out : "", c.out, dir + "/enc.log",
                      "encode", &run.enc);
    if (!run.status.ok()) return run;
    const int64_t size = FileSize(c.out);
    if (size <= 0) {
      run.status = Error(DC_ERR_IO, "encoder exited 0 but wrote no output (" + c.out + ")");
      return run;
    }
    run.compressed_bytes = static_cast<uint64_t>(size);
    if (cfg_.decode) {
      run.status = Step(cfg_.decode(c), cfg_.decode_stdout ? c.dec : "", c.dec, dir + "/dec.log",
                        "decode", &run.dec);
      if (!run.status.ok()) return run;
    }
    Verify(in, c.dec, &run);
    return run;
  }

 private:
  static ArgvContext Placeholders() {
    ArgvContext c;
    c.in = "IN";
    c.out = "OUT";
    c.dec = "DEC";
    return c;
  }

  StatusOr<std::string> SourcePath(BenchInput& in) const {
    switch (cfg_.source) {
      case Source::kRaw:
        return in.RawPath();
      case Source::kPng:
        return in.PngPath();
      case Source::kPnm:
        return in.PnmPath();
      case Source::kOriginal:
        return in.path();
    }
    return Error(DC_ERR_INTERNAL, "bad source");
  }

  // Runs one step `repeats` times and keeps the fastest wall time; peak memory is the largest
  // seen, since a smaller peak on one run does not make the larger one less real.
  Status Step(const Strings& argv, const std::string& stdout_path, const std::string& product,
              const std::string& log, const char* what, Timing* t) const {
    ProcessOptions po;
    po.stdout_path = stdout_path;
    po.stderr_path = log;
    po.cpu_limit_seconds = ctx_.cpu_limit_seconds;
    const int repeats = std::max(1, ctx_.repeats);
    for (int i = 0; i < repeats; ++i) {
      // Some tools refuse to overwrite, and a stale output would hide a tool that writes none.
      unlink(product.c_str());
      auto r = RunProcess(argv, po);
      if (!r.ok()) return r.status();
      if (!r->ok()) {
        const std::string tail = LogTail(log);
        return Error(DC_ERR_IO, std::string(what) + " failed (" + r->Describe() + ")" +
                                    (tail.empty() ? "" : ": " + tail));
      }
      if (!t->measured || r->wall_seconds < t->wall_seconds) {
        t->wall_seconds = r->wall_seconds;
        t->cpu_seconds = r->cpu_seconds;
      }
      t->peak_rss_kb = std::max(t->peak_rss_kb, r->peak_rss_kb);
      t->rss_exact = (t->measured ? t->rss_exact : true) && r->rss_exact;
      t->measured = true;
    }
    return Status::Ok();
  }

  void Fail(CodecRun* run, const std::string& detail) const {
    run->verify_failed = true;
    run->verify_detail = detail;
  }

  void Verify(const BenchInput& in, const std::string& dec_path, CodecRun* run) const {
    auto dec = extras::ReadFile(dec_path);
    if (!dec.ok()) {
      run->status = Error(DC_ERR_IO, "decoder output unreadable: " + dec.status().message());
      return;
    }
    const std::vector<uint8_t>& d = *dec;
    switch (cfg_.check) {
      case Check::kExactBytes: {
        const std::vector<uint8_t>& want =
            cfg_.source == Source::kOriginal ? in.original() : in.raw_bytes();
        const std::string diff = CompareBytes(want, d);
        if (!diff.empty()) Fail(run, diff);
        return;
      }
      case Check::kPixels: {
        auto img = extras::DecodeImage(d.data(), d.size());
        if (!img.ok()) return Fail(run, "decoded image unreadable: " + img.status().message());
        const std::string diff = ComparePixels(*in.image(), *img);
        if (!diff.empty()) Fail(run, diff);
        return;
      }
      case Check::kWavSamples: {
        auto wav = extras::DecodeWav(d.data(), d.size());
        if (!wav.ok()) return Fail(run, "decoded WAV unreadable: " + wav.status().message());
        const std::string diff = CompareWav(*in.wav(), *wav);
        if (!diff.empty()) Fail(run, diff);
        return;
      }
      case Check::kYuvPlanes: {
        // The decoder wrote raw planes, frame after frame, in the source's layout.
        std::vector<uint8_t> want;
        for (const auto& f : in.y4m()->frames) want.insert(want.end(), f.begin(), f.end());
        const std::string diff = CompareBytes(want, d);
        if (!diff.empty()) Fail(run, diff);
        return;
      }
      case Check::kImageMetrics: {
        auto img = extras::DecodeImage(d.data(), d.size());
        if (!img.ok()) {
          run->status = Error(DC_ERR_IO, "decoded image unreadable: " + img.status().message());
          return;
        }
        const extras::Image& orig = *in.image();
        const bool gray_as_rgb = orig.channels == 1 && img->channels >= 3;
        const extras::Image ref = gray_as_rgb ? GrayToRgb(orig) : orig;
        auto matched = MatchChannels(ref, *img);
        if (!matched.ok()) {
          run->status = matched.status();
          return;
        }
        auto psnr = extras::Psnr(ref, *matched);
        auto ssim = extras::MsSsim(ref, *matched);
        if (!psnr.ok()) {
          run->status = psnr.status();
          return;
        }
        run->psnr = *psnr;
        run->ms_ssim = ssim.ok() ? *ssim : kNaN;
        return;
      }
    }
  }

  CommandConfig cfg_;
  CodecContext ctx_;
};

// ---- The table
// -----------------------------------------------------------------------------------

std::string ImageDecExt(const ArgvContext& c) {
  return c.channels == 3 ? ".ppm" : c.channels == 1 ? ".pgm" : ".png";
}
std::string PngExt(const ArgvContext&) { return ".png"; }
std::string SameExt(const ArgvContext&) { return ".dec"; }

std::string DeclineRgba(const BenchInput& in) {
  return in.image() && in.image()->channels != 1 && in.image()->channels != 3
             ? "needs a gray or RGB image"
             : "";
}

// General-purpose compressors: file bytes (images: their pixels as PPM).
CommandConfig ByteCodec(std::string name, std::string tool, std::string out_ext, ArgvFn enc,
                        bool enc_stdout, ArgvFn dec, bool dec_stdout) {
  CommandConfig c;
  c.name = std::move(name);
  c.applies = kToAny;
  c.tools = {std::move(tool)};
  c.source = Source::kRaw;
  c.out_ext = std::move(out_ext);
  c.encode = std::move(enc);
  c.encode_stdout = enc_stdout;
  c.decode = std::move(dec);
  c.decode_stdout = dec_stdout;
  c.dec_ext = SameExt;
  c.check = Check::kExactBytes;
  return c;
}

Strings FfmpegHead() { return {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"}; }

CommandConfig VideoCodec(std::string name, Strings codec_args) {
  CommandConfig c;
  c.name = std::move(name);
  c.applies = kToVideo;
  c.tools = {"ffmpeg"};
  c.source = Source::kOriginal;
  c.out_ext = ".mkv";
  c.encode = [codec_args](const ArgvContext& x) {
    Strings a = FfmpegHead();
    a.insert(a.end(), {"-i", x.in});
    a.insert(a.end(), codec_args.begin(), codec_args.end());
    a.push_back(x.out);
    return a;
  };
  c.decode = [](const ArgvContext& x) {
    Strings a = FfmpegHead();
    a.insert(a.end(), {"-i", x.out, "-f", "rawvideo", "-pix_fmt",
                       x.chroma == 444 ? "yuv444p" : "yuv420p", x.dec});
    return a;
  };
  c.dec_ext = [](const ArgvContext&) { return std::string(".yuv"); };
  c.check = Check::kYuvPlanes;
  return c;
}

CommandConfig OurCodec(const std::string& codec, unsigned applies, Source source,
                       const CodecContext& ctx) {
  CommandConfig c;
  c.name = codec;
  c.ours = true;
  c.applies = applies;
  c.tools = {ctx.self_exe};
  c.source = source;
  c.out_ext = ".dfc";
  const std::string exe = ctx.self_exe;
  const std::string threads = std::to_string(ctx.threads);
  // -q is a global option of the CLI, so it goes before the subcommand.
  c.encode = [exe, codec, threads](const ArgvContext& x) -> Strings {
    return {exe, "-q", "compress", "--codec", codec, "-T", threads, "-f", "-o", x.out, x.in};
  };
  c.decode = [exe, threads](const ArgvContext& x) -> Strings {
    return {exe, "-q", "decompress", "-T", threads, "-f", "-o", x.dec, x.out};
  };
  if (applies == kToImage) {
    // decompress restores the original file type, so name the output accordingly.
    c.dec_ext = [](const ArgvContext& x) {
      return std::string(x.type == extras::FileType::kPpm   ? ".ppm"
                         : x.type == extras::FileType::kPgm ? ".pgm"
                                                            : ".png");
    };
    c.check = Check::kPixels;
  } else {
    c.dec_ext = SameExt;
    c.check = Check::kExactBytes;
  }
  return c;
}

CommandConfig CjxlLossless(int effort) {
  CommandConfig c;
  c.name = "cjxl-e" + std::to_string(effort);
  c.applies = kToImage;
  c.tools = {"cjxl", "djxl"};
  c.source = Source::kPng;
  c.out_ext = ".jxl";
  const std::string e = std::to_string(effort);
  c.encode = [e](const ArgvContext& x) -> Strings {
    return {"cjxl", x.in, x.out, "-d", "0", "-e", e, "--quiet"};
  };
  c.decode = [](const ArgvContext& x) -> Strings { return {"djxl", x.out, x.dec, "--quiet"}; };
  c.dec_ext = ImageDecExt;
  c.check = Check::kPixels;
  return c;
}

using Builder = std::function<CommandConfig(const CodecContext&)>;

// Lossless codecs in report order. Names are stable: results files refer to them.
const std::vector<std::pair<std::string, Builder>>& LosslessTable() {
  static const std::vector<std::pair<std::string, Builder>> table = {
      {"huffman",
       [](const CodecContext& ctx) {
         // Images go in as PPM, like the general-purpose baselines, so the rates compare.
         return OurCodec("huffman", kToAny, Source::kRaw, ctx);
       }},
      {"lzw", [](const CodecContext& ctx) { return OurCodec("lzw", kToAny, Source::kRaw, ctx); }},
      {"image-lossless",
       [](const CodecContext& ctx) {
         return OurCodec("image-lossless", kToImage, Source::kOriginal, ctx);
       }},
      {"signal-lossless",
       [](const CodecContext& ctx) {
         return OurCodec("signal-lossless", kToAudio, Source::kOriginal, ctx);
       }},
      {"zstd-19",
       [](const CodecContext&) {
         return ByteCodec(
             "zstd-19", "zstd", ".zst",
             [](const ArgvContext& x) -> Strings {
               return {"zstd", "-19", "-q", "-f", "--no-progress", "-o", x.out, x.in};
             },
             false,
             [](const ArgvContext& x) -> Strings {
               return {"zstd", "-d", "-q", "-f", "-o", x.dec, x.out};
             },
             false);
       }},
      {"xz-9e",
       [](const CodecContext&) {
         // -T1: multithreaded xz splits the input into blocks, which changes the size.
         return ByteCodec(
             "xz-9e", "xz", ".xz",
             [](const ArgvContext& x) -> Strings {
               return {"xz", "-9e", "-T1", "-c", x.in};
             },
             true,
             [](const ArgvContext& x) -> Strings {
               return {"xz", "-d", "-c", x.out};
             },
             true);
       }},
      {"gzip-9",
       [](const CodecContext&) {
         // -n: no file name or time stamp in the header, so the size does not depend on
         // the scratch file's name.
         return ByteCodec(
             "gzip-9", "gzip", ".gz",
             [](const ArgvContext& x) -> Strings {
               return {"gzip", "-9", "-n", "-c", x.in};
             },
             true,
             [](const ArgvContext& x) -> Strings {
               return {"gzip", "-d", "-c", x.out};
             },
             true);
       }},
      {"bzip2-9",
       [](const CodecContext&) {
         return ByteCodec(
             "bzip2-9", "bzip2", ".bz2",
             [](const ArgvContext& x) -> Strings {
               return {"bzip2", "-9", "-c", x.in};
             },
             true,
             [](const ArgvContext& x) -> Strings {
               return {"bzip2", "-d", "-c", x.out};
             },
             true);
       }},
      {"brotli-11",
       [](const CodecContext&) {
         // -w 24 (16 MiB window, brotli's largest standard one) as in STACK.md; the default 22
         // would only differ on inputs over 4 MiB.
         return ByteCodec(
             "brotli-11", "brotli", ".br",
             [](const ArgvContext& x) -> Strings {
               return {"brotli", "-q", "11", "-w", "24", "-f", "-o", x.out, x.in};
             },
             false,
             [](const ArgvContext& x) -> Strings {
               return {"brotli", "-d", "-f", "-o", x.dec, x.out};
             },
             false);
       }},
      {"compress-b16",
       [](const CodecContext&) {
         // -f: the man page says compress otherwise skips an input that would not shrink.
         return ByteCodec(
             "compress-b16", "compress", ".Z",
             [](const ArgvContext& x) -> Strings {
               return {"compress", "-b16", "-f", "-c", x.in};
             },
             true,
             [](const ArgvContext& x) -> Strings {
               return {"compress", "-d", "-c", x.out};
             },
             true);
       }},
      {"optipng-o7",
       [](const CodecContext&) {
         CommandConfig c;
         c.name = "optipng-o7";
         c.applies = kToImage;
         c.tools = {"optipng"};
         c.source = Source::kPng;
         c.out_ext = ".png";
         c.encode = [](const ArgvContext& x) -> Strings {
           return {"optipng", "-o7", "-quiet", "-clobber", "-out", x.out, x.in};
         };
         c.check = Check::kPixels;
         return c;
       }},
      {"cwebp-lossless-z9",
       [](const CodecContext&) {
         CommandConfig c;
         c.name = "cwebp-lossless-z9";
         c.applies = kToImage;
         c.tools = {"cwebp", "dwebp"};
         c.source = Source::kPng;
         c.out_ext = ".webp";
         c.encode = [](const ArgvContext& x) -> Strings {
           return {"cwebp", "-quiet", "-lossless", "-z", "9", "-exact", x.in, "-o", x.out};
         };
         c.decode = [](const ArgvContext& x) -> Strings {
           // PPM when it can hold the pixels: it is what dwebp writes fastest.
           if (x.channels == 3) return {"dwebp", "-quiet", x.out, "-ppm", "-o", x.dec};
           return {"dwebp", "-quiet", x.out, "-o", x.dec};
         };
         c.dec_ext = [](const ArgvContext& x) {
           return std::string(x.channels == 3 ? ".ppm" : ".png");
         };
         c.check = Check::kPixels;
         return c;
       }},
      {"cjxl-e7", [](const CodecContext&) { return CjxlLossless(7); }},
      {"cjxl-e9", [](const CodecContext&) { return CjxlLossless(9); }},
      {"avif-lossless-s6",
       [](const CodecContext&) {
         CommandConfig c;
         c.name = "avif-lossless-s6";
         c.applies = kToImage;
         c.tools = {"avifenc", "avifdec"};
         c.source = Source::kPng;
         c.out_ext = ".avif";
         c.encode = [](const ArgvContext& x) -> Strings {
           return {"avifenc", "--lossless", "-s", "6", "-j", "2", x.in, x.out};
         };
         c.decode = [](const ArgvContext& x) -> Strings {
           return {"avifdec", "-j", "2", x.out, x.dec};
         };
         c.dec_ext = PngExt;
         c.check = Check::kPixels;
         return c;
       }},
      {"flac-8",
       [](const CodecContext&) {
         CommandConfig c;
         c.name = "flac-8";
         c.applies = kToAudio;
         c.tools = {"flac"};
         c.source = Source::kOriginal;
         c.out_ext = ".flac";
         c.encode = [](const ArgvContext& x) -> Strings {
           return {"flac", "-8", "-s", "-f", "-o", x.out, x.in};
         };
         c.decode = [](const ArgvContext& x) -> Strings {
           return {"flac", "-d", "-s", "-f", "-o", x.dec, x.out};
         };
         c.dec_ext = [](const ArgvContext&) { return std::string(".wav"); };
         c.check = Check::kWavSamples;
         return c;
       }},
      {"wavpack-hhx6",
       [](const CodecContext&) {
         CommandConfig c;
         c.name = "wavpack-hhx6";
         c.applies = kToAudio;
         c.tools = {"wavpack", "wvunpack"};
         c.source = Source::kOriginal;
         c.out_ext = ".wv";
         c.encode = [](const ArgvContext& x) -> Strings {
           return {"wavpack", "-hhx6", "-q", "-y", x.in, "-o", x.out};
         };
         c.decode = [](const ArgvContext& x) -> Strings {
           return {"wvunpack", "-q", "-y", x.out, "-o", x.dec};
         };
         c.dec_ext = [](const ArgvContext&) { return std::string(".wav"); };
         c.check = Check::kWavSamples;
         return c;
       }},
      {"ffv1-l3",
       [](const CodecContext&) {
         return VideoCodec("ffv1-l3", {"-c:v", "ffv1", "-level", "3", "-coder", "1", "-context",
                                       "1", "-g", "1", "-slices", "4"});
       }},
      {"x264-qp0",
       [](const CodecContext&) {
         return VideoCodec("x264-qp0", {"-c:v", "libx264", "-qp", "0", "-preset", "veryslow"});
       }},
  };
  return table;
}

Builder FindLossless(const std::string& name) {
  for (const auto& [n, b] : LosslessTable()) {
    if (n == name) return b;
  }
  return nullptr;
}

// Lossy families: "family:<letter><value>".
struct LossyFamily {
  std::string family;
  char param;
  double min, max;
  bool integer;
  std::string syntax;  // "cjpeg:qQ"
  std::string help;    // the command and the range
};
const std::vector<LossyFamily>& LossyFamilies() {
  static const std::vector<LossyFamily> f = {
      {"cjpeg", 'q', 0, 100, true, "cjpeg:qQ",
       "cjpeg -quality Q -optimize (libjpeg-turbo), Q 0..100"},
      {"cwebp", 'q', 0, 100, false, "cwebp:qQ", "cwebp -q Q -m 6, Q 0..100"},
      {"cjxl", 'd', 0.01, 25, false, "cjxl:dD",
       "cjxl -d D -e 7 (distance; 1.0 is about visually lossless), D 0.01..25"},
      {"avif", 'q', 0, 63, true, "avif:qQ",
       "avifenc -s 6 -j 2 --min Q --max Q -y 444 (quantizer, lower is better), Q 0..63"},
  };
  return f;
}

StatusOr<CommandConfig> LossyConfig(const CodecSpec& spec) {
  const LossyFamily* fam = nullptr;
  for (const LossyFamily& f : LossyFamilies()) {
    if (f.family == spec.family) fam = &f;
  }
  if (fam == nullptr) {
    return Error(DC_ERR_UNKNOWN_CODEC, "unknown lossy codec '" + spec.family + "' in '" +
                                           spec.text + "' (try --codecs list)");
  }
  if (spec.param != fam->param || spec.value < fam->min || spec.value > fam->max ||
      (fam->integer && spec.value != std::floor(spec.value))) {
    return Error(DC_ERR_INVALID_ARGUMENT,
                 "'" + spec.text + "': expected " + fam->syntax + " with " + fam->help);
  }
  // Integers are printed without a fraction so that "q75.0" and "q75" name the same result.
  const std::string v =
      fam->integer ? std::to_string(static_cast<int>(spec.value)) : spec.value_text;
  CommandConfig c;
  c.lossy = true;
  c.applies = kToImage;
  c.check = Check::kImageMetrics;
  if (spec.family == "cjpeg") {
    c.name = "cjpeg-q" + v;
    c.tools = {"cjpeg", "djpeg"};
    c.source = Source::kPnm;  // cjpeg reads PPM/PGM, not PNG
    c.out_ext = ".jpg";
    c.encode = [v](const ArgvContext& x) -> Strings {
      return {"cjpeg", "-quality", v, "-optimize", "-outfile", x.out, x.in};
    };
    c.decode = [](const ArgvContext& x) -> Strings {
      return {"djpeg", "-outfile", x.dec, x.out};  // PPM (PGM for gray) by default
    };
    c.dec_ext = ImageDecExt;
    c.declines = DeclineRgba;
  } else if (spec.family == "cwebp") {
    c.name = "cwebp-q" + v;
    c.tools = {"cwebp", "dwebp"};
    c.source = Source::kPng;
    c.out_ext = ".webp";
    c.encode = [v](const ArgvContext& x) -> Strings {
      return {"cwebp", "-quiet", "-q", v, "-m", "6", x.in, "-o", x.out};
    };
    c.decode = [](const ArgvContext& x) -> Strings {
      if (x.channels == 3) return {"dwebp", "-quiet", x.out, "-ppm", "-o", x.dec};
      return {"dwebp", "-quiet", x.out, "-o", x.dec};
    };
    c.dec_ext = [](const ArgvContext& x) { return std::string(x.channels == 3 ? ".ppm" : ".png"); };
  } else if (spec.family == "cjxl") {
    c.name = "cjxl-d" + v;
    c.tools = {"cjxl", "djxl"};
    c.source = Source::kPng;
    c.out_ext = ".jxl";
    c.encode = [v](const ArgvContext& x) -> Strings {
      return {"cjxl", x.in, x.out, "-d", v, "-e", "7", "--quiet"};
    };
    c.decode = [](const ArgvContext& x) -> Strings { return {"djxl", x.out, x.dec, "--quiet"}; };
    c.dec_ext = ImageDecExt;
  } else {  // avif
    c.name = "avif-s6-q" + v;
    c.tools = {"avifenc", "avifdec"};
    c.source = Source::kPng;
    c.out_ext = ".avif";
    // -y 444: avifenc's default would be too, but the rate depends on it, so it is explicit.
    c.encode = [v](const ArgvContext& x) -> Strings {
      return {"avifenc", "-s", "6", "-j", "2", "--min", v, "--max", v, "-y", "444", x.in, x.out};
    };
    c.decode = [](const ArgvContext& x) -> Strings {
      return {"avifdec", "-j", "2", "-d", "8", x.out, x.dec};
    };
    c.dec_ext = PngExt;
  }
  return c;
}

const Strings& OurNames() {
  static const Strings n = {"huffman", "lzw", "image-lossless", "signal-lossless"};
  return n;
}
const Strings& DefaultLossy() {
  static const Strings n = {"cjpeg:q75", "cwebp:q75", "cjxl:d1.0", "avif:q30"};
  return n;
}

}  // namespace

StatusOr<std::unique_ptr<BenchCodec>> MakeCodec(const CodecSpec& spec, const CodecContext& ctx) {
  if (spec.param != 0) {
    ASSIGN_OR_RETURN(CommandConfig cfg, LossyConfig(spec));
    return std::unique_ptr<BenchCodec>(new CommandCodec(std::move(cfg), ctx));
  }
  const Builder b = FindLossless(spec.family);
  if (!b) {
    for (const LossyFamily& f : LossyFamilies()) {
      if (f.family == spec.family) {
        return Error(DC_ERR_INVALID_ARGUMENT,
                     "'" + spec.text + "' needs a setting: " + f.syntax + " (" + f.help + ")");
      }
    }
    return Error(DC_ERR_UNKNOWN_CODEC, "unknown codec '" + spec.text + "' (try --codecs list)");
  }
  return std::unique_ptr<BenchCodec>(new CommandCodec(b(ctx), ctx));
}

std::vector<std::string> ExpandCodecGroups(const std::vector<std::string>& specs) {
  Strings out;
  auto add = [&out](const std::string& s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  for (const std::string& s : specs) {
    const bool ours = s == "ours" || s == "lossless" || s == "all";
    const bool external = s == "external" || s == "lossless" || s == "all";
    const bool lossy = s == "lossy" || s == "all";
    if (!ours && !external && !lossy) {
      add(s);
      continue;
    }
    for (const auto& entry : LosslessTable()) {
      const bool is_ours =
          std::find(OurNames().begin(), OurNames().end(), entry.first) != OurNames().end();
      if ((is_ours && ours) || (!is_ours && external)) add(entry.first);
    }
    if (lossy) {
      for (const std::string& l : DefaultLossy()) add(l);
    }
  }
  return out;
}

std::string ListCodecs() {
  CodecContext ctx;
  ctx.self_exe = "diffcomp";
  std::ostringstream o;
  o << "Lossless (verified by decoding and comparing):\n";
  for (const auto& entry : LosslessTable()) {
    const CommandConfig c = FindLossless(entry.first)(ctx);
    CommandCodec codec(c, ctx);
    std::string applies;
    for (const Category cat :
         {Category::kImage, Category::kAudio, Category::kVideo, Category::kBytes}) {
      if (codec.AppliesTo(cat))
        applies += std::string(applies.empty() ? "" : ",") + CategoryName(cat);
    }
    char head[96];
    std::snprintf(head, sizeof(head), "  %-18s %-5s %-24s ", entry.first.c_str(),
                  c.ours ? "ours" : "", applies.c_str());
    o << head << codec.EncodeCommand() << "\n";
  }
  o << "Lossy, images (PSNR and MS-SSIM on the decoded 8-bit output):\n";
  for (const LossyFamily& f : LossyFamilies()) {
    char head[64];
    std::snprintf(head, sizeof(head), "  %-18s ", f.syntax.c_str());
    o << head << f.help << "\n";
  }
  o << "Groups: ours, external, lossless (= ours + external), lossy (= ";
  for (size_t i = 0; i < DefaultLossy().size(); ++i) o << (i ? " " : "") << DefaultLossy()[i];
  o << "), all\n";
  return o.str();
}

}  // namespace dc::bench
