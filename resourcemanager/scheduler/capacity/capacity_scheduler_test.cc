#include "resourcemanager/scheduler/capacity/capacity_scheduler.h"

#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resourcemanager/scheduler/capacity/capacity_test_util.h"

namespace skein::rm {
namespace {

using ::testing::HasSubstr;

const KV kSeventyThirty = {{"root.queues", "a,b"},
                           {"root.a.capacity", "70"},
                           {"root.b.capacity", "30"},
                           {"root.a.user-limit-factor", "10"},
                           {"root.b.user-limit-factor", "10"}};

TEST_F(CapacitySchedulerTest, TwoBusyQueuesShareAFullCluster70To30) {
  auto s = Make(kSeventyThirty);
  s->AddNode(NodeId("n1", 1), Resource(10240, 100));
  Submit(*s, 1, "a", "u", 20);
  Submit(*s, 2, "b", "v", 20);
  auto count = CountByApp(s->Schedule());
  EXPECT_EQ(count[1], 7);
  EXPECT_EQ(count[2], 3);
  auto a = s->GetQueue("a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->used.memory_mb, 7168);
  EXPECT_NEAR(a->used_capacity, 1.0, 1e-9);
  EXPECT_NEAR(a->capacity, 0.7, 1e-9);
  EXPECT_EQ(a->num_applications, 1);
}

TEST_F(CapacitySchedulerTest, ElasticUpToMaximumCapacityWhenTheOtherIsIdleAndNeverAbove) {
  KV kv = kSeventyThirty;
  kv.push_back({"root.a.maximum-capacity", "80"});
  auto s = Make(kv);
  s->AddNode(NodeId("n1", 1), Resource(10240, 100));
  Submit(*s, 1, "a", "u", 20);
  EXPECT_EQ(s->Schedule().size(), 8u);
  EXPECT_TRUE(s->Schedule().empty());
  EXPECT_EQ(s->GetQueue("root.a")->used.memory_mb, 8192);
  EXPECT_EQ(s->Headroom(Attempt(1)).memory_mb, 0);
  // b was idle: its share was lent out, and it gets what is left as soon as it asks.
  Submit(*s, 2, "b", "v", 20);
  EXPECT_EQ(CountByApp(s->Schedule())[2], 2);
}

TEST_F(CapacitySchedulerTest, UserLimitFactorCapsOneUser) {
  KV kv = {{"root.queues", "a,b"},
           {"root.a.capacity", "50"},
           {"root.b.capacity", "50"},
           {"maximum-am-resource-percent", "1.0"}};
  auto s = Make(kv);
  s->AddNode(NodeId("n1", 1), Resource(10240, 100));
  Submit(*s, 1, "a", "u", 20);
  EXPECT_EQ(s->Schedule().size(), 5u);  // 50% x factor 1, though b is idle
  // Another user in the same queue still gets the queue's room beyond the first user's cap.
  Submit(*s, 2, "a", "w", 20);
  EXPECT_EQ(s->Schedule().size(), 5u);
  EXPECT_EQ(s->GetQueue("a")->used.memory_mb, 10240);

  kv.push_back({"root.a.user-limit-factor", "2"});
  auto doubled = Make(kv);
  doubled->AddNode(NodeId("n1", 1), Resource(10240, 100));
  Submit(*doubled, 1, "a", "u", 20);
  EXPECT_EQ(doubled->Schedule().size(), 10u);
}

TEST_F(CapacitySchedulerTest, DominantCalculatorAppliesLimitsToVcores) {
  DominantResourceCalculator drc;
  auto s =
      Make({{"root.queues", "a,b"}, {"root.a.capacity", "50"}, {"root.b.capacity", "50"}}, &drc);
  s->AddNode(NodeId("n1", 1), Resource(102400, 10));
  Submit(*s, 1, "a", "u", 20);
  EXPECT_EQ(s->Schedule().size(), 5u);  // 5 of 10 vcores is a's 50%
  EXPECT_EQ(s->GetQueue("a")->used, Resource(5120, 5));
}

constexpr char kAmHeld[] =
    "Application is added to the scheduler and is not yet activated. Queue's AM resource limit "
    "exceeded.  Details : AM Partition = <DEFAULT_PARTITION>; AM Resource Request = <memory:1024, "
    "vCores:1>; Queue Resource Limit for AM = <memory:1024, vCores:1>; User AM Resource Limit of "
    "the queue = <memory:1024, vCores:1>; Queue AM Resource Usage = <memory:1024, vCores:1>; ";

TEST_F(CapacitySchedulerTest, AmPercentHoldsTheSecondAppUntilTheFirstFinishes) {
  auto s = Make({});  // root.default, maximum-am-resource-percent 0.1
  s->AddNode(NodeId("n1", 1), Resource(10240, 10));
  Submit(*s, 1, "default", "u", 1);
  Submit(*s, 2, "default", "u", 1);
  auto first = s->Schedule();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].container_id.application_id().id(), 1);
  EXPECT_EQ(s->PendingReason(Attempt(1)), "");
  EXPECT_EQ(s->PendingReason(Attempt(2)), kAmHeld);
  EXPECT_TRUE(s->Schedule().empty());
  // The first app's own containers are not AMs: it keeps running while app 2 waits.
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(2, 1024, 3)}).ok());
  EXPECT_EQ(CountByApp(s->Schedule())[1], 3);
  EXPECT_EQ(s->PendingReason(Attempt(2)), kAmHeld);
  EXPECT_EQ(s->RemoveAttempt(Attempt(1)).size(), 4u);
  auto second = s->Schedule();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].container_id.application_id().id(), 2);
  EXPECT_EQ(s->PendingReason(Attempt(2)), "");
}

TEST_F(CapacitySchedulerTest, OneAppAlwaysStartsInAnEmptyQueue) {
  auto s = Make({{"maximum-am-resource-percent", "0.01"}});
  s->AddNode(NodeId("n1", 1), Resource(10240, 10));
  Submit(*s, 1, "default", "u", 1, 2048);
  Submit(*s, 2, "default", "u", 1, 2048);
  auto a = s->Schedule();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].resource.memory_mb, 2048);
  EXPECT_THAT(s->PendingReason(Attempt(2)),
              HasSubstr("AM Resource Request = <memory:2048, vCores:1>; Queue Resource Limit for "
                        "AM = <memory:102, vCores:0>"));
  // Releasing the AM container empties the queue of AMs: the next one starts.
  s->ReleaseContainer(a[0].container_id);
  EXPECT_EQ(CountByApp(s->Schedule())[2], 1);
}

TEST_F(CapacitySchedulerTest, AmWaitingForResourcesSaysSo) {
  auto s = Make({});
  Submit(*s, 1, "default", "u", 1);
  EXPECT_TRUE(s->Schedule().empty());
  EXPECT_THAT(s->PendingReason(Attempt(1)),
              HasSubstr("Application is Activated, waiting for resources to be assigned for AM."));
  EXPECT_EQ(s->PendingReason(Attempt(7)), "");
}

TEST_F(CapacitySchedulerTest, MaximumApplicationsRejectsWithYarnsText) {
  auto s = Make({{"root.default.maximum-applications", "2"}});
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(s->AddAttempt(Attempt(2), "default", "v", 0).ok());
  auto third = s->AddAttempt(Attempt(3), "default", "w", 0);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().message(),
            "Queue root.default already has 2 applications, cannot accept submission of "
            "application: application_1000_0003");
  s->RemoveAttempt(Attempt(1));
  EXPECT_TRUE(s->AddAttempt(Attempt(3), "default", "w", 0).ok());
}

TEST_F(CapacitySchedulerTest, PerUserApplicationLimit) {
  auto s = Make({{"root.default.maximum-applications", "4"},
                 {"root.default.minimum-user-limit-percent", "50"}});
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "default", "u", 0).ok());
  ASSERT_TRUE(s->AddAttempt(Attempt(2), "default", "u", 0).ok());
  auto third = s->AddAttempt(Attempt(3), "default", "u", 0);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().message(),
            "Queue root.default already has 2 applications from user u cannot accept submission "
            "of application: application_1000_0003");
  EXPECT_TRUE(s->AddAttempt(Attempt(3), "default", "v", 0).ok());
}

TEST_F(CapacitySchedulerTest, StoppedUnknownAndParentQueuesRefuse) {
  KV kv = kSeventyThirty;
  kv.push_back({"root.b.state", "STOPPED"});
  auto s = Make(kv);
  auto stopped = s->AddAttempt(Attempt(1), "b", "u", 0);
  EXPECT_EQ(stopped.status().message(),
            "Queue root.b is STOPPED. Cannot accept submission of application: "
            "application_1000_0001");
  auto unknown = s->AddAttempt(Attempt(1), "foo", "u", 0);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(),
            "Application application_1000_0001 submitted by user u to unknown queue: foo");
  auto parent = s->AddAttempt(Attempt(1), "root", "u", 0);
  EXPECT_EQ(parent.status().message(),
            "Application application_1000_0001 submitted by user u to non-leaf queue: root");
  EXPECT_EQ(*s->AddAttempt(Attempt(1), "root.a", "u", 0), "a");
  EXPECT_FALSE(s->GetQueue("b")->running);
}

TEST_F(CapacitySchedulerTest, UserQueueMappings) {
  KV kv = {{"root.queues", "default,alice,bob,eng"},
           {"root.default.capacity", "25"},
           {"root.alice.capacity", "25"},
           {"root.bob.capacity", "25"},
           {"root.eng.capacity", "25"},
           {"queue-mappings", "u:dave:bob,u:erin:%primary_group,u:%user:%user"}};
  auto s = Make(kv);
  EXPECT_EQ(*s->AddAttempt(Attempt(1), "default", "alice", 0), "alice");
  EXPECT_EQ(*s->AddAttempt(Attempt(2), "default", "dave", 0), "bob");
  EXPECT_EQ(*s->AddAttempt(Attempt(3), "default", "erin", 0), "eng");
  // An explicit queue wins unless queue-mappings-override.enable is set.
  EXPECT_EQ(*s->AddAttempt(Attempt(4), "bob", "alice", 0), "bob");
  auto carol = s->AddAttempt(Attempt(5), "default", "carol", 0);
  EXPECT_EQ(carol.status().message(),
            "Application application_1000_0005 submitted by user carol to unknown queue: carol");

  kv.push_back({"queue-mappings-override.enable", "true"});
  auto o = Make(kv);
  EXPECT_EQ(*o->AddAttempt(Attempt(1), "bob", "alice", 0), "alice");
}

TEST_F(CapacitySchedulerTest, SubmitAclsWhenAclsAreEnabled) {
  KV kv = kSeventyThirty;
  kv.insert(kv.end(), {{"yarn.acl.enable", "true"},
                       {"root.acl_submit_applications", " "},
                       {"root.acl_administer_queue", " "},
                       {"root.a.acl_submit_applications", "alice staff"},
                       {"root.b.acl_administer_queue", "bob"}});
  auto s = Make(kv);
  EXPECT_TRUE(s->AddAttempt(Attempt(1), "a", "alice", 0).ok());
  EXPECT_TRUE(s->AddAttempt(Attempt(2), "a", "erin", 0).ok());  // group staff
  EXPECT_TRUE(s->AddAttempt(Attempt(3), "b", "bob", 0).ok());   // administrators may submit
  auto denied = s->AddAttempt(Attempt(4), "a", "bob", 0);
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.status().message(),
            "User bob does not have permission to submit application_1000_0004 to queue a");

  kv[5].second = "false";  // yarn.acl.enable
  auto open = Make(kv);
  EXPECT_TRUE(open->AddAttempt(Attempt(4), "a", "bob", 0).ok());
}

TEST_F(CapacitySchedulerTest, ApplicationPriorityWithinALeaf) {
  auto order_of = [this](const KV& kv, int prio3) {
    auto s = Make(kv);
    s->AddNode(NodeId("n1", 1), Resource(1024, 8));
    Submit(*s, 1, "default", "u", 1, 1024, 0);
    Submit(*s, 2, "default", "u", 1, 1024, 2);
    Submit(*s, 3, "default", "u", 1, 1024, prio3);
    std::vector<int> order;
    for (int round = 0; round < 3; ++round) {
      auto a = s->Schedule();
      if (a.size() != 1u) break;
      order.push_back(a[0].container_id.application_id().id());
      s->ReleaseContainer(a[0].container_id);
    }
    return order;
  };
  KV kv = {{"maximum-am-resource-percent", "1.0"}};
  // yarn.cluster.max-application-priority defaults to 0: every app is priority 0, FIFO.
  EXPECT_EQ(order_of(kv, 5), (std::vector<int>{1, 2, 3}));
  kv.push_back({"yarn.cluster.max-application-priority", "10"});
  EXPECT_EQ(order_of(kv, 5), (std::vector<int>{3, 2, 1}));
  // Priority 0 takes the leaf's default-application-priority.
  kv.push_back({"root.default.default-application-priority", "3"});
  EXPECT_EQ(order_of(kv, 1), (std::vector<int>{1, 2, 3}));
}

TEST_F(CapacitySchedulerTest, UnderServedQueueFirstAcrossLevels) {
  auto s = Make({{"root.queues", "a,b"},
                 {"root.a.capacity", "50"},
                 {"root.b.capacity", "50"},
                 {"root.a.queues", "a1,a2"},
                 {"root.a.a1.capacity", "50"},
                 {"root.a.a2.capacity", "50"},
                 {"root.a.a1.user-limit-factor", "10"},
                 {"root.a.a2.user-limit-factor", "10"},
                 {"root.b.user-limit-factor", "10"}});
  s->AddNode(NodeId("n1", 1), Resource(8192, 100));
  Submit(*s, 1, "a1", "u", 20);
  Submit(*s, 2, "a2", "u", 20);
  Submit(*s, 3, "b", "u", 20);
  auto count = CountByApp(s->Schedule());
  EXPECT_EQ(count[1], 2);
  EXPECT_EQ(count[2], 2);
  EXPECT_EQ(count[3], 4);
  auto root = s->GetQueue("root");
  ASSERT_TRUE(root.ok());
  ASSERT_EQ(root->children.size(), 2u);
  EXPECT_EQ(root->children[0].children.size(), 2u);
  EXPECT_EQ(root->num_applications, 3);
  EXPECT_EQ(root->used.memory_mb, 8192);
}

TEST_F(CapacitySchedulerTest, QueueMaximumAllocationRejectsLargerAsks) {
  auto s = Make({{"root.default.maximum-allocation-mb", "2048"}});
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "default", "u", 0).ok());
  auto st = s->UpdateAsks(Attempt(1), {MakeAsk(1, 4096, 1)});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(),
              HasSubstr("yarn.scheduler.capacity.root.default.maximum-allocation-mb"));
  EXPECT_THAT(st.message(), HasSubstr("<memory:4096, vCores:1>"));
  EXPECT_TRUE(s->Pending(Attempt(1)).IsZero());
  EXPECT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 2048, 1)}).ok());
}

TEST_F(CapacitySchedulerTest, ReinitializeAddsQueuesAndRejectsBadFilesKeepingTheOldTree) {
  auto s = Make({{"root.default.user-limit-factor", "10"}});
  s->AddNode(NodeId("n1", 1), Resource(10240, 10));
  Submit(*s, 1, "default", "u", 4);
  ASSERT_EQ(s->Schedule().size(), 4u);

  conf::Configuration next = Conf({{"root.queues", "default,c"},
                                   {"root.default.capacity", "70"},
                                   {"root.c.capacity", "30"},
                                   {"root.default.user-limit-factor", "10"}});
  ASSERT_TRUE(s->Reinitialize(next).ok());
  auto def = s->GetQueue("default");
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->used.memory_mb, 4096);  // running work carried over
  EXPECT_NEAR(def->capacity, 0.7, 1e-9);
  EXPECT_EQ(def->num_applications, 1);
  EXPECT_EQ(*s->AddAttempt(Attempt(2), "c", "v", 0), "c");
  ASSERT_TRUE(s->UpdateAsks(Attempt(2), {MakeAsk(1, 1024, 1)}).ok());
  EXPECT_EQ(CountByApp(s->Schedule())[2], 1);

  conf::Configuration bad = Conf(
      {{"root.queues", "default,c"}, {"root.default.capacity", "70"}, {"root.c.capacity", "20"}});
  auto st = s->Reinitialize(bad);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("sum to 90"));
  EXPECT_NEAR(s->GetQueue("c")->capacity, 0.3, 1e-9);  // the running tree stays

  conf::Configuration dropped = Conf({{"root.queues", "c"}, {"root.c.capacity", "100"}});
  st = s->Reinitialize(dropped);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("root.default has 1 applications and cannot be removed"));
  EXPECT_TRUE(s->GetQueue("default").ok());

  // Once the apps are gone the queue may go.
  s->RemoveAttempt(Attempt(1));
  EXPECT_TRUE(s->Reinitialize(dropped).ok());
  EXPECT_FALSE(s->GetQueue("default").ok());
  EXPECT_EQ(s->GetQueue("c")->num_applications, 1);
}

TEST_F(CapacitySchedulerTest, FactoryAndConfigurationErrors) {
  conf::Configuration conf = Conf({{"root.queues", "a"}, {"root.a.capacity", "50"}});
  SchedulerOptions options{&calc_};
  options.conf = &conf;
  auto bad = MakeScheduler("capacity", options);
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("capacity-scheduler configuration"));
  auto good = MakeScheduler(CapacityScheduler::kClassName, SchedulerOptions{&calc_});
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ((*good)->ClassName(), CapacityScheduler::kClassName);
  EXPECT_TRUE((*good)->GetQueue("default").ok());
  EXPECT_EQ((*good)->GetQueue("nope").status().code(), absl::StatusCode::kNotFound);
  // Hadoop's FifoScheduler accepts -refreshQueues (reinitialize has nothing to reload).
  auto fifo = MakeScheduler("fifo", SchedulerOptions{&calc_});
  EXPECT_TRUE((*fifo)->Reinitialize(conf).ok());
}

}  // namespace
}  // namespace skein::rm
