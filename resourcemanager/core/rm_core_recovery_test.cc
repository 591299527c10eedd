// RM restart: a second RmCore recovers from the first one's state store (the memory store the
// fixture shares; the LevelDB store has its own tests), with the FIFO scheduler.
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "resourcemanager/core/rm_core_test_fixture.h"

namespace skein::rm {
namespace {

class RmRecoveryTest : public RmCoreTest {
 protected:
  // A new RmCore and scheduler over the same store, as a restarted RM. The old ones stay alive
  // (timers they posted may still run on the shared loop).
  absl::Status Restart(bool work_preserving) {
    config_.recovery_enabled = true;
    config_.work_preserving_recovery = work_preserving;
    loop_.RunSync([&] {
      retired_cores_.push_back(std::move(core_));
      retired_scheds_.push_back(std::move(sched_));
      SchedulerOptions options;
      options.calculator = &calc_;
      sched_ = std::move(*MakeScheduler("fifo", options));
      core_ = std::make_unique<RmCore>(config_, clock_, loop_, *sched_, calc_, store_, launcher_);
    });
    return Run([&] { return core_->Recover(); });
  }

  static proto::ContainerStatusProto RunningStatus(const proto::ContainerProto& c) {
    proto::ContainerStatusProto s;
    *s.mutable_container_id() = c.id();
    s.set_state(proto::C_RUNNING);
    s.set_exit_status(-1000);
    *s.mutable_capability() = c.resource();
    return s;
  }

  // Registers `host` as a NodeManager that still runs `statuses` (after RESYNC).
  proto::RegisterNodeManagerResponse Reregister(const std::string& host,
                                                std::vector<proto::ContainerStatusProto> statuses) {
    proto::RegisterNodeManagerRequest req;
    *req.mutable_node_id() = NodeId(host, 1000).ToProto();
    *req.mutable_resource() = Resource(8192, 8).ToProto();
    for (auto& s : statuses) *req.add_container_statuses() = s;
    return Run([&] { return core_->RegisterNode(req); });
  }

  // A finished app (SUCCEEDED, its AM exited) and a running one whose AM registered on h1.
  struct TwoApps {
    ApplicationId finished, running;
    ApplicationAttemptId running_attempt;
    proto::ContainerProto running_am;
    std::string running_token;
  };
  TwoApps FinishedAndRunning() {
    TwoApps t;
    // The first RM's start: it stores its keys (and takes epoch 0).
    EXPECT_TRUE(Run([&] { return core_->Recover(); }).ok());
    NodeId node = AddNode("h1");
    t.finished = Submit();
    ApplicationAttemptId first = RegisterLatestAm();
    proto::FinishApplicationMasterRequest fin;
    fin.set_final_application_status(proto::APP_SUCCEEDED);
    fin.set_diagnostics("all good");
    EXPECT_TRUE(Run([&] { return core_->FinishAm(first, fin); }).ok());
    Heartbeat(node, {Exited(launcher_.launched.back().id(), 0)});
    t.running = Submit();
    t.running_attempt = RegisterLatestAm();
    t.running_am = launcher_.launched.back();
    t.running_token = launcher_.envs.back();
    return t;
  }

  std::vector<std::unique_ptr<RmCore>> retired_cores_;
  std::vector<std::unique_ptr<Scheduler>> retired_scheds_;
};

TEST_F(RmRecoveryTest, FinishedAndRunningAppsComeBackAndTheRunningOneFinishesInAttemptOne) {
  TwoApps t = FinishedAndRunning();
  int64_t epoch_before = core_->epoch();
  ASSERT_TRUE(Restart(/*work_preserving=*/true).ok());
  EXPECT_EQ(core_->epoch(), epoch_before + 1);

  auto metrics = Run([&] { return core_->WebMetrics(); });
  EXPECT_EQ(metrics.counters.apps_submitted, 2);
  EXPECT_EQ(metrics.counters.apps_completed, 1);
  auto finished = Report(t.finished);
  EXPECT_EQ(finished.yarn_application_state(), proto::FINISHED);
  EXPECT_EQ(finished.final_application_status(), proto::APP_SUCCEEDED);
  EXPECT_EQ(finished.diagnostics(), "all good");
  EXPECT_GT(finished.finish_time(), 0);
  auto running = Report(t.running);
  EXPECT_EQ(running.yarn_application_state(), proto::RUNNING);
  EXPECT_EQ(ApplicationAttemptId::FromProto(running.current_application_attempt_id()),
            t.running_attempt);

  // The AM's token still names its attempt; its next Allocate asks it to register again.
  auto who = Run([&] { return core_->AttemptForToken(t.running_token); });
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(*who, t.running_attempt);
  auto refused = Run([&] { return core_->Allocate(*who, proto::AllocateRequest()); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find(kAmNotRegisteredException), std::string::npos);
  proto::FinishApplicationMasterRequest early;
  early.set_final_application_status(proto::APP_SUCCEEDED);
  auto early_finish = Run([&] { return core_->FinishAm(*who, early); });
  ASSERT_FALSE(early_finish.ok());
  EXPECT_NE(early_finish.status().message().find(kAmNotRegisteredException), std::string::npos);

  // The NodeManager comes back with the AM container; the AM re-registers and finishes.
  auto reg = Reregister("h1", {RunningStatus(t.running_am)});
  EXPECT_EQ(reg.nodeaction(), proto::NORMAL);
  EXPECT_EQ(Report(t.running).app_resource_usage().num_used_containers(), 1);
  EXPECT_EQ(sched_->UsedResource().memory_mb, t.running_am.resource().memory_mb());
  proto::RegisterApplicationMasterRequest again;
  again.set_host("amhost");
  ASSERT_TRUE(Run([&] { return core_->RegisterAm(t.running_attempt, again); }).ok());
  ASSERT_TRUE(Run([&] { return core_->Allocate(t.running_attempt, {}); }).ok());
  proto::FinishApplicationMasterRequest fin;
  fin.set_final_application_status(proto::APP_SUCCEEDED);
  ASSERT_TRUE(Run([&] { return core_->FinishAm(t.running_attempt, fin); }).ok());
  auto done = Report(t.running);
  EXPECT_EQ(done.yarn_application_state(), proto::FINISHED);
  EXPECT_EQ(Run([&] { return core_->ListAttempts(t.running); }).size(), 1u);

  // New ids do not collide with recovered ones (the fake clock gives both RMs one timestamp).
  ApplicationId fresh = Submit();
  EXPECT_NE(fresh, t.finished);
  EXPECT_NE(fresh, t.running);
  EXPECT_GT(fresh.id(), t.running.id());
}

TEST_F(RmRecoveryTest, NotWorkPreservingStartsAnUncountedAttemptAndStopsTheOldAm) {
  config_.am_max_attempts = 1;
  Rebuild();
  TwoApps t = FinishedAndRunning();
  ASSERT_TRUE(Restart(/*work_preserving=*/false).ok());
  auto attempts = Run([&] { return core_->ListAttempts(t.running); });
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].yarn_application_attempt_state(), proto::APP_ATTEMPT_FAILED);
  EXPECT_NE(attempts[0].diagnostics().find("work-preserving recovery is off"), std::string::npos);
  // One attempt allowed, yet the app lives on: the restart's attempt does not count.
  EXPECT_EQ(Report(t.running).yarn_application_state(), proto::RUNNING);

  // The old AM is told to shut down; its container is stopped when its node comes back.
  auto old = Run([&] { return core_->Allocate(t.running_attempt, {}); });
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->a_m_command_shutdown());
  size_t launches = launcher_.launched.size();
  Reregister("h1", {RunningStatus(t.running_am)});
  auto hb = Heartbeat(NodeId("h1", 1000));
  ASSERT_EQ(hb.containers_to_cleanup_size(), 1);
  EXPECT_EQ(hb.containers_to_cleanup(0).SerializeAsString(), t.running_am.id().SerializeAsString());
  EXPECT_EQ(launcher_.launched.size(), launches + 1);  // attempt 2's AM
}

TEST_F(RmRecoveryTest, AmThatEndedWhileTheRmWasDownFailsItsAttempt) {
  TwoApps t = FinishedAndRunning();
  ASSERT_TRUE(Restart(true).ok());
  Reregister("h1", {Exited(t.running_am.id(), 1, "crashed")});
  auto attempts = Run([&] { return core_->ListAttempts(t.running); });
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].yarn_application_attempt_state(), proto::APP_ATTEMPT_FAILED);
  EXPECT_NE(attempts[0].diagnostics().find("exitCode: 1"), std::string::npos);
}

TEST_F(RmRecoveryTest, UnreportedAmContainerGetsAnUncountedNewAttempt) {
  config_.am_max_attempts = 1;
  config_.nm_expiry_ms = 100;
  Rebuild();
  TwoApps t = FinishedAndRunning();
  ASSERT_TRUE(Restart(true).ok());
  AddNode("h2");  // another node; h1 never comes back
  // The expiry timer runs on real time (100 ms here): wait for the new attempt itself, with a
  // deadline far beyond it.
  bool replaced = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!replaced && std::chrono::steady_clock::now() < deadline) {
    replaced = Run([&] { return core_->ListAttempts(t.running); }).size() == 2;
    if (!replaced) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(replaced);
  auto attempts = Run([&] { return core_->ListAttempts(t.running); });
  EXPECT_NE(attempts[0].diagnostics().find("was not reported by any NodeManager"),
            std::string::npos);
  EXPECT_NE(Report(t.running).yarn_application_state(), proto::FAILED);
}

TEST_F(RmRecoveryTest, SchedulingWaitsForTheNodesOfRecoveredAms) {
  config_.recovery_scheduling_wait_ms = 60000;
  Rebuild();
  TwoApps t = FinishedAndRunning();
  ASSERT_TRUE(Restart(true).ok());
  AddNode("h2");
  size_t launches = launcher_.launched.size();
  Submit();
  EXPECT_EQ(launcher_.launched.size(), launches);  // h1 (a recovered AM's node) is not back
  Reregister("h1", {RunningStatus(t.running_am)});
  EXPECT_EQ(launcher_.launched.size(), launches + 1);
}

TEST_F(RmRecoveryTest, StoreKeepsOnlyTheNewestFinishedApps) {
  config_.max_completed_applications_in_store = 1;
  Rebuild();
  NodeId node = AddNode("h1");
  std::vector<ApplicationId> apps;
  for (int i = 0; i < 2; ++i) {
    apps.push_back(Submit());
    RegisterLatestAm();
    EXPECT_TRUE(Run([&] { return core_->Kill(apps.back(), "alice", ""); }).ok());
  }
  auto state = store_.Load();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->apps.count(apps[0]), 0u);
  EXPECT_EQ(state->apps.count(apps[1]), 1u);
  // Memory keeps more (max_completed_applications = 3).
  EXPECT_EQ(Report(apps[0]).yarn_application_state(), proto::KILLED);
  (void)node;
}

TEST_F(RmRecoveryTest, RecoveryOffRestoresNothingButKeepsTheKeys) {
  TwoApps t = FinishedAndRunning();
  config_.recovery_enabled = false;
  loop_.RunSync([&] {
    retired_cores_.push_back(std::move(core_));
    core_ = std::make_unique<RmCore>(config_, clock_, loop_, *sched_, calc_, store_, launcher_);
  });
  ASSERT_TRUE(Run([&] { return core_->Recover(); }).ok());
  EXPECT_FALSE(Run([&] { return core_->Report(t.running); }).ok());
}

}  // namespace
}  // namespace skein::rm
