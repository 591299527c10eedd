// launch_container.sh generation, as YARN's ContainerLaunch writes it: export the container's
// environment, cd to its working directory, exec the user's command through bash. Pure functions;
// any thread.
#ifndef SKEIN_NODEMANAGER_CONTAINER_LAUNCH_SCRIPT_H_
#define SKEIN_NODEMANAGER_CONTAINER_LAUNCH_SCRIPT_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace skein::nm {

// YARN's ApplicationConstants.LOG_DIR_EXPANSION_VAR.
inline constexpr char kLogDirExpansionVar[] = "<LOG_DIR>";

// `value` in single quotes, safe for bash: it's a "x" -> 'it'\''s a "x"'.
std::string ShellSingleQuote(absl::string_view value);

// Every "<LOG_DIR>" in `command` replaced by `log_dir`.
std::string ExpandLogDir(absl::string_view command, absl::string_view log_dir);

struct LaunchScriptParams {
  std::string container_id;
  std::string nm_host;
  int nm_port = 0;
  int nm_http_port = 0;
  std::vector<std::string> local_dirs;  // the application's cache dirs (LOCAL_DIRS)
  std::string log_dir;                  // the container's log dir (LOG_DIRS, <LOG_DIR>)
  std::string working_dir;              // PWD
  std::string user;
  std::string home;  // HOME
  // Whitelisted variables from the NodeManager's own environment (name -> value).
  std::map<std::string, std::string> inherited_env;
  // The launch context's environment; it wins over everything above.
  std::map<std::string, std::string> user_env;
  std::vector<std::string> commands;  // joined by spaces
  // Shell lines run first, before any export (e.g. joining the container's cgroups).
  std::vector<std::string> prologue;
};

// The launch context's variable names must be exportable by bash ([A-Za-z_][A-Za-z0-9_]*).
absl::Status ValidateEnvironment(const std::map<std::string, std::string>& env);

// The NodeManager's own variables, then the inherited ones the application did not set, then the
// application's: the order the script exports them in (later wins).
std::vector<std::pair<std::string, std::string>> ContainerEnvironment(const LaunchScriptParams& p);

// The full text of launch_container.sh. The command runs as `exec /bin/bash -c '<command>'`:
// single quotes (instead of YARN's double quotes) so the command reaches the inner shell as
// written; $VARS in it expand there, against the exported environment.
std::string BuildLaunchScript(const LaunchScriptParams& p);

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_CONTAINER_LAUNCH_SCRIPT_H_
