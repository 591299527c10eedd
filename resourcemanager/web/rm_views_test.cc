// Unit tests of the REST documents, the XML rendering, the submission parser, the HTML pages and
// the Prometheus text: pure functions, no server.
#include "resourcemanager/web/rm_views.h"

#include <gtest/gtest.h>

#include "common/web/xml.h"
#include "resourcemanager/web/prometheus.h"
#include "resourcemanager/web/rm_ui.h"
#include "resourcemanager/web/utilization_history.h"

namespace skein::web {
namespace {

using json = nlohmann::ordered_json;

TEST(XmlTest, ArraysRepeatTheirElementAndTextIsEscaped) {
  json doc = {{"apps", {{"app", json::array({{{"id", "a<1>"}}, {{"id", "b&2"}}})}}}};
  EXPECT_EQ(JsonToXml(doc),
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            "<apps><app><id>a&lt;1&gt;</id></app><app><id>b&amp;2</id></app></apps>");
  EXPECT_EQ(JsonToXml({{"x", {{"n", 5}, {"b", true}}}}).substr(55), "<x><n>5</n><b>true</b></x>");
}

TEST(StateNamesTest, HadoopNamesAndParseErrors) {
  EXPECT_EQ(FinalStatusName(proto::APP_SUCCEEDED), "SUCCEEDED");
  EXPECT_EQ(NodeStateName(proto::NS_UNHEALTHY), "UNHEALTHY");
  EXPECT_EQ(AttemptStateName(proto::APP_ATTEMPT_LAUNCHED), "LAUNCHED");
  EXPECT_EQ(*ParseAppState("running"), proto::RUNNING);
  auto bad = ParseAppState("SLEEPING");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Invalid application-state SLEEPING"), std::string::npos);
  EXPECT_FALSE(ParseAppState("APP_STATE_UNSPECIFIED").ok());
  EXPECT_FALSE(ParseFinalStatus("maybe").ok());
  EXPECT_EQ(*ParseNodeState("lost"), proto::NS_LOST);
  EXPECT_FALSE(ParseNodeState("gone").ok());
}

TEST(ParseSubmissionTest, HadoopDocumentedBody) {
  auto c = ParseSubmission(R"({
    "application-id":"application_1404203615263_0001",
    "application-name":"test",
    "queue":"default",
    "priority":3,
    "am-container-spec":{
      "local-resources":{"entry":[{"key":"AppMaster.jar","value":{
        "resource":"file:///tmp/AppMaster.jar","type":"FILE","visibility":"APPLICATION",
        "size":43004,"timestamp":1405452071209}}]},
      "commands":{"command":"sleep 1"},
      "environment":{"entry":[{"key":"A","value":"1"},{"key":"B","value":"2"}]}},
    "unmanaged-AM":false,
    "max-app-attempts":2,
    "resource":{"memory":1024,"vCores":1},
    "application-type":"YARN",
    "application-tags":{"tag":["x","y"]},
    "keep-containers-across-application-attempts":false})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->application_id().id(), 1);
  EXPECT_EQ(c->application_name(), "test");
  EXPECT_EQ(c->priority().priority(), 3);
  ASSERT_EQ(c->am_container_spec().command_size(), 1);
  EXPECT_EQ(c->am_container_spec().command(0), "sleep 1");
  EXPECT_EQ(c->am_container_spec().environment().at("B"), "2");
  EXPECT_EQ(c->am_container_spec().local_resources().at("AppMaster.jar").size(), 43004);
  EXPECT_EQ(c->resource().memory_mb(), 1024);
  EXPECT_EQ(c->max_app_attempts(), 2);
  EXPECT_EQ(c->applicationtags_size(), 2);
}

TEST(ParseSubmissionTest, SingleEntriesAsBareObjects) {
  auto c = ParseSubmission(R"({"application-id":"application_1_0002",
    "am-container-spec":{"environment":{"entry":{"key":"K","value":"V"}},
                         "commands":{"command":["a","b"]}}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->am_container_spec().environment().at("K"), "V");
  EXPECT_EQ(c->am_container_spec().command_size(), 2);
}

TEST(ParseSubmissionTest, BadBodiesNameTheProblem) {
  struct Case {
    const char* body;
    const char* expect;
  } cases[] = {
      {"{not json", "not valid JSON"},
      {"[1,2]", "must be a JSON object"},
      {"{}", "application-id"},
      {R"({"application-id":"app_1"})", "application-id"},
      {R"({"application-id":5})", "application-id"},
      {R"({"application-id":"application_1_0001","priority":"high"})", "priority"},
      {R"({"application-id":"application_1_0001","resource":{"memory":"lots"}})", "memory"},
      {R"({"application-id":"application_1_0001","resource":7})", "resource"},
      {R"({"application-id":"application_1_0001","unmanaged-AM":"no"})", "unmanaged-AM"},
      {R"({"application-id":"application_1_0001","am-container-spec":{"local-resources":
          {"entry":[{"key":"k","value":{"resource":"f","type":"DISK"}}]}}})",
       "type"},
      {R"({"application-id":"application_1_0001","am-container-spec":{"environment":
          {"entry":[{"value":"v"}]}}})",
       "environment"},
      {R"({"application-id":"application_1_0001","application-tags":{"tag":[1]}})", "tags"},
  };
  for (const auto& c : cases) {
    auto r = ParseSubmission(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << c.body << " -> " << r.status().message();
  }
}

TEST(AppJsonTest, FieldsUnitsAndTrackingUi) {
  proto::ApplicationReportProto r;
  r.mutable_application_id()->set_cluster_timestamp(100);
  r.mutable_application_id()->set_id(7);
  r.set_user("alice");
  r.set_name("<script>");
  r.set_yarn_application_state(proto::RUNNING);
  r.set_progress(0.5f);
  r.set_start_time(1000);
  r.set_trackingurl("http://am:1234/");
  r.add_application_tags("a");
  r.add_application_tags("b");
  r.mutable_app_resource_usage()->mutable_used_resources()->set_memory_mb(2048);
  r.mutable_app_resource_usage()->mutable_used_resources()->set_virtual_cores(2);
  json j = AppJson(r, 100, 6000);
  EXPECT_EQ(j["id"], "application_100_0007");
  EXPECT_EQ(j["progress"], 50.0);
  EXPECT_EQ(j["trackingUI"], "ApplicationMaster");
  EXPECT_EQ(j["elapsedTime"], 5000);
  EXPECT_EQ(j["applicationTags"], "a,b");
  EXPECT_EQ(j["allocatedMB"], 2048);
  EXPECT_EQ(j["allocatedVCores"], 2);
  EXPECT_EQ(j["finalStatus"], "UNDEFINED");
  EXPECT_EQ(j["clusterId"], 100);
  // The HTML page escapes the name.
  std::string page = RenderAppsPage(json::array({j}), 1, AppsPageQuery{});
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;"), std::string::npos);
}

TEST(ClusterPageTest, MetricsAndUtilizationChart) {
  json info = {{"id", 5}, {"startedOn", 5}, {"resourceManagerVersion", "v"}};
  json m = {{"appsRunning", 3}, {"allocatedMB", 2048}, {"totalMB", 8192}};
  std::string page =
      RenderClusterPage(info, m, {{0, 10.0, 5.0}, {60000, 50.0, 25.0}, {120000, 100.0, 0.0}});
  EXPECT_NE(page.find("Apps Running"), std::string::npos);
  EXPECT_NE(page.find("<div class=\"v\">3</div>"), std::string::npos);
  EXPECT_NE(page.find("<div class=\"v\">2 GB</div>"), std::string::npos);
  // Memory line: x spans 0..600, y = 120 - pct * 1.2.
  EXPECT_NE(page.find("points=\"0,108 300,60 600,0 \""), std::string::npos) << page;
  // Fewer than two samples: an empty chart, no polyline.
  EXPECT_EQ(RenderClusterPage(info, m, {}).find("polyline"), std::string::npos);
}

TEST(UtilizationHistoryTest, RingKeepsTheNewestSamplesOldestFirst) {
  UtilizationHistory h(3);
  EXPECT_TRUE(h.Samples().empty());
  for (int i = 1; i <= 5; ++i) h.Add({i * 10000, i * 10.0, i * 5.0});
  std::vector<UtilizationSample> s = h.Samples();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].time_ms, 30000);
  EXPECT_EQ(s[2].time_ms, 50000);
  EXPECT_DOUBLE_EQ(s[2].memory_pct, 50.0);
  // An hour at one sample per 10 s, both ends included.
  UtilizationHistory hour;
  for (int i = 0; i < 1000; ++i) hour.Add({i * 10000, 50.0, 25.0});
  s = hour.Samples();
  ASSERT_EQ(s.size(), 361u);
  EXPECT_EQ(s.back().time_ms - s.front().time_ms, 3600000);
  // The page draws those samples: memory at 50 % is y = 60 from x = 0 to 600.
  std::string page = RenderClusterPage(json::object(), json::object(), s);
  EXPECT_NE(page.find("<polyline fill=\"none\" stroke=\"#3c8d5a\" stroke-width=\"2\" "
                      "points=\"0,60 "),
            std::string::npos);
  EXPECT_NE(page.find(" 600,60 \""), std::string::npos);
  EXPECT_NE(page.find(" 600,90 \""), std::string::npos);  // vcores at 25 %
}

TEST(AppsPageTest, PagesThroughManyApps) {
  json apps = json::array();
  for (int i = 0; i < 250; ++i) apps.push_back({{"id", "application_1_" + std::to_string(i)}});
  AppsPageQuery q;
  q.page = 3;
  auto [begin, end] = AppsPageRange(250, q);
  EXPECT_EQ(begin, 200);
  EXPECT_EQ(end, 250);
  q.page = 99;  // past the end: the last page
  EXPECT_EQ(AppsPageRange(250, q), std::make_pair(int64_t{200}, int64_t{250}));
  EXPECT_EQ(AppsPageRange(0, q), std::make_pair(int64_t{0}, int64_t{0}));
  json shown = json::array();
  for (int64_t i = begin; i < end; ++i) shown.push_back(apps[i]);
  std::string page = RenderAppsPage(shown, 250, q);
  EXPECT_NE(page.find("page 3 of 3"), std::string::npos);
  EXPECT_NE(page.find("application_1_249"), std::string::npos);
  EXPECT_EQ(page.find("application_1_199<"), std::string::npos);
  EXPECT_NE(page.find("http-equiv=\"refresh\""), std::string::npos);
}

TEST(SchedulerJsonTest, FifoAndCapacityShapes) {
  SchedulerInput in;
  in.class_name = "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler";
  in.root.name = "default";
  in.metrics.total = Resource(8192, 8);
  in.metrics.allocated = Resource(2048, 1);
  in.metrics.nodes[proto::NS_RUNNING] = 1;
  in.minimum_allocation = Resource(1024, 1);
  in.maximum_allocation = Resource(8192, 4);
  json f = SchedulerJson(in)["scheduler"]["schedulerInfo"];
  EXPECT_EQ(f["type"], "fifoScheduler");
  EXPECT_EQ(f["usedNodeCapacity"], 2048);
  EXPECT_EQ(f["availNodeCapacity"], 6144);
  EXPECT_EQ(f["numNodes"], 1);
  EXPECT_DOUBLE_EQ(f["usedCapacity"].get<double>(), 0.25);

  in.class_name = "...capacity.CapacityScheduler";
  in.root.name = "root";
  rm::QueueSnapshot a;
  a.name = "a";
  a.path = "root.a";
  a.capacity = 0.5;
  a.maximum_capacity = 1.0;
  in.root.children = {a};
  json c = SchedulerJson(in)["scheduler"]["schedulerInfo"];
  EXPECT_EQ(c["type"], "capacityScheduler");
  ASSERT_EQ(c["queues"]["queue"].size(), 1u);
  EXPECT_EQ(c["queues"]["queue"][0]["type"], "capacitySchedulerLeafQueueInfo");
  EXPECT_DOUBLE_EQ(c["queues"]["queue"][0]["absoluteCapacity"].get<double>(), 50.0);
  EXPECT_NE(RenderSchedulerPage(c).find("class=\"bar\""), std::string::npos);
}

// A leaf with users, filled the way the Capacity scheduler fills its snapshots.
TEST(SchedulerJsonTest, CapacityLeafFieldsAndUsers) {
  SchedulerInput in;
  in.class_name =
      "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity."
      "CapacityScheduler";
  in.root.name = "root";
  in.root.path = "root";
  rm::QueueSnapshot parent;
  parent.name = "eng";
  parent.path = "root.eng";
  parent.capacity = 0.6;
  parent.maximum_capacity = 1.0;
  rm::QueueSnapshot leaf;
  leaf.name = "etl";
  leaf.path = "root.eng.etl";
  leaf.capacity = 0.5;
  leaf.maximum_capacity = 0.5;
  leaf.used_capacity = 0.5;
  leaf.num_applications = 3;
  leaf.num_active_applications = 2;
  leaf.num_pending_applications = 1;
  leaf.num_containers = 4;
  leaf.max_applications = 3000;
  leaf.max_applications_per_user = 3000;
  leaf.used = Resource(3072, 4);
  leaf.am_used = Resource(1024, 1);
  leaf.am_limit = Resource(2048, 1);
  leaf.max_am_resource_percent = 0.1;
  leaf.user_limit_factor = 2.0;
  leaf.minimum_user_limit_percent = 25;
  leaf.preemption_disabled = true;
  leaf.default_application_priority = 3;
  leaf.users = {{"alice", Resource(2048, 3), Resource(1024, 1), Resource(4096, 4), 2, 0},
                {"bob", Resource(1024, 1), Resource(), Resource(4096, 4), 0, 1}};
  parent.children = {leaf};
  in.root.children = {parent};
  json c = SchedulerJson(in)["scheduler"]["schedulerInfo"];
  ASSERT_EQ(c["queues"]["queue"].size(), 1u);
  const json& p = c["queues"]["queue"][0];
  EXPECT_FALSE(p.contains("type"));
  EXPECT_EQ(p["queuePath"], "root.eng");
  const json& l = p["queues"]["queue"][0];
  EXPECT_EQ(l["type"], "capacitySchedulerLeafQueueInfo");
  EXPECT_DOUBLE_EQ(l["capacity"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(l["absoluteCapacity"].get<double>(), 30.0);
  EXPECT_DOUBLE_EQ(l["absoluteMaxCapacity"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(l["absoluteUsedCapacity"].get<double>(), 15.0);
  EXPECT_EQ(l["usedResources"], "<memory:3072, vCores:4>");
  EXPECT_EQ(l["resourcesUsed"], json({{"memory", 3072}, {"vCores", 4}}));
  EXPECT_EQ(l["numActiveApplications"], 2);
  EXPECT_EQ(l["numPendingApplications"], 1);
  EXPECT_EQ(l["numContainers"], 4);
  EXPECT_EQ(l["maxApplications"], 3000);
  EXPECT_EQ(l["maxApplicationsPerUser"], 3000);
  EXPECT_EQ(l["userLimit"], 25);
  EXPECT_DOUBLE_EQ(l["userLimitFactor"].get<double>(), 2.0);
  EXPECT_EQ(l["AMResourceLimit"], json({{"memory", 2048}, {"vCores", 1}}));
  EXPECT_EQ(l["usedAMResource"], json({{"memory", 1024}, {"vCores", 1}}));
  EXPECT_EQ(l["preemptionDisabled"], true);
  EXPECT_EQ(l["defaultPriority"], 3);
  ASSERT_EQ(l["users"]["user"].size(), 2u);
  const json& alice = l["users"]["user"][0];
  EXPECT_EQ(alice["username"], "alice");
  EXPECT_EQ(alice["resourcesUsed"], json({{"memory", 2048}, {"vCores", 3}}));
  EXPECT_EQ(alice["AMResourceUsed"], json({{"memory", 1024}, {"vCores", 1}}));
  EXPECT_EQ(alice["userResourceLimit"], json({{"memory", 4096}, {"vCores", 4}}));
  EXPECT_EQ(alice["numActiveApplications"], 2);
  EXPECT_EQ(l["users"]["user"][1]["numPendingApplications"], 1);
  // Unlimited is Java's Integer.MAX_VALUE; XML repeats <user>.
  leaf.max_applications = -1;
  in.root.children[0].children = {leaf};
  json again = SchedulerJson(in);
  EXPECT_EQ(again["scheduler"]["schedulerInfo"]["queues"]["queue"][0]["queues"]["queue"][0]
                 ["maxApplications"],
            2147483647);
  std::string xml = JsonToXml(again);
  EXPECT_NE(xml.find("<users><user><username>alice</username>"), std::string::npos) << xml;
}

TEST(SchedulerJsonTest, FairShape) {
  SchedulerInput in;
  in.class_name = "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fair.FairScheduler";
  in.metrics.total = Resource(8192, 8);
  in.maximum_allocation = Resource(4096, 4);
  in.root.name = "root";
  in.root.path = "root";
  in.root.has_fair = true;
  in.root.fair.is_parent = true;
  in.root.fair.fair_share = Resource(8192, 8);
  in.root.used = Resource(2048, 2);
  rm::QueueSnapshot leaf;
  leaf.name = "default";
  leaf.path = "root.default";
  leaf.has_fair = true;
  leaf.used = Resource(2048, 2);
  leaf.am_used = Resource(1024, 1);
  leaf.num_active_applications = 1;
  leaf.num_pending_applications = 2;
  leaf.num_containers = 2;
  leaf.fair.min_resources = Resource(1024, 1);
  leaf.fair.max_resources = Resource(6144, 6);
  leaf.fair.fair_share = Resource(4096, 4);
  leaf.fair.steady_fair_share = Resource(4096, 4);
  leaf.fair.demand = Resource(5120, 5);
  leaf.fair.weight = 2.0;
  leaf.fair.scheduling_policy = "drf";
  leaf.fair.max_running_apps = 10;
  leaf.fair.max_am_share = 0.5;
  in.root.children = {leaf};
  json s = SchedulerJson(in)["scheduler"]["schedulerInfo"];
  EXPECT_EQ(s["type"], "fairScheduler");
  const json& root = s["rootQueue"];
  EXPECT_EQ(root["queueName"], "root");
  EXPECT_FALSE(root.contains("type"));
  EXPECT_EQ(root["maxApps"], 2147483647);
  EXPECT_EQ(root["maxResources"], json({{"memory", 8192}, {"vCores", 8}}));  // unset: cluster
  EXPECT_EQ(root["clusterResources"], json({{"memory", 8192}, {"vCores", 8}}));
  ASSERT_EQ(root["childQueues"]["queue"].size(), 1u);
  const json& l = root["childQueues"]["queue"][0];
  EXPECT_EQ(l["type"], "fairSchedulerLeafQueueInfo");
  EXPECT_EQ(l["queueName"], "root.default");
  EXPECT_EQ(l["maxApps"], 10);
  EXPECT_EQ(l["minResources"], json({{"memory", 1024}, {"vCores", 1}}));
  EXPECT_EQ(l["maxResources"], json({{"memory", 6144}, {"vCores", 6}}));
  EXPECT_EQ(l["usedResources"], json({{"memory", 2048}, {"vCores", 2}}));
  EXPECT_EQ(l["fairResources"], json({{"memory", 4096}, {"vCores", 4}}));
  EXPECT_EQ(l["steadyFairResources"], json({{"memory", 4096}, {"vCores", 4}}));
  EXPECT_EQ(l["demandResources"], json({{"memory", 5120}, {"vCores", 5}}));
  EXPECT_EQ(l["amUsedResources"], json({{"memory", 1024}, {"vCores", 1}}));
  EXPECT_EQ(l["amMaxResources"], json({{"memory", 2048}, {"vCores", 2}}));
  EXPECT_EQ(l["maxContainerAllocation"], json({{"memory", 4096}, {"vCores", 4}}));  // cluster's
  EXPECT_EQ(l["schedulingPolicy"], "drf");
  {
    // A queue's own maxContainerAllocation shows where it is below the scheduler's maximum,
    // type by type.
    SchedulerInput limited = in;
    limited.root.children[0].fair.max_container_allocation = Resource(2048, 8);
    json q = SchedulerJson(
        limited)["scheduler"]["schedulerInfo"]["rootQueue"]["childQueues"]["queue"][0];
    EXPECT_EQ(q["maxContainerAllocation"], json({{"memory", 2048}, {"vCores", 4}}));
  }
  EXPECT_EQ(l["numActiveApps"], 1);
  EXPECT_EQ(l["numPendingApps"], 2);
  EXPECT_EQ(l["allocatedContainers"], 2);
  EXPECT_DOUBLE_EQ(l["weight"].get<double>(), 2.0);
  // The page draws fair share, maximum and use as shares of the cluster.
  std::string page = RenderSchedulerPage(s);
  EXPECT_NE(page.find("root.default"), std::string::npos);
  EXPECT_NE(page.find("<div class=\"u\" style=\"width:25%\">"), std::string::npos) << page;
  EXPECT_NE(page.find("<div class=\"g\" style=\"width:50%\">"), std::string::npos) << page;
}

TEST(PrometheusTest, ClusterAndQueueGauges) {
  rm::RmCore::WebClusterMetrics m;
  m.counters.apps_submitted = 3;
  m.apps_running = 1;
  m.total = Resource(8192, 8);
  m.allocated = Resource(1024, 1);
  m.nodes[proto::NS_RUNNING] = 2;
  rm::QueueSnapshot root;
  root.name = "root";
  root.path = "root";
  std::string text = RenderPrometheus(m, &root);
  EXPECT_NE(text.find("yarn_apps{state=\"submitted\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("yarn_apps{state=\"running\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("yarn_available_memory_bytes 7516192768\n"), std::string::npos);
  EXPECT_NE(text.find("yarn_nodes{state=\"RUNNING\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("yarn_queue_apps{queue=\"root\"} 0\n"), std::string::npos);
  rm::QueueSnapshot leaf;
  leaf.path = "root.a";
  leaf.absolute_maximum_capacity = 0.5;
  leaf.used = Resource(1024, 1);
  leaf.pending = Resource(2048, 2);
  leaf.num_containers = 1;
  leaf.num_active_applications = 1;
  leaf.num_pending_applications = 2;
  root.children = {leaf};
  text = RenderPrometheus(m, &root);
  for (const char* line : {"yarn_queue_apps_active{queue=\"root.a\"} 1\n",
                           "yarn_queue_apps_pending{queue=\"root.a\"} 2\n",
                           "yarn_queue_available_memory_bytes{queue=\"root.a\"} 3221225472\n",
                           "yarn_queue_available_vcores{queue=\"root.a\"} 3\n",
                           "yarn_queue_pending_memory_bytes{queue=\"root.a\"} 2147483648\n",
                           "yarn_queue_containers{queue=\"root.a\"} 1\n",
                           "# TYPE yarn_queue_pending_vcores gauge\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  }
  EXPECT_NE(text.find("# TYPE yarn_total_memory_bytes gauge"), std::string::npos);
}

}  // namespace
}  // namespace skein::web
