// Hadoop 3 output formats of the `yarn` command (ApplicationCLI, NodeCLI, QueueCLI): pure
// functions from records to text, so every byte can be compared in tests. Any thread.
#ifndef SKEIN_CLIENT_CLI_FORMAT_H_
#define SKEIN_CLIENT_CLI_FORMAT_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "protos/client_protocol.pb.h"
#include "protos/records.pb.h"

namespace skein::cli {

// Enum names as Hadoop prints them ("RUNNING", "SUCCEEDED", "UNDEFINED", "DECOMMISSIONED").
std::string AppStateName(proto::YarnApplicationState s);
std::string FinalStatusName(proto::FinalApplicationStatus s);
std::string NodeStateName(proto::NodeState s);
std::string QueueStateName(proto::QueueState s);
// Every state in Hadoop's enum order.
std::vector<proto::YarnApplicationState> AllAppStates();
std::vector<proto::NodeState> AllNodeStates();
// Case-insensitive parse of a Hadoop name ("running" -> RUNNING); nullopt when unknown.
std::optional<proto::YarnApplicationState> ParseAppState(absl::string_view name);
std::optional<proto::NodeState> ParseNodeState(absl::string_view name);

// DecimalFormat("###.##%"): 0 -> "0%", 1 -> "100%", 0.5379 -> "53.79%", 0.05 -> "5%".
std::string FormatProgress(float progress);
// DecimalFormat("#.0") of a percentage: 100 -> "100.0", 0 -> ".0", 12.345 -> "12.3".
std::string FormatPercentOneDecimal(double percent);

// "The valid application state can be one of the following: ALL,NEW,...,KILLED"
std::string ValidAppStatesMessage();
// "The valid node state can be one of the following: NEW,RUNNING,...,SHUTDOWN."
std::string ValidNodeStatesMessage();

// `yarn application -list`: the total line, the column header and one row per application.
// `types` are printed sorted, `states` in enum order, as "[A, B]".
std::string FormatApplicationList(const std::set<std::string>& types,
                                  const std::vector<proto::YarnApplicationState>& states,
                                  const std::vector<proto::ApplicationReportProto>& apps);
// `yarn application -status`: "Application Report : " and the tab-indented fields, ending with
// the blank line Hadoop prints.
std::string FormatApplicationReport(const proto::ApplicationReportProto& app);

// `yarn node -list [-showDetails]`.
std::string FormatNodeList(const std::vector<proto::NodeReportProto>& nodes, bool details);
// `yarn node -status`; `now_zone_local` formatting of Last-Health-Update uses the local zone.
std::string FormatNodeReport(const proto::NodeReportProto& node);
// "E dd/MMM/yy hh:mm:ss:SSzz" in local time, e.g. "Tue 14/Nov/23 10:13:20:123UTC".
std::string FormatHealthTime(int64_t millis);

// DecimalFormat("#.00"): 100 -> "100.00", 0 -> ".00", -1 -> "-1.00", 0.5 -> ".50".
std::string FormatDecimalTwo(double value);

// `yarn queue -status` as Hadoop 3's QueueCLI: "Queue Information : ", the name and path, then
// tab-indented State, Capacity, Current Capacity, Maximum Capacity ("#.00" percentages), Weight,
// Maximum Parallel Apps, node labels and the two preemption lines.
std::string FormatQueueInfo(const proto::GetQueueInfoResponse& info);

// "<id>" or "N/A" for an empty string.
std::string OrNA(absl::string_view s);

}  // namespace skein::cli

#endif  // SKEIN_CLIENT_CLI_FORMAT_H_
