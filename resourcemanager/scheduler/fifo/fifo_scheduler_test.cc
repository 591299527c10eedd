#include "resourcemanager/scheduler/fifo/fifo_scheduler.h"

#include "common/conf/configuration.h"
#include "gtest/gtest.h"

namespace skein::rm {
namespace {

ApplicationAttemptId Attempt(int app) { return ApplicationAttemptId(ApplicationId(1000, app), 1); }

Ask MakeAsk(int priority, int64_t mem, int n, int64_t vcores = 1) {
  Ask a;
  a.priority = priority;
  a.capability = Resource(mem, vcores);
  a.num_containers = n;
  return a;
}

class FifoSchedulerTest : public ::testing::Test {
 protected:
  DefaultResourceCalculator calc_;
  FifoScheduler sched_{SchedulerOptions{&calc_}};
};

TEST_F(FifoSchedulerTest, AllocatesAsksUpToNodeCapacityAndNeverBeyond) {
  sched_.AddNode(NodeId("n1", 1), Resource(4096, 8));
  ASSERT_TRUE(sched_.AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(sched_.UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 10)}).ok());
  auto allocs = sched_.Schedule();
  ASSERT_EQ(allocs.size(), 4u);
  EXPECT_EQ(sched_.UsedResource().memory_mb, 4096);
  EXPECT_EQ(sched_.Pending(Attempt(1)).memory_mb, 6 * 1024);
  EXPECT_TRUE(sched_.Schedule().empty());
  // Container ids are per attempt, starting at 1.
  EXPECT_EQ(allocs[0].container_id.ToString(), "container_1000_0001_01_000001");
  EXPECT_EQ(allocs[3].container_id.sequence(), 4);
}

TEST_F(FifoSchedulerTest, ReleaseReturnsCapacityExactly) {
  sched_.AddNode(NodeId("n1", 1), Resource(2048, 8));
  ASSERT_TRUE(sched_.AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(sched_.UpdateAsks(Attempt(1), {MakeAsk(1, 2048, 2)}).ok());
  auto first = sched_.Schedule();
  ASSERT_EQ(first.size(), 1u);
  sched_.ReleaseContainer(first[0].container_id);
  sched_.ReleaseContainer(first[0].container_id);  // twice is harmless
  EXPECT_TRUE(sched_.UsedResource().IsZero());
  auto second = sched_.Schedule();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].container_id, first[0].container_id);
}

TEST_F(FifoSchedulerTest, EarlierAppFirstThenHigherAppPriorityFirst) {
  sched_.AddNode(NodeId("n1", 1), Resource(1024, 8));
  ASSERT_TRUE(sched_.AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(sched_.AddAttempt(Attempt(2), "default", "u", 0).ok());
  ASSERT_TRUE(sched_.AddAttempt(Attempt(3), "default", "u", 5).ok());
  for (int app : {1, 2, 3})
    ASSERT_TRUE(sched_.UpdateAsks(Attempt(app), {MakeAsk(1, 1024, 1)}).ok());
  std::vector<int> order;
  for (int round = 0; round < 3; ++round) {
    auto a = sched_.Schedule();
    ASSERT_EQ(a.size(), 1u);
    order.push_back(a[0].container_id.application_id().id());
    sched_.ReleaseContainer(a[0].container_id);
  }
  EXPECT_EQ(order, (std::vector<int>{3, 1, 2}));
}

TEST_F(FifoSchedulerTest, SmallerAppBehindAnUnfittableAskStillRuns) {
  sched_.AddNode(NodeId("n1", 1), Resource(2048, 8));
  ASSERT_TRUE(sched_.AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(sched_.AddAttempt(Attempt(2), "default", "u", 0).ok());
  ASSERT_TRUE(sched_.UpdateAsks(Attempt(1), {MakeAsk(1, 4096, 1)}).ok());
  ASSERT_TRUE(sched_.UpdateAsks(Attempt(2), {MakeAsk(1, 1024, 1)}).ok());
  auto a = sched_.Schedule();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].container_id.application_id().id(), 2);
}

TEST_F(FifoSchedulerTest, NodeLossReturnsItsContainersAndCapacity) {
  sched_.AddNode(NodeId("n1", 1), Resource(2048, 8));
  sched_.AddNode(NodeId("n2", 1), Resource(2048, 8));
  ASSERT_TRUE(sched_.AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(sched_.UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 4)}).ok());
  ASSERT_EQ(sched_.Schedule().size(), 4u);
  auto lost = sched_.RemoveNode(NodeId("n1", 1));
  EXPECT_EQ(lost.size(), 2u);
  EXPECT_EQ(sched_.ClusterResource().memory_mb, 2048);
  EXPECT_EQ(sched_.UsedResource().memory_mb, 2048);
  auto held = sched_.RemoveAttempt(Attempt(1));
  EXPECT_EQ(held.size(), 2u);
  EXPECT_TRUE(sched_.UsedResource().IsZero());
}

TEST_F(FifoSchedulerTest, SpreadsOverTheNodeWithMostFreeMemory) {
  sched_.AddNode(NodeId("n1", 1), Resource(4096, 8));
  sched_.AddNode(NodeId("n2", 1), Resource(4096, 8));
  ASSERT_TRUE(sched_.AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(sched_.UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 2)}).ok());
  auto a = sched_.Schedule();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_NE(a[0].node, a[1].node);
}

TEST_F(FifoSchedulerTest, DominantCalculatorRespectsVcores) {
  DominantResourceCalculator drc;
  FifoScheduler sched{SchedulerOptions{&drc}};
  sched.AddNode(NodeId("n1", 1), Resource(8192, 4));
  ASSERT_TRUE(sched.AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(sched.UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 8, 2)}).ok());
  EXPECT_EQ(sched.Schedule().size(), 2u);
  EXPECT_EQ(sched.UsedResource(), Resource(2048, 4));
}

TEST_F(FifoSchedulerTest, UpdatePriorityReranksAndIsCappedByTheClusterMaximum) {
  conf::Configuration conf;
  conf.Set("yarn.cluster.max-application-priority", "5");
  SchedulerOptions options{&calc_};
  options.conf = &conf;
  FifoScheduler s(options);
  s.AddNode(NodeId("n1", 1), Resource(1024, 8));
  for (int app : {1, 2}) {
    ASSERT_TRUE(s.AddAttempt(Attempt(app), "default", "u", 0).ok());
    ASSERT_TRUE(s.UpdateAsks(Attempt(app), {MakeAsk(1, 1024, 2)}).ok());
  }
  auto first = s.Schedule();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].container_id.application_id().id(), 1);
  auto applied = s.UpdateAttemptPriority(Attempt(2), 9);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 5);
  s.ReleaseContainer(first[0].container_id);
  auto next = s.Schedule();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].container_id.application_id().id(), 2);
  EXPECT_EQ(*s.UpdateAttemptPriority(Attempt(2), -1), 0);
  EXPECT_EQ(s.UpdateAttemptPriority(Attempt(7), 1).status().code(), absl::StatusCode::kNotFound);
  // Submission priorities are capped the same way.
  ASSERT_TRUE(s.AddAttempt(Attempt(3), "default", "u", 50).ok());
  EXPECT_EQ(*s.UpdateAttemptPriority(Attempt(3), 5), 5);
}

TEST_F(FifoSchedulerTest, QueueSnapshotCountsAppsContainersAndUsers) {
  sched_.AddNode(NodeId("n1", 1), Resource(4096, 8));
  ASSERT_TRUE(sched_.AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(sched_.AddAttempt(Attempt(2), "default", "v", 0).ok());
  ASSERT_TRUE(sched_.UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 3)}).ok());
  ASSERT_TRUE(sched_.UpdateAsks(Attempt(2), {MakeAsk(1, 4096, 1)}).ok());
  ASSERT_EQ(sched_.Schedule().size(), 3u);
  for (const char* name : {"default", "root.default", "root"}) {
    auto q = sched_.GetQueue(name);
    ASSERT_TRUE(q.ok()) << name;
    EXPECT_EQ(q->path, "root.default");
    EXPECT_EQ(q->num_applications, 2);
    EXPECT_EQ(q->num_active_applications, 1);
    EXPECT_EQ(q->num_pending_applications, 1);  // app 2's AM does not fit yet
    EXPECT_EQ(q->num_containers, 3);
    EXPECT_EQ(q->pending.memory_mb, 4096);
    EXPECT_NEAR(q->absolute_used_capacity, 0.75, 1e-9);
    EXPECT_NEAR(q->absolute_capacity, 1.0, 1e-9);
    ASSERT_EQ(q->users.size(), 2u);
    EXPECT_EQ(q->users[0].user, "u");
    EXPECT_EQ(q->users[0].used.memory_mb, 3072);
    EXPECT_EQ(q->users[0].active_applications, 1);
    EXPECT_EQ(q->users[1].pending_applications, 1);
  }
  auto unknown = sched_.GetQueue("nope");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "Unknown queue: nope");
}

TEST_F(FifoSchedulerTest, UnknownAttemptAndFactoryErrors) {
  EXPECT_EQ(sched_.UpdateAsks(Attempt(9), {MakeAsk(1, 1024, 1)}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(sched_.GetQueue("nope").ok());
  EXPECT_TRUE(MakeScheduler("fifo", SchedulerOptions{&calc_}).ok());
  // FIFO has one queue and cannot move applications between queues (as Hadoop's).
  FifoScheduler fifo(SchedulerOptions{&calc_});
  ASSERT_TRUE(fifo.AddAttempt(Attempt(1), "default", "u", 0).ok());
  auto move = fifo.MoveAttempt(Attempt(1), "other");
  EXPECT_EQ(move.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(move.status().message().find("FifoScheduler"), std::string::npos);
  EXPECT_EQ(MakeScheduler("bogus", SchedulerOptions{&calc_}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skein::rm
