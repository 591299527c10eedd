// A local cluster of real processes for end-to-end tests: one `yarn resourcemanager` and N
// `yarn nodemanager` processes on 127.0.0.1 with ephemeral ports, each with its own directories
// under a fresh temporary base directory, plus helpers to run `yarn` client commands against it.
//
// Thread rules: one test thread. Every wait is bounded.
#ifndef SKEIN_TESTS_INTEGRATION_TEST_CLUSTER_H_
#define SKEIN_TESTS_INTEGRATION_TEST_CLUSTER_H_

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "protos/client_protocol.grpc.pb.h"

namespace skein::testing {

// A child process with stdout/stderr captured to files.
class Process {
 public:
  Process() = default;
  ~Process();  // SIGKILLs the process if it still runs
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  absl::Status Start(const std::vector<std::string>& argv, const std::string& out_path,
                     const std::string& err_path);
  // Sends `sig`; no-op when not running.
  void Signal(int sig);
  // Waits for exit; returns the exit code (128+N for signal N), or an error on timeout.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a command to completion (bounded), capturing its output.
CommandResult RunCommand(const std::vector<std::string>& argv, absl::Duration timeout);
std::string ReadFileOrEmpty(const std::string& path);
// How many times `needle` appears in `text` (overlapping occurrences too).
int CountOccurrences(const std::string& text, const std::string& needle);
// Files below `dir` whose name equals `name` (recursive).
std::vector<std::string> FindFiles(const std::string& dir, const std::string& name);
// The first application id in a command's output ("Submitted application application_..."),
// or "" when there is none.
std::string AppIdFrom(const std::string& output);
// Writes `props` as <dir>/yarn-site.xml (creating dir): for tests that configure daemons
// themselves (HA pairs).
void WriteYarnSite(const std::string& dir, const std::map<std::string, std::string>& props);

// Polls `predicate` every 50 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& predicate, absl::Duration timeout);

class TestCluster {
 public:
  // `properties` go into every daemon's and the client's yarn-site.xml.
  explicit TestCluster(int num_node_managers, std::map<std::string, std::string> properties = {});
  ~TestCluster();  // stops every daemon and removes the base directory

  absl::Status Start();
  // Starts NodeManager `i` again after StopNodeManager / KillNodeManager.
  absl::Status StartNodeManager(int i);
  void KillNodeManager(int i);  // SIGKILL
  void StopNodeManager(int i);  // SIGTERM and wait
  // RM restart: SIGKILLs the ResourceManager (and waits); starts it again on the SAME ports
  // (client, scheduler, tracker, admin, web) with the same configuration, waiting until it
  // wrote its addresses. Clients and NodeManagers keep their configuration.
  void KillResourceManager();
  absl::Status RestartResourceManager();

  // `yarn --config <client conf> args...`
  CommandResult Yarn(const std::vector<std::string>& args,
                     absl::Duration timeout = absl::Seconds(120)) const;
  // Starts `yarn --config <client conf> args...` in the background (output in
  // <base>/<name>.out and .err) and waits until it prints an application id; returns the id, or
  // "" when none appeared within `timeout`.
  std::string StartClient(Process& client, const std::vector<std::string>& args,
                          const std::string& name = "client",
                          absl::Duration timeout = absl::Seconds(30)) const;

  proto::ApplicationClientProtocol::Stub& client() const { return *stub_; }
  absl::StatusOr<proto::ApplicationReportProto> Report(const std::string& app_id) const;
  // Waits until the app reaches one of `states`; returns its last report.
  absl::StatusOr<proto::ApplicationReportProto> WaitForState(
      const std::string& app_id, const std::vector<proto::YarnApplicationState>& states,
      absl::Duration timeout) const;
  int CountNodes(proto::NodeState state) const;
  // Every node the RM knows, in any state; empty when the RM does not answer.
  std::vector<proto::NodeReportProto> NodeReports() const;
  // The HTTP addresses (host:port) the RUNNING nodes registered with, sorted. A NodeManager
  // binds a new ephemeral web port each start, so after a restart its entry changes once the
  // new process has recovered its state and registered.
  std::vector<std::string> RunningNodeHttpAddresses() const;

  const std::string& base_dir() const { return base_; }
  const std::string& conf_dir() const { return conf_dir_; }
  // The port the RM's web server (REST, UI) bound on 127.0.0.1; 0 before Start().
  int rm_web_port() const { return rm_web_port_; }
  // The ResourceManager process (-1 when not running): benchmarks read its CPU time.
  pid_t rm_pid() const { return rm_ ? rm_->pid() : -1; }
  // The RM's bound address for `key` ("yarn.resourcemanager.address"), "" before Start().
  std::string rm_address(const std::string& key) const {
    auto it = rm_addresses_.find(key);
    return it == rm_addresses_.end() ? "" : it->second;
  }
  std::string nm_log_dir(int i) const;
  static std::string YarnBinary();

 private:
  absl::Status WriteSite(const std::string& dir,
                         const std::map<std::string, std::string>& extra) const;
  // Writes <base>/rm-conf with `rm_props`, starts `yarn resourcemanager` and reads the bound
  // addresses into rm_addresses_ / rm_web_port_.
  absl::Status LaunchResourceManager(const std::map<std::string, std::string>& rm_props);

  int num_nms_;
  std::map<std::string, std::string> properties_;
  std::string base_;
  std::string conf_dir_;  // the client's (and NMs') view, with the RM's real addresses
  std::map<std::string, std::string> rm_addresses_;
  int rm_web_port_ = 0;
  std::unique_ptr<Process> rm_;
  std::vector<std::unique_ptr<Process>> nms_;
  std::unique_ptr<proto::ApplicationClientProtocol::Stub> stub_;
};

}  // namespace skein::testing

#endif  // SKEIN_TESTS_INTEGRATION_TEST_CLUSTER_H_
