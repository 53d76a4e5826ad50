#include "extras/file_io.h"
#include "common/status.h"  // the macros (extras is built with the library's private headers)

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <random>
#include <stdexcept>
#include <string>

namespace dc::extras {
namespace {

std::string ErrnoText(const char* what, const std::string& path, int err) {
  return std::string(what) + " " + path + ": " + std::strerror(err);
}

// Closes on scope exit so that every early return releases the descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Returns close()'s errno (0 on success): on some filesystems (NFS) a failed write is only
  // reported at close, so the writer must look at it.
  int Close() {
    const int fd = fd_;
    fd_ = -1;
    if (fd < 0) return 0;
    return ::close(fd) == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

std::string DirName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Unique per call even within one process: random_device alone may be deterministic on some
// platforms, so the pid and a counter are mixed in.
std::string TempName(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  uint64_t r = 0;
  try {
    std::random_device rd;
    r = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  } catch (...) {
    r = 0;  // the counter and pid below still make the name unique within this host
  }
  r ^= static_cast<uint64_t>(::getpid()) * 0x9E3779B97F4A7C15ull;
  r ^= counter.fetch_add(1) * 0xC2B2AE3D27D4EB4Full;
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(r));
  // A name near NAME_MAX (255) would overflow with the suffix; a short hidden name in the same
  // directory keeps the rename atomic.
  const size_t slash = path.find_last_of('/');
  const size_t base_len = slash == std::string::npos ? path.size() : path.size() - slash - 1;
  if (base_len > 200) return DirName(path) + "/.dc-" + buf + ".tmp";
  return path + "." + buf + ".tmp";
}

Status WriteAll(int fd, const uint8_t* data, size_t size, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    // Bounded chunks: some kernels reject single writes above 2 GiB.
    const size_t chunk = std::min<size_t>(size - done, size_t{1} << 30);
    const ssize_t n = ::write(fd, data + done, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(DC_ERR_IO, ErrnoText("cannot write", path, errno));
    }
    if (n == 0) return Error(DC_ERR_IO, "cannot write " + path + ": no progress");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Makes the rename itself durable. Best effort: some filesystems refuse fsync on directories,
// and the data is already safe in the file by then.
void SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// Moves tmp to path only if path does not exist, atomically. link() fails with EEXIST if the
// name is taken, so two concurrent writers cannot both win and neither can clobber a file that
// appeared after our existence check.
Status PublishNoOverwrite(const std::string& tmp, const std::string& path) {
  if (::link(tmp.c_str(), path.c_str()) == 0) {
    ::unlink(tmp.c_str());
    return Status::Ok();
  }
  const int err = errno;
  if (err == EEXIST) return Error(DC_ERR_EXISTS, path + " exists");
  // Filesystems without hard links (vfat, some FUSE mounts) report these.
  if (err != EPERM && err != ENOTSUP && err != EOPNOTSUPP && err != ENOSYS) {
    return Error(DC_ERR_IO, ErrnoText("cannot create", path, err));
  }
#ifdef RENAME_NOREPLACE
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0) {
    return Status::Ok();
  }
  if (errno == EEXIST) return Error(DC_ERR_EXISTS, path + " exists");
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
    return Error(DC_ERR_IO, ErrnoText("cannot create", path, errno));
  }
#endif
  // Last resort, with a small race window: no atomic no-replace primitive is available here.
  if (FileExists(path)) return Error(DC_ERR_EXISTS, path + " exists");
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Error(DC_ERR_IO, ErrnoText("cannot create", path, errno));
  }
  return Status::Ok();
}

}  // namespace

bool IsSpecialFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

bool FileExists(const std::string& path) {
  // lstat: a dangling symlink still occupies the name, and link()/rename would hit it.
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

StatusOr<std::vector<uint8_t>> ReadFile(const std::string& path, uint64_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Error(DC_ERR_IO, ErrnoText("cannot open", path, errno));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Error(DC_ERR_IO, ErrnoText("cannot stat", path, errno));
  if (S_ISDIR(st.st_mode)) return Error(DC_ERR_IO, "cannot read " + path + ": is a directory");
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Error(DC_ERR_TOO_LARGE, path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }

  const auto too_large = [&] {
    return Error(DC_ERR_TOO_LARGE, path + " is larger than " + std::to_string(max_bytes) + " bytes");
  };
  std::vector<uint8_t> out;
  try {
    // The stat size is only a hint (pipes report 0, files can grow), so the loop reads until
    // EOF and enforces the limit itself. One byte past the limit is room enough to detect an
    // over-long stream; one byte past the stat size lets a regular file finish in one read.
    const uint64_t cap = max_bytes == UINT64_MAX ? max_bytes : max_bytes + 1;
    const uint64_t first =
        S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) + 1 : uint64_t{65536};
    out.resize(static_cast<size_t>(std::min(first, cap)));
    size_t used = 0;
    for (;;) {
      if (used == out.size()) {
        const uint64_t grown = std::min<uint64_t>(std::max<uint64_t>(out.size() * 2, 65536), cap);
        if (grown <= out.size()) return too_large();
        out.resize(static_cast<size_t>(grown));
      }
      const ssize_t n = ::read(fd.get(), out.data() + used, out.size() - used);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error(DC_ERR_IO, ErrnoText("cannot read", path, errno));
      }
      if (n == 0) break;
      used += static_cast<size_t>(n);
      if (used > max_bytes) return too_large();
    }
    out.resize(used);
    // Only streams over-allocate noticeably; a regular file's buffer is one byte too big.
    if (out.capacity() - used > used / 4 + 65536) out.shrink_to_fit();
  } catch (const std::bad_alloc&) {
    return Error(DC_ERR_OUT_OF_MEMORY, "out of memory reading " + path);
  } catch (const std::length_error&) {
    return Error(DC_ERR_OUT_OF_MEMORY, "out of memory reading " + path);
  }
  return out;
}

Status WriteFileAtomic(const std::string& path, const uint8_t* data, size_t size, bool overwrite) {
  if (path.empty() || path.back() == '/') {
    return Error(DC_ERR_INVALID_ARGUMENT, "invalid output path '" + path + "'");
  }
  if (data == nullptr && size != 0) {
    return Error(DC_ERR_INVALID_ARGUMENT, "null data with non-zero size");
  }
  // A device, FIFO or socket (e.g. -o /dev/null) is written in place: a temporary file renamed
  // over it would replace the node itself (run as root, /dev/null became a regular file).
  if (IsSpecialFile(path)) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC));
    if (fd.get() < 0) return Error(DC_ERR_IO, ErrnoText("cannot open", path, errno));
    RETURN_IF_ERROR(WriteAll(fd.get(), data, size, path));
    const int err = fd.Close();
    if (err != 0) return Error(DC_ERR_IO, ErrnoText("cannot close", path, err));
    return Status::Ok();
  }
  // Early check so that a refused write costs nothing; the publish step re-checks atomically.
  if (!overwrite && FileExists(path)) return Error(DC_ERR_EXISTS, path + " exists");

  std::string tmp;
  int fd_raw = -1;
  for (int attempt = 0; attempt < 16 && fd_raw < 0; ++attempt) {
    tmp = TempName(path);
    fd_raw = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_raw < 0 && errno != EEXIST) {
      return Error(DC_ERR_IO, ErrnoText("cannot create temporary file", tmp, errno));
    }
  }
  if (fd_raw < 0) return Error(DC_ERR_IO, "cannot create a unique temporary file beside " + path);
  Fd fd(fd_raw);

  Status st = WriteAll(fd.get(), data, size, tmp);
  if (st.ok() && ::fsync(fd.get()) != 0) st = Error(DC_ERR_IO, ErrnoText("cannot sync", tmp, errno));
  if (st.ok()) {
    const int err = fd.Close();
    if (err != 0) st = Error(DC_ERR_IO, ErrnoText("cannot close", tmp, err));
  } else {
    fd.Close();
  }
  if (st.ok()) {
    if (overwrite) {
      if (::rename(tmp.c_str(), path.c_str()) != 0) {
        st = Error(DC_ERR_IO, ErrnoText("cannot rename to", path, errno));
      }
    } else {
      st = PublishNoOverwrite(tmp, path);
    }
  }
  if (!st.ok()) {
    // Only on failure: after a successful publish the name is gone, and unlinking it again could
    // in theory hit another writer's file.
    ::unlink(tmp.c_str());
    return st;
  }
  SyncDir(DirName(path));
  return Status::Ok();
}

}  // namespace dc::extras
