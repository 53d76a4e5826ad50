// The codec interface of `diffcomp bench` and the inputs it runs on. Every codec, ours and the
// external baselines alike, is a pair of child processes (encode, decode) plus a check of the
// decoded output, so all of them are measured by the same code.
#ifndef DIFFCOMP_PROGRAMS_BENCH_CODECS_H_
#define DIFFCOMP_PROGRAMS_BENCH_CODECS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "programs/status_macros.h"
#include "diffcomp/extras/audio_io.h"
#include "diffcomp/extras/y4m.h"
#include "diffcomp/extras/image_io.h"
#include "programs/bench_internal.h"

namespace dc::bench {

// Which inputs a codec takes (a bit set over Category).
enum AppliesTo : unsigned {
  kToImage = 1u << 0,
  kToAudio = 1u << 1,
  kToVideo = 1u << 2,
  kToBytes = 1u << 3,
  kToAny = kToImage | kToAudio | kToVideo | kToBytes,
};
unsigned CategoryBit(Category c);

// One data file, read and parsed once. Files derived from it (the pixels as PPM, a fresh PNG)
// are written to the work directory on first use, so a codec list that needs none of them
// costs nothing.
class BenchInput {
 public:
  // Reads `path` and detects its type by content. A file that looks like an image, WAV or Y4M
  // but does not parse is benchmarked as plain bytes (see note()).
  // @return DC_ERR_IO (unreadable) or DC_ERR_TOO_LARGE from reading the file.
  static StatusOr<std::unique_ptr<BenchInput>> Load(const std::string& path,
                                                    const std::string& display_name,
                                                    const std::string& workdir);

  const std::string& path() const { return path_; }
  const std::string& name() const { return name_; }
  extras::FileType type() const { return type_; }
  Category category() const { return category_; }
  uint64_t file_bytes() const { return original_.size(); }
  uint64_t units() const { return units_; }        // the rate denominator
  double work_mega() const { return work_mega_; }  // MP (images) or MB, for speeds
  const std::vector<uint8_t>& original() const { return original_; }
  const extras::Image* image() const { return image_ ? &*image_ : nullptr; }
  const extras::Wav* wav() const { return wav_ ? &*wav_ : nullptr; }
  const extras::Y4m* y4m() const { return y4m_ ? &*y4m_ : nullptr; }
  const std::string& note() const { return note_; }  // why a typed file fell back to bytes
  std::string Describe() const;  // "PNG 768x512x3", "WAV 2 ch 44100 Hz 16-bit, 439741 frames"

  // What general-purpose compressors read: the file itself, except for images, whose pixels
  // are written as PPM/PGM (RGBA: headerless interleaved bytes), because a PNG is already
  // deflate-compressed and compressing it again measures nothing useful.
  StatusOr<std::string> RawPath();
  // The bytes of RawPath() (valid after a successful RawPath()).
  const std::vector<uint8_t>& raw_bytes() const { return raw_bytes_; }
  // A PNG written fresh from the pixels (no ancillary chunks, so no colour management
  // surprises in the image tools). Images only.
  StatusOr<std::string> PngPath();
  // PPM (RGB) or PGM (gray) of the pixels. Images with 1 or 3 channels only.
  StatusOr<std::string> PnmPath();

 private:
  std::string path_, name_, workdir_, note_;
  extras::FileType type_ = extras::FileType::kRaw;
  Category category_ = Category::kBytes;
  uint64_t units_ = 0;
  double work_mega_ = 0;
  std::vector<uint8_t> original_;
  std::optional<extras::Image> image_;
  std::optional<extras::Wav> wav_;
  std::optional<extras::Y4m> y4m_;
  std::string raw_path_, png_path_, pnm_path_;
  std::vector<uint8_t> raw_bytes_;
};

struct CodecContext {
  std::string self_exe;  // diffcomp executable, for our own codecs
  int threads = 2;       // -T for our codecs
  int repeats = 1;       // fastest of this many runs per step
  double cpu_limit_seconds = 0;
};

// The outcome of one codec on one input.
struct CodecRun {
  Status status;               // not ok: the codec could not run or produced no output
  bool verify_failed = false;  // ran, but a lossless round trip did not reproduce the input
  std::string verify_detail;   // where the first difference is
  uint64_t compressed_bytes = 0;
  Timing enc, dec;
  double psnr = kNaN, ms_ssim = kNaN;  // lossy codecs only
};

class BenchCodec {
 public:
  virtual ~BenchCodec() = default;
  virtual const std::string& name() const = 0;
  virtual bool lossy() const = 0;
  virtual bool ours() const = 0;
  virtual unsigned applies_to() const = 0;  // AppliesTo bits
  bool AppliesTo(Category c) const { return (applies_to() & CategoryBit(c)) != 0; }
  // "" when the codec can run on this machine; otherwise why not (a tool is not installed).
  // An unavailable codec is skipped with a note, not counted as a failure.
  virtual std::string UnavailableReason() const = 0;
  // "" when the codec takes this input; otherwise why not (e.g. cjpeg and an RGBA image).
  virtual std::string Declines(const BenchInput& in) const = 0;
  // The exact command lines, with IN / OUT / DEC placeholders, for the reports.
  virtual std::string EncodeCommand() const = 0;
  virtual std::string DecodeCommand() const = 0;
  // Encodes, decodes and checks one input. Scratch files go to `dir`, which the caller
  // creates and removes.
  virtual CodecRun Run(BenchInput& in, const std::string& dir) = 0;
};

// @return DC_ERR_UNKNOWN_CODEC for an unknown name, DC_ERR_INVALID_ARGUMENT for a setting out
//   of range (e.g. "cjpeg:q101") or given to a codec that has none.
StatusOr<std::unique_ptr<BenchCodec>> MakeCodec(const CodecSpec& spec, const CodecContext& ctx);

// Expands the group names "ours", "lossless", "external", "lossy" and "all" into codec specs;
// other specs are passed through. Duplicates are dropped, first occurrence kept.
std::vector<std::string> ExpandCodecGroups(const std::vector<std::string>& specs);

// The text printed by `--codecs list`.
std::string ListCodecs();

}  // namespace dc::bench

#endif  // DIFFCOMP_PROGRAMS_BENCH_CODECS_H_
