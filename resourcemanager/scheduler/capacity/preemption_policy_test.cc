#include "resourcemanager/scheduler/capacity/preemption_policy.h"

#include <string>
#include <utility>
#include <vector>

#include "common/conf/configuration.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::rm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kGb = 1024;
const Resource kCluster(100 * kGb, 100);

Resource Gb(int64_t gb) { return Resource(gb * kGb, gb); }

// A leaf under root: guarantee and maximum in percent of the cluster, used / pending in GB.
PreemptionQueue Leaf(int parent, double percent, int64_t used, int64_t pending,
                     double max_percent = 100) {
  PreemptionQueue q;
  q.parent = parent;
  q.guarantee = percent / 100;
  q.guaranteed =
      Resource(static_cast<int64_t>(100 * kGb * percent / 100), static_cast<int64_t>(percent));
  q.maximum = Resource(static_cast<int64_t>(100 * kGb * max_percent / 100),
                       static_cast<int64_t>(max_percent));
  q.used = Gb(used);
  q.pending = Gb(pending);
  return q;
}

PreemptionQueue Root() { return Leaf(-1, 100, 0, 0); }

// Everything that is owed, paid in one round: no per-round cap, no natural termination.
PreemptionConfig Eager() {
  PreemptionConfig c;
  c.enabled = true;
  c.total_preemption_per_round = 1.0;
  c.natural_termination_factor = 1.0;
  return c;
}

class PreemptionPolicyTest : public ::testing::Test {
 protected:
  PreemptionPlan Plan(const std::vector<PreemptionQueue>& queues, const PreemptionConfig& c) {
    return PlanPreemption(queues, kCluster, calc_, c);
  }
  DefaultResourceCalculator calc_;
};

TEST_F(PreemptionPolicyTest, AnIdleQueueThatAsksGetsItsGuaranteeBack) {
  auto plan = Plan({Root(), Leaf(0, 50, 100, 0), Leaf(0, 50, 0, 60)}, Eager());
  EXPECT_EQ(plan.ideal[1].memory_mb, 50 * kGb);
  EXPECT_EQ(plan.ideal[2].memory_mb, 50 * kGb);
  EXPECT_EQ(plan.to_obtain[1].memory_mb, 50 * kGb);
  EXPECT_TRUE(plan.to_obtain[2].IsZero());
}

TEST_F(PreemptionPolicyTest, PerRoundCapAndNaturalTerminationScaleTheDebt) {
  std::vector<PreemptionQueue> queues = {Root(), Leaf(0, 50, 100, 0), Leaf(0, 50, 0, 60)};
  PreemptionConfig c = Eager();
  c.total_preemption_per_round = 0.1;  // at most 10 GB of the 50 GB owed
  EXPECT_EQ(Plan(queues, c).to_obtain[1].memory_mb, 10 * kGb);
  c.natural_termination_factor = 0.2;  // and a fifth of that this round
  EXPECT_EQ(Plan(queues, c).to_obtain[1].memory_mb, 2 * kGb);
  // Hadoop's defaults together.
  EXPECT_EQ(Plan(queues, PreemptionConfig()).to_obtain[1].memory_mb, 2 * kGb);
}

TEST_F(PreemptionPolicyTest, DemandIsLimitedByWhatTheAskingQueueWants) {
  // b asks for only 20 GB: a keeps the rest of its elastic share.
  auto plan = Plan({Root(), Leaf(0, 50, 100, 0), Leaf(0, 50, 0, 20)}, Eager());
  EXPECT_EQ(plan.ideal[2].memory_mb, 20 * kGb);
  EXPECT_EQ(plan.to_obtain[1].memory_mb, 20 * kGb);
}

TEST_F(PreemptionPolicyTest, TheRestGoesToTheMostUnderServedByGuarantee) {
  // a over its 40 %, b at its 30 %, c idle at 30 % but asking: c gets its 30 back from a only.
  auto plan = Plan({Root(), Leaf(0, 40, 70, 0), Leaf(0, 30, 30, 50), Leaf(0, 30, 0, 30)}, Eager());
  EXPECT_EQ(plan.ideal[1].memory_mb, 40 * kGb);
  EXPECT_EQ(plan.ideal[2].memory_mb, 30 * kGb);
  EXPECT_EQ(plan.ideal[3].memory_mb, 30 * kGb);
  EXPECT_EQ(plan.to_obtain[1].memory_mb, 30 * kGb);
  EXPECT_TRUE(plan.to_obtain[2].IsZero());
}

TEST_F(PreemptionPolicyTest, NestedQueuesRebalanceInsideTheirParent) {
  // root: a 50 % (at its guarantee), p 50 % = {x 50 %, y 50 %}; x holds all of p, y asks.
  auto plan =
      Plan({Root(), Leaf(0, 50, 50, 0), Leaf(0, 50, 0, 0), Leaf(2, 25, 50, 0), Leaf(2, 25, 0, 40)},
           Eager());
  EXPECT_EQ(plan.ideal[2].memory_mb, 50 * kGb);
  EXPECT_EQ(plan.ideal[3].memory_mb, 25 * kGb);
  EXPECT_EQ(plan.ideal[4].memory_mb, 25 * kGb);
  EXPECT_TRUE(plan.to_obtain[1].IsZero());
  EXPECT_EQ(plan.to_obtain[3].memory_mb, 25 * kGb);
}

TEST_F(PreemptionPolicyTest, MaximumCapacityCapsTheIdeal) {
  // b may not grow past 30 % whatever it asks: a keeps the rest.
  auto plan = Plan({Root(), Leaf(0, 50, 100, 0), Leaf(0, 50, 0, 80, 30)}, Eager());
  EXPECT_EQ(plan.ideal[2].memory_mb, 30 * kGb);
  EXPECT_EQ(plan.ideal[1].memory_mb, 70 * kGb);
  EXPECT_EQ(plan.to_obtain[1].memory_mb, 30 * kGb);
}

TEST_F(PreemptionPolicyTest, AQueueAtOrBelowItsGuaranteeLosesNothing) {
  auto plan = Plan({Root(), Leaf(0, 50, 50, 0), Leaf(0, 50, 40, 100)}, Eager());
  EXPECT_TRUE(plan.to_obtain[1].IsZero());
  EXPECT_TRUE(plan.to_obtain[2].IsZero());
}

TEST_F(PreemptionPolicyTest, DeadZoneAboveTheGuaranteeIsIgnored) {
  PreemptionConfig c = Eager();  // max_ignored_over_capacity 0.1: up to 55 GB is tolerated
  auto within = Plan({Root(), Leaf(0, 50, 55, 0), Leaf(0, 50, 45, 10)}, c);
  EXPECT_TRUE(within.to_obtain[1].IsZero());
  auto beyond = Plan({Root(), Leaf(0, 50, 56, 0), Leaf(0, 50, 44, 10)}, c);
  EXPECT_EQ(beyond.to_obtain[1].memory_mb, 6 * kGb);
  c.max_ignored_over_capacity = 0;
  EXPECT_EQ(Plan({Root(), Leaf(0, 50, 55, 0), Leaf(0, 50, 45, 10)}, c).to_obtain[1].memory_mb,
            5 * kGb);
}

TEST_F(PreemptionPolicyTest, DisabledQueuesKeepWhatTheyUseAndOthersPay) {
  std::vector<PreemptionQueue> queues = {Root(), Leaf(0, 40, 60, 0), Leaf(0, 30, 40, 0),
                                         Leaf(0, 30, 0, 30)};
  queues[1].preemption_disabled = true;
  auto plan = Plan(queues, Eager());
  EXPECT_TRUE(plan.to_obtain[1].IsZero());
  EXPECT_EQ(plan.ideal[3].memory_mb, 10 * kGb);  // all that is left after a's 60 and b's 30
  EXPECT_EQ(plan.to_obtain[2].memory_mb, 10 * kGb);
}

TEST_F(PreemptionPolicyTest, NoDemandNoPreemption) {
  auto plan = Plan({Root(), Leaf(0, 50, 100, 0), Leaf(0, 50, 0, 0)}, Eager());
  EXPECT_TRUE(plan.to_obtain[1].IsZero());
  EXPECT_EQ(plan.ideal[1].memory_mb, 100 * kGb);
}

ContainerId Cid(int app, int seq) {
  return ContainerId::Make(ApplicationAttemptId(ApplicationId(1, app), 1), 0, seq);
}

PreemptionApp App(int app, std::vector<std::pair<int, bool>> containers) {
  PreemptionApp a;
  for (auto [seq, is_am] : containers) a.containers.push_back({Cid(app, seq), Gb(1), is_am});
  return a;
}

TEST_F(PreemptionPolicyTest, SelectionTakesTheLatestAppsLatestContainersFirstAndAmsLast) {
  // Apps in preemption order: app 2 (submitted last) then app 1; containers latest first.
  std::vector<PreemptionApp> apps = {App(2, {{3, false}, {2, false}, {1, true}}),
                                     App(1, {{2, false}, {1, true}})};
  EXPECT_THAT(SelectContainers(Gb(2), apps, calc_), ElementsAre(Cid(2, 3), Cid(2, 2)));
  EXPECT_THAT(SelectContainers(Gb(3), apps, calc_), ElementsAre(Cid(2, 3), Cid(2, 2), Cid(1, 2)));
  // AMs only once every other container is taken, and only as far as still needed.
  EXPECT_THAT(SelectContainers(Gb(4), apps, calc_),
              ElementsAre(Cid(2, 3), Cid(2, 2), Cid(1, 2), Cid(2, 1)));
  EXPECT_EQ(SelectContainers(Gb(9), apps, calc_).size(), 5u);
  // A part of a container still costs the whole container.
  EXPECT_THAT(SelectContainers(Resource(100, 0), apps, calc_), ElementsAre(Cid(2, 3)));
  EXPECT_TRUE(SelectContainers(Resource(), apps, calc_).empty());
}

TEST(PreemptionConfigTest, DefaultsAreHadoopsAndEnablingNeedsTheMonitor) {
  conf::Configuration conf;
  auto c = PreemptionConfig::Parse(conf);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->enabled);
  EXPECT_FALSE(c->observe_only);
  EXPECT_EQ(c->monitoring_interval_ms, 3000);
  EXPECT_EQ(c->max_wait_before_kill_ms, 15000);
  EXPECT_DOUBLE_EQ(c->total_preemption_per_round, 0.1);
  EXPECT_DOUBLE_EQ(c->max_ignored_over_capacity, 0.1);
  EXPECT_DOUBLE_EQ(c->natural_termination_factor, 0.2);
  conf.Set("yarn.resourcemanager.scheduler.monitor.enable", "true");
  EXPECT_TRUE(PreemptionConfig::Parse(conf)->enabled);
  conf.Set("yarn.resourcemanager.scheduler.monitor.policies", "");
  EXPECT_FALSE(PreemptionConfig::Parse(conf)->enabled);
}

TEST(PreemptionConfigTest, BadValuesNameTheKey) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"yarn.resourcemanager.scheduler.monitor.policies", "org.example.MyPolicy"},
      {"yarn.resourcemanager.monitor.capacity.preemption.monitoring_interval", "0"},
      {"yarn.resourcemanager.monitor.capacity.preemption.max_wait_before_kill", "-5"},
      {"yarn.resourcemanager.monitor.capacity.preemption.total_preemption_per_round", "1.5"},
      {"yarn.resourcemanager.monitor.capacity.preemption.natural_termination_factor", "0"},
      {"yarn.resourcemanager.monitor.capacity.preemption.max_ignored_over_capacity", "-0.1"},
      {"yarn.resourcemanager.monitor.capacity.preemption.observe_only", "perhaps"},
  };
  for (const auto& [key, value] : bad) {
    conf::Configuration conf;
    conf.Set("yarn.resourcemanager.scheduler.monitor.enable", "true");
    conf.Set(key, value);
    auto c = PreemptionConfig::Parse(conf);
    ASSERT_FALSE(c.ok()) << key;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << key;
    EXPECT_THAT(c.status().message(), HasSubstr(key));
  }
}

}  // namespace
}  // namespace skein::rm
