// `yarn rmadmin`: Hadoop 3's RMAdminCLI over ResourceManagerAdministrationProtocol
// (yarn.resourcemanager.admin.address). Supported: -refreshQueues, -refreshNodes
// (rmadmin_nodes.cc), -refreshAdminAcls, -updateNodeResource (rmadmin_nodes.cc), -help [cmd], and
// with HA -getServiceState, -getAllServiceState, -transitionToActive, -transitionToStandby
// (rmadmin_ha.cc).
//
// Exit codes as RMAdminCLI: 0 on success; -1 (255) for a usage error, an unknown command, or a
// refusal/failure reported by the RM ("refreshQueues: <reason>" on stderr).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/commands.h"
#include "client/rm_client.h"
#include "client/rmadmin_ha.h"
#include "client/rmadmin_nodes.h"

namespace skein::cli {
namespace {

struct AdminCommand {
  const char* name;         // "-refreshQueues"
  const char* args;         // shown after the name in usage lines
  const char* description;  // -help text
  absl::Status (RMClient::*call)();
  // Commands with arguments parse them themselves (rmadmin_nodes.h); `call` is then unused.
  int (*run)(const std::vector<std::string>& args, const std::string& usage,
             CliContext& ctx) = nullptr;
  // The command as the full syntax of -help shows it, when that differs from "<name> <args>".
  const char* syntax = nullptr;
};

const std::vector<AdminCommand>& Commands() {
  static const auto* const kCommands = new std::vector<AdminCommand>{
      {"-refreshQueues", "",
       "Reload the queues' acls, states and scheduler specific properties. \n"
       "\t\tResourceManager will reload the mapred-queues configuration file.",
       &RMClient::RefreshQueues},
      {"-refreshNodes", "[-g|graceful [timeout in seconds] -client|server]",
       "Refresh the hosts information at the ResourceManager. Here [-g|graceful [timeout in "
       "seconds] -client|server] is optional, if we specify the timeout then ResourceManager "
       "will wait for timeout before marking the NodeManager as decommissioned. The "
       "-client|server indicates if the timeout tracking should be handled by the client or "
       "the ResourceManager. The client-side tracking is blocking, while the server-side "
       "tracking is not. Omitting the timeout, or a timeout of -1, indicates an infinite "
       "timeout.",
       nullptr, &RunRefreshNodes},
      {"-refreshAdminAcls", "", "Refresh acls for administration of ResourceManager",
       &RMClient::RefreshAdminAcls},
      {"-updateNodeResource",
       "[NodeID] [MemSize] [vCores] ([OvercommitTimeout]) \n\t\tor\n\t\t[NodeID] "
       "[resourcetypes] ([OvercommitTimeout]). ",
       "Update resource on specific node.", nullptr, &RunUpdateNodeResource,
       "-updateNodeResource [NodeID] [MemSize] [vCores] ([OvercommitTimeout]) or "
       "-updateNodeResource [NodeID] [ResourceTypes] ([OvercommitTimeout])"},
  };
  return *kCommands;
}

const AdminCommand* Find(const std::string& name) {
  for (const auto& c : Commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

constexpr char kHelpDescription[] =
    "Displays help for the given command or all commands if none is specified.";

// "<name> <args>", or "<name>" for a command without arguments.
std::string NameAndArgs(const AdminCommand& c) {
  return absl::StrCat(c.name, c.args[0] == '\0' ? "" : " ", c.args);
}

// RMAdminCLI's buildIndividualUsageMsg.
std::string IndividualUsage(const AdminCommand& c) {
  return absl::StrCat("Usage: yarn rmadmin [", NameAndArgs(c), "]\n");
}

// RMAdminCLI's buildHelpMsg.
std::string HelpLine(const AdminCommand& c) {
  return absl::StrCat(NameAndArgs(c), ": ", c.description);
}

// `ha_usage`: the HA commands' lines when HA is enabled (rmadmin_ha.h), as RMAdminCLI.
std::string Usage(const std::string& ha_usage = "") {
  std::string out = "Usage: yarn rmadmin\n";
  for (const auto& c : Commands()) absl::StrAppend(&out, "   ", c.name, " ", c.args, "\n");
  absl::StrAppend(&out, ha_usage, "   -help [cmd]\n\n");
  return out;
}

std::string Help(const std::string& only, const std::string& ha_help = "") {
  if (!only.empty()) {
    std::string name = only[0] == '-' ? only : "-" + only;
    if (name == "-help") return absl::StrCat("-help [cmd]: ", kHelpDescription, "\n");
    if (const AdminCommand* c = Find(name)) return absl::StrCat(HelpLine(*c), "\n");
  }
  std::string out =
      "rmadmin is the command to execute YARN administrative commands.\n"
      "The full syntax is: \n\n"
      "yarn rmadmin";
  for (const auto& c : Commands()) {
    absl::StrAppend(&out, " [", c.syntax != nullptr ? c.syntax : NameAndArgs(c), "]");
  }
  absl::StrAppend(&out, " [-help [cmd]]\n\n");
  for (const auto& c : Commands()) absl::StrAppend(&out, "   ", HelpLine(c), "\n");
  absl::StrAppend(&out, ha_help, "   -help [cmd]: ", kHelpDescription, "\n\n");
  return out;
}

}  // namespace

int RunRmAdminCommand(const std::vector<std::string>& args, CliContext& ctx) {
  if (args.empty()) {
    ctx.err << Usage(HaAdminUsageLines(ctx.conf));
    return kExitMinusOne;
  }
  const std::string& cmd = args[0];
  if (cmd == "-help" || cmd == "--help") {
    const std::string ha_help = args.size() > 1 ? HaAdminHelp(args[1]) : "";
    ctx.out << (ha_help.empty() ? Help(args.size() > 1 ? args[1] : "", HaAdminHelpLines(ctx.conf))
                                : ha_help);
    return 0;
  }
  // -getServiceState, -getAllServiceState, -transitionToActive/-Standby (rmadmin_ha.h).
  if (int code = 0; RunHaAdminCommand(args, ctx, &code)) return code;
  const AdminCommand* command = Find(cmd);
  if (command == nullptr) {
    ctx.err << (!cmd.empty() && cmd[0] == '-' ? cmd.substr(1) : cmd) << ": Unknown command\n"
            << Usage(HaAdminUsageLines(ctx.conf));
    return kExitMinusOne;
  }
  if (command->run != nullptr) return command->run(args, IndividualUsage(*command), ctx);
  if (args.size() != 1) {
    ctx.err << IndividualUsage(*command);
    return kExitMinusOne;
  }
  auto rm = RMClient::CreateAdmin(ctx.conf);
  absl::Status s = rm.ok() ? std::invoke(command->call, **rm) : rm.status();
  if (!s.ok()) {
    ctx.err << cmd.substr(1) << ": " << s.message() << "\n";
    return kExitMinusOne;
  }
  return 0;
}

}  // namespace skein::cli
