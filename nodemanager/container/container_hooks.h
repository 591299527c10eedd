// What the ContainerManager tells the policing side (cgroups, the process-tree monitor) about a
// container's life, and what it asks of it. Role-sized: four calls, all on the loop thread.
#ifndef SKEIN_NODEMANAGER_CONTAINER_CONTAINER_HOOKS_H_
#define SKEIN_NODEMANAGER_CONTAINER_CONTAINER_HOOKS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/ids.h"
#include "common/resource.h"

namespace skein::nm {

class ContainerHooks {
 public:
  virtual ~ContainerHooks() = default;
  // Before launch_container.sh is written: set up isolation and return shell lines the script
  // runs first. Lines made by JoinCommand (launch_script.h, joining a cgroup) are done by the
  // executor before exec instead; any other line makes the container go through bash. An error
  // fails the launch with its message.
  virtual absl::StatusOr<std::vector<std::string>> PrepareLaunch(const ContainerId& id,
                                                                 const Resource& resource) = 0;
  // The container's process (a process-group leader) is running.
  virtual void Launched(const ContainerId& id, int pid, const Resource& resource) = 0;
  // The container's process ended: diagnostics that explain it (e.g. a cgroup OOM kill) to put
  // first in the container's diagnostics, or "".
  virtual std::string ExitDiagnostics(const ContainerId& id, int pid) = 0;
  // Release what PrepareLaunch set up. UNAVAILABLE means "not yet, call again shortly" (tasks
  // still dying); other errors are logged and dropped.
  virtual absl::Status Cleanup(const ContainerId& id) = 0;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_CONTAINER_CONTAINER_HOOKS_H_
