// Internal to client/: the high-availability commands of `yarn rmadmin` (Hadoop 3's RMAdminCLI /
// HAAdmin) over HAServiceProtocol on each RM's admin address
// (yarn.resourcemanager.admin.address.<rm-id>):
//
//   -getServiceState <rm-id>        prints "active" or "standby"
//   -getAllServiceState             one line per rm-id: "%-50s %-10s" of host:port and state, or
//                                   "Failed to connect: <reason>"
//   -transitionToActive [--forceactive] [--forcemanual] <rm-id>
//   -transitionToStandby [--forcemanual] <rm-id>
//
// Transitions are refused by the CLI (and by the RM) while automatic failover is enabled unless
// --forcemanual is given; -transitionToActive also refuses when another RM is already active,
// unless --forceactive. The RM runs a transition in the background; the command waits (at most
// 30 s) until the RM reports the new state.
//
// Exit codes: 0, or 255 (Hadoop's -1) with the reason on stderr (a usage error prints the
// command's usage line). One thread.
#ifndef SKEIN_CLIENT_RMADMIN_HA_H_
#define SKEIN_CLIENT_RMADMIN_HA_H_

#include <string>
#include <vector>

#include "client/commands.h"

namespace skein::cli {

// Runs args[0] when it is one of the four HA commands (setting *exit_code) and returns true;
// false for any other command.
bool RunHaAdminCommand(const std::vector<std::string>& args, CliContext& ctx, int* exit_code);

// "-getServiceState <serviceId>: ..." for `-help <cmd>` of an HA command; "" for others.
std::string HaAdminHelp(const std::string& command);
// With yarn.resourcemanager.ha.enabled, the HA commands' lines of `yarn rmadmin`'s usage
// ("   -getServiceState <serviceId>\n"...) and of its full -help ("   <cmd> <args>: <text>\n"...),
// as RMAdminCLI shows them only with HA; "" without HA.
std::string HaAdminUsageLines(const conf::Configuration& conf);
std::string HaAdminHelpLines(const conf::Configuration& conf);

}  // namespace skein::cli

#endif  // SKEIN_CLIENT_RMADMIN_HA_H_
