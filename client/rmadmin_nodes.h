// Internal to client/: the node-administration commands of `yarn rmadmin` (Hadoop 3's
// RMAdminCLI): -refreshNodes [-g|graceful [timeout in seconds] -client|server] and
// -updateNodeResource. rmadmin_command.cc dispatches to them.
//
// Each takes the whole argument list (args[0] is the command), the command's usage line
// ("Usage: yarn rmadmin [-refreshNodes ...]") printed after argument errors, and returns the
// exit code: 0, or 255 (Hadoop's -1) with "<command>: <reason>" on stderr. One thread.
#ifndef SKEIN_CLIENT_RMADMIN_NODES_H_
#define SKEIN_CLIENT_RMADMIN_NODES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/commands.h"
#include "common/resource.h"

namespace skein::cli {

// -refreshNodes: NORMAL without -g; with -g, GRACEFUL with the given timeout (omitted: -1, no
// limit, as RMAdminCLI sends). -server returns at once; -client polls the RM every second,
// printing "Nodes '<id>,<id>' are still decommissioning." until none is left or timeout + 5 s
// passed, then prints "Graceful decommissioning completed in N seconds." or issues a FORCEFUL
// refresh after "Graceful decommissioning not completed in T seconds, issuing forceful
// decommissioning command.".
int RunRefreshNodes(const std::vector<std::string>& args, const std::string& usage,
                    CliContext& ctx);

// -updateNodeResource <NodeID> <MemSize> <vCores> [OvercommitTimeout]
// -updateNodeResource <NodeID> <memory-mb=1024Mi,vcores=2[,type=n]> [OvercommitTimeout]
int RunUpdateNodeResource(const std::vector<std::string>& args, const std::string& usage,
                          CliContext& ctx);

// The resource-types form: "memory-mb=2Gi,vcores=2,yarn.io/gpu=1" (memory-mb takes no unit, Mi,
// Gi or Ti; other values are plain integers). Both memory-mb and vcores are required.
// InvalidArgument in RMAdminCLI's words otherwise.
absl::StatusOr<Resource> ParseResourceTypes(const std::string& text);

}  // namespace skein::cli

#endif  // SKEIN_CLIENT_RMADMIN_NODES_H_
