// Work-preserving NodeManager restart against the real ResourceManager (issue 4): with
// yarn.nodemanager.recovery.enabled, a NodeManager killed with SIGKILL and started again keeps its
// running containers (the AM and a worker), the RM keeps their allocations when the node
// re-registers, and the application finishes in its first attempt. Without recovery, the same
// restart loses the containers and the application needs another attempt. Local-log deletions
// still pending when the NodeManager dies are carried out by the restarted one.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {

// A currently free loopback port (recovery needs a fixed NodeManager address).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

// SIGKILLs the only NodeManager and starts it again; returns once the new process has recovered
// and registered with the RM (its new web port shows in the node report), false if it did not
// within a generous deadline.
bool RestartNodeManager(TestCluster& cluster) {
  const std::vector<std::string> before = cluster.RunningNodeHttpAddresses();
  cluster.KillNodeManager(0);
  if (!cluster.StartNodeManager(0).ok()) return false;
  const bool registered = WaitFor(
      [&] {
        std::vector<std::string> now = cluster.RunningNodeHttpAddresses();
        return now.size() == 1 && now != before;
      },
      absl::Seconds(60));
  EXPECT_TRUE(registered) << "the restarted NodeManager did not register; its stderr: "
                          << ReadFileOrEmpty(cluster.base_dir() + "/nm0/nm.err");
  return registered;
}

// Runs a dshell app whose worker sleeps `seconds`, SIGKILLs and restarts the only NodeManager
// while it runs, and returns the app's final report. `around_restart` (if set) runs just before
// the kill (false) and once the restarted NodeManager has registered (true).
proto::ApplicationReportProto RestartDuringApp(
    TestCluster& cluster, int seconds,
    const std::function<void(bool restarted)>& around_restart = nullptr) {
  Process client;
  std::string id = cluster.StartClient(
      client, {"distributedshell", "-shell_command", absl::StrCat("sleep ", seconds),
               "-num_containers", "1", "-container_memory", "512", "-appname", "survivor"});
  EXPECT_FALSE(id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  if (id.empty()) return {};
  EXPECT_TRUE(cluster.WaitForState(id, {proto::RUNNING}, absl::Seconds(30)).ok());
  // Wait for the worker's log directory: the worker container has started.
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& f : FindFiles(cluster.nm_log_dir(0), "stdout")) {
          if (!absl::StrContains(f, "_000001/")) return true;  // not the AM's container
        }
        return false;
      },
      absl::Seconds(30)));
  if (around_restart) around_restart(false);
  const bool restarted = RestartNodeManager(cluster);
  if (around_restart && restarted) around_restart(true);
  auto report =
      cluster.WaitForState(id, {proto::FINISHED, proto::FAILED, proto::KILLED}, absl::Seconds(90));
  if (!report.ok()) {
    auto last = cluster.Report(id);
    ADD_FAILURE() << report.status() << "\n"
                  << (last.ok() ? last->DebugString() : last.status().ToString()) << "\nRM log:\n"
                  << ReadFileOrEmpty(cluster.base_dir() + "/rm.err").substr(0, 6000);
  }
  (void)client.Wait(absl::Seconds(30));
  return report.ok() ? *report : proto::ApplicationReportProto();
}

// Properties of a one-node cluster with NodeManager recovery on: a fixed NM port and a fresh
// recovery dir (`*recovery_dir`), plus `extra`. Empty when no free port was found.
std::map<std::string, std::string> RecoveryProperties(
    const std::string& name, std::string* recovery_dir,
    std::map<std::string, std::string> extra = {}) {
  const int port = FreePort();
  if (port <= 0) return {};
  *recovery_dir = absl::StrCat(::testing::TempDir(), name, getpid());
  std::filesystem::remove_all(*recovery_dir);
  extra["yarn.nodemanager.recovery.enabled"] = "true";
  extra["yarn.nodemanager.recovery.dir"] = *recovery_dir;
  extra["yarn.nodemanager.address"] = absl::StrCat("127.0.0.1:", port);
  return extra;
}

TEST(NmRecoveryEndToEnd, RestartedNodeManagerKeepsItsContainers) {
  std::string recovery_dir;
  auto properties = RecoveryProperties("skein-nm-recovery-", &recovery_dir);
  ASSERT_FALSE(properties.empty());
  TestCluster cluster(1, properties);
  ASSERT_TRUE(cluster.Start().ok());
  proto::ApplicationReportProto r = RestartDuringApp(cluster, 6);
  EXPECT_EQ(r.yarn_application_state(), proto::FINISHED) << r.diagnostics();
  EXPECT_EQ(r.final_application_status(), proto::APP_SUCCEEDED) << r.diagnostics();
  // Still the first attempt: the AM container was never lost.
  EXPECT_EQ(r.current_application_attempt_id().attempt_id(), 1) << r.diagnostics();
  std::filesystem::remove_all(recovery_dir);
}

// The container groups under `cpu_hierarchy` (container ids).
std::vector<std::string> ContainerGroups(const std::string& cpu_hierarchy) {
  std::vector<std::string> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(cpu_hierarchy, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && absl::StartsWith(name, "container_")) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(NmRecoveryEndToEnd, RecoveredContainersKeepTheirCgroupsUntilTheyEnd) {
  const std::string hierarchy = absl::StrCat("/skein-e2e-recovery-", getpid());
  const std::string cpu = "/sys/fs/cgroup/cpu" + hierarchy;
  if (geteuid() != 0 || mkdir((cpu + "-probe").c_str(), 0755) != 0) {
    GTEST_SKIP() << "needs root and a writable cgroup v1 cpu controller at /sys/fs/cgroup/cpu";
  }
  rmdir((cpu + "-probe").c_str());
  std::string recovery_dir;
  auto properties = RecoveryProperties(
      "skein-nm-cgroups-", &recovery_dir,
      {{"yarn.nodemanager.container-executor.class",
        "org.apache.hadoop.yarn.server.nodemanager.LinuxContainerExecutor"},
       {"yarn.nodemanager.linux-container-executor.cgroups.hierarchy", hierarchy}});
  ASSERT_FALSE(properties.empty());
  {
    TestCluster cluster(1, properties);
    ASSERT_TRUE(cluster.Start().ok());
    std::vector<std::string> before;
    // The worker outlives a slow restart on a loaded machine: the check after the restart needs
    // it still running.
    proto::ApplicationReportProto r = RestartDuringApp(cluster, 20, [&](bool restarted) {
      if (!restarted) {
        before = ContainerGroups(cpu);  // the AM's and the worker's
        EXPECT_EQ(before.size(), 2u);
        return;
      }
      // The restarted NodeManager's leftover cleanup kept the groups of the containers it
      // re-attached to, and their processes are still in them.
      EXPECT_EQ(ContainerGroups(cpu), before);
      for (const std::string& g : before) {
        EXPECT_FALSE(ReadFileOrEmpty(cpu + "/" + g + "/cgroup.procs").empty()) << g;
      }
    });
    EXPECT_EQ(r.yarn_application_state(), proto::FINISHED) << r.diagnostics();
    EXPECT_EQ(r.current_application_attempt_id().attempt_id(), 1) << r.diagnostics();
    // Once they ended, their groups went.
    EXPECT_TRUE(WaitFor([&] { return ContainerGroups(cpu).empty(); }, absl::Seconds(30)))
        << absl::StrJoin(ContainerGroups(cpu), ",");
  }
  for (const std::string& g : ContainerGroups(cpu)) rmdir((cpu + "/" + g).c_str());
  rmdir(cpu.c_str());
  std::filesystem::remove_all(recovery_dir);
}

TEST(NmRecoveryEndToEnd, PendingLocalLogDeletionSurvivesTheRestart) {
  constexpr absl::Duration kRetain = absl::Seconds(20);
  std::string recovery_dir;
  auto properties = RecoveryProperties(
      "skein-nm-logdel-", &recovery_dir,
      {{"yarn.nodemanager.log.retain-seconds", absl::StrCat(absl::ToInt64Seconds(kRetain))}});
  ASSERT_FALSE(properties.empty());
  TestCluster cluster(1, properties);
  ASSERT_TRUE(cluster.Start().ok());
  CommandResult r = cluster.Yarn({"distributedshell", "-shell_command", "echo bye"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string id = AppIdFrom(r.out);
  ASSERT_FALSE(id.empty()) << r.out;
  const std::string local_logs = cluster.nm_log_dir(0) + "/" + id;
  // The RM lists the app for cleanup in a heartbeat; the NM records the deletion (due
  // retain-seconds later) in its state store and says so on stderr.
  const std::string nm_err = cluster.base_dir() + "/nm0/nm.err";
  const std::string scheduled = "local logs of " + id + " are deleted in";
  ASSERT_TRUE(WaitFor([&] { return absl::StrContains(ReadFileOrEmpty(nm_err), scheduled); },
                      absl::Seconds(60)))
      << ReadFileOrEmpty(nm_err);
  const auto scheduled_at = std::chrono::steady_clock::now();
  auto since_scheduled = [&] {
    return absl::FromChrono(std::chrono::steady_clock::now() - scheduled_at);
  };
  ASSERT_TRUE(std::filesystem::exists(local_logs));
  ASSERT_TRUE(RestartNodeManager(cluster));
  // The restarted NodeManager has loaded the pending deletion: it waits for the recorded due
  // time rather than deleting at once (meaningful only while that time is still ahead).
  const absl::Duration restart_took = since_scheduled();
  ASSERT_LT(restart_took, kRetain - absl::Seconds(2)) << "restart too slow to tell";
  EXPECT_TRUE(std::filesystem::exists(local_logs)) << "deleted before it was due";
  // It carries the deletion out when due: not before retain-seconds from scheduling (less the
  // 50 ms the poll above may have lagged), and within a generous deadline after.
  EXPECT_TRUE(
      WaitFor([&] { return !std::filesystem::exists(local_logs); }, kRetain + absl::Seconds(40)))
      << ReadFileOrEmpty(nm_err);
  EXPECT_GE(since_scheduled(), kRetain - absl::Seconds(1));
  std::filesystem::remove_all(recovery_dir);
}

TEST(NmRecoveryEndToEnd, WithoutRecoveryTheRestartLosesTheContainers) {
  // Same fixed address, so the restarted NodeManager is the same node to the RM (with an
  // ephemeral port it would be a new node, and the old one would only expire after
  // yarn.nm.liveness-monitor.expiry-interval-ms).
  int port = FreePort();
  ASSERT_GT(port, 0);
  TestCluster cluster(1, {{"yarn.nodemanager.address", absl::StrCat("127.0.0.1:", port)}});
  ASSERT_TRUE(cluster.Start().ok());
  proto::ApplicationReportProto r = RestartDuringApp(cluster, 6);
  // The AM died with the NodeManager's containers: the app needed a second attempt (or failed).
  EXPECT_TRUE(r.current_application_attempt_id().attempt_id() > 1 ||
              r.yarn_application_state() == proto::FAILED)
      << r.DebugString();
}

}  // namespace
}  // namespace skein::testing
