#include "extras/video_io.h"
#include "extras/y4m.h"
#include "extras/file_io.h"
#include "common/status.h"  // the macros (extras is built with the library's private headers)

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>

#include "common/bytes.h"
#include "extras/audio_io.h"

namespace dc::extras {
namespace {

constexpr char kFrameLine[] = "FRAME\n";

uint64_t FrameBytes(uint32_t w, uint32_t h, uint32_t chroma) {
  return chroma == 444 ? 3ull * w * h : uint64_t{w} * h + 2ull * ((w + 1) / 2) * ((h + 1) / 2);
}

Status ErrnoError(const std::string& what, const std::string& path) {
  return Error(DC_ERR_IO, what + " " + path + ": " + std::strerror(errno));
}

// A file written in pieces to "<path>.<pid>.<n>.tmp" and published at Commit.
class StreamFile {
 public:
  ~StreamFile() {
    if (f_) std::fclose(f_);
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
  }
  Status Open(const std::string& path, bool overwrite) {
    path_ = path;
    overwrite_ = overwrite;
    if (IsSpecialFile(path)) {  // a device or FIFO (-o /dev/null): written in place, as WriteFileAtomic does
      const int fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
      if (fd < 0) return ErrnoError("cannot open", path);
      f_ = ::fdopen(fd, "wb");
      if (!f_) {
        ::close(fd);
        return ErrnoError("cannot open", path);
      }
      direct_ = true;
      return Status::Ok();
    }
    if (!overwrite && ::access(path.c_str(), F_OK) == 0) return Error(DC_ERR_EXISTS, path + " already exists; use -f to overwrite");
    for (int n = 0; n < 16; ++n) {
      const std::string t = path + "." + std::to_string(::getpid()) + "." + std::to_string(n) + ".tmp";
      const int fd = ::open(t.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0 && errno == EEXIST) continue;
      if (fd < 0) return ErrnoError("cannot create temporary file", t);
      tmp_ = t;
      f_ = ::fdopen(fd, "wb");
      if (!f_) {
        ::close(fd);
        return ErrnoError("cannot open", t);
      }
      return Status::Ok();
    }
    return Error(DC_ERR_IO, "cannot create a temporary file beside " + path);
  }
  Status Write(const uint8_t* p, size_t n) {
    if (n && std::fwrite(p, 1, n, f_) != n) return ErrnoError("cannot write", direct_ ? path_ : tmp_);
    bytes_ += n;
    return Status::Ok();
  }
  Status Commit() {
    if (direct_) {
      const bool ok = std::fflush(f_) == 0;
      const bool closed = std::fclose(f_) == 0;
      f_ = nullptr;
      if (!ok || !closed) return ErrnoError("cannot write", path_);
      return Status::Ok();
    }
    if (std::fflush(f_) != 0 || ::fsync(::fileno(f_)) != 0) return ErrnoError("cannot write", tmp_);
    if (std::fclose(f_) != 0) {
      f_ = nullptr;
      return ErrnoError("cannot close", tmp_);
    }
    f_ = nullptr;
    if (overwrite_) {
      if (::rename(tmp_.c_str(), path_.c_str()) != 0) return ErrnoError("cannot rename to", path_);
    } else {
      if (::link(tmp_.c_str(), path_.c_str()) != 0) {
        if (errno == EEXIST) return Error(DC_ERR_EXISTS, path_ + " already exists; use -f to overwrite");
        return ErrnoError("cannot create", path_);
      }
      ::unlink(tmp_.c_str());
    }
    tmp_.clear();
    return Status::Ok();
  }
  uint64_t bytes() const { return bytes_; }

 private:
  std::string path_, tmp_;
  bool overwrite_ = false;
  bool direct_ = false;  // a special file, written in place
  FILE* f_ = nullptr;
  uint64_t bytes_ = 0;
};

struct Layout {  // the parsed side data
  std::vector<uint8_t> header;
  bool listed = false;
  std::vector<std::vector<uint8_t>> lines;
  std::string fps;
};

StatusOr<Layout> ParseSide(dc_format format, const uint8_t* side, size_t size, uint64_t frames) {
  Layout l;
  ByteReader r(side, size);
  uint64_t n;
  const uint8_t* p;
  if (format == DC_FORMAT_RAW_I420) {
    RETURN_IF_ERROR(r.Varint(&n));
    if (n > r.remaining()) return Error(DC_ERR_CORRUPT, "video side data: frame rate ends early");
    RETURN_IF_ERROR(r.Bytes(static_cast<size_t>(n), &p));
    l.fps.assign(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
  } else {
    RETURN_IF_ERROR(r.Varint(&n));
    if (n > r.remaining()) return Error(DC_ERR_CORRUPT, "video side data: Y4M header ends early");
    RETURN_IF_ERROR(r.Bytes(static_cast<size_t>(n), &p));
    l.header.assign(p, p + n);
    uint8_t mode;
    RETURN_IF_ERROR(r.U8(&mode));
    if (mode > 1) return Error(DC_ERR_CORRUPT, "video side data: unknown frame-line mode");
    l.listed = mode == 1;
    if (l.listed) {
      if (frames > r.remaining()) return Error(DC_ERR_CORRUPT, "video side data: fewer frame lines than frames");
      for (uint64_t f = 0; f < frames; ++f) {
        RETURN_IF_ERROR(r.Varint(&n));
        if (n > r.remaining()) return Error(DC_ERR_CORRUPT, "video side data: frame line ends early");
        RETURN_IF_ERROR(r.Bytes(static_cast<size_t>(n), &p));
        l.lines.emplace_back(p, p + n);
      }
    }
    // The frame rate, for info: the F tag of the header line.
    const std::string h(l.header.begin(), l.header.end());
    const size_t f = h.find(" F");
    if (f != std::string::npos) l.fps = h.substr(f + 2, h.find_first_of(" \n", f + 2) - f - 2);
  }
  if (r.remaining() != 0) return Error(DC_ERR_CORRUPT, "video side data has trailing bytes");
  return l;
}

}  // namespace

dc_content VideoFile::Content() const {
  dc_content c{};
  c.kind = DC_KIND_VIDEO;
  c.format = format;
  c.data = data.data();
  c.size = data.size();
  c.width = width;
  c.height = height;
  c.channels = 3;
  c.bit_depth = 8;
  c.frames = static_cast<uint32_t>(frames);
  c.chroma = chroma;
  c.side = side.data();
  c.side_size = side.size();
  return c;
}

bool IsY4m(const uint8_t* bytes, size_t size) { return size >= 10 && std::memcmp(bytes, "YUV4MPEG2 ", 10) == 0; }

Status ParseSize(const std::string& s, uint32_t* w, uint32_t* h) {
  unsigned long a = 0, b = 0;
  char x = 0;
  int used = 0;
  if (std::sscanf(s.c_str(), "%lu%c%lu%n", &a, &x, &b, &used) != 3 || (x != 'x' && x != 'X') ||
      used != static_cast<int>(s.size()))
    return Error(DC_ERR_INVALID_ARGUMENT, "--size takes WxH, e.g. 352x288");
  if (a == 0 || b == 0) return Error(DC_ERR_INVALID_ARGUMENT, "--size has a zero dimension");
  if (a > DC_MAX_IMAGE_DIM || b > DC_MAX_IMAGE_DIM || uint64_t{a} * b > DC_MAX_IMAGE_PIXELS)
    return Error(DC_ERR_TOO_LARGE, "--size beyond the limit");
  *w = static_cast<uint32_t>(a);
  *h = static_cast<uint32_t>(b);
  return Status::Ok();
}

StatusOr<VideoFile> ParseVideo(const uint8_t* bytes, size_t size, uint32_t raw_width, uint32_t raw_height,
                               const std::string& raw_fps) {
  VideoFile v;
  ByteWriter sw(&v.side);
  if (raw_width > 0) {
    v.format = DC_FORMAT_RAW_I420;
    v.width = raw_width;
    v.height = raw_height;
    v.chroma = 420;
    const uint64_t fb = FrameBytes(raw_width, raw_height, 420);
    if (size == 0) return Error(DC_ERR_TRUNCATED, "empty raw I420 input");
    if (size % fb != 0)
      return Error(DC_ERR_TRUNCATED, "raw I420 input of " + std::to_string(size) + " bytes is not a whole number of " +
                                         std::to_string(raw_width) + "x" + std::to_string(raw_height) + " frames (" +
                                         std::to_string(fb) + " bytes each)");
    v.frames = size / fb;
    if (v.frames > (uint64_t{1} << 20)) return Error(DC_ERR_TOO_LARGE, "more than 2^20 frames");
    v.data.assign(bytes, bytes + size);
    sw.Varint(raw_fps.size());
    sw.Bytes(reinterpret_cast<const uint8_t*>(raw_fps.data()), raw_fps.size());
    return v;
  }
  ASSIGN_OR_RETURN(Y4m y, DecodeY4m(bytes, size));
  if (y.frames.empty()) return Error(DC_ERR_TRUNCATED, "Y4M stream has no frames");
  v.format = DC_FORMAT_Y4M;
  v.width = y.width;
  v.height = y.height;
  v.chroma = y.chroma;
  v.frames = y.frames.size();
  const uint64_t fb = FrameBytes(v.width, v.height, v.chroma);
  v.data.reserve(static_cast<size_t>(fb * v.frames));
  for (const auto& f : y.frames) {
    if (f.size() != fb) return Error(DC_ERR_INTERNAL, "Y4M frame of an unexpected size");
    v.data.insert(v.data.end(), f.begin(), f.end());
  }
  sw.Varint(y.header_line.size());
  sw.Bytes(y.header_line.data(), y.header_line.size());
  bool plain = true;
  for (const auto& l : y.frame_headers)
    plain = plain && l.size() == 6 && std::memcmp(l.data(), kFrameLine, 6) == 0;
  sw.U8(plain ? 0 : 1);
  if (!plain)
    for (const auto& l : y.frame_headers) {
      sw.Varint(l.size());
      sw.Bytes(l.data(), l.size());
    }
  return v;
}

StatusOr<FrameRange> ParseFrameRange(const std::string& s) {
  FrameRange r;
  const auto num = [](const std::string& t, uint64_t* v) {
    if (t.empty() || t.size() > 18 || t.find_first_not_of("0123456789") != std::string::npos) return false;
    *v = std::stoull(t);
    return true;
  };
  const size_t c = s.find(':');
  if (c == std::string::npos) {
    if (!num(s, &r.first)) return Error(DC_ERR_INVALID_ARGUMENT, "--frames takes A:B, A:, :B or A");
    r.end = r.first + 1;
    return r;
  }
  const std::string a = s.substr(0, c), b = s.substr(c + 1);
  if ((!a.empty() && !num(a, &r.first)) || (!b.empty() && !num(b, &r.end)))
    return Error(DC_ERR_INVALID_ARGUMENT, "--frames takes A:B, A:, :B or A");
  if (r.end <= r.first) return Error(DC_ERR_INVALID_ARGUMENT, "--frames A:B needs A < B");
  return r;
}

StatusOr<VideoDecodeResult> DecompressVideoToFile(const uint8_t* data, size_t size, const dc_params& params,
                                                  const std::string& out_path, bool overwrite,
                                                  const std::string& range) {
  dc_video_decoder* raw = nullptr;
  if (dc_error e = dc_video_decoder_open(data, size, &params, &raw)) return Error(e, dc_last_error_message());
  std::unique_ptr<dc_video_decoder, void (*)(dc_video_decoder*)> dec(raw, dc_video_decoder_free);
  dc_video_info info;
  if (dc_error e = dc_video_decoder_info(dec.get(), &info)) return Error(e, dc_last_error_message());
  FrameRange fr;
  if (!range.empty()) {
    ASSIGN_OR_RETURN(fr, ParseFrameRange(range));
    if (fr.first >= info.frames)
      return Error(DC_ERR_INVALID_ARGUMENT, "--frames starts at " + std::to_string(fr.first) + " but the file has " +
                                                std::to_string(info.frames) + " frames");
  }
  fr.end = std::min<uint64_t>(fr.end, info.frames);
  ASSIGN_OR_RETURN(Layout lay, ParseSide(info.format, info.side, info.side_size, info.frames));
  StreamFile out;
  RETURN_IF_ERROR(out.Open(out_path, overwrite));
  if (info.format == DC_FORMAT_Y4M) RETURN_IF_ERROR(out.Write(lay.header.data(), lay.header.size()));
  std::vector<uint8_t> frame(static_cast<size_t>(info.frame_bytes));
  const bool whole = fr.first == 0 && fr.end == info.frames;
  for (uint64_t f = fr.first; f < fr.end; ++f) {
    if (dc_error e = dc_video_decode_frame(dec.get(), f, frame.data(), frame.size()))
      return Error(e, "frame " + std::to_string(f) + ": " + dc_last_error_message());
    if (info.format == DC_FORMAT_Y4M) {
      if (lay.listed) RETURN_IF_ERROR(out.Write(lay.lines[f].data(), lay.lines[f].size()));
      else RETURN_IF_ERROR(out.Write(reinterpret_cast<const uint8_t*>(kFrameLine), 6));
    }
    RETURN_IF_ERROR(out.Write(frame.data(), frame.size()));
    // Progress per decoded frame (the decoder itself reports none: params.progress is the caller's).
    if (params.progress) params.progress(params.progress_opaque, f + 1 - fr.first, fr.end - fr.first);
  }
  if (whole)
    if (dc_error e = dc_video_decoder_verify_all(dec.get())) return Error(e, dc_last_error_message());
  RETURN_IF_ERROR(out.Commit());
  VideoDecodeResult res;
  res.bytes = out.bytes();
  res.frames = fr.end - fr.first;
  res.first = fr.first;
  res.whole = whole;
  return res;
}

StatusOr<VideoSummary> SummariseVideo(const uint8_t* data, size_t size) {
  dc_video_decoder* raw = nullptr;
  if (dc_error e = dc_video_decoder_open(data, size, nullptr, &raw)) return Error(e, dc_last_error_message());
  std::unique_ptr<dc_video_decoder, void (*)(dc_video_decoder*)> dec(raw, dc_video_decoder_free);
  VideoSummary s;
  if (dc_error e = dc_video_decoder_info(dec.get(), &s.info)) return Error(e, dc_last_error_message());
  ASSIGN_OR_RETURN(Layout lay, ParseSide(s.info.format, s.info.side, s.info.side_size, s.info.frames));
  s.fps = lay.fps;
  s.info.side = nullptr;  // owned by the decoder, which goes now
  s.info.side_size = 0;
  for (uint64_t f = 0; f < s.info.frames; ++f) {
    uint64_t b;
    if (dc_error e = dc_video_frame_coded_size(dec.get(), f, &b)) return Error(e, dc_last_error_message());
    s.frame_bytes.push_back(b);
  }
  return s;
}

}  // namespace dc::extras
