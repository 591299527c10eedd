// ResourceManager high availability with real processes: a real ZooKeeper server, two
// `yarn resourcemanager` processes (rm1, rm2) with automatic failover and the ZooKeeper state
// store, and one `yarn nodemanager`, all on 127.0.0.1. The active RM is SIGKILLed while a
// distributed-shell app runs: the standby becomes active within the ZooKeeper session timeout,
// the NodeManager and the AM fail over to it, the app finishes SUCCEEDED, and the yarn command
// (which knows both RMs) keeps working.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/testing/zk_test_server.h"
#include "gtest/gtest.h"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kSessionTimeoutMs = 3000;

class RmHaEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_IF_NO_ZOOKEEPER();
    auto zk = ZkTestServer::Start();
    ASSERT_TRUE(zk.ok()) << zk.status();
    zk_ = std::move(*zk);
    char tmpl[] = "/tmp/skein-it-ha-XXXXXX";
    base_ = mkdtemp(tmpl);
    props_ = {
        {"yarn.resourcemanager.ha.enabled", "true"},
        {"yarn.resourcemanager.ha.rm-ids", "rm1,rm2"},
        {"yarn.resourcemanager.cluster-id", "ha-e2e"},
        {"hadoop.zk.address", zk_->connect_string()},
        {"hadoop.zk.timeout-ms", std::to_string(kSessionTimeoutMs)},
        {"yarn.resourcemanager.recovery.enabled", "true"},
        {"yarn.resourcemanager.store.class",
         "org.apache.hadoop.yarn.server.resourcemanager.recovery.ZKRMStateStore"},
        {"yarn.client.failover-sleep-base-ms", "200"},
        {"yarn.client.failover-sleep-max-ms", "1000"},
        {"yarn.client.failover-max-attempts", "60"},
        {"yarn.resourcemanager.connect.retry-interval.ms", "1000"},
        {"yarn.nodemanager.vmem-check-enabled", "false"},
        {"yarn.nodemanager.hostname", "127.0.0.1"},
        {"yarn.nodemanager.address", "127.0.0.1:0"},
        {"yarn.nodemanager.webapp.address", "127.0.0.1:0"},
        {"yarn.nodemanager.local-dirs", base_ + "/nm/local"},
        {"yarn.nodemanager.log-dirs", base_ + "/nm/logs"},
    };
    const auto addresses = FreeHaRmAddresses({"rm1", "rm2"});
    ASSERT_FALSE(addresses.empty());
    props_.insert(addresses.begin(), addresses.end());
    WriteYarnSite(base_ + "/conf", props_);
  }

  void TearDown() override {
    for (Process* p : {&nm_, &rm_["rm1"], &rm_["rm2"]}) {
      if (p->running()) {
        p->Signal(SIGTERM);
        if (!p->Wait(absl::Seconds(15)).ok()) p->Signal(SIGKILL);
      }
    }
    if (!base_.empty() && getenv("SKEIN_KEEP_TEST_DIRS") == nullptr) {
      std::error_code ec;
      fs::remove_all(base_, ec);
    }
  }

  void StartRm(const std::string& id) {
    std::map<std::string, std::string> props = props_;
    props["yarn.resourcemanager.ha.id"] = id;
    WriteYarnSite(base_ + "/" + id + "-conf", props);
    ASSERT_TRUE(rm_[id]
                    .Start({TestCluster::YarnBinary(), "--config", base_ + "/" + id + "-conf",
                            "resourcemanager"},
                           base_ + "/" + id + ".out", base_ + "/" + id + ".err")
                    .ok());
  }

  CommandResult Yarn(const std::vector<std::string>& args,
                     absl::Duration timeout = absl::Seconds(120)) {
    std::vector<std::string> argv = {TestCluster::YarnBinary(), "--config", base_ + "/conf"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, timeout);
  }

  std::string State(const std::string& id) {
    CommandResult r = Yarn({"rmadmin", "-getServiceState", id}, absl::Seconds(20));
    return r.exit_code == 0 ? r.out : "";
  }

  std::string Logs(const std::string& id) {
    return ReadFileOrEmpty(base_ + "/" + id + ".err").substr(0, 8000);
  }

  std::unique_ptr<ZkTestServer> zk_;
  std::string base_;
  std::map<std::string, std::string> props_;
  std::map<std::string, Process> rm_;
  Process nm_;
};

TEST_F(RmHaEndToEndTest, KillingTheActiveRmLosesNoApplication) {
  StartRm("rm1");
  ASSERT_TRUE(WaitFor([&] { return State("rm1") == "active\n"; }, absl::Seconds(60)))
      << Logs("rm1");
  StartRm("rm2");
  ASSERT_TRUE(WaitFor([&] { return State("rm2") == "standby\n"; }, absl::Seconds(60)))
      << Logs("rm2");

  // Exactly one active; Hadoop 3's "%-50s %-10s" lines in rm-ids order.
  CommandResult all = Yarn({"rmadmin", "-getAllServiceState"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, absl::StrFormat("%-50s %-10s\n%-50s %-10s\n",
                                     props_["yarn.resourcemanager.admin.address.rm1"], "active",
                                     props_["yarn.resourcemanager.admin.address.rm2"], "standby"));
  // Unknown ids name the configured ones; manual transitions need --forcemanual.
  CommandResult unknown = Yarn({"rmadmin", "-getServiceState", "rm3"});
  EXPECT_EQ(unknown.exit_code, 255);
  EXPECT_EQ(unknown.err,
            "getServiceState: Invalid ResourceManager id 'rm3': not one of "
            "yarn.resourcemanager.ha.rm-ids (rm1,rm2)\n");
  CommandResult manual = Yarn({"rmadmin", "-transitionToStandby", "rm1"});
  EXPECT_EQ(manual.exit_code, 255);
  EXPECT_TRUE(
      absl::StrContains(manual.err, "Automatic failover is enabled for ResourceManager rm1"))
      << manual.err;
  EXPECT_TRUE(absl::StrContains(manual.err, "--forcemanual")) << manual.err;
  EXPECT_EQ(State("rm1"), "active\n");

  ASSERT_TRUE(nm_.Start({TestCluster::YarnBinary(), "--config", base_ + "/conf", "nodemanager"},
                        base_ + "/nm.out", base_ + "/nm.err")
                  .ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        CommandResult nodes = Yarn({"node", "-list"}, absl::Seconds(20));
        return absl::StrContains(nodes.out, "RUNNING");
      },
      absl::Seconds(60)))
      << ReadFileOrEmpty(base_ + "/nm.err");

  Process client;
  std::vector<std::string> argv = {
      TestCluster::YarnBinary(), "--config", base_ + "/conf",   "distributedshell",
      "-shell_command",          "sleep 15", "-num_containers", "1",
      "-container_memory",       "256",      "-appname",        "survives-failover"};
  ASSERT_TRUE(client.Start(argv, base_ + "/client.out", base_ + "/client.err").ok());
  std::string app;
  ASSERT_TRUE(WaitFor(
      [&] {
        app = AppIdFrom(ReadFileOrEmpty(base_ + "/client.out"));
        return !app.empty();
      },
      absl::Seconds(60)))
      << ReadFileOrEmpty(base_ + "/client.err");
  // The worker container runs (its log directory exists) before the active RM dies.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& f : FindFiles(base_ + "/nm/logs", "stdout")) {
          if (absl::StrContains(f, app.substr(12)) && !absl::StrContains(f, "_000001/")) {
            return true;
          }
        }
        return false;
      },
      absl::Seconds(60)))
      << Logs("rm1");

  const absl::Time killed = absl::Now();
  rm_["rm1"].Signal(SIGKILL);
  ASSERT_TRUE(rm_["rm1"].Wait(absl::Seconds(15)).ok());
  ASSERT_TRUE(WaitFor([&] { return State("rm2") == "active\n"; }, absl::Seconds(30)))
      << Logs("rm2");
  const absl::Duration takeover = absl::Now() - killed;
  std::cerr << "rm2 active " << absl::FormatDuration(takeover) << " after rm1 was killed\n";
  // The session timeout, plus the election, the transition and this test's 1-2 s polling.
  EXPECT_LT(takeover, absl::Milliseconds(kSessionTimeoutMs) + absl::Seconds(8));

  CommandResult after = Yarn({"rmadmin", "-getAllServiceState"});
  EXPECT_TRUE(absl::StrContains(after.out, "Failed to connect")) << after.out;
  EXPECT_TRUE(absl::StrContains(
      after.out,
      absl::StrFormat("%-50s %-10s", props_["yarn.resourcemanager.admin.address.rm2"], "active")))
      << after.out;

  // The app finishes SUCCEEDED on rm2; the CLI finds rm2 by itself.
  std::string status;
  ASSERT_TRUE(WaitFor(
      [&] {
        CommandResult r = Yarn({"application", "-status", app}, absl::Seconds(30));
        status = r.out + r.err;
        return absl::StrContains(r.out, "\tState : FINISHED") ||
               absl::StrContains(r.out, "\tState : FAILED") ||
               absl::StrContains(r.out, "\tState : KILLED");
      },
      absl::Seconds(120)))
      << status << "\nrm2:\n"
      << Logs("rm2") << "\nnm:\n"
      << ReadFileOrEmpty(base_ + "/nm.err").substr(0, 4000);
  EXPECT_TRUE(absl::StrContains(status, "\tState : FINISHED")) << status;
  EXPECT_TRUE(absl::StrContains(status, "\tFinal-State : SUCCEEDED")) << status;
  EXPECT_TRUE(absl::StrContains(status, "survives-failover")) << status;
  // Work-preserving: still the first attempt (no container of a second attempt ever ran).
  for (const auto& f : FindFiles(base_ + "/nm/logs", "stdout")) {
    EXPECT_FALSE(absl::StrContains(f, absl::StrCat("container_", app.substr(12), "_02_"))) << f;
  }
  auto done = client.Wait(absl::Seconds(60));
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(*done, 0) << ReadFileOrEmpty(base_ + "/client.out")
                      << ReadFileOrEmpty(base_ + "/client.err");
}

}  // namespace
}  // namespace skein::testing
