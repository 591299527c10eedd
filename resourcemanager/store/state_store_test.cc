// The state stores: one typed suite for the round trips every store must pass, plus the LevelDB
// store's own cases (reopen, corrupt or unreadable databases) and the factory.
#include "resourcemanager/store/state_store.h"

#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>

#include "common/conf/configuration.h"
#include "gtest/gtest.h"
#include "leveldb/db.h"
#include "resourcemanager/store/leveldb_state_store.h"

namespace skein::rm {
namespace {

std::string TempDir(const std::string& name) {
  std::string dir = absl::StrCat(::testing::TempDir(), "/rmstore-", name, "-", getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

proto::ApplicationStateDataProto AppData(const ApplicationId& id, proto::YarnApplicationState st) {
  proto::ApplicationStateDataProto d;
  d.set_submit_time(100);
  d.set_user("alice");
  *d.mutable_application_submission_context()->mutable_application_id() = id.ToProto();
  d.mutable_application_submission_context()->set_application_name("job");
  d.set_application_state(st);
  d.set_queue("default");
  return d;
}

proto::ApplicationAttemptStateDataProto AttemptData(const ApplicationAttemptId& id,
                                                    proto::YarnApplicationAttemptState st) {
  proto::ApplicationAttemptStateDataProto d;
  *d.mutable_attempt_id() = id.ToProto();
  d.set_app_attempt_state(st);
  d.set_diagnostics("why");
  return d;
}

// Runs an asynchronous write and waits for its callback.
absl::Status Await(const std::function<void(RMStateStore::Done)>& write) {
  std::promise<absl::Status> p;
  write([&p](absl::Status s) { p.set_value(s); });
  return p.get_future().get();
}

template <typename T>
std::unique_ptr<RMStateStore> MakeStore(const std::string& dir);
template <>
std::unique_ptr<RMStateStore> MakeStore<MemoryRMStateStore>(const std::string&) {
  return std::make_unique<MemoryRMStateStore>();
}
template <>
std::unique_ptr<RMStateStore> MakeStore<LeveldbRMStateStore>(const std::string& dir) {
  auto s = LeveldbRMStateStore::Open(dir);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::unique_ptr<RMStateStore>(std::move(*s)) : nullptr;
}

template <typename T>
class StateStoreTest : public ::testing::Test {
 protected:
  StateStoreTest() : dir_(TempDir("typed")), store_(MakeStore<T>(dir_)) {}
  ~StateStoreTest() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<RMStateStore> store_;
};

using StoreTypes = ::testing::Types<MemoryRMStateStore, LeveldbRMStateStore>;
TYPED_TEST_SUITE(StateStoreTest, StoreTypes);

TYPED_TEST(StateStoreTest, AppsAndAttemptsRoundTrip) {
  RMStateStore& store = *this->store_;
  // a's text form is a prefix of b's (application_..._1000 / application_..._10000).
  ApplicationId a(1700000000000, 1000), b(1700000000000, 10000);
  ASSERT_TRUE(
      Await([&](auto d) { store.StoreApplication(a, AppData(a, proto::RUNNING), d); }).ok());
  ASSERT_TRUE(
      Await([&](auto d) { store.StoreApplication(b, AppData(b, proto::FINISHED), d); }).ok());
  ApplicationAttemptId a1(a, 1), a2(a, 2);
  ASSERT_TRUE(Await([&](auto d) {
                store.StoreAttempt(a1, AttemptData(a1, proto::APP_ATTEMPT_FAILED), d);
              }).ok());
  ASSERT_TRUE(Await([&](auto d) {
                store.StoreAttempt(a2, AttemptData(a2, proto::APP_ATTEMPT_RUNNING), d);
              }).ok());
  // An update replaces the record.
  auto updated = AppData(a, proto::FINISHED);
  updated.set_diagnostics("done");
  ASSERT_TRUE(Await([&](auto d) { store.StoreApplication(a, updated, d); }).ok());

  auto state = store.Load();
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_EQ(state->apps.size(), 2u);
  const RMState::App& got = state->apps.at(a);
  EXPECT_EQ(got.app.application_state(), proto::FINISHED);
  EXPECT_EQ(got.app.diagnostics(), "done");
  EXPECT_EQ(got.app.application_submission_context().application_name(), "job");
  ASSERT_EQ(got.attempts.size(), 2u);
  EXPECT_EQ(got.attempts.at(1).app_attempt_state(), proto::APP_ATTEMPT_FAILED);
  EXPECT_EQ(got.attempts.at(2).app_attempt_state(), proto::APP_ATTEMPT_RUNNING);
  EXPECT_TRUE(state->apps.at(b).attempts.empty());

  // Removing `a` leaves `b`.
  ASSERT_TRUE(Await([&](auto d) { store.RemoveApplication(a, d); }).ok());
  state = store.Load();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->apps.count(a), 0u);
  EXPECT_EQ(state->apps.count(b), 1u);
}

TYPED_TEST(StateStoreTest, EpochAndSecrets) {
  RMStateStore& store = *this->store_;
  EXPECT_EQ(*store.GetAndIncrementEpoch(), 0);
  EXPECT_EQ(*store.GetAndIncrementEpoch(), 1);
  EXPECT_TRUE(store.Load()->secrets.amrm_token_master_key().empty());
  proto::RMSecretsProto secrets;
  secrets.set_amrm_token_master_key("amrm-key");
  secrets.set_container_token_master_key("container-key");
  ASSERT_TRUE(store.StoreSecrets(secrets).ok());
  auto state = store.Load();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->secrets.amrm_token_master_key(), "amrm-key");
  EXPECT_EQ(state->secrets.container_token_master_key(), "container-key");
}

TEST(LeveldbStateStoreTest, SurvivesReopen) {
  std::string dir = TempDir("reopen");
  ApplicationId app(1700000000000, 7);
  {
    auto store = LeveldbRMStateStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ(*(*store)->GetAndIncrementEpoch(), 0);
    proto::RMSecretsProto secrets;
    secrets.set_amrm_token_master_key("k");
    ASSERT_TRUE((*store)->StoreSecrets(secrets).ok());
    // Fire and forget, as RmCore does: the destructor lands queued writes before closing.
    (*store)->StoreApplication(app, AppData(app, proto::RUNNING), [](absl::Status) {});
    (*store)->StoreAttempt(ApplicationAttemptId(app, 1),
                           AttemptData(ApplicationAttemptId(app, 1), proto::APP_ATTEMPT_RUNNING),
                           [](absl::Status) {});
  }
  auto store = LeveldbRMStateStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->Name(), LeveldbRMStateStore::kClassName);
  EXPECT_EQ(*(*store)->GetAndIncrementEpoch(), 1);
  auto state = (*store)->Load();
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_EQ(state->apps.count(app), 1u);
  EXPECT_EQ(state->apps.at(app).attempts.size(), 1u);
  EXPECT_EQ(state->secrets.amrm_token_master_key(), "k");
  store->reset();
  std::filesystem::remove_all(dir);
}

TEST(LeveldbStateStoreTest, UnopenablePathIsNamed) {
  std::string file = TempDir("notadir");
  std::ofstream(file) << "x";
  auto store = LeveldbRMStateStore::Open(file);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(file), std::string::npos) << store.status();
  EXPECT_NE(store.status().message().find(LeveldbRMStateStore::kPathKey), std::string::npos);
  std::filesystem::remove(file);

  auto empty = LeveldbRMStateStore::Open("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LeveldbStateStoreTest, CorruptDatabaseIsNamed) {
  std::string dir = TempDir("corrupt");
  { ASSERT_TRUE(LeveldbRMStateStore::Open(dir).ok()); }
  std::ofstream(dir + "/CURRENT", std::ios::trunc) << "garbage-manifest\n";
  auto store = LeveldbRMStateStore::Open(dir);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(dir), std::string::npos) << store.status();
  std::filesystem::remove_all(dir);
}

TEST(LeveldbStateStoreTest, UnreadableRecordOrNewerLayoutIsNamed) {
  std::string dir = TempDir("badrecord");
  {
    leveldb::DB* raw = nullptr;
    leveldb::Options options;
    options.create_if_missing = true;
    ASSERT_TRUE(leveldb::DB::Open(options, dir, &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    ASSERT_TRUE(
        db->Put(leveldb::WriteOptions(), "RMAppRoot/application_1_0001", "\xff\xff\xff").ok());
  }
  auto store = LeveldbRMStateStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  auto state = (*store)->Load();
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(state.status().message().find("RMAppRoot/application_1_0001"), std::string::npos)
      << state.status();
  EXPECT_NE(state.status().message().find(dir), std::string::npos);
  store->reset();
  {
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), dir, &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), "RMVersionNode", "2").ok());
  }
  auto newer = LeveldbRMStateStore::Open(dir);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.status().message().find("layout version '2'"), std::string::npos)
      << newer.status();
  std::filesystem::remove_all(dir);
}

TEST(MakeStateStoreTest, ChoosesByRecoveryAndClass) {
  conf::Configuration conf;
  conf.Set("yarn.resourcemanager.store.class", LeveldbRMStateStore::kClassName);
  auto off = MakeStateStore(conf);  // recovery off: memory, nothing opened
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ((*off)->Name(), MemoryRMStateStore::kClassName);

  std::string dir = TempDir("factory");
  conf.Set("yarn.resourcemanager.recovery.enabled", "true");
  conf.Set(LeveldbRMStateStore::kPathKey, dir);
  auto on = MakeStateStore(conf);
  ASSERT_TRUE(on.ok()) << on.status();
  EXPECT_EQ((*on)->Name(), LeveldbRMStateStore::kClassName);
  on->reset();
  std::filesystem::remove_all(dir);

  conf.Set("yarn.resourcemanager.store.class",
           "org.apache.hadoop.yarn.server.resourcemanager.recovery.FileSystemRMStateStore");
  auto fs = MakeStateStore(conf);
  ASSERT_FALSE(fs.ok());
  EXPECT_EQ(fs.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(fs.status().message().find("FileSystemRMStateStore"), std::string::npos);

  conf.Set("yarn.resourcemanager.recovery.enabled", "maybe");
  EXPECT_FALSE(MakeStateStore(conf).ok());
}

}  // namespace
}  // namespace skein::rm
