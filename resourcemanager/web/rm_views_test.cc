// Unit tests of the REST documents, the XML rendering, the submission parser, the HTML pages and
// the Prometheus text: pure functions, no server.
#include "resourcemanager/web/rm_views.h"

#include <gtest/gtest.h>

#include "resourcemanager/web/prometheus.h"
#include "resourcemanager/web/rm_ui.h"
#include "resourcemanager/web/xml.h"

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
  std::string page = RenderAppsPage(json::array({j}), AppsPageQuery{});
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

TEST(AppsPageTest, PagesThroughManyApps) {
  json apps = json::array();
  for (int i = 0; i < 250; ++i) apps.push_back({{"id", "application_1_" + std::to_string(i)}});
  AppsPageQuery q;
  q.page = 3;
  std::string page = RenderAppsPage(apps, q);
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
  EXPECT_NE(text.find("yarn_available_mb 7168\n"), std::string::npos);
  EXPECT_NE(text.find("yarn_nodes{state=\"RUNNING\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("yarn_queue_apps{queue=\"root\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE yarn_total_mb gauge"), std::string::npos);
}

}  // namespace
}  // namespace skein::web
