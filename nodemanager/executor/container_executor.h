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

struct LaunchSpec {
  std::string container_id;  // for messages
  std::string script_path;   // launch_container.sh, run with /bin/bash
  std::string working_dir;
  std::string log_dir;           // receives prelaunch.out / prelaunch.err (the script's own output)
  std::vector<std::string> env;  // "NAME=value" for the bash that runs the script
};

class ContainerExecutor {
 public:
  // Called once per launched process when it ends, on an executor-owned thread. It must not
  // block for long; the NodeManager posts the result to its loop.
  using ExitCallback = std::function<void(int pid, ProcessExit exit)>;

  virtual ~ContainerExecutor() = default;

  // Starts the script in a new session (its own process group, pgid == pid) and returns the pid.
  // `on_exit` runs when the process ends (possibly before Launch returns). Any thread.
  virtual absl::StatusOr<int> Launch(const LaunchSpec& spec, ExitCallback on_exit) = 0;
  // Sends `sig` to the process group `pgid`. A group that is gone is not an error. Any thread.
  virtual absl::Status SignalGroup(int pgid, int sig) = 0;
  // Whether any process of group `pgid` is still alive. Any thread.
  virtual bool GroupAlive(int pgid) = 0;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_EXECUTOR_CONTAINER_EXECUTOR_H_
