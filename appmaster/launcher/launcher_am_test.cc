#include "appmaster/launcher/launcher_am.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "appmaster/testing/fake_am_cluster.h"
#include "common/url.h"

namespace skein::launcher {
namespace {

using ::testing::HasSubstr;

// A driver double: done once `done_after` status polls have happened, records lost executors.
class FakeDriver : public DriverLink {
 public:
  void ExecutorLost(const std::string& id, const std::string&) override { lost.push_back(id); }
  absl::StatusOr<proto::JobStatusResponse> Status(const std::string& abort_reason) override {
    ++polls;
    if (unreachable) return absl::UnavailableError("cannot reach the driver at h:1");
    proto::JobStatusResponse s;
    if (!abort_reason.empty()) aborted = abort_reason;
    if (!aborted.empty()) {
      s.set_done(true);
      s.set_diagnostics(aborted);
    } else if (polls > done_after) {
      s.set_done(true);
      s.set_succeeded(succeed);
      if (!succeed) s.set_diagnostics("1 of 1 shell task(s) failed");
    }
    return s;
  }
  int done_after = 1000000;
  bool succeed = true;
  bool unreachable = false;
  int polls = 0;
  std::string aborted;
  std::vector<std::string> lost;
};

proto::LauncherJobProto Job(int executors, int max_failures) {
  proto::LauncherJobProto job;
  job.set_program("pi");
  job.set_slices(2);
  job.set_num_executors(executors);
  job.set_executor_memory_mb(1408);
  job.set_executor_vcores(2);
  job.set_max_executor_failures(max_failures);
  job.set_executor_binary("/opt/skein/bin/skein-executor");
  return job;
}

// The fake RM + NM: started executors complete on a later heartbeat with the exit status given
// for their launch order, or keep running when the status is missing.
struct Harness {
  explicit Harness(proto::LauncherJobProto job)
      : amrm(std::make_unique<am::testing::FakeAmrmProtocol>(&cluster)),
        launcher(&cluster),
        master(std::move(job), "10.0.0.1:7077", amrm, launcher, driver, log, 0) {
    cluster.unlisted_exit_zero = false;
  }
  am::testing::FakeAmCluster cluster{ApplicationId(1700000000000, 3)};
  FakeDriver driver;
  std::ostringstream log;
  am::AMRMClient amrm;
  am::testing::FakeContainerLauncher launcher;
  LauncherAppMaster master;
};

TEST(LauncherAppMasterTest, LaunchesExecutorsWithTheDriverAddressAndFinishesWithTheDriver) {
  Harness h(Job(2, 4));
  h.driver.done_after = 5;
  EXPECT_EQ(h.master.Run(), 0);
  ASSERT_EQ(h.cluster.launched.size(), 2u);
  const auto& ctx = h.cluster.launched[0];
  EXPECT_EQ(ctx.environment().at(kEnvDriverAddress), "10.0.0.1:7077");
  ASSERT_GE(ctx.command_size(), 1);
  EXPECT_EQ(ctx.command(0), "/opt/skein/bin/skein-executor");
  std::vector<proto::ResourceProto> asked = h.cluster.AskedCapabilities();
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked[0].memory_mb(), 1408);
  EXPECT_EQ(asked[0].virtual_cores(), 2);
  ASSERT_EQ(h.cluster.finishes.size(), 1u);
  EXPECT_EQ(h.cluster.finishes[0].final_application_status(), proto::APP_SUCCEEDED);
}

TEST(LauncherAppMasterTest, EveryExecutorGetsTheJobsFilesAndArchives) {
  proto::LauncherJobProto job = Job(2, 4);
  auto& files = *job.mutable_local_resources();
  *files["bee"].mutable_resource() = ParseUrl("file:///data/b.txt");
  files["bee"].set_size(2);
  *files["env"].mutable_resource() = ParseUrl("file:///data/env.tgz");
  files["env"].set_type(proto::ARCHIVE);
  Harness h(job);
  h.driver.done_after = 5;
  EXPECT_EQ(h.master.Run(), 0);
  ASSERT_EQ(h.cluster.launched.size(), 2u);
  for (const auto& ctx : h.cluster.launched) {
    ASSERT_EQ(ctx.local_resources().size(), 2u);
    EXPECT_EQ(UrlText(ctx.local_resources().at("bee").resource()), "file:///data/b.txt");
    EXPECT_EQ(ctx.local_resources().at("bee").size(), 2);
    EXPECT_EQ(ctx.local_resources().at("env").type(), proto::ARCHIVE);
  }
}

TEST(LauncherAppMasterTest, DriverFailureFailsTheApplicationWithItsDiagnostics) {
  Harness h(Job(1, 3));
  h.driver.done_after = 3;
  h.driver.succeed = false;
  EXPECT_EQ(h.master.Run(), 0);
  ASSERT_EQ(h.cluster.finishes.size(), 1u);
  EXPECT_EQ(h.cluster.finishes[0].final_application_status(), proto::APP_FAILED);
  EXPECT_EQ(h.cluster.finishes[0].diagnostics(), "1 of 1 shell task(s) failed");
}

TEST(LauncherAppMasterTest, ReplacesADeadExecutorAndTellsTheDriver) {
  Harness h(Job(2, 4));
  h.cluster.exit_statuses = {137};  // the first executor dies; the rest keep running
  h.driver.done_after = 10;
  EXPECT_EQ(h.master.Run(), 0);
  EXPECT_EQ(h.cluster.launched.size(), 3u);
  EXPECT_EQ(h.master.executor_failures(), 1);
  ASSERT_EQ(h.driver.lost.size(), 1u);
  EXPECT_THAT(h.driver.lost[0], HasSubstr("container_1700000000000_0003_01_000002"));
  EXPECT_THAT(h.log.str(), HasSubstr("1 of 4 allowed executor failures"));
  EXPECT_EQ(h.cluster.finishes.at(0).final_application_status(), proto::APP_SUCCEEDED);
}

TEST(LauncherAppMasterTest, FailsTheApplicationAtTheExecutorFailureLimit) {
  Harness h(Job(1, 3));
  h.cluster.exit_statuses = {1, 1, 1, 1, 1, 1};
  EXPECT_EQ(h.master.Run(), 0);
  EXPECT_EQ(h.master.executor_failures(), 3);
  EXPECT_EQ(h.cluster.launched.size(), 3u);  // the third failure is not replaced
  ASSERT_EQ(h.cluster.finishes.size(), 1u);
  EXPECT_EQ(h.cluster.finishes[0].final_application_status(), proto::APP_FAILED);
  EXPECT_EQ(h.cluster.finishes[0].diagnostics(), "Max number of executor failures (3) reached");
  EXPECT_EQ(h.driver.aborted, "Max number of executor failures (3) reached");
}

TEST(LauncherAppMasterTest, LosingTheDriverFailsTheApplication) {
  Harness h(Job(1, 3));
  h.driver.unreachable = true;
  EXPECT_EQ(h.master.Run(), 0);
  ASSERT_EQ(h.cluster.finishes.size(), 1u);
  EXPECT_EQ(h.cluster.finishes[0].final_application_status(), proto::APP_FAILED);
  EXPECT_THAT(h.cluster.finishes[0].diagnostics(), HasSubstr("Lost the driver"));
}

TEST(LauncherAppMasterTest, ExitsWhenTheRmOrdersAShutdown) {
  Harness h(Job(1, 3));
  h.cluster.shutdown = true;
  EXPECT_EQ(h.master.Run(), 1);
  EXPECT_TRUE(h.cluster.finishes.empty());
}

TEST(LauncherAppMasterTest, MaxFailuresDiagnosticNamesTheLimit) {
  EXPECT_EQ(MaxFailuresDiagnostic(7), "Max number of executor failures (7) reached");
}

}  // namespace
}  // namespace skein::launcher
