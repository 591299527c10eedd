#include "tests/peer/yarn_peer.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace skein::testing {
namespace fs = std::filesystem;

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

YarnPeer::~YarnPeer() { Stop(); }

absl::Status YarnPeer::Launch(const std::string& interop_dir, const std::string& dir, int num_nms,
                              const std::map<std::string, std::string>& properties) {
  dir_ = dir;
  std::string conf = dir + "/conf";
  fs::create_directories(conf);
  std::map<std::string, std::string> all = {
      {"yarn.resourcemanager.hostname", "127.0.0.1"},
      {"yarn.resourcemanager.address", "127.0.0.1:0"},
      {"yarn.resourcemanager.scheduler.address", "127.0.0.1:0"},
      {"yarn.resourcemanager.resource-tracker.address", "127.0.0.1:0"},
      {"yarn.resourcemanager.admin.address", "127.0.0.1:0"},
      {"yarn.resourcemanager.webapp.address", "127.0.0.1:0"},
      {"yarn.nodemanager.hostname", "127.0.0.1"},
      // Small test disks trip the 90 % default and mark the NM unhealthy (hadoop-wire.md §7.3).
      {"yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0"},
      {"hadoop.tmp.dir", dir + "/tmp"},
      // Not under hadoop.tmp.dir by default (file:///tmp/hadoop-yarn-${user}/...): peers started
      // side by side would share, and race on, one node-attribute store.
      {"yarn.node-attribute.fs-store.root-dir", "file://" + dir + "/node-attribute"},
      {"yarn.node-labels.fs-store.root-dir", "file://" + dir + "/node-labels"},
      {"yarn.resourcemanager.connect.max-wait.ms", "10000"},
  };
  for (const auto& [k, v] : properties) all[k] = v;
  {
    std::ofstream out(conf + "/yarn-site.xml");
    out << "<?xml version=\"1.0\"?>\n<configuration>\n";
    for (const auto& [k, v] : all) {
      out << "  <property><name>" << k << "</name><value>" << v << "</value></property>\n";
    }
    out << "</configuration>\n";
    std::ofstream log(conf + "/log4j.properties");
    log << "log4j.rootLogger=WARN,stderr\n"
           "log4j.appender.stderr=org.apache.log4j.ConsoleAppender\n"
           "log4j.appender.stderr.Target=System.err\n"
           "log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n"
           "log4j.appender.stderr.layout.ConversionPattern=%d{ISO8601} %p %c{1}: %m%n\n";
    if (!out || !log) return absl::InternalError("cannot write " + conf);
  }
  std::string cp = absl::StrCat(interop_dir, "/lib/*:", interop_dir, "/classes:", conf);
  std::vector<std::string> argv = {
      "java",    "-Xmx768m", "-XX:+UseSerialGC",   "-XX:TieredStopAtLevel=1", "-cp", cp, "YarnPeer",
      "cluster", conf,       absl::StrCat(num_nms)};
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return absl::InternalError("pipe");
  std::string out_path = dir + "/peer.out";
  std::string err_path = dir + "/peer.err";
  pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError("fork");
  if (pid == 0) {
    ::dup2(pipefd[0], 0);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) ::_exit(127);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp("java", args.data());
    ::_exit(127);
  }
  ::close(pipefd[0]);
  pid_ = pid;
  stdin_fd_ = pipefd[1];
  return absl::OkStatus();
}

absl::Status YarnPeer::WaitReady(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::string out = ReadAll(dir_ + "/peer.out");
    for (absl::string_view line : absl::StrSplit(out, '\n')) {
      if (absl::StartsWith(line, "READY")) {
        for (absl::string_view field : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
          std::pair<std::string, std::string> kv = absl::StrSplit(field, absl::MaxSplits('=', 1));
          if (!kv.second.empty()) ready_[kv.first] = kv.second;
        }
        return absl::OkStatus();
      }
      if (absl::StartsWith(line, "FAILED")) {
        return absl::InternalError(
            absl::StrCat("YARN peer: ", line, "\n", ReadAll(dir_ + "/peer.err")));
      }
    }
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError("YARN peer exited before READY: " + ReadAll(dir_ + "/peer.err"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::DeadlineExceededError("YARN peer not READY within the timeout; " + dir_ +
                                     "/peer.err");
}

void YarnPeer::RequestStop() {
  if (stdin_fd_ >= 0) {
    ::close(stdin_fd_);
    stdin_fd_ = -1;
  }
}

void YarnPeer::Stop() {
  RequestStop();
  if (pid_ <= 0) return;
  for (int i = 0; i < 200; ++i) {  // the peer halts itself 10 s after EOF at the latest
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string YarnPeer::Get(const std::string& key) const {
  auto it = ready_.find(key);
  return it == ready_.end() ? "" : it->second;
}

int YarnPeer::web_port() const {
  std::string web = Get("web");
  int port = 0;
  if (!absl::SimpleAtoi(web.substr(web.rfind(':') + 1), &port)) return 0;
  return port;
}

}  // namespace skein::testing
