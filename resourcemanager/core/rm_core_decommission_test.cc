// RmCore's node administration: include/exclude lists at registration and heartbeat, forceful
// and graceful decommissioning (drain, timeout, per-host timeout), recommission, and
// updateNodeResource — on the Capacity scheduler, with a fake clock and direct NM heartbeats.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resourcemanager/core/rm_core_test_fixture.h"
#include "resourcemanager/service/services.h"

namespace skein::rm {
namespace {

using ::testing::HasSubstr;

constexpr char kLost[] = "Container released on a *lost* node";

HostsLists Excluding(std::map<std::string, std::optional<int32_t>> hosts) {
  HostsLists lists;
  lists.excludes = std::move(hosts);
  return lists;
}

class RmCoreDecommissionTest : public RmCoreTest {
 protected:
  RmCoreDecommissionTest() : RmCoreTest("capacity") {}

  proto::NodeReportProto NodeReport(const NodeId& id) {
    for (const auto& r : Run([&] { return core_->Nodes({}); })) {
      if (NodeId::FromProto(r.node_id()) == id) return r;
    }
    ADD_FAILURE() << "no report for " << id.ToString();
    return {};
  }
  proto::NodeState StateOf(const NodeId& id) { return NodeReport(id).node_state(); }

  proto::RegisterNodeManagerResponse Register(const std::string& host, int64_t mem = 8192) {
    proto::RegisterNodeManagerRequest req;
    *req.mutable_node_id() = NodeId(host, 1000).ToProto();
    *req.mutable_resource() = Resource(mem, 8).ToProto();
    return Run([&] { return core_->RegisterNode(req); });
  }

  // An app whose registered AM runs on the only node there is (h1), plus `n` 1 GB containers
  // there; then h2 joins.
  void AppOnH1(int n) {
    h1_ = AddNode("h1");
    app_ = Submit();
    attempt_ = RegisterLatestAm();
    am_ = launcher_.launched.back().id();
    workers_ = Ask(n);
    for (const auto& c : workers_) ASSERT_EQ(NodeId::FromProto(c.node_id()), h1_);
    h2_ = AddNode("h2");
  }

  std::vector<proto::ContainerProto> Ask(int n) {
    proto::AllocateRequest ask;
    auto* a = ask.add_ask();
    a->set_resource_name("*");
    a->mutable_priority()->set_priority(1);
    *a->mutable_capability() = Resource(1024, 1).ToProto();
    a->set_num_containers(n);  // YARN's asks are absolute: what is still wanted
    auto resp = Run([&] { return core_->Allocate(attempt_, ask); });
    EXPECT_TRUE(resp.ok()) << resp.status();
    return resp.ok() ? std::vector<proto::ContainerProto>(resp->allocated_containers().begin(),
                                                          resp->allocated_containers().end())
                     : std::vector<proto::ContainerProto>{};
  }

  std::vector<proto::ContainerStatusProto> Completions() {
    auto resp = Run([&] { return core_->Allocate(attempt_, proto::AllocateRequest()); });
    EXPECT_TRUE(resp.ok()) << resp.status();
    if (!resp.ok()) return {};
    return {resp->completed_container_statuses().begin(),
            resp->completed_container_statuses().end()};
  }

  void FinishAm() {
    proto::FinishApplicationMasterRequest fin;
    fin.set_final_application_status(proto::APP_SUCCEEDED);
    ASSERT_TRUE(Run([&] { return core_->FinishAm(attempt_, fin); }).ok());
  }

  Resource Cluster() {
    return Run([&] { return sched_->ClusterResource(); });
  }

  NodeId h1_, h2_;
  ApplicationId app_;
  ApplicationAttemptId attempt_;
  proto::ContainerIdProto am_;
  std::vector<proto::ContainerProto> workers_;
};

TEST_F(RmCoreDecommissionTest, ExcludedHostIsRefusedAtRegistrationWithHadoopsWords) {
  config_.hosts = Excluding({{"h2", std::nullopt}});
  Rebuild();
  AddNode("h1");
  auto resp = Register("h2");
  EXPECT_EQ(resp.nodeaction(), proto::SHUTDOWN);
  EXPECT_EQ(resp.diagnostics_message(),
            "Disallowed NodeManager from  h2, Sending SHUTDOWN signal to the NodeManager.");
  EXPECT_EQ(Cluster(), Resource(8192, 8));
  EXPECT_EQ(Run([&] { return core_->Nodes({}); }).size(), 1u);  // never listed
}

TEST_F(RmCoreDecommissionTest, IncludeListAdmitsOnlyItsHosts) {
  config_.hosts.includes = {"h1"};
  Rebuild();
  EXPECT_EQ(Register("h1").nodeaction(), proto::NORMAL);
  EXPECT_EQ(Register("h3").nodeaction(), proto::SHUTDOWN);
  // A heartbeat from a host that is not allowed is told to shut down, too.
  auto hb = Heartbeat(NodeId("h3", 1000));
  EXPECT_EQ(hb.nodeaction(), proto::SHUTDOWN);
  EXPECT_EQ(hb.diagnostics_message(), "Disallowed NodeManager nodeId: h3:1000 hostname: h3");
}

TEST_F(RmCoreDecommissionTest, ForcefulRefreshDecommissionsKillsContainersAndShutsTheNmDown) {
  AppOnH1(2);
  Run([&] { core_->RefreshNodes(Excluding({{"h1", std::nullopt}}), false, 3600); });
  EXPECT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONED);
  EXPECT_EQ(StateOf(h2_), proto::NS_RUNNING);
  EXPECT_EQ(Cluster(), Resource(8192, 8));  // h1's capacity left the cluster
  auto metrics = Run([&] { return core_->ClusterMetrics(); });
  EXPECT_EQ(metrics.num_decommissioned_nms(), 1);
  EXPECT_EQ(metrics.num_active_nms(), 1);
  // The AM container died with the node: the attempt failed without counting (ABORTED), and a
  // second attempt started on h2.
  auto attempts = Run([&] { return core_->ListAttempts(app_); });
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].yarn_application_attempt_state(), proto::APP_ATTEMPT_FAILED);
  EXPECT_THAT(attempts[0].diagnostics(), HasSubstr("exitCode: -100"));
  EXPECT_THAT(attempts[0].diagnostics(), HasSubstr(kLost));
  EXPECT_EQ(NodeId::FromProto(launcher_.launched.back().node_id()), h2_);
  // The NM hears SHUTDOWN on its next heartbeat, and keeps hearing it.
  for (int i = 0; i < 2; ++i) {
    auto hb = Heartbeat(h1_);
    EXPECT_EQ(hb.nodeaction(), proto::SHUTDOWN);
    EXPECT_EQ(hb.diagnostics_message(), "Disallowed NodeManager nodeId: h1:1000 hostname: h1");
  }
  // Listed as inactive: `node -list -states DECOMMISSIONED`.
  auto decommissioned = Run([&] { return core_->Nodes({proto::NS_DECOMMISSIONED}); });
  ASSERT_EQ(decommissioned.size(), 1u);
  EXPECT_EQ(NodeId::FromProto(decommissioned[0].node_id()), h1_);
}

TEST_F(RmCoreDecommissionTest, WorkerContainersEndAbortedTowardsTheAm) {
  h1_ = AddNode("h1");
  app_ = Submit();
  attempt_ = RegisterLatestAm();  // the AM runs on h1, the only node
  h2_ = AddNode("h2", 16384);     // the most free memory: the worker goes there
  auto workers = Ask(1);
  ASSERT_EQ(workers.size(), 1u);
  ASSERT_EQ(NodeId::FromProto(workers[0].node_id()), h2_);
  Run([&] { core_->RefreshNodes(Excluding({{"h2", std::nullopt}}), false, 0); });
  auto done = Completions();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].exit_status(), proto::ABORTED);
  EXPECT_EQ(done[0].diagnostics(), kLost);
  EXPECT_EQ(StateOf(h1_), proto::NS_RUNNING);
  EXPECT_EQ(Report(app_).yarn_application_state(), proto::RUNNING);
}

TEST_F(RmCoreDecommissionTest, GracefulDrainsRunningContainersThenDecommissions) {
  AppOnH1(1);
  Run([&] { core_->RefreshNodes(Excluding({{"h1", std::nullopt}}), true, 3600); });
  EXPECT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONING);
  auto metrics = Run([&] { return core_->ClusterMetrics(); });
  EXPECT_EQ(metrics.num_decommissioning_nms(), 1);
  EXPECT_EQ(metrics.num_active_nms(), 1);
  EXPECT_EQ(Run([&] { return core_->DecommissioningNodes(); }), std::vector<NodeId>{h1_});
  // The node takes nothing new: its scheduler total is what it uses (AM + worker).
  EXPECT_EQ(Cluster(), Resource(8192, 8) + Resource(2048, 2));
  auto more = Ask(2);
  ASSERT_EQ(more.size(), 2u);
  for (const auto& c : more) EXPECT_EQ(NodeId::FromProto(c.node_id()), h2_);
  // Heartbeats keep it DECOMMISSIONING while containers run there.
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::NORMAL);
  // The worker ends: the AM is still there (and its application runs), so it keeps draining.
  EXPECT_EQ(Heartbeat(h1_, {Exited(workers_[0].id(), 0)}).nodeaction(), proto::NORMAL);
  EXPECT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONING);
  EXPECT_EQ(Cluster(), Resource(8192, 8) + Resource(1024, 1));  // shrinks with what ends
  // The application finishes and its AM exits: the next heartbeat decommissions the node.
  FinishAm();
  auto last = Heartbeat(h1_, {Exited(am_, 0)});
  EXPECT_EQ(last.nodeaction(), proto::SHUTDOWN);
  EXPECT_EQ(last.diagnostics_message(), "DECOMMISSIONING h1:1000 is ready to be decommissioned");
  EXPECT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONED);
  EXPECT_EQ(Cluster(), Resource(8192, 8));
  EXPECT_TRUE(Run([&] { return core_->DecommissioningNodes(); }).empty());
}

TEST_F(RmCoreDecommissionTest, GracefulWaitsForApplicationsThatRanThere) {
  AppOnH1(1);
  // Move the app's work: the worker on h1 ends before the decommission starts...
  Heartbeat(h1_, {Exited(workers_[0].id(), 0)});
  Run([&] { core_->RefreshNodes(Excluding({{"h1", std::nullopt}}), true, -1); });
  // ...but the AM's container is still there, and once it is gone, the application (still
  // RUNNING until it is marked done) is what the node waits for — as DecommissioningNodesWatcher.
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::NORMAL);
  FinishAm();
  EXPECT_EQ(Heartbeat(h1_, {Exited(am_, 0)}).nodeaction(), proto::SHUTDOWN);
}

TEST_F(RmCoreDecommissionTest, GracefulTimeoutEndsWhatStillRuns) {
  AppOnH1(1);
  Run([&] { core_->RefreshNodes(Excluding({{"h1", std::nullopt}}), true, 60); });
  clock_.AdvanceMillis(59000);
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::NORMAL);
  clock_.AdvanceMillis(1000);
  auto hb = Heartbeat(h1_);
  EXPECT_EQ(hb.nodeaction(), proto::SHUTDOWN);
  EXPECT_EQ(hb.diagnostics_message(), "DECOMMISSIONING h1:1000 is ready to be decommissioned");
  EXPECT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONED);
  // The worker and the AM were killed as on a lost node; the app got a new attempt on h2.
  auto attempts = Run([&] { return core_->ListAttempts(app_); });
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_THAT(attempts[0].diagnostics(), HasSubstr(kLost));
}

TEST_F(RmCoreDecommissionTest, ANewTimeoutCountsFromWhenTheDrainBegan) {
  AppOnH1(1);
  Run([&] { core_->RefreshNodes(Excluding({{"h1", std::nullopt}}), true, 600); });
  clock_.AdvanceMillis(30000);
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::NORMAL);
  Run([&] { core_->RefreshNodes(Excluding({{"h1", std::nullopt}}), true, 40); });
  EXPECT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONING);
  clock_.AdvanceMillis(9000);
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::NORMAL);
  clock_.AdvanceMillis(1000);
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::SHUTDOWN);
}

TEST_F(RmCoreDecommissionTest, RestartedDecommissioningNmMayRegisterAndKeepsDraining) {
  AppOnH1(1);
  Run([&] { core_->RefreshNodes(Excluding({{"h1", std::nullopt}}), true, 600); });
  clock_.AdvanceMillis(20000);
  // The NM restarts without its containers: Hadoop lets a DECOMMISSIONING node back in.
  auto again = Register("h1");
  EXPECT_EQ(again.nodeaction(), proto::NORMAL) << again.diagnostics_message();
  EXPECT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONING);
  EXPECT_EQ(NodeReport(h1_).num_containers(), 0);
  // Nothing is left there (the app's next attempt went to h2): the next heartbeat ends it.
  EXPECT_EQ(NodeId::FromProto(launcher_.launched.back().node_id()), h2_);
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::SHUTDOWN);
  EXPECT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONED);
}

TEST_F(RmCoreDecommissionTest, PerHostXmlTimeoutWinsOverTheRequestTimeout) {
  AppOnH1(1);
  Run([&] { core_->RefreshNodes(Excluding({{"h1", 10}}), true, 3600); });
  clock_.AdvanceMillis(10000);
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::SHUTDOWN);
}

TEST_F(RmCoreDecommissionTest, RecommissionRestoresTheFullResource) {
  AppOnH1(1);
  Run([&] { core_->RefreshNodes(Excluding({{"h1", std::nullopt}}), true, 3600); });
  ASSERT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONING);
  Run([&] { core_->RefreshNodes(HostsLists(), true, 3600); });
  EXPECT_EQ(StateOf(h1_), proto::NS_RUNNING);
  EXPECT_EQ(Cluster(), Resource(16384, 16));
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::NORMAL);
  // Its containers never stopped.
  EXPECT_EQ(NodeReport(h1_).num_containers(), 2);
}

TEST_F(RmCoreDecommissionTest, UnhealthyOrUntrackedNodesEndAtOnce) {
  config_.hosts.includes = {"h1", "h2"};
  Rebuild();
  h1_ = AddNode("h1");
  h2_ = AddNode("h2");
  // h2 leaves the include list without being excluded: it is SHUTDOWN, not DECOMMISSIONED.
  HostsLists only_h1;
  only_h1.includes = {"h1"};
  Run([&] { core_->RefreshNodes(only_h1, false, 0); });
  EXPECT_EQ(StateOf(h2_), proto::NS_SHUTDOWN);
  EXPECT_EQ(Run([&] { return core_->ClusterMetrics(); }).num_shutdown_nms(), 1);
  // An unhealthy node has nothing to drain: graceful ends it at once.
  proto::NodeHeartbeatRequest sick;
  *sick.mutable_node_status()->mutable_node_id() = h1_.ToProto();
  sick.mutable_node_status()->mutable_nodehealthstatus()->set_is_node_healthy(false);
  Run([&] { return core_->NodeHeartbeat(sick); });
  ASSERT_EQ(StateOf(h1_), proto::NS_UNHEALTHY);
  HostsLists exclude_h1 = only_h1;
  exclude_h1.excludes = {{"h1", std::nullopt}};
  Run([&] { core_->RefreshNodes(exclude_h1, true, 3600); });
  EXPECT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONED);
}

TEST_F(RmCoreDecommissionTest, ReincludedHostMayRegisterAgain) {
  h1_ = AddNode("h1");
  Run([&] { core_->RefreshNodes(Excluding({{"h1", std::nullopt}}), false, 0); });
  ASSERT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONED);
  EXPECT_EQ(Register("h1").nodeaction(), proto::SHUTDOWN);
  Run([&] { core_->RefreshNodes(HostsLists(), false, 0); });
  // Still listed DECOMMISSIONED until the NM comes back; its heartbeat is told to re-register.
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::RESYNC);
  EXPECT_EQ(Register("h1").nodeaction(), proto::NORMAL);
  EXPECT_EQ(StateOf(h1_), proto::NS_RUNNING);
}

TEST_F(RmCoreDecommissionTest, ForcefulEndsDecommissioningNodes) {
  AppOnH1(1);
  Run([&] { core_->RefreshNodes(Excluding({{"h1", std::nullopt}}), true, -1); });
  ASSERT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONING);
  Run([&] { core_->DecommissionNodesForcefully(); });
  EXPECT_EQ(StateOf(h1_), proto::NS_DECOMMISSIONED);
  EXPECT_EQ(StateOf(h2_), proto::NS_RUNNING);
}

TEST_F(RmCoreDecommissionTest, DecommissioningNodeThatIsSilentIsLost) {
  AppOnH1(1);
  Run([&] { core_->RefreshNodes(Excluding({{"h1", std::nullopt}}), true, -1); });
  clock_.AdvanceMillis(config_.nm_expiry_ms + 1);
  Heartbeat(h2_);
  Run([&] { core_->CheckNodeLiveness(); });
  EXPECT_EQ(StateOf(h1_), proto::NS_LOST);
}

TEST_F(RmCoreDecommissionTest, UpdateNodeResourceChangesWhatIsScheduledAndReported) {
  h1_ = AddNode("h1", 4096);
  auto s = Run([&] { return core_->UpdateNodeResource(h1_, Resource(16384, 16), -1); });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(Cluster(), Resource(16384, 16));
  EXPECT_EQ(Resource::FromProto(NodeReport(h1_).capability()), Resource(16384, 16));
  // A 10 GB worker fits now.
  app_ = Submit();
  attempt_ = RegisterLatestAm();
  proto::AllocateRequest ask;
  auto* a = ask.add_ask();
  a->set_resource_name("*");
  a->mutable_priority()->set_priority(1);
  *a->mutable_capability() = Resource(8192, 1).ToProto();
  a->set_num_containers(1);
  auto resp = Run([&] { return core_->Allocate(attempt_, ask); });
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->allocated_containers_size(), 1);
  // Shrinking below what runs keeps the containers; nothing new lands.
  ASSERT_TRUE(Run([&] { return core_->UpdateNodeResource(h1_, Resource(1024, 1), 0); }).ok());
  EXPECT_EQ(NodeReport(h1_).num_containers(), 2);
  EXPECT_EQ(Cluster(), Resource(1024, 1));
}

TEST_F(RmCoreDecommissionTest, UpdateNodeResourceErrorsNameTheNodeAndValue) {
  h1_ = AddNode("h1");
  auto unknown =
      Run([&] { return core_->UpdateNodeResource(NodeId("h9", 1), Resource(1, 1), -1); });
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.message(),
            "Resource update get failed on all nodes due to change resource on an unrecognized "
            "node: h9:1");
  auto negative = Run([&] { return core_->UpdateNodeResource(h1_, Resource(-1, 2), -1); });
  EXPECT_EQ(negative.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(negative.message()), HasSubstr("Invalid resource value: (-1,2)"));
  auto timeout = Run([&] { return core_->UpdateNodeResource(h1_, Resource(1, 1), -7); });
  EXPECT_EQ(timeout.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(timeout.message()), HasSubstr("-7"));
  EXPECT_EQ(Cluster(), Resource(8192, 8));  // nothing changed
}

// The admin service reads the files off the loop: a malformed one is refused and the running
// lists stay in force.
class AdminServiceRefreshNodesTest : public RmCoreDecommissionTest {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skein-decom-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    exclude_ = dir_ + "/exclude";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  absl::Status Refresh(proto::DecommissionTypeProto type, std::optional<int32_t> timeout = {}) {
    AdminHandlers admin(*core_, loop_, [this]() -> absl::StatusOr<conf::Configuration> {
      conf::Configuration c = conf::Configuration::WithYarnDefaults();
      c.Set("yarn.resourcemanager.nodes.exclude-path", exclude_);
      c.Set("yarn.resourcemanager.nodemanager-graceful-decommission-timeout-secs", "30");
      return c;
    });
    proto::RefreshNodesRequest req;
    req.set_decommission_type(type);
    if (timeout) req.set_decommission_timeout(*timeout);
    // An anonymous caller, as gRPC without metadata.
    return admin.RefreshNodes("dr.who", req).status();
  }

  std::string dir_, exclude_;
};

TEST_F(AdminServiceRefreshNodesTest, StartUpReadsTheListsAndABadFileStopsTheRm) {
  std::ofstream(exclude_) << "# retired\nh2\n";
  conf::Configuration c = conf::Configuration::WithYarnDefaults();
  c.Set("yarn.resourcemanager.nodes.exclude-path", exclude_);
  c.Set("yarn.resourcemanager.nodemanager-graceful-decommission-timeout-secs", "90");
  auto config = RmConfig::FromConfiguration(c);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->hosts.IsValid("h2"));
  EXPECT_TRUE(config->hosts.IsValid("h1"));
  EXPECT_EQ(config->graceful_decommission_timeout_s, 90);

  std::ofstream(exclude_, std::ios::trunc) << "h1\nh2/x\n";
  auto bad = RmConfig::FromConfiguration(c);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr(exclude_ + ":2: 'h2/x'"));
  c.Set("yarn.resourcemanager.nodes.include-path", dir_ + "/missing");
  auto missing = RmConfig::FromConfiguration(c);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr(dir_ + "/missing"));
}

TEST_F(AdminServiceRefreshNodesTest, BadFileKeepsTheRunningLists) {
  h1_ = AddNode("h1");
  h2_ = AddNode("h2");
  std::ofstream(exclude_) << "h2\n";
  ASSERT_TRUE(Refresh(proto::DECOMMISSION_NORMAL).ok());
  ASSERT_EQ(StateOf(h2_), proto::NS_DECOMMISSIONED);
  std::ofstream(exclude_, std::ios::trunc) << "h1\nh2:8041\n";
  absl::Status bad = Refresh(proto::DECOMMISSION_NORMAL);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr(exclude_ + ":2: 'h2:8041' names a port"));
  EXPECT_EQ(StateOf(h1_), proto::NS_RUNNING);               // not applied
  EXPECT_EQ(Register("h2").nodeaction(), proto::SHUTDOWN);  // the old list still holds
  std::filesystem::remove(exclude_);
  absl::Status missing = Refresh(proto::DECOMMISSION_NORMAL);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr(exclude_));
}

TEST_F(AdminServiceRefreshNodesTest, GracefulUsesTheConfiguredTimeoutUnlessGiven) {
  AppOnH1(1);
  std::ofstream(exclude_) << "h1\n";
  ASSERT_TRUE(Refresh(proto::DECOMMISSION_GRACEFUL).ok());
  clock_.AdvanceMillis(29000);
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::NORMAL);
  clock_.AdvanceMillis(1000);
  EXPECT_EQ(Heartbeat(h1_).nodeaction(), proto::SHUTDOWN);  // the configured 30 s
  absl::Status bad = Refresh(proto::DECOMMISSION_GRACEFUL, -5);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("Invalid timeout specified : -5"));
}

TEST_F(AdminServiceRefreshNodesTest, AdminAclIsEnforced) {
  config_.acl_enable = true;
  config_.admin_acl = "root";
  Rebuild();
  std::ofstream(exclude_) << "h1\n";
  absl::Status denied = Refresh(proto::DECOMMISSION_NORMAL);
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.message(), "User dr.who doesn't have permission to call 'refreshNodes'");
}

}  // namespace
}  // namespace skein::rm
