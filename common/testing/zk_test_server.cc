#include "common/testing/zk_test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace skein::testing {
namespace {

namespace fs = std::filesystem;

std::string FindOnPath(const std::string& name) {
  const char* path = getenv("PATH");
  std::stringstream dirs(path == nullptr ? "/usr/bin:/bin" : path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string FindJava() {
  if (const char* home = getenv("JAVA_HOME"); home != nullptr && *home != '\0') {
    const std::string java = std::string(home) + "/bin/java";
    if (access(java.c_str(), X_OK) == 0) return java;
  }
  return FindOnPath("java");
}

// Debian puts ZooKeeper's jar in /usr/share/java (its manifest names its dependencies there).
std::string FindZooKeeperJar() {
  for (const char* p : {"/usr/share/java/zookeeper.jar", "/usr/share/zookeeper/zookeeper.jar"}) {
    if (access(p, R_OK) == 0) return p;
  }
  return "";
}

std::string Tail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_bytes ? s.substr(s.size() - max_bytes) : s;
}

}  // namespace

absl::StatusOr<int> FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return absl::InternalError("binding an ephemeral port on 127.0.0.1 failed");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::map<std::string, std::string> FreeHaRmAddresses(const std::vector<std::string>& rm_ids) {
  std::map<std::string, std::string> out;
  for (const std::string& id : rm_ids) {
    for (const char* key :
         {"yarn.resourcemanager.address", "yarn.resourcemanager.scheduler.address",
          "yarn.resourcemanager.resource-tracker.address", "yarn.resourcemanager.admin.address",
          "yarn.resourcemanager.webapp.address"}) {
      auto port = FreeLoopbackPort();
      if (!port.ok()) return {};
      out[absl::StrCat(key, ".", id)] = absl::StrCat("127.0.0.1:", *port);
    }
  }
  return out;
}

bool WaitUntil(const std::function<bool()>& predicate, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return predicate();
}

bool ZkTestServer::Available(std::string* why) {
  if (FindJava().empty()) {
    *why = "no `java` on PATH or in JAVA_HOME (install Debian's zookeeperd / default-jre-headless)";
    return false;
  }
  if (FindZooKeeperJar().empty()) {
    *why = "no /usr/share/java/zookeeper.jar (install Debian's zookeeper package)";
    return false;
  }
  return true;
}

absl::StatusOr<std::unique_ptr<ZkTestServer>> ZkTestServer::Start(const Options& options) {
  std::string why;
  if (!Available(&why)) return absl::FailedPreconditionError(why);
  std::unique_ptr<ZkTestServer> server(new ZkTestServer());
  server->options_ = options;
  char tmpl[] = "/tmp/skein-zk-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp /tmp/skein-zk-* failed");
  server->dir_ = tmpl;
  fs::create_directories(server->dir_ + "/data");
  auto port = FreeLoopbackPort();
  if (!port.ok()) return port.status();
  server->port_ = *port;
  std::ofstream cfg(server->dir_ + "/zoo.cfg");
  cfg << "tickTime=" << options.tick_ms << "\n"
      << "dataDir=" << server->dir_ << "/data\n"
      << "clientPort=" << server->port_ << "\n"
      << "clientPortAddress=127.0.0.1\n"
      << "admin.enableServer=false\n"
      << "minSessionTimeout=" << 2 * options.tick_ms << "\n"
      << "maxSessionTimeout=" << 200 * options.tick_ms << "\n"
      << "4lw.commands.whitelist=ruok,stat\n";
  cfg.close();
  if (auto s = server->Launch(); !s.ok()) return s;
  return server;
}

absl::Status ZkTestServer::Launch() {
  const std::string java = FindJava();
  std::string classpath = FindZooKeeperJar();
  if (access("/usr/share/java/slf4j-nop.jar", R_OK) == 0) {
    classpath += ":/usr/share/java/slf4j-nop.jar";  // quiet: no logging binding warnings
  }
  std::vector<std::string> argv = {java,
                                   "-Xmx192m",
                                   "-XX:+UseSerialGC",
                                   "-XX:TieredStopAtLevel=1",
                                   "-Dzookeeper.admin.enableServer=false",
                                   "-cp",
                                   classpath,
                                   "org.apache.zookeeper.server.ZooKeeperServerMain",
                                   dir_ + "/zoo.cfg"};
  const std::string log = log_path();
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork() for the ZooKeeper test server failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    if (getppid() != parent) _exit(127);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  pid_ = pid;
  const auto deadline = absl::Now() + options_.start_timeout;
  absl::Status last = absl::UnknownError("not tried");
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(absl::StrCat("the ZooKeeper test server exited at start (see ",
                                              log, "): ", Tail(log, 2000)));
    }
    zk::ZkClient::Options opts;
    opts.connect = connect_string();
    opts.connect_timeout = absl::Milliseconds(500);
    opts.session_timeout = absl::Seconds(2);
    auto client = zk::ZkClient::Connect(opts);
    if (client.ok()) return absl::OkStatus();
    last = client.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Stop();
  return absl::DeadlineExceededError(absl::StrCat(
      "the ZooKeeper test server on ", connect_string(), " did not accept a session within ",
      absl::FormatDuration(options_.start_timeout), " (", last.message(), "); log: ", log));
}

void ZkTestServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {  // 5 s
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

absl::Status ZkTestServer::Restart() {
  Stop();
  return Launch();
}

absl::Status ZkTestServer::ExpireSession(const zk::ZkClient& client) {
  return ExpireSession(client.session_id(), client.session_password());
}

absl::Status ZkTestServer::ExpireSession(int64_t session_id, const std::string& password) {
  zk::ZkClient::Options opts;
  opts.connect = connect_string();
  opts.connect_timeout = absl::Seconds(10);
  opts.attach_session_id = session_id;
  opts.attach_session_password = password;
  // Attaching moves the session to the twin; closing the twin closes the session. The owner may
  // reconnect and move the session back before the close lands, so repeat until an attach is
  // refused because the session is gone.
  absl::Status last = absl::OkStatus();
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto twin = zk::ZkClient::Connect(opts);
    if (!twin.ok()) {
      if (absl::IsUnavailable(twin.status())) return absl::OkStatus();  // expired
      last = twin.status();
      continue;
    }
    twin->reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("session 0x", absl::Hex(session_id), " did not expire: ", last.message()));
}

std::string ZkTestServer::connect_string() const { return absl::StrCat("127.0.0.1:", port_); }

ZkTestServer::~ZkTestServer() {
  Stop();
  if (!dir_.empty() && getenv("SKEIN_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

}  // namespace skein::testing
