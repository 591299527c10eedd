#include "nodemanager/container/launch_script.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace skein::nm {

std::string ShellSingleQuote(absl::string_view value) {
  return absl::StrCat("'", absl::StrReplaceAll(value, {{"'", "'\\''"}}), "'");
}

std::string ExpandLogDir(absl::string_view command, absl::string_view log_dir) {
  return absl::StrReplaceAll(command, {{kLogDirExpansionVar, log_dir}});
}

absl::Status ValidateEnvironment(const std::map<std::string, std::string>& env) {
  for (const auto& [name, value] : env) {
    bool ok = !name.empty() && !absl::ascii_isdigit(static_cast<unsigned char>(name[0]));
    for (char c : name) ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment variable name '", name,
                       "' is not valid: use letters, digits and _, not starting with a digit"));
    }
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> ContainerEnvironment(const LaunchScriptParams& p) {
  std::vector<std::pair<std::string, std::string>> env = {
      {"CONTAINER_ID", p.container_id},
      {"NM_HOST", p.nm_host},
      {"NM_PORT", absl::StrCat(p.nm_port)},
      {"NM_HTTP_PORT", absl::StrCat(p.nm_http_port)},
      {"LOCAL_DIRS", absl::StrJoin(p.local_dirs, ",")},
      {"LOG_DIRS", p.log_dir},
      {"PWD", p.working_dir},
      {"USER", p.user},
      {"LOGNAME", p.user},
      {"HOME", p.home},
  };
  for (const auto& [name, value] : p.inherited_env) {
    if (p.user_env.count(name) == 0 && p.admin_env.count(name) == 0) env.emplace_back(name, value);
  }
  for (const auto& [name, value] : p.user_env) {
    if (p.admin_env.count(name) == 0) env.emplace_back(name, value);
  }
  for (const auto& [name, value] : p.admin_env) env.emplace_back(name, value);
  return env;
}

std::string JoinCommand(const std::string& procs_file) {
  return absl::StrCat("echo $$ > ", ShellSingleQuote(procs_file), " || { echo ",
                      ShellSingleQuote(absl::StrCat("cannot join cgroup ", procs_file)),
                      " >&2; exit 1; }");
}

std::optional<std::string> JoinCommandTarget(absl::string_view line) {
  constexpr absl::string_view kPrefix = "echo $$ > '";
  if (!absl::StartsWith(line, kPrefix)) return std::nullopt;
  const size_t end = line.find('\'', kPrefix.size());
  if (end == absl::string_view::npos) return std::nullopt;
  std::string procs(line.substr(kPrefix.size(), end - kPrefix.size()));
  if (JoinCommand(procs) != line) return std::nullopt;
  return procs;
}

std::string ExitCodeWrapperLine(const std::string& exit_code_file) {
  // The first run (the process group leader the NodeManager knows) runs the script again as a
  // child and records its exit code; a SIGTERM to the group is deferred by the trap until the
  // child has exited, so even a kill leaves its exit code behind.
  const std::string f = ShellSingleQuote(exit_code_file);
  return absl::StrCat(
      "if [ -z \"$SKEIN_EXIT_CODE_WRAPPED\" ]; then export SKEIN_EXIT_CODE_WRAPPED=1; ",
      "trap 'true' TERM; /bin/bash \"$0\" \"$@\"; rc=$?; ", "echo \"$rc\" > ", f, ".tmp && mv -f ",
      f, ".tmp ", f, "; exit \"$rc\"; fi");
}

std::optional<std::string> ExitCodeWrapperTarget(absl::string_view line) {
  constexpr absl::string_view kBefore = "echo \"$rc\" > ";
  size_t i = line.find(kBefore);
  if (i == absl::string_view::npos) return std::nullopt;
  // Undo ShellSingleQuote: 'text' runs and \' between them.
  std::string word;
  for (i += kBefore.size(); i < line.size();) {
    if (line[i] == '\'') {
      const size_t end = line.find('\'', i + 1);
      if (end == absl::string_view::npos) return std::nullopt;
      absl::StrAppend(&word, line.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (line[i] == '\\' && i + 1 < line.size()) {
      word.push_back(line[i + 1]);
      i += 2;
    } else {
      break;
    }
  }
  if (word.empty() || ExitCodeWrapperLine(word) != line) return std::nullopt;
  return word;
}

std::string ShellFreeExecLine(const ShellFreeCommand& c) {
  std::string line = "exec";
  for (const std::string& a : c.argv) absl::StrAppend(&line, " ", ShellSingleQuote(a));
  for (const FdRedirect& r : c.redirects) {
    if (r.dup_from >= 0) {
      absl::StrAppend(&line, " ", r.fd, ">&", r.dup_from);
    } else {
      absl::StrAppend(&line, " ", r.fd, r.append ? ">>" : ">", ShellSingleQuote(r.path));
    }
  }
  return line;
}

std::string BuildLaunchScript(const LaunchScriptParams& p) {
  std::string script = "#!/bin/bash\n\n";
  for (const std::string& f : p.joined) {
    absl::StrAppend(&script, "# joined before this script ran: ", f, "\n");
  }
  if (!p.exit_code_file.empty()) {
    absl::StrAppend(&script, "# run by skein-exitcode-helper, which writes its exit code to ",
                    p.exit_code_file, "\n");
  }
  for (const std::string& line : p.prologue) absl::StrAppend(&script, line, "\n");
  for (const auto& [name, value] : ContainerEnvironment(p)) {
    absl::StrAppend(&script, "export ", name, "=", ShellSingleQuote(value), "\n");
  }
  // The script's own pid: the container's process (exec keeps it).
  absl::StrAppend(&script, "export JVM_PID=\"$$\"\n");
  absl::StrAppend(&script, "cd ", ShellSingleQuote(p.working_dir), " || exit 1\n");
  if (p.shell_free.has_value()) {
    absl::StrAppend(&script, ShellFreeExecLine(*p.shell_free), "\n");
    return script;
  }
  std::string command = ExpandLogDir(absl::StrJoin(p.commands, " "), p.log_dir);
  absl::StrAppend(&script, "exec /bin/bash -c ", ShellSingleQuote(command), "\n");
  return script;
}

}  // namespace skein::nm
