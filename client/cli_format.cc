#include "client/cli_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/ids.h"
#include "common/resource.h"

namespace skein::cli {

namespace {

constexpr char kAppsPattern[] = "%30s\t%20s\t%20s\t%10s\t%10s\t%18s\t%18s\t%15s\t%35s\n";
constexpr char kNodesPattern[] = "%16s\t%15s\t%17s\t%28s\n";

std::string StripTrailingZeros(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string AppStateName(proto::YarnApplicationState s) {
  switch (s) {
    case proto::NEW:
      return "NEW";
    case proto::NEW_SAVING:
      return "NEW_SAVING";
    case proto::SUBMITTED:
      return "SUBMITTED";
    case proto::ACCEPTED:
      return "ACCEPTED";
    case proto::RUNNING:
      return "RUNNING";
    case proto::FINISHED:
      return "FINISHED";
    case proto::FAILED:
      return "FAILED";
    case proto::KILLED:
      return "KILLED";
    default:
      return "NEW";
  }
}

std::string FinalStatusName(proto::FinalApplicationStatus s) {
  switch (s) {
    case proto::APP_SUCCEEDED:
      return "SUCCEEDED";
    case proto::APP_FAILED:
      return "FAILED";
    case proto::APP_KILLED:
      return "KILLED";
    case proto::APP_ENDED:
      return "ENDED";
    default:
      return "UNDEFINED";
  }
}

std::string NodeStateName(proto::NodeState s) {
  switch (s) {
    case proto::NS_NEW:
      return "NEW";
    case proto::NS_RUNNING:
      return "RUNNING";
    case proto::NS_UNHEALTHY:
      return "UNHEALTHY";
    case proto::NS_DECOMMISSIONED:
      return "DECOMMISSIONED";
    case proto::NS_LOST:
      return "LOST";
    case proto::NS_REBOOTED:
      return "REBOOTED";
    case proto::NS_DECOMMISSIONING:
      return "DECOMMISSIONING";
    case proto::NS_SHUTDOWN:
      return "SHUTDOWN";
    default:
      return "NEW";
  }
}

std::string QueueStateName(proto::QueueState s) {
  switch (s) {
    case proto::Q_STOPPED:
      return "STOPPED";
    case proto::Q_DRAINING:
      return "DRAINING";
    default:
      return "RUNNING";
  }
}

std::vector<proto::YarnApplicationState> AllAppStates() {
  return {proto::NEW,     proto::NEW_SAVING, proto::SUBMITTED, proto::ACCEPTED,
          proto::RUNNING, proto::FINISHED,   proto::FAILED,    proto::KILLED};
}

std::vector<proto::NodeState> AllNodeStates() {
  return {proto::NS_NEW,  proto::NS_RUNNING,  proto::NS_UNHEALTHY,       proto::NS_DECOMMISSIONED,
          proto::NS_LOST, proto::NS_REBOOTED, proto::NS_DECOMMISSIONING, proto::NS_SHUTDOWN};
}

std::optional<proto::YarnApplicationState> ParseAppState(absl::string_view name) {
  std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(name));
  for (auto s : AllAppStates()) {
    if (AppStateName(s) == upper) return s;
  }
  return std::nullopt;
}

std::optional<proto::NodeState> ParseNodeState(absl::string_view name) {
  std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(name));
  for (auto s : AllNodeStates()) {
    if (NodeStateName(s) == upper) return s;
  }
  return std::nullopt;
}

std::string FormatProgress(float progress) {
  std::string s =
      StripTrailingZeros(absl::StrFormat("%.2f", static_cast<double>(progress) * 100.0));
  if (s == "-0") s = "0";
  return s + "%";
}

std::string FormatPercentOneDecimal(double percent) {
  std::string s = absl::StrFormat("%.1f", percent);
  if (s.rfind("0.", 0) == 0) s.erase(0, 1);
  if (s.rfind("-0.", 0) == 0) s.erase(1, 1);
  return s;
}

std::string ValidAppStatesMessage() {
  std::vector<std::string> names = {"ALL"};
  for (auto s : AllAppStates()) names.push_back(AppStateName(s));
  return "The valid application state can be one of the following: " + absl::StrJoin(names, ",");
}

std::string ValidNodeStatesMessage() {
  std::vector<std::string> names;
  for (auto s : AllNodeStates()) names.push_back(NodeStateName(s));
  return "The valid node state can be one of the following: " + absl::StrJoin(names, ",") + ".";
}

std::string OrNA(absl::string_view s) { return s.empty() ? "N/A" : std::string(s); }

// Hadoop's LogAggregationStatus names (the enum without its LOG_ prefix).
std::string LogAggregationStatusName(proto::LogAggregationStatus s) {
  std::string name = proto::LogAggregationStatus_Name(s);
  return name.rfind("LOG_", 0) == 0 ? name.substr(4) : name;
}

std::string FormatApplicationList(const std::set<std::string>& types,
                                  const std::vector<proto::YarnApplicationState>& states,
                                  const std::vector<proto::ApplicationReportProto>& apps) {
  std::vector<std::string> state_names;
  for (auto s : AllAppStates()) {
    if (std::find(states.begin(), states.end(), s) != states.end()) {
      state_names.push_back(AppStateName(s));
    }
  }
  std::string out = absl::StrCat(
      "Total number of applications (application-types: [", absl::StrJoin(types, ", "),
      "], states: [", absl::StrJoin(state_names, ", "), "] and tags: []):", apps.size(), "\n");
  absl::StrAppendFormat(&out, kAppsPattern, "Application-Id", "Application-Name",
                        "Application-Type", "User", "Queue", "State", "Final-State", "Progress",
                        "Tracking-URL");
  for (const auto& app : apps) {
    absl::StrAppendFormat(
        &out, kAppsPattern, ApplicationId::FromProto(app.application_id()).ToString(), app.name(),
        app.application_type(), app.user(), app.queue(), AppStateName(app.yarn_application_state()),
        FinalStatusName(app.final_application_status()), FormatProgress(app.progress()),
        OrNA(app.original_tracking_url()));
  }
  return out;
}

std::string FormatApplicationReport(const proto::ApplicationReportProto& app) {
  std::string out = "Application Report : \n";
  auto field = [&out](absl::string_view name, absl::string_view value) {
    absl::StrAppend(&out, "\t", name, " : ", value, "\n");
  };
  field("Application-Id", ApplicationId::FromProto(app.application_id()).ToString());
  field("Application-Name", app.name());
  field("Application-Type", app.application_type());
  field("User", app.user());
  field("Queue", app.queue());
  field("Application Priority", absl::StrCat(app.priority().priority()));
  field("Start-Time", absl::StrCat(app.start_time()));
  field("Finish-Time", absl::StrCat(app.finish_time()));
  field("Progress", FormatProgress(app.progress()));
  field("State", AppStateName(app.yarn_application_state()));
  field("Final-State", FinalStatusName(app.final_application_status()));
  field("Tracking-URL", OrNA(app.original_tracking_url()));
  field("RPC Port", absl::StrCat(app.rpc_port()));
  field("AM Host", OrNA(app.host()));
  if (app.has_app_resource_usage()) {
    const auto& u = app.app_resource_usage();
    field("Aggregate Resource Allocation",
          absl::StrCat(u.memory_seconds(), " MB-seconds, ", u.vcore_seconds(), " vcore-seconds"));
    field("Aggregate Resource Preempted",
          absl::StrCat(u.preempted_memory_seconds(), " MB-seconds, ", u.preempted_vcore_seconds(),
                       " vcore-seconds"));
  } else {
    field("Aggregate Resource Allocation", "N/A");
    field("Aggregate Resource Preempted", "N/A");
  }
  // As Hadoop's ApplicationCLI: what the report says ("N/A" / "null" where it says nothing).
  field("Log Aggregation Status", app.has_log_aggregation_status()
                                      ? LogAggregationStatusName(app.log_aggregation_status())
                                      : "N/A");
  field("Diagnostics", app.diagnostics());
  field("Unmanaged Application", app.unmanaged_application() ? "true" : "false");
  field("Application Node Label Expression",
        app.has_app_node_label_expression() ? app.app_node_label_expression() : "null");
  field("AM container Node Label Expression",
        app.has_am_node_label_expression() ? app.am_node_label_expression() : "null");
  for (const auto& t : app.app_timeouts()) {
    const auto& timeout = t.application_timeout();
    absl::StrAppend(&out, "\tTimeoutType : ",
                    t.application_timeout_type() == proto::APP_TIMEOUT_LIFETIME ? "LIFETIME" : "?",
                    "\tExpiryTime : ", timeout.expire_time(),
                    "\tRemainingTime : ", timeout.remaining_time(), "seconds\n");
  }
  out += "\n";
  return out;
}

std::string FormatNodeList(const std::vector<proto::NodeReportProto>& nodes, bool details) {
  std::string out = absl::StrCat("Total Nodes:", nodes.size(), "\n");
  absl::StrAppendFormat(&out, kNodesPattern, "Node-Id", "Node-State", "Node-Http-Address",
                        "Number-of-Running-Containers");
  for (const auto& n : nodes) {
    absl::StrAppendFormat(&out, kNodesPattern, NodeId::FromProto(n.node_id()).ToString(),
                          NodeStateName(n.node_state()), n.http_address(),
                          absl::StrCat(n.num_containers()));
    if (!details) continue;
    absl::StrAppend(&out, "Detailed Node Information :\n");
    absl::StrAppend(
        &out, "\tConfigured Resources : ", Resource::FromProto(n.capability()).ToString(), "\n");
    absl::StrAppend(&out, "\tAllocated Resources : ", Resource::FromProto(n.used()).ToString(),
                    "\n");
    absl::StrAppend(&out, "\tResource Utilization by Node : \n");
    absl::StrAppend(&out, "\tResource Utilization by Containers : \n");
    absl::StrAppend(&out, "\tNode-Labels : \n");
  }
  return out;
}

std::string FormatHealthTime(int64_t millis) {
  time_t secs = static_cast<time_t>(millis / 1000);
  struct tm tm_local;
  localtime_r(&secs, &tm_local);
  char head[64];
  strftime(head, sizeof(head), "%a %d/%b/%y %I:%M:%S", &tm_local);
  char zone[16];
  strftime(zone, sizeof(zone), "%Z", &tm_local);
  // SimpleDateFormat's "SS" prints the milliseconds with at least two digits.
  return absl::StrFormat("%s:%02d%s", head, static_cast<int>(millis % 1000), zone);
}

std::string FormatNodeReport(const proto::NodeReportProto& n) {
  Resource used = Resource::FromProto(n.used());
  Resource cap = Resource::FromProto(n.capability());
  std::string out = "Node Report : \n";
  auto field = [&out](absl::string_view name, absl::string_view value) {
    absl::StrAppend(&out, "\t", name, " : ", value, "\n");
  };
  field("Node-Id", NodeId::FromProto(n.node_id()).ToString());
  field("Rack", n.rack_name());
  field("Node-State", NodeStateName(n.node_state()));
  field("Node-Http-Address", n.http_address());
  field("Last-Health-Update", FormatHealthTime(n.last_health_report_time()));
  field("Health-Report", n.health_report());
  field("Containers", absl::StrCat(n.num_containers()));
  field("Memory-Used", absl::StrCat(used.memory_mb, "MB"));
  field("Memory-Capacity", absl::StrCat(cap.memory_mb, "MB"));
  field("CPU-Used", absl::StrCat(used.vcores, " vcores"));
  field("CPU-Capacity", absl::StrCat(cap.vcores, " vcores"));
  field("Node-Labels", "");
  field("Resource Utilization by Node", "");
  field("Resource Utilization by Containers", "");
  field("Node Attributes", "");  // Hadoop 3.2+: none without node attributes
  out += "\n";
  return out;
}

std::string FormatDecimalTwo(double value) {
  std::string s = absl::StrFormat("%.2f", value);
  if (s == "-0.00") s = "0.00";
  if (s.rfind("0.", 0) == 0) s.erase(0, 1);
  if (s.rfind("-0.", 0) == 0) s.erase(1, 1);
  return s;
}

std::string FormatQueueInfo(const proto::GetQueueInfoResponse& info) {
  const proto::QueueInfoProto& q = info.queue_info();
  std::string out = "Queue Information : \n";
  absl::StrAppend(&out, "Queue Name : ", q.queue_name(), "\n");
  absl::StrAppend(&out, "Queue Path : ", q.queue_path(), "\n");
  absl::StrAppend(&out, "\tState : ", QueueStateName(q.state()), "\n");
  // Floats on the wire: round to the precision printed so 0.7f shows 70.00, not 69.99.
  auto percent = [](float fraction) {
    return FormatDecimalTwo(std::round(static_cast<double>(fraction) * 1e6) / 1e4);
  };
  absl::StrAppend(&out, "\tCapacity : ", percent(q.capacity()), "%\n");
  absl::StrAppend(&out, "\tCurrent Capacity : ", percent(q.current_capacity()), "%\n");
  absl::StrAppend(&out, "\tMaximum Capacity : ", percent(q.maximum_capacity()), "%\n");
  absl::StrAppend(&out, "\tWeight : ", FormatDecimalTwo(q.weight()), "\n");
  absl::StrAppend(&out, "\tMaximum Parallel Apps : ", q.max_parallel_apps(), "\n");
  absl::StrAppend(&out, "\tDefault Node Label expression : <DEFAULT_PARTITION>\n");
  absl::StrAppend(
      &out, "\tAccessible Node Labels : ", absl::StrJoin(q.accessible_node_labels(), ","), "\n");
  absl::StrAppend(&out, "\tPreemption : ", q.preemption_disabled() ? "disabled" : "enabled", "\n");
  if (q.has_intra_queue_preemption_disabled()) {
    absl::StrAppend(&out, "\tIntra-queue Preemption : ",
                    q.intra_queue_preemption_disabled() ? "disabled" : "enabled", "\n");
  }
  return out;
}

}  // namespace skein::cli
