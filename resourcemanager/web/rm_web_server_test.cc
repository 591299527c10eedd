// REST conformance, error statuses, UI pages and /metrics against a live in-process
// ResourceManager on 127.0.0.1 (ephemeral ports). A fake NodeManager registers over the real
// ResourceTracker protocol and serves a fake ContainerManagementProtocol that records the AM
// launch; the test then registers the AM with the AMRM token it received, so the application is
// truly RUNNING with an allocated AM container. Field lists below are Hadoop's
// ResourceManagerRest documentation's.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/conf/configuration.h"
#include "common/rpc.h"
#include "nlohmann/json.hpp"
#include "protos/am_protocol.grpc.pb.h"
#include "protos/container_manager.grpc.pb.h"
#include "protos/resource_tracker.grpc.pb.h"
#include "resourcemanager/resource_manager.h"

namespace skein::web {
namespace {

using json = nlohmann::ordered_json;

// Records every container the RM asks it to start.
class FakeContainerManager final : public proto::ContainerManagementProtocol::Service {
 public:
  grpc::Status StartContainers(grpc::ServerContext*, const proto::StartContainersRequest* req,
                               proto::StartContainersResponse* resp) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& one : req->start_container_request()) {
      launches_.push_back(one.container_launch_context());
      proto::ContainerTokenIdentifierProto ident;
      ident.ParseFromString(one.container_token().identifier());
      *resp->add_succeeded_requests() = ident.container_id();
    }
    return grpc::Status::OK;
  }
  grpc::Status StopContainers(grpc::ServerContext*, const proto::StopContainersRequest*,
                              proto::StopContainersResponse*) override {
    return grpc::Status::OK;
  }
  // The AMRM token of the latest AM launch, waiting up to `timeout`.
  std::string WaitForAmToken(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!launches_.empty()) {
          auto it = launches_.back().environment().find("SKEIN_AMRM_TOKEN");
          if (it != launches_.back().environment().end()) return it->second;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "";
  }

 private:
  std::mutex mu_;
  std::vector<proto::ContainerLaunchContextProto> launches_;
};

// Expected field name -> JSON type: s string, i integer, n number, b boolean, o object.
using Fields = std::map<std::string, char>;

void ExpectFields(const json& obj, const Fields& fields, const std::string& what) {
  ASSERT_TRUE(obj.is_object()) << what << ": " << obj.dump();
  for (const auto& [name, type] : fields) {
    ASSERT_TRUE(obj.contains(name)) << what << " lacks '" << name << "': " << obj.dump();
    const json& v = obj[name];
    bool ok = (type == 's' && v.is_string()) || (type == 'i' && v.is_number_integer()) ||
              (type == 'n' && v.is_number()) || (type == 'b' && v.is_boolean()) ||
              (type == 'o' && v.is_object());
    EXPECT_TRUE(ok) << what << "." << name << " should be '" << type << "', is " << v.dump();
  }
}

const Fields kClusterInfo = {{"id", 'i'},
                             {"startedOn", 'i'},
                             {"state", 's'},
                             {"haState", 's'},
                             {"rmStateStoreName", 's'},
                             {"resourceManagerVersion", 's'},
                             {"resourceManagerBuildVersion", 's'},
                             {"resourceManagerVersionBuiltOn", 's'},
                             {"hadoopVersion", 's'},
                             {"hadoopBuildVersion", 's'},
                             {"hadoopVersionBuiltOn", 's'},
                             {"haZooKeeperConnectionState", 's'}};
const Fields kClusterMetrics = {{"appsSubmitted", 'i'},
                                {"appsCompleted", 'i'},
                                {"appsPending", 'i'},
                                {"appsRunning", 'i'},
                                {"appsFailed", 'i'},
                                {"appsKilled", 'i'},
                                {"reservedMB", 'i'},
                                {"availableMB", 'i'},
                                {"allocatedMB", 'i'},
                                {"totalMB", 'i'},
                                {"reservedVirtualCores", 'i'},
                                {"availableVirtualCores", 'i'},
                                {"allocatedVirtualCores", 'i'},
                                {"totalVirtualCores", 'i'},
                                {"containersAllocated", 'i'},
                                {"containersReserved", 'i'},
                                {"containersPending", 'i'},
                                {"totalNodes", 'i'},
                                {"activeNodes", 'i'},
                                {"lostNodes", 'i'},
                                {"unhealthyNodes", 'i'},
                                {"decommissioningNodes", 'i'},
                                {"decommissionedNodes", 'i'},
                                {"rebootedNodes", 'i'},
                                {"shutdownNodes", 'i'}};
const Fields kApp = {{"id", 's'},
                     {"user", 's'},
                     {"name", 's'},
                     {"queue", 's'},
                     {"state", 's'},
                     {"finalStatus", 's'},
                     {"progress", 'n'},
                     {"trackingUI", 's'},
                     {"trackingUrl", 's'},
                     {"diagnostics", 's'},
                     {"clusterId", 'i'},
                     {"applicationType", 's'},
                     {"applicationTags", 's'},
                     {"priority", 'i'},
                     {"startedTime", 'i'},
                     {"finishedTime", 'i'},
                     {"elapsedTime", 'i'},
                     {"amContainerLogs", 's'},
                     {"amHostHttpAddress", 's'},
                     {"amRPCAddress", 's'},
                     {"allocatedMB", 'i'},
                     {"allocatedVCores", 'i'},
                     {"runningContainers", 'i'},
                     {"memorySeconds", 'i'},
                     {"vcoreSeconds", 'i'},
                     {"queueUsagePercentage", 'n'},
                     {"clusterUsagePercentage", 'n'},
                     {"preemptedResourceMB", 'i'},
                     {"preemptedResourceVCores", 'i'},
                     {"numNonAMContainerPreempted", 'i'},
                     {"numAMContainerPreempted", 'i'},
                     {"logAggregationStatus", 's'},
                     {"unmanagedApplication", 'b'},
                     {"appNodeLabelExpression", 's'},
                     {"amNodeLabelExpression", 's'}};
const Fields kAttempt = {{"id", 'i'},           {"nodeId", 's'},       {"nodeHttpAddress", 's'},
                         {"logsLink", 's'},     {"containerId", 's'},  {"startTime", 'i'},
                         {"finishedTime", 'i'}, {"appAttemptId", 's'}, {"appAttemptState", 's'}};
const Fields kNode = {{"rack", 's'},
                      {"state", 's'},
                      {"id", 's'},
                      {"nodeHostName", 's'},
                      {"nodeHTTPAddress", 's'},
                      {"lastHealthUpdate", 'i'},
                      {"version", 's'},
                      {"healthReport", 's'},
                      {"numContainers", 'i'},
                      {"usedMemoryMB", 'i'},
                      {"availMemoryMB", 'i'},
                      {"usedVirtualCores", 'i'},
                      {"availableVirtualCores", 'i'},
                      {"resourceUtilization", 'o'}};
const Fields kResourceUtilization = {{"nodePhysicalMemoryMB", 'i'},
                                     {"nodeVirtualMemoryMB", 'i'},
                                     {"nodeCPUUsage", 'n'},
                                     {"aggregatedContainersPhysicalMemoryMB", 'i'},
                                     {"aggregatedContainersVirtualMemoryMB", 'i'},
                                     {"containersCPUUsage", 'n'}};
const Fields kFifo = {{"type", 's'},
                      {"capacity", 'n'},
                      {"usedCapacity", 'n'},
                      {"qstate", 's'},
                      {"minQueueMemoryCapacity", 'i'},
                      {"maxQueueMemoryCapacity", 'i'},
                      {"numNodes", 'i'},
                      {"usedNodeCapacity", 'i'},
                      {"availNodeCapacity", 'i'},
                      {"totalNodeCapacity", 'i'},
                      {"numContainers", 'i'}};
const Fields kCapacityRoot = {{"type", 's'},        {"capacity", 'n'},  {"usedCapacity", 'n'},
                              {"maxCapacity", 'n'}, {"queueName", 's'}, {"queues", 'o'}};
const Fields kCapacityQueue = {{"capacity", 'n'},
                               {"usedCapacity", 'n'},
                               {"maxCapacity", 'n'},
                               {"absoluteCapacity", 'n'},
                               {"absoluteMaxCapacity", 'n'},
                               {"absoluteUsedCapacity", 'n'},
                               {"numApplications", 'i'},
                               {"usedResources", 's'},
                               {"queueName", 's'},
                               {"state", 's'},
                               {"resourcesUsed", 'o'},
                               {"type", 's'}};
const Fields kContainer = {{"containerId", 's'},
                           {"allocatedMB", 'i'},
                           {"allocatedVCores", 'i'},
                           {"assignedNodeId", 's'},
                           {"priority", 'i'},
                           {"startedTime", 'i'},
                           {"finishedTime", 'i'},
                           {"elapsedTime", 'i'},
                           {"diagnosticsInfo", 's'},
                           {"logUrl", 's'},
                           {"containerExitStatus", 'i'},
                           {"containerState", 's'},
                           {"nodeHttpAddress", 's'},
                           {"nodeId", 's'}};
const Fields kRemoteException = {{"exception", 's'}, {"message", 's'}, {"javaClassName", 's'}};

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string location;
  json doc;
};

// Every test runs against the FIFO and the Capacity scheduler.
class RmWebTest : public ::testing::TestWithParam<std::string> {
 protected:
  bool capacity() const { return GetParam() == "capacity"; }
  void SetUp() override {
    conf::Configuration conf = conf::Configuration::WithYarnDefaults();
    conf.Set("yarn.resourcemanager.scheduler.class", GetParam());
    for (const char* key :
         {"yarn.resourcemanager.address", "yarn.resourcemanager.scheduler.address",
          "yarn.resourcemanager.resource-tracker.address", "yarn.resourcemanager.admin.address",
          "yarn.resourcemanager.webapp.address"}) {
      conf.Set(key, "127.0.0.1:0");
    }
    auto rm = rm::ResourceManager::Create(conf, RealClock::Get());
    ASSERT_TRUE(rm.ok()) << rm.status();
    rm_ = std::move(*rm);
    ASSERT_TRUE(rm_->Start().ok());
    std::string web = rm_->webapp_address();
    int port = std::stoi(web.substr(web.rfind(':') + 1));
    ASSERT_GT(port, 0) << web;
    http_ = std::make_unique<httplib::Client>("127.0.0.1", port);
    http_->set_read_timeout(10, 0);
    http_->set_connection_timeout(5, 0);

    int cm_port = 0;
    auto cm = StartGrpcServer("127.0.0.1:0", "fake-nm", {&cm_}, &cm_port);
    ASSERT_TRUE(cm.ok()) << cm.status();
    cm_server_ = std::move(*cm);
    node_id_ = absl::StrCat("127.0.0.1:", cm_port);
    auto tracker = proto::ResourceTracker::NewStub(MakeChannel(rm_->resource_tracker_address()));
    proto::RegisterNodeManagerRequest reg;
    reg.mutable_node_id()->set_host("127.0.0.1");
    reg.mutable_node_id()->set_port(cm_port);
    reg.set_http_port(18042);
    reg.set_nm_version("fake-nm-1");
    reg.mutable_resource()->set_memory_mb(8192);
    reg.mutable_resource()->set_virtual_cores(8);
    proto::RegisterNodeManagerResponse resp;
    auto ctx = MakeClientContext();
    ASSERT_TRUE(tracker->RegisterNodeManager(ctx.get(), reg, &resp).ok());
    ASSERT_EQ(resp.nodeaction(), proto::NORMAL);
  }

  void TearDown() override {
    if (rm_) rm_->Stop();
    if (cm_server_) cm_server_->Shutdown(std::chrono::system_clock::now());
  }

  Reply Call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& accept = "application/json") {
    httplib::Headers headers = {{"Accept", accept}};
    auto send = [&]() -> httplib::Result {
      if (method == "POST") return http_->Post(path.c_str(), headers, body, "application/json");
      if (method == "PUT") return http_->Put(path.c_str(), headers, body, "application/json");
      if (method == "DELETE") return http_->Delete(path.c_str(), headers);
      return http_->Get(path.c_str(), headers);
    };
    httplib::Result r = send();
    Reply out;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no response";
      return out;
    }
    out.status = r->status;
    out.body = r->body;
    out.content_type = r->get_header_value("Content-Type");
    out.location = r->get_header_value("Location");
    if (out.content_type.find("json") != std::string::npos) {
      out.doc = json::parse(out.body, nullptr, false);
    }
    return out;
  }

  // Submits through REST as `user` and, with `run`, registers the AM so the app is RUNNING.
  std::string SubmitApp(const std::string& name, bool run, const std::string& user = "alice") {
    Reply fresh = Call("POST", "/ws/v1/cluster/apps/new-application?user.name=" + user);
    EXPECT_EQ(fresh.status, 200) << fresh.body;
    std::string id = fresh.doc.value("application-id", "");
    EXPECT_EQ(fresh.doc["maximum-resource-capability"]["memory"], 8192);
    json body = {{"application-id", id},
                 {"application-name", name},
                 {"queue", "default"},
                 {"priority", 0},
                 {"am-container-spec",
                  {{"commands", {{"command", "sleep 60"}}},
                   {"environment", {{"entry", json::array({{{"key", "K"}, {"value", "V"}}})}}}}},
                 {"max-app-attempts", 1},
                 {"resource", {{"memory", 1024}, {"vCores", 1}}},
                 {"application-type", "SPARK"},
                 {"application-tags", {{"tag", json::array({"nightly"})}}}};
    Reply sub = Call("POST", "/ws/v1/cluster/apps?user.name=" + user, body.dump());
    EXPECT_EQ(sub.status, 202) << sub.body;
    EXPECT_NE(sub.location.find("/ws/v1/cluster/apps/" + id), std::string::npos) << sub.location;
    if (run) {
      std::string token = cm_.WaitForAmToken(std::chrono::seconds(10));
      EXPECT_FALSE(token.empty()) << "the AM container was never launched";
      auto am = proto::ApplicationMasterProtocol::NewStub(MakeChannel(rm_->scheduler_address()));
      auto ctx = MakeClientContext();
      ctx->AddMetadata(kAmrmTokenMetadataKey, token);
      proto::RegisterApplicationMasterRequest req;
      req.set_host("127.0.0.1");
      req.set_rpc_port(4040);
      req.set_tracking_url("http://127.0.0.1:4040/");
      proto::RegisterApplicationMasterResponse resp;
      auto s = am->RegisterApplicationMaster(ctx.get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return id;
  }

  void ExpectError(const Reply& r, int status, const std::string& exception,
                   const std::string& message_part) {
    EXPECT_EQ(r.status, status) << r.body;
    ASSERT_TRUE(r.doc.is_object()) << r.body;
    ASSERT_TRUE(r.doc.contains("RemoteException")) << r.body;
    ExpectFields(r.doc["RemoteException"], kRemoteException, "RemoteException");
    EXPECT_EQ(r.doc["RemoteException"]["exception"], exception) << r.body;
    EXPECT_NE(r.doc["RemoteException"]["message"].get<std::string>().find(message_part),
              std::string::npos)
        << r.body;
  }

  std::unique_ptr<rm::ResourceManager> rm_;
  FakeContainerManager cm_;
  std::unique_ptr<grpc::Server> cm_server_;
  std::string node_id_;
  std::unique_ptr<httplib::Client> http_;
};

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
  EXPECT_EQ(leaf["type"], "capacitySchedulerLeafQueueInfo");
  EXPECT_EQ(leaf["queueName"], "default");
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
  EXPECT_EQ(state.doc, json({{"appstate", {{"state", "RUNNING"}}}}));
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
  ExpectError(Call("PUT", path, R"({"state":"KILLED"})"), 403, "AuthorizationException",
              "Unable to obtain user name");
  Reply first = Call("PUT", path + "?user.name=alice", R"({"state":"KILLED"})");
  EXPECT_EQ(first.status, 202) << first.body;
  EXPECT_NE(first.location.find(path), std::string::npos);
  EXPECT_EQ(first.doc["appstate"]["state"], "RUNNING");
  Reply after = Call("GET", path);
  EXPECT_EQ(after.doc["appstate"]["state"], "KILLED");
  Reply again = Call("PUT", path + "?user.name=alice", R"({"state":"KILLED"})");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.doc["appstate"]["state"], "KILLED");
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
  ExpectError(Call("POST", "/ws/v1/cluster/apps", R"({"application-id":"application_1_0001"})"),
              403, "AuthorizationException", "Unable to obtain user name");
  ExpectError(Call("POST", "/ws/v1/cluster/apps/new-application"), 403, "AuthorizationException",
              "Unable to obtain user name");
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
    EXPECT_NE(r->body.find("yarn_allocated_mb 1024\n"), std::string::npos);
    EXPECT_NE(r->body.find("yarn_total_mb 8192\n"), std::string::npos);
    EXPECT_NE(r->body.find("yarn_nodes{state=\"RUNNING\"} 1\n"), std::string::npos);
    EXPECT_NE(r->body.find("yarn_containers_allocated 1\n"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Schedulers, RmWebTest, ::testing::Values("fifo", "capacity"));

}  // namespace
}  // namespace skein::web
