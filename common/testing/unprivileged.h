// Tests only: run a permission check as a user whom file modes bind, even when the test runs as
// root (as CI does), where chmod 000 stops nothing.
//
//   EXPECT_EQ(skein::testing::RunUnprivileged({dir}, [&]() -> std::string {
//     absl::Status s = ReadSomething(dir + "/secret");
//     return s.code() == absl::StatusCode::kPermissionDenied ? "" : s.ToString();
//   }), "");
//
// As root, a forked child hands `own` (recursively) to the user nobody, drops to nobody (uid and
// gid from the password database, else 65534; no supplementary groups) and runs `body` there; as
// any other user the child runs `body` as that user. `body` returns "" on success or what went
// wrong; that text comes back through a pipe, and a child that crashes, fails to drop privileges
// or runs longer than `deadline` is reported too. Gtest assertions do not work inside `body`
// (they would fail in the child only): return text instead. The caller's own later cleanup runs
// as root and can remove what the child left.
//
// Fork in a test binary: call it from a test that has started no threads of its own.
#ifndef SKEIN_COMMON_TESTING_UNPRIVILEGED_H_
#define SKEIN_COMMON_TESTING_UNPRIVILEGED_H_

#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace skein::testing {

inline std::string RunUnprivileged(
    const std::vector<std::string>& own, const std::function<std::string()>& body,
    std::chrono::milliseconds deadline = std::chrono::milliseconds(60000)) {
  int fds[2];
  if (pipe(fds) != 0) return std::string("pipe: ") + std::strerror(errno);
  const pid_t pid = fork();
  if (pid < 0) return std::string("fork: ") + std::strerror(errno);
  if (pid == 0) {
    close(fds[0]);
    std::string result;
    if (geteuid() == 0) {
      const struct passwd* nobody = getpwnam("nobody");
      const uid_t uid = nobody != nullptr ? nobody->pw_uid : 65534;
      const gid_t gid = nobody != nullptr ? nobody->pw_gid : 65534;
      std::error_code ec;
      for (const std::string& path : own) {
        if (lchown(path.c_str(), uid, gid) != 0) result = "chown " + path + " failed";
        for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
          if (lchown(it->path().c_str(), uid, gid) != 0) result = "chown " + it->path().string();
        }
      }
      if (result.empty() && (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) {
        result = std::string("dropping to nobody: ") + std::strerror(errno);
      }
      if (result.empty() && (geteuid() == 0 || setuid(0) == 0)) {
        result = "still root after dropping privileges";
      }
    }
    if (result.empty()) result = body();
    const char* p = result.data();
    for (size_t left = result.size(); left > 0;) {
      const ssize_t n = write(fds[1], p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  const auto end = std::chrono::steady_clock::now() + deadline;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd pfd = {fds[0], POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      timed_out = ready == 0;
      break;
    }
    char buf[512];
    const ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return "unprivileged child ran longer than its deadline: " + out;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return "unprivileged child died (wait status " + std::to_string(status) + "): " + out;
  }
  return out;
}

}  // namespace skein::testing

#endif  // SKEIN_COMMON_TESTING_UNPRIVILEGED_H_
