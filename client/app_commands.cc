// `yarn application`, `yarn node` and `yarn queue`: Hadoop 3's ApplicationCLI, NodeCLI and
// QueueCLI behaviour over ApplicationClientProtocol.
#include <chrono>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/cli_format.h"
#include "client/commands.h"
#include "client/options.h"
#include "client/rm_client.h"
#include "common/ids.h"

namespace skein::cli {

namespace {

constexpr char kApplicationUsage[] =
    "usage: application\n"
    " -appId <Application ID>         Specify Application Id to be operated\n"
    " -appStates <States>             Works with -list to filter applications\n"
    "                                 based on input comma-separated list of\n"
    "                                 application states. The valid application\n"
    "                                 state can be one of the following:\n"
    "                                 ALL,NEW,NEW_SAVING,SUBMITTED,ACCEPTED,RUNNING,\n"
    "                                 FINISHED,FAILED,KILLED\n"
    " -appTypes <Types>               Works with -list to filter applications\n"
    "                                 based on input comma-separated list of\n"
    "                                 application types.\n"
    " -changeQueue <Queue Name>       Moves application to a new queue.\n"
    "                                 ApplicationId can be passed using 'appId'\n"
    "                                 option. 'movetoqueue' command is\n"
    "                                 deprecated, this new command\n"
    "                                 'changeQueue' performs same\n"
    "                                 functionality.\n"
    " -help                           Displays help for all commands.\n"
    " -kill <Application ID>          Kills the application. Set of applications\n"
    "                                 can be provided separated with space\n"
    " -list                           List applications. Supports optional use\n"
    "                                 of -appTypes to filter applications based\n"
    "                                 on application type, -appStates to filter\n"
    "                                 applications based on application state.\n"
    " -movetoqueue <Application ID>   Moves the application to a different\n"
    "                                 queue. Deprecated command. Use\n"
    "                                 'changeQueue' instead.\n"
    " -queue <Queue Name>             Works with the movetoqueue command to\n"
    "                                 specify which queue to move an\n"
    "                                 application to.\n"
    " -status <Application ID>        Prints the status of the application.\n"
    " -updatePriority <Priority>      update priority of an application.\n"
    "                                 ApplicationId can be passed using 'appId'\n"
    "                                 option.\n";

constexpr char kNodeUsage[] =
    "usage: node\n"
    " -all               Works with -list to list all nodes.\n"
    " -help              Displays help for all commands.\n"
    " -list              List all running nodes. Supports optional use of\n"
    "                    -states to filter nodes based on node state, all -all\n"
    "                    to list all nodes, -showDetails to display more\n"
    "                    details about each node.\n"
    " -showDetails       Works with -list to show more details about each node.\n"
    " -states <States>   Works with -list to filter nodes based on input\n"
    "                    comma-separated list of node states. The valid node\n"
    "                    state can be one of the following:\n"
    "                    NEW,RUNNING,UNHEALTHY,DECOMMISSIONED,LOST,REBOOTED,\n"
    "                    DECOMMISSIONING,SHUTDOWN.\n"
    " -status <NodeId>   Prints the status report of the node.\n";

constexpr char kContainerUsage[] =
    "usage: container\n"
    " -help                                     Displays help for all commands.\n"
    " -signal <container ID [signal command]>   Signal the container. The\n"
    "                                           available signal commands are\n"
    "                                           [OUTPUT_THREAD_DUMP,\n"
    "                                           GRACEFUL_SHUTDOWN,\n"
    "                                           FORCEFUL_SHUTDOWN] Default command\n"
    "                                           is OUTPUT_THREAD_DUMP.\n";

constexpr char kQueueUsage[] =
    "usage: queue\n"
    " -help                  Displays help for all commands.\n"
    " -status <Queue Name>   List queue information about given queue.\n";

bool IsFinal(proto::YarnApplicationState s) {
  return s == proto::FINISHED || s == proto::FAILED || s == proto::KILLED;
}

int PrintRpcError(CliContext& ctx, const absl::Status& s) {
  ctx.err << s.message() << "\n";
  return 1;
}

// Parses options; on error prints it with `usage` and returns the exit code in *rc.
bool Parse(const std::vector<std::string>& args, const std::map<std::string, Arity>& spec,
           const char* usage, CliContext& ctx, ParsedOptions* parsed, int* rc) {
  auto p = ParseOptions(args, spec);
  if (!p.ok()) {
    if (p.status().code() == absl::StatusCode::kFailedPrecondition) {
      ctx.out << "Missing argument for options\n" << usage;  // Hadoop: stdout, -1
      *rc = kExitMinusOne;
    } else {
      ctx.err << p.status().message() << "\n" << usage;
      *rc = 1;
    }
    return false;
  }
  *parsed = std::move(*p);
  return true;
}

// The end of every command when none of its actions was asked: `-help` prints the usage; anything
// else is Hadoop's "Invalid Command Usage" and the usage. Both exit 0, as Hadoop's.
int HelpOrInvalidUsage(const ParsedOptions& opts, const char* usage, CliContext& ctx) {
  if (!opts.Has("help")) ctx.err << "Invalid Command Usage : \n";
  ctx.out << usage;
  return 0;
}

absl::StatusOr<std::unique_ptr<RMClient>> Connect(CliContext& ctx) {
  return RMClient::Create(ctx.conf);
}

int ListApplications(const ParsedOptions& opts, CliContext& ctx) {
  std::set<std::string> types;
  for (const auto& t :
       opts.values.count("appTypes") ? opts.values.at("appTypes") : std::vector<std::string>{}) {
    std::string trimmed(absl::StripAsciiWhitespace(t));
    if (!trimmed.empty()) types.insert(absl::AsciiStrToUpper(trimmed));
  }
  std::vector<proto::YarnApplicationState> states;
  bool all = false;
  if (opts.Has("appStates")) {
    for (const auto& s : opts.values.at("appStates")) {
      std::string trimmed(absl::StripAsciiWhitespace(s));
      if (trimmed.empty()) continue;
      if (absl::AsciiStrToUpper(trimmed) == "ALL") {
        all = true;
        break;
      }
      auto state = ParseAppState(trimmed);
      if (!state) {
        ctx.out << "The application state " << s << " is invalid.\n"
                << ValidAppStatesMessage() << "\n";
        return kExitMinusOne;
      }
      states.push_back(*state);
    }
  }
  if (all) {
    states = AllAppStates();
  } else if (states.empty()) {
    states = {proto::SUBMITTED, proto::ACCEPTED, proto::RUNNING};
  }
  auto rm = Connect(ctx);
  if (!rm.ok()) return PrintRpcError(ctx, rm.status());
  proto::GetApplicationsRequest req;
  for (const auto& t : types) req.add_application_types(t);
  for (auto s : states) req.add_application_states(s);
  auto resp = (*rm)->GetApplications(req);
  if (!resp.ok()) return PrintRpcError(ctx, resp.status());
  std::vector<proto::ApplicationReportProto> apps(resp->applications().begin(),
                                                  resp->applications().end());
  ctx.out << FormatApplicationList(types, states, apps);
  return 0;
}

int ApplicationStatus(const std::string& id_text, CliContext& ctx) {
  auto id = ApplicationId::Parse(id_text);
  if (!id.ok()) {
    ctx.err << id.status().message() << "\n";
    return 1;
  }
  auto rm = Connect(ctx);
  if (!rm.ok()) return PrintRpcError(ctx, rm.status());
  auto report = (*rm)->GetApplicationReport(id->ToProto());
  if (report.status().code() == absl::StatusCode::kNotFound) {
    ctx.out << "Application with id '" << id_text << "' doesn't exist in RM or Timeline Server.\n";
    return kExitMinusOne;
  }
  if (!report.ok()) return PrintRpcError(ctx, report.status());
  ctx.out << FormatApplicationReport(*report);
  return 0;
}

int KillApplications(const std::vector<std::string>& ids, CliContext& ctx) {
  std::vector<ApplicationId> parsed;
  for (const auto& text : ids) {
    auto id = ApplicationId::Parse(text);
    if (!id.ok()) {
      ctx.err << id.status().message() << "\n";
      return 1;
    }
    parsed.push_back(*id);
  }
  auto rm = Connect(ctx);
  if (!rm.ok()) return PrintRpcError(ctx, rm.status());
  int rc = 0;
  for (size_t i = 0; i < parsed.size(); ++i) {
    const std::string& text = ids[i];
    auto report = (*rm)->GetApplicationReport(parsed[i].ToProto());
    if (report.status().code() == absl::StatusCode::kNotFound) {
      ctx.out << "Application with id '" << text << "' doesn't exist in RM.\n";
      rc = kExitMinusOne;
      continue;
    }
    if (!report.ok()) return PrintRpcError(ctx, report.status());
    if (IsFinal(report->yarn_application_state())) {
      ctx.out << "Application " << text << " has already finished \n";
      continue;
    }
    ctx.out << "Killing application " << text << "\n";
    // Like YarnClient.killApplication: repeat the request until the RM says the kill is done.
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
      auto kill = (*rm)->ForceKillApplication(parsed[i].ToProto(), "");
      if (!kill.ok()) return PrintRpcError(ctx, kill.status());
      if (kill->is_kill_completed()) break;
      if (std::chrono::steady_clock::now() > give_up) {
        ctx.err << "Timed out waiting for application " << text << " to be killed\n";
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  return rc;
}

// Shared by -movetoqueue/-changeQueue and -updatePriority: the report, or the exit code after
// printing why there is none (unknown app: Hadoop's message and -1).
bool ReportForChange(RMClient& rm, const std::string& text, const ApplicationId& id,
                     CliContext& ctx, proto::ApplicationReportProto* report, int* rc) {
  auto r = rm.GetApplicationReport(id.ToProto());
  if (r.status().code() == absl::StatusCode::kNotFound) {
    ctx.out << "Application with id '" << text << "' doesn't exist in RM.\n";
    *rc = kExitMinusOne;
    return false;
  }
  if (!r.ok()) {
    *rc = PrintRpcError(ctx, r.status());
    return false;
  }
  *report = std::move(*r);
  return true;
}

int MoveApplication(const std::string& text, const std::string& queue, CliContext& ctx) {
  auto id = ApplicationId::Parse(text);
  if (!id.ok()) {
    ctx.err << id.status().message() << "\n";
    return 1;
  }
  auto rm = Connect(ctx);
  if (!rm.ok()) return PrintRpcError(ctx, rm.status());
  proto::ApplicationReportProto report;
  int rc = 0;
  if (!ReportForChange(**rm, text, *id, ctx, &report, &rc)) return rc;
  if (IsFinal(report.yarn_application_state())) {
    ctx.out << "Application " << text << " has already finished \n";
    return 0;
  }
  ctx.out << "Moving application " << text << " to queue " << queue << "\n";
  if (auto s = (*rm)->MoveApplicationAcrossQueues(id->ToProto(), queue); !s.ok()) {
    return PrintRpcError(ctx, s);
  }
  ctx.out << "Successfully completed move.\n";
  return 0;
}

int UpdatePriority(const std::string& text, const std::string& priority_text, CliContext& ctx) {
  auto id = ApplicationId::Parse(text);
  if (!id.ok()) {
    ctx.err << id.status().message() << "\n";
    return 1;
  }
  int32_t priority = 0;
  if (!absl::SimpleAtoi(priority_text, &priority)) {
    ctx.err << "Invalid priority '" << priority_text << "': expected an integer\n";
    return 1;
  }
  auto rm = Connect(ctx);
  if (!rm.ok()) return PrintRpcError(ctx, rm.status());
  proto::ApplicationReportProto report;
  int rc = 0;
  if (!ReportForChange(**rm, text, *id, ctx, &report, &rc)) return rc;
  ctx.out << "Updating priority of an application " << text << "\n";
  auto applied = (*rm)->UpdateApplicationPriority(id->ToProto(), priority);
  if (!applied.ok()) return PrintRpcError(ctx, applied.status());
  if (*applied == priority) {
    ctx.out << "Successfully updated the application " << text << " with priority '"
            << priority_text << "'\n";
  } else {
    ctx.out << "Updated priority of an application  " << text
            << " to cluster max priority OR keeping old priority as application is in final "
               "states\n";
  }
  return 0;
}

}  // namespace

int RunApplicationCommand(const std::vector<std::string>& args, CliContext& ctx) {
  ParsedOptions opts;
  int rc = 0;
  if (!Parse(args,
             {{"list", Arity::kNone},
              {"status", Arity::kOne},
              {"kill", Arity::kMany},
              {"appStates", Arity::kMany},
              {"appTypes", Arity::kMany},
              {"movetoqueue", Arity::kOne},
              {"queue", Arity::kOne},
              {"changeQueue", Arity::kOne},
              {"appId", Arity::kOne},
              {"updatePriority", Arity::kOne},
              {"help", Arity::kNone}},
             kApplicationUsage, ctx, &opts, &rc)) {
    return rc;
  }
  if (opts.Has("status")) {
    if (args.size() != 2) {
      ctx.out << kApplicationUsage;
      return kExitMinusOne;
    }
    return ApplicationStatus(opts.Value("status"), ctx);
  }
  if (opts.Has("list")) return ListApplications(opts, ctx);
  if (opts.Has("kill")) {
    if (opts.values.size() != 1) {
      ctx.out << kApplicationUsage;
      return kExitMinusOne;
    }
    return KillApplications(opts.values.at("kill"), ctx);
  }
  if (opts.Has("movetoqueue")) {
    if (!opts.Has("queue")) {
      ctx.out << kApplicationUsage;
      return kExitMinusOne;
    }
    return MoveApplication(opts.Value("movetoqueue"), opts.Value("queue"), ctx);
  }
  if (opts.Has("help")) {
    ctx.out << kApplicationUsage;
    return 0;
  }
  if (opts.Has("updatePriority") || opts.Has("changeQueue")) {
    if (!opts.Has("appId")) {
      ctx.out << kApplicationUsage;
      return kExitMinusOne;
    }
    if (opts.Has("updatePriority")) {
      return UpdatePriority(opts.Value("appId"), opts.Value("updatePriority"), ctx);
    }
    return MoveApplication(opts.Value("appId"), opts.Value("changeQueue"), ctx);
  }
  return HelpOrInvalidUsage(opts, kApplicationUsage, ctx);
}

int RunNodeCommand(const std::vector<std::string>& args, CliContext& ctx) {
  ParsedOptions opts;
  int rc = 0;
  // Hadoop accepts -all in any case.
  std::vector<std::string> normalized = args;
  for (auto& a : normalized) {
    if (absl::AsciiStrToLower(a) == "-all") a = "-all";
  }
  if (!Parse(normalized,
             {{"list", Arity::kNone},
              {"status", Arity::kOne},
              {"states", Arity::kMany},
              {"all", Arity::kNone},
              {"showDetails", Arity::kNone},
              {"help", Arity::kNone}},
             kNodeUsage, ctx, &opts, &rc)) {
    return rc;
  }
  if (opts.Has("status")) {
    if (args.size() != 2) {
      ctx.out << kNodeUsage;
      return kExitMinusOne;
    }
    std::string text = opts.Value("status");
    auto node = NodeId::Parse(text);
    if (!node.ok()) {
      ctx.err << node.status().message() << "\n";
      return 1;
    }
    auto rm = Connect(ctx);
    if (!rm.ok()) return PrintRpcError(ctx, rm.status());
    auto resp = (*rm)->GetClusterNodes({});
    if (!resp.ok()) return PrintRpcError(ctx, resp.status());
    for (const auto& n : resp->node_reports()) {
      if (NodeId::FromProto(n.node_id()) == *node) {
        ctx.out << FormatNodeReport(n);
        return 0;
      }
    }
    ctx.out << "Could not find the node report for node id : " << text << "\n";
    return 0;
  }
  if (opts.Has("list")) {
    std::vector<proto::NodeState> states;
    if (opts.Has("all")) {
      states = AllNodeStates();
    } else if (opts.Has("states")) {
      for (const auto& s : opts.values.at("states")) {
        if (absl::StripAsciiWhitespace(s).empty()) continue;
        auto state = ParseNodeState(s);
        if (!state) {
          ctx.out << "The node state " << s << " is invalid.\n" << ValidNodeStatesMessage() << "\n";
          return kExitMinusOne;
        }
        states.push_back(*state);
      }
    } else {
      states = {proto::NS_RUNNING};
    }
    auto rm = Connect(ctx);
    if (!rm.ok()) return PrintRpcError(ctx, rm.status());
    proto::GetClusterNodesRequest req;
    for (auto s : states) req.add_node_states(s);
    auto resp = (*rm)->GetClusterNodes(req);
    if (!resp.ok()) return PrintRpcError(ctx, resp.status());
    std::vector<proto::NodeReportProto> nodes;
    for (const auto& n : resp->node_reports()) {
      // Filter here too, so an RM that ignores the filter cannot widen the listing.
      if (states.empty() ||
          std::find(states.begin(), states.end(), n.node_state()) != states.end()) {
        nodes.push_back(n);
      }
    }
    ctx.out << FormatNodeList(nodes, opts.Has("showDetails"));
    return 0;
  }
  return HelpOrInvalidUsage(opts, kNodeUsage, ctx);
}

int RunQueueCommand(const std::vector<std::string>& args, CliContext& ctx) {
  ParsedOptions opts;
  int rc = 0;
  if (!Parse(args, {{"status", Arity::kOne}, {"help", Arity::kNone}}, kQueueUsage, ctx, &opts,
             &rc)) {
    return rc;
  }
  if (opts.Has("status")) {
    if (args.size() != 2) {
      ctx.out << kQueueUsage;
      return kExitMinusOne;
    }
    std::string name = opts.Value("status");
    auto rm = Connect(ctx);
    if (!rm.ok()) return PrintRpcError(ctx, rm.status());
    proto::GetQueueInfoRequest req;
    req.set_queue_name(name);
    auto resp = (*rm)->GetQueueInfo(req);
    if (resp.status().code() == absl::StatusCode::kNotFound ||
        (resp.ok() && !resp->has_queue_info())) {
      ctx.out << "Cannot get queue from RM by queueName = " << name << ", please check.\n";
      return kExitMinusOne;
    }
    if (!resp.ok()) return PrintRpcError(ctx, resp.status());
    ctx.out << FormatQueueInfo(*resp);
    return 0;
  }
  return HelpOrInvalidUsage(opts, kQueueUsage, ctx);
}

int RunContainerCommand(const std::vector<std::string>& args, CliContext& ctx) {
  ParsedOptions opts;
  int rc = 0;
  if (!Parse(args, {{"signal", Arity::kMany}, {"help", Arity::kNone}}, kContainerUsage, ctx, &opts,
             &rc)) {
    return rc;
  }
  if (opts.Has("signal")) {
    const std::vector<std::string>& values = opts.values.at("signal");
    if (args.size() < 2 || args.size() > 3 || values.empty() || values.size() > 2) {
      ctx.out << kContainerUsage;
      return kExitMinusOne;
    }
    auto id = ContainerId::Parse(values[0]);
    if (!id.ok()) {
      ctx.err << id.status().message() << "\n";
      return 1;
    }
    proto::SignalContainerCommandProto command = proto::OUTPUT_THREAD_DUMP;
    if (values.size() == 2 && (!proto::SignalContainerCommandProto_Parse(values[1], &command) ||
                               command == proto::SIGNAL_UNSPECIFIED)) {
      ctx.err << "Invalid signal command '" << values[1]
              << "'; expected one of OUTPUT_THREAD_DUMP, GRACEFUL_SHUTDOWN, FORCEFUL_SHUTDOWN\n";
      return 1;
    }
    auto rm = Connect(ctx);
    if (!rm.ok()) return PrintRpcError(ctx, rm.status());
    ctx.out << "Signalling container " << values[0] << "\n";
    if (auto s = (*rm)->SignalToContainer(id->ToProto(), command); !s.ok()) {
      return PrintRpcError(ctx, s);
    }
    return 0;
  }
  return HelpOrInvalidUsage(opts, kContainerUsage, ctx);
}

}  // namespace skein::cli
