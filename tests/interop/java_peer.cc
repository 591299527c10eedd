#include "tests/interop/java_peer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/testing/interop.h"

namespace skein::testing {

absl::StatusOr<std::unique_ptr<JavaPeer>> JavaPeer::Start(const std::string& spec,
                                                          const std::string& conf_dir,
                                                          const std::string& log_path) {
  std::string why;
  std::string dir = InteropDir(spec, &why);
  if (dir.empty()) return absl::FailedPreconditionError(why);
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  std::string classpath = absl::StrCat(conf_dir, ":", dir, "/classes:", dir, "/lib/*");
  std::vector<std::string> argv = {
      "java",         "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Xshare:auto", "-cp",      classpath,          "SkeinInterop"};
  pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) ::dup2(log, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp("java", args.data());
    _exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  auto peer = std::unique_ptr<JavaPeer>(new JavaPeer());
  peer->pid_ = pid;
  peer->to_java_ = in_pipe[1];
  peer->from_java_ = out_pipe[0];
  peer->log_path_ = log_path;
  auto ready = peer->ReadLine(absl::Now() + absl::Seconds(60));
  if (!ready.ok() || *ready != "@@READY") {
    return absl::UnavailableError(absl::StrCat(
        "the Java peer (", spec,
        ") did not start: ", ready.ok() ? *ready : ready.status().ToString(), "; see ", log_path));
  }
  return peer;
}

JavaPeer::~JavaPeer() {
  if (to_java_ >= 0) {
    std::string quit = "quit\n";
    (void)!::write(to_java_, quit.data(), quit.size());
    ::close(to_java_);
  }
  if (pid_ > 0) {
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      ::usleep(50000);
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  if (from_java_ >= 0) ::close(from_java_);
}

absl::StatusOr<std::string> JavaPeer::ReadLine(absl::Time deadline) {
  for (;;) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return absl::DeadlineExceededError("the Java peer did not answer in time");
    pollfd p{from_java_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(ms));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[8192];
    ssize_t n = ::read(from_java_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("the Java peer exited; see " + log_path_);
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

absl::StatusOr<JavaPeer::Answer> JavaPeer::Run(const std::vector<std::string>& words,
                                               absl::Duration timeout) {
  std::string line = absl::StrJoin(words, "\t") + "\n";
  if (::write(to_java_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    return absl::UnavailableError("cannot write to the Java peer; see " + log_path_);
  }
  absl::Time deadline = absl::Now() + timeout;
  Answer answer;
  for (;;) {
    auto l = ReadLine(deadline);
    if (!l.ok()) return l.status();
    if (absl::StartsWith(*l, "@@END ")) {
      if (!absl::SimpleAtoi(l->substr(6), &answer.exit_code)) answer.exit_code = -1;
      return answer;
    }
    absl::StrAppend(&answer.out, *l, "\n");
  }
}

}  // namespace skein::testing
