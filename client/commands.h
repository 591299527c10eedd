// Internal to client/: one function per `yarn` subcommand. Each gets the arguments after the
// subcommand name and the loaded configuration, prints to ctx.out / ctx.err, and returns the exit
// code. One thread.
#ifndef SKEIN_CLIENT_COMMANDS_H_
#define SKEIN_CLIENT_COMMANDS_H_

#include <optional>
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
  // The directory `conf` came from (--config, YARN_CONF_DIR, HADOOP_CONF_DIR); none: built-ins.
  std::optional<std::string> conf_dir = std::nullopt;
};

int RunApplicationCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunNodeCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunQueueCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunDistributedShell(const std::vector<std::string>& args, CliContext& ctx);
int RunSubmitCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunResourceManagerCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunNodeManagerCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunMiniClusterCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunRmAdminCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunContainerCommand(const std::vector<std::string>& args, CliContext& ctx);
int RunLogsCommand(const std::vector<std::string>& args, CliContext& ctx);

}  // namespace skein::cli

#endif  // SKEIN_CLIENT_COMMANDS_H_
