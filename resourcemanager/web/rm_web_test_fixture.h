// The fixture of the RM web tests (rm_web_server_test.cc, rm_web_change_test.cc): a live
// in-process ResourceManager on 127.0.0.1 (ephemeral ports). A fake NodeManager registers over the
// real ResourceTracker protocol and serves a fake ContainerManagementProtocol that records the AM
// launch; the test then registers the AM with the AMRM token it received, so the application is
// truly RUNNING with an allocated AM container. Field lists below are Hadoop's
// ResourceManagerRest documentation's.
#ifndef SKEIN_RESOURCEMANAGER_WEB_RM_WEB_TEST_FIXTURE_H_
#define SKEIN_RESOURCEMANAGER_WEB_RM_WEB_TEST_FIXTURE_H_

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

namespace skein::web::webtest {

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

inline void ExpectFields(const json& obj, const Fields& fields, const std::string& what) {
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
// A Capacity leaf: the parent's fields plus these (Hadoop's CapacitySchedulerLeafQueueInfo).
const Fields kCapacityLeaf = {{"numActiveApplications", 'i'},
                              {"numPendingApplications", 'i'},
                              {"numContainers", 'i'},
                              {"maxApplications", 'i'},
                              {"maxApplicationsPerUser", 'i'},
                              {"maxActiveApplications", 'i'},
                              {"maxActiveApplicationsPerUser", 'i'},
                              {"userLimit", 'i'},
                              {"userLimitFactor", 'n'},
                              {"users", 'o'},
                              {"AMResourceLimit", 'o'},
                              {"usedAMResource", 'o'},
                              {"preemptionDisabled", 'b'},
                              {"defaultPriority", 'i'}};
const Fields kCapacityUser = {{"username", 's'},
                              {"resourcesUsed", 'o'},
                              {"numActiveApplications", 'i'},
                              {"numPendingApplications", 'i'},
                              {"AMResourceUsed", 'o'},
                              {"userResourceLimit", 'o'}};
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
  // Extra configuration for a derived fixture (applied before the RM is created).
  virtual void Configure(conf::Configuration& conf) {}
  void SetUp() override {
    conf::Configuration conf = conf::Configuration::WithYarnDefaults();
    conf.Set("yarn.resourcemanager.scheduler.class", GetParam());
    Configure(conf);
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
      req.set_tracking_url(tracking_url_);
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
  std::string tracking_url_ = "http://127.0.0.1:4040/";  // what SubmitApp's AM registers
};

}  // namespace skein::web::webtest

#endif  // SKEIN_RESOURCEMANAGER_WEB_RM_WEB_TEST_FIXTURE_H_
