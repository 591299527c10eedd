#include "nodemanager/logaggregation/log_aggregation_service.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <thread>
#include <type_traits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nodemanager/logaggregation/aggregated_log_file.h"

namespace skein::logs {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

bool WaitUntil(const std::function<bool()>& pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

class LogAggregationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("log_agg_svc_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    options_.log_dirs = {(dir_ / "logs1").string(), (dir_ / "logs2").string()};
    options_.remote_root = (dir_ / "remote").string();
    options_.suffix = "logs";
    // Two containers of the app, one in each log dir; another app's logs stay untouched.
    Write(dir_ / "logs1" / app_.ToString() / "container_1700_0003_01_000001" / "stdout", "am\n");
    Write(dir_ / "logs2" / app_.ToString() / "container_1700_0003_01_000002" / "stderr", "oops\n");
    Write(dir_ / "logs1" / "application_1700_0004" / "container_1700_0004_01_000001" / "stdout",
          "other\n");
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }
  void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  std::string RemoteFile() const {
    return RemoteAppLogDir(options_.remote_root, "alice", "logs", app_) + "/h_8041";
  }

  fs::path dir_;
  ApplicationId app_{1700, 3};
  LogAggregationOptions options_;
};

TEST_F(LogAggregationServiceTest, AggregatesOneFilePerNodeAndRemovesLocalLogs) {
  options_.enabled = true;
  LogAggregationService svc(options_, NodeId("h", 8041));
  svc.Start();
  EXPECT_EQ(svc.Status(app_), kLogAggNotStart);
  svc.ApplicationFinished(app_, "alice");
  ASSERT_TRUE(WaitUntil([&] { return svc.Status(app_) == kLogAggSucceeded; }))
      << svc.Status(app_) << " " << svc.last_error();
  auto logs = ReadAggregatedLogFile(RemoteFile());
  ASSERT_TRUE(logs.ok()) << logs.status();
  ASSERT_EQ(logs->size(), 2u);
  EXPECT_EQ((*logs)[0].container_id, "container_1700_0003_01_000001");
  EXPECT_EQ((*logs)[0].files[0].contents, "am\n");
  EXPECT_EQ((*logs)[1].files[0].name, "stderr");
  EXPECT_FALSE(fs::exists(dir_ / "logs1" / app_.ToString()));
  EXPECT_FALSE(fs::exists(dir_ / "logs2" / app_.ToString()));
  EXPECT_TRUE(fs::exists(dir_ / "logs1" / "application_1700_0004"));
  svc.ApplicationFinished(app_, "alice");  // repeated: ignored
  EXPECT_EQ(svc.Status(app_), kLogAggSucceeded);
}

TEST_F(LogAggregationServiceTest, DebugDelayKeepsLocalLogs) {
  options_.enabled = true;
  options_.debug_delay = absl::Seconds(600);
  LogAggregationService svc(options_, NodeId("h", 8041));
  svc.Start();
  svc.ApplicationFinished(app_, "alice");
  ASSERT_TRUE(WaitUntil([&] { return svc.Status(app_) == kLogAggSucceeded; }));
  EXPECT_TRUE(fs::exists(RemoteFile()));
  EXPECT_TRUE(fs::exists(dir_ / "logs1" / app_.ToString()));
}

TEST_F(LogAggregationServiceTest, WithoutAggregationLocalLogsGoAfterRetainSeconds) {
  options_.enabled = false;
  options_.retain = absl::Milliseconds(50);
  LogAggregationService svc(options_, NodeId("h", 8041));
  svc.Start();
  svc.ApplicationFinished(app_, "alice");
  EXPECT_EQ(svc.Status(app_), kLogAggDisabled);
  ASSERT_TRUE(WaitUntil([&] {
    return !fs::exists(dir_ / "logs1" / app_.ToString()) &&
           !fs::exists(dir_ / "logs2" / app_.ToString());
  }));
  EXPECT_TRUE(fs::exists(dir_ / "logs1" / "application_1700_0004"));
  EXPECT_FALSE(fs::exists(RemoteFile()));
}

TEST_F(LogAggregationServiceTest, FailedUploadKeepsLocalLogsAndSaysWhy) {
  options_.enabled = true;
  Write(dir_ / "remote", "a file, not a directory");
  LogAggregationService svc(options_, NodeId("h", 8041));
  svc.Start();
  svc.ApplicationFinished(app_, "alice");
  ASSERT_TRUE(WaitUntil([&] { return svc.Status(app_) == kLogAggFailed; }));
  EXPECT_THAT(svc.last_error(), HasSubstr((dir_ / "remote").string()));
  EXPECT_TRUE(fs::exists(dir_ / "logs1" / app_.ToString()));
}

// The NM state store's log records, in memory (nm_state_store_test covers the LevelDB one).
class MemoryLogStore final : public LogRecoveryStore {
 public:
  absl::Status StoreLogDeletion(const PendingLogDeletion& d) override {
    return Put(&deletions_, d.app, d);
  }
  absl::Status RemoveLogDeletion(const ApplicationId& app) override {
    return Put(&deletions_, app, std::nullopt);
  }
  absl::Status StoreLogAggregation(const PendingLogAggregation& a) override {
    return Put(&aggregations_, a.app, a);
  }
  absl::Status RemoveLogAggregation(const ApplicationId& app) override {
    return Put(&aggregations_, app, std::nullopt);
  }
  absl::StatusOr<std::vector<PendingLogDeletion>> LoadLogDeletions() override {
    return Values(deletions_);
  }
  absl::StatusOr<std::vector<PendingLogAggregation>> LoadLogAggregations() override {
    return Values(aggregations_);
  }
  size_t deletions() { return Values(deletions_).size(); }
  size_t aggregations() { return Values(aggregations_).size(); }
  std::optional<PendingLogDeletion> Deletion(const ApplicationId& app) {
    for (const PendingLogDeletion& d : Values(deletions_)) {
      if (d.app == app) return d;
    }
    return std::nullopt;
  }

 private:
  // Stores `v` under `app`, or removes the record when `v` is empty.
  template <typename V>
  absl::Status Put(std::map<ApplicationId, V>* m, const ApplicationId& app,
                   const std::optional<std::common_type_t<V>>& v) {
    skein::MutexLock lock(&mu_);
    if (v.has_value()) {
      (*m)[app] = *v;
    } else {
      m->erase(app);
    }
    return absl::OkStatus();
  }
  template <typename V>
  std::vector<V> Values(const std::map<ApplicationId, V>& m) {
    skein::MutexLock lock(&mu_);
    std::vector<V> out;
    for (const auto& [app, v] : m) out.push_back(v);
    return out;
  }

  skein::Mutex mu_;
  std::map<ApplicationId, PendingLogDeletion> deletions_;
  std::map<ApplicationId, PendingLogAggregation> aggregations_;
};

TEST_F(LogAggregationServiceTest, PendingDeletionSurvivesARestart) {
  options_.enabled = false;
  options_.retain = absl::Seconds(600);
  MemoryLogStore store;
  FakeClock clock(1700000000000);
  {
    LogAggregationService svc(options_, NodeId("h", 8041), &store, clock);
    svc.Start();
    svc.ApplicationFinished(app_, "alice");
    auto d = store.Deletion(app_);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->user, "alice");
    EXPECT_EQ(d->deletion_time_ms, 1700000000000 + 600 * 1000);
  }  // the NodeManager stops: the deletion is still pending, the logs stay
  EXPECT_TRUE(fs::exists(dir_ / "logs1" / app_.ToString()));
  ASSERT_EQ(store.deletions(), 1u);

  // Restarted before the deletion is due: it stays scheduled (and recorded).
  clock.AdvanceMillis(300 * 1000);
  {
    LogAggregationService svc(options_, NodeId("h", 8041), &store, clock);
    svc.Start();
    EXPECT_EQ(svc.Status(app_), kLogAggDisabled);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(fs::exists(dir_ / "logs1" / app_.ToString()));
    EXPECT_EQ(store.deletions(), 1u);
  }
  // Restarted after the deletion time: the logs go at once and the record with them.
  clock.AdvanceMillis(301 * 1000);
  LogAggregationService svc(options_, NodeId("h", 8041), &store, clock);
  svc.Start();
  ASSERT_TRUE(WaitUntil([&] {
    return !fs::exists(dir_ / "logs1" / app_.ToString()) &&
           !fs::exists(dir_ / "logs2" / app_.ToString()) && store.deletions() == 0;
  }));
  EXPECT_TRUE(fs::exists(dir_ / "logs1" / "application_1700_0004"));
}

TEST_F(LogAggregationServiceTest, RecordedDeletionDueSoonRunsOnTime) {
  options_.enabled = false;
  MemoryLogStore store;
  FakeClock clock(1700000000000);
  ASSERT_TRUE(store.StoreLogDeletion({app_, "alice", clock.NowMillis() + 200}).ok());
  LogAggregationService svc(options_, NodeId("h", 8041), &store, clock);
  svc.Start();
  EXPECT_TRUE(fs::exists(dir_ / "logs1" / app_.ToString()));
  ASSERT_TRUE(WaitUntil([&] { return store.deletions() == 0; }));
  EXPECT_FALSE(fs::exists(dir_ / "logs1" / app_.ToString()));
  EXPECT_FALSE(fs::exists(dir_ / "logs2" / app_.ToString()));
}

TEST_F(LogAggregationServiceTest, UnfinishedAggregationResumesAfterARestart) {
  options_.enabled = true;
  MemoryLogStore store;
  // The previous NodeManager had taken the application over but died before aggregating.
  ASSERT_TRUE(store.StoreLogAggregation({app_, "alice"}).ok());
  LogAggregationService svc(options_, NodeId("h", 8041), &store);
  svc.Start();
  ASSERT_TRUE(WaitUntil([&] { return svc.Status(app_) == kLogAggSucceeded; }))
      << svc.Status(app_) << " " << svc.last_error();
  auto logs = ReadAggregatedLogFile(RemoteFile());
  ASSERT_TRUE(logs.ok()) << logs.status();
  EXPECT_EQ(logs->size(), 2u);
  ASSERT_TRUE(WaitUntil([&] { return store.deletions() == 0; }));
  EXPECT_FALSE(fs::exists(dir_ / "logs1" / app_.ToString()));
  EXPECT_EQ(store.aggregations(), 0u);
}

TEST_F(LogAggregationServiceTest, RecoveredAggregationWithAggregationTurnedOffIsADeletion) {
  options_.enabled = false;
  options_.retain = absl::Seconds(600);
  MemoryLogStore store;
  FakeClock clock(1700000000000);
  ASSERT_TRUE(store.StoreLogAggregation({app_, "alice"}).ok());
  LogAggregationService svc(options_, NodeId("h", 8041), &store, clock);
  svc.Start();
  EXPECT_EQ(store.aggregations(), 0u);
  auto d = store.Deletion(app_);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->deletion_time_ms, 1700000000000 + 600 * 1000);
  EXPECT_FALSE(fs::exists(RemoteFile()));
}

TEST_F(LogAggregationServiceTest, AggregationRecordsItsWorkUntilDone) {
  options_.enabled = true;
  options_.debug_delay = absl::Seconds(600);
  MemoryLogStore store;
  LogAggregationService svc(options_, NodeId("h", 8041), &store);
  svc.Start();
  svc.ApplicationFinished(app_, "alice");
  ASSERT_TRUE(WaitUntil([&] { return svc.Status(app_) == kLogAggSucceeded; }));
  // Aggregated: only the (debug-delayed) deletion of the local logs is left to remember.
  EXPECT_EQ(store.aggregations(), 0u);
  EXPECT_EQ(store.deletions(), 1u);
  // A recovered aggregation finds no local logs but the file written: the file is kept.
  fs::remove_all(dir_ / "logs1" / app_.ToString());
  fs::remove_all(dir_ / "logs2" / app_.ToString());
  ASSERT_TRUE(store.StoreLogAggregation({app_, "alice"}).ok());
  LogAggregationService again(options_, NodeId("h", 8041), &store);
  again.Start();
  ASSERT_TRUE(WaitUntil([&] { return again.Status(app_) == kLogAggSucceeded; }));
  auto logs = ReadAggregatedLogFile(RemoteFile());
  ASSERT_TRUE(logs.ok()) << logs.status();
  EXPECT_EQ(logs->size(), 2u);
}

TEST(LogAggregationOptionsTest, DefaultsAreHadoops) {
  conf::Configuration conf = conf::Configuration::WithYarnDefaults();
  auto o = ParseLogAggregationOptions(conf);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->enabled);
  EXPECT_EQ(o->remote_root, "/tmp/logs");
  EXPECT_EQ(o->suffix, "logs");
  EXPECT_EQ(o->retain, absl::Seconds(10800));
  EXPECT_EQ(o->debug_delay, absl::ZeroDuration());
}

TEST(LogAggregationOptionsTest, BadValuesNameTheKey) {
  conf::Configuration conf = conf::Configuration::WithYarnDefaults();
  conf.Set("yarn.nodemanager.remote-app-log-dir", "hdfs://nn/logs");
  EXPECT_THAT(ParseLogAggregationOptions(conf).status().message(),
              HasSubstr("yarn.nodemanager.remote-app-log-dir='hdfs://nn/logs'"));
  conf.Set("yarn.nodemanager.remote-app-log-dir", "file:///var/logs");
  auto o = ParseLogAggregationOptions(conf);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->remote_root, "/var/logs");
  conf.Set("yarn.nodemanager.remote-app-log-dir-suffix", "a/b");
  EXPECT_THAT(ParseLogAggregationOptions(conf).status().message(),
              HasSubstr("yarn.nodemanager.remote-app-log-dir-suffix='a/b'"));
  conf.Set("yarn.nodemanager.remote-app-log-dir-suffix", "logs");
  conf.Set("yarn.nodemanager.log.retain-seconds", "-5");
  EXPECT_THAT(ParseLogAggregationOptions(conf).status().message(),
              HasSubstr("yarn.nodemanager.log.retain-seconds=-5"));
  conf.Set("yarn.nodemanager.log.retain-seconds", "5");
  conf.Set("yarn.log-aggregation-enable", "maybe");
  EXPECT_THAT(ParseLogAggregationOptions(conf).status().message(),
              HasSubstr("yarn.log-aggregation-enable"));
}

}  // namespace
}  // namespace skein::logs
