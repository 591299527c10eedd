// Two HA ResourceManagers in this process against a real ZooKeeper server on 127.0.0.1.
#include "resourcemanager/ha/ha_resource_manager.h"

#include <httplib.h>

#include <chrono>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/rpc.h"
#include "common/testing/zk_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "protos/client_protocol.grpc.pb.h"
#include "protos/ha_protocol.grpc.pb.h"

namespace skein::rm::ha {
namespace {

using ::testing::HasSubstr;

using testing::WaitUntil;

class HaResourceManagerTest : public testing::ZooKeeperTest {
 protected:
  void SetUp() override {
    ZooKeeperTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    conf_ = conf::Configuration::WithYarnDefaults();
    conf_.Set("yarn.resourcemanager.scheduler.class", "fifo");
    conf_.Set("yarn.resourcemanager.ha.enabled", "true");
    conf_.Set("yarn.resourcemanager.ha.rm-ids", "rm1,rm2");
    conf_.Set("yarn.resourcemanager.cluster-id", "ha-test");
    conf_.Set("hadoop.zk.address", zk_server_->connect_string());
    conf_.Set("hadoop.zk.timeout-ms", "2000");
    const auto addresses = testing::FreeHaRmAddresses({"rm1", "rm2"});
    ASSERT_FALSE(addresses.empty());
    for (const auto& [key, address] : addresses) conf_.Set(key, address);
  }

  std::unique_ptr<ResourceManager> StartRm(const std::string& id) {
    conf::Configuration c = conf_;
    c.Set("yarn.resourcemanager.ha.id", id);
    auto rm = ResourceManager::Create(c, RealClock::Get());
    EXPECT_TRUE(rm.ok()) << rm.status();
    if (!rm.ok()) return nullptr;
    absl::Status s = (*rm)->Start();
    EXPECT_TRUE(s.ok()) << s;
    return std::move(*rm);
  }

  static grpc::Status NewApplication(const ResourceManager& rm) {
    auto stub = proto::ApplicationClientProtocol::NewStub(MakeChannel(rm.client_address()));
    auto ctx = MakeClientContext(std::chrono::milliseconds(5000));
    proto::GetNewApplicationResponse resp;
    return stub->GetNewApplication(ctx.get(), proto::GetNewApplicationRequest(), &resp);
  }

  static absl::StatusOr<proto::GetServiceStatusResponse> Status(const ResourceManager& rm) {
    auto stub = proto::HAServiceProtocol::NewStub(MakeChannel(rm.admin_address()));
    auto ctx = MakeClientContext(std::chrono::milliseconds(5000));
    proto::GetServiceStatusResponse resp;
    grpc::Status s = stub->GetServiceStatus(ctx.get(), proto::GetServiceStatusRequest(), &resp);
    if (!s.ok()) return FromGrpcStatus(s);
    return resp;
  }

  static grpc::Status Transition(const ResourceManager& rm, bool to_active,
                                 proto::HARequestSourceProto source) {
    auto stub = proto::HAServiceProtocol::NewStub(MakeChannel(rm.admin_address()));
    auto ctx = MakeClientContext(std::chrono::milliseconds(5000));
    proto::HATransitionRequest req;
    req.mutable_req_info()->set_req_source(source);
    proto::HATransitionResponse resp;
    return to_active ? stub->TransitionToActive(ctx.get(), req, &resp)
                     : stub->TransitionToStandby(ctx.get(), req, &resp);
  }

  static std::unique_ptr<httplib::Client> Http(const ResourceManager& rm) {
    const std::string web = rm.webapp_address();
    auto c =
        std::make_unique<httplib::Client>("127.0.0.1", std::stoi(web.substr(web.rfind(':') + 1)));
    c->set_read_timeout(10, 0);
    c->set_connection_timeout(5, 0);
    return c;
  }

  conf::Configuration conf_;
};

TEST_F(HaResourceManagerTest, OneActiveTheStandbyRefusesAndRedirects) {
  auto rm1 = StartRm("rm1");
  ASSERT_NE(rm1, nullptr);
  ASSERT_TRUE(WaitUntil([&] { return rm1->ha_state() == "active"; }, absl::Seconds(20)));
  auto rm2 = StartRm("rm2");
  ASSERT_NE(rm2, nullptr);
  EXPECT_EQ(rm2->ha_state(), "standby");
  // rm2's elector has reached ZooKeeper and tried the lock rm1 holds (the same loop task sets
  // CONNECTED and then tries the lock): it lost the election and stays standby.
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto s = Status(*rm2);
        return s.ok() && s->zk_connection_state() == "CONNECTED";
      },
      absl::Seconds(30)));
  EXPECT_EQ(rm2->ha_state(), "standby");
  EXPECT_TRUE(NewApplication(*rm1).ok());
  EXPECT_GT(rm1->cluster_timestamp(), 0);
  EXPECT_EQ(rm2->cluster_timestamp(), 0);

  grpc::Status refused = NewApplication(*rm2);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(refused.error_message(), "ResourceManager rm2 is not Active!");

  auto s1 = Status(*rm1);
  auto s2 = Status(*rm2);
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_EQ(s1->state(), proto::HA_ACTIVE);
  EXPECT_EQ(s1->rm_id(), "rm1");
  EXPECT_EQ(s1->zk_connection_state(), "CONNECTED");
  EXPECT_EQ(s2->state(), proto::HA_STANDBY);
  EXPECT_EQ(s2->rm_id(), "rm2");
  EXPECT_TRUE(s2->automatic_failover());

  auto http = Http(*rm2);
  auto info = http->Get("/ws/v1/cluster/info");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, 200);
  EXPECT_THAT(info->body, HasSubstr("\"haState\":\"STANDBY\""));
  EXPECT_THAT(info->body, HasSubstr("\"haZooKeeperConnectionState\":\"CONNECTED\""));
  auto apps = http->Get("/ws/v1/cluster/apps?states=RUNNING");
  ASSERT_TRUE(apps);
  EXPECT_EQ(apps->status, 307);
  EXPECT_EQ(apps->get_header_value("Location"),
            absl::StrCat("http://", rm1->webapp_address(), "/ws/v1/cluster/apps?states=RUNNING"));
  auto active_info = Http(*rm1)->Get("/ws/v1/cluster/info");
  ASSERT_TRUE(active_info);
  EXPECT_THAT(active_info->body, HasSubstr("\"haState\":\"ACTIVE\""));
  EXPECT_THAT(active_info->body, HasSubstr("\"haZooKeeperConnectionState\":\"CONNECTED\""));
}

TEST_F(HaResourceManagerTest, StoppingTheActiveMakesTheStandbyActive) {
  auto rm1 = StartRm("rm1");
  ASSERT_NE(rm1, nullptr);
  ASSERT_TRUE(WaitUntil([&] { return rm1->ha_state() == "active"; }, absl::Seconds(20)));
  auto rm2 = StartRm("rm2");
  ASSERT_NE(rm2, nullptr);
  const std::string rm1_client = rm1->client_address();
  const absl::Time stop = absl::Now();
  rm1->Stop();
  ASSERT_TRUE(WaitUntil([&] { return rm2->ha_state() == "active"; }, absl::Seconds(10)));
  EXPECT_LT(absl::Now() - stop, absl::Seconds(10));
  EXPECT_TRUE(NewApplication(*rm2).ok());
  // Once stopped, rm1 listens on nothing.
  auto stub = proto::ApplicationClientProtocol::NewStub(MakeChannel(rm1_client));
  auto ctx = MakeClientContext(std::chrono::milliseconds(1000));
  proto::GetNewApplicationResponse resp;
  EXPECT_EQ(
      stub->GetNewApplication(ctx.get(), proto::GetNewApplicationRequest(), &resp).error_code(),
      grpc::StatusCode::UNAVAILABLE);
  // rm2's standby redirect target is gone too.
  rm1.reset();
}

TEST_F(HaResourceManagerTest, ManualTransitionsAreRefusedUnderAutomaticFailoverUnlessForced) {
  auto rm1 = StartRm("rm1");
  ASSERT_NE(rm1, nullptr);
  ASSERT_TRUE(WaitUntil([&] { return rm1->ha_state() == "active"; }, absl::Seconds(20)));
  grpc::Status refused = Transition(*rm1, false, proto::REQUEST_BY_USER);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("Manual failover control for this ResourceManager is disallowed"));
  EXPECT_EQ(rm1->ha_state(), "active");
  ASSERT_TRUE(Transition(*rm1, false, proto::REQUEST_BY_USER_FORCED).ok());
  ASSERT_TRUE(WaitUntil([&] { return rm1->ha_state() == "standby"; }, absl::Seconds(10)));
  EXPECT_EQ(NewApplication(*rm1).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(HaResourceManagerTest, WithoutAutomaticFailoverBothWaitForTheOperator) {
  conf_.Set("yarn.resourcemanager.ha.automatic-failover.enabled", "false");
  auto rm1 = StartRm("rm1");
  auto rm2 = StartRm("rm2");
  ASSERT_NE(rm1, nullptr);
  ASSERT_NE(rm2, nullptr);
  // Neither has an elector, so nothing but the operator can make one active: both are standby
  // once started, and stay so.
  for (auto* rm : {rm1.get(), rm2.get()}) {
    EXPECT_EQ(rm->ha_state(), "standby");
    auto status = Status(*rm);
    ASSERT_TRUE(status.ok());
    EXPECT_THAT(status->zk_connection_state(), HasSubstr("Could not find leader elector"));
  }
  auto s = Status(*rm2);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(Transition(*rm2, true, proto::REQUEST_BY_USER).ok());
  ASSERT_TRUE(WaitUntil([&] { return rm2->ha_state() == "active"; }, absl::Seconds(10)));
  EXPECT_TRUE(NewApplication(*rm2).ok());
  EXPECT_EQ(rm1->ha_state(), "standby");
  // The HA service stays reachable on the active's admin port.
  auto active = Status(*rm2);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->state(), proto::HA_ACTIVE);
  ASSERT_TRUE(Transition(*rm2, false, proto::REQUEST_BY_USER).ok());
  ASSERT_TRUE(WaitUntil([&] { return rm2->ha_state() == "standby"; }, absl::Seconds(10)));
}

TEST_F(HaResourceManagerTest, CreateRejectsBadHaSettings) {
  conf::Configuration c = conf_;
  c.Set("yarn.resourcemanager.ha.id", "rm7");
  auto bad = ResourceManager::Create(c, RealClock::Get());
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_THAT(bad.status().message(), HasSubstr("'rm7' is not one of"));
  c = conf_;
  c.Set("yarn.resourcemanager.ha.enabled", "yes please");
  bad = ResourceManager::Create(c, RealClock::Get());
  EXPECT_THAT(bad.status().message(), HasSubstr("yarn.resourcemanager.ha.enabled"));
}

}  // namespace
}  // namespace skein::rm::ha
