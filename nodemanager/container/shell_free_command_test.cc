#include "nodemanager/container/shell_free_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::nm {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Argv(absl::string_view command) {
  std::optional<ShellFreeCommand> c = ParseShellFreeCommand(command);
  EXPECT_TRUE(c.has_value()) << command;
  return c.has_value() ? c->argv : std::vector<std::string>{};
}

// "1>path" / "2>>path" / "2>&1" for each redirection.
std::vector<std::string> Redirects(absl::string_view command) {
  std::optional<ShellFreeCommand> c = ParseShellFreeCommand(command);
  EXPECT_TRUE(c.has_value()) << command;
  std::vector<std::string> out;
  if (!c.has_value()) return out;
  for (const FdRedirect& r : c->redirects) {
    out.push_back(r.dup_from >= 0 ? std::to_string(r.fd) + ">&" + std::to_string(r.dup_from)
                                  : std::to_string(r.fd) + (r.append ? ">>" : ">") + r.path);
  }
  return out;
}

TEST(ShellFreeCommandTest, YarnStyleCommandWithLogRedirections) {
  const std::string cmd =
      "/usr/bin/java -Xmx512m -Dlog.dir=/logs/app_1/c_1 org.Main --port 0 "
      "1>/logs/app_1/c_1/stdout 2>/logs/app_1/c_1/stderr";
  EXPECT_THAT(Argv(cmd), ElementsAre("/usr/bin/java", "-Xmx512m", "-Dlog.dir=/logs/app_1/c_1",
                                     "org.Main", "--port", "0"));
  EXPECT_THAT(Redirects(cmd), ElementsAre("1>/logs/app_1/c_1/stdout", "2>/logs/app_1/c_1/stderr"));
}

TEST(ShellFreeCommandTest, QuotesAreRemovedExactly) {
  EXPECT_THAT(Argv("prog 'a b' \"c d\" e'f'\"g\" '' 'it''s' \"x'y\" 'p\"q' a,b+c@d%e:f"),
              ElementsAre("prog", "a b", "c d", "efg", "", "its", "x'y", "p\"q", "a,b+c@d%e:f"));
  // Inside single quotes everything is literal, even what would otherwise need bash.
  EXPECT_THAT(Argv("prog '$HOME; `x` * ~ \\ |'"), ElementsAre("prog", "$HOME; `x` * ~ \\ |"));
  EXPECT_THAT(Argv("  prog\t x  "), ElementsAre("prog", "x"));
}

TEST(ShellFreeCommandTest, RedirectionForms) {
  EXPECT_THAT(Redirects("prog >out 2>&1"), ElementsAre("1>out", "2>&1"));
  EXPECT_THAT(Redirects("prog >>out 2>> err"), ElementsAre("1>>out", "2>>err"));
  EXPECT_THAT(Redirects("prog 2> 'my err' 1>&2"), ElementsAre("2>my err", "1>&2"));
  EXPECT_THAT(Redirects("1>out prog x"), ElementsAre("1>out"));
  EXPECT_THAT(Argv("1>out prog x"), ElementsAre("prog", "x"));
  // A digit word not followed by '>' is an argument.
  EXPECT_THAT(Argv("prog 1 2 12"), ElementsAre("prog", "1", "2", "12"));
  EXPECT_THAT(Redirects("prog 1 >x"), ElementsAre("1>x"));
}

TEST(ShellFreeCommandTest, LeadingExecIsDropped) {
  EXPECT_THAT(Argv("exec /bin/sleep 1"), ElementsAre("/bin/sleep", "1"));
}

TEST(ShellFreeCommandTest, AnythingNeedingBashFallsBack) {
  for (const char* cmd : {
           "",                       // nothing to run
           "   ",                    //
           "$JAVA_HOME/bin/java x",  // expansion
           "prog \"$x\"",            // expansion inside double quotes
           "prog \"a\\b\"",          // backslash in double quotes
           "prog \"hi!\"",           // ! in double quotes
           "prog `date`",            // command substitution
           "prog a\\ b",             // backslash escape
           "a && b",                 // lists
           "a; b",                   //
           "a | b",                  // pipes
           "a & b",                  // background
           "(a)",                    // subshell
           "prog *.txt",             // globs
           "prog a?",                //
           "prog [ab]",              //
           "prog {a,b}",             // brace expansion
           "~/bin/prog",             // tilde
           "prog # comment",         // comment
           "prog <in",               // input redirection
           "prog 3>x",               // other descriptors
           "prog &>x",               //
           "prog>x",                 // redirection inside a word
           "prog 2>&3",              //
           "prog 2>&1x",             //
           "prog >&-",               // close
           "prog 1>''",              // empty target
           "prog 1>",                // no target
           "prog 1>|x",              // noclobber override
           "prog 'unterminated",     //
           "prog \"unterminated",    //
           "a\nb",                   // newline separates commands
           "FOO=1 prog",             // assignment
           "'' prog",                // empty command name
           "echo hi",                // builtins and keywords are not programs
           "true",                   //
           "exit 3",                 //
           "cd /tmp",                //
           "if",                     //
           "time prog",              //
           "exec -a name prog",      // exec with options
           "exec",                   //
           "prog caf\xc3\xa9",       // non-ASCII stays with bash
       }) {
    EXPECT_FALSE(ParseShellFreeCommand(cmd).has_value()) << "'" << cmd << "'";
  }
}

TEST(ShellFreeCommandTest, EnvironmentThatChangesBashStartUp) {
  EXPECT_FALSE(EnvironmentNeedsShell({{"PATH", "/bin"}, {"JAVA_HOME", "/jdk"}}));
  EXPECT_TRUE(EnvironmentNeedsShell({{"BASH_ENV", "/x"}}));
  EXPECT_TRUE(EnvironmentNeedsShell({{"SHELLOPTS", "xtrace"}}));
  EXPECT_TRUE(EnvironmentNeedsShell({{"BASHOPTS", "x"}}));
  EXPECT_TRUE(EnvironmentNeedsShell({{"ENV", "/x"}}));
  EXPECT_TRUE(EnvironmentNeedsShell({{"BASH_FUNC_f%%", "() { :; }"}}));
}

class ResolveProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/resolve_program_test_" + std::to_string(getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/a");
    std::filesystem::create_directories(dir_ + "/b");
    std::filesystem::create_directories(dir_ + "/work/sub");
    Make(dir_ + "/a/noexec", 0644);
    Make(dir_ + "/b/noexec", 0755);
    Make(dir_ + "/b/tool", 0755);
    Make(dir_ + "/a/tool", 0755);
    Make(dir_ + "/work/sub/run.sh", 0755);
    std::filesystem::create_directories(dir_ + "/a/adir");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static void Make(const std::string& path, mode_t mode) {
    std::ofstream(path) << "#!/bin/sh\n";
    chmod(path.c_str(), mode);
  }
  std::string dir_;
};

TEST_F(ResolveProgramTest, SearchesPathInOrderForExecutableFiles) {
  const std::string path = dir_ + "/a:" + dir_ + "/b";
  EXPECT_EQ(ResolveProgram("tool", path, dir_ + "/work"), dir_ + "/a/tool");
  // Not executable in a: bash goes on to b.
  EXPECT_EQ(ResolveProgram("noexec", path, dir_ + "/work"), dir_ + "/b/noexec");
  // Directories are not programs; missing names are left to bash's error.
  EXPECT_EQ(ResolveProgram("adir", path, dir_ + "/work"), std::nullopt);
  EXPECT_EQ(ResolveProgram("missing", path, dir_ + "/work"), std::nullopt);
  EXPECT_EQ(ResolveProgram("", path, dir_ + "/work"), std::nullopt);
}

TEST_F(ResolveProgramTest, RelativeOrEmptyPathEntriesKeepBash) {
  EXPECT_EQ(ResolveProgram("tool", "a:" + dir_ + "/b", dir_), std::nullopt);
  EXPECT_EQ(ResolveProgram("tool", ":" + dir_ + "/b", dir_), std::nullopt);
  EXPECT_EQ(ResolveProgram("tool", "", dir_), std::nullopt);
}

TEST_F(ResolveProgramTest, NamesWithASlashAreUsedAsGiven) {
  EXPECT_EQ(ResolveProgram(dir_ + "/b/tool", "/nowhere", "/"), dir_ + "/b/tool");
  EXPECT_EQ(ResolveProgram("sub/run.sh", "/nowhere", dir_ + "/work"), dir_ + "/work/sub/run.sh");
  EXPECT_EQ(ResolveProgram("./sub/run.sh", "/nowhere", dir_ + "/work"),
            dir_ + "/work/./sub/run.sh");
  EXPECT_EQ(ResolveProgram(dir_ + "/a/noexec", "/nowhere", "/"), std::nullopt);
}

}  // namespace
}  // namespace skein::nm
