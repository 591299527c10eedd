#include "resourcemanager/web/rm_views.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/ids.h"
#include "common/url.h"

namespace skein::web {
namespace {

using json = nlohmann::ordered_json;

constexpr char kVersion[] = "3.3.6-skein-0.1";
constexpr char kBuiltOn[] = "2026-01-01T00:00Z";

std::string StripPrefix(std::string name, absl::string_view prefix) {
  if (absl::StartsWith(name, prefix)) name.erase(0, prefix.size());
  return name;
}

// Float percentages as Hadoop prints them (JAXB float): keep them plain doubles.
double Pct(double v) { return static_cast<double>(static_cast<float>(v)); }

}  // namespace

std::string AppStateName(proto::YarnApplicationState s) {
  return proto::YarnApplicationState_Name(s);
}
std::string FinalStatusName(proto::FinalApplicationStatus s) {
  return StripPrefix(proto::FinalApplicationStatus_Name(s), "APP_");
}
std::string NodeStateName(proto::NodeState s) {
  return StripPrefix(proto::NodeState_Name(s), "NS_");
}
std::string AttemptStateName(proto::YarnApplicationAttemptState s) {
  return StripPrefix(proto::YarnApplicationAttemptState_Name(s), "APP_ATTEMPT_");
}

absl::StatusOr<proto::YarnApplicationState> ParseAppState(const std::string& s) {
  proto::YarnApplicationState v;
  std::string up = absl::AsciiStrToUpper(s);
  if (up != "APP_STATE_UNSPECIFIED" && proto::YarnApplicationState_Parse(up, &v)) return v;
  return absl::InvalidArgumentError(absl::StrCat(
      "Invalid application-state ", s,
      " specified. It should be one of NEW, NEW_SAVING, SUBMITTED, ACCEPTED, RUNNING, FINISHED, "
      "FAILED, KILLED"));
}

absl::StatusOr<proto::FinalApplicationStatus> ParseFinalStatus(const std::string& s) {
  proto::FinalApplicationStatus v;
  if (proto::FinalApplicationStatus_Parse("APP_" + absl::AsciiStrToUpper(s), &v)) return v;
  return absl::InvalidArgumentError(
      absl::StrCat("Invalid finalStatus ", s,
                   " specified. It should be one of UNDEFINED, SUCCEEDED, FAILED, KILLED, ENDED"));
}

absl::StatusOr<proto::NodeState> ParseNodeState(const std::string& s) {
  proto::NodeState v;
  if (proto::NodeState_Parse("NS_" + absl::AsciiStrToUpper(s), &v)) return v;
  return absl::InvalidArgumentError(absl::StrCat(
      "Invalid node state ", s,
      " specified. It should be one of NEW, RUNNING, UNHEALTHY, DECOMMISSIONED, LOST, REBOOTED, "
      "DECOMMISSIONING, SHUTDOWN"));
}

json ClusterInfoJson(const ClusterInfoInput& in) {
  return {{"clusterInfo",
           {{"id", in.cluster_timestamp},
            {"startedOn", in.cluster_timestamp},
            {"state", "STARTED"},
            {"haState", "ACTIVE"},
            {"rmStateStoreName", in.store_class},
            {"resourceManagerVersion", kVersion},
            {"resourceManagerBuildVersion", absl::StrCat(kVersion, " from skein")},
            {"resourceManagerVersionBuiltOn", kBuiltOn},
            {"hadoopVersion", kVersion},
            {"hadoopBuildVersion", absl::StrCat(kVersion, " from skein")},
            {"hadoopVersionBuiltOn", kBuiltOn},
            {"haZooKeeperConnectionState", in.ha_zk_state}}}};
}

json ClusterMetricsJson(const rm::RmCore::WebClusterMetrics& m) {
  auto nodes = [&](proto::NodeState s) -> int64_t {
    auto it = m.nodes.find(s);
    return it == m.nodes.end() ? 0 : it->second;
  };
  Resource avail(std::max<int64_t>(0, m.total.memory_mb - m.allocated.memory_mb),
                 std::max<int64_t>(0, m.total.vcores - m.allocated.vcores));
  return {{"clusterMetrics",
           {{"appsSubmitted", m.counters.apps_submitted},
            {"appsCompleted", m.counters.apps_completed},
            {"appsPending", m.apps_pending},
            {"appsRunning", m.apps_running},
            {"appsFailed", m.counters.apps_failed},
            {"appsKilled", m.counters.apps_killed},
            {"reservedMB", 0},
            {"availableMB", avail.memory_mb},
            {"allocatedMB", m.allocated.memory_mb},
            {"totalMB", m.total.memory_mb},
            {"reservedVirtualCores", 0},
            {"availableVirtualCores", avail.vcores},
            {"allocatedVirtualCores", m.allocated.vcores},
            {"totalVirtualCores", m.total.vcores},
            {"containersAllocated", m.containers_allocated},
            {"containersReserved", 0},
            {"containersPending", 0},
            {"totalNodes", m.total_nodes},
            {"activeNodes", nodes(proto::NS_RUNNING)},
            {"lostNodes", nodes(proto::NS_LOST)},
            {"unhealthyNodes", nodes(proto::NS_UNHEALTHY)},
            {"decommissioningNodes", nodes(proto::NS_DECOMMISSIONING)},
            {"decommissionedNodes", nodes(proto::NS_DECOMMISSIONED)},
            {"rebootedNodes", nodes(proto::NS_REBOOTED)},
            {"shutdownNodes", nodes(proto::NS_SHUTDOWN)}}}};
}

json AppJson(const proto::ApplicationReportProto& r, int64_t cluster_id, int64_t now_ms,
             const std::string& proxy_host) {
  const auto& usage = r.app_resource_usage();
  bool done = r.yarn_application_state() == proto::FINISHED ||
              r.yarn_application_state() == proto::FAILED ||
              r.yarn_application_state() == proto::KILLED;
  std::string tracking_ui = "UNASSIGNED";
  std::string tracking_url = r.trackingurl();
  if (!proxy_host.empty()) {
    tracking_url = r.has_current_application_attempt_id()
                       ? absl::StrCat("http://", proxy_host, "/proxy/",
                                      ApplicationId::FromProto(r.application_id()).ToString(), "/")
                       : "";
    bool not_ready = r.yarn_application_state() == proto::NEW ||
                     r.yarn_application_state() == proto::NEW_SAVING ||
                     r.yarn_application_state() == proto::SUBMITTED ||
                     r.yarn_application_state() == proto::ACCEPTED;
    if (!tracking_url.empty() && !not_ready) tracking_ui = done ? "History" : "ApplicationMaster";
  } else if (!tracking_url.empty()) {
    tracking_ui = done ? "History" : "ApplicationMaster";
  }
  int64_t end = r.finish_time() > 0 ? r.finish_time() : now_ms;
  std::string am_logs;
  if (r.has_am_container_id() && !r.am_node_http_address().empty()) {
    am_logs = absl::StrCat("http://", r.am_node_http_address(), "/node/containerlogs/",
                           ContainerId::FromProto(r.am_container_id()).ToString(), "/", r.user());
  }
  std::string rpc_address =
      r.rpc_port() > 0 ? absl::StrCat(r.host(), ":", r.rpc_port()) : std::string("N/A");
  return {{"id", ApplicationId::FromProto(r.application_id()).ToString()},
          {"user", r.user()},
          {"name", r.name()},
          {"queue", r.queue()},
          {"state", AppStateName(r.yarn_application_state())},
          {"finalStatus", FinalStatusName(r.final_application_status())},
          {"progress", Pct(r.progress() * 100.0)},
          {"trackingUI", tracking_ui},
          {"trackingUrl", tracking_url},
          {"diagnostics", r.diagnostics()},
          {"clusterId", cluster_id},
          {"applicationType", r.application_type()},
          {"applicationTags", absl::StrJoin(r.application_tags(), ",")},
          {"priority", r.priority().priority()},
          {"startedTime", r.start_time()},
          {"launchTime", r.launch_time()},
          {"finishedTime", r.finish_time()},
          {"elapsedTime", r.start_time() > 0 ? std::max<int64_t>(0, end - r.start_time()) : 0},
          {"amContainerLogs", am_logs},
          {"amHostHttpAddress", r.am_node_http_address()},
          {"amRPCAddress", rpc_address},
          {"allocatedMB", usage.used_resources().memory_mb()},
          {"allocatedVCores", usage.used_resources().virtual_cores()},
          {"reservedMB", 0},
          {"reservedVCores", 0},
          {"runningContainers", usage.num_used_containers()},
          {"memorySeconds", usage.memory_seconds()},
          {"vcoreSeconds", usage.vcore_seconds()},
          {"queueUsagePercentage", Pct(usage.queue_usage_percentage())},
          {"clusterUsagePercentage", Pct(usage.cluster_usage_percentage())},
          {"preemptedResourceMB", 0},
          {"preemptedResourceVCores", 0},
          {"numNonAMContainerPreempted", 0},
          {"numAMContainerPreempted", 0},
          {"preemptedMemorySeconds", usage.preempted_memory_seconds()},
          {"preemptedVcoreSeconds", usage.preempted_vcore_seconds()},
          {"logAggregationStatus", "DISABLED"},
          {"unmanagedApplication", r.unmanaged_application()},
          {"amNodeLabelExpression", ""},
          {"appNodeLabelExpression", ""}};
}

json AttemptJson(const rm::RmCore::WebAttempt& a, const std::string& user) {
  const auto& r = a.report;
  std::string container;
  std::string logs;
  if (a.has_am_container) {
    container = ContainerId::FromProto(r.am_container_id()).ToString();
    logs = absl::StrCat("http://", a.am_node_http_address, "/node/containerlogs/", container, "/",
                        user);
  }
  return {{"id", r.application_attempt_id().attempt_id()},
          {"startTime", r.start_time()},
          {"finishedTime", r.finish_time()},
          {"containerId", container},
          {"nodeHttpAddress", a.am_node_http_address},
          {"nodeId", a.has_am_container ? a.am_node.ToString() : std::string()},
          {"logsLink", logs},
          {"blacklistedNodes", ""},
          {"nodesBlacklistedBySystem", ""},
          {"appAttemptId", ApplicationAttemptId::FromProto(r.application_attempt_id()).ToString()},
          {"appAttemptState", AttemptStateName(r.yarn_application_attempt_state())}};
}

json ContainerJson(const rm::RmCore::WebContainer& c, const std::string& user, int64_t now_ms) {
  std::string id = c.id.ToString();
  return {
      {"containerId", id},
      {"allocatedMB", c.resource.memory_mb},
      {"allocatedVCores", c.resource.vcores},
      {"assignedNodeId", c.node.ToString()},
      {"priority", c.priority},
      {"startedTime", c.start_time},
      {"finishedTime", 0},
      {"elapsedTime", c.start_time > 0 ? std::max<int64_t>(0, now_ms - c.start_time) : 0},
      {"diagnosticsInfo", ""},
      {"logUrl", c.node_http_address.empty() ? std::string()
                                             : absl::StrCat("http://", c.node_http_address,
                                                            "/node/containerlogs/", id, "/", user)},
      {"containerExitStatus", 0},
      {"containerState", "RUNNING"},
      {"nodeHttpAddress",
       c.node_http_address.empty() ? std::string() : absl::StrCat("http://", c.node_http_address)},
      {"nodeId", c.node.ToString()}};
}

json NodeJson(const proto::NodeReportProto& n) {
  int64_t used_mb = n.used().memory_mb();
  int64_t used_vc = n.used().virtual_cores();
  return {{"rack", n.rack_name()},
          {"state", NodeStateName(n.node_state())},
          {"id", NodeId::FromProto(n.node_id()).ToString()},
          {"nodeHostName", n.node_id().host()},
          {"nodeHTTPAddress", n.http_address()},
          {"lastHealthUpdate", n.last_health_report_time()},
          {"version", n.node_manager_version()},
          {"healthReport", n.health_report()},
          {"numContainers", n.num_containers()},
          {"usedMemoryMB", used_mb},
          {"availMemoryMB", std::max<int64_t>(0, n.capability().memory_mb() - used_mb)},
          {"usedVirtualCores", used_vc},
          {"availableVirtualCores", std::max<int64_t>(0, n.capability().virtual_cores() - used_vc)},
          {"resourceUtilization",
           {{"nodePhysicalMemoryMB", 0},
            {"nodeVirtualMemoryMB", 0},
            {"nodeCPUUsage", 0.0},
            {"aggregatedContainersPhysicalMemoryMB", 0},
            {"aggregatedContainersVirtualMemoryMB", 0},
            {"containersCPUUsage", 0.0}}}};
}

namespace {

// Jersey writes a one-element list as a bare object; accept both.
std::vector<json> Entries(const json& j) {
  if (j.is_array()) return std::vector<json>(j.begin(), j.end());
  if (j.is_null()) return {};
  return {j};
}

absl::Status FieldError(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("field '", field, "': ", why));
}

absl::StatusOr<std::string> StringField(const json& j, const std::string& name) {
  const json& v = j.at(name);
  if (!v.is_string()) return FieldError(name, "must be a string, got " + v.dump());
  return v.get<std::string>();
}

absl::StatusOr<int64_t> IntField(const json& j, const std::string& name) {
  const json& v = j.at(name);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    try {
      size_t pos = 0;
      int64_t n = std::stoll(v.get<std::string>(), &pos);
      if (pos == v.get<std::string>().size()) return n;
    } catch (const std::exception&) {
    }
  }
  return FieldError(name, "must be an integer, got " + v.dump());
}

absl::Status ParseLaunchContext(const json& spec, proto::ContainerLaunchContextProto& clc) {
  if (!spec.is_object()) return FieldError("am-container-spec", "must be an object");
  if (spec.contains("commands")) {
    const json& cmds = spec["commands"];
    json list = cmds.is_object() && cmds.contains("command") ? cmds["command"] : cmds;
    for (const json& c : Entries(list)) {
      if (!c.is_string()) return FieldError("am-container-spec.commands.command", "not a string");
      clc.add_command(c.get<std::string>());
    }
  }
  if (spec.contains("environment")) {
    const json& env = spec["environment"];
    json list = env.is_object() && env.contains("entry") ? env["entry"] : json();
    for (const json& e : Entries(list)) {
      if (!e.is_object() || !e.contains("key") || !e["key"].is_string()) {
        return FieldError("am-container-spec.environment.entry", "needs a string 'key'");
      }
      std::string value = e.contains("value") && e["value"].is_string()
                              ? e["value"].get<std::string>()
                          : e.contains("value") ? e["value"].dump()
                                                : "";
      (*clc.mutable_environment())[e["key"].get<std::string>()] = value;
    }
  }
  if (spec.contains("local-resources")) {
    const json& lr = spec["local-resources"];
    json list = lr.is_object() && lr.contains("entry") ? lr["entry"] : json();
    for (const json& e : Entries(list)) {
      if (!e.is_object() || !e.contains("key") || !e["key"].is_string() || !e.contains("value") ||
          !e["value"].is_object()) {
        return FieldError("am-container-spec.local-resources.entry",
                          "needs a string 'key' and an object 'value'");
      }
      const json& v = e["value"];
      proto::LocalResourceProto r;
      if (!v.contains("resource") || !v["resource"].is_string()) {
        return FieldError("am-container-spec.local-resources.entry.value.resource", "missing");
      }
      *r.mutable_resource() = ParseUrl(v["resource"].get<std::string>());
      if (v.contains("size")) {
        auto n = IntField(v, "size");
        if (!n.ok()) return n.status();
        r.set_size(*n);
      }
      if (v.contains("timestamp")) {
        auto n = IntField(v, "timestamp");
        if (!n.ok()) return n.status();
        r.set_timestamp(*n);
      }
      if (v.contains("type")) {
        proto::LocalResourceType t;
        if (!v["type"].is_string() ||
            !proto::LocalResourceType_Parse(absl::AsciiStrToUpper(v["type"].get<std::string>()),
                                            &t)) {
          return FieldError("local-resources type", "must be FILE, ARCHIVE or PATTERN");
        }
        r.set_type(t);
      }
      if (v.contains("visibility")) {
        proto::LocalResourceVisibility t;
        if (!v["visibility"].is_string() ||
            !proto::LocalResourceVisibility_Parse(
                absl::AsciiStrToUpper(v["visibility"].get<std::string>()), &t)) {
          return FieldError("local-resources visibility", "must be PUBLIC, PRIVATE or APPLICATION");
        }
        r.set_visibility(t);
      }
      (*clc.mutable_local_resources())[e["key"].get<std::string>()] = r;
    }
  }
  if (spec.contains("application-acls")) {
    const json& acls = spec["application-acls"];
    json list = acls.is_object() && acls.contains("entry") ? acls["entry"] : json();
    for (const json& e : Entries(list)) {
      if (e.is_object() && e.contains("key") && e["key"].is_string() && e.contains("value") &&
          e["value"].is_string()) {
        proto::ApplicationAccessType type;
        if (!proto::ApplicationAccessType_Parse(
                "APPACCESS_" + absl::AsciiStrToUpper(e["key"].get<std::string>()), &type)) {
          return FieldError("application-acls key", "must be VIEW_APP or MODIFY_APP");
        }
        proto::ApplicationACLMapProto* acl = clc.add_application_acls();
        acl->set_access_type(type);
        acl->set_acl(e["value"].get<std::string>());
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<proto::ApplicationSubmissionContextProto> ParseSubmissionJson(const json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("the body must be a JSON object");
  proto::ApplicationSubmissionContextProto c;
  if (!j.contains("application-id")) return FieldError("application-id", "is required");
  auto id_text = StringField(j, "application-id");
  if (!id_text.ok()) return id_text.status();
  auto id = ApplicationId::Parse(*id_text);
  if (!id.ok()) return FieldError("application-id", std::string(id.status().message()));
  *c.mutable_application_id() = id->ToProto();
  if (j.contains("application-name")) {
    auto s = StringField(j, "application-name");
    if (!s.ok()) return s.status();
    c.set_application_name(*s);
  }
  if (j.contains("queue")) {
    auto s = StringField(j, "queue");
    if (!s.ok()) return s.status();
    c.set_queue(*s);
  }
  if (j.contains("application-type")) {
    auto s = StringField(j, "application-type");
    if (!s.ok()) return s.status();
    c.set_applicationtype(*s);
  }
  if (j.contains("priority")) {
    auto n = IntField(j, "priority");
    if (!n.ok()) return n.status();
    c.mutable_priority()->set_priority(static_cast<int32_t>(*n));
  }
  if (j.contains("max-app-attempts")) {
    auto n = IntField(j, "max-app-attempts");
    if (!n.ok()) return n.status();
    c.set_max_app_attempts(static_cast<int32_t>(*n));
  }
  if (j.contains("attempt-failures-validity-interval")) {
    auto n = IntField(j, "attempt-failures-validity-interval");
    if (!n.ok()) return n.status();
    c.set_attempt_failures_validity_interval(*n);
  }
  if (j.contains("unmanaged-AM")) {
    if (!j["unmanaged-AM"].is_boolean()) return FieldError("unmanaged-AM", "must be a boolean");
    c.set_unmanaged_am(j["unmanaged-AM"].get<bool>());
  }
  if (j.contains("keep-containers-across-application-attempts")) {
    const json& v = j["keep-containers-across-application-attempts"];
    if (!v.is_boolean()) {
      return FieldError("keep-containers-across-application-attempts", "must be a boolean");
    }
    c.set_keep_containers_across_application_attempts(v.get<bool>());
  }
  if (j.contains("resource")) {
    const json& r = j["resource"];
    if (!r.is_object()) return FieldError("resource", "must be an object {memory, vCores}");
    if (r.contains("memory")) {
      auto n = IntField(r, "memory");
      if (!n.ok()) return n.status();
      c.mutable_resource()->set_memory_mb(*n);
    }
    if (r.contains("vCores")) {
      auto n = IntField(r, "vCores");
      if (!n.ok()) return n.status();
      c.mutable_resource()->set_virtual_cores(static_cast<int32_t>(*n));
    }
  }
  if (j.contains("application-tags")) {
    const json& t = j["application-tags"];
    json list = t.is_object() && t.contains("tag") ? t["tag"] : t;
    for (const json& tag : Entries(list)) {
      if (!tag.is_string()) return FieldError("application-tags", "tags must be strings");
      c.add_applicationtags(tag.get<std::string>());
    }
  }
  if (j.contains("am-container-spec")) {
    if (auto s = ParseLaunchContext(j["am-container-spec"], *c.mutable_am_container_spec());
        !s.ok()) {
      return s;
    }
  }
  return c;
}

}  // namespace

absl::StatusOr<proto::ApplicationSubmissionContextProto> ParseSubmission(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return absl::InvalidArgumentError("the body is not valid JSON (application submission)");
  }
  try {
    return ParseSubmissionJson(j);
  } catch (const std::exception& e) {  // nlohmann type errors stay at this boundary
    return absl::InvalidArgumentError(absl::StrCat("malformed application submission: ", e.what()));
  }
}

}  // namespace skein::web
