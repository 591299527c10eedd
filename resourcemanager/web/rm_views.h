// The ResourceManager's REST documents, built from the RM's reports with Hadoop's field names,
// nesting, types and units (ResourceManagerRest: ClusterInfo, ClusterMetrics, AppInfo,
// AppAttemptInfo, NodeInfo, SchedulerInfo). Also parses the JSON body of `POST /apps`.
// Pure functions of their inputs; any thread.
#ifndef SKEIN_RESOURCEMANAGER_WEB_RM_VIEWS_H_
#define SKEIN_RESOURCEMANAGER_WEB_RM_VIEWS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "protos/client_protocol.pb.h"
#include "resourcemanager/core/rm_core.h"
#include "resourcemanager/scheduler/scheduler.h"

namespace skein::web {

// Hadoop's names: "RUNNING", "SUCCEEDED", "UNHEALTHY", "LAUNCHED" (proto prefixes dropped).
std::string AppStateName(proto::YarnApplicationState s);
std::string FinalStatusName(proto::FinalApplicationStatus s);
std::string NodeStateName(proto::NodeState s);
std::string AttemptStateName(proto::YarnApplicationAttemptState s);
// Case-insensitive parses; InvalidArgument naming the value otherwise.
absl::StatusOr<proto::YarnApplicationState> ParseAppState(const std::string& s);
absl::StatusOr<proto::FinalApplicationStatus> ParseFinalStatus(const std::string& s);
absl::StatusOr<proto::NodeState> ParseNodeState(const std::string& s);

struct ClusterInfoInput {
  int64_t cluster_timestamp = 0;
  std::string store_class;
  // haZooKeeperConnectionState: the elector's ZooKeeper state on an HA RM.
  std::string ha_zk_state = "ResourceManager HA is not enabled.";
};
nlohmann::ordered_json ClusterInfoJson(const ClusterInfoInput& in);  // {"clusterInfo":{...}}
nlohmann::ordered_json ClusterMetricsJson(
    const rm::RmCore::WebClusterMetrics& m);  // {"clusterMetrics"}
// One entry of apps.app[] (an AppInfo object, unwrapped). With `proxy_host` ("host:port" of the
// RM's web proxy) trackingUrl is Hadoop's proxied URL http://<proxy_host>/proxy/<id>/ once the
// app has an attempt, and trackingUI is UNASSIGNED until the app leaves ACCEPTED, then
// ApplicationMaster, then History (Hadoop's AppInfo); without it, the AM's own URL.
nlohmann::ordered_json AppJson(const proto::ApplicationReportProto& r, int64_t cluster_id,
                               int64_t now_ms, const std::string& proxy_host = "");
// One entry of appAttempts.appAttempt[].
nlohmann::ordered_json AttemptJson(const rm::RmCore::WebAttempt& a, const std::string& user);
// One entry of containers.container[] (Hadoop's ContainerInfo) for a live container.
nlohmann::ordered_json ContainerJson(const rm::RmCore::WebContainer& c, const std::string& user,
                                     int64_t now_ms);
// One entry of nodes.node[].
nlohmann::ordered_json NodeJson(const proto::NodeReportProto& n);

struct SchedulerInput {
  std::string class_name;  // the scheduler's YARN class name
  rm::QueueSnapshot root;
  rm::RmCore::WebClusterMetrics metrics;
  Resource minimum_allocation;
  Resource maximum_allocation;
};
// {"scheduler":{"schedulerInfo":{...}}} (scheduler_views.cc): fairScheduler (rootQueue,
// childQueues.queue[]) when the root snapshot has_fair or the class is Fair's, capacityScheduler
// (queues.queue[], leaves with their per-user fields) for Capacity, fifoScheduler otherwise.
nlohmann::ordered_json SchedulerJson(const SchedulerInput& in);

// Parses Hadoop's ApplicationSubmissionContextInfo JSON (application-id, application-name, queue,
// priority, am-container-spec{local-resources, environment, commands, application-acls},
// max-app-attempts, resource{memory,vCores}, application-type, application-tags, ...).
// InvalidArgument naming the field for a missing id, a wrong type or a bad value.
absl::StatusOr<proto::ApplicationSubmissionContextProto> ParseSubmission(const std::string& body);

}  // namespace skein::web

#endif  // SKEIN_RESOURCEMANAGER_WEB_RM_VIEWS_H_
