#include "appmaster/distributedshell/dshell_am.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "appmaster/testing/fake_am_cluster.h"

namespace skein::dshell {
namespace {

using ::testing::HasSubstr;

DShellJob Job(int n) {
  DShellJob job;
  job.shell_command = "echo";
  job.shell_args = "hello world";
  job.num_containers = n;
  job.shell_env = {{"FOO", "bar baz"}};
  return job;
}

// The fake RM + NM complete every started container on the next heartbeat with the exit status
// given for its launch order (missing entries exit 0).
struct Harness {
  explicit Harness(DShellJob job)
      : amrm(std::make_unique<am::testing::FakeAmrmProtocol>(&cluster)),
        launcher(&cluster),
        master(std::move(job), amrm, launcher, log, 0) {}
  am::testing::FakeAmCluster cluster{ApplicationId(1700000000000, 7)};
  am::AMRMClient amrm;
  am::testing::FakeContainerLauncher launcher;
  std::ostringstream log;
  DShellAppMaster master;
};

TEST(DShellAppMasterTest, AllSucceed) {
  Harness h(Job(3));
  EXPECT_EQ(h.master.Run(), 0);
  ASSERT_EQ(h.cluster.finishes.size(), 1u);
  EXPECT_EQ(h.cluster.finishes[0].final_application_status(), proto::APP_SUCCEEDED);
  EXPECT_EQ(h.cluster.launched.size(), 3u);
  EXPECT_EQ(h.cluster.grants, 3);
  EXPECT_THAT(
      h.log.str(),
      HasSubstr("Got container status for containerID=container_1700000000000_0007_01_000002, "
                "state=COMPLETE, exitStatus=0, diagnostics=\n"));
  // The first heartbeat asked for exactly 3 containers of 10 MB at priority 0.
  ASSERT_GE(h.cluster.allocates.size(), 1u);
  ASSERT_EQ(h.cluster.allocates[0].ask_size(), 1);
  EXPECT_EQ(h.cluster.allocates[0].ask(0).num_containers(), 3);
  EXPECT_EQ(h.cluster.allocates[0].ask(0).capability().memory_mb(), 10);
}

TEST(DShellAppMasterTest, AcceptedGrantsAreTakenOffTheAskTable) {
  Harness h(Job(2));
  EXPECT_EQ(h.master.Run(), 0);
  // After the grants the client sent total 0 (no re-ask for granted containers).
  bool sent_zero = false;
  for (const auto& a : h.cluster.allocates) {
    for (const auto& ask : a.ask()) sent_zero |= ask.num_containers() == 0;
  }
  EXPECT_TRUE(sent_zero);
  EXPECT_EQ(h.cluster.grants, 2);
}

TEST(DShellAppMasterTest, FailuresAreNotRetriedAndFinishFailedWithDiagnostics) {
  Harness h(Job(4));
  h.cluster.exit_statuses = {0, 3, 0, 0};
  EXPECT_EQ(h.master.Run(), 0);
  EXPECT_EQ(h.cluster.launched.size(), 4u);
  EXPECT_EQ(h.cluster.grants, 4);
  ASSERT_EQ(h.cluster.finishes.size(), 1u);
  EXPECT_EQ(h.cluster.finishes[0].final_application_status(), proto::APP_FAILED);
  EXPECT_EQ(h.cluster.finishes[0].diagnostics(),
            "Diagnostics., total=4, completed=4, allocated=4, failed=1. First failure: "
            "container_1700000000000_0007_01_000003 exited with exitStatus=3: Exception from "
            "container-launch. Exit code: 3");
  EXPECT_EQ(h.master.failed(), 1);
}

TEST(DShellAppMasterTest, SurplusContainersAreReleased) {
  Harness h(Job(1));
  h.cluster.extra_grants = 1;
  EXPECT_EQ(h.master.Run(), 0);
  EXPECT_EQ(h.cluster.launched.size(), 1u);
  bool released = false;
  for (const auto& a : h.cluster.allocates) released |= a.release_size() == 1;
  EXPECT_TRUE(released);
  EXPECT_EQ(h.cluster.finishes[0].final_application_status(), proto::APP_SUCCEEDED);
}

TEST(DShellAppMasterTest, StartFailureCountsAsFailed) {
  Harness h(Job(2));
  h.cluster.fail_starts = true;
  EXPECT_EQ(h.master.Run(), 0);
  ASSERT_EQ(h.cluster.finishes.size(), 1u);
  EXPECT_EQ(h.cluster.finishes[0].final_application_status(), proto::APP_FAILED);
  EXPECT_THAT(h.cluster.finishes[0].diagnostics(),
              HasSubstr("failed=2. First failure: container_1700000000000_0007_01_000002 failed "
                        "to start: token verification failed"));
}

TEST(DShellAppMasterTest, ShutdownExitsNonZeroWithoutFinish) {
  Harness h(Job(2));
  h.cluster.shutdown_after_first_grant = true;
  h.cluster.exit_statuses = {0, 0};
  // Completion is delivered on the second heartbeat, which answers shutdown instead.
  EXPECT_EQ(h.master.Run(), 1);
  EXPECT_TRUE(h.cluster.finishes.empty());
  EXPECT_THAT(h.log.str(), HasSubstr("ordered a shutdown"));
}

TEST(DShellLaunchContextTest, CommandLineTravelsInTheEnvironment) {
  proto::ContainerLaunchContextProto ctx = MakeShellLaunchContext(Job(1));
  std::vector<std::string> cmd(ctx.command().begin(), ctx.command().end());
  EXPECT_THAT(cmd,
              ::testing::ElementsAre("/bin/bash", "-c", "\"$DISTRIBUTEDSHELL_SHELL_COMMAND_LINE\"",
                                     "1><LOG_DIR>/stdout", "2><LOG_DIR>/stderr"));
  EXPECT_EQ(ctx.environment().at("DISTRIBUTEDSHELL_SHELL_COMMAND_LINE"), "echo hello world");
  EXPECT_EQ(ctx.environment().at("FOO"), "bar baz");
}

TEST(DShellJobTest, RoundTripsThroughTheEnvironment) {
  DShellJob job = Job(5);
  job.container_memory_mb = 2048;
  job.container_vcores = 2;
  job.priority = 3;
  job.shell_env["X"] = "a=b";
  auto parsed = ParseDShellJob(DShellJobEnvironment(job));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->CommandLine(), "echo hello world");
  EXPECT_EQ(parsed->num_containers, 5);
  EXPECT_EQ(parsed->container_memory_mb, 2048);
  EXPECT_EQ(parsed->container_vcores, 2);
  EXPECT_EQ(parsed->priority, 3);
  EXPECT_EQ(parsed->shell_env, job.shell_env);
}

TEST(DShellJobTest, DefaultsWhenOnlyTheCommandIsSet) {
  auto parsed = ParseDShellJob({{"DISTRIBUTEDSHELL_SHELL_COMMAND", "ls"}});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->num_containers, 1);
  EXPECT_EQ(parsed->container_memory_mb, 10);
  EXPECT_EQ(parsed->CommandLine(), "ls");
}

TEST(DShellJobTest, BadValuesNameTheVariable) {
  auto missing = ParseDShellJob({});
  EXPECT_THAT(missing.status().message(), HasSubstr("DISTRIBUTEDSHELL_SHELL_COMMAND"));
  auto zero = ParseDShellJob(
      {{"DISTRIBUTEDSHELL_SHELL_COMMAND", "ls"}, {"DISTRIBUTEDSHELL_NUM_CONTAINERS", "0"}});
  EXPECT_THAT(zero.status().message(),
              HasSubstr("DISTRIBUTEDSHELL_NUM_CONTAINERS=0 is below the minimum of 1"));
  auto text = ParseDShellJob(
      {{"DISTRIBUTEDSHELL_SHELL_COMMAND", "ls"}, {"DISTRIBUTEDSHELL_CONTAINER_MEMORY", "lots"}});
  EXPECT_THAT(text.status().message(),
              HasSubstr("DISTRIBUTEDSHELL_CONTAINER_MEMORY='lots' is not an integer"));
  auto env = ParseDShellJob(
      {{"DISTRIBUTEDSHELL_SHELL_COMMAND", "ls"}, {"DISTRIBUTEDSHELL_SHELL_ENV", "A=1\nnoequals"}});
  EXPECT_THAT(env.status().message(), HasSubstr("line 2 'noequals'"));
}

TEST(DShellDiagnosticsTest, HadoopWording) {
  EXPECT_EQ(FailureDiagnostics(4, 4, 4, 1, "container_x exited with exitStatus=3: boom"),
            "Diagnostics., total=4, completed=4, allocated=4, failed=1. First failure: "
            "container_x exited with exitStatus=3: boom");
  EXPECT_EQ(FailureDiagnostics(2, 1, 2, 0, ""),
            "Diagnostics., total=2, completed=1, allocated=2, failed=0");
}

}  // namespace
}  // namespace skein::dshell
