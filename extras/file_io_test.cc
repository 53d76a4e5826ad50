#include "extras/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace dc::extras {
namespace {

using Bytes = std::vector<uint8_t>;

// A fresh directory per test, removed (with its files) afterwards.
class FileIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/dc_file_io_XXXXXX";
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    for (const std::string& name : List()) {
      const std::string p = dir_ + "/" + name;
      struct stat st;
      if (::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        ::rmdir(p.c_str());
      } else {
        ::unlink(p.c_str());
      }
    }
    ::rmdir(dir_.c_str());
  }
  std::vector<std::string> List() const {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir_.c_str());
    if (d == nullptr) return names;
    while (const dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    return names;
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
};

Bytes Pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + seed);
  return b;
}

TEST_F(FileIoTest, WriteThenRead) {
  const Bytes data = Pattern(100000, 3);
  ASSERT_TRUE(WriteFileAtomic(Path("a.bin"), data.data(), data.size(), false).ok());
  auto back = ReadFile(Path("a.bin"));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, data);
  EXPECT_EQ(List(), std::vector<std::string>{"a.bin"});  // no temp file left
  EXPECT_TRUE(FileExists(Path("a.bin")));
  EXPECT_FALSE(FileExists(Path("b.bin")));
}

TEST_F(FileIoTest, EmptyFile) {
  ASSERT_TRUE(WriteFileAtomic(Path("empty"), nullptr, 0, false).ok());
  auto back = ReadFile(Path("empty"));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->empty());
}

TEST_F(FileIoTest, RelativePathInCurrentDirectory) {
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof(cwd)), nullptr);
  ASSERT_EQ(::chdir(dir_.c_str()), 0);
  const Bytes data = Pattern(10, 1);
  const Status st = WriteFileAtomic("rel.bin", data.data(), data.size(), false);
  ASSERT_EQ(::chdir(cwd), 0);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(List(), std::vector<std::string>{"rel.bin"});
}

TEST_F(FileIoTest, LongFileName) {
  const std::string name(250, 'n');  // no room for the usual ".<random>.tmp" suffix
  const Bytes data = Pattern(10, 2);
  const Status st = WriteFileAtomic(Path(name), data.data(), data.size(), false);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(*ReadFile(Path(name)), data);
  EXPECT_EQ(List(), std::vector<std::string>{name});
}

TEST_F(FileIoTest, NoOverwriteKeepsExistingFile) {
  const Bytes first = Pattern(50, 1), second = Pattern(70, 2);
  ASSERT_TRUE(WriteFileAtomic(Path("f"), first.data(), first.size(), false).ok());
  const Status st = WriteFileAtomic(Path("f"), second.data(), second.size(), false);
  EXPECT_EQ(st.code(), DC_ERR_EXISTS);
  EXPECT_EQ(*ReadFile(Path("f")), first);
  EXPECT_EQ(List(), std::vector<std::string>{"f"});

  ASSERT_TRUE(WriteFileAtomic(Path("f"), second.data(), second.size(), true).ok());
  EXPECT_EQ(*ReadFile(Path("f")), second);
  EXPECT_EQ(List(), std::vector<std::string>{"f"});
}

TEST_F(FileIoTest, DanglingSymlinkCountsAsExisting) {
  ASSERT_EQ(::symlink("nowhere", Path("link").c_str()), 0);
  EXPECT_TRUE(FileExists(Path("link")));
  const Bytes data = Pattern(5, 0);
  EXPECT_EQ(WriteFileAtomic(Path("link"), data.data(), data.size(), false).code(), DC_ERR_EXISTS);
  EXPECT_FALSE(FileExists(Path("nowhere")));
}

TEST_F(FileIoTest, ConcurrentNoOverwriteWritersHaveOneWinner) {
  constexpr int kThreads = 8;
  std::vector<Status> results(kThreads);
  std::vector<Bytes> payloads;
  for (int i = 0; i < kThreads; ++i) payloads.push_back(Pattern(4096, static_cast<uint8_t>(i)));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = WriteFileAtomic(Path("race"), payloads[i].data(), payloads[i].size(), false);
    });
  }
  for (std::thread& t : threads) t.join();
  int winners = 0, winner = -1;
  for (int i = 0; i < kThreads; ++i) {
    if (results[i].ok()) {
      ++winners;
      winner = i;
    } else {
      EXPECT_EQ(results[i].code(), DC_ERR_EXISTS) << results[i].message();
    }
  }
  ASSERT_EQ(winners, 1);
  EXPECT_EQ(*ReadFile(Path("race")), payloads[winner]);
  EXPECT_EQ(List(), std::vector<std::string>{"race"});
}

TEST_F(FileIoTest, FailuresLeaveNothingBehind) {
  const Bytes data = Pattern(10, 0);
  // Missing directory.
  EXPECT_EQ(WriteFileAtomic(Path("missing/x"), data.data(), data.size(), true).code(), DC_ERR_IO);
  // Target is a directory: rename over it fails after the temp file was written.
  ASSERT_EQ(::mkdir(Path("sub").c_str(), 0755), 0);
  EXPECT_EQ(WriteFileAtomic(Path("sub"), data.data(), data.size(), true).code(), DC_ERR_IO);
  EXPECT_EQ(WriteFileAtomic(Path("sub"), data.data(), data.size(), false).code(), DC_ERR_EXISTS);
  EXPECT_EQ(List(), std::vector<std::string>{"sub"});
  // Paths that cannot name a file.
  EXPECT_EQ(WriteFileAtomic("", data.data(), data.size(), true).code(), DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(WriteFileAtomic(Path("x/"), data.data(), data.size(), true).code(),
            DC_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(WriteFileAtomic(Path("y"), nullptr, 3, true).code(), DC_ERR_INVALID_ARGUMENT);
}

// A write that fails part-way (here: the file size limit) must remove the temp file and leave
// an existing target untouched.
TEST_F(FileIoTest, WriteErrorRemovesTempFile) {
  const Bytes old_data = Pattern(100, 9);
  ASSERT_TRUE(WriteFileAtomic(Path("t"), old_data.data(), old_data.size(), false).ok());

  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of a signal
  struct rlimit small = saved;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const Bytes big = Pattern(100000, 1);
  const Status st = WriteFileAtomic(Path("t"), big.data(), big.size(), true);
  const Status st2 = WriteFileAtomic(Path("new"), big.data(), big.size(), false);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);

  EXPECT_EQ(st.code(), DC_ERR_IO) << st.message();
  EXPECT_EQ(st2.code(), DC_ERR_IO) << st2.message();
  EXPECT_EQ(*ReadFile(Path("t")), old_data);
  EXPECT_EQ(List(), std::vector<std::string>{"t"});
}

TEST_F(FileIoTest, ReadErrors) {
  EXPECT_EQ(ReadFile(Path("absent")).status().code(), DC_ERR_IO);
  EXPECT_EQ(ReadFile(dir_).status().code(), DC_ERR_IO);
  const Bytes data = Pattern(1000, 4);
  ASSERT_TRUE(WriteFileAtomic(Path("k"), data.data(), data.size(), false).ok());
  EXPECT_EQ(ReadFile(Path("k"), 999).status().code(), DC_ERR_TOO_LARGE);
  auto exact = ReadFile(Path("k"), 1000);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, data);
}

// -o /dev/null (or a FIFO) must be written into, not replaced: a temporary file renamed over
// /dev/null, as root, turned the device into a regular file (found in session 8).
TEST_F(FileIoTest, WritesDevicesAndFifosInPlace) {
  const Bytes data = Pattern(5000, 3);
  struct stat before, after;
  ASSERT_EQ(::stat("/dev/null", &before), 0);
  ASSERT_TRUE(S_ISCHR(before.st_mode));
  EXPECT_TRUE(IsSpecialFile("/dev/null"));
  for (bool overwrite : {true, false}) {
    const Status st = WriteFileAtomic("/dev/null", data.data(), data.size(), overwrite);
    EXPECT_TRUE(st.ok()) << st.message();
    ASSERT_EQ(::stat("/dev/null", &after), 0);
    EXPECT_TRUE(S_ISCHR(after.st_mode));
    EXPECT_EQ(after.st_rdev, before.st_rdev);
  }
  DIR* d = ::opendir("/dev");
  ASSERT_NE(d, nullptr);
  while (const dirent* e = ::readdir(d)) EXPECT_NE(std::string(e->d_name).rfind("null.", 0), 0u) << e->d_name;
  ::closedir(d);

  const std::string fifo = Path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_TRUE(IsSpecialFile(fifo));
  EXPECT_FALSE(IsSpecialFile(dir_));
  Bytes got;
  std::thread reader([&] {
    auto r = ReadFile(fifo);
    if (r.ok()) got = *r;
  });
  const Status st = WriteFileAtomic(fifo, data.data(), data.size(), /*overwrite=*/false);
  reader.join();
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(got, data);
  struct stat fs;
  ASSERT_EQ(::stat(fifo.c_str(), &fs), 0);
  EXPECT_TRUE(S_ISFIFO(fs.st_mode));
  EXPECT_EQ(List(), std::vector<std::string>{"fifo"});  // no temporary file beside it
}

TEST_F(FileIoTest, ReadsNonRegularFilesWithLimit) {
  // A pipe reports size 0, so only the read loop can enforce the limit.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const Bytes data = Pattern(200000, 5);
  std::thread writer([&] {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(fds[1], data.data() + done, data.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fds[1]);
  });
  const std::string path = "/proc/self/fd/" + std::to_string(fds[0]);
  auto r = ReadFile(path);
  writer.join();
  ::close(fds[0]);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, data);

  // The reader gives up early; the writer must then see EPIPE rather than die of SIGPIPE.
  const auto old_handler = std::signal(SIGPIPE, SIG_IGN);
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer2([&] {
    (void)::write(fds[1], data.data(), 70000);
    ::close(fds[1]);
  });
  auto limited = ReadFile("/proc/self/fd/" + std::to_string(fds[0]), 65536);
  ::close(fds[0]);  // lets the writer finish if it is still blocked
  writer2.join();
  std::signal(SIGPIPE, old_handler);
  EXPECT_EQ(limited.status().code(), DC_ERR_TOO_LARGE);
}

}  // namespace
}  // namespace dc::extras
