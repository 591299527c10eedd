// /proc behind a small seam: the process-tree monitor and the node-utilization sampler read
// processes and node totals through ProcFs, so unit tests feed them a fake tree.
//
// Thread rules: ProcFs implementations are stateless readers; any thread. The monitor calls them
// from its own thread only.
#ifndef SKEIN_NODEMANAGER_MONITOR_PROCFS_H_
#define SKEIN_NODEMANAGER_MONITOR_PROCFS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skein::nm {

// One process as /proc/<pid>/stat describes it (the fields the monitor needs).
struct ProcStat {
  int pid = 0;
  int ppid = 0;
  int pgrp = 0;
  int session = 0;
  std::string name;         // comm, without the parentheses
  int64_t utime_ticks = 0;  // user-mode CPU, clock ticks
  int64_t stime_ticks = 0;  // kernel-mode CPU, clock ticks
  int64_t vsize_bytes = 0;  // virtual memory size
  int64_t rss_pages = 0;    // resident set size
};

// Parses one /proc/<pid>/stat line. The comm field may hold spaces and ')' so the parser takes
// the LAST ')' as its end. Errors name the offending text.
absl::StatusOr<ProcStat> ParseProcStat(absl::string_view line);

// Node-wide totals from /proc/meminfo and the first line of /proc/stat.
struct NodeMemInfo {
  int64_t total_bytes = 0;
  int64_t available_bytes = 0;  // MemAvailable (MemFree + Buffers + Cached on old kernels)
  int64_t swap_total_bytes = 0;
  int64_t swap_free_bytes = 0;
};
absl::StatusOr<NodeMemInfo> ParseMemInfo(absl::string_view text);
// Sum of all jiffies and of the idle ones (idle + iowait) on the "cpu " line of /proc/stat.
struct CpuTimes {
  int64_t total_ticks = 0;
  int64_t idle_ticks = 0;
};
absl::StatusOr<CpuTimes> ParseCpuTimes(absl::string_view proc_stat_text);

class ProcFs {
 public:
  virtual ~ProcFs() = default;
  // Every numeric entry of /proc (processes that exist right now).
  virtual std::vector<int> ListPids() = 0;
  // /proc/<pid>/stat, or nullopt when the process is gone.
  virtual std::optional<std::string> ReadStat(int pid) = 0;
  // /proc/<pid>/cmdline with NULs as spaces (Hadoop's form, trailing space kept), "N/A" when
  // empty or unreadable.
  virtual std::string ReadCmdline(int pid) = 0;
  // /proc/meminfo and /proc/stat (node totals); nullopt when unreadable.
  virtual std::optional<std::string> ReadMemInfo() = 0;
  virtual std::optional<std::string> ReadNodeStat() = 0;
  virtual int64_t PageSize() = 0;
  virtual int64_t ClockTicksPerSecond() = 0;
  virtual int NumProcessors() = 0;
};

// The real /proc (or another procfs mount given as `root`).
class RealProcFs final : public ProcFs {
 public:
  explicit RealProcFs(std::string root = "/proc") : root_(std::move(root)) {}
  std::vector<int> ListPids() override;
  std::optional<std::string> ReadStat(int pid) override;
  std::string ReadCmdline(int pid) override;
  std::optional<std::string> ReadMemInfo() override;
  std::optional<std::string> ReadNodeStat() override;
  int64_t PageSize() override;
  int64_t ClockTicksPerSecond() override;
  int NumProcessors() override;

 private:
  const std::string root_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_MONITOR_PROCFS_H_
