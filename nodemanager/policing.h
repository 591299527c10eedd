// Joins the NodeManager's policing parts to the container lifecycle: cgroups (when configured
// and usable) and the process-tree memory monitor, behind ContainerHooks.
//
// Thread rules: the hooks run on the NodeManager's loop; the monitor has its own thread.
#ifndef SKEIN_NODEMANAGER_POLICING_H_
#define SKEIN_NODEMANAGER_POLICING_H_

#include <memory>
#include <string>

#include "nodemanager/container/container_hooks.h"
#include "nodemanager/executor/cgroups/cgroups_manager.h"
#include "nodemanager/monitor/containers_monitor.h"

namespace skein::nm {

class NodePolicing final : public ContainerHooks {
 public:
  // Either part may be null (no cgroups; monitoring off).
  NodePolicing(CgroupsManager* cgroups, ContainersMonitor* monitor)
      : cgroups_(cgroups), monitor_(monitor) {}

  absl::StatusOr<std::vector<std::string>> PrepareLaunch(const ContainerId& id,
                                                         const Resource& resource) override;
  void Launched(const ContainerId& id, int pid, const Resource& resource) override;
  std::string ExitDiagnostics(const ContainerId& id, int pid) override;
  absl::Status Cleanup(const ContainerId& id) override;

 private:
  CgroupsManager* const cgroups_;
  ContainersMonitor* const monitor_;
};

// What the NodeManager can enforce given the cgroups the configuration asked for and what this
// machine offers: the CgroupsManager, or null plus a one-line explanation ("" when cgroups were
// not asked for).
struct CgroupsSetup {
  std::unique_ptr<CgroupFs> fs;
  std::unique_ptr<CgroupsManager> manager;
  std::string cannot_enforce;
};
CgroupsSetup SetUpCgroups(const CgroupsOptions& options);

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_POLICING_H_
