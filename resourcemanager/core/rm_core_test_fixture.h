// Test-only: the RmCore fixture shared by rm_core_test.cc and rm_core_admin_test.cc (a fake
// clock, a fake AM launcher, direct NodeManager heartbeats; no sockets, no processes).
#ifndef SKEIN_RESOURCEMANAGER_CORE_RM_CORE_TEST_FIXTURE_H_
#define SKEIN_RESOURCEMANAGER_CORE_RM_CORE_TEST_FIXTURE_H_

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "gtest/gtest.h"
#include "resourcemanager/core/rm_core.h"

namespace skein::rm {

class FakeLauncher : public AmLauncher {
 public:
  void Launch(const proto::ContainerProto& c, const proto::ContainerLaunchContextProto& clc,
              Done done) override {
    launched.push_back(c);
    envs.push_back(clc.environment().at("SKEIN_AMRM_TOKEN"));
    done(fail_next ? absl::UnavailableError("node down") : absl::OkStatus());
    fail_next = false;
  }
  std::vector<proto::ContainerProto> launched;
  std::vector<std::string> envs;  // AMRM tokens handed to each AM
  bool fail_next = false;
};

class RmCoreTest : public ::testing::Test {
 protected:
  explicit RmCoreTest(const std::string& scheduler = "fifo") : loop_("test-loop") {
    config_.am_max_attempts = 2;
    config_.nm_expiry_ms = 10000;
    config_.max_completed_applications = 3;
    SchedulerOptions options;
    options.calculator = &calc_;
    sched_ = std::move(*MakeScheduler(scheduler, options));
    core_ = std::make_unique<RmCore>(config_, clock_, loop_, *sched_, calc_, store_, launcher_);
    loop_.Start();
  }
  ~RmCoreTest() override { loop_.Stop(); }

  // Rebuilds the core around `sched_` and the current `config_` (before any app or node).
  void Rebuild() {
    loop_.RunSync([this] {
      core_ = std::make_unique<RmCore>(config_, clock_, loop_, *sched_, calc_, store_, launcher_);
    });
  }

  template <typename F>
  auto Run(F f) {
    if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
      loop_.RunSync(f);
      for (int i = 0; i < 4; ++i) loop_.RunSync([] {});  // let posted callbacks run
    } else {
      auto r = loop_.RunSync(f);
      for (int i = 0; i < 4; ++i) loop_.RunSync([] {});
      return r;
    }
  }

  NodeId AddNode(const std::string& host, int64_t mem = 8192) {
    proto::RegisterNodeManagerRequest req;
    *req.mutable_node_id() = NodeId(host, 1000).ToProto();
    *req.mutable_resource() = Resource(mem, 8).ToProto();
    auto resp = Run([&] { return core_->RegisterNode(req); });
    EXPECT_EQ(resp.nodeaction(), proto::NORMAL) << resp.diagnostics_message();
    return NodeId(host, 1000);
  }

  proto::NodeHeartbeatResponse Heartbeat(const NodeId& node,
                                         std::vector<proto::ContainerStatusProto> statuses = {}) {
    proto::NodeHeartbeatRequest req;
    *req.mutable_node_status()->mutable_node_id() = node.ToProto();
    for (auto& s : statuses) *req.mutable_node_status()->add_containersstatuses() = s;
    return Run([&] { return core_->NodeHeartbeat(req); });
  }

  static proto::ContainerStatusProto Exited(const proto::ContainerIdProto& id, int code,
                                            const std::string& diag = "") {
    proto::ContainerStatusProto s;
    *s.mutable_container_id() = id;
    s.set_state(proto::C_COMPLETE);
    s.set_exit_status(code);
    s.set_diagnostics(diag);
    return s;
  }

  ApplicationId Submit(int64_t am_mb = 512, const std::string& user = "alice") {
    auto id = Run([&] { return core_->NewApplication(); }).application_id();
    proto::ApplicationSubmissionContextProto ctx;
    *ctx.mutable_application_id() = id;
    ctx.set_application_name("test");
    *ctx.mutable_resource() = Resource(am_mb, 1).ToProto();
    ctx.mutable_am_container_spec()->add_command("run-am");
    absl::Status s = Run([&] { return core_->Submit(ctx, user); });
    EXPECT_TRUE(s.ok()) << s;
    return ApplicationId::FromProto(id);
  }

  proto::ApplicationReportProto Report(const ApplicationId& id) {
    auto r = Run([&] { return core_->Report(id); });
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : proto::ApplicationReportProto();
  }

  ApplicationAttemptId RegisterLatestAm() {
    auto attempt = Run([&] { return core_->AttemptForToken(launcher_.envs.back()); });
    EXPECT_TRUE(attempt.ok());
    proto::RegisterApplicationMasterRequest req;
    req.set_host("amhost");
    auto r = Run([&] { return core_->RegisterAm(*attempt, req); });
    EXPECT_TRUE(r.ok()) << r.status();
    return *attempt;
  }

  FakeClock clock_;
  RmConfig config_;
  DefaultResourceCalculator calc_;
  MemoryRMStateStore store_;
  FakeLauncher launcher_;
  std::unique_ptr<Scheduler> sched_;
  EventLoop loop_;
  std::unique_ptr<RmCore> core_;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_CORE_RM_CORE_TEST_FIXTURE_H_
