// The Fair scheduler against real daemons: a `yarn resourcemanager` with
// yarn.resourcemanager.scheduler.class=fair reading a fair-scheduler.xml, a real NodeManager and
// distributed-shell applications. Checks the policy where users see it: the memory each queue
// holds (REST /ws/v1/cluster/scheduler, fairScheduler shape), where an application is placed,
// what a reject rule tells the submitter, and `yarn rmadmin -refreshQueues` after an edit.
#include <gtest/gtest.h>
#include <httplib.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/conf/configuration.h"
#include "common/rpc.h"
#include "nlohmann/json.hpp"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {

using json = nlohmann::ordered_json;

// One NodeManager of 8 GB; every container (AMs included) is 1 GB, so the memory a queue holds
// counts its containers.
constexpr int64_t kNodeMb = 8192;

// Writes the RM's fair-scheduler.xml (the RM resolves the default relative name against the
// directory of its yarn-site.xml, <base>/rm-conf), atomically so a reload never sees half a file.
void WriteAllocations(const TestCluster& cluster, const std::string& body) {
  std::string dir = cluster.base_dir() + "/rm-conf";
  std::filesystem::create_directories(dir);
  std::string path = dir + "/fair-scheduler.xml";
  std::ofstream(path + ".tmp") << "<?xml version=\"1.0\"?>\n<allocations>\n"
                               << body << "</allocations>\n";
  std::filesystem::rename(path + ".tmp", path);
}

// A started cluster whose RM runs the Fair scheduler over `allocations` (the body of
// <allocations>); nullptr, with the failure recorded, when the daemons did not start.
std::unique_ptr<TestCluster> StartFairCluster(const std::string& allocations) {
  auto cluster = std::make_unique<TestCluster>(
      1, std::map<std::string, std::string>{
             {"yarn.resourcemanager.scheduler.class", "fair"},
             {"yarn.nodemanager.resource.memory-mb", std::to_string(kNodeMb)},
             {"yarn.nodemanager.resource.cpu-vcores", "16"},
             // Several containers per scheduling pass, so the cluster fills fast.
             {"yarn.scheduler.fair.assignmultiple", "true"}});
  WriteAllocations(*cluster, allocations);
  absl::Status started = cluster->Start();
  EXPECT_TRUE(started.ok()) << started;
  return started.ok() ? std::move(cluster) : nullptr;
}

// The RM's REST endpoint, from the address file the RM published at start.
std::unique_ptr<httplib::Client> RestClient(const TestCluster& cluster) {
  conf::Configuration published;
  if (!published.AddResourceFile(cluster.base_dir() + "/rm-addresses.xml").ok()) return nullptr;
  std::string web = published.Get("yarn.resourcemanager.webapp.address").value_or("");
  auto client =
      std::make_unique<httplib::Client>("127.0.0.1", std::stoi(web.substr(web.rfind(':') + 1)));
  client->set_read_timeout(10, 0);
  return client;
}

// queueName -> usedResources.memory of root's children in the fairScheduler document.
std::map<std::string, int64_t> UsedByQueue(httplib::Client& http, json* info) {
  std::map<std::string, int64_t> used;
  auto r = http.Get("/ws/v1/cluster/scheduler");
  if (!r || r->status != 200) return used;
  *info = json::parse(r->body, nullptr, false)["scheduler"]["schedulerInfo"];
  if (!info->is_object() || !(*info)["rootQueue"].is_object()) return used;
  for (const auto& q : (*info)["rootQueue"]["childQueues"]["queue"]) {
    used[q["queueName"].get<std::string>()] = q["usedResources"]["memory"].get<int64_t>();
  }
  return used;
}

std::vector<std::string> ShellArgs(const std::string& queue, int containers,
                                   const std::string& command) {
  std::vector<std::string> args = {"distributedshell",
                                   "-shell_command",
                                   command,
                                   "-num_containers",
                                   std::to_string(containers),
                                   "-container_memory",
                                   "1024",
                                   "-master_memory",
                                   "1024"};
  if (!queue.empty()) {
    args.push_back("-queue");
    args.push_back(queue);
  }
  return args;
}

// Weights 1:3, preemption off: both queues keep asking for short containers, and as containers
// end the freed memory goes to the queue furthest below its fair share, so the split converges
// to 2 GB / 6 GB of the 8 GB node whatever the order the applications started in.
TEST(FairEndToEndTest, WeightsOneToThreeConvergeTo25And75Percent) {
  auto started = StartFairCluster(
      "  <queueMaxAMShareDefault>-1</queueMaxAMShareDefault>\n"
      "  <queue name=\"a\"><weight>1</weight></queue>\n"
      "  <queue name=\"b\"><weight>3</weight></queue>\n");
  ASSERT_NE(started, nullptr);
  TestCluster& cluster = *started;
  auto http = RestClient(cluster);
  ASSERT_NE(http, nullptr);

  // `a` first: it takes the idle cluster, and must hand it back as its containers end.
  Process a_client, b_client;
  std::string a = cluster.StartClient(a_client, ShellArgs("a", 200, "sleep 2"), "a");
  ASSERT_FALSE(a.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/a.err");
  std::string b = cluster.StartClient(b_client, ShellArgs("b", 200, "sleep 2"), "b");
  ASSERT_FALSE(b.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/b.err");

  json info;
  std::map<std::string, int64_t> used;
  bool converged = WaitFor(
      [&] {
        used = UsedByQueue(*http, &info);
        return used["root.a"] == kNodeMb / 4 && used["root.b"] == kNodeMb * 3 / 4;
      },
      absl::Seconds(40));
  EXPECT_TRUE(converged) << "root.a " << used["root.a"] << " MB, root.b " << used["root.b"]
                         << " MB; " << info.dump(1);
  if (converged) {
    EXPECT_EQ(info["type"], "fairScheduler");
    for (const auto& q : info["rootQueue"]["childQueues"]["queue"]) {
      if (q["queueName"] == "root.a") {
        EXPECT_EQ(q["fairResources"]["memory"], kNodeMb / 4) << q.dump(1);
        EXPECT_EQ(q["schedulingPolicy"], "fair") << q.dump(1);
      } else if (q["queueName"] == "root.b") {
        EXPECT_EQ(q["fairResources"]["memory"], kNodeMb * 3 / 4) << q.dump(1);
      }
    }
    // The split holds while both keep asking: sample it a few more times.
    int64_t a_peak = 0;
    for (int i = 0; i < 20; ++i) {
      a_peak = std::max(a_peak, UsedByQueue(*http, &info)["root.a"]);
      absl::SleepFor(absl::Milliseconds(100));
    }
    EXPECT_LE(a_peak, kNodeMb / 4 + 1024) << "root.a grew past its fair share again";
  }
  EXPECT_EQ(cluster.Yarn({"application", "-kill", a}).exit_code, 0);
  EXPECT_EQ(cluster.Yarn({"application", "-kill", b}).exit_code, 0);
  a_client.Signal(SIGKILL);
  b_client.Signal(SIGKILL);
}

// YARN's implied placement policy puts an application without a queue in root.<user>; a reject
// rule fails the submission with the rule named; `yarn rmadmin -refreshQueues` after an edit adds
// a queue that the next submission uses.
TEST(FairEndToEndTest, PlacementRejectRuleAndRefreshQueues) {
  auto started = StartFairCluster("  <queue name=\"a\"/>\n");
  ASSERT_NE(started, nullptr);
  TestCluster& cluster = *started;

  CommandResult ran = cluster.Yarn(ShellArgs("", 1, "true"));
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  auto report = cluster.Report(AppIdFrom(ran.out));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->queue(), "root." + CurrentUser());
  EXPECT_EQ(report->final_application_status(), proto::APP_SUCCEEDED);

  WriteAllocations(cluster,
                   "  <queue name=\"a\"/>\n"
                   "  <queuePlacementPolicy>\n"
                   "    <rule name=\"specified\" create=\"false\"/>\n"
                   "    <rule name=\"reject\"/>\n"
                   "  </queuePlacementPolicy>\n");
  CommandResult refresh = cluster.Yarn({"rmadmin", "-refreshQueues"});
  ASSERT_EQ(refresh.exit_code, 0) << refresh.out << refresh.err;

  CommandResult rejected = cluster.Yarn(ShellArgs("fresh", 1, "true"));
  EXPECT_NE(rejected.exit_code, 0) << rejected.out;
  std::string said = rejected.out + rejected.err;
  EXPECT_TRUE(absl::StrContains(said, "rejected by the queue placement policy (rule reject"))
      << said;
  EXPECT_EQ(cluster.Yarn({"queue", "-status", "root.fresh"}).exit_code, 255);

  WriteAllocations(cluster,
                   "  <queue name=\"a\"/>\n"
                   "  <queue name=\"fresh\"><weight>2</weight></queue>\n"
                   "  <queuePlacementPolicy>\n"
                   "    <rule name=\"specified\" create=\"false\"/>\n"
                   "    <rule name=\"reject\"/>\n"
                   "  </queuePlacementPolicy>\n");
  refresh = cluster.Yarn({"rmadmin", "-refreshQueues"});
  ASSERT_EQ(refresh.exit_code, 0) << refresh.out << refresh.err;
  CommandResult placed = cluster.Yarn(ShellArgs("fresh", 1, "true"));
  ASSERT_EQ(placed.exit_code, 0) << placed.out << placed.err;
  report = cluster.Report(AppIdFrom(placed.out));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->queue(), "root.fresh");
  EXPECT_EQ(report->final_application_status(), proto::APP_SUCCEEDED);
}

// An AM larger than its queue's maxContainerAllocation is refused by the scheduler: as in YARN
// the submission fails, and the report says which queue and limit refused it.
TEST(FairEndToEndTest, AnAmAboveTheQueuesMaxContainerAllocationFailsWithTheReason) {
  auto started = StartFairCluster(
      "  <queue name=\"tiny\">\n"
      "    <maxContainerAllocation>512 mb, 1 vcores</maxContainerAllocation>\n"
      "  </queue>\n");
  ASSERT_NE(started, nullptr);
  TestCluster& cluster = *started;
  Process client;
  std::string id = cluster.StartClient(client, ShellArgs("tiny", 1, "true"));
  ASSERT_FALSE(id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  std::string diagnostics;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto report = cluster.Report(id);
        if (!report.ok()) return false;
        diagnostics = report->diagnostics();
        return report->yarn_application_state() == proto::FAILED &&
               absl::StrContains(diagnostics, "maxContainerAllocation of queue root.tiny");
      },
      absl::Seconds(20)))
      << diagnostics;
  EXPECT_TRUE(absl::StrContains(diagnostics, "maximum allowed allocation=<memory:512, vCores:1>"))
      << diagnostics;
  client.Signal(SIGKILL);
}

}  // namespace
}  // namespace skein::testing
