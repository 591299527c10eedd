#include "nodemanager/container/launch_script.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;

LaunchScriptParams Params() {
  LaunchScriptParams p;
  p.container_id = "container_1700000000000_0001_01_000002";
  p.nm_host = "127.0.0.1";
  p.nm_port = 4545;
  p.nm_http_port = 8042;
  p.local_dirs = {"/l1/usercache/alice/appcache/app", "/l2/usercache/alice/appcache/app"};
  p.log_dir = "/logs/app/container";
  p.working_dir = "/l1/usercache/alice/appcache/app/container";
  p.user = "alice";
  p.home = "/home/";
  p.commands = {"echo", "hi"};
  return p;
}

TEST(ShellSingleQuoteTest, Quotes) {
  EXPECT_EQ(ShellSingleQuote("plain"), "'plain'");
  EXPECT_EQ(ShellSingleQuote(""), "''");
  EXPECT_EQ(ShellSingleQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellSingleQuote("$HOME \"x\""), "'$HOME \"x\"'");
}

TEST(ExpandLogDirTest, ReplacesEveryOccurrence) {
  EXPECT_EQ(ExpandLogDir("a 1><LOG_DIR>/stdout 2><LOG_DIR>/stderr", "/l"),
            "a 1>/l/stdout 2>/l/stderr");
  EXPECT_EQ(ExpandLogDir("no var", "/l"), "no var");
}

TEST(ValidateEnvironmentTest, RejectsNamesBashCannotExport) {
  EXPECT_TRUE(ValidateEnvironment({{"JAVA_HOME", "x"}, {"_a1", ""}}).ok());
  for (const char* bad : {"A B", "1X", "", "X=Y", "X;rm"}) {
    absl::Status s = ValidateEnvironment({{bad, "v"}});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("environment variable name '" + std::string(bad) + "'"));
  }
}

TEST(LaunchScriptTest, ExportsYarnVariables) {
  std::string s = BuildLaunchScript(Params());
  EXPECT_EQ(s.rfind("#!/bin/bash\n", 0), 0u);
  EXPECT_THAT(s, HasSubstr("export CONTAINER_ID='container_1700000000000_0001_01_000002'\n"));
  EXPECT_THAT(s, HasSubstr("export NM_HOST='127.0.0.1'\n"));
  EXPECT_THAT(s, HasSubstr("export NM_PORT='4545'\n"));
  EXPECT_THAT(s, HasSubstr("export NM_HTTP_PORT='8042'\n"));
  EXPECT_THAT(s, HasSubstr("export LOCAL_DIRS='/l1/usercache/alice/appcache/app,"
                           "/l2/usercache/alice/appcache/app'\n"));
  EXPECT_THAT(s, HasSubstr("export LOG_DIRS='/logs/app/container'\n"));
  EXPECT_THAT(s, HasSubstr("export PWD='/l1/usercache/alice/appcache/app/container'\n"));
  EXPECT_THAT(s, HasSubstr("export USER='alice'\n"));
  EXPECT_THAT(s, HasSubstr("export LOGNAME='alice'\n"));
  EXPECT_THAT(s, HasSubstr("export HOME='/home/'\n"));
  EXPECT_THAT(s, HasSubstr("export JVM_PID=\"$$\"\n"));
  EXPECT_THAT(s, HasSubstr("cd '/l1/usercache/alice/appcache/app/container'"));
  EXPECT_THAT(s, HasSubstr("exec /bin/bash -c 'echo hi'\n"));
}

TEST(LaunchScriptTest, UserEnvironmentWinsOverInherited) {
  LaunchScriptParams p = Params();
  p.inherited_env = {{"PATH", "/nm/bin"}, {"JAVA_HOME", "/nm/java"}};
  p.user_env = {{"JAVA_HOME", "/app/java"}};
  auto env = ContainerEnvironment(p);
  int java = 0;
  std::string path;
  for (const auto& [k, v] : env) {
    if (k == "JAVA_HOME") {
      ++java;
      EXPECT_EQ(v, "/app/java");
    }
    if (k == "PATH") path = v;
  }
  EXPECT_EQ(java, 1);
  EXPECT_EQ(path, "/nm/bin");
}

TEST(LaunchScriptTest, AdminEnvironmentWinsOverUserAndInherited) {
  LaunchScriptParams p = Params();
  p.inherited_env = {{"PATH", "/nm/bin"}, {"MALLOC_ARENA_MAX", "8"}};
  p.user_env = {{"MALLOC_ARENA_MAX", "16"}, {"APP", "x"}};
  p.admin_env = {{"MALLOC_ARENA_MAX", "4"}};
  std::map<std::string, std::vector<std::string>> seen;
  for (const auto& [k, v] : ContainerEnvironment(p)) seen[k].push_back(v);
  EXPECT_THAT(seen["MALLOC_ARENA_MAX"], ::testing::ElementsAre("4"));
  EXPECT_THAT(seen["APP"], ::testing::ElementsAre("x"));
  EXPECT_THAT(seen["PATH"], ::testing::ElementsAre("/nm/bin"));
  EXPECT_THAT(BuildLaunchScript(p), HasSubstr("export MALLOC_ARENA_MAX='4'\n"));
}

TEST(LaunchScriptTest, LogDirExpandedInCommand) {
  LaunchScriptParams p = Params();
  p.commands = {"run", "1><LOG_DIR>/stdout", "2><LOG_DIR>/stderr"};
  EXPECT_THAT(BuildLaunchScript(p), HasSubstr("exec /bin/bash -c 'run 1>/logs/app/container/stdout "
                                              "2>/logs/app/container/stderr'\n"));
}

// Runs the generated script for real: values with quotes, spaces, $ and backslashes reach the
// process unchanged, and $VARS in the command expand against the exported environment.
TEST(LaunchScriptTest, ScriptRunsAndPreservesTrickyValues) {
  std::string dir = (std::filesystem::path(::testing::TempDir()) /
                     ("launch_script_test_" + std::to_string(getpid())))
                        .lexically_normal()
                        .string();
  std::filesystem::create_directories(dir);
  LaunchScriptParams p = Params();
  p.working_dir = dir;
  p.log_dir = dir;
  const std::string tricky = "it's a \"test\" with $HOME, `date` and \\n";
  p.user_env = {{"TRICKY", tricky}};
  p.commands = {"printf '%s|%s|%s' \"$TRICKY\" \"$PWD\" \"$CONTAINER_ID\" > <LOG_DIR>/out"};
  std::string script_path = dir + "/launch_container.sh";
  { std::ofstream(script_path) << BuildLaunchScript(p); }
  std::string cmd = "/bin/bash " + script_path;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(dir + "/out");
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), tricky + "|" + dir + "|container_1700000000000_0001_01_000002");
  std::filesystem::remove_all(dir);
}

TEST(LaunchScriptTest, ShellFreeCommandIsExecedByTheScriptItself) {
  LaunchScriptParams p = Params();
  p.commands = {"/bin/prog", "it's", "1><LOG_DIR>/stdout", "2>&1"};
  p.shell_free =
      ParseShellFreeCommand(ExpandLogDir("/bin/prog \"it's\" 1><LOG_DIR>/stdout 2>&1", p.log_dir));
  ASSERT_TRUE(p.shell_free.has_value());
  p.joined = {"/cg/cpu/c1/cgroup.procs"};
  std::string s = BuildLaunchScript(p);
  EXPECT_THAT(s, HasSubstr("exec '/bin/prog' 'it'\\''s' 1>'/logs/app/container/stdout' 2>&1\n"));
  EXPECT_THAT(s, ::testing::Not(HasSubstr("/bin/bash -c")));
  EXPECT_THAT(s, HasSubstr("# joined before this script ran: /cg/cpu/c1/cgroup.procs\n"));
}

TEST(JoinCommandTest, TargetRoundTripsAndOtherLinesAreNotJoins) {
  const std::string procs = "/sys/fs/cgroup/cpu/hadoop-yarn/container_1/cgroup.procs";
  EXPECT_EQ(JoinCommand(procs), "echo $$ > '" + procs + "' || { echo 'cannot join cgroup " + procs +
                                    "' >&2; exit 1; }");
  EXPECT_EQ(JoinCommandTarget(JoinCommand(procs)), procs);
  EXPECT_EQ(JoinCommandTarget(JoinCommand(procs) + "; rm -rf /"), std::nullopt);
  EXPECT_EQ(JoinCommandTarget("echo $$ > '/x' || true"), std::nullopt);
  EXPECT_EQ(JoinCommandTarget("echo joined-the-group"), std::nullopt);
  // A path bash must unquote is left to bash.
  EXPECT_EQ(JoinCommandTarget(JoinCommand("/it's/cgroup.procs")), std::nullopt);
}

TEST(ExitCodeWrapperTest, TargetRoundTripsAndOtherLinesAreNotWrappers) {
  const std::string code = "/var/lib/nm/recovery/exitcodes/container_1_0001_01_000002";
  EXPECT_EQ(ExitCodeWrapperTarget(ExitCodeWrapperLine(code)), code);
  // Quotes in the path survive the round trip (the helper gets the path itself, not bash).
  EXPECT_EQ(ExitCodeWrapperTarget(ExitCodeWrapperLine("/it's/code")), "/it's/code");
  EXPECT_EQ(ExitCodeWrapperTarget(ExitCodeWrapperLine(code) + "; rm -rf /"), std::nullopt);
  EXPECT_EQ(ExitCodeWrapperTarget("echo \"$rc\" > '/x.tmp'"), std::nullopt);
  EXPECT_EQ(ExitCodeWrapperTarget(JoinCommand("/cg/cgroup.procs")), std::nullopt);
  EXPECT_EQ(ExitCodeWrapperTarget("echo unrelated"), std::nullopt);
}

}  // namespace
}  // namespace skein::nm
