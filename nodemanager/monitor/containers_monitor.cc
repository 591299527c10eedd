#include "nodemanager/monitor/containers_monitor.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "protos/records.pb.h"

namespace skein::nm {
namespace {

constexpr char kIntervalKey[] = "yarn.nodemanager.container-monitor.interval-ms";
constexpr char kPmemKey[] = "yarn.nodemanager.pmem-check-enabled";
constexpr char kVmemKey[] = "yarn.nodemanager.vmem-check-enabled";
constexpr char kRatioKey[] = "yarn.nodemanager.vmem-pmem-ratio";

constexpr int64_t kMb = 1024 * 1024;

}  // namespace

absl::StatusOr<MonitorOptions> ParseMonitorOptions(const conf::Configuration& conf) {
  MonitorOptions o;
  absl::StatusOr<int64_t> interval = conf.GetInt(kIntervalKey, 3000);
  if (!interval.ok()) return interval.status();
  if (*interval <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(kIntervalKey, "=", *interval, " must be a positive number of milliseconds"));
  }
  o.interval = absl::Milliseconds(*interval);
  absl::StatusOr<bool> pmem = conf.GetBool(kPmemKey, true);
  if (!pmem.ok()) return pmem.status();
  o.pmem_check = *pmem;
  absl::StatusOr<bool> vmem = conf.GetBool(kVmemKey, true);
  if (!vmem.ok()) return vmem.status();
  o.vmem_check = *vmem;
  absl::StatusOr<double> ratio = conf.GetDouble(kRatioKey, 2.1);
  if (!ratio.ok()) return ratio.status();
  if (!(*ratio >= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kRatioKey, "=", *ratio, " must be at least 1.0 (vmem limit >= pmem limit)"));
  }
  o.vmem_pmem_ratio = *ratio;
  return o;
}

std::string MemoryLimitDiagnostic(absl::string_view memory_type, int64_t delta, int pid,
                                  const ContainerId& id, int64_t pmem, int64_t pmem_limit,
                                  int64_t vmem, int64_t vmem_limit, const std::string& dump) {
  return absl::StrCat("Container [pid=", pid, ",containerID=", id.ToString(), "] is running ",
                      delta, "B beyond the '", absl::AsciiStrToUpper(memory_type),
                      "' memory limit. Current usage: ", TraditionalBinaryPrefix(pmem), "B of ",
                      TraditionalBinaryPrefix(pmem_limit), "B physical memory used; ",
                      TraditionalBinaryPrefix(vmem), "B of ", TraditionalBinaryPrefix(vmem_limit),
                      "B virtual memory used. Killing container.\nDump of the process-tree for ",
                      id.ToString(), " :\n", dump);
}

ContainersMonitor::ContainersMonitor(MonitorOptions options, ProcFs& procfs, Clock& clock,
                                     KillFn on_kill)
    : options_(options), procfs_(procfs), clock_(clock), on_kill_(std::move(on_kill)) {}

ContainersMonitor::~ContainersMonitor() { Stop(); }

void ContainersMonitor::StartMonitoring(const ContainerId& id, int pid, int64_t memory_mb) {
  Tracked t;
  t.pid = pid;
  t.pmem_limit = memory_mb * kMb;
  t.vmem_limit = static_cast<int64_t>(static_cast<double>(t.pmem_limit) * options_.vmem_pmem_ratio);
  t.tree = std::make_shared<ProcessTree>(pid, procfs_);
  skein::MutexLock lock(&mu_);
  tracked_[id] = std::move(t);
}

void ContainersMonitor::StopMonitoring(const ContainerId& id) {
  skein::MutexLock lock(&mu_);
  tracked_.erase(id);
}

void ContainersMonitor::Start() {
  thread_ = std::thread([this] {
    while (true) {
      RunOnce();
      skein::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout([this] { return stopping_; }, options_.interval);
      if (stopping_) return;
    }
  });
}

void ContainersMonitor::Stop() {
  {
    skein::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool ContainersMonitor::OverLimit(int64_t current, int64_t aged, int64_t limit) {
  return current > 2 * limit || aged > limit;
}

void ContainersMonitor::RunOnce() {
  std::map<ContainerId, Tracked> snapshot;
  {
    skein::MutexLock lock(&mu_);
    snapshot = tracked_;
  }
  const int64_t now = clock_.NowMillis();
  const ProcSnapshot procs = snapshot.empty() ? ProcSnapshot() : ReadProcSnapshot(procfs_);
  int64_t pmem_total = 0, vmem_total = 0;
  double cpu_percent_total = 0;
  for (auto& [id, t] : snapshot) {
    t.tree->Update(procs, now);
    if (t.tree->empty()) continue;
    const int64_t vmem = t.tree->VirtualMemoryBytes();
    const int64_t pmem = t.tree->RssBytes();
    pmem_total += pmem;
    vmem_total += vmem;
    const double cpu = t.tree->CpuUsagePercent();
    // As YARN: the first pass only takes the baseline (no CPU rate yet, every process new).
    if (cpu < 0) continue;
    cpu_percent_total += cpu;
    if (options_.memory_enforced_by_cgroups) continue;
    int exit_status = 0;
    std::string diagnostics;
    if (options_.vmem_check && OverLimit(vmem, t.tree->VirtualMemoryBytes(2), t.vmem_limit)) {
      exit_status = proto::KILLED_EXCEEDED_VMEM;
      diagnostics = MemoryLimitDiagnostic("virtual", vmem - t.vmem_limit, t.pid, id, pmem,
                                          t.pmem_limit, vmem, t.vmem_limit, t.tree->Dump());
    } else if (options_.pmem_check && OverLimit(pmem, t.tree->RssBytes(2), t.pmem_limit)) {
      exit_status = proto::KILLED_EXCEEDED_PMEM;
      diagnostics = MemoryLimitDiagnostic("physical", pmem - t.pmem_limit, t.pid, id, pmem,
                                          t.pmem_limit, vmem, t.vmem_limit, t.tree->Dump());
    }
    if (exit_status != 0) {
      fprintf(stderr, "skein nodemanager: %s\n", diagnostics.c_str());
      {
        skein::MutexLock lock(&mu_);
        tracked_.erase(id);
      }
      if (on_kill_) on_kill_(id, exit_status, diagnostics);
    }
  }
  const int processors = procfs_.NumProcessors() > 0 ? procfs_.NumProcessors() : 1;
  proto::ResourceUtilizationProto containers;
  containers.set_pmem_mb(static_cast<int32_t>(pmem_total / kMb));
  containers.set_vmem_mb(static_cast<int32_t>(vmem_total / kMb));
  // Percent of one core -> vcores: a busy core is worth node_vcores / processors vcores.
  containers.set_cpu(
      static_cast<float>(cpu_percent_total / 100.0 * options_.node_vcores / processors));
  {
    skein::MutexLock lock(&mu_);
    containers_util_ = containers;
  }
  SampleNode();
}

void ContainersMonitor::SampleNode() {
  proto::ResourceUtilizationProto node;
  std::optional<std::string> meminfo = procfs_.ReadMemInfo();
  if (meminfo.has_value()) {
    absl::StatusOr<NodeMemInfo> m = ParseMemInfo(*meminfo);
    if (m.ok()) {
      const int64_t used = m->total_bytes - m->available_bytes;
      const int64_t swap_used = m->swap_total_bytes - m->swap_free_bytes;
      node.set_pmem_mb(static_cast<int32_t>(used / kMb));
      node.set_vmem_mb(static_cast<int32_t>((used + swap_used) / kMb));
    }
  }
  std::optional<std::string> stat = procfs_.ReadNodeStat();
  if (stat.has_value()) {
    absl::StatusOr<CpuTimes> cpu = ParseCpuTimes(*stat);
    if (cpu.ok()) {
      if (have_cpu_ && cpu->total_ticks > last_cpu_.total_ticks) {
        const double busy = static_cast<double>((cpu->total_ticks - cpu->idle_ticks) -
                                                (last_cpu_.total_ticks - last_cpu_.idle_ticks));
        const double total = static_cast<double>(cpu->total_ticks - last_cpu_.total_ticks);
        node.set_cpu(static_cast<float>(busy / total * options_.node_vcores));
      }
      last_cpu_ = *cpu;
      have_cpu_ = true;
    }
  }
  skein::MutexLock lock(&mu_);
  node_util_ = node;
}

proto::ResourceUtilizationProto ContainersMonitor::containers_utilization() const {
  skein::MutexLock lock(&mu_);
  return containers_util_;
}

proto::ResourceUtilizationProto ContainersMonitor::node_utilization() const {
  skein::MutexLock lock(&mu_);
  return node_util_;
}

}  // namespace skein::nm
