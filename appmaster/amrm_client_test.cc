#include "appmaster/amrm_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <vector>

#include "common/rpc.h"
#include "protos/am_protocol.grpc.pb.h"

namespace skein::am {
namespace {

using ::testing::HasSubstr;

// Records every request; answers Allocate from a queue of canned responses (or an empty one).
class FakeAMRM : public AMRMProtocol {
 public:
  struct State {
    std::vector<proto::RegisterApplicationMasterRequest> registers;
    std::vector<proto::AllocateRequest> allocates;
    std::vector<proto::FinishApplicationMasterRequest> finishes;
    std::deque<absl::StatusOr<proto::AllocateResponse>> responses;
  };
  explicit FakeAMRM(State* state) : s_(state) {}

  absl::StatusOr<proto::RegisterApplicationMasterResponse> Register(
      const proto::RegisterApplicationMasterRequest& r) override {
    s_->registers.push_back(r);
    return proto::RegisterApplicationMasterResponse();
  }
  absl::StatusOr<proto::AllocateResponse> Allocate(const proto::AllocateRequest& r) override {
    s_->allocates.push_back(r);
    if (s_->responses.empty()) {
      proto::AllocateResponse resp;
      resp.set_response_id(r.response_id() + 1);
      return resp;
    }
    auto resp = s_->responses.front();
    s_->responses.pop_front();
    return resp;
  }
  absl::StatusOr<proto::FinishApplicationMasterResponse> Finish(
      const proto::FinishApplicationMasterRequest& r) override {
    s_->finishes.push_back(r);
    proto::FinishApplicationMasterResponse resp;
    resp.set_isunregistered(true);
    return resp;
  }

 private:
  State* s_;
};

ContainerRequest Req(int64_t mem, int32_t prio = 0) {
  ContainerRequest r;
  r.capability = Resource(mem, 1);
  r.priority = prio;
  return r;
}

class AMRMClientTest : public ::testing::Test {
 protected:
  AMRMClientTest() : client_(std::make_unique<FakeAMRM>(&state_)) {
    EXPECT_TRUE(client_.Register("host1", 1234, "http://t").ok());
  }
  FakeAMRM::State state_;
  AMRMClient client_;
};

TEST_F(AMRMClientTest, RegisterSendsHostPortAndUrl) {
  ASSERT_EQ(state_.registers.size(), 1u);
  EXPECT_EQ(state_.registers[0].host(), "host1");
  EXPECT_EQ(state_.registers[0].rpc_port(), 1234);
  EXPECT_EQ(state_.registers[0].tracking_url(), "http://t");
}

TEST_F(AMRMClientTest, AsksAreAbsoluteTotalsPerKey) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client_.AddContainerRequest(Req(1024)).ok());
  ASSERT_TRUE(client_.AddContainerRequest(Req(2048, 1)).ok());
  EXPECT_EQ(client_.Outstanding(Req(1024)), 3);
  ASSERT_TRUE(client_.Allocate(0.0f, 1000).ok());
  const auto& sent = state_.allocates.back();
  ASSERT_EQ(sent.ask_size(), 2);
  EXPECT_EQ(sent.ask(0).priority().priority(), 0);
  EXPECT_EQ(sent.ask(0).resource_name(), "*");
  EXPECT_EQ(sent.ask(0).capability().memory_mb(), 1024);
  EXPECT_EQ(sent.ask(0).num_containers(), 3);
  EXPECT_EQ(sent.ask(1).priority().priority(), 1);
  EXPECT_EQ(sent.ask(1).num_containers(), 1);
  // Pending asks are never held in a long poll.
  EXPECT_EQ(sent.wait_ms(), 0);
}

TEST_F(AMRMClientTest, UnchangedTableIsNotResentAndHeartbeatLongPolls) {
  ASSERT_TRUE(client_.AddContainerRequest(Req(1024)).ok());
  ASSERT_TRUE(client_.Allocate(0.0f, 1000).ok());
  ASSERT_TRUE(client_.Allocate(0.5f, 1000).ok());
  const auto& second = state_.allocates.back();
  EXPECT_EQ(second.ask_size(), 0);
  EXPECT_EQ(second.wait_ms(), 1000);
  EXPECT_FLOAT_EQ(second.progress(), 0.5f);
}

TEST_F(AMRMClientTest, RemoveSendsTheNewTotalAndZeroCancels) {
  ASSERT_TRUE(client_.AddContainerRequest(Req(1024)).ok());
  ASSERT_TRUE(client_.AddContainerRequest(Req(1024)).ok());
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  ASSERT_TRUE(client_.RemoveContainerRequest(Req(1024)).ok());
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  ASSERT_EQ(state_.allocates.back().ask_size(), 1);
  EXPECT_EQ(state_.allocates.back().ask(0).num_containers(), 1);
  ASSERT_TRUE(client_.RemoveContainerRequest(Req(1024)).ok());
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  ASSERT_EQ(state_.allocates.back().ask_size(), 1);
  EXPECT_EQ(state_.allocates.back().ask(0).num_containers(), 0);
  // A sent zero is forgotten: nothing more to send.
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  EXPECT_EQ(state_.allocates.back().ask_size(), 0);
  EXPECT_EQ(client_.Outstanding(Req(1024)), 0);
}

TEST_F(AMRMClientTest, RemovingWithNothingOutstandingIsAnError) {
  absl::Status s = client_.RemoveContainerRequest(Req(512, 3));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("priority=3"));
  EXPECT_THAT(s.message(), HasSubstr("<memory:512, vCores:1>"));
}

TEST_F(AMRMClientTest, InvalidCapabilityIsRejected) {
  absl::Status s = client_.AddContainerRequest(Req(0));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("<memory:0, vCores:1>"));
  ContainerRequest neg = Req(1024);
  neg.capability.vcores = -1;
  EXPECT_EQ(client_.AddContainerRequest(neg).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AMRMClientTest, FailedAllocateKeepsChangesForTheNextCall) {
  ASSERT_TRUE(client_.AddContainerRequest(Req(1024)).ok());
  client_.ReleaseAssignedContainer(*ContainerId::Parse("container_1_0001_01_000005"));
  state_.responses.push_back(absl::UnavailableError("rm down"));
  EXPECT_FALSE(client_.Allocate(0.0f, 0).ok());
  EXPECT_EQ(client_.PendingAskCount(), 1u);
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  const auto& sent = state_.allocates.back();
  ASSERT_EQ(sent.ask_size(), 1);
  EXPECT_EQ(sent.ask(0).num_containers(), 1);
  ASSERT_EQ(sent.release_size(), 1);
  EXPECT_EQ(ContainerId::FromProto(sent.release(0)).ToString(), "container_1_0001_01_000005");
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  EXPECT_EQ(state_.allocates.back().release_size(), 0);
}

TEST_F(AMRMClientTest, ResponseIdIsEchoed) {
  proto::AllocateResponse r;
  r.set_response_id(7);
  state_.responses.push_back(r);
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  EXPECT_EQ(state_.allocates.back().response_id(), 7);
}

TEST_F(AMRMClientTest, ShutdownCommandIsReported) {
  proto::AllocateResponse r;
  r.set_a_m_command_shutdown(true);
  state_.responses.push_back(r);
  auto resp = client_.Allocate(0.0f, 0);
  ASSERT_TRUE(resp.ok());
  EXPECT_TRUE(client_.shutdown_requested());
}

TEST_F(AMRMClientTest, ResyncReRegistersAndResendsOutstandingAsks) {
  ASSERT_TRUE(client_.AddContainerRequest(Req(1024)).ok());
  ASSERT_TRUE(client_.AddContainerRequest(Req(1024)).ok());
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  proto::AllocateResponse r;
  r.set_a_m_command_resync(true);
  state_.responses.push_back(r);
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  EXPECT_EQ(state_.registers.size(), 2u);
  EXPECT_EQ(state_.registers[1].host(), "host1");
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  ASSERT_EQ(state_.allocates.back().ask_size(), 1);
  EXPECT_EQ(state_.allocates.back().ask(0).num_containers(), 2);
  EXPECT_EQ(state_.allocates.back().response_id(), 0);
}

TEST_F(AMRMClientTest, NotRegisteredAfterRmRestartReRegistersAndResendsEverything) {
  ASSERT_TRUE(client_.AddContainerRequest(Req(1024)).ok());
  ASSERT_TRUE(client_.AddContainerRequest(Req(2048, 1)).ok());
  ContainerId released = *ContainerId::Parse("container_1_0001_01_000002");
  ContainerId confirmed = *ContainerId::Parse("container_1_0001_01_000003");
  client_.ReleaseAssignedContainer(released);
  client_.ReleaseAssignedContainer(confirmed);
  proto::AllocateResponse first;
  first.set_response_id(7);
  proto::ContainerStatusProto done;
  *done.mutable_container_id() = confirmed.ToProto();
  done.set_state(proto::C_COMPLETE);
  *first.add_completed_container_statuses() = done;
  state_.responses.push_back(first);
  ASSERT_TRUE(client_.Allocate(0.0f, 0).ok());
  // The restarted RM refuses the next heartbeat; the client registers again and retries at once.
  state_.responses.push_back(absl::FailedPreconditionError(
      "ApplicationMasterNotRegisteredException: AM is not registered for known application "
      "attempt: appattempt_1_0001_000001 or RM had restarted after AM registered. AM should "
      "re-register."));
  auto r = client_.Allocate(0.5f, 1000);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(state_.registers.size(), 2u);
  EXPECT_EQ(state_.registers[1].rpc_port(), 1234);
  const proto::AllocateRequest& retry = state_.allocates.back();
  EXPECT_EQ(retry.response_id(), 0);
  ASSERT_EQ(retry.ask_size(), 2);  // the whole table, though nothing changed
  EXPECT_EQ(retry.ask(0).num_containers(), 1);
  EXPECT_EQ(retry.ask(1).num_containers(), 1);
  // Only the release no completed status confirmed is sent again.
  ASSERT_EQ(retry.release_size(), 1);
  EXPECT_EQ(ContainerId::FromProto(retry.release(0)), released);
  EXPECT_EQ(retry.wait_ms(), 0);  // pending work goes out at once
}

TEST_F(AMRMClientTest, FinishAfterRmRestartRegistersAgainFirst) {
  FakeAMRM::State state;
  class RefuseFirstFinish : public FakeAMRM {
   public:
    using FakeAMRM::FakeAMRM;
    absl::StatusOr<proto::FinishApplicationMasterResponse> Finish(
        const proto::FinishApplicationMasterRequest& r) override {
      if (refused_++ == 0) {
        return absl::FailedPreconditionError(
            "ApplicationMasterNotRegisteredException: Application Master is trying to "
            "unregister before registering for: appattempt_1_0001_000001");
      }
      return FakeAMRM::Finish(r);
    }
    int refused_ = 0;
  };
  AMRMClient client(std::make_unique<RefuseFirstFinish>(&state));
  ASSERT_TRUE(client.Register("h", 1, "").ok());
  ASSERT_TRUE(client.Finish(proto::APP_SUCCEEDED, "done", "").ok());
  EXPECT_EQ(state.registers.size(), 2u);
  ASSERT_EQ(state.finishes.size(), 1u);
  EXPECT_EQ(state.finishes[0].final_application_status(), proto::APP_SUCCEEDED);
}

TEST_F(AMRMClientTest, OtherFailedPreconditionsAreNotResyncs) {
  state_.responses.push_back(absl::FailedPreconditionError("something else"));
  EXPECT_FALSE(client_.Allocate(0.0f, 0).ok());
  EXPECT_EQ(state_.registers.size(), 1u);
}

TEST(AMRMClientNoRegister, AllocateBeforeRegisterFails) {
  FakeAMRM::State state;
  AMRMClient client(std::make_unique<FakeAMRM>(&state));
  EXPECT_EQ(client.Allocate(0.0f, 0).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(state.allocates.empty());
}

TEST_F(AMRMClientTest, FinishSendsStatusAndDiagnostics) {
  ASSERT_TRUE(client_.Finish(proto::APP_FAILED, "boom", "url").ok());
  ASSERT_EQ(state_.finishes.size(), 1u);
  EXPECT_EQ(state_.finishes[0].final_application_status(), proto::APP_FAILED);
  EXPECT_EQ(state_.finishes[0].diagnostics(), "boom");
  EXPECT_EQ(state_.finishes[0].tracking_url(), "url");
}

TEST(AMEnvironmentTest, ReadsTheThreeVariables) {
  std::map<std::string, std::string> env = {
      {"SKEIN_RM_SCHEDULER_ADDRESS", "127.0.0.1:8030"},
      {"SKEIN_AMRM_TOKEN", "abc"},
      {"CONTAINER_ID", "container_1700000000000_0003_02_000001"}};
  auto am = ReadAMEnvironment(env);
  ASSERT_TRUE(am.ok()) << am.status();
  EXPECT_EQ(am->scheduler_address, "127.0.0.1:8030");
  EXPECT_EQ(am->amrm_token, "abc");
  EXPECT_EQ(am->attempt_id().ToString(), "appattempt_1700000000000_0003_000002");
}

TEST(AMEnvironmentTest, MissingOrBadVariablesAreNamed) {
  std::map<std::string, std::string> env = {{"SKEIN_RM_SCHEDULER_ADDRESS", "h:1"},
                                            {"CONTAINER_ID", "container_1_0001_01_000001"}};
  auto am = ReadAMEnvironment(env);
  EXPECT_EQ(am.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(am.status().message(), HasSubstr("SKEIN_AMRM_TOKEN"));
  env["SKEIN_AMRM_TOKEN"] = "t";
  env["CONTAINER_ID"] = "not-a-container";
  am = ReadAMEnvironment(env);
  EXPECT_THAT(am.status().message(), HasSubstr("CONTAINER_ID='not-a-container'"));
}

// A real gRPC round trip: the token and user travel as metadata on every call.
class RecordingAMService final : public proto::ApplicationMasterProtocol::Service {
 public:
  grpc::Status RegisterApplicationMaster(grpc::ServerContext* ctx,
                                         const proto::RegisterApplicationMasterRequest*,
                                         proto::RegisterApplicationMasterResponse* resp) override {
    tokens.push_back(GetMetadata(*ctx, kAmrmTokenMetadataKey));
    resp->set_queue("default");
    return grpc::Status::OK;
  }
  grpc::Status Allocate(grpc::ServerContext* ctx, const proto::AllocateRequest*,
                        proto::AllocateResponse*) override {
    tokens.push_back(GetMetadata(*ctx, kAmrmTokenMetadataKey));
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "bad token");
  }
  std::vector<std::string> tokens;
};

TEST(GrpcAMRMProtocolTest, SendsTokenMetadataAndMapsErrors) {
  RecordingAMService service;
  int port = 0;
  auto server = StartGrpcServer("127.0.0.1:0", "test", {&service}, &port);
  ASSERT_TRUE(server.ok()) << server.status();
  std::string address = "127.0.0.1:" + std::to_string(port);
  AMRMClient client(MakeGrpcAMRMProtocol(address, "tok123"));
  auto reg = client.Register("h", 1, "");
  ASSERT_TRUE(reg.ok()) << reg.status();
  EXPECT_EQ(reg->queue(), "default");
  auto alloc = client.Allocate(0.0f, 0);
  EXPECT_EQ(alloc.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(alloc.status().message(), HasSubstr(address));
  EXPECT_THAT(alloc.status().message(), HasSubstr("bad token"));
  EXPECT_THAT(service.tokens, ::testing::ElementsAre("tok123", "tok123"));
  (*server)->Shutdown();
}

}  // namespace
}  // namespace skein::am
