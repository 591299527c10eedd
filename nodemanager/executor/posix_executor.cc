#include "nodemanager/executor/posix_executor.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace skein::nm {
namespace {

absl::Status ErrnoStatus(int err, absl::string_view what) {
  return absl::Status(absl::ErrnoToStatusCode(err), absl::StrCat(what, ": ", strerror(err)));
}

ProcessExit FromSiginfo(const siginfo_t& info) {
  ProcessExit e;
  if (info.si_code == CLD_EXITED) {
    e.code = info.si_status;
  } else {
    e.signaled = true;
    e.code = info.si_status;
  }
  return e;
}

// What the spawned child does before exec, prepared by the parent: the child shares the
// parent's memory (CLONE_VM | CLONE_VFORK, as posix_spawn does) and must not allocate, so it
// only issues system calls on these pointers. The parent is suspended until the child execs or
// exits, and reads `err` / `failed` afterwards.
constexpr size_t kPidDigits = 20;

struct ChildPlan {
  struct Open {
    int fd;
    const char* path;
    int flags;
    int dup_from;  // >= 0: dup3(dup_from, fd) instead of opening
    int mode = 0;
  };
  const char* program = nullptr;
  char* const* argv = nullptr;
  char* const* script_argv = nullptr;  // on ENOEXEC, or null
  char* const* envp = nullptr;
  const char* cwd = nullptr;  // null: stay in the parent's directory
  const Open* opens = nullptr;
  size_t num_opens = 0;
  const char* const* joins = nullptr;
  size_t num_joins = 0;
  char* pid_slot = nullptr;  // kPidDigits bytes of an env string to receive the pid, or null
  // Written by the child.
  int err = 0;
  const char* failed = nullptr;  // what failed (a path, "setsid", ...)
  int report_fd = -1;            // >= 0 (fork mode): the child also sends {err, failed} here
};

// Under ASan and TSan the child is a plain fork(): their interceptors of clone() run hooks in the
// child that assume a separate address space (TSan aborts; ASan warns on the noreturn path), so a
// sanitizer build trades the cheap shared-memory start for a correct one. The child then reports
// a failure through a close-on-exec pipe instead of the shared ChildPlan.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool kSpawnWithFork = true;
#else
constexpr bool kSpawnWithFork = false;
#endif

// What a fork-mode child sends through its report pipe when it fails before exec.
struct ChildReport {
  int err;
  const char* failed;
};

// Raw system calls only: no libc state, no sanitizer interceptors, nothing that allocates.
long Sys(long n, long a = 0, long b = 0, long c = 0, long d = 0) { return syscall(n, a, b, c, d); }

[[noreturn]] void ChildFail(ChildPlan* plan, const char* what) {
  plan->err = errno;
  plan->failed = what;
  if (plan->report_fd >= 0) {
    // The parent's copy of `what` has the same address: fork copied the memory as it was.
    const ChildReport report = {plan->err, what};
    Sys(SYS_write, plan->report_fd, reinterpret_cast<long>(&report), sizeof(report));
  }
  Sys(SYS_exit, 127);
  __builtin_unreachable();
}

int ChildMain(void* arg) {
  ChildPlan* plan = static_cast<ChildPlan*>(arg);
  // Dispositions back to default (the parent's handlers must never run here), as
  // POSIX_SPAWN_SETSIGDEF; the mask is cleared just before exec.
  struct {
    void* handler;
    unsigned long flags;
    void* restorer;
    uint64_t mask;
  } dfl = {reinterpret_cast<void*>(SIG_DFL), 0, nullptr, 0};
  for (long sig = 1; sig <= 64; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP)
      Sys(SYS_rt_sigaction, sig, reinterpret_cast<long>(&dfl), 0, 8);
  }
  if (Sys(SYS_setsid) < 0) ChildFail(plan, "setsid");
  if (plan->cwd != nullptr && Sys(SYS_chdir, reinterpret_cast<long>(plan->cwd)) != 0) {
    ChildFail(plan, plan->cwd);
  }
  for (size_t i = 0; i < plan->num_opens; ++i) {
    const ChildPlan::Open& o = plan->opens[i];
    long fd = o.dup_from;
    if (fd < 0) {
      fd = Sys(SYS_openat, AT_FDCWD, reinterpret_cast<long>(o.path), o.flags, o.mode);
      if (fd < 0) ChildFail(plan, o.path);
    }
    if (fd != o.fd) {
      if (Sys(SYS_dup3, fd, o.fd, 0) < 0) ChildFail(plan, o.path);
      if (o.dup_from < 0) Sys(SYS_close, fd);
    }
  }
  char digits[kPidDigits + 1];
  size_t len = 0;
  {
    char rev[kPidDigits];
    for (long pid = Sys(SYS_getpid); pid > 0 && len < kPidDigits; pid /= 10) {
      rev[len++] = static_cast<char>('0' + pid % 10);
    }
    for (size_t i = 0; i < len; ++i) digits[i] = rev[len - 1 - i];
    digits[len] = '\n';
  }
  for (size_t i = 0; i < plan->num_joins; ++i) {
    long fd =
        Sys(SYS_openat, AT_FDCWD, reinterpret_cast<long>(plan->joins[i]), O_WRONLY | O_CLOEXEC);
    if (fd < 0) ChildFail(plan, plan->joins[i]);
    if (Sys(SYS_write, fd, reinterpret_cast<long>(digits), static_cast<long>(len + 1)) !=
        static_cast<long>(len + 1)) {
      ChildFail(plan, plan->joins[i]);
    }
    Sys(SYS_close, fd);
  }
  if (plan->pid_slot != nullptr) {
    for (size_t i = 0; i < len; ++i) plan->pid_slot[i] = digits[i];
    plan->pid_slot[len] = '\0';
  }
  // Every inherited descriptor goes, except fork mode's close-on-exec report pipe, which must
  // stay open for an exec failure to be reported.
  const long keep = plan->report_fd;
  bool closed = keep <= 3 || Sys(SYS_close_range, 3, keep - 1, 0) == 0;
  closed = closed && Sys(SYS_close_range, keep >= 3 ? keep + 1 : 3, ~0U, 0) == 0;
  if (!closed) {
    for (long fd = 3; fd < 4096; ++fd) {
      if (fd != keep) Sys(SYS_close, fd);
    }
  }
  const uint64_t none = 0;
  Sys(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&none), 0, 8);
  Sys(SYS_execve, reinterpret_cast<long>(plan->program), reinterpret_cast<long>(plan->argv),
      reinterpret_cast<long>(plan->envp));
  if (errno == ENOEXEC && plan->script_argv != nullptr) {
    Sys(SYS_execve, reinterpret_cast<long>("/bin/bash"), reinterpret_cast<long>(plan->script_argv),
        reinterpret_cast<long>(plan->envp));
  }
  ChildFail(plan, plan->program);
}

// Whether the process's initial descriptor `fd` is replaced by `redirects` before anything could
// use it (nothing dups from it first).
bool Shadowed(int fd, const std::vector<FdRedirect>& redirects) {
  for (const FdRedirect& r : redirects) {
    if (r.dup_from == fd) return false;
    if (r.fd == fd) return true;
  }
  return false;
}

// Starts the child described by `plan` and returns its pid once it has exec'ed.
absl::StatusOr<int> SpawnChild(ChildPlan& plan) {
  constexpr size_t kStackSize = 64 * 1024;
  // Nothing may interrupt the child with one of our handlers before it reset them.
  const uint64_t all = ~uint64_t{0};
  uint64_t old = 0;
  Sys(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&all), reinterpret_cast<long>(&old),
      8);
  if (kSpawnWithFork) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
      const int pipe_err = errno;
      Sys(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&old), 0, 8);
      return ErrnoStatus(pipe_err, "pipe2");
    }
    const int pid = fork();
    if (pid == 0) {
      Sys(SYS_close, report[0]);
      plan.report_fd = report[1];
      ChildMain(&plan);  // does not return
    }
    const int fork_err = errno;
    Sys(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&old), 0, 8);
    close(report[1]);
    if (pid < 0) {
      close(report[0]);
      return ErrnoStatus(fork_err, "fork");
    }
    ChildReport got = {0, nullptr};
    ssize_t n;
    do {
      n = read(report[0], &got, sizeof(got));
    } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == static_cast<ssize_t>(sizeof(got))) {  // nothing read: the child exec'ed
      waitpid(pid, nullptr, 0);
      return ErrnoStatus(got.err, got.failed);
    }
    return pid;
  }
  std::unique_ptr<char[]> stack(new char[kStackSize]);
  char* top = stack.get() + kStackSize;
  top -= reinterpret_cast<uintptr_t>(top) % 16;
  int pid = clone(ChildMain, top, CLONE_VM | CLONE_VFORK | SIGCHLD, &plan);
  const int clone_err = errno;
  Sys(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&old), 0, 8);
  if (pid < 0) return ErrnoStatus(clone_err, "clone");
  if (plan.err != 0) {
    waitpid(pid, nullptr, 0);
    return ErrnoStatus(plan.err, plan.failed);
  }
  return pid;
}

}  // namespace

std::string PosixContainerExecutor::FindExitCodeHelper() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  for (const std::filesystem::path& dir : {self.parent_path(), self.parent_path() / "../bin"}) {
    const std::string helper = (dir / "skein-exitcode-helper").lexically_normal().string();
    if (access(helper.c_str(), X_OK) == 0) return helper;
  }
  return "";
}

absl::StatusOr<std::unique_ptr<PosixContainerExecutor>> PosixContainerExecutor::Create(
    std::optional<std::string> exit_code_helper) {
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return ErrnoStatus(errno, "creating the container reaper's eventfd");
  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
    const int e = errno;
    close(fd);
    if (ep >= 0) close(ep);
    return ErrnoStatus(e, "creating the container reaper's epoll set");
  }
  return std::unique_ptr<PosixContainerExecutor>(new PosixContainerExecutor(
      fd, ep, exit_code_helper.has_value() ? *std::move(exit_code_helper) : FindExitCodeHelper()));
}

PosixContainerExecutor::PosixContainerExecutor(int wake_fd, int epoll_fd,
                                               std::string exit_code_helper)
    : exit_code_helper_(std::move(exit_code_helper)), wake_fd_(wake_fd), epoll_fd_(epoll_fd) {
  reaper_ = std::thread([this] { ReaperLoop(); });
}

PosixContainerExecutor::~PosixContainerExecutor() {
  {
    skein::MutexLock lock(&mu_);
    stopping_ = true;
  }
  Wake();
  reaper_.join();
  skein::MutexLock lock(&mu_);
  for (auto& [pidfd, w] : watches_) close(pidfd);
  close(epoll_fd_);
  close(wake_fd_);
}

void PosixContainerExecutor::Wake() {
  uint64_t one = 1;
  ssize_t n = write(wake_fd_, &one, sizeof(one));
  (void)n;  // a full counter already means "wake up"
}

absl::StatusOr<int> PosixContainerExecutor::Launch(const LaunchSpec& spec, ExitCallback on_exit) {
  const bool direct = !spec.argv.empty();
  const std::string out = spec.log_dir + "/prelaunch.out";
  const std::string err = spec.log_dir + "/prelaunch.err";
  ChildPlan plan;
  std::vector<ChildPlan::Open> opens = {{0, "/dev/null", O_RDONLY, -1}};
  // prelaunch.out / .err are created in the child only when the process can write to them; when
  // the command replaces stdout / stderr first (YARN's `1>… 2>…`), they are created empty after
  // the launch, off the path to the program running.
  std::vector<const std::string*> create_after;
  for (const auto& [fd, path] : {std::pair<int, const std::string*>{1, &out}, {2, &err}}) {
    if (Shadowed(fd, spec.redirects)) {
      create_after.push_back(path);
    } else {
      opens.push_back({fd, path->c_str(), O_WRONLY | O_CREAT | O_TRUNC, -1, 0640});
    }
  }
  for (const FdRedirect& r : spec.redirects) {
    opens.push_back({r.fd, r.path.c_str(), O_WRONLY | O_CREAT | (r.append ? O_APPEND : O_TRUNC),
                     r.dup_from, 0666});
  }
  std::vector<const char*> joins;
  for (const std::string& f : spec.join_files) joins.push_back(f.c_str());

  std::vector<std::string> env_strings;
  env_strings.reserve(spec.env.size() + 1);
  for (const std::string& e : spec.env) {
    if (!direct || !absl::StartsWith(e, "JVM_PID=")) env_strings.push_back(e);
  }
  if (direct) env_strings.push_back("JVM_PID=" + std::string(kPidDigits, '\0'));
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  // The command; under the exit-code helper it becomes the helper's arguments.
  const bool wrapped = !spec.exit_code_file.empty();
  if (wrapped && exit_code_helper_.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("launching ", spec.container_id, ": an exit code file was asked for (",
                     spec.exit_code_file, ") but skein-exitcode-helper was not found"));
  }
  const std::string command = direct ? spec.program : "/bin/bash";
  const std::string& program = wrapped ? exit_code_helper_ : command;
  std::vector<char*> argv;
  if (wrapped) {
    argv = {const_cast<char*>(exit_code_helper_.c_str()),
            const_cast<char*>(spec.exit_code_file.c_str()), const_cast<char*>(command.c_str())};
  }
  std::vector<char*> script_argv;  // ENOEXEC: bash runs the program as a script, as bash would
  if (direct) {
    for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    script_argv = {const_cast<char*>("/bin/bash"), const_cast<char*>(command.c_str())};
    for (size_t i = 1; i < spec.argv.size(); ++i) {
      script_argv.push_back(const_cast<char*>(spec.argv[i].c_str()));
    }
    script_argv.push_back(nullptr);
  } else {
    argv.push_back(const_cast<char*>("/bin/bash"));
    argv.push_back(const_cast<char*>(spec.script_path.c_str()));
  }
  argv.push_back(nullptr);

  plan.program = program.c_str();
  plan.argv = argv.data();
  plan.script_argv = direct && !wrapped ? script_argv.data() : nullptr;
  plan.envp = envp.data();
  plan.cwd = direct ? spec.working_dir.c_str() : nullptr;
  plan.opens = opens.data();
  plan.num_opens = opens.size();
  plan.joins = joins.data();
  plan.num_joins = joins.size();
  plan.pid_slot = direct ? env_strings.back().data() + strlen("JVM_PID=") : nullptr;

  absl::StatusOr<int> pid = SpawnChild(plan);
  const std::string what =
      absl::StrCat(direct ? absl::StrCat(command, " (direct launch)") : spec.script_path,
                   wrapped ? " under skein-exitcode-helper" : "");
  if (!pid.ok()) {
    return absl::Status(
        pid.status().code(),
        absl::StrCat("launching ", what, " for ", spec.container_id, ": ", pid.status().message()));
  }
  // The child is ours and unreaped, so its pid cannot be reused before pidfd_open.
  // Through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C" and does not link from C++.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, *pid, 0));
  if (pidfd < 0) {
    int e = errno;
    kill(-*pid, SIGKILL);
    waitpid(*pid, nullptr, 0);
    return ErrnoStatus(e, absl::StrCat("pidfd_open for ", spec.container_id, " (pid ", *pid, ")"));
  }
  for (const std::string* path : create_after) {
    int fd = open(path->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd >= 0) close(fd);
  }
  {
    skein::MutexLock lock(&mu_);
    watches_.emplace(pidfd, Watch{*pid, pidfd, std::move(on_exit)});
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = pidfd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, pidfd, &ev) != 0) {
    const int e = errno;
    {
      skein::MutexLock lock(&mu_);
      watches_.erase(pidfd);
    }
    kill(-*pid, SIGKILL);
    waitpid(*pid, nullptr, 0);
    close(pidfd);
    return ErrnoStatus(e, absl::StrCat("watching ", spec.container_id, " (pid ", *pid, ")"));
  }
  return *pid;
}

absl::Status PosixContainerExecutor::SignalGroup(int pgid, int sig) {
  if (pgid <= 1) return absl::InvalidArgumentError(absl::StrCat("bad process group ", pgid));
  if (kill(-pgid, sig) != 0 && errno != ESRCH) {
    return ErrnoStatus(errno, absl::StrCat("kill(-", pgid, ", ", sig, ")"));
  }
  return absl::OkStatus();
}

bool PosixContainerExecutor::GroupAlive(int pgid) {
  if (pgid <= 1) return false;
  return kill(-pgid, 0) == 0 || errno == EPERM;
}

void PosixContainerExecutor::ReaperLoop() {
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  while (true) {
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("skein nodemanager: container reaper epoll_wait");
      continue;
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t count;
        ssize_t r = read(wake_fd_, &count, sizeof(count));
        (void)r;
        skein::MutexLock lock(&mu_);
        if (stopping_) return;  // the destructor closes what is still watched
        continue;
      }
      Watch w;
      {
        skein::MutexLock lock(&mu_);
        auto it = watches_.find(fd);
        if (it == watches_.end()) continue;
        w = std::move(it->second);
        watches_.erase(it);
      }
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
      siginfo_t info{};
      int rc;
      do {
        rc = waitid(P_PIDFD, static_cast<id_t>(w.pidfd), &info, WEXITED);
      } while (rc != 0 && errno == EINTR);
      close(w.pidfd);
      ProcessExit exit;
      if (rc != 0) {
        // Someone else reaped it (should not happen): report it as lost.
        exit.signaled = true;
        exit.code = SIGKILL;
      } else {
        exit = FromSiginfo(info);
      }
      w.on_exit(w.pid, exit);
    }
  }
}

}  // namespace skein::nm
