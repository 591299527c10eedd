#include "nodemanager/monitor/containers_monitor.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nodemanager/monitor/fake_procfs_for_test.h"
#include "protos/records.pb.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kMb = 1024 * 1024;
constexpr int64_t kPage = 4096;

struct Kill {
  ContainerId id;
  int status;
  std::string diagnostics;
};

class ContainersMonitorTest : public ::testing::Test {
 protected:
  ContainersMonitorTest() { Reset(MonitorOptions()); }
  void Reset(MonitorOptions o) {
    monitor_ = std::make_unique<ContainersMonitor>(
        o, fs_, clock_, [this](const ContainerId& id, int status, const std::string& d) {
          kills_.push_back({id, status, d});
        });
  }
  void Pass() {
    monitor_->RunOnce();
    clock_.AdvanceMillis(3000);
  }
  const ContainerId id_ = ContainerId::Make(ApplicationAttemptId(ApplicationId(1700, 1), 1), 0, 2);
  FakeProcFs fs_;
  FakeClock clock_;
  std::vector<Kill> kills_;
  std::unique_ptr<ContainersMonitor> monitor_;
};

TEST_F(ContainersMonitorTest, KillsTreeOverPhysicalLimitWithYarnsDiagnostic) {
  fs_.Set(500, 1, "bash", 100 * kMb, 10, 0, 0, "/bin/bash -c python3 x ");
  fs_.Set(501, 500, "python3", 120 * kMb, 150 * kMb / kPage, 0, 0, "python3 x ");
  monitor_->StartMonitoring(id_, 500, 128);
  Pass();  // baseline
  EXPECT_TRUE(kills_.empty());
  Pass();
  ASSERT_EQ(kills_.size(), 1u);
  EXPECT_EQ(kills_[0].id, id_);
  EXPECT_EQ(kills_[0].status, proto::KILLED_EXCEEDED_PMEM);
  const int64_t rss = 10 * kPage + 150 * kMb;
  EXPECT_EQ(kills_[0].diagnostics,
            "Container [pid=500,containerID=" + id_.ToString() + "] is running " +
                std::to_string(rss - 128 * kMb) +
                "B beyond the 'PHYSICAL' memory limit. Current usage: 150.0 MB of 128 MB "
                "physical memory used; 220 MB of 268.8 MB virtual memory used. Killing "
                "container.\nDump of the process-tree for " +
                id_.ToString() +
                " :\n\t|- PID PPID PGRPID SESSID CMD_NAME USER_MODE_TIME(MILLIS) "
                "SYSTEM_TIME(MILLIS) VMEM_USAGE(BYTES) RSSMEM_USAGE(PAGES) FULL_CMD_LINE\n"
                "\t|- 500 1 500 500 (bash) 0 0 104857600 10 /bin/bash -c python3 x \n"
                "\t|- 501 500 501 501 (python3) 0 0 125829120 38400 python3 x \n");
  Pass();  // no longer tracked: killed once
  EXPECT_EQ(kills_.size(), 1u);
}

TEST_F(ContainersMonitorTest, VirtualCheckComesFirstAndKillsWith103) {
  fs_.Set(500, 1, "bash", 300 * kMb, 10);
  monitor_->StartMonitoring(id_, 500, 128);  // vmem limit 268.8 MB
  Pass();
  Pass();
  ASSERT_EQ(kills_.size(), 1u);
  EXPECT_EQ(kills_[0].status, proto::KILLED_EXCEEDED_VMEM);
  EXPECT_THAT(kills_[0].diagnostics, HasSubstr("beyond the 'VIRTUAL' memory limit"));
  EXPECT_THAT(kills_[0].diagnostics, HasSubstr("300 MB of 268.8 MB virtual memory used"));
}

TEST_F(ContainersMonitorTest, NewProcessOverLimitGetsOnePassUnlessOverTwice) {
  fs_.Set(500, 1, "bash", 10 * kMb, 10);
  monitor_->StartMonitoring(id_, 500, 128);
  Pass();
  Pass();
  // A fresh child pushes the tree over the limit but not over twice: spared this pass.
  fs_.Set(501, 500, "fork", 10 * kMb, 130 * kMb / kPage);
  Pass();
  EXPECT_TRUE(kills_.empty());
  Pass();  // still there one pass later: killed
  ASSERT_EQ(kills_.size(), 1u);
  EXPECT_EQ(kills_[0].status, proto::KILLED_EXCEEDED_PMEM);

  kills_.clear();
  const ContainerId other = ContainerId::Make(id_.application_attempt_id(), 0, 3);
  fs_.Set(600, 1, "bash", 10 * kMb, 10);
  monitor_->StartMonitoring(other, 600, 128);
  Pass();
  Pass();
  fs_.Set(601, 600, "hog", 10 * kMb, 300 * kMb / kPage);  // over twice: killed at once
  Pass();
  ASSERT_EQ(kills_.size(), 1u);
  EXPECT_EQ(kills_[0].id, other);
}

TEST_F(ContainersMonitorTest, DisabledChecksAndCgroupEnforcementOnlyMeasure) {
  MonitorOptions o;
  o.pmem_check = false;
  o.vmem_check = false;
  Reset(o);
  fs_.Set(500, 1, "bash", 900 * kMb, 300 * kMb / kPage);
  monitor_->StartMonitoring(id_, 500, 128);
  Pass();
  Pass();
  EXPECT_TRUE(kills_.empty());
  EXPECT_EQ(monitor_->containers_utilization().pmem_mb(), 300);
  EXPECT_EQ(monitor_->containers_utilization().vmem_mb(), 900);

  o = MonitorOptions();
  o.memory_enforced_by_cgroups = true;
  Reset(o);
  monitor_->StartMonitoring(id_, 500, 128);
  Pass();
  Pass();
  EXPECT_TRUE(kills_.empty());
}

TEST_F(ContainersMonitorTest, StopMonitoringForgetsTheContainer) {
  fs_.Set(500, 1, "bash", 900 * kMb, 300 * kMb / kPage);
  monitor_->StartMonitoring(id_, 500, 128);
  Pass();
  monitor_->StopMonitoring(id_);
  Pass();
  EXPECT_TRUE(kills_.empty());
}

TEST_F(ContainersMonitorTest, ReportsNodeAndContainerUtilization) {
  MonitorOptions o;
  o.node_vcores = 8;  // 4 processors (fake): one busy core = 2 vcores
  Reset(o);
  fs_.meminfo =
      "MemTotal: 8388608 kB\nMemAvailable: 6291456 kB\nSwapTotal: 1048576 kB\n"
      "SwapFree: 524288 kB\n";
  fs_.node_stat = "cpu  100 0 0 900 0 0 0 0 0 0\n";
  fs_.Set(500, 1, "bash", 64 * kMb, 32 * kMb / kPage, 0, 0);
  monitor_->StartMonitoring(id_, 500, 1024);
  monitor_->RunOnce();
  clock_.AdvanceMillis(1000);
  fs_.node_stat = "cpu  300 0 0 1100 0 0 0 0 0 0\n";            // half of the node busy
  fs_.Set(500, 1, "bash", 64 * kMb, 32 * kMb / kPage, 100, 0);  // one core for 1 s
  monitor_->RunOnce();
  proto::ResourceUtilizationProto node = monitor_->node_utilization();
  EXPECT_EQ(node.pmem_mb(), 2048);
  EXPECT_EQ(node.vmem_mb(), 2048 + 512);
  EXPECT_FLOAT_EQ(node.cpu(), 4.0f);
  proto::ResourceUtilizationProto c = monitor_->containers_utilization();
  EXPECT_EQ(c.pmem_mb(), 32);
  EXPECT_EQ(c.vmem_mb(), 64);
  EXPECT_FLOAT_EQ(c.cpu(), 2.0f);
}

TEST(ParseMonitorOptionsTest, DefaultsAndErrors) {
  conf::Configuration c = conf::Configuration::WithYarnDefaults();
  absl::StatusOr<MonitorOptions> o = ParseMonitorOptions(c);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->interval, absl::Milliseconds(3000));
  EXPECT_TRUE(o->pmem_check);
  EXPECT_TRUE(o->vmem_check);
  EXPECT_DOUBLE_EQ(o->vmem_pmem_ratio, 2.1);

  c.Set("yarn.nodemanager.vmem-pmem-ratio", "0.5");
  EXPECT_THAT(ParseMonitorOptions(c).status().message(),
              HasSubstr("yarn.nodemanager.vmem-pmem-ratio=0.5"));
  c.Set("yarn.nodemanager.vmem-pmem-ratio", "2.1");
  c.Set("yarn.nodemanager.container-monitor.interval-ms", "0");
  EXPECT_THAT(ParseMonitorOptions(c).status().message(),
              HasSubstr("yarn.nodemanager.container-monitor.interval-ms=0"));
  c.Set("yarn.nodemanager.container-monitor.interval-ms", "100");
  c.Set("yarn.nodemanager.pmem-check-enabled", "maybe");
  EXPECT_FALSE(ParseMonitorOptions(c).ok());
}

}  // namespace
}  // namespace skein::nm
