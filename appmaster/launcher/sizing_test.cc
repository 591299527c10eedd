#include "appmaster/launcher/sizing.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace skein::launcher {
namespace {

const Resource kMax(8192, 8);

Resource Grant(const ContainerSize& c, int64_t min_mb, bool dominant = false) {
  DefaultResourceCalculator def;
  DominantResourceCalculator dom;
  const ResourceCalculator& calc = dominant ? static_cast<const ResourceCalculator&>(dom)
                                            : static_cast<const ResourceCalculator&>(def);
  return NormalizeGrant(calc, c.ask(), Resource(min_mb, 1), kMax);
}

LaunchPlan Plan(const SubmitSettings& s) {
  auto plan = PlanLaunch(s);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : LaunchPlan{};
}

std::string Error(const SubmitSettings& s) {
  auto plan = PlanLaunch(s);
  EXPECT_FALSE(plan.ok());
  return plan.ok() ? "" : std::string(plan.status().message());
}

TEST(SizingTest, Executor1gAsks1408GrantedAt2048WithMinimum1024) {
  SubmitSettings s;
  s.executor_memory = "1g";
  LaunchPlan p = Plan(s);
  EXPECT_EQ(p.executor.total_mb(), 1408);
  EXPECT_EQ(p.executor.overhead_mb, 384);
  EXPECT_EQ(Grant(p.executor, 1024).memory_mb, 2048);
}

TEST(SizingTest, Executor1gGrantedAt1536WithMinimum512) {
  SubmitSettings s;
  s.executor_memory = "1g";
  EXPECT_EQ(Grant(Plan(s).executor, 512).memory_mb, 1536);
}

TEST(SizingTest, Executor500mAsks884GrantedAt1024) {
  SubmitSettings s;
  s.executor_memory = "500m";
  LaunchPlan p = Plan(s);
  EXPECT_EQ(p.executor.total_mb(), 884);
  EXPECT_EQ(Grant(p.executor, 1024).memory_mb, 1024);
}

TEST(SizingTest, ClusterModeDriver2gGivesAm2432GrantedAt3072) {
  SubmitSettings s;
  s.deploy_mode = DeployMode::kCluster;
  s.driver_memory = "2g";
  s.driver_cores = "2";
  LaunchPlan p = Plan(s);
  EXPECT_EQ(p.am.total_mb(), 2432);
  EXPECT_EQ(p.am.vcores, 2);
  EXPECT_EQ(Grant(p.am, 1024).memory_mb, 3072);
  EXPECT_EQ(AmAllocationLine(p.am),
            "Will allocate AM container, with 2432 MB memory including 384 MB overhead");
  EXPECT_TRUE(p.notes.empty());
}

TEST(SizingTest, ClusterModeDefaultDriverIs1gPlus384) {
  SubmitSettings s;
  s.deploy_mode = DeployMode::kCluster;
  EXPECT_EQ(AmAllocationLine(Plan(s).am),
            "Will allocate AM container, with 1408 MB memory including 384 MB overhead");
}

TEST(SizingTest, ClientModeDefaultAmIs512Plus384GrantedAt1024) {
  SubmitSettings s;
  LaunchPlan p = Plan(s);
  EXPECT_EQ(p.am.total_mb(), 896);
  EXPECT_EQ(p.am.vcores, 1);
  EXPECT_EQ(Grant(p.am, 1024).memory_mb, 1024);
}

TEST(SizingTest, ClientModeAmMemory2gGrantedAt3072) {
  SubmitSettings s;
  s.conf["spark.yarn.am.memory"] = "2g";
  s.conf["spark.yarn.am.cores"] = "3";
  LaunchPlan p = Plan(s);
  EXPECT_EQ(p.am.total_mb(), 2432);
  EXPECT_EQ(p.am.vcores, 3);
  EXPECT_EQ(Grant(p.am, 1024).memory_mb, 3072);
}

TEST(SizingTest, ClientModeIgnoresDriverMemoryAndSaysSo) {
  SubmitSettings s;
  s.driver_memory = "4g";
  LaunchPlan p = Plan(s);
  EXPECT_EQ(p.am.total_mb(), 896);
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_TRUE(absl::StrContains(p.notes[0], "--driver-memory 4g is ignored")) << p.notes[0];
}

TEST(SizingTest, ExplicitOverheadOverridesTheFactor) {
  SubmitSettings s;
  s.executor_memory = "1g";
  s.conf["spark.executor.memoryOverhead"] = "100m";
  s.conf["spark.executor.memoryOverheadFactor"] = "0.5";  // ignored: explicit wins
  EXPECT_EQ(Plan(s).executor.total_mb(), 1124);
  SubmitSettings c;
  c.deploy_mode = DeployMode::kCluster;
  c.conf["spark.driver.memoryOverhead"] = "1g";
  EXPECT_EQ(Plan(c).am.total_mb(), 2048);
  SubmitSettings a;
  a.conf["spark.yarn.am.memoryOverhead"] = "0";
  EXPECT_EQ(Plan(a).am.total_mb(), 512);
}

TEST(SizingTest, FactorAppliesAboveTheMinimum) {
  SubmitSettings s;
  s.executor_memory = "8g";
  EXPECT_EQ(Plan(s).executor.overhead_mb, 819);
  s.conf["spark.executor.memoryOverheadFactor"] = "0.25";
  EXPECT_EQ(Plan(s).executor.overhead_mb, 2048);
  SubmitSettings c;
  c.deploy_mode = DeployMode::kCluster;
  c.driver_memory = "10g";
  c.conf["spark.driver.memoryOverheadFactor"] = "0.2";
  EXPECT_EQ(Plan(c).am.overhead_mb, 2048);
}

TEST(SizingTest, DefaultCalculatorShowsOneVcoreDominantShowsTwo) {
  SubmitSettings s;
  s.executor_cores = "2";
  LaunchPlan p = Plan(s);
  EXPECT_EQ(p.executor.vcores, 2);
  EXPECT_EQ(Grant(p.executor, 1024, false), Resource(2048, 1));
  EXPECT_EQ(Grant(p.executor, 1024, true), Resource(2048, 2));
}

TEST(SizingTest, FlagsWinOverConfAndConfWinsOverDefaults) {
  SubmitSettings s;
  s.conf["spark.executor.memory"] = "2g";
  s.conf["spark.executor.instances"] = "5";
  s.conf["spark.executor.cores"] = "3";
  LaunchPlan p = Plan(s);
  EXPECT_EQ(p.executor.memory_mb, 2048);
  EXPECT_EQ(p.num_executors, 5);
  EXPECT_EQ(p.executor.vcores, 3);
  EXPECT_EQ(p.max_executor_failures, 10);
  s.executor_memory = "1g";
  s.num_executors = "1";
  p = Plan(s);
  EXPECT_EQ(p.executor.memory_mb, 1024);
  EXPECT_EQ(p.num_executors, 1);
  EXPECT_EQ(p.max_executor_failures, 3);
}

TEST(SizingTest, DefaultsAreTwoExecutorsOf1gAndRmDefaultAttempts) {
  LaunchPlan p = Plan(SubmitSettings{});
  EXPECT_EQ(p.num_executors, 2);
  EXPECT_EQ(p.executor.memory_mb, 1024);
  EXPECT_EQ(p.executor.vcores, 1);
  EXPECT_EQ(p.max_executor_failures, 4);
  EXPECT_EQ(p.max_app_attempts, 0);
  EXPECT_EQ(ExecutorAllocationLine(p),
            "Will request 2 executor container(s), each with 1 core(s) and 1408 MB memory "
            "including 384 MB overhead");
}

TEST(SizingTest, LimitsComeFromConf) {
  SubmitSettings s;
  s.conf["spark.yarn.maxAppAttempts"] = "1";
  s.conf["spark.executor.maxNumFailures"] = "7";
  LaunchPlan p = Plan(s);
  EXPECT_EQ(p.max_app_attempts, 1);
  EXPECT_EQ(p.max_executor_failures, 7);
}

TEST(SizingTest, NonSparkKeysAreIgnoredWithAWarning) {
  SubmitSettings s;
  s.conf["foo.bar"] = "1";
  LaunchPlan p = Plan(s);
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_EQ(p.notes[0], "Warning: Ignoring non-Spark config property: foo.bar");
}

TEST(SizingTest, BadInputsNameTheFlagOrKeyAndValue) {
  SubmitSettings s;
  s.executor_memory = "lots";
  EXPECT_TRUE(absl::StrContains(Error(s), "--executor-memory")) << Error(s);
  EXPECT_TRUE(absl::StrContains(Error(s), "lots"));
  s = {};
  s.executor_memory = "0";
  EXPECT_TRUE(absl::StrContains(Error(s), "at least 1 MB"));
  s = {};
  s.conf["spark.executor.memory"] = "-5g";
  EXPECT_TRUE(absl::StrContains(Error(s), "spark.executor.memory"));
  s = {};
  s.deploy_mode = DeployMode::kCluster;
  s.driver_memory = "2x";
  EXPECT_TRUE(absl::StrContains(Error(s), "--driver-memory"));
  s = {};
  s.executor_cores = "0";
  EXPECT_TRUE(absl::StrContains(Error(s), "--executor-cores: 0 is below the minimum of 1"));
  s = {};
  s.driver_cores = "two";
  EXPECT_TRUE(absl::StrContains(Error(s), "--driver-cores: \"two\" is not a whole number"));
  s = {};
  s.num_executors = "0";
  EXPECT_TRUE(absl::StrContains(Error(s), "--num-executors"));
  s = {};
  s.conf["spark.executor.memoryOverhead"] = "-1";
  EXPECT_TRUE(absl::StrContains(Error(s), "spark.executor.memoryOverhead"));
  s = {};
  s.conf["spark.executor.memoryOverheadFactor"] = "0";
  EXPECT_TRUE(absl::StrContains(Error(s), "spark.executor.memoryOverheadFactor"));
  s = {};
  s.conf["spark.executor.memoryOverheadFactor"] = "abc";
  EXPECT_TRUE(absl::StrContains(Error(s), "is not a number"));
  s = {};
  s.conf["spark.yarn.am.memory"] = "big";
  EXPECT_TRUE(absl::StrContains(Error(s), "spark.yarn.am.memory"));
  s = {};
  s.conf["spark.yarn.am.cores"] = "0";
  EXPECT_TRUE(absl::StrContains(Error(s), "spark.yarn.am.cores"));
  s = {};
  s.conf["spark.yarn.maxAppAttempts"] = "0";
  EXPECT_TRUE(absl::StrContains(Error(s), "spark.yarn.maxAppAttempts: 0 is below the minimum"));
  s = {};
  s.conf["spark.executor.maxNumFailures"] = "x";
  EXPECT_TRUE(absl::StrContains(Error(s), "spark.executor.maxNumFailures"));
}

}  // namespace
}  // namespace skein::launcher
