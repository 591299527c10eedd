#include "nodemanager/executor/posix_executor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

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

}  // namespace

absl::StatusOr<std::unique_ptr<PosixContainerExecutor>> PosixContainerExecutor::Create() {
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return ErrnoStatus(errno, "creating the container reaper's eventfd");
  return std::unique_ptr<PosixContainerExecutor>(new PosixContainerExecutor(fd));
}

PosixContainerExecutor::PosixContainerExecutor(int wake_fd) : wake_fd_(wake_fd) {
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
  for (Watch& w : pending_) close(w.pidfd);
  close(wake_fd_);
}

void PosixContainerExecutor::Wake() {
  uint64_t one = 1;
  ssize_t n = write(wake_fd_, &one, sizeof(one));
  (void)n;  // a full counter already means "wake up"
}

absl::StatusOr<int> PosixContainerExecutor::Launch(const LaunchSpec& spec, ExitCallback on_exit) {
  const std::string out = spec.log_dir + "/prelaunch.out";
  const std::string err = spec.log_dir + "/prelaunch.err";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  sigdelset(&all, SIGKILL);
  sigdelset(&all, SIGSTOP);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);  // undo SIG_IGN (e.g. SIGPIPE) inherited from us
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv = {const_cast<char*>("/bin/bash"),
                             const_cast<char*>(spec.script_path.c_str()), nullptr};
  std::vector<char*> envp;
  for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = 0;
  int rc = posix_spawn(&pid, "/bin/bash", &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return ErrnoStatus(rc,
                       absl::StrCat("launching ", spec.script_path, " for ", spec.container_id));
  }
  // The child is ours and unreaped, so its pid cannot be reused before pidfd_open.
  // Through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C" and does not link from C++.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    int e = errno;
    kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return ErrnoStatus(e, absl::StrCat("pidfd_open for ", spec.container_id, " (pid ", pid, ")"));
  }
  {
    skein::MutexLock lock(&mu_);
    pending_.push_back(Watch{pid, pidfd, std::move(on_exit)});
  }
  Wake();
  return pid;
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
  std::vector<Watch> watches;
  while (true) {
    std::vector<pollfd> fds;
    fds.push_back(pollfd{wake_fd_, POLLIN, 0});
    for (const Watch& w : watches) fds.push_back(pollfd{w.pidfd, POLLIN, 0});
    int n = poll(fds.data(), fds.size(), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("skein nodemanager: container reaper poll");
      continue;
    }
    if (fds[0].revents != 0) {
      uint64_t count;
      ssize_t r = read(wake_fd_, &count, sizeof(count));
      (void)r;
      skein::MutexLock lock(&mu_);
      if (stopping_) {
        for (Watch& w : watches) close(w.pidfd);
        return;
      }
      for (Watch& w : pending_) watches.push_back(std::move(w));
      pending_.clear();
    }
    // fds[i + 1] belongs to the watch that was at index i when poll() was called; new watches
    // were appended after those, so the indices stay valid. Erase from the back.
    for (size_t i = fds.size() - 1; i >= 1; --i) {
      if (fds[i].revents == 0) continue;
      Watch w = std::move(watches[i - 1]);
      watches.erase(watches.begin() + static_cast<long>(i - 1));
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
