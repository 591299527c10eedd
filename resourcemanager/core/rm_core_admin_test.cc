// RmCore's administrative paths: move, priority, ACLs, refreshes and the preemption hook, driven
// through a scripted scheduler (FIFO underneath) so each decision is fixed by the test.
#include <limits>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resourcemanager/core/rm_core_test_fixture.h"

namespace skein::rm {
namespace {

using ::testing::HasSubstr;

// FIFO underneath; the admin seams answer what the test scripts.
class ScriptedScheduler final : public Scheduler {
 public:
  explicit ScriptedScheduler(std::unique_ptr<Scheduler> inner) : inner_(std::move(inner)) {}

  std::string ClassName() const override { return "ScriptedScheduler"; }
  absl::StatusOr<std::string> AddAttempt(const ApplicationAttemptId& a, const std::string& queue,
                                         const std::string& user, int32_t prio) override {
    return inner_->AddAttempt(a, queue, user, prio);
  }
  std::vector<ContainerId> RemoveAttempt(const ApplicationAttemptId& a) override {
    return inner_->RemoveAttempt(a);
  }
  absl::Status UpdateAsks(const ApplicationAttemptId& a, const std::vector<Ask>& asks) override {
    return inner_->UpdateAsks(a, asks);
  }
  void AddNode(const NodeId& n, const Resource& total) override { inner_->AddNode(n, total); }
  std::vector<ContainerId> RemoveNode(const NodeId& n) override { return inner_->RemoveNode(n); }
  void ReleaseContainer(const ContainerId& c) override {
    released.push_back(c);
    inner_->ReleaseContainer(c);
  }
  std::vector<Allocation> Schedule() override { return inner_->Schedule(); }
  Resource ClusterResource() const override { return inner_->ClusterResource(); }
  Resource UsedResource() const override { return inner_->UsedResource(); }
  Resource NodeUsed(const NodeId& n) const override { return inner_->NodeUsed(n); }
  Resource Headroom(const ApplicationAttemptId& a) const override { return inner_->Headroom(a); }
  Resource Pending(const ApplicationAttemptId& a) const override { return inner_->Pending(a); }
  absl::StatusOr<QueueSnapshot> GetQueue(const std::string& name) const override {
    return inner_->GetQueue(name);
  }

  absl::Status Reinitialize(const conf::Configuration& conf) override {
    ++reinitialized;
    if (auto bad = conf.Get("test.invalid"); bad.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("capacity-scheduler.xml:7: ", *bad));
    }
    preemption_interval = conf.GetInt("test.preemption-interval", preemption_interval).value();
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> MoveAttempt(const ApplicationAttemptId& a,
                                          const std::string& queue) override {
    if (!move_error.ok()) return move_error;
    moves.emplace_back(a, queue);
    return "root." + queue;
  }
  absl::StatusOr<int32_t> UpdateAttemptPriority(const ApplicationAttemptId&,
                                                int32_t priority) override {
    return std::min(priority, max_priority);
  }
  bool HasAccess(const std::string& queue, const std::string& user,
                 QueueAccess access) const override {
    return allowed.count({queue, user, access}) > 0;
  }
  int64_t PreemptionIntervalMs() const override { return preemption_interval; }
  PreemptionRound SelectPreemption(int64_t now_ms) override {
    ++rounds;
    last_round_time = now_ms;
    PreemptionRound r = std::move(next_round);
    next_round = {};
    return r;
  }

  absl::Status move_error = absl::OkStatus();
  std::vector<std::pair<ApplicationAttemptId, std::string>> moves;
  int32_t max_priority = 10;
  std::set<std::tuple<std::string, std::string, QueueAccess>> allowed;
  int reinitialized = 0;
  int64_t preemption_interval = 0;
  PreemptionRound next_round;
  std::atomic<int> rounds{0};
  int64_t last_round_time = 0;
  std::vector<ContainerId> released;

 private:
  std::unique_ptr<Scheduler> inner_;
};

class RmCoreAdminTest : public RmCoreTest {
 protected:
  RmCoreAdminTest() {
    SchedulerOptions options;
    options.calculator = &calc_;
    auto scripted = std::make_unique<ScriptedScheduler>(std::move(*MakeScheduler("fifo", options)));
    scripted_ = scripted.get();
    sched_ = std::move(scripted);
    Rebuild();
  }

  // An app with a registered AM and `n` more containers of 1 GB on node h1.
  std::vector<proto::ContainerProto> RunningApp(ApplicationId* app, ApplicationAttemptId* attempt,
                                                int n) {
    *app = Submit();
    *attempt = RegisterLatestAm();
    proto::AllocateRequest ask;
    auto* a = ask.add_ask();
    a->set_resource_name("*");
    a->mutable_priority()->set_priority(1);
    *a->mutable_capability() = Resource(1024, 1).ToProto();
    a->set_num_containers(n);
    auto resp = Run([&] { return core_->Allocate(*attempt, ask); });
    EXPECT_TRUE(resp.ok()) << resp.status();
    std::vector<proto::ContainerProto> out;
    if (resp.ok())
      out.assign(resp->allocated_containers().begin(), resp->allocated_containers().end());
    return out;
  }

  ScriptedScheduler* scripted_ = nullptr;
};

TEST_F(RmCoreAdminTest, MoveChangesTheReportedAndPersistedQueue) {
  AddNode("h1");
  ApplicationId app = Submit();
  ASSERT_TRUE(Run([&] { return core_->MoveApplication(app, "b", "alice"); }).ok());
  ASSERT_EQ(scripted_->moves.size(), 1u);
  EXPECT_EQ(scripted_->moves[0].second, "b");
  // The scheduler says where it landed; reports and the store follow it.
  EXPECT_EQ(Report(app).queue(), "root.b");
  auto state = store_.Load();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->apps.at(app).app.application_submission_context().queue(), "root.b");
}

TEST_F(RmCoreAdminTest, MoveErrorsNameTheProblemAndChangeNothing) {
  AddNode("h1");
  ApplicationId app = Submit();
  ApplicationId unknown(app.cluster_timestamp(), 99);
  auto missing = Run([&] { return core_->MoveApplication(unknown, "b", "alice"); });
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("application_"));
  EXPECT_THAT(std::string(missing.message()), HasSubstr("_0099' doesn't exist in RM."));

  auto empty = Run([&] { return core_->MoveApplication(app, "", "alice"); });
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);

  scripted_->move_error = absl::InvalidArgumentError("Queue 'nope' is not a leaf queue");
  auto refused = Run([&] { return core_->MoveApplication(app, "nope", "alice"); });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("to queue nope"));
  EXPECT_THAT(std::string(refused.message()), HasSubstr("is not a leaf queue"));
  EXPECT_EQ(Report(app).queue(), "default");

  ASSERT_TRUE(Run([&] { return core_->Kill(app, "alice", ""); }).ok());
  auto done = Run([&] { return core_->MoveApplication(app, "b", "alice"); });
  EXPECT_EQ(done.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(done.message(), "App in KILLED state cannot be moved.");
}

TEST_F(RmCoreAdminTest, PriorityIsCappedShownAndKeptOnceFinished) {
  AddNode("h1");
  ApplicationId app = Submit();
  auto applied = Run([&] { return core_->UpdateApplicationPriority(app, 7, "alice"); });
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 7);
  EXPECT_EQ(Report(app).priority().priority(), 7);
  applied = Run([&] { return core_->UpdateApplicationPriority(app, 50, "alice"); });
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 10);  // the cluster maximum
  EXPECT_EQ(Report(app).priority().priority(), 10);
  EXPECT_EQ(store_.Load()->apps.at(app).app.application_submission_context().priority().priority(),
            10);

  ASSERT_TRUE(Run([&] { return core_->Kill(app, "alice", ""); }).ok());
  applied = Run([&] { return core_->UpdateApplicationPriority(app, 3, "alice"); });
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 10);  // as YARN: a finished app keeps its priority, no error

  auto missing = Run([&] {
    return core_->UpdateApplicationPriority(ApplicationId(app.cluster_timestamp(), 42), 1, "a");
  });
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RmCoreAdminTest, WithoutAclsAnyoneMayModify) {
  AddNode("h1");
  ApplicationId app = Submit(512, "alice");
  EXPECT_TRUE(*Run([&] { return core_->CanModifyApplication(app, "mallory"); }));
  EXPECT_TRUE(Run([&] { return core_->CheckAdminAccess("mallory", "refreshQueues"); }).ok());
  EXPECT_TRUE(Run([&] { return core_->MoveApplication(app, "b", "mallory"); }).ok());
}

TEST_F(RmCoreAdminTest, AclsAllowOwnerAdminsAndQueueAdministratorsOnly) {
  config_.acl_enable = true;
  config_.admin_acl = "root ops";  // user root, group ops
  Rebuild();
  core_->set_user_groups([](const std::string& user) {
    return user == "olga" ? std::vector<std::string>{"olga", "ops"} : std::vector<std::string>{};
  });
  AddNode("h1");
  ApplicationId app = Submit(512, "alice");
  scripted_->allowed.insert({"default", "quentin", QueueAccess::kAdministerQueue});
  scripted_->allowed.insert({"b", "alice", QueueAccess::kSubmitApplications});

  for (const char* user : {"alice", "root", "olga", "quentin"}) {
    EXPECT_TRUE(*Run([&] { return core_->CanModifyApplication(app, user); })) << user;
  }
  EXPECT_FALSE(*Run([&] { return core_->CanModifyApplication(app, "bob"); }));

  std::string denied =
      absl::StrCat("User bob cannot perform operation MODIFY_APP on ", app.ToString());
  auto move = Run([&] { return core_->MoveApplication(app, "b", "bob"); });
  EXPECT_EQ(move.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(move.message(), denied);
  auto prio = Run([&] { return core_->UpdateApplicationPriority(app, 2, "bob"); });
  EXPECT_EQ(prio.status().code(), absl::StatusCode::kPermissionDenied);
  auto kill = Run([&] { return core_->Kill(app, "bob", ""); });
  EXPECT_EQ(kill.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(kill.status().message(), denied);
  EXPECT_EQ(Report(app).yarn_application_state(), proto::ACCEPTED);

  // The owner may move only into a queue she may submit to.
  auto into_c = Run([&] { return core_->MoveApplication(app, "c", "alice"); });
  EXPECT_EQ(into_c.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(into_c.message()), HasSubstr("target queue doesn't exist: c"));
  EXPECT_TRUE(Run([&] { return core_->MoveApplication(app, "b", "alice"); }).ok());

  // yarn.admin.acl guards the admin protocol, in YARN's words.
  EXPECT_TRUE(Run([&] { return core_->CheckAdminAccess("olga", "refreshQueues"); }).ok());
  auto admin = Run([&] { return core_->CheckAdminAccess("alice", "refreshQueues"); });
  EXPECT_EQ(admin.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(admin.message(), "User alice doesn't have permission to call 'refreshQueues'");
  // -refreshAdminAcls takes a new list.
  conf::Configuration conf;
  conf.Set("yarn.admin.acl", "alice");
  Run([&] { core_->RefreshAdminAcls(conf); });
  EXPECT_TRUE(Run([&] { return core_->CheckAdminAccess("alice", "refreshQueues"); }).ok());
  EXPECT_FALSE(Run([&] { return core_->CheckAdminAccess("olga", "refreshQueues"); }).ok());
  EXPECT_TRUE(Run([&] { return core_->Kill(app, "alice", ""); }).ok());
}

TEST_F(RmCoreAdminTest, RefreshQueuesAppliesOrReportsTheSchedulersError) {
  conf::Configuration good;
  ASSERT_TRUE(Run([&] { return core_->RefreshQueues(good); }).ok());
  EXPECT_EQ(scripted_->reinitialized, 1);
  conf::Configuration bad;
  bad.Set("test.invalid", "yarn.scheduler.capacity.root.a.capacity=abc is not a number");
  auto s = Run([&] { return core_->RefreshQueues(bad); });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("capacity-scheduler.xml:7"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("root.a.capacity=abc"));
}

TEST_F(RmCoreAdminTest, PreemptionWarnsTheAmThenKillsWithPreemptedStatus) {
  NodeId node = AddNode("h1");
  ApplicationId app;
  ApplicationAttemptId attempt;
  auto containers = RunningApp(&app, &attempt, 2);
  ASSERT_EQ(containers.size(), 2u);
  ContainerId c0 = ContainerId::FromProto(containers[0].id());
  ContainerId c1 = ContainerId::FromProto(containers[1].id());

  scripted_->next_round.to_warn = {c0, c1};
  Run([&] { core_->RunPreemption(); });
  auto warned = Run([&] { return core_->Allocate(attempt, proto::AllocateRequest()); });
  ASSERT_TRUE(warned.ok());
  ASSERT_EQ(warned->preempt().strict_contract_size(), 2);
  EXPECT_EQ(ContainerId::FromProto(warned->preempt().strict_contract(0)), c0);
  // Told once.
  auto again = Run([&] { return core_->Allocate(attempt, proto::AllocateRequest()); });
  EXPECT_EQ(again->preempt().strict_contract_size(), 0);

  clock_.AdvanceMillis(10000);
  Resource used_before = sched_->UsedResource();
  scripted_->next_round.to_kill = {c0};
  Run([&] { core_->RunPreemption(); });
  EXPECT_EQ(sched_->UsedResource().memory_mb, used_before.memory_mb - 1024);
  auto killed = Run([&] { return core_->Allocate(attempt, proto::AllocateRequest()); });
  ASSERT_TRUE(killed.ok());
  ASSERT_EQ(killed->completed_container_statuses_size(), 1);
  const auto& st = killed->completed_container_statuses(0);
  EXPECT_EQ(ContainerId::FromProto(st.container_id()), c0);
  EXPECT_EQ(st.exit_status(), -102);
  EXPECT_EQ(st.diagnostics(), "Container preempted by scheduler");
  // The NodeManager is told to stop it.
  auto hb = Heartbeat(node);
  bool cleaned = false;
  for (const auto& c : hb.containers_to_cleanup()) cleaned |= ContainerId::FromProto(c) == c0;
  EXPECT_TRUE(cleaned);
  auto usage = Report(app).app_resource_usage();
  EXPECT_EQ(usage.preempted_memory_seconds(), 1024 * 10);
  EXPECT_EQ(usage.preempted_vcore_seconds(), 10);
  // A container killed twice (or already gone) is ignored.
  scripted_->next_round.to_kill = {c0};
  Run([&] { core_->RunPreemption(); });
  EXPECT_EQ(Run([&] {
              return core_->Allocate(attempt, proto::AllocateRequest());
            })->completed_container_statuses_size(),
            0);
}

TEST_F(RmCoreAdminTest, PreemptedAmContainerDoesNotCountAgainstMaxAttempts) {
  AddNode("h1");
  ApplicationId app = Submit();
  // max attempts is 2: three preempted AMs still leave the app alive.
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(launcher_.launched.size(), static_cast<size_t>(i + 1));
    scripted_->next_round.to_kill = {ContainerId::FromProto(launcher_.launched.back().id())};
    Run([&] { core_->RunPreemption(); });
  }
  auto report = Report(app);
  EXPECT_EQ(report.yarn_application_state(), proto::ACCEPTED);
  EXPECT_EQ(ApplicationAttemptId::FromProto(report.current_application_attempt_id()).attempt_id(),
            4);
  auto attempts = Run([&] { return core_->ListAttempts(app); });
  ASSERT_GE(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].yarn_application_attempt_state(), proto::APP_ATTEMPT_FAILED);
  EXPECT_THAT(attempts[0].diagnostics(), HasSubstr("exitCode: -102"));
  EXPECT_THAT(attempts[0].diagnostics(), HasSubstr("Container preempted by scheduler"));
}

TEST_F(RmCoreAdminTest, PreemptionMonitorRunsAtTheSchedulersInterval) {
  scripted_->preemption_interval = 20;
  Rebuild();
  Run([&] { core_->Start(); });
  auto deadline = absl::Now() + absl::Seconds(5);
  while (scripted_->rounds.load() < 3 && absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(5));
  EXPECT_GE(scripted_->rounds.load(), 3);
  // A refresh that turns preemption off stops the monitor.
  conf::Configuration off;
  off.Set("test.preemption-interval", "0");
  ASSERT_TRUE(Run([&] { return core_->RefreshQueues(off); }).ok());
  int after = scripted_->rounds.load();
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_LE(scripted_->rounds.load(), after + 1);
}

TEST_F(RmCoreAdminTest, QueueInfoCarriesHadoop3Fields) {
  AddNode("h1");
  Submit();
  proto::GetQueueInfoRequest req;
  req.set_queue_name("default");
  req.set_include_applications(true);
  auto info = Run([&] { return core_->QueueInfo(req); });
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->queue_info().queue_name(), "default");
  EXPECT_FLOAT_EQ(info->queue_info().weight(), -1.0f);
  EXPECT_EQ(info->queue_info().max_parallel_apps(), std::numeric_limits<int32_t>::max());
  EXPECT_TRUE(info->queue_info().preemption_disabled());  // no preemption monitor
  EXPECT_EQ(info->queue_info().applications_size(), 1);
  req.set_queue_name("nope");
  EXPECT_EQ(Run([&] { return core_->QueueInfo(req); }).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RmCoreAdminTest, SignalTravelsToTheContainersNodeOnce) {
  NodeId node = AddNode("h1");
  ApplicationId app;
  ApplicationAttemptId attempt;
  auto containers = RunningApp(&app, &attempt, 1);
  ASSERT_EQ(containers.size(), 1u);
  ContainerId c = ContainerId::FromProto(containers[0].id());
  ASSERT_TRUE(
      Run([&] { return core_->SignalContainer(c, proto::GRACEFUL_SHUTDOWN, "alice"); }).ok());
  auto hb = Heartbeat(node);
  ASSERT_EQ(hb.containers_to_signal_size(), 1);
  EXPECT_EQ(ContainerId::FromProto(hb.containers_to_signal(0).container_id()), c);
  EXPECT_EQ(hb.containers_to_signal(0).command(), proto::GRACEFUL_SHUTDOWN);
  EXPECT_EQ(Heartbeat(node).containers_to_signal_size(), 0);

  ContainerId gone(attempt, 99);
  auto missing = Run([&] { return core_->SignalContainer(gone, proto::OUTPUT_THREAD_DUMP, "a"); });
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(),
            absl::StrCat("Container with id '", gone.ToString(), "' doesn't exist in RM."));
  auto unspecified =
      Run([&] { return core_->SignalContainer(c, proto::SIGNAL_UNSPECIFIED, "alice"); });
  EXPECT_EQ(unspecified.code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RmCoreAdminTest, SignalNeedsModifyAccessWithAcls) {
  config_.acl_enable = true;
  config_.admin_acl = "root";
  Rebuild();
  NodeId node = AddNode("h1");
  ApplicationId app;
  ApplicationAttemptId attempt;
  auto containers = RunningApp(&app, &attempt, 1);
  ASSERT_EQ(containers.size(), 1u);
  ContainerId c = ContainerId::FromProto(containers[0].id());
  auto denied = Run([&] { return core_->SignalContainer(c, proto::FORCEFUL_SHUTDOWN, "bob"); });
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Heartbeat(node).containers_to_signal_size(), 0);
  EXPECT_TRUE(
      Run([&] { return core_->SignalContainer(c, proto::FORCEFUL_SHUTDOWN, "root"); }).ok());
}

}  // namespace
}  // namespace skein::rm
