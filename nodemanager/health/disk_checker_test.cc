#include "nodemanager/health/disk_checker.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "common/testing/unprivileged.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::nm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A filesystem where each dir's fate is set by the test.
class FakeDiskFs final : public DiskFs {
 public:
  absl::Status EnsureDir(const std::string& dir) override {
    if (uncreatable.count(dir)) {
      return absl::FailedPreconditionError("Cannot create directory: " + dir);
    }
    return absl::OkStatus();
  }
  absl::Status CheckReadWrite(const std::string& dir) override {
    if (unwritable.count(dir)) {
      return absl::PermissionDeniedError("Directory is not writable: " + dir);
    }
    return absl::OkStatus();
  }
  absl::StatusOr<DiskSpace> Space(const std::string& dir) override {
    auto it = space.find(dir);
    if (it != space.end()) return it->second;
    return DiskSpace{100ull << 30, 50ull << 30};  // half full
  }
  std::set<std::string> uncreatable, unwritable;
  std::map<std::string, DiskSpace> space;
};

DiskCheckerOptions Options() {
  DiskCheckerOptions o;
  o.local_dirs = {"/l1"};
  o.log_dirs = {"/g1"};
  return o;
}

TEST(DiskCheckerTest, HealthyDisksGiveNoReport) {
  FakeDiskFs fs;
  DiskChecker c(Options(), fs);
  c.CheckOnce();
  EXPECT_TRUE(c.healthy());
  EXPECT_EQ(c.report(), "");
  EXPECT_THAT(c.GoodLocalDirs(), ElementsAre("/l1"));
}

TEST(DiskCheckerTest, FullDisksUseYarnsWording) {
  FakeDiskFs fs;
  fs.space["/l1"] = DiskSpace{100, 5};  // 95 % used
  fs.space["/g1"] = DiskSpace{100, 5};
  DiskChecker c(Options(), fs);
  c.CheckOnce();
  EXPECT_FALSE(c.healthy());
  EXPECT_EQ(c.report(),
            "1/1 local-dirs usable space is below configured utilization percentage/no more "
            "usable space [ /l1 : used space above threshold of 90.0% ] ; 1/1 log-dirs usable "
            "space is below configured utilization percentage/no more usable space [ /g1 : used "
            "space above threshold of 90.0% ] ");
}

TEST(DiskCheckerTest, ErroredDirsAndMinFreeSpace) {
  FakeDiskFs fs;
  DiskCheckerOptions o = Options();
  o.local_dirs = {"/l1", "/l2", "/l3"};
  o.log_dirs = {"/g1"};
  o.min_free_mb = 10;
  fs.uncreatable.insert("/l1");
  fs.unwritable.insert("/l2");
  fs.space["/g1"] = DiskSpace{100ull << 20, 5ull << 20};  // 5 MB free, 95 % used
  o.max_utilization_percent = 100.0;
  DirsVerdict local = CheckDirs(fs, o.local_dirs, o);
  DirsVerdict log = CheckDirs(fs, o.log_dirs, o);
  EXPECT_THAT(local.good, ElementsAre("/l3"));
  EXPECT_EQ(DisksHealthReport(local, log),
            "2/3 local-dirs have errors:  [ /l1 : Cannot create directory: /l1 , /l2 : "
            "Directory is not writable: /l2 ] 1/1 log-dirs usable space is below configured "
            "utilization percentage/no more usable space [ /g1 : free space below limit of "
            "10MB ] ");
  // 1/3 good local dirs >= 0.25, but 0/1 log dirs.
  EXPECT_FALSE(DisksHealthy(local, log, o));
  log.good = {"/g1"};
  log.full.clear();
  EXPECT_TRUE(DisksHealthy(local, log, o));
  o.min_healthy_fraction = 0.5;
  EXPECT_FALSE(DisksHealthy(local, log, o));
}

TEST(DiskCheckerTest, OnlyGoodDirsAreHandedOutAndDisksRecover) {
  FakeDiskFs fs;
  DiskCheckerOptions o = Options();
  o.local_dirs = {"/l1", "/l2"};
  fs.unwritable.insert("/l1");
  DiskChecker c(o, fs);
  c.CheckOnce();
  EXPECT_TRUE(c.healthy());  // 1/2 >= 0.25
  EXPECT_THAT(c.GoodLocalDirs(), ElementsAre("/l2"));
  EXPECT_THAT(c.report(), HasSubstr("1/2 local-dirs have errors"));
  fs.unwritable.clear();
  c.CheckOnce();
  EXPECT_EQ(c.report(), "");
  EXPECT_THAT(c.GoodLocalDirs(), ElementsAre("/l1", "/l2"));
}

TEST(DiskCheckerTest, CombinesWithTheScriptReport) {
  proto::NodeHealthStatusProto script;
  script.set_is_node_healthy(false);
  script.set_health_report("ERROR disk on fire");
  proto::NodeHealthStatusProto both = CombineHealth(script, false, "1/1 local-dirs have errors");
  EXPECT_FALSE(both.is_node_healthy());
  EXPECT_EQ(both.health_report(), "ERROR disk on fire;1/1 local-dirs have errors");
  script.set_is_node_healthy(true);
  script.clear_health_report();
  proto::NodeHealthStatusProto disks = CombineHealth(script, false, "x");
  EXPECT_FALSE(disks.is_node_healthy());
  EXPECT_EQ(disks.health_report(), "x");
  EXPECT_TRUE(CombineHealth(script, true, "").is_node_healthy());
}

TEST(DiskCheckerTest, OptionsDefaultsAndErrors) {
  conf::Configuration conf = conf::Configuration::WithYarnDefaults();
  auto o = ParseDiskCheckerOptions(conf);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->enabled);
  EXPECT_EQ(o->interval, absl::Milliseconds(120000));
  EXPECT_DOUBLE_EQ(o->min_healthy_fraction, 0.25);
  EXPECT_DOUBLE_EQ(o->max_utilization_percent, 90.0);
  EXPECT_EQ(o->min_free_mb, 0);
  conf.Set("yarn.nodemanager.disk-health-checker.min-healthy-disks", "1.5");
  EXPECT_THAT(ParseDiskCheckerOptions(conf).status().message(),
              HasSubstr("yarn.nodemanager.disk-health-checker.min-healthy-disks=1.5"));
  conf.Set("yarn.nodemanager.disk-health-checker.min-healthy-disks", "0.25");
  conf.Set("yarn.nodemanager.disk-health-checker.interval-ms", "0");
  EXPECT_THAT(ParseDiskCheckerOptions(conf).status().message(),
              HasSubstr("yarn.nodemanager.disk-health-checker.interval-ms=0"));
  conf.Set("yarn.nodemanager.disk-health-checker.interval-ms", "1000");
  conf.Set("yarn.nodemanager.disk-health-checker.min-free-space-per-disk-mb", "-1");
  EXPECT_THAT(ParseDiskCheckerOptions(conf).status().message(),
              HasSubstr("min-free-space-per-disk-mb=-1"));
}

// The real filesystem: an unwritable directory (checked as an unprivileged user: as root,
// permissions do not bite) and a real disk made "full" by a tiny threshold.
TEST(RealDiskFsTest, UnwritableDirAndTinyThreshold) {
  const std::string base =
      std::filesystem::temp_directory_path().string() + "/disk_checker_" + std::to_string(getpid());
  std::filesystem::remove_all(base);
  RealDiskFs fs;
  DiskCheckerOptions o;
  o.max_utilization_percent = 0.0001;
  DirsVerdict v = CheckDirs(fs, {base + "/made"}, o);
  EXPECT_TRUE(std::filesystem::is_directory(base + "/made"));  // created when missing
  ASSERT_EQ(v.full.size(), 1u);
  EXPECT_EQ(v.full.begin()->second, "used space above threshold of 0.0001%");
  o.max_utilization_percent = 100.0;
  EXPECT_EQ(CheckDirs(fs, {base + "/made"}, o).good.size(), 1u);
  std::filesystem::create_directories(base + "/ro");
  const std::string failure = skein::testing::RunUnprivileged({base}, [&]() -> std::string {
    chmod((base + "/ro").c_str(), 0500);
    DirsVerdict ro = CheckDirs(fs, {base + "/ro"}, o);
    const std::string want = "Directory is not writable: " + base + "/ro";
    if (ro.errored.size() == 1 && ro.errored.begin()->second == want) return "";
    return "expected one errored dir (" + want + "), got " + std::to_string(ro.errored.size()) +
           (ro.errored.empty() ? "" : ": " + ro.errored.begin()->second);
  });
  EXPECT_EQ(failure, "");
  std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace skein::nm
