// Real containers policed by a real NodeManager (fake ResourceTracker on 127.0.0.1): /proc
// memory checks kill with -104 / -103 and YARN's diagnostic; cgroups (as root, on this machine's
// cgroup v1 controllers) enforce memory with the kernel's OOM killer and write cpu.shares; the
// health script and utilization reach the heartbeat.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "common/rpc.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nodemanager/node_manager.h"
#include "nodemanager/testing/fake_resource_tracker.h"
#include "nodemanager/testing/nm_fixture.h"
#include "protos/container_manager.grpc.pb.h"
#include "protos/resource_tracker.grpc.pb.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

using testing::ReadFile;

// Real processes under policing take a while: waits here allow 20 s.
bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 20s) {
  return testing::WaitUntil(pred, timeout, 20ms);
}

const ApplicationId kApp(1700000000000, 42);

class PolicingTest : public testing::NodeManagerFixture {
 protected:
  PolicingTest() : NodeManagerFixture("nm_police") {}

  void SetUp() override {
    NodeManagerFixture::SetUp();
    hierarchy_ = "/skein-test-" + std::to_string(getpid());
    rm_.set_interval_ms(200);  // health and utilization reach the RM within a fraction of a second
    StartRm();
  }
  void TearDown() override {
    NodeManagerFixture::TearDown();
    for (const char* c : {"cpu", "memory"}) {
      std::string dir = std::string("/sys/fs/cgroup/") + c + hierarchy_;
      if (!std::filesystem::exists(dir)) continue;
      for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.is_directory()) rmdir(e.path().c_str());
      }
      rmdir(dir.c_str());
    }
  }

  conf::Configuration Conf() {
    conf::Configuration c =
        testing::NmTestConfiguration(root_ + "/local", root_ + "/logs", rm_port_);
    c.Set("yarn.nodemanager.container-monitor.interval-ms", "300");
    c.Set("yarn.nodemanager.linux-container-executor.cgroups.hierarchy", hierarchy_);
    return c;
  }

  // Starts the NodeManager and waits until it registered.
  void StartNm(const conf::Configuration& conf) {
    NodeManagerFixture::StartNm(conf);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(WaitUntil([&] { return nm_->registered(); }));
  }

  ContainerId StartContainer(int seq, const std::string& command, int memory_mb, int vcores = 1) {
    ContainerId id = ContainerId::Make(ApplicationAttemptId(kApp, 1), 0, seq);
    proto::StartContainersRequest req;
    proto::StartContainerRequest* r = req.add_start_container_request();
    *r = testing::SignedStartRequest(id, nm_->address(), rm_.key(), memory_mb, vcores);
    r->mutable_container_launch_context()->add_command(command);
    proto::StartContainersResponse resp;
    auto ctx = MakeClientContext(10s);
    grpc::Status st = stub_->StartContainers(ctx.get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(resp.succeeded_requests_size(), 1) << resp.DebugString();
    return id;
  }

  proto::ContainerStatusProto WaitCompleted(const ContainerId& id,
                                            std::chrono::milliseconds timeout = 30s) {
    std::optional<proto::ContainerStatusProto> s;
    EXPECT_TRUE(WaitUntil([&] { return (s = rm_.Completed(id)).has_value(); }, timeout))
        << id.ToString() << " did not complete";
    return s.value_or(proto::ContainerStatusProto());
  }

  // Skips (returning false) unless this process may create groups under the v1 controller.
  bool CanUseCgroupV1(const std::string& controller) {
    if (geteuid() != 0) return false;
    std::string probe = "/sys/fs/cgroup/" + controller + hierarchy_ + "-probe";
    if (mkdir(probe.c_str(), 0755) != 0) return false;
    rmdir(probe.c_str());
    return true;
  }

  std::string LogDir(const ContainerId& id) {
    return root_ + "/logs/" + kApp.ToString() + "/" + id.ToString();
  }

  std::string hierarchy_;
};

constexpr char kHog300[] =
    "exec python3 -c 'import time; a = b\"x\" * (300 * 1024 * 1024); time.sleep(60)'";

TEST_F(PolicingTest, PhysicalMemoryOverLimitIsKilledWith104AndYarnsDiagnostic) {
  conf::Configuration c = Conf();
  c.Set("yarn.nodemanager.vmem-check-enabled", "false");
  StartNm(c);
  ContainerId id = StartContainer(2, kHog300, 128);
  proto::ContainerStatusProto s = WaitCompleted(id);
  EXPECT_EQ(s.exit_status(), proto::KILLED_EXCEEDED_PMEM) << s.diagnostics();
  const std::string cid = id.ToString();
  std::regex shape(
      "Container \\[pid=[0-9]+,containerID=" + cid +
      "\\] is running [0-9]+B beyond the 'PHYSICAL' memory limit\\. Current usage: "
      "[0-9.]+ [KMG]B of 128 MB physical memory used; [0-9.]+ [KMG]B of 268\\.8 MB virtual "
      "memory used\\. Killing container\\.\n"
      "Dump of the process-tree for " +
      cid +
      " :\n"
      "\t\\|- PID PPID PGRPID SESSID CMD_NAME USER_MODE_TIME\\(MILLIS\\) SYSTEM_TIME\\(MILLIS\\) "
      "VMEM_USAGE\\(BYTES\\) RSSMEM_USAGE\\(PAGES\\) FULL_CMD_LINE\n"
      "(\t\\|- [0-9]+ [0-9]+ [0-9]+ [0-9]+ \\([^)]*\\) [0-9]+ [0-9]+ [0-9]+ [0-9]+ [^\n]*\n)+"
      "[^]*");
  EXPECT_TRUE(std::regex_match(s.diagnostics(), shape)) << s.diagnostics();
  EXPECT_THAT(s.diagnostics(), HasSubstr("(python3)"));
  EXPECT_THAT(s.diagnostics(), HasSubstr("Container killed on request. Exit code is"));
}

TEST_F(PolicingTest, VirtualMemoryOverLimitIsKilledWith103) {
  StartNm(Conf());
  // 700 MB mapped but never touched: small RSS, virtual size far over 128 MB x 2.1.
  ContainerId id =
      StartContainer(3,
                     "exec python3 -c 'import mmap, time; m = mmap.mmap(-1, 700 * 1024 * 1024); "
                     "time.sleep(60)'",
                     128);
  proto::ContainerStatusProto s = WaitCompleted(id);
  EXPECT_EQ(s.exit_status(), proto::KILLED_EXCEEDED_VMEM) << s.diagnostics();
  EXPECT_THAT(s.diagnostics(), HasSubstr("beyond the 'VIRTUAL' memory limit. Current usage: "));
  EXPECT_THAT(s.diagnostics(), HasSubstr("of 268.8 MB virtual memory used. Killing container."));
}

TEST_F(PolicingTest, ContainerWithinLimitsRunsToCompletion) {
  StartNm(Conf());
  ContainerId id = StartContainer(4, "sleep 1", 128);
  proto::ContainerStatusProto s = WaitCompleted(id);
  EXPECT_EQ(s.exit_status(), 0) << s.diagnostics();
}

TEST_F(PolicingTest, HeartbeatCarriesHealthScriptVerdictAndUtilization) {
  std::filesystem::create_directories(root_);
  const std::string script = root_ + "/health.sh";
  std::ofstream(script) << "#!/bin/bash\necho 'ERROR local disk is read-only'\n";
  chmod(script.c_str(), 0755);
  conf::Configuration c = Conf();
  c.Set("yarn.nodemanager.health-checker.script.path", script);
  c.Set("yarn.nodemanager.health-checker.interval-ms", "200");
  StartNm(c);
  // The container holds 20 MB: its measured use shows in the heartbeat.
  StartContainer(
      5, "exec python3 -c 'import time; a = b\"x\" * (20 * 1024 * 1024); time.sleep(30)'", 256);
  ASSERT_TRUE(WaitUntil([&] {
    proto::NodeStatusProto st = rm_.last_node_status();
    return !st.nodehealthstatus().is_node_healthy() && st.node_utilization().pmem_mb() > 0 &&
           st.containers_utilization().pmem_mb() >= 20 &&
           st.containers_utilization().vmem_mb() >= st.containers_utilization().pmem_mb();
  })) << rm_.last_node_status().DebugString();
  EXPECT_EQ(rm_.last_node_status().nodehealthstatus().health_report(),
            "ERROR local disk is read-only");
  EXPECT_GT(rm_.last_node_status().nodehealthstatus().last_health_report_time(), 0);
}

TEST_F(PolicingTest, UnusableCgroupsLeaveMonitoringOnly) {
  conf::Configuration c = Conf();
  c.Set("yarn.nodemanager.resource.memory.enabled", "true");
  c.Set("yarn.nodemanager.linux-container-executor.cgroups.mount-path", root_ + "/no-cgroups");
  c.Set("yarn.nodemanager.vmem-check-enabled", "false");
  std::filesystem::create_directories(root_);
  std::ofstream(root_ + "/no-cgroups") << "a file, not a mount";
  StartNm(c);
  ContainerId ok = StartContainer(6, "true", 128);
  EXPECT_EQ(WaitCompleted(ok).exit_status(), 0);
  ContainerId hog = StartContainer(7, kHog300, 128);  // /proc checks still police
  EXPECT_EQ(WaitCompleted(hog).exit_status(), proto::KILLED_EXCEEDED_PMEM);
}

TEST_F(PolicingTest, StrictCgroupMemoryLimitIsEnforcedByTheKernel) {
  if (!CanUseCgroupV1("memory")) {
    GTEST_SKIP() << "needs root and a writable cgroup v1 memory controller at "
                    "/sys/fs/cgroup/memory";
  }
  conf::Configuration c = Conf();
  c.Set("yarn.nodemanager.resource.memory.enabled", "true");  // enforced defaults to true
  StartNm(c);
  ContainerId id = StartContainer(8, kHog300, 128);
  const std::string group = "/sys/fs/cgroup/memory" + hierarchy_ + "/" + id.ToString();
  proto::ContainerStatusProto s = WaitCompleted(id);
  EXPECT_EQ(s.exit_status(), 137) << s.diagnostics();
  EXPECT_THAT(s.diagnostics(), HasSubstr("killed by the kernel's OOM killer: it went over its "
                                         "cgroup memory limit of 128 MB"));
  EXPECT_TRUE(WaitUntil([&] { return !std::filesystem::exists(group); })) << group;
}

TEST_F(PolicingTest, CpuSharesAreWrittenAndGroupsRemovedWhenTheContainerEnds) {
  if (!CanUseCgroupV1("cpu")) {
    GTEST_SKIP() << "needs root and a writable cgroup v1 cpu controller at /sys/fs/cgroup/cpu";
  }
  // A group left by an earlier NodeManager is removed at start.
  const std::string leftover = "/sys/fs/cgroup/cpu" + hierarchy_ + "/container_1_0001_01_000099";
  std::filesystem::create_directories(leftover);
  conf::Configuration c = Conf();
  c.Set("yarn.nodemanager.container-executor.class",
        "org.apache.hadoop.yarn.server.nodemanager.LinuxContainerExecutor");
  StartNm(c);
  EXPECT_FALSE(std::filesystem::exists(leftover));
  ContainerId id = StartContainer(9,
                                  "echo $$ > <LOG_DIR>/pid.tmp; mv <LOG_DIR>/pid.tmp "
                                  "<LOG_DIR>/pid; exec sleep 30",
                                  512, 3);
  const std::string group = "/sys/fs/cgroup/cpu" + hierarchy_ + "/" + id.ToString();
  ASSERT_TRUE(WaitUntil([&] { return !ReadFile(LogDir(id) + "/pid").empty(); }));
  EXPECT_EQ(ReadFile(group + "/cpu.shares"), "3072\n");
  const int pid = std::stoi(ReadFile(LogDir(id) + "/pid"));
  EXPECT_THAT(ReadFile(group + "/cgroup.procs"), HasSubstr(std::to_string(pid) + "\n"));

  proto::StopContainersRequest req;
  *req.add_container_id() = id.ToProto();
  proto::StopContainersResponse resp;
  auto ctx = MakeClientContext(10s);
  ASSERT_TRUE(stub_->StopContainers(ctx.get(), req, &resp).ok());
  WaitCompleted(id);
  EXPECT_TRUE(WaitUntil([&] { return !std::filesystem::exists(group); })) << group;
}

TEST_F(PolicingTest, StoppingTheNodeManagerRemovesItsContainerGroups) {
  if (!CanUseCgroupV1("cpu")) {
    GTEST_SKIP() << "needs root and a writable cgroup v1 cpu controller at /sys/fs/cgroup/cpu";
  }
  conf::Configuration c = Conf();
  c.Set("yarn.nodemanager.resource.cpu.enabled", "true");
  StartNm(c);
  ContainerId id = StartContainer(10, "exec sleep 30", 256);
  const std::string group = "/sys/fs/cgroup/cpu" + hierarchy_ + "/" + id.ToString();
  ASSERT_TRUE(WaitUntil([&] { return !ReadFile(group + "/cgroup.procs").empty(); })) << group;
  EXPECT_EQ(ReadFile(group + "/cpu.shares"), "1024\n");
  nm_->Stop();
  EXPECT_FALSE(std::filesystem::exists(group));
}

}  // namespace
}  // namespace skein::nm
