#include "appmaster/launcher/launcher_am.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace skein::launcher {
namespace {

using ::testing::HasSubstr;

// A fake RM + NM: grants what is asked; started executors complete on a later heartbeat with
// the exit status given for their launch order, or keep running when the status is missing.
struct FakeCluster {
  std::vector<int> exit_statuses;  // by launch order
  int outstanding = 0;
  int64_t next_seq = 2;
  std::vector<proto::ContainerLaunchContextProto> launched;
  std::vector<proto::ContainerStatusProto> to_complete;
  std::vector<proto::FinishApplicationMasterRequest> finishes;
  std::vector<proto::ResourceProto> asked;
  int allocates = 0;
  bool shutdown = false;
};

class FakeRM : public am::AMRMProtocol {
 public:
  explicit FakeRM(FakeCluster* c) : c_(c) {}
  absl::StatusOr<proto::RegisterApplicationMasterResponse> Register(
      const proto::RegisterApplicationMasterRequest&) override {
    return proto::RegisterApplicationMasterResponse();
  }
  absl::StatusOr<proto::AllocateResponse> Allocate(const proto::AllocateRequest& r) override {
    if (++c_->allocates > 1000) return absl::InternalError("runaway AM loop");
    for (const auto& ask : r.ask()) {
      c_->outstanding = ask.num_containers();
      c_->asked.push_back(ask.capability());
    }
    proto::AllocateResponse resp;
    if (c_->shutdown) {
      resp.set_a_m_command_shutdown(true);
      return resp;
    }
    for (auto& st : c_->to_complete) *resp.add_completed_container_statuses() = st;
    c_->to_complete.clear();
    for (; c_->outstanding > 0; --c_->outstanding) {
      ContainerId id = ContainerId::Make(ApplicationAttemptId(ApplicationId(1700000000000, 3), 1),
                                         0, c_->next_seq++);
      proto::ContainerProto c;
      *c.mutable_id() = id.ToProto();
      *c.mutable_node_id() = NodeId("127.0.0.1", 45454).ToProto();
      *resp.add_allocated_containers() = c;
    }
    return resp;
  }
  absl::StatusOr<proto::FinishApplicationMasterResponse> Finish(
      const proto::FinishApplicationMasterRequest& r) override {
    c_->finishes.push_back(r);
    return proto::FinishApplicationMasterResponse();
  }

 private:
  FakeCluster* c_;
};

class FakeLauncher : public am::ContainerLauncher {
 public:
  explicit FakeLauncher(FakeCluster* c) : c_(c) {}
  absl::Status StartContainer(const proto::ContainerProto& container,
                              const proto::ContainerLaunchContextProto& ctx) override {
    size_t index = c_->launched.size();
    c_->launched.push_back(ctx);
    if (index < c_->exit_statuses.size()) {
      proto::ContainerStatusProto st;
      *st.mutable_container_id() = container.id();
      st.set_state(proto::C_COMPLETE);
      st.set_exit_status(c_->exit_statuses[index]);
      c_->to_complete.push_back(st);
    }
    return absl::OkStatus();
  }
  absl::Status StopContainer(const ContainerId&, const NodeId&) override {
    return absl::OkStatus();
  }
  absl::StatusOr<proto::ContainerStatusProto> GetContainerStatus(const ContainerId&,
                                                                 const NodeId&) override {
    return absl::UnimplementedError("not used");
  }

 private:
  FakeCluster* c_;
};

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

struct Harness {
  explicit Harness(proto::LauncherJobProto job)
      : amrm(std::make_unique<FakeRM>(&cluster)),
        launcher(&cluster),
        master(std::move(job), "10.0.0.1:7077", amrm, launcher, driver, log, 0) {}
  FakeCluster cluster;
  FakeDriver driver;
  std::ostringstream log;
  am::AMRMClient amrm;
  FakeLauncher launcher;
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
  ASSERT_FALSE(h.cluster.asked.empty());
  EXPECT_EQ(h.cluster.asked[0].memory_mb(), 1408);
  EXPECT_EQ(h.cluster.asked[0].virtual_cores(), 2);
  ASSERT_EQ(h.cluster.finishes.size(), 1u);
  EXPECT_EQ(h.cluster.finishes[0].final_application_status(), proto::APP_SUCCEEDED);
}

TEST(LauncherAppMasterTest, EveryExecutorGetsTheJobsFilesAndArchives) {
  proto::LauncherJobProto job = Job(2, 4);
  auto& files = *job.mutable_local_resources();
  files["bee"].set_resource("file:///data/b.txt");
  files["bee"].set_size(2);
  files["env"].set_resource("file:///data/env.tgz");
  files["env"].set_type(proto::ARCHIVE);
  Harness h(job);
  h.driver.done_after = 5;
  EXPECT_EQ(h.master.Run(), 0);
  ASSERT_EQ(h.cluster.launched.size(), 2u);
  for (const auto& ctx : h.cluster.launched) {
    ASSERT_EQ(ctx.local_resources().size(), 2u);
    EXPECT_EQ(ctx.local_resources().at("bee").resource(), "file:///data/b.txt");
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
