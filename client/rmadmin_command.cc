// `yarn rmadmin`: Hadoop 3's RMAdminCLI over ResourceManagerAdministrationProtocol
// (yarn.resourcemanager.admin.address). Supported: -refreshQueues, -refreshAdminAcls, -help [cmd].
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

namespace skein::cli {
namespace {

struct AdminCommand {
  const char* name;         // "-refreshQueues"
  const char* args;         // shown after the name in usage lines
  const char* description;  // -help text
  absl::Status (RMClient::*call)();
};

const std::vector<AdminCommand>& Commands() {
  static const auto* const kCommands = new std::vector<AdminCommand>{
      {"-refreshQueues", "",
       "Reload the queues' acls, states and scheduler specific properties. \n"
       "\t\tResourceManager will reload the mapred-queues configuration file.",
       &RMClient::RefreshQueues},
      {"-refreshAdminAcls", "", "Refresh acls for administration of ResourceManager",
       &RMClient::RefreshAdminAcls},
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

std::string Usage() {
  std::string out = "Usage: yarn rmadmin\n";
  for (const auto& c : Commands()) absl::StrAppend(&out, "   ", c.name, " ", c.args, "\n");
  absl::StrAppend(&out, "   -help [cmd]\n\n");
  return out;
}

std::string Help(const std::string& only) {
  if (!only.empty()) {
    std::string name = only[0] == '-' ? only : "-" + only;
    if (name == "-help") return absl::StrCat("-help [cmd]: ", kHelpDescription, "\n");
    if (const AdminCommand* c = Find(name)) {
      return absl::StrCat(c->name, ": ", c->description, "\n");
    }
  }
  std::string out =
      "rmadmin is the command to execute YARN administrative commands.\n"
      "The full syntax is: \n\n"
      "yarn rmadmin";
  for (const auto& c : Commands()) absl::StrAppend(&out, " [", c.name, "]");
  absl::StrAppend(&out, " [-help [cmd]]\n\n");
  for (const auto& c : Commands()) absl::StrAppend(&out, "   ", c.name, ": ", c.description, "\n");
  absl::StrAppend(&out, "   -help [cmd]: ", kHelpDescription, "\n\n");
  return out;
}

}  // namespace

int RunRmAdminCommand(const std::vector<std::string>& args, CliContext& ctx) {
  if (args.empty()) {
    ctx.err << Usage();
    return kExitMinusOne;
  }
  const std::string& cmd = args[0];
  if (cmd == "-help" || cmd == "--help") {
    ctx.out << Help(args.size() > 1 ? args[1] : "");
    return 0;
  }
  const AdminCommand* command = Find(cmd);
  if (command == nullptr) {
    ctx.err << (!cmd.empty() && cmd[0] == '-' ? cmd.substr(1) : cmd) << ": Unknown command\n"
            << Usage();
    return kExitMinusOne;
  }
  if (args.size() != 1) {
    ctx.err << "Usage: yarn rmadmin [" << cmd << "]\n";
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
