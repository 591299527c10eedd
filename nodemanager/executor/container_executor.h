// Process launch and signalling for containers, behind a small seam so cgroups and memory
// policing can wrap or replace it later and tests can use a fake.
#ifndef SKEIN_NODEMANAGER_EXECUTOR_CONTAINER_EXECUTOR_H_
#define SKEIN_NODEMANAGER_EXECUTOR_CONTAINER_EXECUTOR_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nodemanager/container/container.h"

namespace skein::nm {

// One change to the process's stdout or stderr, applied in order after stdin (/dev/null), stdout
// (prelaunch.out) and stderr (prelaunch.err) are set up: `fd` opened on `path` (truncated, or
// appended to), or made a copy of `dup_from` (2>&1).
struct FdRedirect {
  int fd = 1;  // 1 or 2
  std::string path;
  bool append = false;
  int dup_from = -1;  // >= 0: dup instead of open
};

struct LaunchSpec {
  std::string container_id;  // for messages
  std::string script_path;   // launch_container.sh, run with /bin/bash when `argv` is empty
  std::string working_dir;
  std::string log_dir;           // receives prelaunch.out / prelaunch.err (the script's own output)
  std::vector<std::string> env;  // "NAME=value" for the process
  // Direct launch (no shell, see container/shell_free_command.h): when `argv` is not empty the
  // executor runs `program` with `argv` itself instead of bash with the script: in
  // `working_dir`, with `redirects` applied, after joining `join_files`, with JVM_PID=<its pid>
  // added to `env`. A program bash would run as a script (no #! line, ENOEXEC) goes through
  // /bin/bash as bash would do.
  std::string program;  // absolute path
  std::vector<std::string> argv;
  std::vector<FdRedirect> redirects;
  // Files the process writes its pid into before anything of the container runs (its cgroups'
  // cgroup.procs); a failure fails the launch. Both launch kinds honour it.
  std::vector<std::string> join_files;
  // NodeManager recovery: when set, the command (direct or the script) runs as the child of the
  // exit-code helper (executor/exit_code_helper.cc), which writes its exit status to this file
  // and exits with it; the helper is the process Launch returns. Only for an executor whose
  // WritesExitCodeFiles() is true.
  std::string exit_code_file;
};

class ContainerExecutor {
 public:
  // Called once per launched process when it ends, on an executor-owned thread. It must not
  // block for long; the NodeManager posts the result to its loop.
  using ExitCallback = std::function<void(int pid, ProcessExit exit)>;

  virtual ~ContainerExecutor() = default;

  // Starts the script (or the direct command) in a new session (its own process group,
  // pgid == pid) and returns the pid.
  // `on_exit` runs when the process ends (possibly before Launch returns). Any thread.
  virtual absl::StatusOr<int> Launch(const LaunchSpec& spec, ExitCallback on_exit) = 0;
  // Sends `sig` to the process group `pgid`. A group that is gone is not an error. Any thread.
  virtual absl::Status SignalGroup(int pgid, int sig) = 0;
  // Whether any process of group `pgid` is still alive. Any thread.
  virtual bool GroupAlive(int pgid) = 0;
  // Whether Launch honours LaunchSpec::exit_code_file (otherwise the launch script must record
  // the exit code itself). Any thread.
  virtual bool WritesExitCodeFiles() const { return false; }
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_EXECUTOR_CONTAINER_EXECUTOR_H_
