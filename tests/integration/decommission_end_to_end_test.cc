// Node administration end to end with real daemons: `yarn rmadmin -refreshNodes` with an exclude
// file (forceful, graceful -server and -client), `yarn rmadmin -updateNodeResource`, and what
// `yarn node` shows. Host lists match host names, so the second NodeManager runs on its own
// loopback address (127.0.0.2) next to TestCluster's 127.0.0.1 one.
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/ids.h"
#include "common/rpc.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {

constexpr char kSecondHost[] = "127.0.0.2";

// The line of `yarn node -list` output that shows `node`, or "" when none does.
std::string NodeLine(const std::string& out, const std::string& node) {
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::StrContains(line, node + "\t")) return std::string(line);
  }
  return "";
}

class DecommissionEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skein-decom-it-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    exclude_ = dir_ + "/" + exclude_name_;
    WriteExclude(absl::EndsWith(exclude_name_, ".xml") ? "<hosts/>\n" : "");
    cluster_ = std::make_unique<TestCluster>(
        1, std::map<std::string, std::string>{
               {"yarn.resourcemanager.nodes.exclude-path", exclude_},
               {"yarn.resourcemanager.nodemanagers.heartbeat-interval-ms", "300"},
               // Two applications' AMs at once while a node drains (its share of the cluster
               // shrinks to what it uses).
               {"yarn.scheduler.capacity.maximum-am-resource-percent", "1.0"}});
    ASSERT_TRUE(cluster_->Start().ok());
    first_ = NodeOn("127.0.0.1");
  }
  void TearDown() override {
    if (second_.running()) {
      second_.Signal(SIGKILL);
      (void)second_.Wait(absl::Seconds(10));
    }
    cluster_.reset();
    if (getenv("SKEIN_KEEP_TEST_DIRS") == nullptr) std::filesystem::remove_all(dir_);
  }

  void WriteExclude(const std::string& text) {
    std::ofstream(exclude_ + ".tmp") << text;
    std::filesystem::rename(exclude_ + ".tmp", exclude_);
  }

  // A NodeManager on 127.0.0.2 with `memory_mb`, configured like the cluster's client (which has
  // the RM's real addresses) plus its own host and directories.
  absl::Status StartSecondNm(int memory_mb) {
    std::string site = ReadFileOrEmpty(cluster_->conf_dir() + "/yarn-site.xml");
    std::string own;
    for (const auto& [k, v] : std::map<std::string, std::string>{
             {"yarn.nodemanager.hostname", kSecondHost},
             {"yarn.nodemanager.address", absl::StrCat(kSecondHost, ":0")},
             {"yarn.nodemanager.webapp.address", absl::StrCat(kSecondHost, ":0")},
             {"yarn.nodemanager.local-dirs", dir_ + "/nm2/local"},
             {"yarn.nodemanager.log-dirs", second_logs()},
             {"yarn.nodemanager.resource.memory-mb", absl::StrCat(memory_mb)}}) {
      absl::StrAppend(&own, "  <property><name>", k, "</name><value>", v, "</value></property>\n");
    }
    std::filesystem::create_directories(dir_ + "/nm2/conf");
    std::ofstream(dir_ + "/nm2/conf/yarn-site.xml")
        << absl::StrReplaceAll(site, {{"</configuration>", own + "</configuration>"}});
    return second_.Start({TestCluster::YarnBinary(), "--config", dir_ + "/nm2/conf", "nodemanager"},
                         dir_ + "/nm2.out", dir_ + "/nm2.err");
  }
  std::string second_logs() const { return dir_ + "/nm2/logs"; }
  std::string second_err() const { return ReadFileOrEmpty(dir_ + "/nm2.err"); }

  // The report of the node on `host` (any state); node_id().port() == 0 when there is none.
  proto::NodeReportProto Report(const std::string& host) const {
    proto::GetClusterNodesRequest req;
    proto::GetClusterNodesResponse resp;
    auto ctx = MakeClientContext(std::chrono::seconds(5));
    if (cluster_->client().GetClusterNodes(ctx.get(), req, &resp).ok()) {
      for (const auto& n : resp.node_reports()) {
        if (n.node_id().host() == host) return n;
      }
    }
    return {};
  }
  std::string NodeOn(const std::string& host) const {
    proto::NodeReportProto r = Report(host);
    return r.node_id().port() == 0 ? "" : NodeId::FromProto(r.node_id()).ToString();
  }
  // GET on the RM's REST API; null on failure.
  nlohmann::json Rest(const std::string& path) const {
    httplib::Client http("127.0.0.1", cluster_->rm_web_port());
    auto r = http.Get(path.c_str());
    if (!r || r->status != 200) return nullptr;
    return nlohmann::json::parse(r->body, nullptr, false);
  }
  bool WaitForState(const std::string& host, proto::NodeState state, absl::Duration timeout) {
    return WaitFor([&] { return Report(host).node_state() == state; }, timeout);
  }

  std::string exclude_name_ = "exclude";  // the plain format; "exclude.xml": Hadoop 3's XML
  std::string dir_, exclude_, first_;
  std::unique_ptr<TestCluster> cluster_;
  Process second_;
};

TEST_F(DecommissionEndToEndTest, ExcludedNodeIsDecommissionedListedAndItsNmExits) {
  ASSERT_TRUE(StartSecondNm(4096).ok());
  ASSERT_TRUE(WaitForState(kSecondHost, proto::NS_RUNNING, absl::Seconds(30))) << second_err();
  std::string second = NodeOn(kSecondHost);

  WriteExclude(absl::StrCat("# retired\n", kSecondHost, "\n"));
  CommandResult refresh = cluster_->Yarn({"rmadmin", "-refreshNodes"});
  ASSERT_EQ(refresh.exit_code, 0) << refresh.err;
  EXPECT_EQ(refresh.out, "");
  EXPECT_EQ(refresh.err, "");

  CommandResult all = cluster_->Yarn({"node", "-list", "-all"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_TRUE(absl::StrContains(all.out, "Total Nodes:2\n")) << all.out;
  EXPECT_TRUE(absl::StrContains(all.out, second)) << all.out;
  CommandResult gone = cluster_->Yarn({"node", "-list", "-states", "DECOMMISSIONED"});
  ASSERT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_TRUE(absl::StartsWith(gone.out, "Total Nodes:1\n")) << gone.out;
  EXPECT_TRUE(absl::StrContains(NodeLine(gone.out, second), "\t DECOMMISSIONED\t")) << gone.out;
  // REST: the states filter and the cluster metrics count it.
  nlohmann::json rest = Rest("/ws/v1/cluster/nodes?states=DECOMMISSIONED");
  ASSERT_TRUE(rest.is_object()) << "REST /nodes?states=DECOMMISSIONED failed";
  ASSERT_EQ(rest["nodes"]["node"].size(), 1u) << rest.dump();
  EXPECT_EQ(rest["nodes"]["node"][0]["id"], second);
  EXPECT_EQ(rest["nodes"]["node"][0]["state"], "DECOMMISSIONED");
  nlohmann::json metrics = Rest("/ws/v1/cluster/metrics");
  EXPECT_EQ(metrics["clusterMetrics"]["decommissionedNodes"], 1) << metrics.dump();
  EXPECT_EQ(metrics["clusterMetrics"]["activeNodes"], 1) << metrics.dump();
  // As Hadoop 3: totalNodes counts the decommissioned node too.
  EXPECT_EQ(metrics["clusterMetrics"]["totalNodes"], 2) << metrics.dump();
  CommandResult running = cluster_->Yarn({"node", "-list"});
  EXPECT_TRUE(absl::StartsWith(running.out, "Total Nodes:1\n")) << running.out;
  EXPECT_FALSE(absl::StrContains(running.out, second)) << running.out;

  // Its NodeManager hears SHUTDOWN on the next heartbeat and exits.
  auto exit = second_.Wait(absl::Seconds(30));
  ASSERT_TRUE(exit.ok()) << "the excluded NodeManager is still running\n" << second_err();
  EXPECT_TRUE(absl::StrContains(
      second_err(),
      "Recieved SHUTDOWN signal from Resourcemanager as part of heartbeat, hence "
      "shutting down. Message from ResourceManager: Disallowed NodeManager nodeId: " +
          second))
      << second_err();

  // Started again while excluded, it is refused at registration and exits at once.
  ASSERT_TRUE(StartSecondNm(4096).ok());
  ASSERT_TRUE(second_.Wait(absl::Seconds(30)).ok()) << second_err();
  EXPECT_TRUE(absl::StrContains(second_err(),
                                "Registration of NodeManager failed, Message from "
                                "ResourceManager: Disallowed NodeManager from  127.0.0.2, "
                                "Sending SHUTDOWN signal to the NodeManager."))
      << second_err();

  // A malformed file is refused with its line, and the running lists stay.
  WriteExclude("127.0.0.2:8041\n");
  CommandResult bad = cluster_->Yarn({"rmadmin", "-refreshNodes"});
  EXPECT_EQ(bad.exit_code, 255);
  EXPECT_EQ(bad.err, "refreshNodes: " + exclude_ +
                         ":1: '127.0.0.2:8041' names a port; host files list host names only "
                         "(write '127.0.0.2')\n");
  EXPECT_EQ(Report("127.0.0.1").node_state(), proto::NS_RUNNING);
}

class XmlExcludeEndToEndTest : public DecommissionEndToEndTest {
 protected:
  XmlExcludeEndToEndTest() { exclude_name_ = "exclude.xml"; }

  // Starts the second NodeManager and a distributed-shell application whose AM and one
  // `sleep 20` container both run there (the first node is shrunk to nothing meanwhile with
  // -updateNodeResource, then given its resource back in the resource-types form). Returns the
  // application id, "" after a failure.
  std::string LongAppOnSecondNode(Process& client) {
    if (!StartSecondNm(16384).ok() ||
        !WaitForState(kSecondHost, proto::NS_RUNNING, absl::Seconds(30))) {
      ADD_FAILURE() << "second NodeManager: " << second_err();
      return "";
    }
    proto::NodeReportProto first = Report("127.0.0.1");
    CommandResult shrink = cluster_->Yarn({"rmadmin", "-updateNodeResource", first_, "0", "0"});
    EXPECT_EQ(shrink.exit_code, 0) << shrink.err;
    CommandResult status = cluster_->Yarn({"node", "-status", first_});
    EXPECT_TRUE(absl::StrContains(status.out, "\tMemory-Capacity : 0MB\n")) << status.out;
    EXPECT_TRUE(absl::StrContains(status.out, "\tCPU-Capacity : 0 vcores\n")) << status.out;
    std::string app = cluster_->StartClient(
        client, {"distributedshell", "-shell_command", "sleep 20", "-num_containers", "1"}, "long");
    if (app.empty() ||
        !WaitFor([&] { return Report(kSecondHost).num_containers() == 2; }, absl::Seconds(30))) {
      ADD_FAILURE() << "the long application did not start on " << kSecondHost << ": "
                    << ReadFileOrEmpty(cluster_->base_dir() + "/long.err");
      return "";
    }
    CommandResult restore =
        cluster_->Yarn({"rmadmin", "-updateNodeResource", first_,
                        absl::StrCat("memory-mb=", first.capability().memory_mb(),
                                     ",vcores=", first.capability().virtual_cores())});
    EXPECT_EQ(restore.exit_code, 0) << restore.err;
    EXPECT_EQ(Report("127.0.0.1").capability().memory_mb(), first.capability().memory_mb());
    return app;
  }

  // Hadoop 3's XML exclude file naming the second node with its own drain timeout.
  void ExcludeSecondNode(int timeout_seconds) {
    WriteExclude(absl::StrCat("<?xml version=\"1.0\"?>\n<hosts>\n  <host><name>", kSecondHost,
                              "</name><timeout>", timeout_seconds,
                              "</timeout></host>\n</hosts>\n"));
  }
};

TEST_F(XmlExcludeEndToEndTest, GracefulWaitsForTheRunningContainerAndTakesNoNewOnes) {
  Process long_client;
  std::string long_app = LongAppOnSecondNode(long_client);
  ASSERT_FALSE(long_app.empty());
  std::string second = NodeOn(kSecondHost);

  // The per-host timeout (600 s) is far longer than the test.
  ExcludeSecondNode(600);

  CommandResult graceful = cluster_->Yarn({"rmadmin", "-refreshNodes", "-g", "-server"});
  ASSERT_EQ(graceful.exit_code, 0) << graceful.err;
  EXPECT_EQ(graceful.out, "");
  EXPECT_EQ(Report(kSecondHost).node_state(), proto::NS_DECOMMISSIONING);
  EXPECT_EQ(Rest("/ws/v1/cluster/metrics")["clusterMetrics"]["decommissioningNodes"], 1);
  CommandResult draining = cluster_->Yarn({"node", "-list", "-states", "DECOMMISSIONING"});
  EXPECT_TRUE(absl::StrContains(NodeLine(draining.out, second), "\tDECOMMISSIONING\t"))
      << draining.out;

  // Another application runs meanwhile: nothing of it lands on the draining node.
  CommandResult other =
      cluster_->Yarn({"distributedshell", "-shell_command", "true", "-num_containers", "2"});
  ASSERT_EQ(other.exit_code, 0) << other.out << other.err;
  std::string other_app = AppIdFrom(other.out);
  ASSERT_FALSE(other_app.empty()) << other.out;
  EXPECT_FALSE(std::filesystem::exists(second_logs() + "/" + other_app));
  EXPECT_TRUE(std::filesystem::exists(cluster_->nm_log_dir(0) + "/" + other_app));
  EXPECT_EQ(Report(kSecondHost).node_state(), proto::NS_DECOMMISSIONING);

  // The long application ends normally; then the node is decommissioned and its NM exits.
  auto done = cluster_->WaitForState(long_app, {proto::FINISHED, proto::FAILED, proto::KILLED},
                                     absl::Seconds(60));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->final_application_status(), proto::APP_SUCCEEDED) << done->diagnostics();
  ASSERT_TRUE(WaitForState(kSecondHost, proto::NS_DECOMMISSIONED, absl::Seconds(30)));
  ASSERT_TRUE(second_.Wait(absl::Seconds(30)).ok()) << second_err();
  EXPECT_TRUE(
      absl::StrContains(second_err(), absl::StrCat("Message from ResourceManager: "
                                                   "DECOMMISSIONING ",
                                                   second, " is ready to be decommissioned")))
      << second_err();
}

TEST_F(DecommissionEndToEndTest, ClientTrackingWaitsAndArgumentErrorsPrintUsage) {
  ASSERT_TRUE(StartSecondNm(4096).ok());
  ASSERT_TRUE(WaitForState(kSecondHost, proto::NS_RUNNING, absl::Seconds(30))) << second_err();
  WriteExclude(absl::StrCat(kSecondHost, "\n"));
  // An idle node drains at its next heartbeat; the client polls every second until then.
  CommandResult tracked =
      cluster_->Yarn({"rmadmin", "-refreshNodes", "-g", "20", "-client"}, absl::Seconds(60));
  ASSERT_EQ(tracked.exit_code, 0) << tracked.err;
  EXPECT_TRUE(absl::StrContains(tracked.out, "Graceful decommissioning completed in "))
      << tracked.out;
  EXPECT_TRUE(absl::EndsWith(tracked.out, " seconds.\n")) << tracked.out;
  EXPECT_EQ(Report(kSecondHost).node_state(), proto::NS_DECOMMISSIONED);

  CommandResult no_mode = cluster_->Yarn({"rmadmin", "-refreshNodes", "-g", "5"});
  EXPECT_EQ(no_mode.exit_code, 255);
  EXPECT_EQ(no_mode.err,
            "Usage: yarn rmadmin [-refreshNodes [-g|graceful [timeout in seconds] "
            "-client|server]]\n");
  CommandResult bad_timeout = cluster_->Yarn({"rmadmin", "-refreshNodes", "-g", "soon", "-server"});
  EXPECT_EQ(bad_timeout.exit_code, 255);
  EXPECT_TRUE(absl::StartsWith(bad_timeout.err,
                               "refreshNodes: Invalid timeout specified : soon\nUsage: yarn "
                               "rmadmin [-refreshNodes"))
      << bad_timeout.err;
  CommandResult unknown =
      cluster_->Yarn({"rmadmin", "-updateNodeResource", "nohost:1", "1024", "2"});
  EXPECT_EQ(unknown.exit_code, 255);
  EXPECT_EQ(unknown.err,
            "updateNodeResource: Resource update get failed on all nodes due to change resource "
            "on an unrecognized node: nohost:1\n");
  CommandResult negative = cluster_->Yarn({"rmadmin", "-updateNodeResource", first_, "1024", "-2"});
  EXPECT_EQ(negative.exit_code, 255);
  EXPECT_TRUE(absl::StartsWith(negative.err,
                               "updateNodeResource: Invalid resource value: (1024,-2) for "
                               "updateNodeResource.\nUsage: yarn rmadmin [-updateNodeResource "))
      << negative.err;
  CommandResult count = cluster_->Yarn({"rmadmin", "-updateNodeResource", first_});
  EXPECT_EQ(count.exit_code, 255);
  EXPECT_TRUE(absl::StartsWith(count.err,
                               "Number of parameters specified for updateNodeResource is wrong.\n"))
      << count.err;
}

TEST_F(XmlExcludeEndToEndTest, ClientTrackingForcesWhatDidNotDrainInTime) {
  Process long_client;
  std::string long_app = LongAppOnSecondNode(long_client);
  ASSERT_FALSE(long_app.empty());
  std::string second = NodeOn(kSecondHost);
  // The per-host timeout -1 keeps the RM from ending the drain itself: the client's wait of
  // timeout + 5 s runs out and it decommissions forcefully, as RMAdminCLI.
  ExcludeSecondNode(-1);
  CommandResult tracked =
      cluster_->Yarn({"rmadmin", "-refreshNodes", "-g", "0", "-client"}, absl::Seconds(60));
  ASSERT_EQ(tracked.exit_code, 0) << tracked.err;
  std::string waiting = absl::StrCat("Nodes '", second, "' are still decommissioning.\n");
  std::string expected;
  for (int i = 0; i < 5; ++i) expected += waiting;
  expected +=
      "Graceful decommissioning not completed in 0 seconds, issuing forceful decommissioning "
      "command.\n";
  EXPECT_EQ(tracked.out, expected);
  EXPECT_EQ(Report(kSecondHost).node_state(), proto::NS_DECOMMISSIONED);
  // The application lost its AM with the node and carries on in a second attempt.
  ASSERT_TRUE(second_.Wait(absl::Seconds(30)).ok()) << second_err();
  auto report = cluster_->Report(long_app);
  ASSERT_TRUE(report.ok());
  EXPECT_NE(report->yarn_application_state(), proto::FAILED) << report->diagnostics();
}

}  // namespace
}  // namespace skein::testing
