// REST conformance, error statuses, UI pages and /metrics against a live in-process
// ResourceManager on 127.0.0.1 (ephemeral ports); see rm_web_test_fixture.h. Field lists are
// Hadoop's ResourceManagerRest documentation's.
#include "resourcemanager/web/rm_web_test_fixture.h"

namespace skein::web {
namespace {

using namespace webtest;  // NOLINT: the fixture's field lists and helpers

TEST_P(RmWebTest, ClusterInfoMetricsAndSchedulerFields) {
  for (const char* path : {"/ws/v1/cluster", "/ws/v1/cluster/info"}) {
    Reply r = Call("GET", path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_NE(r.content_type.find("application/json"), std::string::npos);
    ExpectFields(r.doc["clusterInfo"], kClusterInfo, "clusterInfo");
    EXPECT_EQ(r.doc["clusterInfo"]["id"], rm_->cluster_timestamp());
  }
  Reply m = Call("GET", "/ws/v1/cluster/metrics");
  ASSERT_EQ(m.status, 200);
  ExpectFields(m.doc["clusterMetrics"], kClusterMetrics, "clusterMetrics");
  EXPECT_EQ(m.doc["clusterMetrics"]["totalMB"], 8192);
  EXPECT_EQ(m.doc["clusterMetrics"]["activeNodes"], 1);
  Reply s = Call("GET", "/ws/v1/cluster/scheduler");
  ASSERT_EQ(s.status, 200) << s.body;
  const json& info = s.doc["scheduler"]["schedulerInfo"];
  if (!capacity()) {
    ExpectFields(info, kFifo, "fifoScheduler");
    EXPECT_EQ(info["type"], "fifoScheduler");
    return;
  }
  ExpectFields(info, kCapacityRoot, "capacityScheduler");
  EXPECT_EQ(info["type"], "capacityScheduler");
  EXPECT_EQ(info["queueName"], "root");
  ASSERT_GE(info["queues"]["queue"].size(), 1u) << info.dump();
  const json& leaf = info["queues"]["queue"][0];
  ExpectFields(leaf, kCapacityQueue, "capacity queue");
  ExpectFields(leaf, kCapacityLeaf, "capacity leaf");
  EXPECT_EQ(leaf["type"], "capacitySchedulerLeafQueueInfo");
  EXPECT_EQ(leaf["queueName"], "default");
  // With a running app its user appears in the leaf's users.
  SubmitApp("users", /*run=*/true);
  Reply busy = Call("GET", "/ws/v1/cluster/scheduler");
  const json& busy_leaf = busy.doc["scheduler"]["schedulerInfo"]["queues"]["queue"][0];
  EXPECT_EQ(busy_leaf["numActiveApplications"], 1) << busy_leaf.dump();
  EXPECT_EQ(busy_leaf["resourcesUsed"]["memory"], 1024);
  ASSERT_EQ(busy_leaf["users"]["user"].size(), 1u) << busy_leaf.dump();
  ExpectFields(busy_leaf["users"]["user"][0], kCapacityUser, "capacity user");
  EXPECT_EQ(busy_leaf["users"]["user"][0]["username"], "alice");
}

TEST_P(RmWebTest, RunningAppAcrossEveryEndpoint) {
  std::string id = SubmitApp("<b>etl</b>", /*run=*/true);
  Reply app = Call("GET", "/ws/v1/cluster/apps/" + id);
  ASSERT_EQ(app.status, 200) << app.body;
  const json& a = app.doc["app"];
  ExpectFields(a, kApp, "app");
  EXPECT_EQ(a["state"], "RUNNING");
  EXPECT_EQ(a["user"], "alice");
  EXPECT_EQ(a["name"], "<b>etl</b>");
  EXPECT_EQ(a["applicationType"], "SPARK");
  EXPECT_EQ(a["applicationTags"], "nightly");
  EXPECT_EQ(a["allocatedMB"], 1024);
  EXPECT_EQ(a["allocatedVCores"], 1);
  EXPECT_EQ(a["runningContainers"], 1);
  EXPECT_EQ(a["trackingUI"], "ApplicationMaster");
  EXPECT_EQ(a["amRPCAddress"], "127.0.0.1:4040");
  EXPECT_EQ(a["amHostHttpAddress"], "127.0.0.1:18042");

  Reply list = Call("GET", "/ws/v1/cluster/apps");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.doc["apps"]["app"].size(), 1u);
  ExpectFields(list.doc["apps"]["app"][0], kApp, "apps.app[]");
  // Filters.
  auto count = [&](const std::string& query) -> size_t {
    Reply r = Call("GET", "/ws/v1/cluster/apps?" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return r.doc["apps"]["app"].size();
  };
  EXPECT_EQ(count("states=running,accepted"), 1u);
  EXPECT_EQ(count("states=FINISHED"), 0u);
  EXPECT_EQ(count("finalStatus=UNDEFINED"), 1u);
  EXPECT_EQ(count("finalStatus=SUCCEEDED"), 0u);
  EXPECT_EQ(count("user=alice"), 1u);
  EXPECT_EQ(count("user=bob"), 0u);
  EXPECT_EQ(count("queue=default"), 1u);
  EXPECT_EQ(count("queue=other"), 0u);
  EXPECT_EQ(count("applicationTypes=spark"), 1u);
  EXPECT_EQ(count("applicationTypes=MAPREDUCE"), 0u);
  EXPECT_EQ(count("applicationTags=nightly"), 1u);
  EXPECT_EQ(count("applicationTags=hourly"), 0u);
  EXPECT_EQ(count("startedTimeBegin=1"), 1u);
  EXPECT_EQ(count(absl::StrCat("startedTimeBegin=", RealClock::Get().NowMillis() + 100000)), 0u);
  EXPECT_EQ(count("finishedTimeBegin=1"), 0u);
  EXPECT_EQ(count("limit=1"), 1u);

  Reply attempts = Call("GET", "/ws/v1/cluster/apps/" + id + "/appattempts");
  ASSERT_EQ(attempts.status, 200) << attempts.body;
  ASSERT_EQ(attempts.doc["appAttempts"]["appAttempt"].size(), 1u);
  const json& at = attempts.doc["appAttempts"]["appAttempt"][0];
  ExpectFields(at, kAttempt, "appAttempt");
  EXPECT_EQ(at["nodeId"], node_id_);
  EXPECT_EQ(at["appAttemptState"], "RUNNING");

  std::string attempt_id = at["appAttemptId"].get<std::string>();
  Reply one = Call("GET", "/ws/v1/cluster/apps/" + id + "/appattempts/" + attempt_id);
  ASSERT_EQ(one.status, 200) << one.body;
  ExpectFields(one.doc["appAttempt"], kAttempt, "appAttempt");
  Reply containers =
      Call("GET", "/ws/v1/cluster/apps/" + id + "/appattempts/" + attempt_id + "/containers");
  ASSERT_EQ(containers.status, 200) << containers.body;
  ASSERT_EQ(containers.doc["containers"]["container"].size(), 1u) << containers.body;
  const json& c = containers.doc["containers"]["container"][0];
  ExpectFields(c, kContainer, "container");
  EXPECT_EQ(c["allocatedMB"], 1024);
  EXPECT_EQ(c["containerId"], at["containerId"]);
  EXPECT_EQ(c["nodeId"], node_id_);
  ExpectError(Call("GET", "/ws/v1/cluster/apps/" + id + "/appattempts/" + attempt_id + "9"), 404,
              "NotFoundException", "not found");
  ExpectError(Call("GET", "/ws/v1/cluster/apps/" + id + "/appattempts/bogus/containers"), 400,
              "BadRequestException", "Invalid AppAttemptId: bogus");
  EXPECT_EQ(Call("GET", "/ws/v1/cluster/apps/" + id + "/queue").doc, json({{"queue", "default"}}));
  EXPECT_EQ(Call("GET", "/ws/v1/cluster/apps/" + id + "/priority").doc, json({{"priority", 0}}));

  Reply nodes = Call("GET", "/ws/v1/cluster/nodes");
  ASSERT_EQ(nodes.status, 200);
  ASSERT_EQ(nodes.doc["nodes"]["node"].size(), 1u);
  const json& n = nodes.doc["nodes"]["node"][0];
  ExpectFields(n, kNode, "node");
  ExpectFields(n["resourceUtilization"], kResourceUtilization, "resourceUtilization");
  EXPECT_EQ(n["usedMemoryMB"], 1024);
  EXPECT_EQ(n["availMemoryMB"], 7168);
  EXPECT_EQ(n["state"], "RUNNING");
  EXPECT_EQ(Call("GET", "/ws/v1/cluster/nodes?states=LOST").doc["nodes"]["node"].size(), 0u);
  EXPECT_EQ(Call("GET", "/ws/v1/cluster/nodes?states=running").doc["nodes"]["node"].size(), 1u);
  Reply node = Call("GET", "/ws/v1/cluster/nodes/" + node_id_);
  ASSERT_EQ(node.status, 200) << node.body;
  ExpectFields(node.doc["node"], kNode, "node");

  Reply m = Call("GET", "/ws/v1/cluster/metrics");
  EXPECT_EQ(m.doc["clusterMetrics"]["appsSubmitted"], 1);
  EXPECT_EQ(m.doc["clusterMetrics"]["appsRunning"], 1);
  EXPECT_EQ(m.doc["clusterMetrics"]["allocatedMB"], 1024);
  EXPECT_EQ(m.doc["clusterMetrics"]["availableMB"], 7168);
  EXPECT_EQ(m.doc["clusterMetrics"]["containersAllocated"], 1);

  Reply stats = Call("GET", "/ws/v1/cluster/appstatistics?states=running,finished");
  ASSERT_EQ(stats.status, 200) << stats.body;
  ASSERT_EQ(stats.doc["appStatInfo"]["statItem"].size(), 2u);
  EXPECT_EQ(stats.doc["appStatInfo"]["statItem"][0],
            json({{"state", "RUNNING"}, {"type", "*"}, {"count", 1}}));
  Reply all_stats = Call("GET", "/ws/v1/cluster/appstatistics");
  EXPECT_EQ(all_stats.doc["appStatInfo"]["statItem"].size(), 8u);

  Reply state = Call("GET", "/ws/v1/cluster/apps/" + id + "/state");
  EXPECT_EQ(state.status, 200);
  EXPECT_EQ(state.doc, json({{"state", "RUNNING"}}));
}

TEST_P(RmWebTest, XmlVariants) {
  std::string id = SubmitApp("xml-app", /*run=*/true);
  Reply m = Call("GET", "/ws/v1/cluster/metrics", "", "application/xml");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.content_type.find("application/xml"), std::string::npos);
  EXPECT_NE(m.body.find("<clusterMetrics><appsSubmitted>1</appsSubmitted>"), std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("<allocatedMB>1024</allocatedMB>"), std::string::npos);
  Reply apps = Call("GET", "/ws/v1/cluster/apps", "", "application/xml");
  EXPECT_NE(apps.body.find("<apps><app><id>" + id + "</id>"), std::string::npos) << apps.body;
  Reply nodes = Call("GET", "/ws/v1/cluster/nodes", "", "application/xml");
  EXPECT_NE(nodes.body.find("<usedMemoryMB>1024</usedMemoryMB>"), std::string::npos);
  Reply missing = Call("GET", "/ws/v1/cluster/apps/application_1_0099", "", "application/xml");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("<RemoteException><exception>NotFoundException</exception>"),
            std::string::npos)
      << missing.body;
}

TEST_P(RmWebTest, KillThroughStateEndpoint) {
  std::string id = SubmitApp("victim", /*run=*/true);
  std::string path = "/ws/v1/cluster/apps/" + id + "/state";
  ExpectError(Call("PUT", path + "?user.name=alice", R"({"state":"RUNNING"})"), 400,
              "BadRequestException", "Only 'KILLED' is allowed as a target state.");
  ExpectError(Call("PUT", path + "?user.name=alice", "{oops"), 400, "BadRequestException",
              "malformed");
  // No user.name: the request acts as hadoop.http.staticuser.user (dr.who), and without
  // yarn.acl.enable anyone may kill, as in Hadoop.
  Reply first = Call("PUT", path, R"({"state":"KILLED"})");
  EXPECT_EQ(first.status, 202) << first.body;
  EXPECT_NE(first.location.find(path), std::string::npos);
  EXPECT_EQ(first.doc["state"], "RUNNING");
  Reply after = Call("GET", path);
  EXPECT_EQ(after.doc["state"], "KILLED");
  Reply again = Call("PUT", path + "?user.name=alice", R"({"state":"KILLED"})");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.doc["state"], "KILLED");
  Reply m = Call("GET", "/ws/v1/cluster/metrics");
  EXPECT_EQ(m.doc["clusterMetrics"]["appsKilled"], 1);
  EXPECT_EQ(m.doc["clusterMetrics"]["allocatedMB"], 0);
  Reply killed = Call("GET", "/ws/v1/cluster/apps?states=KILLED");
  ASSERT_EQ(killed.doc["apps"]["app"].size(), 1u);
  EXPECT_EQ(killed.doc["apps"]["app"][0]["finalStatus"], "KILLED");
  EXPECT_GT(killed.doc["apps"]["app"][0]["finishedTime"].get<int64_t>(), 0);
}

TEST_P(RmWebTest, EveryErrorStatus) {
  ExpectError(Call("GET", "/ws/v1/cluster/apps/application_1_0099"), 404, "NotFoundException",
              "not found");
  ExpectError(Call("GET", "/ws/v1/cluster/apps/application_1_0099/appattempts"), 404,
              "NotFoundException", "not found");
  ExpectError(Call("GET", "/ws/v1/cluster/apps/application_1_0099/state"), 404, "NotFoundException",
              "not found");
  ExpectError(Call("PUT", "/ws/v1/cluster/apps/application_1_0099/state?user.name=a",
                   R"({"state":"KILLED"})"),
              404, "NotFoundException", "not found");
  ExpectError(Call("GET", "/ws/v1/cluster/apps/not-an-app"), 400, "BadRequestException",
              "Invalid ApplicationId: not-an-app");
  ExpectError(Call("GET", "/ws/v1/cluster/nodes/nohost:1"), 404, "NotFoundException",
              "nodeId, nohost:1, is not found");
  ExpectError(Call("GET", "/ws/v1/cluster/nodes?states=SLEEPING"), 400, "BadRequestException",
              "Invalid node state SLEEPING");
  ExpectError(Call("GET", "/ws/v1/cluster/apps?states=SLEEPING"), 400, "BadRequestException",
              "Invalid application-state SLEEPING");
  ExpectError(Call("GET", "/ws/v1/cluster/apps?finalStatus=MAYBE"), 400, "BadRequestException",
              "Invalid finalStatus MAYBE");
  ExpectError(Call("GET", "/ws/v1/cluster/apps?limit=0"), 400, "BadRequestException",
              "limit value must be greater then 0");
  ExpectError(Call("GET", "/ws/v1/cluster/apps?limit=ten"), 400, "BadRequestException",
              "NumberFormatException");
  ExpectError(Call("GET", "/ws/v1/cluster/apps?startedTimeBegin=-5"), 400, "BadRequestException",
              "startedTimeBegin must be greater than 0");
  ExpectError(Call("GET", "/ws/v1/cluster/apps?startedTimeBegin=10&startedTimeEnd=5"), 400,
              "BadRequestException", "startedTimeEnd must be greater than startTimeBegin");
  ExpectError(Call("GET", "/ws/v1/cluster/apps?finishedTimeBegin=10&finishedTimeEnd=5"), 400,
              "BadRequestException", "finishTimeEnd must be greater than finishTimeBegin");
  ExpectError(Call("GET", "/ws/v1/cluster/appstatistics?applicationTypes=a,b"), 400,
              "BadRequestException", "we temporarily support at most one applicationType");
  ExpectError(Call("POST", "/ws/v1/cluster/apps?user.name=alice", "{not json"), 400,
              "BadRequestException", "not valid JSON");
  ExpectError(Call("POST", "/ws/v1/cluster/apps?user.name=alice", R"({"application-name":"x"})"),
              400, "BadRequestException", "application-id");
  // An id this RM never issued.
  ExpectError(Call("POST", "/ws/v1/cluster/apps?user.name=alice",
                   R"({"application-id":"application_1_0001",
                       "am-container-spec":{"commands":{"command":"true"}}})"),
              400, "BadRequestException", "was not issued by this ResourceManager");
  // Anonymous changes act as dr.who (StaticUserWebFilter): past the user check, to the next error.
  ExpectError(Call("POST", "/ws/v1/cluster/apps", R"({"application-id":"application_1_0001"})"),
              400, "BadRequestException", "");
  EXPECT_EQ(Call("POST", "/ws/v1/cluster/apps/new-application").status, 200);
  auto head = http_->Head("/ws/v1/cluster/metrics");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  Reply not_allowed = Call("DELETE", "/ws/v1/cluster/apps");
  ExpectError(not_allowed, 405, "WebApplicationException", "Method Not Allowed");
  ExpectError(Call("GET", "/ws/v1/cluster/nothing-here"), 404, "NotFoundException",
              "/ws/v1/cluster/nothing-here");
  ExpectError(Call("GET", "/ws/v1/cluster/apps/application_1_0001/bogus"), 404, "NotFoundException",
              "no such resource");
  EXPECT_EQ(Call("GET", "/cluster/app/application_1_0099").status, 404);
}

TEST_P(RmWebTest, UiPagesShowTheAppAndNodeMemory) {
  std::string id = SubmitApp("<i>report</i>", /*run=*/true);
  Reply cluster = Call("GET", "/cluster", "", "text/html");
  ASSERT_EQ(cluster.status, 200);
  EXPECT_NE(cluster.content_type.find("text/html"), std::string::npos);
  EXPECT_NE(cluster.body.find("http-equiv=\"refresh\""), std::string::npos);
  EXPECT_NE(cluster.body.find("Apps Running"), std::string::npos);
  EXPECT_NE(cluster.body.find("Utilization, last hour</h3><svg"), std::string::npos);
  for (const std::string& path :
       std::vector<std::string>{"/cluster/apps", "/cluster/apps/RUNNING",
                                "/cluster/apps?state=running", "/cluster/app/" + id}) {
    Reply page = Call("GET", path, "", "text/html");
    ASSERT_EQ(page.status, 200) << path;
    EXPECT_NE(page.body.find(id), std::string::npos) << path;
    EXPECT_NE(page.body.find("&lt;i&gt;report&lt;/i&gt;"), std::string::npos) << path;
    EXPECT_EQ(page.body.find("<i>report</i>"), std::string::npos) << path << ": name not escaped";
  }
  EXPECT_EQ(Call("GET", "/cluster/apps/FINISHED", "", "text/html").body.find(id),
            std::string::npos);
  EXPECT_EQ(Call("GET", "/cluster/apps/SLEEPING", "", "text/html").status, 400);
  Reply nodes = Call("GET", "/cluster/nodes", "", "text/html");
  ASSERT_EQ(nodes.status, 200);
  for (const char* column :
       {"Node Address", "Node HTTP Address", "Last health-update", "Health-report", "Containers",
        "Mem Used", "Mem Avail", "VCores Used", "VCores Avail"}) {
    EXPECT_NE(nodes.body.find(column), std::string::npos) << column;
  }
  EXPECT_NE(nodes.body.find(node_id_), std::string::npos);
  EXPECT_NE(nodes.body.find("<td>1 GB</td><td>7 GB</td>"), std::string::npos) << nodes.body;
  Reply sched = Call("GET", "/cluster/scheduler", "", "text/html");
  ASSERT_EQ(sched.status, 200);
  EXPECT_NE(sched.body.find("class=\"bar\""), std::string::npos);
  // The kill button posts a form; it needs a user and then redirects to the app page.
  Reply page = Call("GET", "/cluster/app/" + id + "?user.name=alice", "", "text/html");
  EXPECT_NE(page.body.find("action=\"/cluster/app/" + id + "/kill\""), std::string::npos);
  auto r = http_->Post(("/cluster/app/" + id + "/kill").c_str(), "user.name=alice",
                       "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 303) << r->body;
  EXPECT_EQ(Call("GET", "/ws/v1/cluster/apps/" + id).doc["app"]["state"], "KILLED");
  // A user name cannot inject headers into the redirect.
  std::string other = SubmitApp("other", /*run=*/false);
  // Sortable columns: by name ascending "<i>report</i>" ('<' < 'o') comes first, descending last.
  std::string asc = Call("GET", "/cluster/apps?sort=name&order=asc", "", "text/html").body;
  ASSERT_NE(asc.find(other), std::string::npos);
  EXPECT_LT(asc.find(id), asc.find(other));
  std::string desc = Call("GET", "/cluster/apps?sort=name&order=desc", "", "text/html").body;
  EXPECT_GT(desc.find(id), desc.find(other));
  EXPECT_NE(desc.find("href=\"/cluster/apps?sort=name&amp;order=asc\""), std::string::npos);
  EXPECT_EQ(Call("GET", "/cluster/apps?sort=bogus", "", "text/html").status, 400);
  auto evil =
      http_->Post(("/cluster/app/" + other + "/kill").c_str(),
                  "user.name=a%0D%0ASet-Cookie:%20x%3D1", "application/x-www-form-urlencoded");
  ASSERT_TRUE(evil);
  EXPECT_EQ(evil->status, 303);
  EXPECT_FALSE(evil->has_header("Set-Cookie"));
  // Sent percent-encoded in one header line (httplib's client decodes Location when reading).
  EXPECT_NE(evil->get_header_value("Location").find("user.name=a\r\nSet-Cookie: x=1"),
            std::string::npos)
      << evil->get_header_value("Location");
}

TEST_P(RmWebTest, PrometheusMetrics) {
  SubmitApp("prom", /*run=*/true);
  for (const char* path : {"/metrics", "/prom"}) {
    auto r = http_->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->get_header_value("Content-Type").find("text/plain"), std::string::npos);
    EXPECT_NE(r->body.find("yarn_apps{state=\"running\"} 1\n"), std::string::npos) << r->body;
    EXPECT_NE(r->body.find("yarn_allocated_memory_bytes 1073741824\n"), std::string::npos);
    EXPECT_NE(r->body.find("yarn_total_memory_bytes 8589934592\n"), std::string::npos);
    EXPECT_NE(r->body.find("yarn_nodes{state=\"RUNNING\"} 1\n"), std::string::npos);
    EXPECT_NE(r->body.find("yarn_containers_allocated 1\n"), std::string::npos);
    // The RM's own gRPC calls (the fake NM's registration, the AM's) as latency histograms.
    EXPECT_NE(r->body.find("# TYPE skein_rpc_latency_seconds histogram\n"), std::string::npos);
    EXPECT_NE(r->body.find("skein_rpc_latency_seconds_count{method=\"skein.proto."
                           "ResourceTracker/RegisterNodeManager\"} "),
              std::string::npos)
        << r->body;
    EXPECT_NE(r->body.find("skein_rpc_latency_seconds_bucket{method=\"skein.proto."
                           "ApplicationMasterProtocol/RegisterApplicationMaster\",le=\"+Inf\"} "),
              std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Schedulers, RmWebTest, ::testing::Values("fifo", "capacity"));

}  // namespace
}  // namespace skein::web
