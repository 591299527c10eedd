// ZKRMStateStore against a REAL ZooKeeper server on loopback (skips without java/zookeeper):
// round trips through a second instance (a failed-over RM), fencing between two instances, and
// the configuration errors.
#include "resourcemanager/store/zk_state_store.h"

#include <future>
#include <memory>
#include <string>

#include "common/conf/configuration.h"
#include "common/testing/zk_test_fixture.h"
#include "gtest/gtest.h"

namespace skein::rm {
namespace {

absl::Status Await(const std::function<void(RMStateStore::Done)>& write) {
  std::promise<absl::Status> p;
  write([&p](absl::Status s) { p.set_value(s); });
  return p.get_future().get();
}

proto::ApplicationStateDataProto AppData(const ApplicationId& id, const std::string& name) {
  proto::ApplicationStateDataProto d;
  d.set_user("alice");
  *d.mutable_application_submission_context()->mutable_application_id() = id.ToProto();
  d.mutable_application_submission_context()->set_application_name(name);
  d.set_application_state(proto::RUNNING);
  return d;
}

class ZkStateStoreTest : public testing::ZooKeeperTest {
 protected:
  std::unique_ptr<ZKRMStateStore> OpenStore() {
    ZKRMStateStore::Options o;
    o.connect = zk_server_->connect_string();
    o.parent_path = "/skein/rmstore";
    auto store = ZKRMStateStore::Open(o);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }
};

TEST_F(ZkStateStoreTest, AnotherInstanceRecoversWhatTheFirstWrote) {
  auto first = OpenStore();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->root(), "/skein/rmstore/ZKRMStateRoot");
  EXPECT_EQ(*first->GetAndIncrementEpoch(), 0);
  ApplicationId app(1700000000000, 3), other(1700000000000, 30);
  ApplicationAttemptId attempt(app, 1);
  ASSERT_TRUE(Await([&](auto d) { first->StoreApplication(app, AppData(app, "one"), d); }).ok());
  ASSERT_TRUE(
      Await([&](auto d) { first->StoreApplication(app, AppData(app, "renamed"), d); }).ok());
  ASSERT_TRUE(
      Await([&](auto d) { first->StoreApplication(other, AppData(other, "two"), d); }).ok());
  proto::ApplicationAttemptStateDataProto a;
  *a.mutable_attempt_id() = attempt.ToProto();
  a.set_app_attempt_state(proto::APP_ATTEMPT_RUNNING);
  ASSERT_TRUE(Await([&](auto d) { first->StoreAttempt(attempt, a, d); }).ok());
  proto::RMSecretsProto secrets;
  secrets.set_amrm_token_master_key("amrm");
  ASSERT_TRUE(first->StoreSecrets(secrets).ok());

  auto second = OpenStore();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(*second->GetAndIncrementEpoch(), 1);
  auto state = second->Load();
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_EQ(state->apps.size(), 2u);
  EXPECT_EQ(state->apps.at(app).app.application_submission_context().application_name(), "renamed");
  ASSERT_EQ(state->apps.at(app).attempts.size(), 1u);
  EXPECT_EQ(state->apps.at(app).attempts.at(1).app_attempt_state(), proto::APP_ATTEMPT_RUNNING);
  EXPECT_EQ(state->secrets.amrm_token_master_key(), "amrm");

  ASSERT_TRUE(Await([&](auto d) { second->RemoveApplication(app, d); }).ok());
  ASSERT_TRUE(Await([&](auto d) { second->RemoveApplication(app, d); }).ok());  // idempotent
  state = second->Load();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->apps.count(app), 0u);
  EXPECT_EQ(state->apps.count(other), 1u);
}

TEST_F(ZkStateStoreTest, TheStoreOfAnRmThatIsNoLongerActiveIsFenced) {
  auto old_active = OpenStore();
  auto new_active = OpenStore();
  ASSERT_NE(old_active, nullptr);
  ASSERT_NE(new_active, nullptr);
  ApplicationId app(1700000000000, 1);
  // Nothing may be written before the store was claimed.
  absl::Status unclaimed =
      Await([&](auto d) { old_active->StoreApplication(app, AppData(app, "x"), d); });
  EXPECT_EQ(unclaimed.code(), absl::StatusCode::kFailedPrecondition) << unclaimed;

  ASSERT_TRUE(old_active->GetAndIncrementEpoch().ok());
  ASSERT_TRUE(
      Await([&](auto d) { old_active->StoreApplication(app, AppData(app, "v1"), d); }).ok());
  ASSERT_TRUE(new_active->GetAndIncrementEpoch().ok());  // failover: the new RM claims the store

  absl::Status fenced =
      Await([&](auto d) { old_active->StoreApplication(app, AppData(app, "stale"), d); });
  EXPECT_EQ(fenced.code(), absl::StatusCode::kFailedPrecondition) << fenced;
  EXPECT_NE(fenced.message().find("fenced"), std::string::npos) << fenced;
  EXPECT_EQ(old_active->StoreSecrets(proto::RMSecretsProto()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Await([&](auto d) { old_active->RemoveApplication(app, d); }).code(),
            absl::StatusCode::kFailedPrecondition);

  ASSERT_TRUE(
      Await([&](auto d) { new_active->StoreApplication(app, AppData(app, "v2"), d); }).ok());
  auto state = new_active->Load();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->apps.at(app).app.application_submission_context().application_name(), "v2");
}

TEST(ZkStateStoreOptionsTest, ConfigurationErrorsNameTheKey) {
  conf::Configuration conf;
  auto none = ZKRMStateStore::OptionsFrom(conf);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("hadoop.zk.address"), std::string::npos);

  conf.Set("yarn.resourcemanager.zk-address", "127.0.0.1:1");  // the deprecated key still works
  auto deprecated = ZKRMStateStore::OptionsFrom(conf);
  ASSERT_TRUE(deprecated.ok()) << deprecated.status();
  EXPECT_EQ(deprecated->connect, "127.0.0.1:1");
  EXPECT_EQ(deprecated->parent_path, "/rmstore");

  conf.Set("yarn.resourcemanager.zk-state-store.parent-path", "rmstore");
  auto relative = ZKRMStateStore::OptionsFrom(conf);
  ASSERT_FALSE(relative.ok());
  EXPECT_NE(relative.status().message().find("yarn.resourcemanager.zk-state-store.parent-path"),
            std::string::npos);

  conf.Set("yarn.resourcemanager.zk-state-store.parent-path", "/rmstore");
  conf.Set("hadoop.zk.timeout-ms", "0");
  auto timeout = ZKRMStateStore::OptionsFrom(conf);
  ASSERT_FALSE(timeout.ok());
  EXPECT_NE(timeout.status().message().find("hadoop.zk.timeout-ms=0"), std::string::npos);
}

TEST(ZkStateStoreOptionsTest, UnreachableServerIsNamed) {
  auto port = testing::FreeLoopbackPort();
  ASSERT_TRUE(port.ok());
  ZKRMStateStore::Options o;
  o.connect = absl::StrCat("127.0.0.1:", *port);
  o.session_timeout = absl::Seconds(2);
  auto store = ZKRMStateStore::Open(o);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(o.connect), std::string::npos) << store.status();
}

}  // namespace
}  // namespace skein::rm
