// ResourceManager restart with real daemons: an RM with yarn.resourcemanager.recovery.enabled and
// a persistent state store is killed with SIGKILL while a distributed-shell app runs, and started
// again on the same ports. Work-preserving recovery: the NodeManager resyncs with its running
// containers, the AM re-registers, and the app finishes SUCCEEDED in its first attempt; a finished
// app is still listed with its final state; a new submission gets a new id and runs. Once with
// the LevelDB store, once with the ZooKeeper store (a real ZooKeeper server on loopback); and
// without work-preservation, where the app runs again in a second attempt that does not count.
#include <filesystem>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/testing/zk_test_server.h"
#include "gtest/gtest.h"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {

std::map<std::string, std::string> LeveldbRecovery(const std::string& store_dir) {
  return {{"yarn.resourcemanager.recovery.enabled", "true"},
          {"yarn.resourcemanager.store.class",
           "org.apache.hadoop.yarn.server.resourcemanager.recovery.LeveldbRMStateStore"},
          {"yarn.resourcemanager.leveldb-state-store.path", store_dir}};
}

std::string RunToCompletion(TestCluster& cluster, const std::string& name) {
  CommandResult r = cluster.Yarn({"distributedshell", "-shell_command", "true", "-num_containers",
                                  "1", "-container_memory", "256", "-appname", name});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  return AppIdFrom(r.out + r.err);
}

// The restart scenario against `cluster` (already started with a persistent store); the
// running app must finish in attempt `expected_attempt` (1 when work-preserving).
void KillAndRestartDuringApp(TestCluster& cluster, int expected_attempt = 1) {
  const std::string finished = RunToCompletion(cluster, "before-restart");
  ASSERT_FALSE(finished.empty());

  Process client;
  const std::string running = cluster.StartClient(
      client, {"distributedshell", "-shell_command", "sleep 8", "-num_containers", "1",
               "-container_memory", "256", "-appname", "survivor"});
  ASSERT_FALSE(running.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  ASSERT_TRUE(cluster.WaitForState(running, {proto::RUNNING}, absl::Seconds(30)).ok());
  // The worker container has started (its log directory exists), so the restart hits a running
  // AM and a running worker.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& f : FindFiles(cluster.nm_log_dir(0), "stdout")) {
          if (absl::StrContains(f, running.substr(12)) && !absl::StrContains(f, "_000001/")) {
            return true;
          }
        }
        return false;
      },
      absl::Seconds(30)));

  cluster.KillResourceManager();
  ASSERT_TRUE(cluster.RestartResourceManager().ok())
      << ReadFileOrEmpty(cluster.base_dir() + "/rm.err");

  auto report = cluster.WaitForState(running, {proto::FINISHED, proto::FAILED, proto::KILLED},
                                     absl::Seconds(90));
  ASSERT_TRUE(report.ok()) << report.status() << "\nRM log:\n"
                           << ReadFileOrEmpty(cluster.base_dir() + "/rm.err").substr(0, 6000);
  EXPECT_EQ(report->yarn_application_state(), proto::FINISHED) << report->diagnostics();
  EXPECT_EQ(report->final_application_status(), proto::APP_SUCCEEDED) << report->diagnostics();
  EXPECT_EQ(report->current_application_attempt_id().attempt_id(), expected_attempt)
      << report->diagnostics();
  (void)client.Wait(absl::Seconds(30));

  // The app that finished before the restart is still known, with its final state.
  CommandResult list = cluster.Yarn({"application", "-list", "-appStates", "ALL"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(absl::StrContains(list.out, finished)) << list.out;
  EXPECT_TRUE(absl::StrContains(list.out, "before-restart")) << list.out;
  CommandResult status = cluster.Yarn({"application", "-status", finished});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_TRUE(absl::StrContains(status.out, "\tState : FINISHED")) << status.out;
  EXPECT_TRUE(absl::StrContains(status.out, "\tFinal-State : SUCCEEDED")) << status.out;

  // A new submission gets a new id and runs.
  const std::string fresh = RunToCompletion(cluster, "after-restart");
  ASSERT_FALSE(fresh.empty());
  EXPECT_NE(fresh, finished);
  EXPECT_NE(fresh, running);
  auto fresh_report = cluster.Report(fresh);
  ASSERT_TRUE(fresh_report.ok());
  EXPECT_EQ(fresh_report->final_application_status(), proto::APP_SUCCEEDED);
}

TEST(RmRestartEndToEnd, LeveldbStoreWorkPreservingRestartLosesNoApplication) {
  const std::string store = absl::StrCat(::testing::TempDir(), "skein-rmstore-", getpid());
  std::filesystem::remove_all(store);
  {
    TestCluster cluster(1, LeveldbRecovery(store));
    ASSERT_TRUE(cluster.Start().ok());
    KillAndRestartDuringApp(cluster);
  }
  std::filesystem::remove_all(store);
}

TEST(RmRestartEndToEnd, NotWorkPreservingRestartRunsTheAppAgainInAnUncountedAttempt) {
  const std::string store = absl::StrCat(::testing::TempDir(), "skein-rmstore-nwp-", getpid());
  std::filesystem::remove_all(store);
  {
    auto properties = LeveldbRecovery(store);
    properties["yarn.resourcemanager.work-preserving-recovery.enabled"] = "false";
    properties["yarn.resourcemanager.am.max-attempts"] = "1";  // the restart's attempt is free
    TestCluster cluster(1, properties);
    ASSERT_TRUE(cluster.Start().ok());
    KillAndRestartDuringApp(cluster, /*expected_attempt=*/2);
  }
  std::filesystem::remove_all(store);
}

TEST(RmRestartEndToEnd, ZooKeeperStoreWorkPreservingRestartLosesNoApplication) {
  SKIP_IF_NO_ZOOKEEPER();
  auto zk = ZkTestServer::Start();
  ASSERT_TRUE(zk.ok()) << zk.status();
  TestCluster cluster(1, {{"yarn.resourcemanager.recovery.enabled", "true"},
                          {"yarn.resourcemanager.store.class",
                           "org.apache.hadoop.yarn.server.resourcemanager.recovery.ZKRMStateStore"},
                          {"hadoop.zk.address", (*zk)->connect_string()}});
  ASSERT_TRUE(cluster.Start().ok());
  KillAndRestartDuringApp(cluster);
}

}  // namespace
}  // namespace skein::testing
