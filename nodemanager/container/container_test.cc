#include "nodemanager/container/container.h"

#include <signal.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;

ContainerId Cid() {
  return ContainerId::Make(ApplicationAttemptId(ApplicationId(1700000000000, 1), 1), 0, 2);
}

Container Running() {
  Container c(Cid(), "alice", Resource(1024, 1));
  EXPECT_TRUE(c.StartLocalizing());
  EXPECT_TRUE(c.Localized());
  EXPECT_TRUE(c.Launched());
  return c;
}

TEST(ExitStatusTest, MapsExitCodesAndSignals) {
  EXPECT_EQ(ExitStatusOf({false, 0}), 0);
  EXPECT_EQ(ExitStatusOf({false, 3}), 3);
  EXPECT_EQ(ExitStatusOf({true, SIGTERM}), 143);
  EXPECT_EQ(ExitStatusOf({true, SIGKILL}), 137);
  EXPECT_EQ(ExitStatusOf({true, SIGSEGV}), 139);
}

TEST(ContainerTest, NewContainerIsCNewWithInvalidExit) {
  Container c(Cid(), "alice", Resource(1024, 1));
  proto::ContainerStatusProto s = c.ToStatus();
  EXPECT_EQ(s.state(), proto::C_NEW);
  EXPECT_EQ(s.nm_state(), "NEW");
  EXPECT_EQ(s.exit_status(), -1000);
  EXPECT_EQ(s.capability().memory_mb(), 1024);
  EXPECT_EQ(ContainerId::FromProto(s.container_id()), Cid());
}

TEST(ContainerTest, SuccessfulRun) {
  Container c = Running();
  EXPECT_EQ(c.ToStatus().state(), proto::C_RUNNING);
  EXPECT_EQ(c.ToStatus().nm_state(), "RUNNING");
  EXPECT_EQ(c.ToStatus().exit_status(), -1000);
  EXPECT_TRUE(c.ProcessExited({false, 0}, ""));
  EXPECT_EQ(c.ToStatus().nm_state(), "EXITED_WITH_SUCCESS");
  EXPECT_TRUE(c.Finish());
  proto::ContainerStatusProto s = c.ToStatus();
  EXPECT_EQ(s.state(), proto::C_COMPLETE);
  EXPECT_EQ(s.nm_state(), "DONE");
  EXPECT_EQ(s.exit_status(), 0);
  EXPECT_EQ(s.diagnostics(), "");
}

TEST(ContainerTest, FailedRunCarriesStderrTail) {
  Container c = Running();
  EXPECT_TRUE(c.ProcessExited({false, 3}, "boom\n"));
  EXPECT_EQ(c.ToStatus().nm_state(), "EXITED_WITH_FAILURE");
  EXPECT_EQ(c.exit_status(), 3);
  EXPECT_EQ(c.diagnostics(),
            "Exception from container-launch.\nContainer id: "
            "container_1700000000000_0001_01_000002\nExit code: 3\n"
            "Container exited with a non-zero exit code 3. Last 4096 bytes of stderr :\nboom\n");
}

TEST(ContainerTest, SignalWithoutKillRequestIs143) {
  Container c = Running();
  EXPECT_TRUE(c.ProcessExited({true, SIGTERM}, ""));
  EXPECT_EQ(c.exit_status(), 143);
  EXPECT_EQ(c.ToStatus().nm_state(), "EXITED_WITH_FAILURE");
}

TEST(ContainerTest, KillByAppMaster) {
  Container c = Running();
  EXPECT_TRUE(c.Kill(proto::KILLED_BY_APPMASTER, "Container killed by the ApplicationMaster."));
  EXPECT_EQ(c.ToStatus().nm_state(), "KILLING");
  EXPECT_EQ(c.ToStatus().state(), proto::C_RUNNING);
  // A second kill does not change the reason or signal again.
  EXPECT_FALSE(c.Kill(proto::KILLED_BY_RESOURCEMANAGER, "other"));
  EXPECT_TRUE(c.ProcessExited({true, SIGTERM}, "ignored"));
  EXPECT_EQ(c.ToStatus().nm_state(), "CONTAINER_CLEANEDUP_AFTER_KILL");
  EXPECT_TRUE(c.Finish());
  EXPECT_EQ(c.exit_status(), -105);
  EXPECT_EQ(c.diagnostics(),
            "Container killed by the ApplicationMaster.\nContainer killed on request. Exit code "
            "is 143");
}

TEST(ContainerTest, KillBeforeLaunchCompletesAtOnce) {
  Container c(Cid(), "alice", Resource(1024, 1));
  EXPECT_FALSE(
      c.Kill(proto::KILLED_BY_RESOURCEMANAGER, "Container killed by the ResourceManager."));
  EXPECT_TRUE(c.completed());
  EXPECT_EQ(c.ToStatus().nm_state(), "DONE");
  EXPECT_EQ(c.exit_status(), -106);
  EXPECT_FALSE(c.StartLocalizing());
}

TEST(ContainerTest, KillAfterCompletionIsIgnored) {
  Container c = Running();
  c.ProcessExited({false, 0}, "");
  c.Finish();
  EXPECT_FALSE(c.Kill(proto::KILLED_BY_APPMASTER, "x"));
  EXPECT_EQ(c.exit_status(), 0);
}

TEST(ContainerTest, LocalizationAndLaunchFailures) {
  Container a(Cid(), "alice", Resource(1, 1));
  a.StartLocalizing();
  EXPECT_TRUE(a.LocalizationFailed("http:// not supported"));
  EXPECT_EQ(a.ToStatus().state(), proto::C_COMPLETE);
  EXPECT_THAT(a.diagnostics(), HasSubstr("LOCALIZATION_FAILED: http:// not supported"));
  EXPECT_EQ(a.state(), NmContainerState::kLocalizationFailed);
  EXPECT_EQ(a.ToStatus().nm_state(), "LOCALIZATION_FAILED");
  EXPECT_EQ(a.ToStatus().exit_status(), proto::INVALID);
  EXPECT_FALSE(a.Localized());
  EXPECT_TRUE(a.Finish());
  EXPECT_EQ(a.ToStatus().nm_state(), "DONE");

  Container b(Cid(), "alice", Resource(1, 1));
  b.StartLocalizing();
  b.Localized();
  EXPECT_TRUE(b.LaunchFailed("no bash"));
  EXPECT_EQ(b.exit_status(), kLaunchFailedExitStatus);
  EXPECT_THAT(b.diagnostics(), HasSubstr("no bash"));
}

TEST(ContainerTest, KillWhileLocalizingEndsIt) {
  Container c(Cid(), "alice", Resource(1, 1));
  c.StartLocalizing();
  EXPECT_FALSE(c.Kill(proto::KILLED_BY_APPMASTER, "stop"));  // nothing to signal
  EXPECT_EQ(c.state(), NmContainerState::kDone);
  EXPECT_EQ(c.exit_status(), proto::KILLED_BY_APPMASTER);
  // Localization finishing afterwards changes nothing.
  EXPECT_FALSE(c.Localized());
  EXPECT_FALSE(c.LocalizationFailed("late"));
}

TEST(ContainerTest, EventsOutOfOrderAreRejected) {
  Container c(Cid(), "alice", Resource(1, 1));
  EXPECT_FALSE(c.Localized());
  EXPECT_FALSE(c.Launched());
  EXPECT_FALSE(c.ProcessExited({false, 0}, ""));
  EXPECT_FALSE(c.Finish());
  EXPECT_EQ(c.state(), NmContainerState::kNew);
}

}  // namespace
}  // namespace skein::nm
