// The log aggregation service over the real LevelDB state store across a "restart" (store closed
// and reopened, service built again): a pending local-log deletion and an unfinished aggregation
// are carried out by the new service.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "nodemanager/logaggregation/aggregated_log_file.h"
#include "nodemanager/logaggregation/log_aggregation_service.h"
#include "nodemanager/recovery/nm_state_store.h"
#include "nodemanager/testing/fake_resource_tracker.h"

namespace skein::nm {
namespace {

namespace fs = std::filesystem;

using testing::WaitUntil;  // bounded: 10 s

class LogRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::PerTestDir("nm_log_recovery");
    fs::remove_all(dir_);
    for (const ApplicationId& app : {deleted_, aggregated_}) {
      const fs::path c = fs::path(dir_) / "logs" / app.ToString() /
                         ContainerId::Make(ApplicationAttemptId(app, 1), 0, 1).ToString();
      fs::create_directories(c);
      std::ofstream(c / "stdout") << "out of " << app.ToString() << "\n";
    }
    options_.log_dirs = {dir_ + "/logs"};
    options_.remote_root = dir_ + "/remote";
    options_.retain = absl::Seconds(600);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<NmStateStore> Open() {
    auto store = OpenLevelDbStateStore(dir_ + "/state");
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  bool LocalLogs(const ApplicationId& app) const {
    return fs::exists(fs::path(dir_) / "logs" / app.ToString());
  }

  std::string dir_;
  const ApplicationId deleted_{1700, 1};
  const ApplicationId aggregated_{1700, 2};
  logs::LogAggregationOptions options_;
  FakeClock clock_{1700000000000};
};

TEST_F(LogRecoveryTest, PendingDeletionRunsAfterTheRestartOnceDue) {
  {
    std::unique_ptr<NmStateStore> store = Open();
    ASSERT_NE(store, nullptr);
    logs::LogAggregationService svc(options_, NodeId("h", 8041), store.get(), clock_);
    svc.Start();
    svc.ApplicationFinished(deleted_, "alice");
  }  // the NodeManager dies with the deletion 600 s away
  ASSERT_TRUE(LocalLogs(deleted_));
  clock_.AdvanceMillis(601 * 1000);
  std::unique_ptr<NmStateStore> store = Open();
  ASSERT_NE(store, nullptr);
  logs::LogAggregationService svc(options_, NodeId("h", 8041), store.get(), clock_);
  svc.Start();
  ASSERT_TRUE(WaitUntil([&] { return store->LoadLogDeletions()->empty(); }));
  EXPECT_FALSE(LocalLogs(deleted_));
  EXPECT_TRUE(LocalLogs(aggregated_));  // never handed over
}

TEST_F(LogRecoveryTest, UnfinishedAggregationIsDoneAfterTheRestart) {
  {
    std::unique_ptr<NmStateStore> store = Open();
    ASSERT_NE(store, nullptr);
    // Handed over, not yet aggregated when the NodeManager died.
    ASSERT_TRUE(store->StoreLogAggregation({aggregated_, "alice"}).ok());
  }
  options_.enabled = true;
  std::unique_ptr<NmStateStore> store = Open();
  ASSERT_NE(store, nullptr);
  logs::LogAggregationService svc(options_, NodeId("h", 8041), store.get(), clock_);
  svc.Start();
  ASSERT_TRUE(WaitUntil([&] { return svc.Status(aggregated_) == logs::kLogAggSucceeded; }))
      << svc.last_error();
  auto file = logs::ReadAggregatedLogFile(
      logs::RemoteAppLogDir(options_.remote_root, "alice", "logs", aggregated_) + "/h_8041");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->size(), 1u);
  EXPECT_EQ((*file)[0].files[0].contents, "out of " + aggregated_.ToString() + "\n");
  ASSERT_TRUE(WaitUntil([&] { return store->LoadLogDeletions()->empty(); }));
  EXPECT_TRUE(store->LoadLogAggregations()->empty());
  EXPECT_FALSE(LocalLogs(aggregated_));
}

}  // namespace
}  // namespace skein::nm
