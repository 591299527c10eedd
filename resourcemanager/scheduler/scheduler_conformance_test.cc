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

// ---- Work-preserving recovery (RecoverContainer) and node resource updates -------------------

Allocation Running(int app, int64_t number, const char* node, int64_t mem, int64_t vcores) {
  Allocation a;
  a.container_id = ContainerId::Make(Attempt(app), 0, number);
  a.node = NodeId(node, 1);
  a.resource = Resource(mem, vcores);
  a.priority = 1;
  return a;
}

TYPED_TEST(SchedulerConformanceTest, RecoveredContainersAreAccountedAndReturnOnRelease) {
  auto s = this->Make();
  s->AddNode(NodeId("n1", 1), Resource(4096, 4));
  s->AddNode(NodeId("n2", 1), Resource(4096, 4));
  auto placed = s->AddAttempt(Attempt(1), "default", "u", 0);
  ASSERT_TRUE(placed.ok()) << placed.status();
  Allocation am = Running(1, 1, "n1", 1024, 1);
  Allocation worker = Running(1, 7, "n2", 2048, 2);
  ASSERT_TRUE(s->RecoverContainer(Attempt(1), am, /*is_am=*/true).ok());
  ASSERT_TRUE(s->RecoverContainer(Attempt(1), worker, /*is_am=*/false).ok());
  EXPECT_EQ(s->UsedResource(), Resource(3072, 3));
  EXPECT_EQ(s->NodeUsed(NodeId("n1", 1)), Resource(1024, 1));
  EXPECT_EQ(s->NodeUsed(NodeId("n2", 1)), Resource(2048, 2));
  auto queue = s->GetQueue(*placed);  // Fair may place it in a queue of its own
  ASSERT_TRUE(queue.ok()) << queue.status();
  EXPECT_EQ(queue->used, Resource(3072, 3));
  ASSERT_EQ(queue->users.size(), 1u);
  EXPECT_EQ(queue->users[0].used, Resource(3072, 3));
  if (s->ClassName() != FifoScheduler::kClassName) {  // FIFO keeps no AM accounting
    EXPECT_EQ(queue->am_used, Resource(1024, 1));
  }
  s->ReleaseContainer(worker.container_id);
  EXPECT_EQ(s->UsedResource(), Resource(1024, 1));
  EXPECT_TRUE(s->NodeUsed(NodeId("n2", 1)).IsZero());
  s->ReleaseContainer(am.container_id);
  s->ReleaseContainer(am.container_id);  // twice is harmless
  EXPECT_TRUE(s->UsedResource().IsZero());
  queue = s->GetQueue(*placed);
  ASSERT_TRUE(queue.ok());
  EXPECT_TRUE(queue->used.IsZero());
  EXPECT_TRUE(queue->am_used.IsZero());
  // The freed capacity is handed out again: two nodes of 4 GB hold eight 1 GB containers.
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 8)}).ok());
  EXPECT_EQ(s->Schedule().size(), 8u);
}

TYPED_TEST(SchedulerConformanceTest, RecoveredContainerNumbersAreNeverReissued) {
  auto s = this->Make();
  s->AddNode(NodeId("n1", 1), Resource(8192, 8));
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(s->RecoverContainer(Attempt(1), Running(1, 5, "n1", 1024, 1), true).ok());
  ASSERT_TRUE(s->RecoverContainer(Attempt(1), Running(1, 2, "n1", 1024, 1), false).ok());
  s->ReleaseContainer(Running(1, 2, "n1", 1024, 1).container_id);  // a released number too
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 3)}).ok());
  auto allocs = s->Schedule();
  ASSERT_EQ(allocs.size(), 3u);
  std::set<int64_t> numbers;
  for (const Allocation& a : allocs) {
    EXPECT_GT(a.container_id.sequence(), 5) << a.container_id.ToString();
    numbers.insert(a.container_id.sequence());
  }
  EXPECT_EQ(numbers.size(), 3u);
  EXPECT_EQ(s->UsedResource(), Resource(4096, 4));
}

TYPED_TEST(SchedulerConformanceTest, NewContainersCarryTheEpochAfterARestart) {
  auto s = this->Make();
  s->set_container_epoch(3);
  s->AddNode(NodeId("n1", 1), Resource(8192, 8));
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "default", "u", 0).ok());
  // Number 4 ran before the restart and is recovered; 9 ended before it and is not.
  ASSERT_TRUE(s->RecoverContainer(Attempt(1), Running(1, 4, "n1", 1024, 1), true).ok());
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 6)}).ok());
  auto allocs = s->Schedule();
  ASSERT_EQ(allocs.size(), 6u);
  const ContainerId ended_before_restart = ContainerId::Make(Attempt(1), 0, 9);
  for (const Allocation& a : allocs) {
    EXPECT_EQ(a.container_id.epoch(), 3) << a.container_id.ToString();
    EXPECT_NE(a.container_id, ended_before_restart);
    EXPECT_GT(a.container_id.sequence(), 4) << a.container_id.ToString();
  }
  EXPECT_EQ(allocs[0].container_id.ToString().rfind("container_e03_", 0), 0u)
      << allocs[0].container_id.ToString();
}

TYPED_TEST(SchedulerConformanceTest, RecoveredCapacityReturnsOnNodeAndAttemptRemoval) {
  auto s = this->Make();
  s->AddNode(NodeId("n1", 1), Resource(4096, 4));
  s->AddNode(NodeId("n2", 1), Resource(4096, 4));
  for (int app : {1, 2}) ASSERT_TRUE(s->AddAttempt(Attempt(app), "default", "u", 0).ok());
  Allocation a1 = Running(1, 1, "n1", 1024, 1);
  Allocation a2 = Running(1, 2, "n2", 1024, 1);
  Allocation b1 = Running(2, 3, "n1", 512, 1);
  ASSERT_TRUE(s->RecoverContainer(Attempt(1), a1, true).ok());
  ASSERT_TRUE(s->RecoverContainer(Attempt(1), a2, false).ok());
  ASSERT_TRUE(s->RecoverContainer(Attempt(2), b1, true).ok());
  auto lost = s->RemoveNode(NodeId("n1", 1));
  EXPECT_EQ(std::set<ContainerId>(lost.begin(), lost.end()),
            (std::set<ContainerId>{a1.container_id, b1.container_id}));
  EXPECT_EQ(s->UsedResource(), Resource(1024, 1));
  EXPECT_EQ(s->ClusterResource(), Resource(4096, 4));
  auto held = s->RemoveAttempt(Attempt(1));
  EXPECT_EQ(held, std::vector<ContainerId>{a2.container_id});
  EXPECT_TRUE(s->UsedResource().IsZero());
  EXPECT_TRUE(s->NodeUsed(NodeId("n2", 1)).IsZero());
}

TYPED_TEST(SchedulerConformanceTest, RecoverContainerRefusesUnknownOrDuplicateAndChangesNothing) {
  auto s = this->Make();
  s->AddNode(NodeId("n1", 1), Resource(4096, 4));
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(s->RecoverContainer(Attempt(1), Running(1, 3, "n1", 1024, 1), true).ok());
  auto expect_refused = [&](const ApplicationAttemptId& attempt, const Allocation& c,
                            absl::StatusCode code, const std::string& names) {
    absl::Status status = s->RecoverContainer(attempt, c, false);
    EXPECT_EQ(status.code(), code) << status;
    EXPECT_NE(status.message().find(names), std::string::npos) << status;
    EXPECT_EQ(s->UsedResource(), Resource(1024, 1));
  };
  expect_refused(Attempt(9), Running(9, 1, "n1", 512, 1), absl::StatusCode::kFailedPrecondition,
                 Attempt(9).ToString());
  expect_refused(Attempt(1), Running(1, 4, "nowhere", 512, 1),
                 absl::StatusCode::kFailedPrecondition, "nowhere");
  expect_refused(Attempt(1), Running(1, 3, "n1", 512, 1), absl::StatusCode::kFailedPrecondition,
                 Running(1, 3, "n1", 512, 1).container_id.ToString());
  // The same number under another RM epoch is the same container slot of the attempt.
  Allocation other_epoch = Running(1, 3, "n1", 512, 1);
  other_epoch.container_id = ContainerId::Make(Attempt(1), 2, 3);
  expect_refused(Attempt(1), other_epoch, absl::StatusCode::kFailedPrecondition, "number 3");
  ASSERT_TRUE(s->AddAttempt(Attempt(2), "default", "u", 0).ok());
  expect_refused(Attempt(2), Running(1, 8, "n1", 512, 1), absl::StatusCode::kInvalidArgument,
                 "another attempt");
  expect_refused(Attempt(1), Running(1, 0, "n1", 512, 1), absl::StatusCode::kInvalidArgument,
                 "container number 0");
  expect_refused(Attempt(1), Running(1, 6, "n1", -512, 1), absl::StatusCode::kInvalidArgument,
                 "negative");
  // A container of a later epoch is recovered and released like any other.
  Allocation later = Running(1, 9, "n1", 512, 1);
  later.container_id = ContainerId::Make(Attempt(1), 1, 9);
  ASSERT_TRUE(s->RecoverContainer(Attempt(1), later, false).ok());
  EXPECT_EQ(s->UsedResource(), Resource(1536, 2));
  s->ReleaseContainer(ContainerId::Make(Attempt(1), 0, 9));  // not this one: another epoch
  EXPECT_EQ(s->UsedResource(), Resource(1536, 2));
  s->ReleaseContainer(later.container_id);
  EXPECT_EQ(s->UsedResource(), Resource(1024, 1));
}

TYPED_TEST(SchedulerConformanceTest, RecoveredContainersMayOvercommitANodeThatThenTakesNothing) {
  auto s = this->Make();
  s->AddNode(NodeId("n1", 1), Resource(2048, 2));
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "default", "u", 0).ok());
  for (int64_t n : {1, 2, 3}) {
    ASSERT_TRUE(s->RecoverContainer(Attempt(1), Running(1, n, "n1", 1024, 1), n == 1).ok());
  }
  EXPECT_EQ(s->NodeUsed(NodeId("n1", 1)), Resource(3072, 3));
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 1)}).ok());
  EXPECT_TRUE(s->Schedule().empty());
  s->ReleaseContainer(Running(1, 2, "n1", 1024, 1).container_id);
  EXPECT_TRUE(s->Schedule().empty());  // used 2048 of 2048
  s->ReleaseContainer(Running(1, 3, "n1", 1024, 1).container_id);
  EXPECT_EQ(s->Schedule().size(), 1u);
}

TYPED_TEST(SchedulerConformanceTest, UpdateNodeResourceBelowUsedStopsNewWorkUntilContainersEnd) {
  auto s = this->Make();
  s->AddNode(NodeId("n1", 1), Resource(4096, 4));
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 3)}).ok());
  auto running = s->Schedule();
  ASSERT_EQ(running.size(), 3u);
  // Graceful decommission: the total drops to (below) what runs there.
  ASSERT_TRUE(s->UpdateNodeResource(NodeId("n1", 1), Resource(2048, 2)).ok());
  EXPECT_EQ(s->ClusterResource(), Resource(2048, 2));
  EXPECT_EQ(s->NodeUsed(NodeId("n1", 1)), Resource(3072, 3));  // running containers stay
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 4)}).ok());
  EXPECT_TRUE(s->Schedule().empty());
  s->ReleaseContainer(running[0].container_id);
  EXPECT_TRUE(s->Schedule().empty());  // 2048 used of 2048
  s->ReleaseContainer(running[1].container_id);
  auto one = s->Schedule();
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].node, NodeId("n1", 1));
  // Up again: more lands there, and the cluster (so headroom and guarantees) follows.
  Resource headroom_before = s->Headroom(Attempt(1));
  ASSERT_TRUE(s->UpdateNodeResource(NodeId("n1", 1), Resource(8192, 8)).ok());
  EXPECT_EQ(s->ClusterResource(), Resource(8192, 8));
  EXPECT_GT(s->Headroom(Attempt(1)).memory_mb, headroom_before.memory_mb);
  EXPECT_EQ(s->Schedule().size(), 3u);
  EXPECT_EQ(s->UsedResource(), Resource(5120, 5));
  // Node removal takes the updated total out of the cluster.
  (void)s->RemoveNode(NodeId("n1", 1));
  EXPECT_TRUE(s->ClusterResource().IsZero());
}

TYPED_TEST(SchedulerConformanceTest, UpdateNodeResourceRefusesUnknownNodesAndNegativeTotals) {
  auto s = this->Make();
  s->AddNode(NodeId("n1", 1), Resource(4096, 4));
  absl::Status unknown = s->UpdateNodeResource(NodeId("ghost", 7), Resource(1024, 1));
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound) << unknown;
  EXPECT_NE(unknown.message().find("ghost:7"), std::string::npos) << unknown;
  absl::Status negative = s->UpdateNodeResource(NodeId("n1", 1), Resource(-1, 4));
  EXPECT_EQ(negative.code(), absl::StatusCode::kInvalidArgument) << negative;
  EXPECT_NE(negative.message().find("n1:1"), std::string::npos) << negative;
  EXPECT_EQ(s->ClusterResource(), Resource(4096, 4));
}

}  // namespace
}  // namespace skein::rm
