// Per-container cgroups, as YARN's LinuxContainerExecutor resource handlers: a group per
// container under yarn.nodemanager.linux-container-executor.cgroups.hierarchy (/hadoop-yarn),
// CPU weight from vcores (cpu.shares = 1024 x vcores on v1, cpu.weight = 100 x vcores on v2,
// where 100 is v2's default weight as 1024 is v1's), an optional hard CPU cap, and a memory limit
// when yarn.nodemanager.resource.memory.enforced is true (the kernel OOM-kills the container).
//
// Detection: /proc/mounts tells whether cgroup v1 controllers (cpu, memory) or the v2 unified
// hierarchy are mounted; yarn.nodemanager.linux-container-executor.cgroups.mount-path overrides
// the place to look on v1.
//
// The container's process joins its groups itself: JoinCommands() returns launch-script lines
// (they write "$$" to each group's cgroup.procs); the ContainerManager recognizes them
// (JoinCommandTarget) and has the executor write the child's pid there before exec, so nothing
// the container runs escapes accounting.
//
// Thread rules: not thread-safe; the NodeManager's loop thread calls every method.
#ifndef SKEIN_NODEMANAGER_EXECUTOR_CGROUPS_CGROUPS_MANAGER_H_
#define SKEIN_NODEMANAGER_EXECUTOR_CGROUPS_CGROUPS_MANAGER_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/conf/configuration.h"
#include "common/ids.h"
#include "common/resource.h"
#include "nodemanager/executor/cgroups/cgroup_fs.h"

namespace skein::nm {

struct CgroupsOptions {
  bool enabled = false;  // any of the switches below asked for cgroups
  std::string hierarchy = "/hadoop-yarn";
  std::string mount_path;        // v1 only; "" = find controllers in /proc/mounts
  bool cpu = false;              // cpu weight (and caps) per container
  bool memory_enforced = false;  // hard memory limit per container
  int cpu_limit_percent = 100;   // percentage-physical-cpu-limit: YARN's share of the node
  bool strict_cpu = false;       // cgroups.strict-resource-usage: cap each container
  int node_vcores = 8;
  int num_processors = 1;
  // NodeManager restart (recovery/container_recovery.h): groups (container ids) of containers the
  // restarted NodeManager re-attaches to, which the leftover cleanup at start must keep.
  std::set<std::string> keep_at_start;
};

// Reads yarn.nodemanager.container-executor.class, ...linux-container-executor.resources-handler
// .class, yarn.nodemanager.resource.cpu.enabled / memory.enabled / memory.enforced,
// ...cgroups.hierarchy, ...cgroups.mount-path, ...cgroups.strict-resource-usage and
// yarn.nodemanager.resource.percentage-physical-cpu-limit. Errors name the key.
absl::StatusOr<CgroupsOptions> ParseCgroupsOptions(const conf::Configuration& conf, int node_vcores,
                                                   int num_processors);

enum class CgroupVersion { kV1, kV2 };

class CgroupsManager {
 public:
  // Detects the hierarchy, creates the YARN group(s) and removes groups left by an earlier
  // NodeManager. Fails (with what is missing) when cgroups cannot be used: not mounted, no such
  // controller, not writable.
  static absl::StatusOr<std::unique_ptr<CgroupsManager>> Create(const CgroupsOptions& options,
                                                                CgroupFs& fs,
                                                                const std::string& mounts_text);

  CgroupVersion version() const { return version_; }
  // Where a container's group lives, per controller ("cpu" / "memory"; v2: "unified").
  std::map<std::string, std::string> GroupPaths(const ContainerId& id) const;

  // Creates the container's groups and writes its limits. Before launch.
  absl::Status Prepare(const ContainerId& id, const Resource& resource);
  // Shell lines for the top of launch_container.sh that move the script into the groups.
  std::vector<std::string> JoinCommands(const ContainerId& id) const;
  // After the container's process ended: a diagnostic when the kernel OOM-killed something in
  // its memory group, "" otherwise.
  std::string OomDiagnostic(const ContainerId& id, int pid);
  // Removes the container's groups. When tasks remain they are SIGKILLed and UNAVAILABLE is
  // returned: call again a moment later.
  absl::Status Remove(const ContainerId& id);
  // Removes every container group under the hierarchy (SIGKILLing tasks left in them): at start
  // for groups an earlier NodeManager left, and at stop once the containers are gone. Problems are
  // logged, not returned. The hierarchy is this NodeManager's alone: two NodeManagers on one
  // host need different hierarchies.
  // `keep`: container ids whose groups stay (Create passes options.keep_at_start).
  void RemoveAllContainerGroups(const std::set<std::string>& keep = {});

 private:
  CgroupsManager(CgroupsOptions options, CgroupFs& fs) : options_(std::move(options)), fs_(fs) {}
  absl::Status Init(const std::string& mounts_text);
  absl::Status RemoveGroup(const std::string& path);

  const CgroupsOptions options_;
  CgroupFs& fs_;
  CgroupVersion version_ = CgroupVersion::kV1;
  // Controller -> the YARN group's directory (mount + hierarchy).
  std::map<std::string, std::string> roots_;
  std::map<ContainerId, int64_t> memory_limits_;  // bytes, for diagnostics
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_EXECUTOR_CGROUPS_CGROUPS_MANAGER_H_
