#include "extras/y4m.h"
#include "common/status.h"  // the macros (extras is built with the library's private headers)

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace dc::extras {
namespace {

Status OutOfMemory(const char* what) {
  return Error(DC_ERR_OUT_OF_MEMORY, std::string("out of memory ") + what);
}


constexpr char kY4mMagic[] = "YUV4MPEG2 ";
constexpr size_t kY4mMagicLen = sizeof(kY4mMagic) - 1;

struct Y4mGeometry {
  uint32_t width = 0, height = 0, chroma = 420;
  uint64_t frame_bytes = 0;
};

// Parses the stream header line without its '\n'. Only W, H and C matter for the layout; the
// other tags (F, I, A, X) are carried verbatim in header_line.
Status ParseY4mHeader(const uint8_t* line, size_t len, Y4mGeometry* g) {
  if (len < kY4mMagicLen || std::memcmp(line, kY4mMagic, kY4mMagicLen) != 0) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "not a Y4M stream");
  }
  uint64_t w = 0, h = 0;
  bool have_w = false, have_h = false;
  std::string chroma = "420";
  size_t pos = kY4mMagicLen;
  while (pos < len) {
    size_t end = pos;
    while (end < len && line[end] != ' ') ++end;
    if (end > pos) {
      const char tag = static_cast<char>(line[pos]);
      if (tag == 'W' || tag == 'H') {
        if (end - pos < 2) return Error(DC_ERR_CORRUPT, "Y4M header has an empty W or H");
        uint64_t v = 0;
        for (size_t i = pos + 1; i < end; ++i) {
          if (line[i] < '0' || line[i] > '9') {
            return Error(DC_ERR_CORRUPT, "Y4M header has a non-numeric W or H");
          }
          v = std::min<uint64_t>(v * 10 + (line[i] - '0'), uint64_t{1} << 40);
        }
        (tag == 'W' ? w : h) = v;
        (tag == 'W' ? have_w : have_h) = true;
      } else if (tag == 'C') {
        chroma.assign(reinterpret_cast<const char*>(line + pos + 1), end - pos - 1);
      }
    }
    pos = end + 1;
  }
  if (!have_w || !have_h) return Error(DC_ERR_CORRUPT, "Y4M header lacks W or H");
  if (w == 0 || h == 0) return Error(DC_ERR_CORRUPT, "Y4M has zero width or height");
  if (w > DC_MAX_IMAGE_DIM || h > DC_MAX_IMAGE_DIM || w * h > DC_MAX_IMAGE_PIXELS) {
    return Error(DC_ERR_TOO_LARGE, "Y4M frame of " + std::to_string(w) + "x" + std::to_string(h) +
                                       " exceeds the size limits");
  }
  if (chroma == "420" || chroma == "420jpeg" || chroma == "420paldv" || chroma == "420mpeg2") {
    g->chroma = 420;
  } else if (chroma == "444") {
    g->chroma = 444;
  } else {
    return Error(DC_ERR_UNSUPPORTED_FORMAT,
                 "Y4M chroma '" + chroma + "' is not supported (8-bit 420 or 444 only)");
  }
  g->width = static_cast<uint32_t>(w);
  g->height = static_cast<uint32_t>(h);
  g->frame_bytes = g->chroma == 444 ? 3 * w * h : w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2);
  return Status::Ok();
}

// Finds the '\n' ending a line that starts at `pos`, within kMaxY4mLineBytes.
Status FindLineEnd(const uint8_t* data, size_t size, size_t pos, const char* what, size_t* nl) {
  const size_t limit = std::min(size, pos + kMaxY4mLineBytes);
  const void* hit = std::memchr(data + pos, '\n', limit - pos);
  if (hit == nullptr) {
    if (limit == size) return Error(DC_ERR_TRUNCATED, std::string("Y4M ") + what + " ends early");
    return Error(DC_ERR_CORRUPT, std::string("Y4M ") + what + " is too long");
  }
  *nl = static_cast<size_t>(static_cast<const uint8_t*>(hit) - data);
  return Status::Ok();
}

bool IsFrameLine(const std::vector<uint8_t>& line) {
  if (line.size() < 6 || std::memcmp(line.data(), "FRAME", 5) != 0) return false;
  if (line[5] != '\n' && line[5] != ' ') return false;
  if (line.back() != '\n') return false;
  return std::find(line.begin(), line.end() - 1, '\n') == line.end() - 1;
}

}  // namespace

StatusOr<Y4m> DecodeY4m(const uint8_t* data, size_t size) {
  if (data == nullptr && size != 0) return Error(DC_ERR_INVALID_ARGUMENT, "null Y4M data");
  if (size == 0) return Error(DC_ERR_TRUNCATED, "empty Y4M data");
  const size_t magic_len = std::min(size, kY4mMagicLen);
  if (std::memcmp(data, kY4mMagic, magic_len) != 0) {
    return Error(DC_ERR_UNSUPPORTED_FORMAT, "not a Y4M stream");
  }
  if (size <= kY4mMagicLen) return Error(DC_ERR_TRUNCATED, "Y4M header ends early");
  size_t nl = 0;
  RETURN_IF_ERROR(FindLineEnd(data, size, 0, "header line", &nl));
  Y4mGeometry g;
  RETURN_IF_ERROR(ParseY4mHeader(data, nl, &g));

  Y4m y4m;
  y4m.width = g.width;
  y4m.height = g.height;
  y4m.chroma = g.chroma;
  try {
    y4m.header_line.assign(data, data + nl + 1);
    size_t pos = nl + 1;
    while (pos < size) {
      const size_t index = y4m.frames.size();
      if (index == kMaxY4mFrames) {
        return Error(DC_ERR_TOO_LARGE,
                     "Y4M has more than " + std::to_string(kMaxY4mFrames) + " frames");
      }
      const size_t left = size - pos;
      if (std::memcmp(data + pos, "FRAME", std::min<size_t>(left, 5)) != 0) {
        return Error(DC_ERR_CORRUPT, "Y4M frame " + std::to_string(index) + " lacks FRAME");
      }
      if (left <= 5) return Error(DC_ERR_TRUNCATED, "Y4M frame header ends early");
      if (data[pos + 5] != '\n' && data[pos + 5] != ' ') {
        return Error(DC_ERR_CORRUPT, "Y4M frame " + std::to_string(index) + " has a bad header");
      }
      RETURN_IF_ERROR(FindLineEnd(data, size, pos, "frame header", &nl));
      const size_t body = nl + 1;
      if (size - body < g.frame_bytes) {
        return Error(DC_ERR_TRUNCATED, "Y4M frame " + std::to_string(index) + " ends early");
      }
      y4m.frame_headers.emplace_back(data + pos, data + body);
      y4m.frames.emplace_back(data + body, data + body + g.frame_bytes);
      pos = body + static_cast<size_t>(g.frame_bytes);
    }
  } catch (const std::bad_alloc&) {
    return OutOfMemory("decoding Y4M");
  }
  return y4m;
}

StatusOr<std::vector<uint8_t>> EncodeY4m(const Y4m& y4m) {
  const std::vector<uint8_t>& line = y4m.header_line;
  if (line.empty() || line.back() != '\n' ||
      std::find(line.begin(), line.end() - 1, '\n') != line.end() - 1) {
    return Error(DC_ERR_INVALID_ARGUMENT, "Y4M header line must end with its only newline");
  }
  Y4mGeometry g;
  const Status parsed = ParseY4mHeader(line.data(), line.size() - 1, &g);
  if (!parsed.ok()) return Error(DC_ERR_INVALID_ARGUMENT, "Y4M header line: " + parsed.message());
  if (g.width != y4m.width || g.height != y4m.height || g.chroma != y4m.chroma) {
    return Error(DC_ERR_INVALID_ARGUMENT, "Y4M header line disagrees with width/height/chroma");
  }
  if (y4m.frame_headers.size() != y4m.frames.size()) {
    return Error(DC_ERR_INVALID_ARGUMENT, "Y4M needs one frame header per frame");
  }
  uint64_t total = line.size();
  for (size_t i = 0; i < y4m.frames.size(); ++i) {
    if (!IsFrameLine(y4m.frame_headers[i])) {
      return Error(DC_ERR_INVALID_ARGUMENT, "Y4M frame header " + std::to_string(i) + " is invalid");
    }
    if (y4m.frames[i].size() != g.frame_bytes) {
      return Error(DC_ERR_INVALID_ARGUMENT, "Y4M frame " + std::to_string(i) + " has " +
                                                std::to_string(y4m.frames[i].size()) +
                                                " bytes, expected " +
                                                std::to_string(g.frame_bytes));
    }
    total += y4m.frame_headers[i].size() + y4m.frames[i].size();
  }
  std::vector<uint8_t> out;
  try {
    out.reserve(static_cast<size_t>(total));
    out.insert(out.end(), line.begin(), line.end());
    for (size_t i = 0; i < y4m.frames.size(); ++i) {
      out.insert(out.end(), y4m.frame_headers[i].begin(), y4m.frame_headers[i].end());
      out.insert(out.end(), y4m.frames[i].begin(), y4m.frames[i].end());
    }
  } catch (const std::bad_alloc&) {
    return OutOfMemory("encoding Y4M");
  } catch (const std::length_error&) {
    return OutOfMemory("encoding Y4M");
  }
  return out;
}

}  // namespace dc::extras
