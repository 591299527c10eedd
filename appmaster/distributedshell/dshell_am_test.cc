#include "appmaster/distributedshell/dshell_am.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace skein::dshell {
namespace {

using ::testing::HasSubstr;

// An in-process fake RM + NM: grants what is asked (absolute totals, decremented on grant as
// the RM does), and completes every started container on the next heartbeat with the exit
// status given for its launch order.
struct FakeCluster {
  std::vector<int> exit_statuses;  // by launch order; missing entries exit 0
  int outstanding = 0;             // the RM's copy of the total
  int64_t next_seq = 2;
  int extra_grants = 0;  // surplus containers to hand out once
  bool shutdown_after_first_grant = false;
  bool fail_starts = false;
  std::vector<proto::ContainerLaunchContextProto> launched;
  std::vector<proto::ContainerStatusProto> to_complete;
  std::vector<proto::AllocateRequest> allocates;
  std::vector<proto::FinishApplicationMasterRequest> finishes;
  int grants = 0;

  proto::ContainerProto Grant() {
    ContainerId id =
        ContainerId::Make(ApplicationAttemptId(ApplicationId(1700000000000, 7), 1), 0, next_seq++);
    proto::ContainerProto c;
    *c.mutable_id() = id.ToProto();
    *c.mutable_node_id() = NodeId("127.0.0.1", 45454).ToProto();
    ++grants;
    return c;
  }
};

class FakeRM : public am::AMRMProtocol {
 public:
  explicit FakeRM(FakeCluster* c) : c_(c) {}
  absl::StatusOr<proto::RegisterApplicationMasterResponse> Register(
      const proto::RegisterApplicationMasterRequest&) override {
    return proto::RegisterApplicationMasterResponse();
  }
  absl::StatusOr<proto::AllocateResponse> Allocate(const proto::AllocateRequest& r) override {
    c_->allocates.push_back(r);
    if (c_->allocates.size() > 1000) return absl::InternalError("runaway AM loop");
    for (const auto& ask : r.ask()) c_->outstanding = ask.num_containers();
    proto::AllocateResponse resp;
    if (c_->shutdown_after_first_grant && c_->grants > 0) {
      resp.set_a_m_command_shutdown(true);
      return resp;
    }
    for (auto& st : c_->to_complete) *resp.add_completed_container_statuses() = st;
    c_->to_complete.clear();
    while (c_->outstanding > 0) {
      *resp.add_allocated_containers() = c_->Grant();
      --c_->outstanding;
    }
    for (; c_->extra_grants > 0; --c_->extra_grants) *resp.add_allocated_containers() = c_->Grant();
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
    if (c_->fail_starts) return absl::FailedPreconditionError("token verification failed");
    size_t index = c_->launched.size();
    c_->launched.push_back(ctx);
    proto::ContainerStatusProto st;
    *st.mutable_container_id() = container.id();
    st.set_state(proto::C_COMPLETE);
    int exit = index < c_->exit_statuses.size() ? c_->exit_statuses[index] : 0;
    st.set_exit_status(exit);
    if (exit != 0)
      st.set_diagnostics("Exception from container-launch. Exit code: " + std::to_string(exit));
    c_->to_complete.push_back(st);
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

DShellJob Job(int n) {
  DShellJob job;
  job.shell_command = "echo";
  job.shell_args = "hello world";
  job.num_containers = n;
  job.shell_env = {{"FOO", "bar baz"}};
  return job;
}

struct Harness {
  explicit Harness(DShellJob job)
      : amrm(std::make_unique<FakeRM>(&cluster)),
        launcher(&cluster),
        master(std::move(job), amrm, launcher, log, 0) {}
  FakeCluster cluster;
  am::AMRMClient amrm;
  FakeLauncher launcher;
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
