// The tools operators already run against YARN, run against real Skein daemons (issue 16):
//  - the `yarn-api-client` Python package (PyPI, pinned in interop/python/yarn-api-client), whose
//    ResourceManager / NodeManager calls must return the values Skein itself reports;
//  - `promtool check metrics` on /metrics and /prom of the RM and a NodeManager;
//  - /jmx read the way monitoring agents read it (bean names, ?qry=, values that agree with REST).
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/testing/interop.h"
#include "nlohmann/json.hpp"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {

using json = nlohmann::json;

constexpr int kNodeMb = 4096;

class OperatorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<TestCluster>(
        2, std::map<std::string, std::string>{
               {"yarn.nodemanager.resource.memory-mb", std::to_string(kNodeMb)},
               {"yarn.resourcemanager.scheduler.class",
                "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity."
                "CapacityScheduler"}});
    absl::Status started = cluster_->Start();
    ASSERT_TRUE(started.ok()) << started;
    rm_ = std::make_unique<httplib::Client>("127.0.0.1", cluster_->rm_web_port());
    rm_->set_read_timeout(10, 0);
  }

  json Get(httplib::Client& c, const std::string& path) {
    auto r = c.Get(path.c_str());
    if (!r || r->status != 200) return json();
    return json::parse(r->body, nullptr, false);
  }

  // doc[outer][inner] as an array (empty when absent), by value: safe to iterate.
  json Items(httplib::Client& c, const std::string& path, const char* outer, const char* inner) {
    json doc = Get(c, path);
    json v = doc[outer][inner];
    return v.is_array() ? v : json::array();
  }

  // A finished and a running distributed shell (the running one holds 2 containers).
  void StartApps() {
    CommandResult done = cluster_->Yarn({"distributedshell", "-shell_command", "true",
                                         "-num_containers", "1", "-appname", "ops-done"});
    ASSERT_EQ(done.exit_code, 0) << done.out << done.err;
    finished_ = AppIdFrom(done.out + done.err);
    ASSERT_FALSE(finished_.empty()) << done.out << done.err;
    ASSERT_TRUE(cluster_->WaitForState(finished_, {proto::FINISHED}, absl::Seconds(30)).ok());
    running_ = cluster_->StartClient(client_, {"distributedshell", "-shell_command", "sleep 120",
                                               "-num_containers", "1", "-appname", "ops-running"});
    ASSERT_FALSE(running_.empty()) << ReadFileOrEmpty(cluster_->base_dir() + "/client.err");
    json app;
    ASSERT_TRUE(WaitFor(
        [&] {
          app = Get(*rm_, "/ws/v1/cluster/apps/" + running_)["app"];
          return app.is_object() && app["state"] == "RUNNING" && app["runningContainers"] == 2;
        },
        absl::Seconds(60)))
        << app.dump();
    // The NodeManagers list both containers once the AM started its shell container.
    ASSERT_TRUE(WaitFor(
        [&] {
          int running = 0;
          for (const auto& n : Items(*rm_, "/ws/v1/cluster/nodes", "nodes", "node")) {
            httplib::Client nm("127.0.0.1", NmPort(n));
            for (const auto& c : Items(nm, "/ws/v1/node/containers", "containers", "container")) {
              running += c["state"] == "RUNNING" ? 1 : 0;
            }
          }
          return running == 2;
        },
        absl::Seconds(30)));
  }

  static int NmPort(const json& node) {
    std::string a = node["nodeHTTPAddress"].get<std::string>();
    return std::stoi(a.substr(a.rfind(':') + 1));
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<httplib::Client> rm_;
  Process client_;
  std::string finished_, running_;
};

TEST_F(OperatorsTest, YarnApiClientSeesWhatSkeinKnows) {
  std::string venv = SKEIN_INTEROP_DIR_OR_FAIL("python/yarn-api-client");
  ASSERT_FALSE(venv.empty());
  ASSERT_NO_FATAL_FAILURE(StartApps());
  // Ground truth from Skein's own client protocol (gRPC), not from the REST API under test.
  auto run = cluster_->Report(running_);
  auto done = cluster_->Report(finished_);
  ASSERT_TRUE(run.ok() && done.ok());
  json nodes = json::array();
  for (const auto& n : Items(*rm_, "/ws/v1/cluster/nodes", "nodes", "node"))
    nodes.push_back(n["id"]);
  json expected = {
      {"rm", absl::StrCat("http://127.0.0.1:", cluster_->rm_web_port())},
      {"cluster_id", run->application_id().cluster_timestamp()},
      {"nodes", nodes},
      {"total_mb", 2 * kNodeMb},
      {"user", run->user()},
      {"queue", run->queue()},
      {"type", run->application_type()},
      {"running", running_},
      {"running_name", run->name()},
      {"running_started", run->start_time()},
      {"running_attempt",
       ApplicationAttemptId::FromProto(run->current_application_attempt_id()).ToString()},
      {"running_am_container", ContainerId::FromProto(run->am_container_id()).ToString()},
      {"finished", finished_},
  };
  ASSERT_EQ(done->user(), run->user());
  std::string path = cluster_->base_dir() + "/expected.json";
  std::ofstream(path) << expected.dump(2);
  CommandResult r = RunCommand(
      {venv + "/bin/python",
       std::string(SKEIN_SOURCE_DIR) + "/tests/operators/yarn_api_client_check.py", path},
      absl::Seconds(120));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, " passed, 0 failed")) << r.out << r.err;
  // The client killed the app anonymously; Skein agrees it is KILLED.
  auto after = cluster_->Report(running_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->yarn_application_state(), proto::KILLED);
}

// A YARN exporter written by others (PyPI yarn-apps-exporter, node_exporter textfile format)
// scrapes Skein's /ws/v1/cluster/apps once: its series carry the running app's allocation and
// one series per app state, and promtool can parse the file it wrote.
TEST_F(OperatorsTest, ThirdPartyExporterProducesSeries) {
  std::string venv = SKEIN_INTEROP_DIR_OR_FAIL("python/yarn-apps-exporter");
  ASSERT_FALSE(venv.empty());
  ASSERT_NO_FATAL_FAILURE(StartApps());
  json app = Get(*rm_, "/ws/v1/cluster/apps/" + running_)["app"];
  std::string out = cluster_->base_dir() + "/yarn_apps.prom";
  CommandResult r =
      RunCommand({venv + "/bin/python", "-c",
                  "import sys, yarn_apps_exporter as e; e.tick(sys.argv[1], sys.argv[2], [])",
                  absl::StrCat("http://127.0.0.1:", cluster_->rm_web_port()), out},
                 absl::Seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string text = ReadFileOrEmpty(out);
  std::string labels =
      absl::StrCat("{name=\"ops-running\", user=\"", app["user"].get<std::string>(), "\", queue=\"",
                   app["queue"].get<std::string>(), "\"}");
  EXPECT_TRUE(absl::StrContains(text, absl::StrCat("yarn_apps_allocatedMB", labels, " ",
                                                   app["allocatedMB"].get<int64_t>(), "\n")))
      << text;
  EXPECT_TRUE(absl::StrContains(text, "yarn_apps_allocatedVCores" + labels + " 2\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "state=\"RUNNING\"} 1\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "state=\"FINISHED\"} 1\n")) << text;
}

// promtool (Debian's prometheus package) accepts every daemon's exposition.
TEST_F(OperatorsTest, PromtoolAcceptsMetricsOfBothDaemons) {
  std::string promtool = "/usr/bin/promtool";
  ASSERT_EQ(::access(promtool.c_str(), X_OK), 0)
      << promtool << " is missing: run `bash scripts/install-deps.sh` (package prometheus)";
  ASSERT_NO_FATAL_FAILURE(StartApps());
  json node = Items(*rm_, "/ws/v1/cluster/nodes", "nodes", "node")[0];
  httplib::Client nm("127.0.0.1", NmPort(node));
  nm.set_read_timeout(10, 0);
  int checked = 0;
  for (const auto& [client, who] :
       std::vector<std::pair<httplib::Client*, std::string>>{{rm_.get(), "rm"}, {&nm, "nm"}}) {
    for (const char* p : {"/metrics", "/prom"}) {
      auto res = client->Get(p);
      ASSERT_TRUE(res) << who << p;
      ASSERT_EQ(res->status, 200) << who << p;
      EXPECT_TRUE(absl::StartsWith(res->get_header_value("Content-Type"), "text/plain"));
      std::string file =
          absl::StrCat(cluster_->base_dir(), "/", who, std::string(p).substr(1), ".txt");
      std::ofstream(file) << res->body;
      CommandResult r =
          RunCommand({"/bin/sh", "-c", promtool + " check metrics < " + file}, absl::Seconds(30));
      EXPECT_EQ(r.exit_code, 0) << who << p << ":\n" << r.out << r.err << "\n---\n" << res->body;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);
}

// /jmx as monitoring agents read it, with values that agree with the REST API.
TEST_F(OperatorsTest, JmxBeansAgreeWithRest) {
  ASSERT_NO_FATAL_FAILURE(StartApps());
  json beans = Get(*rm_, "/jmx")["beans"];
  ASSERT_TRUE(beans.is_array()) << beans.dump();
  auto bean = [&](const json& list, const std::string& name) {
    for (const auto& b : list) {
      if (b["name"] == name) return b;
    }
    return json();
  };
  json cm = bean(beans, "Hadoop:service=ResourceManager,name=ClusterMetrics");
  ASSERT_TRUE(cm.is_object()) << beans.dump(1);
  EXPECT_EQ(cm["modelerType"], "ClusterMetrics");
  EXPECT_EQ(cm["NumActiveNMs"], 2);
  EXPECT_EQ(cm["NumLostNMs"], 0);
  EXPECT_EQ(cm["CapabilityMB"], 2 * kNodeMb);
  // Two AMs were launched and registered.
  EXPECT_EQ(cm["AMLaunchDelayNumOps"], 2);
  EXPECT_EQ(cm["AMRegisterDelayNumOps"], 2);
  EXPECT_GT(cm["AMRegisterDelayAvgTime"].get<double>(), 0.0);
  json metrics = Get(*rm_, "/ws/v1/cluster/metrics")["clusterMetrics"];
  EXPECT_EQ(cm["UtilizedMB"], metrics["allocatedMB"]);

  // ?qry= with Hadoop's ObjectName pattern: every queue bean of root.default, and no other.
  json q = Get(
      *rm_,
      "/jmx?qry=Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default,*")["beans"];
  ASSERT_TRUE(q.is_array());
  std::string user = cluster_->Report(running_)->user();
  json leaf = bean(q, "Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default");
  json per_user =
      bean(q, "Hadoop:service=ResourceManager,name=QueueMetrics,q0=root,q1=default,user=" + user);
  ASSERT_TRUE(leaf.is_object()) << q.dump(1);
  ASSERT_TRUE(per_user.is_object()) << q.dump(1);
  EXPECT_EQ(q.size(), 2u) << q.dump(1);
  EXPECT_EQ(leaf["AppsSubmitted"], 2);
  EXPECT_EQ(leaf["AppsRunning"], 1);
  EXPECT_EQ(leaf["AppsCompleted"], 1);
  EXPECT_EQ(leaf["AllocatedMB"], metrics["allocatedMB"]);
  EXPECT_EQ(leaf["AllocatedContainers"], 2);
  EXPECT_EQ(per_user["AppsRunning"], 1);
  EXPECT_EQ(per_user["AllocatedMB"], metrics["allocatedMB"]);
  // The client port's RPC activity counts the submissions.
  json rpc = Get(
      *rm_, "/jmx?qry=Hadoop:service=ResourceManager,name=RpcDetailedActivityForPort*")["beans"];
  int64_t submits = 0;
  for (const auto& b : rpc) {
    if (b.contains("SubmitApplicationNumOps"))
      submits += b["SubmitApplicationNumOps"].get<int64_t>();
  }
  EXPECT_EQ(submits, 2) << rpc.dump(1);
  // ?get=bean::attribute.
  json one = Get(*rm_, "/jmx?get=Hadoop:service=ResourceManager,name=ClusterMetrics::NumActiveNMs");
  EXPECT_EQ(one,
            json::parse(R"({"beans":[{"name":"Hadoop:service=ResourceManager,name=ClusterMetrics",
                                         "modelerType":"ClusterMetrics","NumActiveNMs":2}]})"));

  // Each NodeManager: NodeManagerMetrics agrees with its own REST container list.
  int64_t launched = 0, running = 0;
  for (const auto& n : Items(*rm_, "/ws/v1/cluster/nodes", "nodes", "node")) {
    httplib::Client nm("127.0.0.1", NmPort(n));
    json nb = Get(nm, "/jmx?qry=Hadoop:service=NodeManager,name=NodeManagerMetrics")["beans"];
    ASSERT_EQ(nb.size(), 1u) << nb.dump();
    json m = nb[0];
    int64_t rest_running = 0;
    for (const auto& c : Items(nm, "/ws/v1/node/containers", "containers", "container")) {
      rest_running += c["state"] == "RUNNING" ? 1 : 0;
    }
    EXPECT_EQ(m["ContainersRunning"], rest_running) << m.dump(1);
    EXPECT_EQ(m["AvailableGB"], (kNodeMb - n["usedMemoryMB"].get<int64_t>()) / 1024) << m.dump(1);
    EXPECT_GE(m["ContainerLaunchDurationNumOps"].get<int64_t>(),
              m["ContainersLaunched"].get<int64_t>());
    launched += m["ContainersLaunched"].get<int64_t>();
    running += m["ContainersRunning"].get<int64_t>();
  }
  // The finished app's AM and shell container, and the running app's two.
  EXPECT_EQ(launched, 4);
  EXPECT_EQ(running, 2);
}

}  // namespace
}  // namespace skein::testing
