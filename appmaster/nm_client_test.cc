#include "appmaster/nm_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/rpc.h"

namespace skein::am {
namespace {

using ::testing::HasSubstr;

// A fake NodeManager on loopback: accepts tokens whose password is "good", refuses the rest.
class FakeNM final : public proto::ContainerManagementProtocol::Service {
 public:
  grpc::Status StartContainers(grpc::ServerContext*, const proto::StartContainersRequest* req,
                               proto::StartContainersResponse* resp) override {
    for (const auto& one : req->start_container_request()) {
      last_context = one.container_launch_context();
      proto::ContainerTokenIdentifierProto ident;
      ident.ParseFromString(one.container_token().identifier());
      if (one.container_token().password() == "good") {
        *resp->add_succeeded_requests() = ident.container_id();
      } else {
        auto* f = resp->add_failed_requests();
        *f->mutable_container_id() = ident.container_id();
        f->set_exception("container token verification failed");
      }
    }
    return grpc::Status::OK;
  }
  grpc::Status StopContainers(grpc::ServerContext*, const proto::StopContainersRequest* req,
                              proto::StopContainersResponse* resp) override {
    for (const auto& id : req->container_id()) *resp->add_succeeded_requests() = id;
    ++stops;
    return grpc::Status::OK;
  }
  grpc::Status GetContainerStatuses(grpc::ServerContext*,
                                    const proto::GetContainerStatusesRequest* req,
                                    proto::GetContainerStatusesResponse* resp) override {
    for (const auto& id : req->container_id()) {
      if (id.id() == 99) {
        auto* f = resp->add_failed_requests();
        *f->mutable_container_id() = id;
        f->set_exception("unknown container");
        continue;
      }
      auto* st = resp->add_status();
      *st->mutable_container_id() = id;
      st->set_state(proto::C_RUNNING);
      st->set_exit_status(-1000);
    }
    return grpc::Status::OK;
  }
  proto::ContainerLaunchContextProto last_context;
  int stops = 0;
};

class NMClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = StartGrpcServer("127.0.0.1:0", "test", {&nm_}, &port_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }
  proto::ContainerProto Container(int64_t seq, const std::string& password) {
    ContainerId id =
        ContainerId::Make(ApplicationAttemptId(ApplicationId(1700000000000, 1), 1), 0, seq);
    proto::ContainerProto c;
    *c.mutable_id() = id.ToProto();
    *c.mutable_node_id() = NodeId("127.0.0.1", port_).ToProto();
    proto::ContainerTokenIdentifierProto ident;
    *ident.mutable_container_id() = id.ToProto();
    c.mutable_container_token()->set_identifier(ident.SerializeAsString());
    c.mutable_container_token()->set_password(password);
    return c;
  }
  FakeNM nm_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(NMClientTest, StartsWithTokenAndContextAndCachesOneChannelPerNode) {
  NMClient client;
  proto::ContainerLaunchContextProto ctx;
  ctx.add_command("echo hi");
  (*ctx.mutable_environment())["A"] = "b";
  ASSERT_TRUE(client.StartContainer(Container(2, "good"), ctx).ok());
  EXPECT_EQ(nm_.last_context.command(0), "echo hi");
  EXPECT_EQ(nm_.last_context.environment().at("A"), "b");
  ASSERT_TRUE(client.StartContainer(Container(3, "good"), ctx).ok());
  EXPECT_EQ(client.cached_channels(), 1u);
}

TEST_F(NMClientTest, RefusalCarriesTheNmReasonAndContainerId) {
  NMClient client;
  absl::Status s = client.StartContainer(Container(2, "bad"), {});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("container_1700000000000_0001_01_000002"));
  EXPECT_THAT(s.message(), HasSubstr("container token verification failed"));
}

TEST_F(NMClientTest, StopAndStatus) {
  NMClient client;
  NodeId node("127.0.0.1", port_);
  ContainerId id = ContainerId::FromProto(Container(4, "good").id());
  ASSERT_TRUE(client.StopContainer(id, node).ok());
  EXPECT_EQ(nm_.stops, 1);
  auto st = client.GetContainerStatus(id, node);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->state(), proto::C_RUNNING);
  ContainerId unknown = ContainerId::FromProto(Container(99, "good").id());
  auto missing = client.GetContainerStatus(unknown, node);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("unknown container"));
}

TEST_F(NMClientTest, UnreachableNodeIsAnErrorNamingIt) {
  NMClient client;
  server_->Shutdown();
  server_.reset();
  absl::Status s = client.StopContainer(ContainerId::FromProto(Container(4, "good").id()),
                                        NodeId("127.0.0.1", port_));
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("127.0.0.1:" + std::to_string(port_)));
}

TEST(NMClientNoServer, ContainerWithoutNodeIsInvalid) {
  NMClient client;
  proto::ContainerProto c;
  EXPECT_EQ(client.StartContainer(c, {}).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skein::am
