#include "nodemanager/executor/posix_executor.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

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

}  // namespace
}  // namespace skein::nm
