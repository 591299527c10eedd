// Hadoop's own clients against a live Skein cluster, over Hadoop IPC on Skein's usual ports:
// the CLI classes behind Hadoop's `yarn` command (ApplicationCLI, NodeCLI, QueueCLI, RMAdminCLI)
// and YarnClient, from two Hadoop client lines (3.3 and 3.5). Where Skein's own `yarn` prints the
// same thing, the outputs must be equal: a differential test of the protocol and of Skein's CLI
// formats at once.
//
// One Skein cluster and one JVM per Hadoop line serve the whole binary.
#include <unistd.h>

#include <cstring>
#include <map>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/rpc.h"
#include "gtest/gtest.h"
#include "tests/integration/test_cluster.h"
#include "tests/interop/java_peer.h"

namespace skein::testing {
namespace {

// The scenario every test reads: a finished, a failed and a running application, two nodes,
// two queues.
struct Scenario {
  std::unique_ptr<TestCluster> cluster;
  std::unique_ptr<Process> running_client;
  std::string finished, failed, running;
  std::map<std::string, std::unique_ptr<JavaPeer>> peers;  // by interop spec
};
Scenario* scenario = nullptr;

std::map<std::string, std::string> ClusterProperties() {
  return {
      {"yarn.scheduler.capacity.root.queues", "default,other"},
      {"yarn.scheduler.capacity.root.default.capacity", "50"},
      {"yarn.scheduler.capacity.root.other.capacity", "50"},
      {"yarn.scheduler.capacity.maximum-am-resource-percent", "1.0"},
      // Hadoop's clients: fail fast instead of retrying for minutes when something is wrong.
      {"yarn.resourcemanager.connect.max-wait.ms", "20000"},
      {"yarn.resourcemanager.connect.retry-interval.ms", "250"},
      {"ipc.client.connect.max.retries", "3"},
      {"yarn.client.application-client-protocol.poll-interval-ms", "100"},
      {"yarn.cluster.max-application-priority", "10"},
  };
}

class HadoopClientsTest : public ::testing::TestWithParam<std::string> {
 public:
  static void SetUpTestSuite() {
    scenario = new Scenario();
    scenario->cluster = std::make_unique<TestCluster>(2, ClusterProperties());
    TestCluster& c = *scenario->cluster;
    absl::Status started = c.Start();
    ASSERT_TRUE(started.ok()) << started;
    CommandResult ok = c.Yarn({"distributedshell", "-shell_command", "true", "-appname", "done"});
    ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    scenario->finished = AppIdFrom(ok.out);
    CommandResult bad = c.Yarn(
        {"distributedshell", "-shell_command", "exit 3", "-appname", "broken", "-queue", "other"});
    scenario->failed = AppIdFrom(bad.out);
    ASSERT_FALSE(scenario->failed.empty()) << bad.out << bad.err;
    scenario->running_client = std::make_unique<Process>();
    scenario->running = c.StartClient(*scenario->running_client,
                                      {"distributedshell", "-shell_command", "sleep 600",
                                       "-appname", "long", "-timeout", "900000"},
                                      "long-client");
    ASSERT_FALSE(scenario->running.empty());
    auto r = c.WaitForState(scenario->running, {proto::RUNNING}, absl::Seconds(60));
    ASSERT_TRUE(r.ok()) << r.status();
  }

  static void TearDownTestSuite() {
    if (scenario == nullptr) return;
    scenario->peers.clear();
    if (scenario->cluster && !scenario->running.empty()) {
      scenario->cluster->Yarn({"application", "-kill", scenario->running});
    }
    delete scenario;
    scenario = nullptr;
  }

 protected:
  void SetUp() override {
    ASSERT_NE(scenario, nullptr);
    ASSERT_NE(scenario->cluster, nullptr);
    auto& peer = scenario->peers[GetParam()];
    if (peer == nullptr) {
      std::string log = absl::StrCat(scenario->cluster->base_dir(), "/java-",
                                     absl::StrReplaceAll(GetParam(), {{"/", "-"}}), ".log");
      auto started = JavaPeer::Start(GetParam(), scenario->cluster->conf_dir(), log);
      ASSERT_TRUE(started.ok()) << started.status();
      peer = std::move(*started);
    }
    peer_ = peer.get();
  }

  TestCluster& cluster() { return *scenario->cluster; }

  // Hadoop's CLI class `cls` with `args`.
  JavaPeer::Answer Hadoop(const std::string& cls, std::vector<std::string> args) {
    args.insert(args.begin(), cls);
    args.insert(args.begin(), "cli");
    auto a = peer_->Run(args);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : JavaPeer::Answer();
  }

  JavaPeer::Answer Java(const std::vector<std::string>& words) {
    auto a = peer_->Run(words);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : JavaPeer::Answer();
  }

  // Runs the same command through Hadoop's CLI class and Skein's `yarn`; both outputs (stdout)
  // and exit codes must match. `mask` drops lines whose values differ by nature.
  void ExpectSameOutput(const std::string& cls, const std::vector<std::string>& hadoop_args,
                        const std::vector<std::string>& skein_args,
                        const std::vector<std::string>& mask = {}) {
    JavaPeer::Answer h = Hadoop(cls, hadoop_args);
    CommandResult s = cluster().Yarn(skein_args);
    auto masked = [&](const std::string& text) {
      std::string out;
      for (absl::string_view line : absl::StrSplit(text, '\n')) {
        bool drop = false;
        for (const auto& m : mask) drop = drop || absl::StrContains(line, m);
        if (!drop) absl::StrAppend(&out, line, "\n");
      }
      return out;
    };
    EXPECT_EQ(masked(h.out), masked(s.out))
        << "Hadoop " << GetParam() << " " << cls << " vs Skein `yarn "
        << absl::StrJoin(skein_args, " ") << "` (stderr: " << s.err << "; JVM log "
        << peer_->log_path() << ")";
    EXPECT_EQ(h.exit_code, s.exit_code) << h.out << "\n---\n" << s.out << s.err;
  }

  JavaPeer* peer_ = nullptr;
};

TEST_P(HadoopClientsTest, ApplicationListIsSkeinsList) {
  ExpectSameOutput("ApplicationCLI", {"application", "-list", "-appStates", "ALL"},
                   {"application", "-list", "-appStates", "ALL"});
  ExpectSameOutput("ApplicationCLI", {"application", "-list"}, {"application", "-list"});
  ExpectSameOutput("ApplicationCLI", {"application", "-list", "-appStates", "FINISHED,FAILED"},
                   {"application", "-list", "-appStates", "FINISHED,FAILED"});
  // The list really holds the scenario (not two identical empty tables).
  JavaPeer::Answer all = Hadoop("ApplicationCLI", {"application", "-list", "-appStates", "ALL"});
  EXPECT_TRUE(absl::StrContains(all.out, scenario->finished)) << all.out;
  EXPECT_TRUE(absl::StrContains(all.out, scenario->failed)) << all.out;
  EXPECT_TRUE(absl::StrContains(all.out, scenario->running)) << all.out;
}

TEST_P(HadoopClientsTest, ApplicationStatusIsSkeinsStatus) {
  ExpectSameOutput("ApplicationCLI", {"application", "-status", scenario->finished},
                   {"application", "-status", scenario->finished});
  ExpectSameOutput("ApplicationCLI", {"application", "-status", scenario->failed},
                   {"application", "-status", scenario->failed});
  JavaPeer::Answer h = Hadoop("ApplicationCLI", {"application", "-status", scenario->finished});
  EXPECT_TRUE(absl::StrContains(h.out, "Final-State : SUCCEEDED")) << h.out;
  // An unknown application: Hadoop's client maps ApplicationNotFoundException to its message.
  const std::string unknown =
      absl::StrCat(scenario->finished.substr(0, scenario->finished.rfind('_')), "_9999");
  ExpectSameOutput("ApplicationCLI", {"application", "-status", unknown},
                   {"application", "-status", unknown});
  JavaPeer::Answer missing = Hadoop("ApplicationCLI", {"application", "-status", unknown});
  EXPECT_TRUE(absl::StrContains(missing.out, "doesn't exist")) << missing.out;
}

TEST_P(HadoopClientsTest, AttemptsReachHadoopsCli) {
  // Skein's own `yarn` has no `applicationattempt` command yet: Hadoop's output alone.
  JavaPeer::Answer list =
      Hadoop("ApplicationCLI", {"applicationattempt", "-list", scenario->finished});
  EXPECT_EQ(list.exit_code, 0) << list.out;
  EXPECT_TRUE(absl::StrContains(list.out, "Total number of application attempts :1")) << list.out;
  const std::string attempt =
      absl::StrCat("appattempt_", scenario->finished.substr(strlen("application_")), "_000001");
  EXPECT_TRUE(absl::StrContains(list.out, attempt)) << list.out;
  JavaPeer::Answer status = Hadoop("ApplicationCLI", {"applicationattempt", "-status", attempt});
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_TRUE(absl::StrContains(status.out, "State : FINISHED")) << status.out;
}

TEST_P(HadoopClientsTest, NodesAreSkeinsNodes) {
  ExpectSameOutput("NodeCLI", {"-list", "-all"}, {"node", "-list", "-all"});
  ExpectSameOutput("NodeCLI", {"-list"}, {"node", "-list"});
  JavaPeer::Answer list = Hadoop("NodeCLI", {"-list"});
  EXPECT_TRUE(absl::StrContains(list.out, "Total Nodes:2")) << list.out;
  // `node -status` of the first node listed.
  std::string node;
  for (absl::string_view line : absl::StrSplit(list.out, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (absl::StartsWith(line, "127.0.0.1:")) {
      node = std::string(line.substr(0, line.find_first_of(" \t")));
      break;
    }
  }
  ASSERT_FALSE(node.empty()) << list.out;
  // Heartbeats move the health-report time and utilization between the two calls.
  ExpectSameOutput(
      "NodeCLI", {"-status", node}, {"node", "-status", node},
      {"Last-Health-Update", "Resource Utilization", "Memory-Used", "CPU-Used", "Containers :"});
}

TEST_P(HadoopClientsTest, QueuesAreSkeinsQueues) {
  // Skein prints Hadoop 3.4+'s queue fields; Hadoop 3.3's QueueCLI has no such lines.
  std::vector<std::string> newer_lines;
  if (GetParam() == "java/hadoop-3.3") newer_lines = {"Queue Path", "Weight", "Maximum Parallel"};
  ExpectSameOutput("QueueCLI", {"-status", "default"}, {"queue", "-status", "default"},
                   newer_lines);
  newer_lines.push_back("Current Capacity");
  ExpectSameOutput("QueueCLI", {"-status", "other"}, {"queue", "-status", "other"}, newer_lines);
  ExpectSameOutput("QueueCLI", {"-status", "nosuchqueue"}, {"queue", "-status", "nosuchqueue"});
}

TEST_P(HadoopClientsTest, AdminCommandsReachTheAdminPort) {
  JavaPeer::Answer refresh = Hadoop("RMAdminCLI", {"-refreshQueues"});
  EXPECT_EQ(refresh.exit_code, 0) << refresh.out;
  JavaPeer::Answer nodes = Hadoop("RMAdminCLI", {"-refreshNodes"});
  EXPECT_EQ(nodes.exit_code, 0) << nodes.out;
  JavaPeer::Answer groups = Hadoop("RMAdminCLI", {"-getGroups", "root"});
  EXPECT_EQ(groups.exit_code, 0) << groups.out;
  EXPECT_TRUE(absl::StrContains(groups.out, "root : root")) << groups.out;
}

TEST_P(HadoopClientsTest, MovePriorityAndKillOfARunningApplication) {
  Process client;
  std::string id = cluster().StartClient(
      client, {"distributedshell", "-shell_command", "sleep 600", "-appname", "victim"},
      "victim-" + std::to_string(getpid()) + GetParam().substr(GetParam().size() - 1));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster().WaitForState(id, {proto::RUNNING}, absl::Seconds(60)).ok());

  JavaPeer::Answer move =
      Hadoop("ApplicationCLI", {"application", "-movetoqueue", id, "-queue", "other"});
  EXPECT_EQ(move.exit_code, 0) << move.out;
  auto report = cluster().Report(id);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->queue(), "other");

  JavaPeer::Answer prio =
      Hadoop("ApplicationCLI", {"application", "-appId", id, "-updatePriority", "5"});
  EXPECT_EQ(prio.exit_code, 0) << prio.out;
  report = cluster().Report(id);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->priority().priority(), 5);

  JavaPeer::Answer kill = Hadoop("ApplicationCLI", {"application", "-kill", id});
  EXPECT_EQ(kill.exit_code, 0) << kill.out;
  EXPECT_TRUE(absl::StrContains(kill.out, "Killing application " + id)) << kill.out;
  report = cluster().Report(id);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->yarn_application_state(), proto::KILLED);
  // Killing it again: Hadoop's CLI says it is already finished.
  JavaPeer::Answer again = Hadoop("ApplicationCLI", {"application", "-kill", id});
  EXPECT_TRUE(absl::StrContains(again.out, "has already finished")) << again.out;
}

TEST_P(HadoopClientsTest, YarnClientSubmitsFollowsListsAndKills) {
  const std::string am = std::string(SKEIN_BIN_DIR) + "/skein-dshell-am";
  JavaPeer::Answer submitted =
      Java({"submit", "java-client", "default", "256",
            "DISTRIBUTEDSHELL_SHELL_COMMAND=true,DISTRIBUTEDSHELL_NUM_CONTAINERS=2", am,
            "1><LOG_DIR>/AppMaster.stdout", "2><LOG_DIR>/AppMaster.stderr"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out;
  std::string id(absl::StripAsciiWhitespace(submitted.out));
  ASSERT_TRUE(absl::StartsWith(id, "application_")) << submitted.out;
  JavaPeer::Answer done = Java({"wait", id, "60000"});
  EXPECT_EQ(done.out, "FINISHED SUCCEEDED\n");
  auto report = cluster().Report(id);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->name(), "java-client");
  EXPECT_EQ(report->user(), CurrentUser());  // the JVM's user, from the connection context
  JavaPeer::Answer list = Java({"list"});
  EXPECT_TRUE(absl::StrContains(list.out, id + " FINISHED")) << list.out;

  JavaPeer::Answer sleeper =
      Java({"submit", "java-sleeper", "other", "256", "DISTRIBUTEDSHELL_SHELL_COMMAND=sleep 600",
            am, "1><LOG_DIR>/AppMaster.stdout", "2><LOG_DIR>/AppMaster.stderr"});
  ASSERT_EQ(sleeper.exit_code, 0) << sleeper.out;
  std::string sleeper_id(absl::StripAsciiWhitespace(sleeper.out));
  ASSERT_TRUE(cluster().WaitForState(sleeper_id, {proto::RUNNING}, absl::Seconds(60)).ok());
  JavaPeer::Answer kill = Java({"kill", sleeper_id});
  EXPECT_EQ(kill.exit_code, 0) << kill.out;
  JavaPeer::Answer killed = Java({"wait", sleeper_id, "30000"});
  EXPECT_EQ(killed.out, "KILLED KILLED\n");
}

INSTANTIATE_TEST_SUITE_P(HadoopLines, HadoopClientsTest, ::testing::ValuesIn(kHadoopLines),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           return HadoopLineName(p.param);
                         });

}  // namespace
}  // namespace skein::testing
