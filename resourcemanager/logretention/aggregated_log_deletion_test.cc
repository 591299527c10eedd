#include "resourcemanager/logretention/aggregated_log_deletion.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/testing/unprivileged.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::rm {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kNow = 1700000000000;  // the fake clock's time, ms
constexpr int64_t kHour = 3600 * 1000;

// Sets a path's modification time to `ms` since the epoch.
void SetMTime(const fs::path& p, int64_t ms) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = ms / 1000;
  times[0].tv_nsec = times[1].tv_nsec = (ms % 1000) * 1000000;
  ASSERT_EQ(utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << p;
}

class AggregatedLogDeletionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("log_retention_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // <root>/<user>/<suffix>/<app>/<node files...>, everything modified at `ms` (files first, then
  // the directory, as a real aggregation leaves it).
  fs::path AppDir(const std::string& user, const std::string& suffix, const std::string& app,
                  const std::vector<std::string>& nodes, int64_t ms) {
    fs::path dir = root_ / user / suffix / app;
    fs::create_directories(dir);
    for (const std::string& n : nodes) {
      std::ofstream(dir / n) << "logs of " << n;
      SetMTime(dir / n, ms);
    }
    SetMTime(dir, ms);
    return dir;
  }

  fs::path root_;
};

TEST_F(AggregatedLogDeletionTest, DeletesOnlyExpiredDirectoriesOfFinishedApplications) {
  const int64_t old = kNow - 2 * kHour;
  const int64_t cutoff = kNow - kHour;
  fs::path finished = AppDir("alice", "logs", "application_1_0001", {"h_1", "h_2"}, old);
  fs::path running = AppDir("alice", "logs", "application_1_0002", {"h_1"}, old);
  fs::path fresh_file = AppDir("bob", "logs", "application_1_0003", {"h_1", "h_2"}, old);
  SetMTime(fresh_file / "h_2", kNow - 1000);  // a node uploaded recently
  SetMTime(fresh_file, old);
  fs::path fresh_dir = AppDir("bob", "logs", "application_1_0004", {"h_1"}, old);
  SetMTime(fresh_dir, kNow);
  fs::path not_app = AppDir("alice", "logs", "notes", {"x"}, old);
  fs::path other_suffix = AppDir("alice", "logs-tfile", "application_1_0005", {"h_1"}, old);
  fs::path empty = AppDir("carol", "logs", "application_1_0006", {}, old);
  std::ofstream(root_ / "stray-file") << "not a user";

  std::vector<ApplicationId> asked;
  LogDeletionRun run = DeleteExpiredAggregatedLogs(root_.string(), "logs", cutoff,
                                                   [&asked](const ApplicationId& app) {
                                                     asked.push_back(app);
                                                     return app == ApplicationId(1, 2);
                                                   });
  EXPECT_THAT(run.errors, IsEmpty());
  std::sort(run.deleted.begin(), run.deleted.end());
  EXPECT_THAT(run.deleted, ElementsAre(finished.string(), empty.string()));
  EXPECT_EQ(run.kept_running, 1);
  EXPECT_FALSE(fs::exists(finished));
  EXPECT_FALSE(fs::exists(empty));
  EXPECT_TRUE(fs::exists(running / "h_1"));
  EXPECT_TRUE(fs::exists(fresh_file / "h_1"));
  EXPECT_TRUE(fs::exists(fresh_dir / "h_1"));
  EXPECT_TRUE(fs::exists(not_app / "x"));
  EXPECT_TRUE(fs::exists(other_suffix / "h_1"));
  // The RM is asked only about directories old enough to go.
  EXPECT_EQ(std::count(asked.begin(), asked.end(), ApplicationId(1, 4)), 0);
  // The user and suffix directories stay.
  EXPECT_TRUE(fs::is_directory(root_ / "alice" / "logs"));
}

TEST_F(AggregatedLogDeletionTest, TheCutoffIsStrict) {
  fs::path at_cutoff = AppDir("alice", "logs", "application_1_0001", {"h_1"}, kNow - kHour);
  LogDeletionRun run = DeleteExpiredAggregatedLogs(root_.string(), "logs", kNow - kHour,
                                                   [](const ApplicationId&) { return false; });
  EXPECT_THAT(run.deleted, IsEmpty());
  EXPECT_TRUE(fs::exists(at_cutoff));
  run = DeleteExpiredAggregatedLogs(root_.string(), "logs", kNow - kHour + 1,
                                    [](const ApplicationId&) { return false; });
  EXPECT_THAT(run.deleted, ElementsAre(at_cutoff.string()));
}

TEST_F(AggregatedLogDeletionTest, MissingRootIsNothingToDoAndAFileRootIsAnError) {
  LogDeletionRun run = DeleteExpiredAggregatedLogs((root_ / "absent").string(), "logs", kNow,
                                                   [](const ApplicationId&) { return false; });
  EXPECT_THAT(run.errors, IsEmpty());
  std::ofstream(root_ / "file") << "x";
  run = DeleteExpiredAggregatedLogs((root_ / "file").string(), "logs", kNow,
                                    [](const ApplicationId&) { return false; });
  ASSERT_EQ(run.errors.size(), 1u);
  EXPECT_THAT(run.errors[0], HasSubstr("cannot read " + (root_ / "file").string()));
}

// Root reads directories whatever their mode: the walk runs as an unprivileged user.
TEST_F(AggregatedLogDeletionTest, UnreadableDirectoryIsReportedAndTheWalkGoesOn) {
  fs::create_directories(root_ / "bob" / "logs");
  fs::path finished = AppDir("alice", "logs", "application_1_0001", {"h_1"}, kNow - 2 * kHour);
  const std::string unreadable = (root_ / "bob" / "logs").string();
  const std::string failure = skein::testing::RunUnprivileged({root_.string()}, [&] {
    fs::permissions(unreadable, fs::perms::none);
    LogDeletionRun run = DeleteExpiredAggregatedLogs(root_.string(), "logs", kNow - kHour,
                                                     [](const ApplicationId&) { return false; });
    fs::permissions(unreadable, fs::perms::owner_all);
    std::string why;
    if (run.deleted != std::vector<std::string>{finished.string()}) {
      why += "deleted " + std::to_string(run.deleted.size()) + " dirs, not just " +
             finished.string() + "; ";
    }
    if (run.errors.size() != 1 ||
        run.errors[0].find("cannot read " + unreadable) == std::string::npos) {
      why += "errors: " + (run.errors.empty() ? std::string("none") : run.errors[0]);
    }
    return why;
  });
  EXPECT_EQ(failure, "");
  EXPECT_FALSE(fs::exists(finished));
}

TEST_F(AggregatedLogDeletionTest, ServiceWalksAtOnceAndKeepsRunningApplications) {
  FakeClock clock(kNow);
  LogRetentionOptions o;
  o.enabled = true;
  o.remote_root = root_.string();
  o.retain = absl::Hours(1);
  o.check_interval = absl::Seconds(1);
  fs::path finished = AppDir("alice", "logs", "application_1_0001", {"h_1"}, kNow - 2 * kHour);
  fs::path running = AppDir("alice", "logs", "application_1_0002", {"h_1"}, kNow - 2 * kHour);
  std::atomic<int> snapshots{0};
  AggregatedLogDeletionService svc(o, clock, [&snapshots] {
    ++snapshots;
    return std::set<ApplicationId>{ApplicationId(1, 2)};
  });
  svc.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (svc.runs() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GE(svc.runs(), 1);
  EXPECT_FALSE(fs::exists(finished));
  EXPECT_TRUE(fs::exists(running));
  EXPECT_GE(snapshots.load(), 1);  // one snapshot per walk, not one per directory
  svc.Stop();
  svc.Stop();  // idempotent
}

TEST_F(AggregatedLogDeletionTest, DisabledServiceNeverWalks) {
  FakeClock clock(kNow);
  LogRetentionOptions o;  // enabled = false
  o.remote_root = root_.string();
  fs::path finished = AppDir("alice", "logs", "application_1_0001", {"h_1"}, 0);
  AggregatedLogDeletionService svc(o, clock, [] { return std::set<ApplicationId>{}; });
  svc.Start();
  svc.Stop();
  EXPECT_EQ(svc.runs(), 0);
  EXPECT_TRUE(fs::exists(finished));
}

TEST(LogRetentionOptionsTest, HadoopDefaultsKeepLogsForever) {
  conf::Configuration conf = conf::Configuration::WithYarnDefaults();
  auto o = ParseLogRetentionOptions(conf);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->enabled);  // aggregation off, retain-seconds -1
  conf.Set("yarn.log-aggregation-enable", "true");
  o = ParseLogRetentionOptions(conf);
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->enabled);  // retain-seconds -1: keep forever
  EXPECT_EQ(o->remote_root, "/tmp/logs");
  EXPECT_EQ(o->suffix, "logs");
}

TEST(LogRetentionOptionsTest, CheckIntervalIsATenthOfRetentionUnlessSet) {
  conf::Configuration conf = conf::Configuration::WithYarnDefaults();
  conf.Set("yarn.log-aggregation-enable", "true");
  conf.Set("yarn.log-aggregation.retain-seconds", "86400");
  auto o = ParseLogRetentionOptions(conf);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->enabled);
  EXPECT_EQ(o->retain, absl::Hours(24));
  EXPECT_EQ(o->check_interval, absl::Seconds(8640));
  conf.Set("yarn.log-aggregation.retain-check-interval-seconds", "0");  // <= 0: computed
  EXPECT_EQ(ParseLogRetentionOptions(conf)->check_interval, absl::Seconds(8640));
  conf.Set("yarn.log-aggregation.retain-check-interval-seconds", "60");
  EXPECT_EQ(ParseLogRetentionOptions(conf)->check_interval, absl::Seconds(60));
  // A computed interval below a second is raised to one.
  conf.Set("yarn.log-aggregation.retain-check-interval-seconds", "-1");
  conf.Set("yarn.log-aggregation.retain-seconds", "5");
  EXPECT_EQ(ParseLogRetentionOptions(conf)->check_interval, kMinCheckInterval);
  conf.Set("yarn.log-aggregation.retain-seconds", "0");
  o = ParseLogRetentionOptions(conf);
  EXPECT_TRUE(o->enabled);
  EXPECT_EQ(o->check_interval, kMinCheckInterval);
  conf.Set("yarn.nodemanager.remote-app-log-dir", "file:///var/agg");
  EXPECT_EQ(ParseLogRetentionOptions(conf)->remote_root, "/var/agg");
}

TEST(LogRetentionOptionsTest, BadValuesNameTheKey) {
  conf::Configuration conf = conf::Configuration::WithYarnDefaults();
  conf.Set("yarn.log-aggregation.retain-seconds", "a week");
  EXPECT_THAT(ParseLogRetentionOptions(conf).status().message(),
              HasSubstr("yarn.log-aggregation.retain-seconds"));
  conf.Set("yarn.log-aggregation.retain-seconds", "10");
  conf.Set("yarn.log-aggregation.retain-check-interval-seconds", "often");
  EXPECT_THAT(ParseLogRetentionOptions(conf).status().message(),
              HasSubstr("yarn.log-aggregation.retain-check-interval-seconds"));
  conf.Set("yarn.log-aggregation.retain-check-interval-seconds", "-1");
  conf.Set("yarn.nodemanager.remote-app-log-dir", "hdfs://nn/app-logs");
  EXPECT_THAT(ParseLogRetentionOptions(conf).status().message(),
              HasSubstr("yarn.nodemanager.remote-app-log-dir='hdfs://nn/app-logs'"));
  conf.Set("yarn.nodemanager.remote-app-log-dir", "/tmp/logs");
  conf.Set("yarn.nodemanager.remote-app-log-dir-suffix", "../x");
  EXPECT_THAT(ParseLogRetentionOptions(conf).status().message(),
              HasSubstr("yarn.nodemanager.remote-app-log-dir-suffix='../x'"));
}

}  // namespace
}  // namespace skein::rm
