// The AM-RM client with RM HA: SKEIN_RM_SCHEDULER_ADDRESS lists every RM; a standby's refusal or
// a dead RM moves the call to the next one.
#include <atomic>
#include <memory>
#include <string>

#include "appmaster/amrm_client.h"
#include "common/rpc.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "protos/am_protocol.grpc.pb.h"

namespace skein::am {
namespace {

using ::testing::HasSubstr;

// An RM that is active (answers) or standby (refuses as an HA standby does).
class SwitchableAMService final : public proto::ApplicationMasterProtocol::Service {
 public:
  explicit SwitchableAMService(std::string id) : id_(std::move(id)) {}
  grpc::Status RegisterApplicationMaster(grpc::ServerContext*,
                                         const proto::RegisterApplicationMasterRequest*,
                                         proto::RegisterApplicationMasterResponse* resp) override {
    if (!active) return Refuse();
    ++calls;
    resp->set_queue("queue-of-" + id_);
    return grpc::Status::OK;
  }
  grpc::Status Allocate(grpc::ServerContext*, const proto::AllocateRequest*,
                        proto::AllocateResponse*) override {
    if (!active) return Refuse();
    ++calls;
    return grpc::Status::OK;
  }
  grpc::Status Refuse() const {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "ResourceManager " + id_ + " is not Active!");
  }
  std::atomic<bool> active{false};
  std::atomic<int> calls{0};

 private:
  std::string id_;
};

struct FakeRm {
  explicit FakeRm(const std::string& id) : service(id) {
    auto s = StartGrpcServer("127.0.0.1:0", "test", {&service}, &port);
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) server = std::move(*s);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
  SwitchableAMService service;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

TEST(AmrmFailoverTest, MovesPastAStandbyAndADeadRm) {
  FakeRm rm1("rm1"), rm2("rm2");
  rm2.service.active = true;
  AMRMClient client(MakeGrpcAMRMProtocol(rm1.address() + "," + rm2.address(), "tok"));
  auto reg = client.Register("h", 1, "");
  ASSERT_TRUE(reg.ok()) << reg.status();
  EXPECT_EQ(reg->queue(), "queue-of-rm2");
  EXPECT_EQ(rm1.service.calls.load(), 0);
  // rm2 dies and rm1 becomes active: the next call finds rm1.
  rm2.server->Shutdown();
  rm2.server.reset();
  rm1.service.active = true;
  auto alloc = client.Allocate(0.5f, 0);
  ASSERT_TRUE(alloc.ok()) << alloc.status();
  EXPECT_EQ(rm1.service.calls.load(), 1);
}

TEST(AmrmFailoverTest, OneRmIsNotRetried) {
  FakeRm rm1("rm1");
  AMRMClient client(MakeGrpcAMRMProtocol(rm1.address(), "tok"));
  auto reg = client.Register("h", 1, "");
  EXPECT_EQ(reg.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(reg.status().message(), HasSubstr("ResourceManager rm1 is not Active!"));
  EXPECT_THAT(reg.status().message(), HasSubstr(rm1.address()));
}

}  // namespace
}  // namespace skein::am
