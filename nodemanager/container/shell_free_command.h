// Recognizes container commands that need no shell, so the NodeManager can start them itself
// (one posix-style spawn) instead of `bash launch_container.sh` followed by `bash -c '<command>'`.
//
// A command qualifies when bash would run it as ONE simple command without any expansion: plain
// words made of letters, digits and _-./:=,+@% (no $, globs, ~, braces, backslashes, ;&|()<>,
// comments or newlines), words in single quotes, or in double quotes that hold none of $ ` \ !,
// and stdout/stderr redirections at the start of a word: `>f`, `1>f`, `2>f`, `>>f`, `1>>f`,
// `2>>f` (the target also written after a blank), `2>&1`, `1>&2`. That covers YARN's usual
// `<cmd> <args> 1><LOG_DIR>/stdout 2><LOG_DIR>/stderr`. The first word must not be a bash keyword
// or builtin (bash would not exec a program for those) nor an assignment (NAME=value). Anything
// else keeps the bash path, which stays exactly as before. Pure functions except
// ResolveProgram (reads the filesystem); any thread.
#ifndef SKEIN_NODEMANAGER_CONTAINER_SHELL_FREE_COMMAND_H_
#define SKEIN_NODEMANAGER_CONTAINER_SHELL_FREE_COMMAND_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "nodemanager/executor/container_executor.h"

namespace skein::nm {

struct ShellFreeCommand {
  std::vector<std::string> argv;      // words after quote removal; argv[0] as written
  std::vector<FdRedirect> redirects;  // in the order written
};

// `command` as bash -c would receive it (after <LOG_DIR> expansion), or nullopt when it needs a
// shell (see above).
std::optional<ShellFreeCommand> ParseShellFreeCommand(absl::string_view command);

// Whether the environment changes how a non-interactive bash starts (BASH_ENV, ENV, SHELLOPTS,
// BASHOPTS, exported functions): such containers keep the bash path.
bool EnvironmentNeedsShell(const std::vector<std::pair<std::string, std::string>>& env);

// The file bash would execute for `name`: `name` itself when it holds a '/' (relative to
// `work_dir` unless absolute), else the first executable regular file in `path_env`'s absolute
// entries. nullopt when there is none, or when PATH has a relative or empty entry (bash would
// search the working directory): the bash path then reports the error as bash does.
std::optional<std::string> ResolveProgram(const std::string& name, absl::string_view path_env,
                                          const std::string& work_dir);

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_CONTAINER_SHELL_FREE_COMMAND_H_
