// CapacityScheduler administration: move, priority updates, queue ACLs and queue snapshots.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resourcemanager/scheduler/capacity/capacity_test_util.h"

namespace skein::rm {
namespace {

using ::testing::HasSubstr;

// root.a (40 %), root.p (60 %: p.x 50 %, p.y 50 %), AM limit lifted.
const KV kTree = {{"root.queues", "a,p"},
                  {"root.a.capacity", "40"},
                  {"root.p.capacity", "60"},
                  {"root.p.queues", "x,y"},
                  {"root.p.x.capacity", "50"},
                  {"root.p.y.capacity", "50"},
                  {"root.a.user-limit-factor", "-1"},
                  {"root.p.x.user-limit-factor", "-1"},
                  {"root.p.y.user-limit-factor", "-1"},
                  {"maximum-am-resource-percent", "1.0"}};

KV With(KV kv, const KV& more) {
  kv.insert(kv.end(), more.begin(), more.end());
  return kv;
}

TEST_F(CapacitySchedulerTest, MoveCarriesUsageUserAndAmAccountingBetweenLeavesAndAncestors) {
  auto s = Make(kTree);
  s->AddNode(NodeId("n1", 1), Resource(10240, 100));
  Submit(*s, 1, "a", "u", 4);
  auto got = s->Schedule();
  ASSERT_EQ(got.size(), 4u);
  auto moved = s->MoveAttempt(Attempt(1), "root.p.x");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(*moved, "x");
  auto a = s->GetQueue("a");
  auto x = s->GetQueue("x");
  auto p = s->GetQueue("p");
  ASSERT_TRUE(a.ok() && x.ok() && p.ok());
  EXPECT_EQ(a->used.memory_mb, 0);
  EXPECT_EQ(a->num_applications, 0);
  EXPECT_EQ(a->num_containers, 0);
  EXPECT_TRUE(a->users.empty());
  EXPECT_EQ(x->used.memory_mb, 4096);
  EXPECT_EQ(x->num_applications, 1);
  EXPECT_EQ(x->num_containers, 4);
  EXPECT_EQ(x->am_used.memory_mb, 1024);
  ASSERT_EQ(x->users.size(), 1u);
  EXPECT_EQ(x->users[0].user, "u");
  EXPECT_EQ(x->users[0].used.memory_mb, 4096);
  EXPECT_EQ(x->users[0].am_used.memory_mb, 1024);
  EXPECT_EQ(p->used.memory_mb, 4096);
  EXPECT_EQ(s->GetQueue("root")->used.memory_mb, 4096);
  // New demand is served in x.
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(2, 1024, 1)}).ok());
  EXPECT_EQ(s->Schedule().size(), 1u);
  EXPECT_EQ(s->GetQueue("x")->used.memory_mb, 5120);
  // Releasing after the move returns capacity to the new leaf and its parent.
  s->ReleaseContainer(got[1].container_id);
  EXPECT_EQ(s->GetQueue("x")->used.memory_mb, 4096);
  EXPECT_EQ(s->GetQueue("p")->used.memory_mb, 4096);
  // Moving to the queue it is in is a no-op that names it.
  EXPECT_EQ(*s->MoveAttempt(Attempt(1), "x"), "x");
}

TEST_F(CapacitySchedulerTest, MoveErrorsNameTheQueueAndTheLimitAndChangeNothing) {
  auto s = Make(With(kTree, {{"root.p.y.state", "STOPPED"},
                             {"root.p.x.maximum-applications", "1"},
                             {"root.p.x.maximum-capacity", "100"},
                             {"root.p.maximum-capacity", "100"},
                             {"root.a.maximum-capacity", "100"}}));
  s->AddNode(NodeId("n1", 1), Resource(10240, 100));
  Submit(*s, 1, "a", "u", 2);
  Submit(*s, 2, "x", "v", 1);
  ASSERT_EQ(s->Schedule().size(), 3u);

  auto unknown_app = s->MoveAttempt(Attempt(9), "x");
  EXPECT_EQ(unknown_app.status().code(), absl::StatusCode::kNotFound);
  auto unknown = s->MoveAttempt(Attempt(1), "nosuch");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(),
            "Cannot move application application_1000_0001 to unknown queue: nosuch");
  auto parent = s->MoveAttempt(Attempt(1), "p");
  EXPECT_EQ(parent.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parent.status().message(), HasSubstr("non-leaf queue: root.p"));
  auto stopped = s->MoveAttempt(Attempt(1), "y");
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(stopped.status().message(), HasSubstr("root.p.y: the queue is STOPPED"));
  auto full = s->MoveAttempt(Attempt(1), "x");
  EXPECT_EQ(full.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(full.status().message(),
            "Cannot move application application_1000_0001 to queue root.p.x: the queue already "
            "has 1 applications, its maximum-applications is 1");
  EXPECT_EQ(s->GetQueue("a")->used.memory_mb, 2048);
  EXPECT_EQ(s->GetQueue("a")->num_applications, 1);
  EXPECT_EQ(s->GetQueue("x")->num_applications, 1);
}

TEST_F(CapacitySchedulerTest, MoveRefusesWhenTheTargetsMaximumCapacityCannotHoldTheApp) {
  auto s =
      Make(With(kTree, {{"root.p.maximum-capacity", "70"}, {"root.p.x.maximum-capacity", "50"}}));
  s->AddNode(NodeId("n1", 1), Resource(10240, 100));
  Submit(*s, 1, "a", "u", 4);
  ASSERT_EQ(s->Schedule().size(), 4u);
  // x may hold 10240 x 0.7 x 0.5 = 3584 MB (its own maximum, below its parent's).
  auto over = s->MoveAttempt(Attempt(1), "x");
  EXPECT_EQ(over.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(over.status().message(),
              HasSubstr("it holds <memory:4096, vCores:4> and queue root.p.x uses <memory:0, "
                        "vCores:0> of its maximum-capacity <memory:3584"));
  EXPECT_EQ(s->GetQueue("a")->used.memory_mb, 4096);
  s->ReleaseContainer(ContainerId::Make(Attempt(1), 0, 4));
  EXPECT_TRUE(s->MoveAttempt(Attempt(1), "x").ok());
}

TEST_F(CapacitySchedulerTest, UpdatePriorityReranksInTheLeafAndIsCapped) {
  auto s = Make(
      {{"maximum-am-resource-percent", "1.0"}, {"yarn.cluster.max-application-priority", "10"}});
  s->AddNode(NodeId("n1", 1), Resource(1024, 8));
  Submit(*s, 1, "default", "u", 2, 1024, 1);
  Submit(*s, 2, "default", "u", 2, 1024, 1);
  auto first = s->Schedule();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].container_id.application_id().id(), 1);
  auto applied = s->UpdateAttemptPriority(Attempt(2), 50);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 10);
  s->ReleaseContainer(first[0].container_id);
  auto next = s->Schedule();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].container_id.application_id().id(), 2);
  EXPECT_EQ(*s->UpdateAttemptPriority(Attempt(2), -3), 0);
  EXPECT_EQ(s->UpdateAttemptPriority(Attempt(9), 1).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(CapacitySchedulerTest, QueueAclsInheritFromAncestors) {
  auto s = Make(With(kTree, {{"yarn.acl.enable", "true"},
                             {"root.acl_submit_applications", " "},
                             {"root.acl_administer_queue", "root-admin"},
                             {"root.a.acl_submit_applications", "alice"},
                             {"root.p.acl_submit_applications", "carol eng"},
                             {"root.p.x.acl_administer_queue", "xavier"}}));
  auto submit = QueueAccess::kSubmitApplications;
  auto admin = QueueAccess::kAdministerQueue;
  EXPECT_TRUE(s->HasAccess("a", "alice", submit));
  EXPECT_FALSE(s->HasAccess("a", "alice", admin));
  EXPECT_FALSE(s->HasAccess("a", "bob", submit));
  EXPECT_FALSE(s->HasAccess("a", "carol", submit));
  EXPECT_TRUE(s->HasAccess("root.p.x", "carol", submit));  // allowed on the parent
  EXPECT_TRUE(s->HasAccess("y", "erin", submit));          // group eng on the parent
  EXPECT_TRUE(s->HasAccess("x", "xavier", submit));        // administrators may submit
  EXPECT_TRUE(s->HasAccess("x", "xavier", admin));
  EXPECT_FALSE(s->HasAccess("y", "xavier", admin));
  EXPECT_TRUE(s->HasAccess("y", "root-admin", admin));  // root's administrators everywhere
  EXPECT_FALSE(s->HasAccess("nosuch", "root-admin", admin));
  // Hadoop's defaults: root allows everyone, so every queue does.
  auto open = Make(kTree);
  EXPECT_TRUE(open->HasAccess("x", "anyone", admin));
}

TEST_F(CapacitySchedulerTest, QueueSnapshotFillsLimitsCountsAndUsers) {
  auto s = Make({{"root.queues", "a,b"},
                 {"root.a.capacity", "60"},
                 {"root.a.maximum-capacity", "80"},
                 {"root.b.capacity", "40"},
                 {"root.a.user-limit-factor", "2"},
                 {"root.a.minimum-user-limit-percent", "50"},
                 {"root.a.maximum-applications", "7"},
                 {"root.a.maximum-am-resource-percent", "0.2"},
                 {"root.a.default-application-priority", "3"},
                 {"root.b.disable_preemption", "true"}});
  s->AddNode(NodeId("n1", 1), Resource(10240, 100));
  Submit(*s, 1, "a", "u", 3);
  Submit(*s, 2, "a", "v", 2);
  Submit(*s, 3, "a", "v", 1, 2048);  // AM limit 10240 x 0.6 x 0.2 = 1228 MB: held
  s->Schedule();
  auto a = s->GetQueue("root.a");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_NEAR(a->absolute_capacity, 0.6, 1e-9);
  EXPECT_NEAR(a->absolute_maximum_capacity, 0.8, 1e-9);
  EXPECT_EQ(a->num_applications, 3);
  EXPECT_EQ(a->num_pending_applications, 2);
  EXPECT_EQ(a->num_active_applications, 1);
  EXPECT_EQ(a->max_applications, 7);
  EXPECT_EQ(a->max_applications_per_user, 7);  // 7 x min(1, 50 % x 2)
  EXPECT_NEAR(a->max_am_resource_percent, 0.2, 1e-9);
  EXPECT_NEAR(a->user_limit_factor, 2.0, 1e-9);
  EXPECT_EQ(a->minimum_user_limit_percent, 50);
  EXPECT_EQ(a->default_application_priority, 3);
  EXPECT_FALSE(a->preemption_disabled);
  EXPECT_EQ(a->am_limit.memory_mb, 1228);
  // u's AM starts (a queue with no AM always starts one) and u gets its two more containers;
  // v's two AMs would take the AM usage over 1228 MB: both apps wait for activation.
  int64_t used = a->used.memory_mb;
  EXPECT_EQ(a->num_containers, used / 1024);
  EXPECT_NEAR(a->absolute_used_capacity, used / 10240.0, 1e-9);
  EXPECT_EQ(a->pending.memory_mb, (3 + 2) * 1024 + 2048 - used);
  ASSERT_EQ(a->users.size(), 2u);
  EXPECT_EQ(a->users[0].user, "u");
  EXPECT_EQ(a->users[1].user, "v");
  EXPECT_EQ(a->users[0].used.memory_mb + a->users[1].used.memory_mb, used);
  EXPECT_EQ(a->users[0].am_used.memory_mb + a->users[1].am_used.memory_mb, a->am_used.memory_mb);
  EXPECT_EQ(a->users[0].active_applications, 1);
  EXPECT_EQ(a->users[0].pending_applications, 0);
  EXPECT_EQ(a->users[1].pending_applications, 2);
  EXPECT_EQ(a->used.memory_mb, 3072);
  EXPECT_GT(a->users[0].user_limit.memory_mb, 0);
  auto b = s->GetQueue("b");
  EXPECT_TRUE(b->preemption_disabled);
  auto root = s->GetQueue("root");
  EXPECT_EQ(root->num_applications, 3);
  EXPECT_EQ(root->num_pending_applications, 2);
  EXPECT_EQ(root->num_containers, a->num_containers);
  EXPECT_EQ(root->pending.memory_mb, a->pending.memory_mb);
}

TEST_F(CapacitySchedulerTest, DisablePreemptionIsInheritedUnlessOverridden) {
  auto s = Make(With(
      kTree, {{"root.p.disable_preemption", "true"}, {"root.p.y.disable_preemption", "false"}}));
  EXPECT_FALSE(s->GetQueue("a")->preemption_disabled);
  EXPECT_TRUE(s->GetQueue("p")->preemption_disabled);
  EXPECT_TRUE(s->GetQueue("x")->preemption_disabled);
  EXPECT_FALSE(s->GetQueue("y")->preemption_disabled);
  conf::Configuration bad = Conf(With(kTree, {{"root.a.disable_preemption", "maybe"}}));
  SchedulerOptions options{&calc_};
  options.conf = &bad;
  auto made = CapacityScheduler::Create(options);
  ASSERT_FALSE(made.ok());
  EXPECT_THAT(made.status().message(), HasSubstr("root.a.disable_preemption"));
}

}  // namespace
}  // namespace skein::rm
