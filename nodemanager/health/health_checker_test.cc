#include "nodemanager/health/health_checker.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;

class HealthCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("health_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Script(const std::string& body) {
    std::string path = (dir_ / "health.sh").string();
    std::ofstream(path) << "#!/bin/bash\n" << body << "\n";
    chmod(path.c_str(), 0755);
    return path;
  }
  HealthCheckerOptions Options(const std::string& script) {
    HealthCheckerOptions o;
    o.script = script;
    o.timeout = absl::Seconds(5);
    return o;
  }
  std::filesystem::path dir_;
};

TEST_F(HealthCheckerTest, ErrorLineMakesTheNodeUnhealthy) {
  HealthResult r =
      RunHealthScript(Options(Script("echo all good\necho 'ERROR disk /data is bad'")));
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.report, "all good\nERROR disk /data is bad");
}

TEST_F(HealthCheckerTest, OtherOutputAndExitCodesAreHealthy) {
  HealthResult r = RunHealthScript(Options(Script("echo ' ERROR not at start'\nexit 3")));
  EXPECT_TRUE(r.healthy);
  EXPECT_EQ(r.report, "");
}

TEST_F(HealthCheckerTest, TimeoutIsUnhealthyAndKillsTheScript) {
  HealthCheckerOptions o = Options(Script("sleep 30"));
  o.timeout = absl::Milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  HealthResult r = RunHealthScript(o);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.report, "Node health script timed out");
}

TEST_F(HealthCheckerTest, CheckerRunsPeriodicallyAndStops) {
  const std::string flag = (dir_ / "bad").string();
  HealthCheckerOptions o = Options(Script("[ -e " + flag + " ] && echo ERROR flagged; true"));
  o.interval = absl::Milliseconds(50);
  FakeClock clock;
  HealthChecker checker(o, clock);
  EXPECT_TRUE(checker.status().is_node_healthy());
  checker.Start();
  std::ofstream(flag) << "x";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (checker.status().is_node_healthy() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(checker.status().is_node_healthy());
  EXPECT_EQ(checker.status().health_report(), "ERROR flagged");
  EXPECT_EQ(checker.status().last_health_report_time(), clock.NowMillis());
  checker.Stop();
}

TEST_F(HealthCheckerTest, ParseErrorsNameTheKey) {
  conf::Configuration c = conf::Configuration::WithYarnDefaults();
  auto o = ParseHealthCheckerOptions(c);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->script, "");
  EXPECT_EQ(o->interval, absl::Milliseconds(600000));
  EXPECT_EQ(o->timeout, absl::Milliseconds(1200000));
  c.Set("yarn.nodemanager.health-checker.script.path", (dir_ / "missing.sh").string());
  EXPECT_THAT(ParseHealthCheckerOptions(c).status().message(),
              HasSubstr("yarn.nodemanager.health-checker.script.path='"));
  c.Set("yarn.nodemanager.health-checker.script.path", "");
  c.Set("yarn.nodemanager.health-checker.interval-ms", "-5");
  EXPECT_THAT(ParseHealthCheckerOptions(c).status().message(),
              HasSubstr("yarn.nodemanager.health-checker.interval-ms=-5"));
}

}  // namespace
}  // namespace skein::nm
