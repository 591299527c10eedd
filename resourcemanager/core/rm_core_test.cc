// Drives the RM core's application, attempt and node state machines with a fake clock, a fake AM
// launcher and direct NodeManager heartbeats: no sockets, no processes.
#include "resourcemanager/core/rm_core.h"

#include <map>
#include <set>

#include "gtest/gtest.h"
#include "resourcemanager/core/rm_core_test_fixture.h"

namespace skein::rm {
namespace {

TEST_F(RmCoreTest, AppWaitsAcceptedWithoutNodesThenRunsAndFinishes) {
  ApplicationId app = Submit();
  EXPECT_EQ(Report(app).yarn_application_state(), proto::ACCEPTED);
  EXPECT_TRUE(launcher_.launched.empty());
  NodeId node = AddNode("h1");
  ASSERT_EQ(launcher_.launched.size(), 1u);
  // AM resource normalized up to the minimum allocation.
  EXPECT_EQ(launcher_.launched[0].resource().memory_mb(), 1024);
  ApplicationAttemptId attempt = RegisterLatestAm();
  EXPECT_EQ(Report(app).yarn_application_state(), proto::RUNNING);

  proto::AllocateRequest ask;
  auto* a = ask.add_ask();
  a->set_resource_name("*");
  a->mutable_priority()->set_priority(1);
  *a->mutable_capability() = Resource(1408, 4).ToProto();
  a->set_num_containers(2);
  auto resp = Run([&] { return core_->Allocate(attempt, ask); });
  ASSERT_TRUE(resp.ok()) << resp.status();
  ASSERT_EQ(resp->allocated_containers_size(), 2);
  // 1408 MB -> 2048 MB; the Default calculator grants 1 vcore.
  EXPECT_EQ(resp->allocated_containers(0).resource().memory_mb(), 2048);
  EXPECT_EQ(resp->allocated_containers(0).resource().virtual_cores(), 1);
  EXPECT_EQ(Report(app).app_resource_usage().used_resources().memory_mb(), 1024 + 2 * 2048);

  Heartbeat(node, {Exited(resp->allocated_containers(0).id(), 0),
                   Exited(resp->allocated_containers(1).id(), 3, "boom")});
  auto next = Run([&] { return core_->Allocate(attempt, proto::AllocateRequest()); });
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->completed_container_statuses_size(), 2);
  EXPECT_EQ(next->completed_container_statuses(1).exit_status(), 3);

  proto::FinishApplicationMasterRequest fin;
  fin.set_final_application_status(proto::APP_SUCCEEDED);
  ASSERT_TRUE(Run([&] { return core_->FinishAm(attempt, fin); }).ok());
  auto report = Report(app);
  EXPECT_EQ(report.yarn_application_state(), proto::FINISHED);
  EXPECT_EQ(report.final_application_status(), proto::APP_SUCCEEDED);
  EXPECT_FLOAT_EQ(report.progress(), 1.0f);
  // The AM container exits; the node is told to clean up the application.
  auto hb = Heartbeat(node, {Exited(launcher_.launched[0].id(), 0)});
  EXPECT_EQ(hb.applications_to_cleanup_size(), 1);
  EXPECT_EQ(hb.containers_to_be_removed_from_nm_size(), 1);
  EXPECT_TRUE(sched_->UsedResource().IsZero());
}

TEST_F(RmCoreTest, FailedAmGetsSecondAttemptThenAppFails) {
  NodeId node = AddNode("h1");
  ApplicationId app = Submit();
  ASSERT_EQ(launcher_.launched.size(), 1u);
  Heartbeat(node, {Exited(launcher_.launched[0].id(), 1, "bad AM")});
  ASSERT_EQ(launcher_.launched.size(), 2u);
  EXPECT_EQ(ContainerId::FromProto(launcher_.launched[1].id()).ToString(),
            absl::StrCat("container_", app.cluster_timestamp(), "_0001_02_000001"));
  auto report = Report(app);
  EXPECT_EQ(report.yarn_application_state(), proto::ACCEPTED);
  EXPECT_EQ(ApplicationAttemptId::FromProto(report.current_application_attempt_id()).attempt_id(),
            2);
  Heartbeat(node, {Exited(launcher_.launched[1].id(), 1, "bad AM again")});
  report = Report(app);
  EXPECT_EQ(report.yarn_application_state(), proto::FAILED);
  EXPECT_EQ(report.final_application_status(), proto::APP_FAILED);
  EXPECT_NE(report.diagnostics().find("failed 2 times"), std::string::npos) << report.diagnostics();
  EXPECT_NE(report.diagnostics().find("exitCode: 1"), std::string::npos);
  EXPECT_NE(report.diagnostics().find("bad AM again"), std::string::npos);
  EXPECT_EQ(launcher_.launched.size(), 2u);
  EXPECT_TRUE(sched_->UsedResource().IsZero());
}

TEST_F(RmCoreTest, LostNodeAbortsContainersAndDoesNotCountAgainstAttempts) {
  // One attempt allowed: were the lost AM counted as a failed attempt, the app would fail.
  config_.am_max_attempts = 1;
  Rebuild();
  NodeId n1 = AddNode("h1");
  ApplicationId app = Submit();
  ApplicationAttemptId attempt = RegisterLatestAm();  // on h1, the only node
  ASSERT_EQ(launcher_.launched.size(), 1u);
  NodeId n2 = AddNode("h2");
  proto::AllocateRequest ask;
  auto* a = ask.add_ask();
  a->set_resource_name("*");
  *a->mutable_capability() = Resource(6144, 1).ToProto();
  a->set_num_containers(2);
  a->mutable_priority()->set_priority(1);
  auto resp = Run([&] { return core_->Allocate(attempt, ask); });
  ASSERT_TRUE(resp.ok());
  ASSERT_EQ(resp->allocated_containers_size(), 2);
  std::set<NodeId> placed = {NodeId::FromProto(resp->allocated_containers(0).node_id()),
                             NodeId::FromProto(resp->allocated_containers(1).node_id())};
  ASSERT_EQ(placed, (std::set<NodeId>{n1, n2}));
  // h1 (the AM's node) goes silent past the expiry; h2 keeps heartbeating.
  clock_.AdvanceMillis(6000);
  Heartbeat(n2);
  clock_.AdvanceMillis(6000);
  Heartbeat(n2);
  Run([&] {
    core_->CheckNodeLiveness();
    return 0;
  });
  auto nodes = Run([&] { return core_->Nodes({proto::NS_LOST}); });
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(NodeId::FromProto(nodes[0].node_id()), n1);
  // The AM ran on the lost node: a new attempt starts, not counted as a failure.
  EXPECT_EQ(launcher_.launched.size(), 2u);
  EXPECT_NE(Report(app).yarn_application_state(), proto::FAILED);
  auto attempts = Run([&] { return core_->ListAttempts(app); });
  ASSERT_EQ(attempts.size(), 2u);
  auto metrics = Run([&] { return core_->ClusterMetrics(); });
  EXPECT_EQ(metrics.num_lost_nms(), 1);
  EXPECT_EQ(metrics.num_active_nms(), 1);
  // A heartbeat from the lost node is told to re-register.
  EXPECT_EQ(Heartbeat(n1).nodeaction(), proto::RESYNC);
}

// The AM's node stays; a worker's node is lost: the AM hears its container was aborted.
TEST_F(RmCoreTest, LostNodeAbortsTheContainersOnIt) {
  NodeId n1 = AddNode("h1");
  Submit();
  ApplicationAttemptId attempt = RegisterLatestAm();  // on h1
  NodeId n2 = AddNode("h2");
  proto::AllocateRequest ask;
  auto* a = ask.add_ask();
  a->set_resource_name("*");
  *a->mutable_capability() = Resource(6144, 1).ToProto();
  a->set_num_containers(1);
  a->mutable_priority()->set_priority(1);
  auto resp = Run([&] { return core_->Allocate(attempt, ask); });
  ASSERT_TRUE(resp.ok());
  ASSERT_EQ(resp->allocated_containers_size(), 1);
  ASSERT_EQ(NodeId::FromProto(resp->allocated_containers(0).node_id()), n2);  // most free
  clock_.AdvanceMillis(6000);
  Heartbeat(n1);
  clock_.AdvanceMillis(6000);
  Heartbeat(n1);
  Run([&] {
    core_->CheckNodeLiveness();
    return 0;
  });
  auto next = Run([&] { return core_->Allocate(attempt, proto::AllocateRequest()); });
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->completed_container_statuses_size(), 1);
  EXPECT_EQ(next->completed_container_statuses(0).container_id().SerializeAsString(),
            resp->allocated_containers(0).id().SerializeAsString());
  EXPECT_EQ(next->completed_container_statuses(0).exit_status(), proto::ABORTED);
  EXPECT_EQ(next->completed_container_statuses(0).diagnostics(),
            "Container released on a *lost* node");
  EXPECT_EQ(launcher_.launched.size(), 1u);  // the AM's attempt goes on
}

TEST_F(RmCoreTest, KillStopsEveryContainerAndTellsTheAm) {
  NodeId node = AddNode("h1");
  ApplicationId app = Submit();
  ApplicationAttemptId attempt = RegisterLatestAm();
  auto killed = Run([&] { return core_->Kill(app, "bob", ""); });
  ASSERT_TRUE(killed.ok());
  EXPECT_FALSE(*killed);
  auto report = Report(app);
  EXPECT_EQ(report.yarn_application_state(), proto::KILLED);
  EXPECT_EQ(report.final_application_status(), proto::APP_KILLED);
  EXPECT_NE(report.diagnostics().find("killed by user bob"), std::string::npos);
  auto hb = Heartbeat(node);
  EXPECT_EQ(hb.containers_to_cleanup_size(), 1);  // the AM container
  auto resp = Run([&] { return core_->Allocate(attempt, proto::AllocateRequest()); });
  ASSERT_TRUE(resp.ok());
  EXPECT_TRUE(resp->a_m_command_shutdown());
  // Killing again reports that it is already done.
  EXPECT_TRUE(*Run([&] { return core_->Kill(app, "bob", ""); }));
  EXPECT_TRUE(sched_->UsedResource().IsZero());
}

TEST_F(RmCoreTest, BadInputIsRejectedWithClearErrors) {
  AddNode("h1");
  // Unknown application.
  auto missing = Run([&] { return core_->Report(ApplicationId(1, 99)); });
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("doesn't exist in RM"), std::string::npos);
  // AM resource above the maximum.
  auto id = Run([&] { return core_->NewApplication(); }).application_id();
  proto::ApplicationSubmissionContextProto ctx;
  *ctx.mutable_application_id() = id;
  ctx.mutable_am_container_spec()->add_command("x");
  *ctx.mutable_resource() = Resource(9000, 1).ToProto();
  absl::Status s = Run([&] { return core_->Submit(ctx, "u"); });
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("9000"), std::string::npos) << s;
  EXPECT_NE(s.message().find("8192"), std::string::npos) << s;
  // An id this RM never issued.
  *ctx.mutable_application_id() = ApplicationId(5, 1).ToProto();
  *ctx.mutable_resource() = Resource(1024, 1).ToProto();
  EXPECT_EQ(Run([&] { return core_->Submit(ctx, "u"); }).code(),
            absl::StatusCode::kInvalidArgument);
  // Negative and over-maximum container asks from an AM.
  ApplicationId app = Submit();
  (void)app;
  ApplicationAttemptId attempt = RegisterLatestAm();
  proto::AllocateRequest bad;
  auto* a = bad.add_ask();
  a->set_resource_name("*");
  *a->mutable_capability() = Resource(-5, 1).ToProto();
  a->set_num_containers(1);
  auto r = Run([&] { return core_->Allocate(attempt, bad); });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("memory-mb=-5"), std::string::npos) << r.status();
  *a->mutable_capability() = Resource(1024, 99).ToProto();
  r = Run([&] { return core_->Allocate(attempt, bad); });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("vcores"), std::string::npos) << r.status();
  // Unknown AMRM token.
  EXPECT_EQ(Run([&] { return core_->AttemptForToken("nope"); }).status().code(),
            absl::StatusCode::kPermissionDenied);
  // A node smaller than the minimum allocation is told to shut down.
  proto::RegisterNodeManagerRequest tiny;
  *tiny.mutable_node_id() = NodeId("tiny", 1).ToProto();
  *tiny.mutable_resource() = Resource(512, 1).ToProto();
  auto resp = Run([&] { return core_->RegisterNode(tiny); });
  EXPECT_EQ(resp.nodeaction(), proto::SHUTDOWN);
  EXPECT_NE(resp.diagnostics_message().find("minimum allocation"), std::string::npos);
}

TEST_F(RmCoreTest, LaunchFailureFailsTheAttemptAndRetries) {
  AddNode("h1");
  launcher_.fail_next = true;
  ApplicationId app = Submit();
  ASSERT_EQ(launcher_.launched.size(), 2u);
  auto attempts = Run([&] { return core_->ListAttempts(app); });
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].yarn_application_attempt_state(), proto::APP_ATTEMPT_FAILED);
  EXPECT_NE(attempts[0].diagnostics().find("node down"), std::string::npos);
  EXPECT_EQ(attempts[1].yarn_application_attempt_state(), proto::APP_ATTEMPT_LAUNCHED);
}

TEST_F(RmCoreTest, CompletedApplicationsBeyondTheLimitAreForgotten) {
  AddNode("h1", 65536);
  std::vector<ApplicationId> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Submit());
    ASSERT_TRUE(Run([&] { return core_->Kill(ids.back(), "u", ""); }).ok());
  }
  proto::GetApplicationsRequest all;
  EXPECT_EQ(Run([&] { return core_->ListApplications(all); }).size(), 3u);
  EXPECT_FALSE(Run([&] { return core_->Report(ids[0]); }).ok());
  EXPECT_TRUE(Run([&] { return core_->Report(ids[4]); }).ok());
}

TEST_F(RmCoreTest, UnhealthyNodeGetsNoContainersUntilHealthyAgain) {
  NodeId n1 = AddNode("h1");
  auto beat = [&](bool healthy, const std::string& report) {
    proto::NodeHeartbeatRequest req;
    *req.mutable_node_status()->mutable_node_id() = n1.ToProto();
    req.mutable_node_status()->mutable_nodehealthstatus()->set_is_node_healthy(healthy);
    req.mutable_node_status()->mutable_nodehealthstatus()->set_health_report(report);
    return Run([&] { return core_->NodeHeartbeat(req); });
  };
  EXPECT_EQ(beat(false, "ERROR disk full").nodeaction(), proto::NORMAL);
  auto unhealthy = Run([&] { return core_->Nodes({proto::NS_UNHEALTHY}); });
  ASSERT_EQ(unhealthy.size(), 1u);
  EXPECT_EQ(unhealthy[0].health_report(), "ERROR disk full");
  EXPECT_EQ(Run([&] { return core_->ClusterMetrics(); }).num_unhealthy_nms(), 1);
  ApplicationId app = Submit();
  EXPECT_EQ(launcher_.launched.size(), 0u);  // the only node is out of scheduling
  EXPECT_EQ(beat(false, "ERROR disk full").nodeaction(), proto::NORMAL);  // no resync loop
  EXPECT_EQ(launcher_.launched.size(), 0u);
  beat(true, "");
  EXPECT_EQ(launcher_.launched.size(), 1u);
  EXPECT_EQ(NodeId::FromProto(launcher_.launched[0].node_id()), n1);
  EXPECT_EQ(Run([&] { return core_->Nodes({proto::NS_RUNNING}); }).size(), 1u);
  EXPECT_EQ(Report(app).yarn_application_state(), proto::ACCEPTED);
}

class RmCoreCapacityTest : public RmCoreTest {
 protected:
  RmCoreCapacityTest() : RmCoreTest("capacity") {}
};

TEST_F(RmCoreCapacityTest, AppHeldByTheAmLimitSaysWhyInItsDiagnostics) {
  AddNode("h1", 8192);  // AM limit: 10 % of 8 GB = 819 MB, below one 1024 MB AM
  ApplicationId first = Submit();
  ApplicationId second = Submit();
  // One application may always start in a queue with no running AM.
  EXPECT_EQ(launcher_.launched.size(), 1u);
  auto report = Report(second);
  EXPECT_EQ(report.yarn_application_state(), proto::ACCEPTED);
  EXPECT_NE(report.diagnostics().find("Queue's AM resource limit exceeded"), std::string::npos)
      << report.diagnostics();
  EXPECT_NE(report.diagnostics().find("AM Resource Request = <memory:1024, vCores:1>"),
            std::string::npos)
      << report.diagnostics();
  // When the first application ends, the second starts.
  ASSERT_TRUE(Run([&] { return core_->Kill(first, "u", ""); }).ok());
  EXPECT_EQ(launcher_.launched.size(), 2u);
  EXPECT_EQ(ApplicationId::FromProto(launcher_.launched[1].id().app_attempt_id().application_id()),
            second);
}

}  // namespace
}  // namespace skein::rm

namespace skein::rm {
namespace {

// Work-preserving NodeManager restart: the node re-registers before it expires, reporting what it
// recovered. Running containers keep their allocation, a completion reported at registration
// reaches the AM with its real exit status, a container the NM no longer has is ABORTED, and one
// the RM does not know is stopped.
TEST_F(RmCoreTest, RestartedNodeKeepsTheContainersItRecovered) {
  NodeId n = AddNode("h1");
  Submit();
  ApplicationAttemptId attempt = RegisterLatestAm();
  proto::AllocateRequest ask;
  auto* a = ask.add_ask();
  a->set_resource_name("*");
  *a->mutable_capability() = Resource(1024, 1).ToProto();
  a->set_num_containers(3);
  a->mutable_priority()->set_priority(1);
  auto resp = Run([&] { return core_->Allocate(attempt, ask); });
  ASSERT_TRUE(resp.ok());
  ASSERT_EQ(resp->allocated_containers_size(), 3);
  const proto::ContainerIdProto kept = resp->allocated_containers(0).id();
  const proto::ContainerIdProto exited = resp->allocated_containers(1).id();
  // allocated_containers(2) is not reported: it did not survive the restart.
  proto::ContainerIdProto stranger = kept;
  stranger.set_id(999);
  int64_t used_before = Run([&] { return core_->WebMetrics(); }).allocated.memory_mb;

  proto::RegisterNodeManagerRequest req;
  *req.mutable_node_id() = n.ToProto();
  *req.mutable_resource() = Resource(8192, 8).ToProto();
  auto running = [](const proto::ContainerIdProto& id) {
    proto::ContainerStatusProto s;
    *s.mutable_container_id() = id;
    s.set_state(proto::C_RUNNING);
    return s;
  };
  *req.add_container_statuses() = running(launcher_.launched[0].id());  // the AM
  *req.add_container_statuses() = running(kept);
  *req.add_container_statuses() = Exited(exited, 3, "exited while the NM was down");
  *req.add_container_statuses() = running(stranger);
  auto reg = Run([&] { return core_->RegisterNode(req); });
  EXPECT_EQ(reg.nodeaction(), proto::NORMAL);

  auto next = Run([&] { return core_->Allocate(attempt, proto::AllocateRequest()); });
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->completed_container_statuses_size(), 2);
  std::map<int64_t, int32_t> exits;
  for (const auto& s : next->completed_container_statuses()) {
    exits[s.container_id().id()] = s.exit_status();
  }
  EXPECT_EQ(exits[exited.id()], 3);
  EXPECT_EQ(exits[resp->allocated_containers(2).id().id()], proto::ABORTED);
  EXPECT_EQ(exits.count(kept.id()), 0u);
  // Two 1024 MB containers ended; the AM and `kept` still hold their resources.
  EXPECT_EQ(Run([&] { return core_->WebMetrics(); }).allocated.memory_mb, used_before - 2048);
  // The container the RM never handed out is stopped on the next heartbeat.
  auto hb = Heartbeat(n);
  ASSERT_EQ(hb.containers_to_cleanup_size(), 1);
  EXPECT_EQ(hb.containers_to_cleanup(0).id(), 999);
  EXPECT_NE(Report(attempt.application_id()).yarn_application_state(), proto::FAILED);
}

}  // namespace
}  // namespace skein::rm
