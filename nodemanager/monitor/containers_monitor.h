// YARN's ContainersMonitor: every interval, reads each running container's process tree from
// /proc, kills a tree over its virtual-memory limit (KILLED_EXCEEDED_VMEM, -103) or its
// physical-memory limit (KILLED_EXCEEDED_PMEM, -104) with YARN's diagnostic, and keeps the
// containers' and the node's utilization for heartbeats.
//
// As in YARN, a tree is over its limit when its total is more than twice the limit, or when the
// processes already seen in an earlier pass exceed the limit on their own: a fork that briefly
// doubles a process is not punished.
//
// Thread rules: StartMonitoring / StopMonitoring / the utilization getters from any thread.
// Start/Stop from the controlling thread. RunOnce runs on the monitor's own thread (or a test's).
// The kill callback runs on the monitor thread; the NodeManager posts the kill to its loop.
#ifndef SKEIN_NODEMANAGER_MONITOR_CONTAINERS_MONITOR_H_
#define SKEIN_NODEMANAGER_MONITOR_CONTAINERS_MONITOR_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/conf/configuration.h"
#include "common/ids.h"
#include "common/sync.h"
#include "nodemanager/monitor/process_tree.h"
#include "nodemanager/monitor/procfs.h"
#include "protos/resource_tracker.pb.h"

namespace skein::nm {

struct MonitorOptions {
  absl::Duration interval = absl::Milliseconds(3000);
  bool pmem_check = true;
  bool vmem_check = true;
  double vmem_pmem_ratio = 2.1;
  // cgroups enforce memory (strict): the /proc checks only measure, as in YARN.
  bool memory_enforced_by_cgroups = false;
  int node_vcores = 8;  // to express container CPU in vcores
};

// Reads yarn.nodemanager.container-monitor.interval-ms, pmem-check-enabled, vmem-check-enabled,
// vmem-pmem-ratio. Errors name the key.
absl::StatusOr<MonitorOptions> ParseMonitorOptions(const conf::Configuration& conf);

// YARN's kill diagnostic ("Container [pid=..,containerID=..] is running NB beyond the 'PHYSICAL'
// memory limit. Current usage: ..."), followed by the tree dump.
std::string MemoryLimitDiagnostic(absl::string_view memory_type, int64_t delta, int pid,
                                  const ContainerId& id, int64_t pmem, int64_t pmem_limit,
                                  int64_t vmem, int64_t vmem_limit, const std::string& dump);

class ContainersMonitor {
 public:
  using KillFn =
      std::function<void(const ContainerId& id, int exit_status, const std::string& diagnostics)>;

  ContainersMonitor(MonitorOptions options, ProcFs& procfs, Clock& clock, KillFn on_kill);
  ~ContainersMonitor();  // Stop()s
  ContainersMonitor(const ContainersMonitor&) = delete;
  ContainersMonitor& operator=(const ContainersMonitor&) = delete;

  // Tracks the tree rooted at `pid` with limits memory_mb (pmem) and ratio x memory_mb (vmem).
  void StartMonitoring(const ContainerId& id, int pid, int64_t memory_mb);
  void StopMonitoring(const ContainerId& id);

  void Start();
  void Stop();  // joins the thread; idempotent
  // One pass over every tracked container and the node totals.
  void RunOnce();

  proto::ResourceUtilizationProto containers_utilization() const;
  proto::ResourceUtilizationProto node_utilization() const;
  const MonitorOptions& options() const { return options_; }

 private:
  struct Tracked {
    int pid = 0;
    int64_t pmem_limit = 0;  // bytes
    int64_t vmem_limit = 0;  // bytes
    std::shared_ptr<ProcessTree> tree;
  };
  // Over `limit` now (twice the limit) or with processes older than one pass.
  static bool OverLimit(int64_t current, int64_t aged, int64_t limit);
  void SampleNode();

  const MonitorOptions options_;
  ProcFs& procfs_;
  Clock& clock_;
  const KillFn on_kill_;
  CpuTimes last_cpu_{};
  bool have_cpu_ = false;

  mutable skein::Mutex mu_;
  std::map<ContainerId, Tracked> tracked_ ABSL_GUARDED_BY(mu_);
  proto::ResourceUtilizationProto containers_util_ ABSL_GUARDED_BY(mu_);
  proto::ResourceUtilizationProto node_util_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_MONITOR_CONTAINERS_MONITOR_H_
