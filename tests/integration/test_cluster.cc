#include "tests/integration/test_cluster.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/conf/configuration.h"
#include "common/ids.h"
#include "common/rpc.h"

extern char** environ;

namespace skein::testing {
namespace fs = std::filesystem;

Process::~Process() {
  if (pid_ > 0) {
    Signal(SIGKILL);
    (void)Wait(absl::Seconds(10));
  }
}

absl::Status Process::Start(const std::vector<std::string>& argv, const std::string& out_path,
                            const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    return absl::InternalError(absl::StrCat("cannot start ", argv[0], ": ", strerror(rc)));
  }
  return absl::OkStatus();
}

void Process::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

absl::StatusOr<int> Process::Wait(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (r < 0) {
      pid_ = -1;
      return absl::InternalError("waitpid failed");
    }
    if (absl::Now() > deadline) return absl::DeadlineExceededError("process did not exit");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::FailedPreconditionError("process not running");
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int CountOccurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  if (needle.empty()) return 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

CommandResult RunCommand(const std::vector<std::string>& argv, absl::Duration timeout) {
  static int counter = 0;
  std::string base =
      absl::StrCat(fs::temp_directory_path().string(), "/skein-cmd-", getpid(), "-", counter++);
  CommandResult result;
  Process p;
  if (!p.Start(argv, base + ".out", base + ".err").ok()) return result;
  auto code = p.Wait(timeout);
  if (!code.ok()) {
    p.Signal(SIGKILL);
    (void)p.Wait(absl::Seconds(5));
    result.exit_code = -2;
  } else {
    result.exit_code = *code;
  }
  result.out = ReadFileOrEmpty(base + ".out");
  result.err = ReadFileOrEmpty(base + ".err");
  fs::remove(base + ".out");
  fs::remove(base + ".err");
  return result;
}

std::vector<std::string> FindFiles(const std::string& dir, const std::string& name) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->path().filename() == name) out.push_back(it->path().string());
  }
  return out;
}

std::string AppIdFrom(const std::string& output) {
  size_t pos = output.find("application_");
  if (pos == std::string::npos) return "";
  size_t end = output.find_first_of(" \t\n),'\"", pos);
  return output.substr(pos, end - pos);
}

bool WaitFor(const std::function<bool()>& predicate, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return predicate();
}

// Sanitizer runtimes reserve terabytes of virtual address space for their shadow memory, so
// every sanitized AM or executor would look like a container far beyond its virtual memory
// limit: in sanitizer builds the NodeManagers' vmem check is off unless a test sets it.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitizedBuild = true;
#else
constexpr bool kSanitizedBuild = false;
#endif
#else
constexpr bool kSanitizedBuild = false;
#endif

TestCluster::TestCluster(int num_node_managers, std::map<std::string, std::string> properties)
    : num_nms_(num_node_managers), properties_(std::move(properties)) {
  if (kSanitizedBuild) {
    properties_.emplace("yarn.nodemanager.vmem-check-enabled", "false");
    // Sanitized AMs and executors get the runtime options (e.g. TSan's suppressions for the
    // uninstrumented Debian gRPC) the daemons run with.
    const std::string whitelist =
        conf::Configuration::WithYarnDefaults().Get("yarn.nodemanager.env-whitelist").value_or("");
    properties_.emplace("yarn.nodemanager.env-whitelist",
                        whitelist + ",TSAN_OPTIONS,ASAN_OPTIONS,UBSAN_OPTIONS");
  }
  char tmpl[] = "/tmp/skein-it-XXXXXX";
  base_ = mkdtemp(tmpl);
  conf_dir_ = base_ + "/conf";
  fs::create_directories(conf_dir_);
  nms_.resize(num_nms_);
}

TestCluster::~TestCluster() {
  for (auto& nm : nms_) {
    if (nm && nm->running()) {
      nm->Signal(SIGTERM);
      if (!nm->Wait(absl::Seconds(15)).ok()) nm->Signal(SIGKILL);
    }
  }
  if (rm_ && rm_->running()) {
    rm_->Signal(SIGTERM);
    if (!rm_->Wait(absl::Seconds(15)).ok()) rm_->Signal(SIGKILL);
  }
  nms_.clear();
  rm_.reset();
  if (std::getenv("SKEIN_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }
}

void WriteYarnSite(const std::string& dir, const std::map<std::string, std::string>& props) {
  fs::create_directories(dir);
  std::ofstream out(dir + "/yarn-site.xml");
  out << "<?xml version=\"1.0\"?>\n<configuration>\n";
  for (const auto& [k, v] : props) {
    out << "  <property><name>" << k << "</name><value>" << v << "</value></property>\n";
  }
  out << "</configuration>\n";
}

std::string TestCluster::YarnBinary() { return std::string(SKEIN_BIN_DIR) + "/yarn"; }

std::string TestCluster::nm_log_dir(int i) const { return absl::StrCat(base_, "/nm", i, "/logs"); }

absl::Status TestCluster::WriteSite(const std::string& dir,
                                    const std::map<std::string, std::string>& extra) const {
  std::map<std::string, std::string> all = properties_;
  for (const auto& [k, v] : rm_addresses_) all[k] = v;
  for (const auto& [k, v] : extra) all[k] = v;
  WriteYarnSite(dir, all);
  return fs::exists(dir + "/yarn-site.xml") ? absl::OkStatus()
                                            : absl::InternalError("cannot write " + dir);
}

absl::Status TestCluster::Start() {
  std::map<std::string, std::string> rm_props = {
      {"yarn.resourcemanager.hostname", "127.0.0.1"},
      {"yarn.resourcemanager.address", "127.0.0.1:0"},
      {"yarn.resourcemanager.scheduler.address", "127.0.0.1:0"},
      {"yarn.resourcemanager.resource-tracker.address", "127.0.0.1:0"},
      {"yarn.resourcemanager.admin.address", "127.0.0.1:0"},
      {"yarn.resourcemanager.webapp.address", "127.0.0.1:0"},
  };
  if (auto s = LaunchResourceManager(rm_props); !s.ok()) return s;
  if (auto s = WriteSite(conf_dir_, {}); !s.ok()) return s;
  stub_ = proto::ApplicationClientProtocol::NewStub(
      MakeChannel(rm_addresses_["yarn.resourcemanager.address"]));
  for (int i = 0; i < num_nms_; ++i) {
    if (auto s = StartNodeManager(i); !s.ok()) return s;
  }
  if (!WaitFor([&] { return CountNodes(proto::NS_RUNNING) == num_nms_; }, absl::Seconds(30))) {
    return absl::DeadlineExceededError(absl::StrCat(
        "only ", CountNodes(proto::NS_RUNNING), " of ", num_nms_,
        " NodeManagers registered; nm0 stderr: ", ReadFileOrEmpty(base_ + "/nm0/nm.err")));
  }
  return absl::OkStatus();
}

void TestCluster::KillResourceManager() {
  if (rm_ && rm_->running()) {
    rm_->Signal(SIGKILL);
    (void)rm_->Wait(absl::Seconds(15));
  }
}

absl::Status TestCluster::RestartResourceManager() {
  KillResourceManager();
  std::map<std::string, std::string> rm_props = rm_addresses_;  // the ports bound before
  rm_props["yarn.resourcemanager.hostname"] = "127.0.0.1";
  rm_props["yarn.resourcemanager.webapp.address"] = absl::StrCat("127.0.0.1:", rm_web_port_);
  return LaunchResourceManager(rm_props);
}

absl::Status TestCluster::LaunchResourceManager(
    const std::map<std::string, std::string>& rm_props) {
  std::string rm_conf = base_ + "/rm-conf";
  if (auto s = WriteSite(rm_conf, rm_props); !s.ok()) return s;
  std::string address_file = base_ + "/rm-addresses.xml";
  std::error_code ec;
  fs::remove(address_file, ec);  // a restart waits for the new process's file
  rm_ = std::make_unique<Process>();
  if (auto s = rm_->Start(
          {YarnBinary(), "--config", rm_conf, "resourcemanager", "--address-file", address_file},
          base_ + "/rm.out", base_ + "/rm.err");
      !s.ok()) {
    return s;
  }
  if (!WaitFor([&] { return fs::exists(address_file) || !rm_->running(); }, absl::Seconds(30)) ||
      !fs::exists(address_file)) {
    return absl::DeadlineExceededError("ResourceManager did not start: " +
                                       ReadFileOrEmpty(base_ + "/rm.err"));
  }
  conf::Configuration addresses;
  if (auto s = addresses.AddResourceFile(address_file); !s.ok()) return s;
  for (const char* key :
       {"yarn.resourcemanager.address", "yarn.resourcemanager.scheduler.address",
        "yarn.resourcemanager.resource-tracker.address", "yarn.resourcemanager.admin.address"}) {
    auto v = addresses.Get(key);
    if (!v) return absl::InternalError(absl::StrCat(address_file, " lacks ", key));
    rm_addresses_[key] = *v;
  }
  std::string web = addresses.Get("yarn.resourcemanager.webapp.address").value_or("");
  if (!absl::SimpleAtoi(web.substr(web.rfind(':') + 1), &rm_web_port_) || rm_web_port_ <= 0) {
    return absl::InternalError(
        absl::StrCat(address_file, ": no bound yarn.resourcemanager.webapp.address: '", web, "'"));
  }
  return absl::OkStatus();
}

absl::Status TestCluster::StartNodeManager(int i) {
  std::string dir = absl::StrCat(base_, "/nm", i);
  std::string nm_conf = dir + "/conf";
  std::map<std::string, std::string> nm = {{"yarn.nodemanager.hostname", "127.0.0.1"},
                                           {"yarn.nodemanager.address", "127.0.0.1:0"},
                                           {"yarn.nodemanager.webapp.address", "127.0.0.1:0"},
                                           {"yarn.nodemanager.local-dirs", dir + "/local"},
                                           {"yarn.nodemanager.log-dirs", dir + "/logs"}};
  // A test may pin the NodeManager's RPC port (NM restart recovery needs a fixed one).
  if (auto it = properties_.find("yarn.nodemanager.address"); it != properties_.end()) {
    nm[it->first] = it->second;
  }
  if (auto s = WriteSite(nm_conf, nm); !s.ok()) {
    return s;
  }
  nms_[i] = std::make_unique<Process>();
  return nms_[i]->Start({YarnBinary(), "--config", nm_conf, "nodemanager"}, dir + "/nm.out",
                        dir + "/nm.err");
}

void TestCluster::KillNodeManager(int i) {
  if (nms_[i]) {
    nms_[i]->Signal(SIGKILL);
    (void)nms_[i]->Wait(absl::Seconds(10));
  }
}

void TestCluster::StopNodeManager(int i) {
  if (nms_[i]) {
    nms_[i]->Signal(SIGTERM);
    (void)nms_[i]->Wait(absl::Seconds(20));
  }
}

CommandResult TestCluster::Yarn(const std::vector<std::string>& args,
                                absl::Duration timeout) const {
  std::vector<std::string> argv = {YarnBinary(), "--config", conf_dir_};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, timeout);
}

std::string TestCluster::StartClient(Process& client, const std::vector<std::string>& args,
                                     const std::string& name, absl::Duration timeout) const {
  std::vector<std::string> argv = {YarnBinary(), "--config", conf_dir_};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string out = base_ + "/" + name + ".out";
  if (!client.Start(argv, out, base_ + "/" + name + ".err").ok()) return "";
  std::string id;
  WaitFor(
      [&] {
        id = AppIdFrom(ReadFileOrEmpty(out));
        return !id.empty() || !client.running();
      },
      timeout);
  return id;
}

absl::StatusOr<proto::ApplicationReportProto> TestCluster::Report(const std::string& app_id) const {
  auto id = ApplicationId::Parse(app_id);
  if (!id.ok()) return id.status();
  proto::GetApplicationReportRequest req;
  *req.mutable_application_id() = id->ToProto();
  proto::GetApplicationReportResponse resp;
  auto ctx = MakeClientContext(std::chrono::seconds(10));
  grpc::Status s = stub_->GetApplicationReport(ctx.get(), req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp.application_report();
}

absl::StatusOr<proto::ApplicationReportProto> TestCluster::WaitForState(
    const std::string& app_id, const std::vector<proto::YarnApplicationState>& states,
    absl::Duration timeout) const {
  absl::StatusOr<proto::ApplicationReportProto> last = absl::NotFoundError("no report yet");
  bool reached = WaitFor(
      [&] {
        last = Report(app_id);
        if (!last.ok()) return false;
        for (auto s : states) {
          if (last->yarn_application_state() == s) return true;
        }
        return false;
      },
      timeout);
  if (!reached) {
    return absl::DeadlineExceededError(
        absl::StrCat(app_id, " did not reach the expected state; last: ",
                     last.ok() ? proto::YarnApplicationState_Name(last->yarn_application_state())
                               : std::string(last.status().message())));
  }
  return last;
}

int TestCluster::CountNodes(proto::NodeState state) const {
  proto::GetClusterNodesRequest req;
  req.add_node_states(state);
  proto::GetClusterNodesResponse resp;
  auto ctx = MakeClientContext(std::chrono::seconds(5));
  if (!stub_->GetClusterNodes(ctx.get(), req, &resp).ok()) return -1;
  return resp.node_reports_size();
}

std::vector<proto::NodeReportProto> TestCluster::NodeReports() const {
  proto::GetClusterNodesRequest req;
  proto::GetClusterNodesResponse resp;
  auto ctx = MakeClientContext(std::chrono::seconds(5));
  if (!stub_->GetClusterNodes(ctx.get(), req, &resp).ok()) return {};
  return {resp.node_reports().begin(), resp.node_reports().end()};
}

std::vector<std::string> TestCluster::RunningNodeHttpAddresses() const {
  std::vector<std::string> out;
  for (const proto::NodeReportProto& n : NodeReports()) {
    if (n.node_state() == proto::NS_RUNNING) out.push_back(n.http_address());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace skein::testing
