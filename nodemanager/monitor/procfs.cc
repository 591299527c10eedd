#include "nodemanager/monitor/procfs.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skein::nm {
namespace {

std::optional<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return out.str();
}

}  // namespace

absl::StatusOr<ProcStat> ParseProcStat(absl::string_view line) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed /proc/<pid>/stat (", why, "): '", line.substr(0, 200), "'"));
  };
  size_t open = line.find('(');
  size_t close = line.rfind(')');
  if (open == absl::string_view::npos || close == absl::string_view::npos || close < open) {
    return bad("no (comm)");
  }
  ProcStat s;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(0, open)), &s.pid)) {
    return bad("pid");
  }
  s.name = std::string(line.substr(open + 1, close - open - 1));
  // Fields after comm, 0-based from "state": 0 state, 1 ppid, 2 pgrp, 3 session, ..., 11 utime,
  // 12 stime, ..., 20 vsize, 21 rss.
  std::vector<absl::string_view> f =
      absl::StrSplit(line.substr(close + 1), ' ', absl::SkipWhitespace());
  if (f.size() < 22) return bad("too few fields");
  if (!absl::SimpleAtoi(f[1], &s.ppid) || !absl::SimpleAtoi(f[2], &s.pgrp) ||
      !absl::SimpleAtoi(f[3], &s.session) || !absl::SimpleAtoi(f[11], &s.utime_ticks) ||
      !absl::SimpleAtoi(f[12], &s.stime_ticks) || !absl::SimpleAtoi(f[20], &s.vsize_bytes) ||
      !absl::SimpleAtoi(f[21], &s.rss_pages)) {
    return bad("non-numeric field");
  }
  return s;
}

absl::StatusOr<NodeMemInfo> ParseMemInfo(absl::string_view text) {
  NodeMemInfo m;
  int64_t free = -1, buffers = 0, cached = 0, available = -1;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (f.size() < 2) continue;
    int64_t kb = 0;
    if (!absl::SimpleAtoi(f[1], &kb)) continue;
    const int64_t bytes = kb * 1024;
    if (f[0] == "MemTotal:") m.total_bytes = bytes;
    if (f[0] == "MemFree:") free = bytes;
    if (f[0] == "MemAvailable:") available = bytes;
    if (f[0] == "Buffers:") buffers = bytes;
    if (f[0] == "Cached:") cached = bytes;
    if (f[0] == "SwapTotal:") m.swap_total_bytes = bytes;
    if (f[0] == "SwapFree:") m.swap_free_bytes = bytes;
  }
  if (m.total_bytes <= 0 || (free < 0 && available < 0)) {
    return absl::InvalidArgumentError("/proc/meminfo has no MemTotal/MemFree lines");
  }
  m.available_bytes = available >= 0 ? available : free + buffers + cached;
  return m;
}

absl::StatusOr<CpuTimes> ParseCpuTimes(absl::string_view proc_stat_text) {
  for (absl::string_view line : absl::StrSplit(proc_stat_text, '\n', absl::SkipEmpty())) {
    if (!absl::StartsWith(line, "cpu ")) continue;
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    CpuTimes t;
    for (size_t i = 1; i < f.size() && i <= 8; ++i) {  // user..steal; guest is inside user
      int64_t v = 0;
      if (!absl::SimpleAtoi(f[i], &v)) {
        return absl::InvalidArgumentError(
            absl::StrCat("/proc/stat cpu line: bad field '", f[i], "' in '", line, "'"));
      }
      t.total_ticks += v;
      if (i == 4 || i == 5) t.idle_ticks += v;  // idle, iowait
    }
    return t;
  }
  return absl::InvalidArgumentError("/proc/stat has no 'cpu ' line");
}

std::vector<int> RealProcFs::ListPids() {
  std::vector<int> pids;
  DIR* dir = opendir(root_.c_str());
  if (dir == nullptr) return pids;
  while (dirent* e = readdir(dir)) {
    int pid = 0;
    if (absl::SimpleAtoi(e->d_name, &pid) && pid > 0) pids.push_back(pid);
  }
  closedir(dir);
  return pids;
}

std::optional<std::string> RealProcFs::ReadStat(int pid) {
  return ReadWhole(absl::StrCat(root_, "/", pid, "/stat"));
}

std::string RealProcFs::ReadCmdline(int pid) {
  std::optional<std::string> raw = ReadWhole(absl::StrCat(root_, "/", pid, "/cmdline"));
  if (!raw.has_value() || raw->empty()) return "N/A";
  for (char& c : *raw) {
    if (c == '\0') c = ' ';
  }
  return *raw;
}

std::optional<std::string> RealProcFs::ReadMemInfo() { return ReadWhole(root_ + "/meminfo"); }
std::optional<std::string> RealProcFs::ReadNodeStat() { return ReadWhole(root_ + "/stat"); }
int64_t RealProcFs::PageSize() { return sysconf(_SC_PAGESIZE); }
int64_t RealProcFs::ClockTicksPerSecond() { return sysconf(_SC_CLK_TCK); }
int RealProcFs::NumProcessors() {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

}  // namespace skein::nm
