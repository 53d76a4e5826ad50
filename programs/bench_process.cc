// Child processes for `diffcomp bench`: fork + execvp, no shell, measured from exec to exit.
//
// Peak memory: wait4's ru_maxrss is not usable as is. A forked child starts with the parent's
// resident anonymous pages mapped copy-on-write, and the kernel folds that address space's
// high-water mark into the child's maxrss at exec, so every child of a 300 MB harness reports
// at least 300 MB (measured on this machine, /bin/true: 308 MB). Instead the child asks to be
// traced (PTRACE_TRACEME) and the parent stops it at PTRACE_EVENT_EXIT, when its own address
// space is still there, and reads VmHWM from /proc. Where ptrace is not allowed we fall back to
// ru_maxrss and say so (rss_exact = false).
#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "programs/bench_internal.h"

namespace dc::bench {
namespace {

double Now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Closes the descriptors the parent opened for one child on every return path.
class FdCloser {
 public:
  ~FdCloser() {
    for (const int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  // Keeps the descriptor above 2: if the harness runs with stdin/stdout/stderr closed, a
  // freshly opened file could land on 0..2 and be clobbered by the child's own dup2 calls.
  int Add(int fd) {
    if (fd >= 0 && fd <= 2) {
      const int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
      close(fd);
      fd = high;
    }
    fds_.push_back(fd);
    return fd;
  }
  // For the pipe's write end, which the parent must close early to see EOF.
  void CloseNow(int fd) {
    for (int& f : fds_) {
      if (f == fd) {
        close(f);
        f = -1;
      }
    }
  }

 private:
  std::vector<int> fds_;
};

int64_t ReadVmHwmKb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

pid_t WaitRetry(pid_t pid, int* status, rusage* ru) {
  for (;;) {
    const pid_t r = wait4(pid, status, 0, ru);
    if (r >= 0 || errno != EINTR) return r;
  }
}

// Reads exactly n bytes unless EOF comes first; returns the count read.
size_t ReadFull(int fd, void* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = read(fd, static_cast<char*>(buf) + got, n - got);
    if (r > 0) {
      got += static_cast<size_t>(r);
    } else if (r == 0 || errno != EINTR) {
      break;
    }
  }
  return got;
}

// Runs in the forked child, so only async-signal-safe calls (the parent may have threads).
[[noreturn]] void ChildExec(char* const* argv, int in_fd, int out_fd, int err_fd, int report_fd,
                            double cpu_limit_seconds) {
  if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) {
    const int e = errno;
    const char flag = 'U';
    (void)!write(report_fd, &flag, 1);
    (void)!write(report_fd, &e, sizeof(e));
    _exit(127);
  }
  // A harness that ignores SIGPIPE or blocks signals must not pass that on: tools behave
  // differently (and are timed differently) with inherited dispositions.
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (cpu_limit_seconds > 0) {
    const rlim_t soft = static_cast<rlim_t>(std::ceil(cpu_limit_seconds));
    const rlimit lim{soft, soft + 1};  // SIGXCPU first, SIGKILL a second later
    setrlimit(RLIMIT_CPU, &lim);
  }
  const char flag = ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) == 0 ? 'T' : 'U';
  (void)!write(report_fd, &flag, 1);
  execvp(argv[0], argv);
  const int e = errno;
  (void)!write(report_fd, &e, sizeof(e));
  _exit(127);
}

}  // namespace

std::string ProcessResult::Describe() const {
  if (term_signal != 0) {
    return "killed by signal " + std::to_string(term_signal) + " (" + strsignal(term_signal) + ")";
  }
  return "exit " + std::to_string(exit_code);
}

StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                   const ProcessOptions& opt) {
  if (argv.empty() || argv[0].empty()) {
    return Error(DC_ERR_INVALID_ARGUMENT, "RunProcess: empty command");
  }
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  FdCloser fds;
  const int in_fd = fds.Add(open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int err_fd =
      fds.Add(opt.stderr_path.empty()
                  ? open("/dev/null", O_WRONLY | O_CLOEXEC)
                  : open(opt.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (in_fd < 0 || err_fd < 0) {
    return Error(DC_ERR_IO,
                 "cannot open " +
                     (opt.stderr_path.empty() ? std::string("/dev/null") : opt.stderr_path) + ": " +
                     std::strerror(errno));
  }
  int out_fd = err_fd;
  if (!opt.stdout_path.empty()) {
    out_fd = fds.Add(open(opt.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (out_fd < 0) {
      return Error(DC_ERR_IO, "cannot create " + opt.stdout_path + ": " + std::strerror(errno));
    }
  }
  // The child reports over this pipe whether it is traced, and errno if exec fails; a
  // successful exec closes it (O_CLOEXEC), which the parent sees as EOF.
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    return Error(DC_ERR_IO, std::string("pipe: ") + std::strerror(errno));
  }
  report[0] = fds.Add(report[0]);
  report[1] = fds.Add(report[1]);
  if (report[0] < 0 || report[1] < 0) {
    return Error(DC_ERR_IO, std::string("pipe: ") + std::strerror(errno));
  }

  double t0 = Now();
  const pid_t pid = fork();
  if (pid < 0) return Error(DC_ERR_IO, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) ChildExec(cargv.data(), in_fd, out_fd, err_fd, report[1], opt.cpu_limit_seconds);
  fds.CloseNow(report[1]);

  char flag = 'U';
  const bool have_flag = ReadFull(report[0], &flag, 1) == 1;
  int exec_errno = 0;
  const bool exec_failed =
      !have_flag || ReadFull(report[0], &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno);
  const bool traced = have_flag && flag == 'T';

  ProcessResult res;
  int status = 0;
  rusage ru{};
  if (exec_failed) {
    WaitRetry(pid, &status, &ru);
    return Error(DC_ERR_IO, "cannot execute " + argv[0] + ": " +
                                (have_flag ? std::strerror(exec_errno) : "child died before exec"));
  }

  int64_t hwm_kb = -1;
  if (traced) {
    // First stop: the SIGTRAP that a traced process gets after a successful exec. Timing starts
    // here, so fork and the harness side of exec are not charged to the tool.
    if (WaitRetry(pid, &status, &ru) != pid) {
      return Error(DC_ERR_IO, std::string("wait4: ") + std::strerror(errno));
    }
    bool done = !WIFSTOPPED(status);
    if (!done) {
      ptrace(PTRACE_SETOPTIONS, pid, nullptr,
             reinterpret_cast<void*>(
                 static_cast<long>(PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)));
      t0 = Now();
      ptrace(PTRACE_CONT, pid, nullptr, nullptr);
    }
    while (!done) {
      if (WaitRetry(pid, &status, &ru) != pid) {
        return Error(DC_ERR_IO, std::string("wait4: ") + std::strerror(errno));
      }
      if (!WIFSTOPPED(status)) break;  // exited or killed
      const int event = status >> 16;
      long inject = 0;
      if (event == PTRACE_EVENT_EXIT) {
        hwm_kb = ReadVmHwmKb(pid);
      } else if (event == 0) {
        // A signal-delivery stop: pass the signal on. A group-stop (SIGSTOP and friends with
        // no siginfo) is resumed instead, since nobody is there to send SIGCONT.
        const int sig = WSTOPSIG(status);
        siginfo_t si;
        const bool group_stop = ptrace(PTRACE_GETSIGINFO, pid, nullptr, &si) != 0;
        inject = group_stop ? 0 : sig;
      }
      ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(inject));
    }
  } else {
    if (WaitRetry(pid, &status, &ru) != pid) {
      return Error(DC_ERR_IO, std::string("wait4: ") + std::strerror(errno));
    }
  }
  const double t1 = Now();

  res.wall_seconds = t1 - t0;
  res.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  if (hwm_kb >= 0) {
    res.peak_rss_kb = hwm_kb;
    res.rss_exact = true;
  } else {
    res.peak_rss_kb = ru.ru_maxrss;
    res.rss_exact = false;
  }
  if (WIFEXITED(status)) {
    res.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    res.term_signal = WTERMSIG(status);
  }
  return res;
}

std::string FindInPath(const std::string& name) {
  if (name.empty()) return "";
  auto executable = [](const std::string& p) {
    struct stat st {};
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) return executable(name) ? name : "";
  const char* env = std::getenv("PATH");
  // execvp's own default when PATH is unset.
  const std::string path = env != nullptr ? env : "/bin:/usr/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    const std::string dir = end > start ? path.substr(start, end - start) : ".";
    const std::string full = dir + "/" + name;
    if (executable(full)) return full;
    start = end + 1;
  }
  return "";
}

std::string FormatCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789_./=:,+-@%") == std::string::npos;
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (const char c : a) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

}  // namespace dc::bench
