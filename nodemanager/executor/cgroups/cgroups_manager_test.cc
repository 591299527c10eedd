#include "nodemanager/executor/cgroups/cgroups_manager.h"

#include <set>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::nm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Directories and files as a map; rmdir of a group whose cgroup.procs is non-empty is EBUSY.
class FakeCgroupFs final : public CgroupFs {
 public:
  std::set<std::string> dirs;
  std::map<std::string, std::string> files;
  std::set<std::string> read_only;

  absl::Status MakeDirs(const std::string& path) override {
    for (size_t i = 1; i <= path.size(); ++i) {
      if (i == path.size() || path[i] == '/') dirs.insert(path.substr(0, i));
    }
    return absl::OkStatus();
  }
  absl::Status RemoveDir(const std::string& path) override {
    auto procs = files.find(path + "/cgroup.procs");
    if (procs != files.end() && !procs->second.empty()) {
      return absl::FailedPreconditionError("rmdir " + path + ": Device or resource busy");
    }
    dirs.erase(path);
    for (auto it = files.begin(); it != files.end();) {
      it = absl::StartsWith(it->first, path + "/") ? files.erase(it) : std::next(it);
    }
    return absl::OkStatus();
  }
  absl::Status Write(const std::string& path, const std::string& value) override {
    if ((read_only.count(path) != 0)) return absl::PermissionDeniedError("open " + path);
    files[path] = value;
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> Read(const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return absl::NotFoundError("open " + path);
    return it->second;
  }
  bool Exists(const std::string& path) override {
    return (dirs.count(path) != 0) || (files.count(path) != 0);
  }
  std::vector<std::string> ListDirs(const std::string& path) override {
    std::vector<std::string> out;
    for (const std::string& d : dirs) {
      if (absl::StartsWith(d, path + "/") && d.find('/', path.size() + 1) == std::string::npos) {
        out.push_back(d.substr(path.size() + 1));
      }
    }
    return out;
  }
};

constexpr char kV1Mounts[] =
    "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
    "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
    "cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0\n"
    "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n";
constexpr char kV2Mounts[] = "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev 0 0\n";

const ContainerId kId = ContainerId::Make(ApplicationAttemptId(ApplicationId(1700, 1), 1), 0, 2);

CgroupsOptions Options(bool cpu, bool memory) {
  CgroupsOptions o;
  o.enabled = cpu || memory;
  o.cpu = cpu;
  o.memory_enforced = memory;
  o.node_vcores = 8;
  o.num_processors = 4;
  return o;
}

TEST(CgroupsManagerTest, V1WritesSharesAndMemoryLimitAndJoinsThroughTheScript) {
  FakeCgroupFs fs;
  auto m = CgroupsManager::Create(Options(true, true), fs, kV1Mounts);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ((*m)->version(), CgroupVersion::kV1);
  EXPECT_TRUE((fs.dirs.count("/sys/fs/cgroup/cpu/hadoop-yarn") != 0));
  EXPECT_TRUE((fs.dirs.count("/sys/fs/cgroup/memory/hadoop-yarn") != 0));
  ASSERT_TRUE((*m)->Prepare(kId, Resource(128, 3)).ok());
  const std::string cpu = "/sys/fs/cgroup/cpu/hadoop-yarn/" + kId.ToString();
  const std::string mem = "/sys/fs/cgroup/memory/hadoop-yarn/" + kId.ToString();
  EXPECT_EQ(fs.files[cpu + "/cpu.shares"], "3072");
  EXPECT_FALSE((fs.files.count(cpu + "/cpu.cfs_quota_us") != 0));  // not strict
  EXPECT_EQ(fs.files[mem + "/memory.limit_in_bytes"], "134217728");
  EXPECT_THAT((*m)->JoinCommands(kId),
              ElementsAre("echo $$ > '" + cpu + "/cgroup.procs' || { echo 'cannot join cgroup " +
                              cpu + "/cgroup.procs' >&2; exit 1; }",
                          "echo $$ > '" + mem + "/cgroup.procs' || { echo 'cannot join cgroup " +
                              mem + "/cgroup.procs' >&2; exit 1; }"));
  ASSERT_TRUE((*m)->Remove(kId).ok());
  EXPECT_FALSE((fs.dirs.count(cpu) != 0));
  EXPECT_FALSE((fs.dirs.count(mem) != 0));
}

TEST(CgroupsManagerTest, StrictCpuCapsEachContainerAndYarnShareCapsTheHierarchy) {
  FakeCgroupFs fs;
  CgroupsOptions o = Options(true, false);
  o.strict_cpu = true;
  o.cpu_limit_percent = 50;  // YARN may use 2 of the 4 processors
  auto m = CgroupsManager::Create(o, fs, kV1Mounts);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(fs.files["/sys/fs/cgroup/cpu/hadoop-yarn/cpu.cfs_quota_us"], "200000");
  EXPECT_FALSE((fs.dirs.count("/sys/fs/cgroup/memory/hadoop-yarn") != 0));
  ASSERT_TRUE((*m)->Prepare(kId, Resource(128, 2)).ok());
  const std::string cpu = "/sys/fs/cgroup/cpu/hadoop-yarn/" + kId.ToString();
  EXPECT_EQ(fs.files[cpu + "/cpu.cfs_period_us"], "100000");
  EXPECT_EQ(fs.files[cpu + "/cpu.cfs_quota_us"], "50000");  // 2 of 8 vcores of 2 processors
  EXPECT_EQ((*m)->JoinCommands(kId).size(), 1u);
}

TEST(CgroupsManagerTest, V2UsesWeightMaxAndEnablesControllers) {
  FakeCgroupFs fs;
  fs.files["/sys/fs/cgroup/cgroup.controllers"] = "cpuset cpu io memory pids\n";
  auto m = CgroupsManager::Create(Options(true, true), fs, kV2Mounts);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ((*m)->version(), CgroupVersion::kV2);
  EXPECT_EQ(fs.files["/sys/fs/cgroup/cgroup.subtree_control"], "+cpu +memory");
  EXPECT_EQ(fs.files["/sys/fs/cgroup/hadoop-yarn/cgroup.subtree_control"], "+cpu +memory");
  ASSERT_TRUE((*m)->Prepare(kId, Resource(256, 2)).ok());
  const std::string dir = "/sys/fs/cgroup/hadoop-yarn/" + kId.ToString();
  EXPECT_EQ(fs.files[dir + "/cpu.weight"], "200");
  EXPECT_EQ(fs.files[dir + "/memory.max"], "268435456");
  EXPECT_EQ((*m)->JoinCommands(kId).size(), 1u);

  fs.files[dir + "/memory.events"] = "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n";
  EXPECT_EQ((*m)->OomDiagnostic(kId, 77),
            "Container [pid=77,containerID=" + kId.ToString() +
                "] was killed by the kernel's OOM killer: it went over its cgroup memory limit "
                "of 256 MB (memory.max=268435456, yarn.nodemanager.resource.memory.enforced=true;"
                " 1 process(es) killed).");
}

TEST(CgroupsManagerTest, OomDiagnosticOnlyWhenTheKernelKilled) {
  FakeCgroupFs fs;
  auto m = CgroupsManager::Create(Options(false, true), fs, kV1Mounts);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE((*m)->Prepare(kId, Resource(128, 1)).ok());
  const std::string mem = "/sys/fs/cgroup/memory/hadoop-yarn/" + kId.ToString();
  fs.files[mem + "/memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n";
  EXPECT_EQ((*m)->OomDiagnostic(kId, 5), "");
  fs.files[mem + "/memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n";
  EXPECT_THAT((*m)->OomDiagnostic(kId, 5),
              HasSubstr("OOM killer: it went over its cgroup memory limit of 128 MB "
                        "(memory.limit_in_bytes=134217728"));
}

TEST(CgroupsManagerTest, RemovesLeftoverContainerGroupsAtStart) {
  FakeCgroupFs fs;
  const std::string old = "/sys/fs/cgroup/cpu/hadoop-yarn/container_1_0001_01_000009";
  fs.MakeDirs(old).IgnoreError();
  fs.MakeDirs("/sys/fs/cgroup/cpu/hadoop-yarn/not-ours").IgnoreError();
  auto m = CgroupsManager::Create(Options(true, false), fs, kV1Mounts);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE((fs.dirs.count(old) != 0));
  EXPECT_TRUE((fs.dirs.count("/sys/fs/cgroup/cpu/hadoop-yarn/not-ours") != 0));
}

TEST(CgroupsManagerTest, KeepsGroupsOfRecoveredContainersAtStart) {
  FakeCgroupFs fs;
  const std::string root = "/sys/fs/cgroup/memory/hadoop-yarn/";
  const std::string adopted = "container_1_0001_01_000002";  // still runs: re-attached
  const std::string gone = "container_1_0001_01_000003";     // ended while the NM was down
  fs.MakeDirs(root + adopted).IgnoreError();
  fs.MakeDirs(root + gone).IgnoreError();
  CgroupsOptions o = Options(false, true);
  o.keep_at_start = {adopted};
  auto m = CgroupsManager::Create(o, fs, kV1Mounts);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(fs.dirs.count(root + adopted) != 0);
  EXPECT_FALSE(fs.dirs.count(root + gone) != 0);
  // When the re-attached container ends, its group goes like any other.
  EXPECT_TRUE((*m)->Remove(*ContainerId::Parse(adopted)).ok());
  EXPECT_FALSE(fs.dirs.count(root + adopted) != 0);
}

TEST(CgroupsManagerTest, BusyGroupAsksForARetry) {
  FakeCgroupFs fs;
  auto m = CgroupsManager::Create(Options(true, false), fs, kV1Mounts);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE((*m)->Prepare(kId, Resource(128, 1)).ok());
  const std::string cpu = "/sys/fs/cgroup/cpu/hadoop-yarn/" + kId.ToString();
  fs.files[cpu + "/cgroup.procs"] = "0\n";  // a task (pid 0 is never signalled)
  absl::Status s = (*m)->Remove(kId);
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr(cpu));
  fs.files[cpu + "/cgroup.procs"] = "";
  EXPECT_TRUE((*m)->Remove(kId).ok());
}

TEST(CgroupsManagerTest, ClearErrorsWhenCgroupsAreMissingOrReadOnly) {
  FakeCgroupFs fs;
  EXPECT_THAT(CgroupsManager::Create(Options(true, false), fs, "proc /proc proc rw 0 0\n")
                  .status()
                  .message(),
              HasSubstr("no cgroup filesystem is mounted"));
  EXPECT_THAT(CgroupsManager::Create(Options(true, true), fs,
                                     "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n")
                  .status()
                  .message(),
              HasSubstr("'memory' controller is not mounted"));
  fs.files["/sys/fs/cgroup/cgroup.controllers"] = "cpu pids\n";
  EXPECT_THAT(CgroupsManager::Create(Options(true, true), fs, kV2Mounts).status().message(),
              HasSubstr("'memory' controller is not available in /sys/fs/cgroup"));

  FakeCgroupFs ro;
  auto m = CgroupsManager::Create(Options(true, false), ro, kV1Mounts);
  ASSERT_TRUE(m.ok());
  ro.read_only.insert("/sys/fs/cgroup/cpu/hadoop-yarn/" + kId.ToString() + "/cpu.shares");
  absl::Status s = (*m)->Prepare(kId, Resource(128, 1));
  EXPECT_THAT(s.message(), HasSubstr("setting up cgroups for " + kId.ToString()));
  EXPECT_THAT(s.message(), HasSubstr("cpu.shares"));
}

TEST(ParseCgroupsOptionsTest, SwitchesAndErrors) {
  conf::Configuration c = conf::Configuration::WithYarnDefaults();
  auto o = ParseCgroupsOptions(c, 8, 4);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->enabled);
  EXPECT_EQ(o->hierarchy, "/hadoop-yarn");

  c.Set("yarn.nodemanager.container-executor.class",
        "org.apache.hadoop.yarn.server.nodemanager.LinuxContainerExecutor");
  o = ParseCgroupsOptions(c, 8, 4);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->enabled);
  EXPECT_TRUE(o->cpu);
  EXPECT_FALSE(o->memory_enforced);

  conf::Configuration m = conf::Configuration::WithYarnDefaults();
  m.Set("yarn.nodemanager.resource.memory.enabled", "true");
  m.Set("yarn.nodemanager.linux-container-executor.cgroups.hierarchy", "skein/");
  o = ParseCgroupsOptions(m, 8, 4);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->memory_enforced);
  EXPECT_FALSE(o->cpu);
  EXPECT_EQ(o->hierarchy, "/skein");
  m.Set("yarn.nodemanager.resource.memory.enforced", "false");
  EXPECT_FALSE(ParseCgroupsOptions(m, 8, 4)->enabled);

  m.Set("yarn.nodemanager.resource.percentage-physical-cpu-limit", "0");
  EXPECT_THAT(ParseCgroupsOptions(m, 8, 4).status().message(),
              HasSubstr("yarn.nodemanager.resource.percentage-physical-cpu-limit=0"));
  m.Set("yarn.nodemanager.resource.percentage-physical-cpu-limit", "100");
  m.Set("yarn.nodemanager.linux-container-executor.cgroups.hierarchy", "/");
  EXPECT_THAT(ParseCgroupsOptions(m, 8, 4).status().message(), HasSubstr("must name a sub-group"));
}

}  // namespace
}  // namespace skein::nm
