// CapacityScheduler::SelectPreemption on a simulated cluster: who is marked, the grace period,
// kills, and marks that go away with the demand. The policy's arithmetic is tested on plain data
// in preemption_policy_test.cc.
#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resourcemanager/scheduler/capacity/capacity_test_util.h"

namespace skein::rm {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kMonitor[] = "yarn.resourcemanager.scheduler.monitor.enable";
constexpr char kPolicy[] = "yarn.resourcemanager.monitor.capacity.preemption.";

// root.a / root.b with the given capacities, elastic to 100 %, no user cap, AM limit lifted.
KV Split(const std::string& a, const std::string& b, bool eager = true) {
  KV kv = {{"root.queues", "a,b"},
           {"root.a.capacity", a},
           {"root.b.capacity", b},
           {"root.a.user-limit-factor", "-1"},
           {"root.b.user-limit-factor", "-1"},
           {"maximum-am-resource-percent", "1.0"},
           {kMonitor, "true"}};
  if (eager) {
    kv.push_back({std::string(kPolicy) + "total_preemption_per_round", "1.0"});
    kv.push_back({std::string(kPolicy) + "natural_termination_factor", "1.0"});
  }
  return kv;
}

ContainerId Cid(int app, int seq) { return ContainerId::Make(Attempt(app), 0, seq); }

class CapacityPreemptionTest : public CapacitySchedulerTest {
 protected:
  // App 1 fills the 10 GB node from queue a; app 2 then asks `wanted` GB in queue b.
  std::unique_ptr<CapacityScheduler> Busy(const KV& kv, int wanted) {
    auto s = Make(kv);
    s->AddNode(NodeId("n1", 1), Resource(10240, 100));
    Submit(*s, 1, "a", "u", 10);
    EXPECT_EQ(s->Schedule().size(), 10u);
    Submit(*s, 2, "b", "v", wanted);
    EXPECT_TRUE(s->Schedule().empty());
    return s;
  }
};

TEST_F(CapacityPreemptionTest, OffUnlessTheMonitorIsEnabled) {
  KV kv = Split("50", "50");
  kv.pop_back();
  kv.pop_back();
  kv.back().second = "false";
  auto s = Busy(kv, 5);
  EXPECT_EQ(s->PreemptionIntervalMs(), 0);
  EXPECT_THAT(s->SelectPreemption(0).to_warn, IsEmpty());
  EXPECT_EQ(Busy(Split("50", "50"), 5)->PreemptionIntervalMs(), 3000);
  KV custom = Split("50", "50");
  custom.push_back({std::string(kPolicy) + "monitoring_interval", "500"});
  EXPECT_EQ(Make(custom)->PreemptionIntervalMs(), 500);
}

TEST_F(CapacityPreemptionTest, WarnsTheLatestContainersThenKillsThemAfterTheGracePeriod) {
  auto s = Busy(Split("50", "50"), 5);
  PreemptionRound first = s->SelectPreemption(1000);
  EXPECT_THAT(first.to_warn, ElementsAre(Cid(1, 10), Cid(1, 9), Cid(1, 8), Cid(1, 7), Cid(1, 6)));
  EXPECT_THAT(first.to_kill, IsEmpty());
  PreemptionRound again = s->SelectPreemption(4000);  // still selected: no second warning
  EXPECT_THAT(again.to_warn, IsEmpty());
  EXPECT_THAT(again.to_kill, IsEmpty());
  EXPECT_THAT(s->SelectPreemption(15999).to_kill, IsEmpty());
  PreemptionRound kill = s->SelectPreemption(16000);  // marked at 1000 + 15000
  EXPECT_THAT(kill.to_kill, ElementsAre(Cid(1, 10), Cid(1, 9), Cid(1, 8), Cid(1, 7), Cid(1, 6)));
  EXPECT_THAT(kill.to_warn, IsEmpty());
  EXPECT_THAT(s->SelectPreemption(19000).to_kill, IsEmpty());  // told once
  // The RM kills them and releases them: b gets its guarantee and nothing more is selected.
  for (const ContainerId& c : kill.to_kill) s->ReleaseContainer(c);
  EXPECT_EQ(CountByApp(s->Schedule())[2], 5);
  PreemptionRound calm = s->SelectPreemption(22000);
  EXPECT_THAT(calm.to_warn, IsEmpty());
  EXPECT_THAT(calm.to_kill, IsEmpty());
}

TEST_F(CapacityPreemptionTest, DemandThatGoesAwayDropsTheMarks) {
  auto s = Busy(Split("50", "50"), 2);
  EXPECT_EQ(s->SelectPreemption(0).to_warn.size(), 2u);
  ASSERT_TRUE(s->UpdateAsks(Attempt(2), {MakeAsk(1, 1024, 0)}).ok());  // b no longer asks
  PreemptionRound none = s->SelectPreemption(3000);
  EXPECT_THAT(none.to_warn, IsEmpty());
  EXPECT_THAT(s->SelectPreemption(15000).to_kill, IsEmpty());
  // Asked again: a fresh mark and a fresh grace period.
  ASSERT_TRUE(s->UpdateAsks(Attempt(2), {MakeAsk(1, 1024, 2)}).ok());
  EXPECT_EQ(s->SelectPreemption(18000).to_warn.size(), 2u);
  EXPECT_THAT(s->SelectPreemption(32999).to_kill, IsEmpty());
  EXPECT_EQ(s->SelectPreemption(33000).to_kill.size(), 2u);
}

TEST_F(CapacityPreemptionTest, AContainerTheAppGivesUpIsNotKilled) {
  auto s = Busy(Split("50", "50"), 1);
  PreemptionRound warned = s->SelectPreemption(0);
  ASSERT_THAT(warned.to_warn, ElementsAre(Cid(1, 10)));
  s->ReleaseContainer(Cid(1, 10));  // the AM honoured the preemption message
  EXPECT_EQ(CountByApp(s->Schedule())[2], 1);
  PreemptionRound later = s->SelectPreemption(15000);
  EXPECT_THAT(later.to_kill, IsEmpty());
  EXPECT_THAT(later.to_warn, IsEmpty());
}

TEST_F(CapacityPreemptionTest, TheAmContainerGoesLastAndOnlyWhenNeeded) {
  // a is guaranteed 10 % (1 GB) but runs a 2 GB AM and 8 more containers.
  auto setup = [this](int wanted) {
    auto s = Make(Split("10", "90"));
    s->AddNode(NodeId("n1", 1), Resource(10240, 100));
    Submit(*s, 1, "a", "u", 1, 2048);
    EXPECT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(2, 1024, 8)}).ok());
    EXPECT_EQ(s->Schedule().size(), 9u);
    Submit(*s, 2, "b", "v", wanted);
    return s;
  };
  auto enough = setup(8)->SelectPreemption(0).to_warn;
  EXPECT_EQ(enough.size(), 8u);
  EXPECT_EQ(std::count(enough.begin(), enough.end(), Cid(1, 1)), 0);
  auto all = setup(9)->SelectPreemption(0).to_warn;
  ASSERT_EQ(all.size(), 9u);
  EXPECT_EQ(all.back(), Cid(1, 1));  // the AM, after every other container
}

TEST_F(CapacityPreemptionTest, HadoopsDefaultsTakeAFractionPerRound) {
  // total_preemption_per_round 0.1 x 10 GB = 1 GB of the 5 GB owed, x natural_termination 0.2.
  auto s = Busy(Split("50", "50", /*eager=*/false), 5);
  EXPECT_THAT(s->SelectPreemption(0).to_warn, ElementsAre(Cid(1, 10)));
}

TEST_F(CapacityPreemptionTest, LaterAndLowerPriorityAppsLoseFirst) {
  KV kv = Split("50", "50");
  kv.push_back({"yarn.cluster.max-application-priority", "10"});
  auto s = Make(kv);
  s->AddNode(NodeId("n1", 1), Resource(10240, 100));
  Submit(*s, 1, "a", "u", 4, 1024, 1);
  Submit(*s, 3, "a", "u", 3, 1024, 5);
  Submit(*s, 4, "a", "u", 3, 1024, 1);
  ASSERT_EQ(s->Schedule().size(), 10u);
  Submit(*s, 2, "b", "v", 4);
  // Service order in a: app 3 (priority 5), app 1, app 4; preemption takes the reverse.
  EXPECT_THAT(s->SelectPreemption(0).to_warn,
              ElementsAre(Cid(4, 3), Cid(4, 2), Cid(1, 4), Cid(1, 3)));
}

TEST_F(CapacityPreemptionTest, DisabledQueuesAndObserveOnlySelectNothing) {
  KV disabled = Split("50", "50");
  disabled.push_back({"root.a.disable_preemption", "true"});
  EXPECT_THAT(Busy(disabled, 5)->SelectPreemption(0).to_warn, IsEmpty());
  KV observe = Split("50", "50");
  observe.push_back({std::string(kPolicy) + "observe_only", "true"});
  auto s = Busy(observe, 5);
  EXPECT_THAT(s->SelectPreemption(0).to_warn, IsEmpty());
  EXPECT_THAT(s->SelectPreemption(20000).to_kill, IsEmpty());
}

TEST_F(CapacityPreemptionTest, AQueueWithinItsGuaranteeKeepsEverything) {
  auto s = Make(Split("50", "50"));
  s->AddNode(NodeId("n1", 1), Resource(10240, 100));
  Submit(*s, 1, "a", "u", 5);
  Submit(*s, 2, "b", "v", 5);
  ASSERT_EQ(s->Schedule().size(), 10u);
  ASSERT_TRUE(s->UpdateAsks(Attempt(2), {MakeAsk(2, 1024, 5)}).ok());  // b wants more still
  EXPECT_THAT(s->SelectPreemption(0).to_warn, IsEmpty());
}

}  // namespace
}  // namespace skein::rm
