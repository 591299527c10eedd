// A container's process tree as YARN's ProcfsBasedProcessTree sees it: the root pid and all its
// descendants (by ppid), re-read from ProcFs on each Update(). Each process carries an age (the
// number of updates it has been seen in), so the limit check can tell a momentary fork-time
// doubling from a tree that stays over its limit.
//
// Thread rules: not thread-safe; the monitor thread owns every ProcessTree.
#ifndef SKEIN_NODEMANAGER_MONITOR_PROCESS_TREE_H_
#define SKEIN_NODEMANAGER_MONITOR_PROCESS_TREE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "nodemanager/monitor/procfs.h"

namespace skein::nm {

// Every process of the node read once, shared by all trees of one monitoring pass.
struct ProcSnapshot {
  absl::flat_hash_map<int, ProcStat> by_pid;
  absl::flat_hash_map<int, std::vector<int>> children;  // ppid -> pids
};
ProcSnapshot ReadProcSnapshot(ProcFs& procfs);

class ProcessTree {
 public:
  ProcessTree(int root_pid, ProcFs& procfs) : root_pid_(root_pid), procfs_(procfs) {}

  // Re-reads every process and rebuilds the tree under the root. `now_ms` is a monotonic time
  // used for the CPU rate. A root that is gone leaves the tree empty.
  void Update(int64_t now_ms) { Update(ReadProcSnapshot(procfs_), now_ms); }
  void Update(const ProcSnapshot& snapshot, int64_t now_ms);

  int root_pid() const { return root_pid_; }
  bool empty() const { return processes_.empty(); }
  // Sums over processes at least `min_age` updates old (1 = every process; 2 = seen before).
  int64_t VirtualMemoryBytes(int min_age = 0) const;
  int64_t RssBytes(int min_age = 0) const;
  // CPU used since the previous Update as a percentage of one core (300 = three cores busy), or
  // -1 before two updates.
  double CpuUsagePercent() const { return cpu_percent_; }
  // Hadoop's dump: a header line and one "\t|- PID PPID PGRPID SESSID (CMD_NAME) UTIME_MS
  // STIME_MS VMEM_BYTES RSS_PAGES FULL_CMD_LINE" line per process.
  std::string Dump() const;

 private:
  struct Process {
    ProcStat stat;
    int age = 0;
  };
  const int root_pid_;
  ProcFs& procfs_;
  std::map<int, Process> processes_;  // by pid
  int64_t last_cpu_ms_ = -1;
  int64_t last_sample_ms_ = -1;
  double cpu_percent_ = -1;
};

// Hadoop's StringUtils.TraditionalBinaryPrefix.long2String(n, "", 1): "512", "1 G", "348.4 M".
std::string TraditionalBinaryPrefix(int64_t n);

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_MONITOR_PROCESS_TREE_H_
