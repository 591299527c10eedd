// The distributed-shell ApplicationMaster (YARN's DistributedShell ApplicationMaster): runs one
// shell command in N containers, does not retry failures, and unregisters with SUCCEEDED when
// every container exited 0, else FAILED with a diagnostics summary.
//
// The `yarn distributedshell` client hands the job over in the AM container's environment:
//   DISTRIBUTEDSHELL_SHELL_COMMAND     the command (required, non-empty)
//   DISTRIBUTEDSHELL_SHELL_ARGS        appended to the command after a space (optional)
//   DISTRIBUTEDSHELL_NUM_CONTAINERS    N >= 1 (default 1)
//   DISTRIBUTEDSHELL_CONTAINER_MEMORY  MB per container, >= 1 (default 10)
//   DISTRIBUTEDSHELL_CONTAINER_VCORES  vcores per container, >= 1 (default 1)
//   DISTRIBUTEDSHELL_PRIORITY          request priority, >= 0 (default 0)
//   DISTRIBUTEDSHELL_SHELL_ENV         extra container environment, one K=V per line (optional)
// plus the AMRM variables described in appmaster/amrm_client.h.
//
// Every shell container runs
//   /bin/bash -c "$DISTRIBUTEDSHELL_SHELL_COMMAND_LINE" 1><LOG_DIR>/stdout 2><LOG_DIR>/stderr
// with the command line in its environment, so no quoting of user text is ever needed.
//
// Threading: DShellAppMaster::Run is called once, from one thread.
#ifndef SKEIN_APPMASTER_DISTRIBUTEDSHELL_DSHELL_AM_H_
#define SKEIN_APPMASTER_DISTRIBUTEDSHELL_DSHELL_AM_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "appmaster/amrm_client.h"
#include "appmaster/nm_client.h"
#include "common/ids.h"
#include "protos/records.pb.h"

namespace skein::dshell {

inline constexpr char kEnvShellCommand[] = "DISTRIBUTEDSHELL_SHELL_COMMAND";
inline constexpr char kEnvShellArgs[] = "DISTRIBUTEDSHELL_SHELL_ARGS";
inline constexpr char kEnvNumContainers[] = "DISTRIBUTEDSHELL_NUM_CONTAINERS";
inline constexpr char kEnvContainerMemory[] = "DISTRIBUTEDSHELL_CONTAINER_MEMORY";
inline constexpr char kEnvContainerVcores[] = "DISTRIBUTEDSHELL_CONTAINER_VCORES";
inline constexpr char kEnvPriority[] = "DISTRIBUTEDSHELL_PRIORITY";
inline constexpr char kEnvShellEnv[] = "DISTRIBUTEDSHELL_SHELL_ENV";
// Set in every shell container: the full command line bash runs.
inline constexpr char kEnvShellCommandLine[] = "DISTRIBUTEDSHELL_SHELL_COMMAND_LINE";

struct DShellJob {
  std::string shell_command;
  std::string shell_args;
  int32_t num_containers = 1;
  int64_t container_memory_mb = 10;
  int32_t container_vcores = 1;
  int32_t priority = 0;
  std::map<std::string, std::string> shell_env;

  // Command and arguments joined by one space.
  std::string CommandLine() const;
};

// Reads the job from environment variables; errors name the variable and the bad value.
absl::StatusOr<DShellJob> ParseDShellJob(const std::map<std::string, std::string>& env);
// The environment entries (including DISTRIBUTEDSHELL_SHELL_ENV) that ParseDShellJob reads back.
std::map<std::string, std::string> DShellJobEnvironment(const DShellJob& job);
// Parses "K=V" lines (empty lines skipped); a line without '=' or with an empty key is an error
// naming the line.
absl::StatusOr<std::map<std::string, std::string>> ParseShellEnv(const std::string& text);

// The launch context of one shell container.
proto::ContainerLaunchContextProto MakeShellLaunchContext(const DShellJob& job);

// Final diagnostics, as YARN's dshell AM words them, plus the first failure:
// "Diagnostics., total=4, completed=4, allocated=4, failed=1. First failure: <first_failure>"
// (the suffix only when first_failure is not empty).
std::string FailureDiagnostics(int total, int completed, int allocated, int failed,
                               const std::string& first_failure);

// The line logged for every completed container.
std::string ContainerStatusLine(const proto::ContainerStatusProto& status);

class DShellAppMaster {
 public:
  // `log` receives progress lines (the AM's stdout). The clients must outlive the object.
  DShellAppMaster(DShellJob job, am::AMRMClient& amrm, am::ContainerLauncher& launcher,
                  std::ostream& log, int32_t allocate_wait_ms = 1000);

  // Registers, runs the job to completion and unregisters. Returns the process exit code: 0
  // after a successful Finish (whatever the final status), 1 when the RM ordered a shutdown
  // (the application was killed) or could not be reached.
  int Run();

  int completed() const { return completed_; }
  int failed() const { return failed_; }
  int allocated() const { return allocated_; }

 private:
  void OnAllocated(const proto::ContainerProto& container);
  void OnCompleted(const proto::ContainerStatusProto& status);
  am::ContainerRequest Request() const;

  DShellJob job_;
  am::AMRMClient& amrm_;
  am::ContainerLauncher& launcher_;
  std::ostream& log_;
  int32_t wait_ms_;

  int allocated_ = 0;
  int completed_ = 0;
  int failed_ = 0;
  std::string first_failure_;
  std::set<ContainerId> running_;
};

}  // namespace skein::dshell

#endif  // SKEIN_APPMASTER_DISTRIBUTEDSHELL_DSHELL_AM_H_
