#include "nodemanager/policing.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace skein::nm {

absl::StatusOr<std::vector<std::string>> NodePolicing::PrepareLaunch(const ContainerId& id,
                                                                     const Resource& resource) {
  if (cgroups_ == nullptr) return std::vector<std::string>{};
  if (absl::Status s = cgroups_->Prepare(id, resource); !s.ok()) return s;
  return cgroups_->JoinCommands(id);
}

void NodePolicing::Launched(const ContainerId& id, int pid, const Resource& resource) {
  if (monitor_ != nullptr) monitor_->StartMonitoring(id, pid, resource.memory_mb);
}

std::string NodePolicing::ExitDiagnostics(const ContainerId& id, int pid) {
  return cgroups_ != nullptr ? cgroups_->OomDiagnostic(id, pid) : "";
}

absl::Status NodePolicing::Cleanup(const ContainerId& id) {
  if (monitor_ != nullptr) monitor_->StopMonitoring(id);
  return cgroups_ != nullptr ? cgroups_->Remove(id) : absl::OkStatus();
}

CgroupsSetup SetUpCgroups(const CgroupsOptions& options) {
  CgroupsSetup setup;
  if (!options.enabled) return setup;
  std::ifstream in("/proc/mounts");
  std::stringstream mounts;
  mounts << in.rdbuf();
  setup.fs = std::make_unique<RealCgroupFs>();
  absl::StatusOr<std::unique_ptr<CgroupsManager>> m =
      CgroupsManager::Create(options, *setup.fs, mounts.str());
  if (m.ok()) {
    setup.manager = *std::move(m);
    return setup;
  }
  std::string what;
  if (options.cpu) what = "CPU weights/caps";
  if (options.memory_enforced) {
    absl::StrAppend(&what, what.empty() ? "" : " and ", "cgroup memory limits");
  }
  setup.cannot_enforce =
      absl::StrCat("cgroups are configured but cannot be used (", m.status().message(), "); ", what,
                   " are NOT enforced, containers are only monitored through /proc",
                   options.memory_enforced ? " (pmem/vmem checks stay as configured)" : "");
  return setup;
}

}  // namespace skein::nm
