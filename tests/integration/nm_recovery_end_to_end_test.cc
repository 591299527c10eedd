// Work-preserving NodeManager restart against the real ResourceManager (issue 4): with
// yarn.nodemanager.recovery.enabled, a NodeManager killed with SIGKILL and started again keeps its
// running containers (the AM and a worker), the RM keeps their allocations when the node
// re-registers, and the application finishes in its first attempt. Without recovery, the same
// restart loses the containers and the application needs another attempt.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

// Runs a dshell app whose worker sleeps `seconds`, SIGKILLs and restarts the only NodeManager
// while it runs, and returns the app's final report.
proto::ApplicationReportProto RestartDuringApp(TestCluster& cluster, int seconds) {
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
  cluster.KillNodeManager(0);
  EXPECT_TRUE(cluster.StartNodeManager(0).ok());
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

TEST(NmRecoveryEndToEnd, RestartedNodeManagerKeepsItsContainers) {
  int port = FreePort();
  ASSERT_GT(port, 0);
  std::string recovery_dir = absl::StrCat(::testing::TempDir(), "skein-nm-recovery-", getpid());
  std::filesystem::remove_all(recovery_dir);
  TestCluster cluster(1, {{"yarn.nodemanager.recovery.enabled", "true"},
                          {"yarn.nodemanager.recovery.dir", recovery_dir},
                          {"yarn.nodemanager.address", absl::StrCat("127.0.0.1:", port)}});
  ASSERT_TRUE(cluster.Start().ok());
  proto::ApplicationReportProto r = RestartDuringApp(cluster, 6);
  EXPECT_EQ(r.yarn_application_state(), proto::FINISHED) << r.diagnostics();
  EXPECT_EQ(r.final_application_status(), proto::APP_SUCCEEDED) << r.diagnostics();
  // Still the first attempt: the AM container was never lost.
  EXPECT_EQ(r.current_application_attempt_id().attempt_id(), 1) << r.diagnostics();
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
