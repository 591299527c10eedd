#include "nodemanager/executor/cgroups/cgroups_manager.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nodemanager/container/launch_script.h"
#include "nodemanager/monitor/process_tree.h"

namespace skein::nm {
namespace {

constexpr char kExecutorKey[] = "yarn.nodemanager.container-executor.class";
constexpr char kHandlerKey[] = "yarn.nodemanager.linux-container-executor.resources-handler.class";
constexpr char kCpuEnabledKey[] = "yarn.nodemanager.resource.cpu.enabled";
constexpr char kMemEnabledKey[] = "yarn.nodemanager.resource.memory.enabled";
constexpr char kMemEnforcedKey[] = "yarn.nodemanager.resource.memory.enforced";
constexpr char kHierarchyKey[] = "yarn.nodemanager.linux-container-executor.cgroups.hierarchy";
constexpr char kMountPathKey[] = "yarn.nodemanager.linux-container-executor.cgroups.mount-path";
constexpr char kStrictKey[] =
    "yarn.nodemanager.linux-container-executor.cgroups.strict-resource-usage";
constexpr char kCpuLimitKey[] = "yarn.nodemanager.resource.percentage-physical-cpu-limit";

constexpr int64_t kCfsPeriodUs = 100000;
constexpr int64_t kMinCfsQuotaUs = 1000;

// Value of "key N" in a flat-keyed cgroup file (memory.oom_control, memory.events), or 0.
int64_t FlatKey(const std::string& text, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    int64_t v = 0;
    if (f.size() == 2 && f[0] == key && absl::SimpleAtoi(f[1], &v)) return v;
  }
  return 0;
}

}  // namespace

absl::StatusOr<CgroupsOptions> ParseCgroupsOptions(const conf::Configuration& conf, int node_vcores,
                                                   int num_processors) {
  CgroupsOptions o;
  o.node_vcores = node_vcores;
  o.num_processors = num_processors;
  const bool lce = absl::EndsWith(conf.Get(kExecutorKey, ""), "LinuxContainerExecutor");
  const bool handler = absl::EndsWith(conf.Get(kHandlerKey, ""), "CgroupsLCEResourcesHandler");
  absl::StatusOr<bool> cpu = conf.GetBool(kCpuEnabledKey, false);
  if (!cpu.ok()) return cpu.status();
  absl::StatusOr<bool> mem = conf.GetBool(kMemEnabledKey, false);
  if (!mem.ok()) return mem.status();
  absl::StatusOr<bool> enforced = conf.GetBool(kMemEnforcedKey, true);
  if (!enforced.ok()) return enforced.status();
  absl::StatusOr<bool> strict = conf.GetBool(kStrictKey, false);
  if (!strict.ok()) return strict.status();
  absl::StatusOr<int64_t> pct = conf.GetInt(kCpuLimitKey, 100);
  if (!pct.ok()) return pct.status();
  if (*pct < 1 || *pct > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat(kCpuLimitKey, "=", *pct, " must be a percentage between 1 and 100"));
  }
  o.cpu = *cpu || lce || handler;
  o.memory_enforced = *mem && *enforced;
  o.enabled = o.cpu || o.memory_enforced;
  o.strict_cpu = *strict;
  o.cpu_limit_percent = static_cast<int>(*pct);
  o.hierarchy = conf.Get(kHierarchyKey, "/hadoop-yarn");
  if (o.hierarchy.empty() || o.hierarchy[0] != '/') o.hierarchy = "/" + o.hierarchy;
  while (o.hierarchy.size() > 1 && o.hierarchy.back() == '/') o.hierarchy.pop_back();
  if (o.hierarchy == "/" || absl::StrContains(o.hierarchy, "..")) {
    return absl::InvalidArgumentError(absl::StrCat(kHierarchyKey, "='", o.hierarchy,
                                                   "' must name a sub-group such as /hadoop-yarn"));
  }
  o.mount_path = conf.Get(kMountPathKey, "");
  return o;
}

absl::StatusOr<std::unique_ptr<CgroupsManager>> CgroupsManager::Create(
    const CgroupsOptions& options, CgroupFs& fs, const std::string& mounts_text) {
  std::unique_ptr<CgroupsManager> m(new CgroupsManager(options, fs));
  if (absl::Status s = m->Init(mounts_text); !s.ok()) return s;
  return m;
}

absl::Status CgroupsManager::Init(const std::string& mounts_text) {
  std::vector<std::string> wanted;
  if (options_.cpu) wanted.push_back("cpu");
  if (options_.memory_enforced) wanted.push_back("memory");
  std::map<std::string, std::string> v1;
  std::string v2;
  for (absl::string_view line : absl::StrSplit(mounts_text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (f.size() < 4) continue;
    if (f[2] == "cgroup2") v2 = std::string(f[1]);
    if (f[2] != "cgroup") continue;
    for (absl::string_view opt : absl::StrSplit(f[3], ',')) {
      for (const std::string& c : wanted) {
        if (opt == c) v1[c] = std::string(f[1]);
      }
    }
  }
  if (!options_.mount_path.empty()) {
    for (const std::string& c : wanted) v1[c] = absl::StrCat(options_.mount_path, "/", c);
  }
  if (!v1.empty()) {
    version_ = CgroupVersion::kV1;
    for (const std::string& c : wanted) {
      if (v1.count(c) == 0) {
        return absl::FailedPreconditionError(
            absl::StrCat("the cgroup v1 '", c, "' controller is not mounted"));
      }
      roots_[c] = v1[c] + options_.hierarchy;
    }
  } else if (!v2.empty()) {
    version_ = CgroupVersion::kV2;
    absl::StatusOr<std::string> available = fs_.Read(v2 + "/cgroup.controllers");
    if (!available.ok()) return available.status();
    std::vector<std::string> have =
        absl::StrSplit(*available, absl::ByAnyChar(" \n"), absl::SkipEmpty());
    std::string enable;
    for (const std::string& c : wanted) {
      if (std::find(have.begin(), have.end(), c) == have.end()) {
        return absl::FailedPreconditionError(
            absl::StrCat("the cgroup v2 '", c, "' controller is not available in ", v2));
      }
      absl::StrAppend(&enable, enable.empty() ? "" : " ", "+", c);
    }
    if (absl::Status s = fs_.MakeDirs(v2 + options_.hierarchy); !s.ok()) return s;
    for (const std::string& dir : {v2, v2 + options_.hierarchy}) {
      if (absl::Status s = fs_.Write(dir + "/cgroup.subtree_control", enable); !s.ok()) return s;
    }
    roots_["unified"] = v2 + options_.hierarchy;
  } else {
    return absl::FailedPreconditionError("no cgroup filesystem is mounted (see /proc/mounts)");
  }
  for (const auto& [controller, root] : roots_) {
    if (absl::Status s = fs_.MakeDirs(root); !s.ok()) return s;
  }
  RemoveAllContainerGroups(options_.keep_at_start);
  if (options_.cpu && options_.cpu_limit_percent < 100) {
    const int64_t quota = std::max<int64_t>(
        kMinCfsQuotaUs, kCfsPeriodUs * options_.num_processors * options_.cpu_limit_percent / 100);
    const std::string root = version_ == CgroupVersion::kV1 ? roots_["cpu"] : roots_["unified"];
    absl::Status s = version_ == CgroupVersion::kV1
                         ? fs_.Write(root + "/cpu.cfs_period_us", absl::StrCat(kCfsPeriodUs))
                         : absl::OkStatus();
    if (s.ok()) {
      s = version_ == CgroupVersion::kV1
              ? fs_.Write(root + "/cpu.cfs_quota_us", absl::StrCat(quota))
              : fs_.Write(root + "/cpu.max", absl::StrCat(quota, " ", kCfsPeriodUs));
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

std::map<std::string, std::string> CgroupsManager::GroupPaths(const ContainerId& id) const {
  std::map<std::string, std::string> out;
  for (const auto& [controller, root] : roots_) out[controller] = root + "/" + id.ToString();
  return out;
}

absl::Status CgroupsManager::Prepare(const ContainerId& id, const Resource& resource) {
  const int64_t vcores = std::max<int64_t>(1, resource.vcores);
  const int64_t memory = resource.memory_mb * 1024 * 1024;
  auto context = [&](const absl::Status& s) {
    return absl::Status(s.code(),
                        absl::StrCat("setting up cgroups for ", id.ToString(), ": ", s.message()));
  };
  for (const auto& [controller, path] : GroupPaths(id)) {
    if (absl::Status s = fs_.MakeDirs(path); !s.ok()) return context(s);
  }
  const bool v1 = version_ == CgroupVersion::kV1;
  const std::map<std::string, std::string> paths = GroupPaths(id);
  if (options_.cpu) {
    const std::string& dir = paths.at(v1 ? "cpu" : "unified");
    absl::Status s =
        v1 ? fs_.Write(dir + "/cpu.shares", absl::StrCat(1024 * vcores))
           : fs_.Write(dir + "/cpu.weight", absl::StrCat(std::min<int64_t>(10000, 100 * vcores)));
    if (!s.ok()) return context(s);
    if (options_.strict_cpu) {
      // The container's share of the processors YARN may use.
      const double yarn_processors = options_.num_processors * options_.cpu_limit_percent / 100.0;
      const int64_t quota = std::max<int64_t>(
          kMinCfsQuotaUs, static_cast<int64_t>(kCfsPeriodUs * yarn_processors * vcores /
                                               std::max(1, options_.node_vcores)));
      s = v1 ? fs_.Write(dir + "/cpu.cfs_period_us", absl::StrCat(kCfsPeriodUs)) : s;
      if (s.ok()) {
        s = v1 ? fs_.Write(dir + "/cpu.cfs_quota_us", absl::StrCat(quota))
               : fs_.Write(dir + "/cpu.max", absl::StrCat(quota, " ", kCfsPeriodUs));
      }
      if (!s.ok()) return context(s);
    }
  }
  if (options_.memory_enforced) {
    const std::string& dir = paths.at(v1 ? "memory" : "unified");
    absl::Status s =
        fs_.Write(dir + (v1 ? "/memory.limit_in_bytes" : "/memory.max"), absl::StrCat(memory));
    if (!s.ok()) return context(s);
    // Best effort: no swap to escape into (the files are absent without swap accounting).
    if (v1) {
      (void)fs_.Write(dir + "/memory.memsw.limit_in_bytes", absl::StrCat(memory));
      (void)fs_.Write(dir + "/memory.swappiness", "0");
    } else {
      (void)fs_.Write(dir + "/memory.swap.max", "0");
    }
    memory_limits_[id] = memory;
  }
  return absl::OkStatus();
}

std::vector<std::string> CgroupsManager::JoinCommands(const ContainerId& id) const {
  std::vector<std::string> lines;
  for (const auto& [controller, path] : GroupPaths(id)) {
    lines.push_back(JoinCommand(path + "/cgroup.procs"));
  }
  return lines;
}

std::string CgroupsManager::OomDiagnostic(const ContainerId& id, int pid) {
  auto limit = memory_limits_.find(id);
  if (limit == memory_limits_.end()) return "";
  const bool v1 = version_ == CgroupVersion::kV1;
  const std::string dir = GroupPaths(id).at(v1 ? "memory" : "unified");
  absl::StatusOr<std::string> text =
      fs_.Read(dir + (v1 ? "/memory.oom_control" : "/memory.events"));
  if (!text.ok()) return "";
  const int64_t kills = FlatKey(*text, "oom_kill");
  if (kills <= 0) return "";
  return absl::StrCat("Container [pid=", pid, ",containerID=", id.ToString(),
                      "] was killed by the kernel's OOM killer: it went over its cgroup memory "
                      "limit of ",
                      TraditionalBinaryPrefix(limit->second), "B (",
                      v1 ? "memory.limit_in_bytes" : "memory.max", "=", limit->second,
                      ", yarn.nodemanager.resource.memory.enforced=true; ", kills,
                      " process(es) killed).");
}

absl::Status CgroupsManager::RemoveGroup(const std::string& path) {
  absl::Status s = fs_.RemoveDir(path);
  if (s.ok() || !absl::IsFailedPrecondition(s)) return s;
  // Still has tasks: kill them; the caller retries once they are gone.
  absl::StatusOr<std::string> procs = fs_.Read(path + "/cgroup.procs");
  if (procs.ok()) {
    for (absl::string_view line : absl::StrSplit(*procs, '\n', absl::SkipEmpty())) {
      int pid = 0;
      if (absl::SimpleAtoi(line, &pid) && pid > 1) kill(pid, SIGKILL);
    }
  }
  return absl::UnavailableError(
      absl::StrCat(path, " still has tasks (killed them): ", s.message()));
}

void CgroupsManager::RemoveAllContainerGroups(const std::set<std::string>& keep) {
  for (const auto& [controller, root] : roots_) {
    for (const std::string& child : fs_.ListDirs(root)) {
      if (!absl::StartsWith(child, "container_") || keep.count(child) > 0) continue;
      absl::Status s = RemoveGroup(root + "/" + child);
      for (int i = 0; i < 20 && absl::IsUnavailable(s); ++i) {  // wait for the SIGKILLs
        usleep(10000);
        s = RemoveGroup(root + "/" + child);
      }
      if (!s.ok())
        fprintf(stderr, "skein nodemanager: leftover cgroup: %s\n", s.ToString().c_str());
    }
  }
  memory_limits_.clear();
}

absl::Status CgroupsManager::Remove(const ContainerId& id) {
  absl::Status result;
  for (const auto& [controller, path] : GroupPaths(id)) {
    absl::Status s = RemoveGroup(path);
    if (!s.ok() && result.ok()) result = s;
  }
  if (result.ok()) memory_limits_.erase(id);
  return result;
}

}  // namespace skein::nm
