#include "nodemanager/executor/posix_executor.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::nm {
namespace {

using namespace std::chrono_literals;

class PosixExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/posix_executor_test_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto e = PosixContainerExecutor::Create();
    ASSERT_TRUE(e.ok()) << e.status();
    executor_ = *std::move(e);
  }
  void TearDown() override {
    executor_.reset();
    std::filesystem::remove_all(dir_);
  }

  LaunchSpec Spec(const std::string& name, const std::string& body) {
    LaunchSpec spec;
    spec.container_id = name;
    spec.script_path = dir_ + "/" + name + ".sh";
    spec.working_dir = dir_;
    spec.log_dir = dir_;
    spec.env = {"PATH=/usr/bin:/bin"};
    std::ofstream(spec.script_path) << "#!/bin/bash\n" << body << "\n";
    return spec;
  }

  std::string Read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_;
  std::unique_ptr<PosixContainerExecutor> executor_;
};

TEST_F(PosixExecutorTest, ReportsExitCodeAndCapturesScriptOutput) {
  std::promise<std::pair<int, ProcessExit>> done;
  auto spec = Spec("c1", "echo out; echo err >&2; echo \"$PATH\"; exit 7");
  auto pid = executor_->Launch(spec, [&](int p, ProcessExit e) { done.set_value({p, e}); });
  ASSERT_TRUE(pid.ok()) << pid.status();
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  auto [reported_pid, exit] = f.get();
  EXPECT_EQ(reported_pid, *pid);
  EXPECT_FALSE(exit.signaled);
  EXPECT_EQ(exit.code, 7);
  EXPECT_EQ(Read("prelaunch.out"), "out\n/usr/bin:/bin\n");
  EXPECT_EQ(Read("prelaunch.err"), "err\n");
}

TEST_F(PosixExecutorTest, RunsInItsOwnSessionAndGroupSignalKillsChildren) {
  std::promise<ProcessExit> done;
  // A background child plus the leader, both in the new session's process group.
  auto spec = Spec("c2", "sleep 100 & echo $! > " + dir_ + "/child; wait");
  auto pid = executor_->Launch(spec, [&](int, ProcessExit e) { done.set_value(e); });
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(getpgid(*pid), *pid);
  EXPECT_EQ(getsid(*pid), *pid);
  EXPECT_TRUE(executor_->GroupAlive(*pid));
  ASSERT_TRUE(executor_->SignalGroup(*pid, SIGKILL).ok());
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  ProcessExit e = f.get();
  EXPECT_TRUE(e.signaled);
  EXPECT_EQ(e.code, SIGKILL);
  EXPECT_EQ(ExitStatusOf(e), 137);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (executor_->GroupAlive(*pid) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_FALSE(executor_->GroupAlive(*pid));
}

TEST_F(PosixExecutorTest, SigtermIs143) {
  std::promise<ProcessExit> done;
  auto pid = executor_->Launch(Spec("c3", "exec sleep 100"),
                               [&](int, ProcessExit e) { done.set_value(e); });
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(executor_->SignalGroup(*pid, SIGTERM).ok());
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(ExitStatusOf(f.get()), 143);
}

TEST_F(PosixExecutorTest, TwoExecutorsEachReapOnlyTheirOwn) {
  auto other = PosixContainerExecutor::Create();
  ASSERT_TRUE(other.ok());
  std::promise<int> a, b;
  ASSERT_TRUE(
      executor_->Launch(Spec("a", "exit 11"), [&](int, ProcessExit e) { a.set_value(e.code); })
          .ok());
  ASSERT_TRUE((*other)
                  ->Launch(Spec("b", "exit 22"), [&](int, ProcessExit e) { b.set_value(e.code); })
                  .ok());
  auto fa = a.get_future();
  auto fb = b.get_future();
  ASSERT_EQ(fa.wait_for(10s), std::future_status::ready);
  ASSERT_EQ(fb.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(fa.get(), 11);
  EXPECT_EQ(fb.get(), 22);
}

TEST_F(PosixExecutorTest, UnwritableLogDirIsAnError) {
  LaunchSpec spec = Spec("c4", "exit 0");
  spec.log_dir = dir_ + "/no/such/dir";
  auto pid = executor_->Launch(spec, [](int, ProcessExit) {});
  ASSERT_FALSE(pid.ok());
  EXPECT_THAT(pid.status().message(), ::testing::HasSubstr("launching " + spec.script_path));
}

TEST_F(PosixExecutorTest, BadGroupIsRejected) {
  EXPECT_FALSE(executor_->SignalGroup(1, SIGTERM).ok());
  EXPECT_FALSE(executor_->SignalGroup(0, SIGTERM).ok());
  EXPECT_FALSE(executor_->GroupAlive(0));
}

// A direct launch: no bash between the NodeManager and the program.
class DirectLaunchTest : public PosixExecutorTest {
 protected:
  LaunchSpec Direct(const std::string& name, const std::string& body) {
    std::filesystem::create_directories(dir_ + "/work");
    const std::string program = dir_ + "/" + name;
    std::ofstream(program) << body;
    std::filesystem::permissions(program, std::filesystem::perms::owner_all);
    LaunchSpec spec;
    spec.container_id = name;
    spec.script_path = dir_ + "/never-run.sh";
    spec.working_dir = dir_ + "/work";
    spec.log_dir = dir_;
    spec.program = program;
    spec.argv = {name, "a b", "$NOT_EXPANDED"};
    spec.env = {"PATH=/usr/bin:/bin", "FOO=bar", "JVM_PID=stale"};
    return spec;
  }
  ProcessExit Wait(std::promise<ProcessExit>& done) {
    auto f = done.get_future();
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.wait_for(0s) == std::future_status::ready ? f.get() : ProcessExit{true, SIGKILL};
  }
};

TEST_F(DirectLaunchTest, RunsProgramWithEnvCwdRedirectsAndOwnSession) {
  LaunchSpec spec = Direct("prog", R"sh(#!/bin/bash
echo "$0|$1|$2|$FOO|$JVM_PID|$$|$(pwd)|$(ps -o sid= -p $$ | tr -d ' ')"
echo to-stderr >&2
exit 5
)sh");
  spec.redirects = {{1, "out", false, -1}, {2, dir_ + "/err", false, -1}};
  std::promise<ProcessExit> done;
  auto pid = executor_->Launch(spec, [&](int, ProcessExit e) { done.set_value(e); });
  ASSERT_TRUE(pid.ok()) << pid.status();
  ProcessExit e = Wait(done);
  EXPECT_FALSE(e.signaled);
  EXPECT_EQ(e.code, 5);
  const std::string p = std::to_string(*pid);
  // A relative target is opened in the working directory, as bash would after its `cd`.
  EXPECT_EQ(Read("work/out"),
            dir_ + "/prog|a b|$NOT_EXPANDED|bar|" + p + "|" + p + "|" +
                std::filesystem::path(dir_ + "/work").lexically_normal().string() + "|" + p + "\n");
  EXPECT_EQ(Read("err"), "to-stderr\n");
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/prelaunch.out"));
  EXPECT_EQ(Read("prelaunch.err"), "");
}

TEST_F(DirectLaunchTest, AppendAndDupFollowTheWrittenOrder) {
  LaunchSpec spec = Direct("prog", "#!/bin/sh\necho out; echo err >&2\n");
  std::ofstream(dir_ + "/both") << "before\n";
  spec.redirects = {{1, dir_ + "/both", true, -1}, {2, "", false, 1}};
  std::promise<ProcessExit> done;
  ASSERT_TRUE(executor_->Launch(spec, [&](int, ProcessExit e) { done.set_value(e); }).ok());
  EXPECT_EQ(Wait(done).code, 0);
  EXPECT_EQ(Read("both"), "before\nout\nerr\n");
  EXPECT_EQ(Read("prelaunch.err"), "");
}

TEST_F(DirectLaunchTest, ScriptWithoutInterpreterLineRunsThroughBash) {
  LaunchSpec spec = Direct("noshebang", "echo \"ran:$1\" > ran\n");
  std::promise<ProcessExit> done;
  ASSERT_TRUE(executor_->Launch(spec, [&](int, ProcessExit e) { done.set_value(e); }).ok());
  EXPECT_EQ(Wait(done).code, 0);
  EXPECT_EQ(Read("work/ran"), "ran:a b\n");
}

TEST_F(DirectLaunchTest, JoinFilesGetThePidBeforeTheProgramRuns) {
  LaunchSpec spec = Direct("prog", "#!/bin/sh\ncat \"$1\" > seen\n");
  spec.argv = {"prog", dir_ + "/procs"};
  std::ofstream(dir_ + "/procs").flush();
  spec.join_files = {dir_ + "/procs"};
  std::promise<ProcessExit> done;
  auto pid = executor_->Launch(spec, [&](int, ProcessExit e) { done.set_value(e); });
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(Wait(done).code, 0);
  EXPECT_EQ(Read("work/seen"), std::to_string(*pid) + "\n");
}

TEST_F(DirectLaunchTest, FailuresNameWhatFailed) {
  LaunchSpec spec = Direct("prog", "#!/bin/sh\nexit 0\n");
  spec.join_files = {dir_ + "/no/such/cgroup.procs"};
  auto pid = executor_->Launch(spec, [](int, ProcessExit) {});
  ASSERT_FALSE(pid.ok());
  EXPECT_THAT(pid.status().message(),
              ::testing::HasSubstr("launching " + spec.program + " (direct launch) for prog: " +
                                   dir_ + "/no/such/cgroup.procs: No such file or directory"));

  spec = Direct("prog", "#!/bin/sh\nexit 0\n");
  spec.program = dir_ + "/missing";
  pid = executor_->Launch(spec, [](int, ProcessExit) {});
  ASSERT_FALSE(pid.ok());
  EXPECT_THAT(pid.status().message(),
              ::testing::HasSubstr(dir_ + "/missing: No such file or directory"));

  spec = Direct("prog", "#!/bin/sh\nexit 0\n");
  spec.working_dir = dir_ + "/no-such-dir";
  pid = executor_->Launch(spec, [](int, ProcessExit) {});
  ASSERT_FALSE(pid.ok());
  EXPECT_THAT(pid.status().message(), ::testing::HasSubstr(dir_ + "/no-such-dir: No such file"));
}

// NodeManager recovery: the command runs as the child of skein-exitcode-helper, which records
// its exit code; no bash is added.
class ExitCodeHelperTest : public DirectLaunchTest {
 protected:
  std::string CodeFile() { return dir_ + "/exitcodes/c"; }
  LaunchSpec Wrapped(LaunchSpec spec) {
    std::filesystem::create_directories(dir_ + "/exitcodes");
    spec.exit_code_file = CodeFile();
    return spec;
  }
};

TEST_F(ExitCodeHelperTest, TheHelperIsFoundBesideTheBuiltBinaries) {
  EXPECT_EQ(PosixContainerExecutor::FindExitCodeHelper(),
            std::filesystem::path(SKEIN_BIN_DIR "/skein-exitcode-helper").lexically_normal());
  EXPECT_TRUE(executor_->WritesExitCodeFiles());
}

TEST_F(ExitCodeHelperTest, DirectCommandRunsUnderTheHelperWhichRecordsItsExitCode) {
  LaunchSpec spec = Wrapped(Direct("prog", R"sh(#!/bin/bash
echo "$0|$1|$2|$FOO|$JVM_PID|$$|$(pwd)|$(ps -o pgid= -p $$ | tr -d ' ')|$PPID"
cat "$3" > seen
exit 5
)sh"));
  spec.argv.push_back(dir_ + "/procs");
  std::ofstream(dir_ + "/procs").flush();
  spec.join_files = {dir_ + "/procs"};
  spec.redirects = {{1, "out", false, -1}};
  std::promise<ProcessExit> done;
  auto pid = executor_->Launch(spec, [&](int, ProcessExit e) { done.set_value(e); });
  ASSERT_TRUE(pid.ok()) << pid.status();
  ProcessExit e = Wait(done);
  EXPECT_EQ(ExitStatusOf(e), 5);
  EXPECT_EQ(Read("exitcodes/c"), "5\n");
  EXPECT_FALSE(std::filesystem::exists(CodeFile() + ".tmp"));
  // The program is the helper's child, in the helper's process group (the container's), with
  // JVM_PID its own pid; the helper (the pid Launch returned) joined the cgroup before exec.
  std::vector<std::string> f = absl::StrSplit(Read("work/out"), '|');
  ASSERT_EQ(f.size(), 9u) << Read("work/out");
  EXPECT_EQ(f[0], dir_ + "/prog");
  EXPECT_EQ(f[1], "a b");
  EXPECT_EQ(f[2], "$NOT_EXPANDED");
  EXPECT_EQ(f[3], "bar");
  EXPECT_EQ(f[4], f[5]);
  EXPECT_NE(f[5], std::to_string(*pid));
  EXPECT_EQ(f[6], std::filesystem::path(dir_ + "/work").lexically_normal().string());
  EXPECT_EQ(f[7], std::to_string(*pid));
  EXPECT_EQ(f[8], std::to_string(*pid) + "\n");
  EXPECT_EQ(Read("work/seen"), std::to_string(*pid) + "\n");
}

TEST_F(ExitCodeHelperTest, ScriptLaunchRunsUnderTheHelperToo) {
  LaunchSpec spec = Wrapped(Spec("c", "echo \"parent:$(ps -o comm= -p $PPID)\"; exit 9"));
  std::promise<ProcessExit> done;
  ASSERT_TRUE(executor_->Launch(spec, [&](int, ProcessExit e) { done.set_value(e); }).ok());
  EXPECT_EQ(ExitStatusOf(Wait(done)), 9);
  EXPECT_EQ(Read("exitcodes/c"), "9\n");
  EXPECT_EQ(Read("prelaunch.out"), "parent:skein-exitcode-\n");  // comm is cut at 15 chars
}

TEST_F(ExitCodeHelperTest, GroupSignalsReachTheCommandAndTheHelperRecordsTheOutcome) {
  // SIGQUIT (yarn container -signal OUTPUT_THREAD_DUMP) is the command's to handle: the helper
  // survives it and records what the command then does.
  LaunchSpec spec = Wrapped(Direct("prog", R"sh(#!/bin/bash
trap 'echo quit > got' QUIT
echo ready > ready
while [ ! -e got ]; do sleep 0.05; done
exit 3
)sh"));
  std::promise<ProcessExit> done;
  auto pid = executor_->Launch(spec, [&](int, ProcessExit e) { done.set_value(e); });
  ASSERT_TRUE(pid.ok()) << pid.status();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!std::filesystem::exists(dir_ + "/work/ready") &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(executor_->SignalGroup(*pid, SIGQUIT).ok());
  EXPECT_EQ(ExitStatusOf(Wait(done)), 3);
  EXPECT_EQ(Read("exitcodes/c"), "3\n");

  // SIGTERM (a kill): the command dies of it, the helper records 143 and exits with it.
  std::promise<ProcessExit> killed;
  pid = executor_->Launch(Wrapped(Direct("sleeper", "#!/bin/sh\nexec sleep 100\n")),
                          [&](int, ProcessExit e) { killed.set_value(e); });
  ASSERT_TRUE(pid.ok()) << pid.status();
  deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream stat("/proc/" + std::to_string(*pid) + "/task/" + std::to_string(*pid) +
                       "/children");
    std::string child;
    if (stat >> child) break;  // the command runs
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(executor_->SignalGroup(*pid, SIGTERM).ok());
  EXPECT_EQ(ExitStatusOf(Wait(killed)), 143);
  EXPECT_EQ(Read("exitcodes/c"), "143\n");
}

TEST_F(ExitCodeHelperTest, ScriptWithoutInterpreterLineRunsThroughBash) {
  LaunchSpec spec = Wrapped(Direct("noshebang", "echo \"ran:$1\" > ran\nexit 4\n"));
  std::promise<ProcessExit> done;
  ASSERT_TRUE(executor_->Launch(spec, [&](int, ProcessExit e) { done.set_value(e); }).ok());
  EXPECT_EQ(ExitStatusOf(Wait(done)), 4);
  EXPECT_EQ(Read("work/ran"), "ran:a b\n");
  EXPECT_EQ(Read("exitcodes/c"), "4\n");
}

TEST_F(ExitCodeHelperTest, AProgramThatCannotRunExits127WithTheReason) {
  LaunchSpec spec = Wrapped(Direct("prog", "#!/bin/sh\nexit 0\n"));
  spec.program = dir_ + "/missing";
  std::promise<ProcessExit> done;
  ASSERT_TRUE(executor_->Launch(spec, [&](int, ProcessExit e) { done.set_value(e); }).ok());
  EXPECT_EQ(ExitStatusOf(Wait(done)), 127);
  EXPECT_EQ(Read("exitcodes/c"), "127\n");
  EXPECT_THAT(Read("prelaunch.err"),
              ::testing::HasSubstr("skein-exitcode-helper: cannot execute " + dir_ +
                                   "/missing: No such file or directory"));
}

TEST_F(ExitCodeHelperTest, WithoutTheHelperAnExitCodeFileIsRefused) {
  auto plain = PosixContainerExecutor::Create("");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE((*plain)->WritesExitCodeFiles());
  auto pid = (*plain)->Launch(Wrapped(Spec("c", "exit 0")), [](int, ProcessExit) {});
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(pid.status().message(),
              ::testing::HasSubstr("an exit code file was asked for (" + CodeFile() +
                                   ") but skein-exitcode-helper was not found"));
}

}  // namespace
}  // namespace skein::nm
