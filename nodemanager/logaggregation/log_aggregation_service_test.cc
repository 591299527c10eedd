#include "nodemanager/logaggregation/log_aggregation_service.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

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
