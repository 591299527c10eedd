// Internal to client/: one function per `yarn` subcommand. Each gets the arguments after the
// subcommand name and the loaded configuration, prints to ctx.out / ctx.err, and returns the exit
// code. One thread.
#ifndef SKEIN_CLIENT_COMMANDS_H_
#define SKEIN_CLIENT_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "common/conf/configuration.h"

namespace skein::cli {

// Hadoop's CLIs return -1 for "not found" and usage errors; the shell sees 255.
inline constexpr int kExitMinusOne = 255;

struct CliContext {
  conf::Configuration conf;
  std::ostream& out;
  std::ostream& err;
};

int RunApplicationCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunNodeCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunQueueCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunDistributedShell(const std::vector<std::string>& args, CliContext& ctx);
int RunSubmitCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunResourceManagerCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunNodeManagerCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunMiniClusterCommand(const std::vector<std::string>& args, CliContext& ctx);

}  // namespace skein::cli

#endif  // SKEIN_CLIENT_COMMANDS_H_
