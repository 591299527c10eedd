#include "nodemanager/monitor/process_tree.h"

#include <cstdio>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace skein::nm {

ProcSnapshot ReadProcSnapshot(ProcFs& procfs) {
  ProcSnapshot snap;
  for (int pid : procfs.ListPids()) {
    std::optional<std::string> line = procfs.ReadStat(pid);
    if (!line.has_value()) continue;  // exited meanwhile
    absl::StatusOr<ProcStat> stat = ParseProcStat(*line);
    if (!stat.ok()) continue;
    snap.children[stat->ppid].push_back(pid);
    snap.by_pid.emplace(pid, *std::move(stat));
  }
  return snap;
}

void ProcessTree::Update(const ProcSnapshot& snapshot, int64_t now_ms) {
  const auto& all = snapshot.by_pid;
  const auto& children = snapshot.children;
  std::map<int, Process> next;
  if (all.contains(root_pid_)) {
    std::vector<int> stack = {root_pid_};
    while (!stack.empty()) {
      int pid = stack.back();
      stack.pop_back();
      if (next.count(pid) != 0) continue;
      auto old = processes_.find(pid);
      Process p;
      p.stat = all.at(pid);
      p.age = old != processes_.end() ? old->second.age + 1 : 1;
      next.emplace(pid, std::move(p));
      auto kids = children.find(pid);
      if (kids != children.end())
        stack.insert(stack.end(), kids->second.begin(), kids->second.end());
    }
  }
  processes_ = std::move(next);

  int64_t ticks = 0;
  for (const auto& [pid, p] : processes_) ticks += p.stat.utime_ticks + p.stat.stime_ticks;
  const int64_t hz = procfs_.ClockTicksPerSecond() > 0 ? procfs_.ClockTicksPerSecond() : 100;
  const int64_t cpu_ms = ticks * 1000 / hz;
  if (last_sample_ms_ >= 0 && now_ms > last_sample_ms_ && cpu_ms >= last_cpu_ms_) {
    cpu_percent_ = static_cast<double>(cpu_ms - last_cpu_ms_) * 100.0 /
                   static_cast<double>(now_ms - last_sample_ms_);
  }
  last_cpu_ms_ = cpu_ms;
  last_sample_ms_ = now_ms;
}

int64_t ProcessTree::VirtualMemoryBytes(int min_age) const {
  int64_t total = 0;
  for (const auto& [pid, p] : processes_) {
    if (p.age >= min_age) total += p.stat.vsize_bytes;
  }
  return total;
}

int64_t ProcessTree::RssBytes(int min_age) const {
  int64_t pages = 0;
  for (const auto& [pid, p] : processes_) {
    if (p.age >= min_age) pages += p.stat.rss_pages;
  }
  return pages * procfs_.PageSize();
}

std::string ProcessTree::Dump() const {
  std::string out =
      "\t|- PID PPID PGRPID SESSID CMD_NAME USER_MODE_TIME(MILLIS) SYSTEM_TIME(MILLIS) "
      "VMEM_USAGE(BYTES) RSSMEM_USAGE(PAGES) FULL_CMD_LINE\n";
  const int64_t hz = procfs_.ClockTicksPerSecond() > 0 ? procfs_.ClockTicksPerSecond() : 100;
  for (const auto& [pid, p] : processes_) {
    const ProcStat& s = p.stat;
    absl::StrAppend(&out, "\t|- ", s.pid, " ", s.ppid, " ", s.pgrp, " ", s.session, " (", s.name,
                    ") ", s.utime_ticks * 1000 / hz, " ", s.stime_ticks * 1000 / hz, " ",
                    s.vsize_bytes, " ", s.rss_pages, " ", procfs_.ReadCmdline(pid), "\n");
  }
  return out;
}

std::string TraditionalBinaryPrefix(int64_t n) {
  static constexpr char kSymbols[] = {'K', 'M', 'G', 'T', 'P', 'E'};
  std::string sign;
  uint64_t v = static_cast<uint64_t>(n);
  if (n < 0) {
    sign = "-";
    v = static_cast<uint64_t>(-(n + 1)) + 1;
  }
  if (v < 1024) return absl::StrCat(sign, v);
  int i = 0;  // index of the largest prefix <= v
  while (i + 1 < 6 && v >= (uint64_t{1} << (10 * (i + 2)))) ++i;
  const int shift = 10 * (i + 1);
  if ((v & ((uint64_t{1} << shift) - 1)) == 0) {
    return absl::StrCat(sign, v >> shift, " ", std::string(1, kSymbols[i]));
  }
  std::string s =
      absl::StrFormat("%.1f", static_cast<double>(v) / static_cast<double>(uint64_t{1} << shift));
  if (s.rfind("1024", 0) == 0 && i + 1 < 6) {  // rounding carried into the next prefix
    ++i;
    s = absl::StrFormat(
        "%.1f", static_cast<double>(v) / static_cast<double>(uint64_t{1} << (10 * (i + 1))));
  }
  return absl::StrCat(sign, s, " ", std::string(1, kSymbols[i]));
}

}  // namespace skein::nm
