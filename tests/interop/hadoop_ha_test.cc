// Hadoop's own clients against Skein ResourceManager HA: a real ZooKeeper, two
// `yarn resourcemanager` processes with automatic failover and the ZooKeeper state store.
// Hadoop's RMAdminCLI reads the HA state of both RMs over HAServiceProtocol (the same output as
// Skein's `yarn rmadmin -getAllServiceState`), and YarnClient, whose failover proxy moves on when
// a standby answers StandbyException, keeps working when the active RM is SIGKILLed.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "common/testing/zk_test_server.h"
#include "gtest/gtest.h"
#include "tests/integration/test_cluster.h"
#include "tests/interop/java_peer.h"

namespace skein::testing {
namespace {

namespace fs = std::filesystem;

class HadoopHaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_IF_NO_ZOOKEEPER();
    auto zk = ZkTestServer::Start();
    ASSERT_TRUE(zk.ok()) << zk.status();
    zk_ = std::move(*zk);
    char tmpl[] = "/tmp/skein-it-hadoop-ha-XXXXXX";
    base_ = mkdtemp(tmpl);
    props_ = {
        {"yarn.resourcemanager.ha.enabled", "true"},
        {"yarn.resourcemanager.ha.rm-ids", "rm1,rm2"},
        {"yarn.resourcemanager.cluster-id", "hadoop-ha"},
        {"hadoop.zk.address", zk_->connect_string()},
        {"hadoop.zk.timeout-ms", "3000"},
        {"yarn.resourcemanager.recovery.enabled", "true"},
        {"yarn.resourcemanager.store.class",
         "org.apache.hadoop.yarn.server.resourcemanager.recovery.ZKRMStateStore"},
        // Both Skein's and Hadoop's clients read these.
        {"yarn.client.failover-sleep-base-ms", "200"},
        {"yarn.client.failover-sleep-max-ms", "1000"},
        {"yarn.client.failover-max-attempts", "60"},
        {"yarn.resourcemanager.connect.retry-interval.ms", "500"},
        {"yarn.resourcemanager.connect.max-wait.ms", "60000"},
        {"ipc.client.connect.max.retries", "1"},
        {"ipc.client.connect.max.retries.on.timeouts", "1"},
    };
    const auto addresses = FreeHaRmAddresses({"rm1", "rm2"});
    ASSERT_FALSE(addresses.empty());
    props_.insert(addresses.begin(), addresses.end());
    WriteYarnSite(base_ + "/conf", props_);
    for (const std::string id : {"rm1", "rm2"}) {
      std::map<std::string, std::string> props = props_;
      props["yarn.resourcemanager.ha.id"] = id;
      WriteYarnSite(base_ + "/" + id + "-conf", props);
      ASSERT_TRUE(rm_[id]
                      .Start({TestCluster::YarnBinary(), "--config", base_ + "/" + id + "-conf",
                              "resourcemanager"},
                             base_ + "/" + id + ".out", base_ + "/" + id + ".err")
                      .ok());
    }
    auto peer = JavaPeer::Start("java/hadoop-3.5", base_ + "/conf", base_ + "/java.log");
    ASSERT_TRUE(peer.ok()) << peer.status();
    peer_ = std::move(*peer);
  }

  void TearDown() override {
    peer_.reset();
    for (auto& [id, p] : rm_) {
      if (p.running()) {
        p.Signal(SIGTERM);
        if (!p.Wait(absl::Seconds(15)).ok()) p.Signal(SIGKILL);
      }
    }
    if (!base_.empty() && getenv("SKEIN_KEEP_TEST_DIRS") == nullptr) {
      std::error_code ec;
      fs::remove_all(base_, ec);
    }
  }

  CommandResult Yarn(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {TestCluster::YarnBinary(), "--config", base_ + "/conf"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, absl::Seconds(60));
  }

  // The active RM's id as Hadoop's RMAdminCLI sees it, "" when none is.
  std::string HadoopActive() {
    for (const std::string id : {"rm1", "rm2"}) {
      auto a = peer_->Run({"cli", "RMAdminCLI", "-getServiceState", id});
      if (a.ok() && a->exit_code == 0 && absl::StripAsciiWhitespace(a->out) == "active") return id;
    }
    return "";
  }

  std::unique_ptr<ZkTestServer> zk_;
  std::string base_;
  std::map<std::string, std::string> props_;
  std::map<std::string, Process> rm_;
  std::unique_ptr<JavaPeer> peer_;
};

TEST_F(HadoopHaTest, RmAdminSeesTheHaStateAndYarnClientSurvivesAFailover) {
  std::string active;
  ASSERT_TRUE(WaitFor([&] { return !(active = HadoopActive()).empty(); }, absl::Seconds(60)))
      << ReadFileOrEmpty(base_ + "/rm1.err") << ReadFileOrEmpty(base_ + "/java.log");
  const std::string standby = active == "rm1" ? "rm2" : "rm1";
  auto state = peer_->Run({"cli", "RMAdminCLI", "-getServiceState", standby});
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->out, "standby\n");
  // Hadoop's -getAllServiceState prints the same lines as Skein's.
  auto all = peer_->Run({"cli", "RMAdminCLI", "-getAllServiceState"});
  ASSERT_TRUE(all.ok());
  CommandResult skein = Yarn({"rmadmin", "-getAllServiceState"});
  // Hadoop prints each RM's address as Java resolves it (127.0.0.1 reverse-resolves to
  // localhost); Skein prints the configured host.
  EXPECT_EQ(absl::StrReplaceAll(all->out, {{"localhost:", "127.0.0.1:"}}), skein.out) << skein.err;
  EXPECT_TRUE(absl::StrContains(all->out, "active")) << all->out;
  // Manual transitions are refused under automatic failover, as Hadoop's RM does.
  auto manual = peer_->Run({"cli", "RMAdminCLI", "-transitionToStandby", active});
  ASSERT_TRUE(manual.ok());
  EXPECT_NE(manual->exit_code, 0) << manual->out;

  // YarnClient submits (no NodeManager: the application waits in ACCEPTED) and lists.
  auto submitted = peer_->Run({"submit", "ha-app", "default", "256", "-", "sleep", "600"});
  ASSERT_TRUE(submitted.ok());
  ASSERT_EQ(submitted->exit_code, 0) << submitted->out;
  const std::string id(absl::StripAsciiWhitespace(submitted->out));
  auto before = peer_->Run({"list"});
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(absl::StrContains(before->out, id)) << before->out;

  // kill -9 of the active: the same YarnClient finds the new active (StandbyException from the
  // standby until it takes over) and the application is still there.
  rm_[active].Signal(SIGKILL);
  ASSERT_TRUE(rm_[active].Wait(absl::Seconds(15)).ok());
  auto after = peer_->Run({"list"}, absl::Seconds(90));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->exit_code, 0) << after->out;
  EXPECT_TRUE(absl::StrContains(after->out, id)) << after->out;
  std::string seen;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto now = peer_->Run({"cli", "RMAdminCLI", "-getServiceState", standby});
        seen = now.ok() ? absl::StrCat(now->exit_code, " ", now->out) : now.status().ToString();
        return now.ok() && now->out == "active\n";
      },
      absl::Seconds(30)))
      << seen << ReadFileOrEmpty(base_ + "/java.log");
  auto killed = peer_->Run({"kill", id});
  ASSERT_TRUE(killed.ok());
  EXPECT_EQ(killed->exit_code, 0) << killed->out;
}

}  // namespace
}  // namespace skein::testing
