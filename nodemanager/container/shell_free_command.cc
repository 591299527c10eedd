#include "nodemanager/container/shell_free_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace skein::nm {
namespace {

// Bash keywords and builtins: a command starting with one of them is not an exec of a program.
constexpr absl::string_view kShellWords[] = {
    "!",         "[[",       "]]",       "{",       "}",        "case",    "coproc",   "do",
    "done",      "elif",     "else",     "esac",    "fi",       "for",     "function", "if",
    "in",        "select",   "then",     "time",    "until",    "while",   ".",        ":",
    "[",         "alias",    "bg",       "bind",    "break",    "builtin", "caller",   "cd",
    "command",   "compgen",  "complete", "compopt", "continue", "declare", "dirs",     "disown",
    "echo",      "enable",   "eval",     "exec",    "exit",     "export",  "false",    "fc",
    "fg",        "getopts",  "hash",     "help",    "history",  "jobs",    "kill",     "let",
    "local",     "logout",   "mapfile",  "popd",    "printf",   "pushd",   "pwd",      "read",
    "readarray", "readonly", "return",   "set",     "shift",    "shopt",   "source",   "suspend",
    "test",      "times",    "trap",     "true",    "type",     "typeset", "ulimit",   "umask",
    "unalias",   "unset",    "wait"};

bool IsShellWord(absl::string_view w) {
  return std::find(std::begin(kShellWords), std::end(kShellWords), w) != std::end(kShellWords);
}

// Characters bash takes literally in an unquoted word (and that start no expansion anywhere).
bool PlainChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("_-./:=,+@%").find(c) != absl::string_view::npos;
}

bool Blank(char c) { return c == ' ' || c == '\t'; }

// Reads the command one word or redirection at a time.
class Parser {
 public:
  explicit Parser(absl::string_view text) : s_(text) {}

  std::optional<ShellFreeCommand> Parse() {
    ShellFreeCommand out;
    while (true) {
      SkipBlanks();
      if (i_ == s_.size()) break;
      if (std::optional<bool> redirect = Redirect(&out); redirect.has_value()) {
        if (!*redirect) return std::nullopt;
        continue;
      }
      std::optional<std::string> word = Word();
      if (!word.has_value()) return std::nullopt;
      out.argv.push_back(*std::move(word));
    }
    // `exec cmd ...` is what bash would do for `cmd ...` anyway.
    if (out.argv.size() > 1 && out.argv[0] == "exec" && !absl::StartsWith(out.argv[1], "-")) {
      out.argv.erase(out.argv.begin());
    }
    if (out.argv.empty() || out.argv[0].empty() || IsShellWord(out.argv[0]) ||
        absl::StrContains(out.argv[0], '=')) {
      return std::nullopt;
    }
    return out;
  }

 private:
  void SkipBlanks() {
    while (i_ < s_.size() && Blank(s_[i_])) ++i_;
  }
  bool At(char c) const { return i_ < s_.size() && s_[i_] == c; }

  // At the start of a word: nullopt when it is not a redirection, else whether it is one we
  // can do (appended to `out`).
  std::optional<bool> Redirect(ShellFreeCommand* out) {
    FdRedirect r;
    if ((At('1') || At('2')) && i_ + 1 < s_.size() && s_[i_ + 1] == '>') {
      r.fd = s_[i_] - '0';
      i_ += 2;
    } else if (At('>')) {
      r.fd = 1;
      ++i_;
    } else {
      return std::nullopt;
    }
    if (At('>')) {
      r.append = true;
      ++i_;
    } else if (At('&')) {
      ++i_;
      if (!(At('1') || At('2')) || (i_ + 1 < s_.size() && !Blank(s_[i_ + 1]))) return false;
      r.dup_from = s_[i_++] - '0';
      out->redirects.push_back(r);
      return true;
    }
    SkipBlanks();
    if (i_ == s_.size()) return false;
    std::optional<std::string> target = Word();
    if (!target.has_value() || target->empty()) return false;
    r.path = *std::move(target);
    out->redirects.push_back(std::move(r));
    return true;
  }

  // One word up to a blank or the end, quotes removed; nullopt if any part needs the shell.
  std::optional<std::string> Word() {
    std::string w;
    while (i_ < s_.size() && !Blank(s_[i_])) {
      const char c = s_[i_];
      if (c == '\'' || c == '"') {
        const size_t end = s_.find(c, i_ + 1);
        if (end == absl::string_view::npos) return std::nullopt;
        absl::string_view inner = s_.substr(i_ + 1, end - i_ - 1);
        if (c == '"' && inner.find_first_of("$`\\!") != absl::string_view::npos) {
          return std::nullopt;
        }
        w.append(inner.data(), inner.size());
        i_ = end + 1;
      } else if (PlainChar(c)) {
        w.push_back(c);
        ++i_;
      } else {
        return std::nullopt;
      }
    }
    return w;
  }

  absl::string_view s_;
  size_t i_ = 0;
};

bool ExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::optional<ShellFreeCommand> ParseShellFreeCommand(absl::string_view command) {
  return Parser(command).Parse();
}

bool EnvironmentNeedsShell(const std::vector<std::pair<std::string, std::string>>& env) {
  for (const auto& [name, value] : env) {
    if (name == "BASH_ENV" || name == "ENV" || name == "SHELLOPTS" || name == "BASHOPTS" ||
        absl::StartsWith(name, "BASH_FUNC_")) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> ResolveProgram(const std::string& name, absl::string_view path_env,
                                          const std::string& work_dir) {
  if (name.empty()) return std::nullopt;
  if (absl::StrContains(name, '/')) {
    std::string path = name[0] == '/' ? name : work_dir + "/" + name;
    if (ExecutableFile(path)) return path;
    return std::nullopt;
  }
  for (absl::string_view dir : absl::StrSplit(path_env, ':')) {
    if (dir.empty() || dir[0] != '/') return std::nullopt;
    std::string path = std::string(dir) + "/" + name;
    if (ExecutableFile(path)) return path;
  }
  return std::nullopt;
}

}  // namespace skein::nm
