// launch_container.sh generation, as YARN's ContainerLaunch writes it: export the container's
// environment, cd to its working directory, exec the user's command through bash (or directly
// when it needs no shell). The script is always written; whether it runs is the
// ContainerManager's choice (shell_free_command.h). Pure functions; any thread.
#ifndef SKEIN_NODEMANAGER_CONTAINER_LAUNCH_SCRIPT_H_
#define SKEIN_NODEMANAGER_CONTAINER_LAUNCH_SCRIPT_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "nodemanager/container/shell_free_command.h"

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
  // yarn.nodemanager.admin-env (expanded): wins over the launch context's environment, as in
  // Hadoop ("forced in, even if the container has specified them").
  std::map<std::string, std::string> admin_env;
  std::vector<std::string> commands;  // joined by spaces
  // Shell lines run first, before any export (e.g. the recovery exit-code wrapper).
  std::vector<std::string> prologue;
  // cgroup.procs files the executor joined the process to before the script ran (a comment in
  // the script says so).
  std::vector<std::string> joined;
  // The exit code file the executor's helper writes (NodeManager recovery; a comment in the
  // script says so), or "".
  std::string exit_code_file;
  // The commands parsed as needing no shell (shell_free_command.h): the script then ends in
  // `exec <program> <args> <redirections>` (one bash instead of two), the very command a direct
  // launch runs.
  std::optional<ShellFreeCommand> shell_free;
};

// The launch context's variable names must be exportable by bash ([A-Za-z_][A-Za-z0-9_]*).
absl::Status ValidateEnvironment(const std::map<std::string, std::string>& env);

// The NodeManager's own variables, then the inherited ones the application did not set, then the
// application's: the order the script exports them in (later wins).
std::vector<std::pair<std::string, std::string>> ContainerEnvironment(const LaunchScriptParams& p);

// The full text of launch_container.sh. The command runs as `exec /bin/bash -c '<command>'`:
// single quotes (instead of YARN's double quotes) so the command reaches the inner shell as
// written; $VARS in it expand there, against the exported environment. A shell-free command runs
// as `exec '<arg>'... <redirections>` instead.
std::string BuildLaunchScript(const LaunchScriptParams& p);
// The line that moves the script's process into the cgroup of `procs_file` (its cgroup.procs),
// failing the container when it cannot.
std::string JoinCommand(const std::string& procs_file);
// The cgroup.procs file of a line JoinCommand wrote, or nullopt for any other line: the
// ContainerManager lets the executor do those joins before exec (LaunchSpec::join_files).
std::optional<std::string> JoinCommandTarget(absl::string_view line);
// NodeManager recovery without the executor's helper: the script's first line, which runs the
// rest of the script as a child and writes its exit code to `exit_code_file` (through a .tmp
// file and mv), deferring a group SIGTERM until the child has exited.
std::string ExitCodeWrapperLine(const std::string& exit_code_file);
// The exit code file of a line ExitCodeWrapperLine wrote, or nullopt for any other line: the
// ContainerManager lets the executor's helper record the exit code instead
// (LaunchSpec::exit_code_file), so the command needs no bash for it.
std::optional<std::string> ExitCodeWrapperTarget(absl::string_view line);
// The script's last line for a shell-free command: every word and path single-quoted.
std::string ShellFreeExecLine(const ShellFreeCommand& c);

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_CONTAINER_LAUNCH_SCRIPT_H_
