// The RM's REST API and UI against real daemons: `yarn resourcemanager` (web port ephemeral,
// published through --address-file), a real NodeManager and a distributed-shell application.
#include <gtest/gtest.h>
#include <httplib.h>

#include <csignal>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {

using json = nlohmann::ordered_json;

TEST(RestEndToEndTest, RunningDistributedShellSeenAndKilledThroughRest) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  httplib::Client http("127.0.0.1", cluster.rm_web_port());
  http.set_read_timeout(10, 0);

  Process client;
  std::string id = cluster.StartClient(client, {"distributedshell", "-shell_command", "sleep 60",
                                                "-num_containers", "1", "-appname", "rest<e2e>"});
  ASSERT_FALSE(id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  // Both the AM and its shell container hold memory once the app runs.
  json app;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = http.Get(("/ws/v1/cluster/apps/" + id).c_str());
        if (!r || r->status != 200) return false;
        app = json::parse(r->body, nullptr, false)["app"];
        return app["state"] == "RUNNING" && app["runningContainers"] == 2;
      },
      absl::Seconds(60)))
      << app.dump();
  EXPECT_EQ(app["name"], "rest<e2e>");
  int64_t allocated = app["allocatedMB"].get<int64_t>();
  EXPECT_GT(allocated, 0);

  auto nodes = http.Get("/ws/v1/cluster/nodes");
  ASSERT_TRUE(nodes);
  json node = json::parse(nodes->body)["nodes"]["node"][0];
  EXPECT_EQ(node["usedMemoryMB"].get<int64_t>(), allocated);
  EXPECT_EQ(node["numContainers"], 2);

  // The NodeManager's own REST API, at the HTTP address it registered with.
  std::string nm_http = node["nodeHTTPAddress"].get<std::string>();
  httplib::Client nm("127.0.0.1", std::stoi(nm_http.substr(nm_http.rfind(':') + 1)));
  nm.set_read_timeout(10, 0);
  // The RM counts a container from its allocation; the NM lists it once the AM has started it.
  json containers;
  std::string nm_body;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = nm.Get("/ws/v1/node/containers");
        if (!r || r->status != 200) return false;
        nm_body = r->body;
        containers = json::parse(r->body, nullptr, false)["containers"]["container"];
        return containers.is_array() && containers.size() == 2u;
      },
      absl::Seconds(30)))
      << nm_http << " " << nm_body;
  EXPECT_EQ(containers[0]["state"], "RUNNING");
  EXPECT_EQ(containers[0]["exitCode"], -1000);
  auto nm_info = nm.Get("/ws/v1/node/info");
  ASSERT_TRUE(nm_info);
  EXPECT_EQ(json::parse(nm_info->body)["nodeInfo"]["id"], node["id"]);
  // Each daemon's gRPC latency histograms: the NM served StartContainers, the RM the submission.
  auto nm_prom = nm.Get("/prom");
  ASSERT_TRUE(nm_prom);
  EXPECT_TRUE(absl::StrContains(nm_prom->body,
                                "skein_rpc_latency_seconds_count{method=\"skein."
                                "proto.ContainerManagementProtocol/"
                                "StartContainers\"} "))
      << nm_prom->body;
  auto rm_prom = http.Get("/prom");
  ASSERT_TRUE(rm_prom);
  EXPECT_TRUE(absl::StrContains(rm_prom->body,
                                "skein_rpc_latency_seconds_bucket{method=\"skein."
                                "proto.ApplicationClientProtocol/"
                                "SubmitApplication\",le=\"+Inf\"} 1\n"))
      << rm_prom->body;
  // A priority change through REST on the real RM (Capacity, the default scheduler).
  auto prio = http.Put(("/ws/v1/cluster/apps/" + id + "/priority?user.name=tester").c_str(),
                       R"({"priority":0})", "application/json");
  ASSERT_TRUE(prio);
  EXPECT_EQ(prio->status, 200) << prio->body;
  EXPECT_EQ(json::parse(prio->body, nullptr, false), json({{"priority", 0}})) << prio->body;

  auto page = http.Get("/cluster/nodes");
  ASSERT_TRUE(page);
  std::string used = allocated % 1024 == 0 ? absl::StrCat(allocated / 1024, " GB")
                                           : absl::StrCat(allocated, " MB");
  EXPECT_TRUE(absl::StrContains(page->body, "<td>2</td><td>" + used + "</td>")) << page->body;
  auto apps_page = http.Get("/cluster/apps");
  ASSERT_TRUE(apps_page);
  EXPECT_TRUE(absl::StrContains(apps_page->body, id));
  EXPECT_TRUE(absl::StrContains(apps_page->body, "rest&lt;e2e&gt;"));

  auto kill = http.Put(("/ws/v1/cluster/apps/" + id + "/state?user.name=tester").c_str(),
                       R"({"state":"KILLED"})", "application/json");
  ASSERT_TRUE(kill);
  EXPECT_EQ(kill->status, 202) << kill->body;
  ASSERT_TRUE(cluster.WaitForState(id, {proto::KILLED}, absl::Seconds(30)).ok());
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_TRUE(absl::StrContains(metrics->body, "yarn_apps{state=\"killed\"} 1\n")) << metrics->body;
  client.Signal(SIGKILL);
}

// GET /ws/v1/cluster/scheduler on a live RM running each scheduler, with an application holding
// containers: the shape Hadoop documents for that scheduler, and the app's usage in its queue.
class SchedulerShapeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SchedulerShapeTest, LiveSchedulerInfoShowsTheRunningApp) {
  TestCluster cluster(1, {{"yarn.resourcemanager.scheduler.class", GetParam()}});
  ASSERT_TRUE(cluster.Start().ok());
  httplib::Client http("127.0.0.1", cluster.rm_web_port());
  http.set_read_timeout(10, 0);
  Process client;
  std::string id = cluster.StartClient(
      client, {"distributedshell", "-shell_command", "sleep 60", "-num_containers", "1"});
  ASSERT_FALSE(id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  ASSERT_TRUE(cluster.WaitForState(id, {proto::RUNNING}, absl::Seconds(60)).ok());

  json info;
  auto used_mb = [&]() -> int64_t {
    auto r = http.Get("/ws/v1/cluster/scheduler");
    if (!r || r->status != 200) return -1;
    info = json::parse(r->body, nullptr, false)["scheduler"]["schedulerInfo"];
    if (GetParam() == "fifo") {
      return info.value("usedNodeCapacity", int64_t{-1});
    }
    if (GetParam() == "capacity") {
      for (const auto& q : info["queues"]["queue"]) {
        if (q["queueName"] == "default") return q["resourcesUsed"]["memory"].get<int64_t>();
      }
      return -1;
    }
    // Fair places the app by its rules: with yarn.scheduler.fair.user-as-default-queue (true)
    // in root.<user>, which it creates; the report names the queue.
    auto report = cluster.Report(id);
    if (!report.ok()) return -1;
    for (const auto& q : info["rootQueue"]["childQueues"]["queue"]) {
      if (q["queueName"] == "root." + report->queue() || q["queueName"] == report->queue()) {
        return q["usedResources"]["memory"].get<int64_t>();
      }
    }
    return -1;
  };
  ASSERT_TRUE(WaitFor([&] { return used_mb() > 0; }, absl::Seconds(30))) << info.dump(1);
  if (GetParam() == "fifo") {
    EXPECT_EQ(info["type"], "fifoScheduler") << info.dump(1);
    EXPECT_EQ(info["qstate"], "RUNNING") << info.dump(1);
  } else if (GetParam() == "capacity") {
    EXPECT_EQ(info["type"], "capacityScheduler") << info.dump(1);
    EXPECT_EQ(info["queueName"], "root") << info.dump(1);
  } else {
    EXPECT_EQ(info["type"], "fairScheduler") << info.dump(1);
    EXPECT_EQ(info["rootQueue"]["queueName"], "root") << info.dump(1);
    EXPECT_GT(info["rootQueue"]["usedResources"]["memory"].get<int64_t>(), 0) << info.dump(1);
  }
  EXPECT_EQ(cluster.Yarn({"application", "-kill", id}).exit_code, 0);
  client.Signal(SIGKILL);
}

INSTANTIATE_TEST_SUITE_P(EachScheduler, SchedulerShapeTest,
                         ::testing::Values("fifo", "capacity", "fair"));

}  // namespace
}  // namespace skein::testing
