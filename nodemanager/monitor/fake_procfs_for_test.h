// A /proc made of strings, for tests.
#ifndef SKEIN_NODEMANAGER_MONITOR_FAKE_PROCFS_FOR_TEST_H_
#define SKEIN_NODEMANAGER_MONITOR_FAKE_PROCFS_FOR_TEST_H_

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "nodemanager/monitor/procfs.h"

namespace skein::nm {

class FakeProcFs final : public ProcFs {
 public:
  // Adds or replaces a process.
  void Set(int pid, int ppid, const std::string& name, int64_t vsize, int64_t rss_pages,
           int64_t utime = 0, int64_t stime = 0, const std::string& cmdline = "") {
    stats_[pid] =
        absl::StrCat(pid, " (", name, ") S ", ppid, " ", pid, " ", pid, " 0 -1 4194560 100 0 0 0 ",
                     utime, " ", stime, " 0 0 20 0 1 0 1000 ", vsize, " ", rss_pages,
                     " 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0");
    cmdlines_[pid] = cmdline;
  }
  void Remove(int pid) {
    stats_.erase(pid);
    cmdlines_.erase(pid);
  }
  std::string meminfo;
  std::string node_stat;

  std::vector<int> ListPids() override {
    std::vector<int> out;
    for (const auto& [pid, s] : stats_) out.push_back(pid);
    return out;
  }
  std::optional<std::string> ReadStat(int pid) override {
    auto it = stats_.find(pid);
    if (it == stats_.end()) return std::nullopt;
    return it->second;
  }
  std::string ReadCmdline(int pid) override {
    auto it = cmdlines_.find(pid);
    return it == cmdlines_.end() || it->second.empty() ? "N/A" : it->second;
  }
  std::optional<std::string> ReadMemInfo() override {
    if (meminfo.empty()) return std::nullopt;
    return meminfo;
  }
  std::optional<std::string> ReadNodeStat() override {
    if (node_stat.empty()) return std::nullopt;
    return node_stat;
  }
  int64_t PageSize() override { return 4096; }
  int64_t ClockTicksPerSecond() override { return 100; }
  int NumProcessors() override { return 4; }

 private:
  std::map<int, std::string> stats_;
  std::map<int, std::string> cmdlines_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_MONITOR_FAKE_PROCFS_FOR_TEST_H_
