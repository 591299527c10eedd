// The `yarn` command: Hadoop 3's subcommands, messages and exit codes.
//
//   yarn [--config DIR] <command> [options]
//
// RunYarn is the whole command (client/main.cc only forwards argv), so tests call it with
// their own streams. `args` excludes the program name. Returns the process exit code (Hadoop's
// -1 is returned as 255). Daemon subcommands (resourcemanager, nodemanager, minicluster) block
// until SIGINT/SIGTERM. Call from one thread.
#ifndef SKEIN_CLIENT_YARN_CLI_H_
#define SKEIN_CLIENT_YARN_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace skein::cli {

int RunYarn(std::vector<std::string> args, std::ostream& out, std::ostream& err);

// The usage text listing every subcommand.
std::string YarnUsage();

}  // namespace skein::cli

#endif  // SKEIN_CLIENT_YARN_CLI_H_
