// One suite every scheduler passes, run over each policy with both resource calculators.
#include <map>
#include <set>

#include "common/conf/configuration.h"
#include "gtest/gtest.h"
#include "resourcemanager/scheduler/capacity/capacity_scheduler.h"
#include "resourcemanager/scheduler/fair/fair_scheduler.h"
#include "resourcemanager/scheduler/fifo/fifo_scheduler.h"

namespace skein::rm {
namespace {

template <typename S, typename C>
struct Combo {
  using Calc = C;
  static std::unique_ptr<Scheduler> Make(const ResourceCalculator* calc);
};

template <>
std::unique_ptr<Scheduler> Combo<FifoScheduler, DefaultResourceCalculator>::Make(
    const ResourceCalculator* calc) {
  return std::make_unique<FifoScheduler>(SchedulerOptions{calc});
}
template <>
std::unique_ptr<Scheduler> Combo<FifoScheduler, DominantResourceCalculator>::Make(
    const ResourceCalculator* calc) {
  return std::make_unique<FifoScheduler>(SchedulerOptions{calc});
}

std::unique_ptr<Scheduler> MakeCapacity(const ResourceCalculator* calc) {
  // A single root.default leaf; the AM limit is lifted so several apps can start at once.
  conf::Configuration conf;
  conf.Set("yarn.scheduler.capacity.root.queues", "default");
  conf.Set("yarn.scheduler.capacity.root.default.capacity", "100");
  conf.Set("yarn.scheduler.capacity.maximum-am-resource-percent", "1.0");
  SchedulerOptions options{calc};
  options.conf = &conf;
  auto sched = CapacityScheduler::Create(options);
  EXPECT_TRUE(sched.ok()) << sched.status();
  return std::move(*sched);
}
template <>
std::unique_ptr<Scheduler> Combo<CapacityScheduler, DefaultResourceCalculator>::Make(
    const ResourceCalculator* calc) {
  return MakeCapacity(calc);
}
template <>
std::unique_ptr<Scheduler> Combo<CapacityScheduler, DominantResourceCalculator>::Make(
    const ResourceCalculator* calc) {
  return MakeCapacity(calc);
}

std::unique_ptr<Scheduler> MakeFair(const ResourceCalculator* calc) {
  // No allocation file: root.default plus queues created per user; no AM limit.
  auto alloc = AllocationConfig::Parse(
      "<allocations><queueMaxAMShareDefault>-1</queueMaxAMShareDefault></allocations>",
      "fair-scheduler.xml", FairSiteConfig());
  EXPECT_TRUE(alloc.ok()) << alloc.status();
  auto sched = FairScheduler::CreateWith(SchedulerOptions{calc}, FairSiteConfig(), *alloc);
  EXPECT_TRUE(sched.ok()) << sched.status();
  return std::move(*sched);
}
template <>
std::unique_ptr<Scheduler> Combo<FairScheduler, DefaultResourceCalculator>::Make(
    const ResourceCalculator* calc) {
  return MakeFair(calc);
}
template <>
std::unique_ptr<Scheduler> Combo<FairScheduler, DominantResourceCalculator>::Make(
    const ResourceCalculator* calc) {
  return MakeFair(calc);
}

ApplicationAttemptId Attempt(int app) { return ApplicationAttemptId(ApplicationId(1000, app), 1); }

Ask MakeAsk(int priority, int64_t mem, int64_t vcores, int n) {
  Ask a;
  a.priority = priority;
  a.capability = Resource(mem, vcores);
  a.num_containers = n;
  return a;
}

template <typename T>
class SchedulerConformanceTest : public ::testing::Test {
 protected:
  std::unique_ptr<Scheduler> Make() const { return T::Make(&calc_); }
  typename T::Calc calc_;
};

using Combos = ::testing::Types<Combo<FifoScheduler, DefaultResourceCalculator>,
                                Combo<FifoScheduler, DominantResourceCalculator>,
                                Combo<CapacityScheduler, DefaultResourceCalculator>,
                                Combo<CapacityScheduler, DominantResourceCalculator>,
                                Combo<FairScheduler, DefaultResourceCalculator>,
                                Combo<FairScheduler, DominantResourceCalculator>>;
TYPED_TEST_SUITE(SchedulerConformanceTest, Combos);

// Three unevenly sized nodes and three apps with different shapes: a busy little cluster.
void Populate(Scheduler& s) {
  s.AddNode(NodeId("n1", 1), Resource(4096, 4));
  s.AddNode(NodeId("n2", 1), Resource(3072, 2));
  s.AddNode(NodeId("n3", 1), Resource(2048, 8));
  for (int app : {1, 2, 3}) ASSERT_TRUE(s.AddAttempt(Attempt(app), "default", "u", 0).ok());
  ASSERT_TRUE(s.UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 20)}).ok());
  ASSERT_TRUE(s.UpdateAsks(Attempt(2), {MakeAsk(1, 1536, 2, 10)}).ok());
  ASSERT_TRUE(s.UpdateAsks(Attempt(3), {MakeAsk(1, 512, 1, 10), MakeAsk(2, 256, 3, 5)}).ok());
}

TYPED_TEST(SchedulerConformanceTest, NeverAllocatesBeyondANodesCapacity) {
  auto s = this->Make();
  Populate(*s);
  std::map<NodeId, Resource> per_node;
  Resource total;
  auto allocs = s->Schedule();
  ASSERT_FALSE(allocs.empty());
  for (const Allocation& a : allocs) {
    per_node[a.node] += a.resource;
    total += a.resource;
  }
  std::map<NodeId, Resource> sizes = {{NodeId("n1", 1), Resource(4096, 4)},
                                      {NodeId("n2", 1), Resource(3072, 2)},
                                      {NodeId("n3", 1), Resource(2048, 8)}};
  for (const auto& [node, used] : per_node) {
    EXPECT_TRUE(this->calc_.FitsIn(used, sizes[node])) << node.ToString() << " " << used.ToString();
    EXPECT_EQ(s->NodeUsed(node), used);
  }
  EXPECT_EQ(s->UsedResource(), total);
  EXPECT_TRUE(this->calc_.FitsIn(s->UsedResource(), s->ClusterResource()));
  EXPECT_TRUE(s->Schedule().empty());  // nothing more fits
}

TYPED_TEST(SchedulerConformanceTest, ReleasedContainersReturnCapacityExactly) {
  auto s = this->Make();
  Populate(*s);
  auto allocs = s->Schedule();
  ASSERT_FALSE(allocs.empty());
  Resource before = s->UsedResource();
  s->ReleaseContainer(allocs[0].container_id);
  EXPECT_EQ(s->UsedResource(), before - allocs[0].resource);
  for (const Allocation& a : allocs) s->ReleaseContainer(a.container_id);
  s->ReleaseContainer(allocs[0].container_id);  // twice is harmless
  EXPECT_TRUE(s->UsedResource().IsZero());
  for (const char* n : {"n1", "n2", "n3"}) EXPECT_TRUE(s->NodeUsed(NodeId(n, 1)).IsZero());
  EXPECT_FALSE(s->Schedule().empty());  // the freed capacity is handed out again
}

TYPED_TEST(SchedulerConformanceTest, RemovedAttemptReturnsEverythingItHeld) {
  auto s = this->Make();
  Populate(*s);
  auto allocs = s->Schedule();
  std::set<ContainerId> of_app1;
  for (const Allocation& a : allocs) {
    if (a.container_id.application_attempt_id() == Attempt(1)) of_app1.insert(a.container_id);
  }
  ASSERT_FALSE(of_app1.empty());
  auto held = s->RemoveAttempt(Attempt(1));
  EXPECT_EQ(std::set<ContainerId>(held.begin(), held.end()), of_app1);
  EXPECT_TRUE(s->Pending(Attempt(1)).IsZero());
  EXPECT_TRUE(s->RemoveAttempt(Attempt(1)).empty());
}

TYPED_TEST(SchedulerConformanceTest, NodeLossReturnsCapacityAndListsTheLostContainers) {
  auto s = this->Make();
  s->AddNode(NodeId("n1", 1), Resource(2048, 8));
  s->AddNode(NodeId("n2", 1), Resource(2048, 8));
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 4)}).ok());
  auto allocs = s->Schedule();
  ASSERT_EQ(allocs.size(), 4u);
  std::set<ContainerId> on_n1;
  for (const Allocation& a : allocs) {
    if (a.node == NodeId("n1", 1)) on_n1.insert(a.container_id);
  }
  auto lost = s->RemoveNode(NodeId("n1", 1));
  EXPECT_EQ(std::set<ContainerId>(lost.begin(), lost.end()), on_n1);
  EXPECT_EQ(s->ClusterResource(), Resource(2048, 8));
  EXPECT_EQ(s->UsedResource().memory_mb, 2048);
  for (const ContainerId& c : lost) s->ReleaseContainer(c);  // the RM may release them again
  EXPECT_EQ(s->UsedResource().memory_mb, 2048);
  EXPECT_TRUE(s->RemoveNode(NodeId("n1", 1)).empty());
}

TYPED_TEST(SchedulerConformanceTest, NoPendingAppStarvesWhenCapacityFrees) {
  auto s = this->Make();
  s->AddNode(NodeId("n1", 1), Resource(4096, 8));
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(s->AddAttempt(Attempt(2), "default", "v", 0).ok());
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 8)}).ok());
  ASSERT_TRUE(s->UpdateAsks(Attempt(2), {MakeAsk(1, 1024, 1, 1)}).ok());
  std::vector<ContainerId> running;
  bool app2_served = false;  // at once (Fair shares between users) or once capacity frees
  for (const Allocation& a : s->Schedule()) {
    if (a.container_id.application_attempt_id() == Attempt(2)) app2_served = true;
    running.push_back(a.container_id);
  }
  for (int round = 0; round < 20 && !app2_served && !running.empty(); ++round) {
    s->ReleaseContainer(running.front());
    running.erase(running.begin());
    for (const Allocation& a : s->Schedule()) {
      if (a.container_id.application_attempt_id() == Attempt(2)) app2_served = true;
      running.push_back(a.container_id);
    }
  }
  EXPECT_TRUE(app2_served);
  EXPECT_TRUE(s->Pending(Attempt(2)).IsZero());
}

TYPED_TEST(SchedulerConformanceTest, SameCallsGiveTheSameAllocations) {
  auto run = [this] {
    auto s = this->Make();
    Populate(*s);
    std::vector<std::string> log;
    auto first = s->Schedule();
    for (const Allocation& a : first) {
      log.push_back(a.container_id.ToString() + "@" + a.node.ToString() + a.resource.ToString());
    }
    s->ReleaseContainer(first[1].container_id);
    (void)s->RemoveNode(NodeId("n2", 1));
    for (const Allocation& a : s->Schedule()) {
      log.push_back(a.container_id.ToString() + "@" + a.node.ToString() + a.resource.ToString());
    }
    return log;
  };
  auto a = run();
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, run());
}

TYPED_TEST(SchedulerConformanceTest, PendingAndHeadroomTrackTheAskTable) {
  auto s = this->Make();
  s->AddNode(NodeId("n1", 1), Resource(4096, 8));
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 6)}).ok());
  EXPECT_EQ(s->Pending(Attempt(1)).memory_mb, 6 * 1024);
  EXPECT_EQ(s->Schedule().size(), 4u);
  EXPECT_EQ(s->Pending(Attempt(1)).memory_mb, 2 * 1024);
  EXPECT_EQ(s->Headroom(Attempt(1)).memory_mb, 0);
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 0)}).ok());
  EXPECT_TRUE(s->Pending(Attempt(1)).IsZero());
  EXPECT_EQ(s->UpdateAsks(Attempt(9), {MakeAsk(1, 1024, 1, 1)}).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace skein::rm
