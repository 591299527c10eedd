#include "resourcemanager/scheduler/fair/fair_scheduler.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::rm {
namespace {

using ::testing::HasSubstr;

ApplicationAttemptId Attempt(int app) { return ApplicationAttemptId(ApplicationId(2000, app), 1); }

Ask MakeAsk(int priority, int64_t mem, int64_t vcores, int n) {
  Ask a;
  a.priority = priority;
  a.capability = Resource(mem, vcores);
  a.num_containers = n;
  return a;
}

// No AM limit unless a test sets one: most tests are about sharing between queues.
constexpr char kNoAmLimit[] = "<queueMaxAMShareDefault>-1</queueMaxAMShareDefault>\n";

class FairSchedulerTest : public ::testing::Test {
 public:
  std::unique_ptr<FairScheduler> Make(const std::string& body, FairSiteConfig site = {},
                                      const ResourceCalculator* calc = nullptr) {
    auto alloc = AllocationConfig::Parse("<allocations>\n" + body + "</allocations>\n",
                                         "fair-scheduler.xml", site);
    EXPECT_TRUE(alloc.ok()) << alloc.status();
    if (!alloc.ok()) return nullptr;
    SchedulerOptions options{calc != nullptr ? calc : &calc_};
    options.user_groups = [](const std::string& user) {
      if (user == "erin") return std::vector<std::string>{"eng", "staff"};
      if (user == "finn") return std::vector<std::string>{"ops", "analysts"};
      return std::vector<std::string>{};
    };
    auto s = FairScheduler::CreateWith(options, site, std::move(*alloc));
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  static void Submit(Scheduler& s, int id, const std::string& queue, const std::string& user, int n,
                     int64_t mem = 1024, int64_t vcores = 1, int32_t prio = 0) {
    auto q = s.AddAttempt(Attempt(id), queue, user, prio);
    ASSERT_TRUE(q.ok()) << q.status();
    ASSERT_TRUE(s.UpdateAsks(Attempt(id), {MakeAsk(1, mem, vcores, n)}).ok());
  }
  static std::map<int, int> CountByApp(const std::vector<Allocation>& allocs) {
    std::map<int, int> count;
    for (const Allocation& a : allocs) ++count[a.container_id.application_id().id()];
    return count;
  }
  static QueueSnapshot Queue(const Scheduler& s, const std::string& name) {
    auto q = s.GetQueue(name);
    EXPECT_TRUE(q.ok()) << q.status();
    return q.ok() ? *q : QueueSnapshot();
  }

  DefaultResourceCalculator calc_;
};

TEST_F(FairSchedulerTest, WeightsOneToThreeShareABusyCluster25To75) {
  auto s = Make(std::string(kNoAmLimit) +
                "<queue name=\"a\"><weight>1</weight></queue>\n"
                "<queue name=\"b\"><weight>3</weight></queue>\n");
  s->AddNode(NodeId("n1", 1), Resource(16384, 64));
  Submit(*s, 1, "a", "u", 40);
  Submit(*s, 2, "b", "v", 40);
  auto count = CountByApp(s->Schedule());
  EXPECT_EQ(count[1], 4);
  EXPECT_EQ(count[2], 12);
  QueueSnapshot a = Queue(*s, "root.a"), b = Queue(*s, "b");
  ASSERT_TRUE(a.has_fair);
  EXPECT_EQ(a.fair.fair_share.memory_mb, 4096);  // root.default is idle: 1:3 of the cluster
  EXPECT_EQ(b.fair.fair_share.memory_mb, 12288);
  EXPECT_EQ(a.fair.fair_share.vcores, 0);  // the fair policy shares memory only
  EXPECT_NEAR(a.fair.steady_fair_share.memory_mb, 16384 / 5, 1);  // a:b:default = 1:3:1
  EXPECT_NEAR(b.fair.steady_fair_share.memory_mb, 16384 * 3 / 5, 1);
  EXPECT_DOUBLE_EQ(a.fair.weight, 1.0);
  EXPECT_EQ(a.fair.scheduling_policy, "fair");
  EXPECT_EQ(a.used.memory_mb, 4096);
  EXPECT_NEAR(a.absolute_capacity, 0.25, 1e-9);
  EXPECT_NEAR(b.absolute_used_capacity, 0.75, 1e-9);
  EXPECT_EQ(a.fair.demand.memory_mb, 40 * 1024);
  EXPECT_EQ(a.num_containers, 4);
  ASSERT_EQ(a.users.size(), 1u);
  EXPECT_EQ(a.users[0].user, "u");
  QueueSnapshot root = Queue(*s, "root");
  EXPECT_EQ(root.children.size(), 3u);
  EXPECT_EQ(root.num_applications, 2);
  EXPECT_TRUE(root.fair.is_parent);
}

TEST_F(FairSchedulerTest, MinShareIsServedFirst) {
  auto s = Make(std::string(kNoAmLimit) +
                "<queue name=\"a\"><minResources>6144 mb, 1 vcores</minResources></queue>\n"
                "<queue name=\"b\"/>\n");
  s->AddNode(NodeId("n1", 1), Resource(8192, 64));
  Submit(*s, 1, "b", "v", 20);  // b asks first
  Submit(*s, 2, "a", "u", 20);
  auto count = CountByApp(s->Schedule());
  EXPECT_EQ(count[2], 6);
  EXPECT_EQ(count[1], 2);
  EXPECT_EQ(Queue(*s, "a").fair.fair_share.memory_mb, 6144);
  EXPECT_EQ(Queue(*s, "b").fair.fair_share.memory_mb, 2048);
  EXPECT_EQ(Queue(*s, "a").fair.min_resources, Resource(6144, 1));
}

TEST_F(FairSchedulerTest, MaxResourcesCapsAQueue) {
  auto s = Make(std::string(kNoAmLimit) +
                "<queue name=\"a\"><maxResources>3072 mb, 10 vcores</maxResources></queue>\n");
  s->AddNode(NodeId("n1", 1), Resource(16384, 64));
  Submit(*s, 1, "a", "u", 10);
  auto first = s->Schedule();
  EXPECT_EQ(first.size(), 3u);
  EXPECT_TRUE(s->Schedule().empty());
  EXPECT_EQ(Queue(*s, "a").fair.fair_share.memory_mb, 3072);
  EXPECT_EQ(Queue(*s, "a").fair.max_resources, Resource(3072, 10));
  EXPECT_EQ(s->Headroom(Attempt(1)).memory_mb, 0);
  s->ReleaseContainer(first[1].container_id);
  EXPECT_EQ(s->Schedule().size(), 1u);
}

TEST_F(FairSchedulerTest, DrfAcrossMemoryAndVcores) {
  // The classic DRF example with the two resources swapped: A's tasks <1 GB, 4 vcores> are
  // vcore-dominant (2/9 of the cluster each), B's <3 GB, 1 vcore> memory-dominant (1/3 each).
  // Equal dominant shares: A 3 tasks (12/18 vcores), B 2 tasks (6/9 GB); then memory is full.
  DominantResourceCalculator drc;
  auto s = Make(std::string(kNoAmLimit) +
                    "<defaultQueueSchedulingPolicy>drf</defaultQueueSchedulingPolicy>\n"
                    "<queue name=\"a\"/><queue name=\"b\"/>\n",
                {}, &drc);
  s->AddNode(NodeId("n1", 1), Resource(9216, 18));
  Submit(*s, 1, "a", "u", 10, 1024, 4);
  Submit(*s, 2, "b", "v", 10, 3072, 1);
  auto count = CountByApp(s->Schedule());
  EXPECT_EQ(count[1], 3);
  EXPECT_EQ(count[2], 2);
  EXPECT_EQ(s->UsedResource(), Resource(9216, 14));
  // DRF splits every resource type: half of each for the two active queues.
  EXPECT_EQ(Queue(*s, "a").fair.fair_share, Resource(4608, 9));
  EXPECT_EQ(Queue(*s, "a").fair.scheduling_policy, "drf");
}

TEST_F(FairSchedulerTest, DrfBreaksDominantShareTiesByTheNextShare) {
  // Both apps hold 40 % of the memory (their dominant share); app 1 also 20 % of the vcores, app
  // 2 only 10 %. Hadoop compares the next share on a tie: app 2 is served first although app 1
  // was submitted earlier. The room left holds one container.
  DominantResourceCalculator drc;
  auto s = Make(std::string(kNoAmLimit) +
                    "<queue name=\"d\"><schedulingPolicy>drf</schedulingPolicy></queue>\n",
                {}, &drc);
  s->AddNode(NodeId("n1", 1), Resource(5120, 10));
  for (int app : {1, 2}) ASSERT_TRUE(s->AddAttempt(Attempt(app), "d", "u", 0).ok());
  auto running = [](int app, int64_t vcores) {
    Allocation a;
    a.container_id = ContainerId::Make(Attempt(app), 0, 1);
    a.node = NodeId("n1", 1);
    a.resource = Resource(2048, vcores);
    return a;
  };
  ASSERT_TRUE(s->RecoverContainer(Attempt(1), running(1, 2), true).ok());
  ASSERT_TRUE(s->RecoverContainer(Attempt(2), running(2, 1), true).ok());
  for (int app : {1, 2}) {
    ASSERT_TRUE(s->UpdateAsks(Attempt(app), {MakeAsk(1, 1024, 1, 1)}).ok());
  }
  auto allocs = s->Schedule();
  ASSERT_EQ(allocs.size(), 1u);
  EXPECT_EQ(allocs[0].container_id.application_attempt_id(), Attempt(2));
  // With equal shares in both types the submission order decides: app 1.
  auto t = Make(std::string(kNoAmLimit) +
                    "<queue name=\"d\"><schedulingPolicy>drf</schedulingPolicy></queue>\n",
                {}, &drc);
  t->AddNode(NodeId("n1", 1), Resource(5120, 10));
  for (int app : {1, 2}) ASSERT_TRUE(t->AddAttempt(Attempt(app), "d", "u", 0).ok());
  ASSERT_TRUE(t->RecoverContainer(Attempt(1), running(1, 1), true).ok());
  ASSERT_TRUE(t->RecoverContainer(Attempt(2), running(2, 1), true).ok());
  for (int app : {1, 2}) {
    ASSERT_TRUE(t->UpdateAsks(Attempt(app), {MakeAsk(1, 1024, 1, 1)}).ok());
  }
  allocs = t->Schedule();
  ASSERT_EQ(allocs.size(), 1u);
  EXPECT_EQ(allocs[0].container_id.application_attempt_id(), Attempt(1));
}

TEST_F(FairSchedulerTest, FifoInsideALeafServesPriorityThenSubmission) {
  FairSiteConfig site;
  site.max_application_priority = 10;
  auto s = Make(std::string(kNoAmLimit) +
                    "<queue name=\"f\"><schedulingPolicy>fifo</schedulingPolicy></queue>\n"
                    "<queue name=\"g\"/>\n",
                site);
  s->AddNode(NodeId("n1", 1), Resource(4096, 64));
  Submit(*s, 1, "f", "u", 10);
  Submit(*s, 2, "f", "u", 10, 1024, 1, /*prio=*/5);
  Submit(*s, 3, "f", "u", 10);
  auto count = CountByApp(s->Schedule());
  EXPECT_EQ(count[2], 4);  // the highest application priority takes everything first
  EXPECT_EQ(Queue(*s, "f").fair.scheduling_policy, "fifo");
  ASSERT_TRUE(s->UpdateAttemptPriority(Attempt(3), 7).ok());
  ASSERT_TRUE(s->UpdateAsks(Attempt(2), {MakeAsk(1, 1024, 1, 0)}).ok());
  for (const ContainerId& c : s->RemoveAttempt(Attempt(2))) (void)c;
  count = CountByApp(s->Schedule());
  EXPECT_EQ(count[3], 4);  // raised to 7: ahead of app 1, submitted earlier
  // The same apps in a fair leaf take turns.
  auto t = Make(std::string(kNoAmLimit) + "<queue name=\"g\"/>\n", site);
  t->AddNode(NodeId("n1", 1), Resource(4096, 64));
  Submit(*t, 1, "g", "u", 10);
  Submit(*t, 2, "g", "u", 10, 1024, 1, 5);
  count = CountByApp(t->Schedule());
  EXPECT_EQ(count[1], 2);
  EXPECT_EQ(count[2], 2);
}

TEST_F(FairSchedulerTest, PlacementRules) {
  auto s = Make(R"(
<queue name="eng" type="parent"/>
<queue name="analysts"/>
<queue name="known"/>
<queuePlacementPolicy>
  <rule name="specified" create="false"/>
  <rule name="secondaryGroupExistingQueue"/>
  <rule name="user" create="false"/>
  <rule name="nestedUserQueue" create="true"><rule name="primaryGroup" create="false"/></rule>
  <rule name="default" queue="known"/>
</queuePlacementPolicy>
)");
  EXPECT_EQ(*s->AddAttempt(Attempt(1), "known", "zed", 0), "root.known");  // specified
  EXPECT_EQ(*s->AddAttempt(Attempt(2), "root.known", "zed", 0), "root.known");
  // specified names a missing queue (create=false): falls through; zed has no queue: default.
  EXPECT_EQ(*s->AddAttempt(Attempt(3), "nowhere", "zed", 0), "root.known");
  EXPECT_EQ(s->GetQueue("nowhere").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*s->AddAttempt(Attempt(4), "default", "finn", 0), "root.analysts");  // secondary
  EXPECT_EQ(*s->AddAttempt(Attempt(5), "default", "known", 0), "root.known");    // user
  EXPECT_EQ(*s->AddAttempt(Attempt(6), "default", "erin", 0), "root.eng.erin");  // nested
  EXPECT_TRUE(Queue(*s, "eng.erin").fair.max_running_apps == -1);
  auto parent = s->AddAttempt(Attempt(7), "eng", "zed", 0);
  ASSERT_FALSE(parent.ok());
  EXPECT_THAT(parent.status().message(), HasSubstr("root.eng (placement rule specified): it is "
                                                   "a parent queue"));

  auto p = Make(R"(
<queuePlacementPolicy>
  <rule name="specified"/>
  <rule name="reject"/>
</queuePlacementPolicy>
)");
  EXPECT_EQ(*p->AddAttempt(Attempt(1), "x", "zed", 0), "root.x");  // created
  auto rejected = p->AddAttempt(Attempt(2), "default", "zed", 0);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(rejected.status().message(),
              HasSubstr("Application application_2000_0002 submitted by user zed to queue default "
                        "was rejected by the queue placement policy (rule reject"));
  auto g = Make("<queuePlacementPolicy><rule name=\"primaryGroup\"/></queuePlacementPolicy>\n");
  EXPECT_EQ(*g->AddAttempt(Attempt(1), "x", "erin", 0), "root.eng");  // created
  EXPECT_EQ(g->AddAttempt(Attempt(2), "x", "nogroups", 0).status().code(),
            absl::StatusCode::kNotFound);  // no group, nothing after the rule

  // No policy in the file: specified, then user (both create), as YARN's implied policy.
  auto d = Make("");
  EXPECT_EQ(*d->AddAttempt(Attempt(1), "default", "ann", 0), "root.ann");
  EXPECT_EQ(*d->AddAttempt(Attempt(2), "adhoc", "ann", 0), "root.adhoc");
  EXPECT_EQ(*d->AddAttempt(Attempt(3), "default", "a.b", 0), "root.a_dot_b");
  FairSiteConfig closed;
  closed.allow_undeclared_pools = false;
  auto c = Make("", closed);
  EXPECT_EQ(*c->AddAttempt(Attempt(1), "adhoc", "ann", 0), "root.default");
  EXPECT_EQ(c->AddAttempt(Attempt(1), "adhoc", "ann", 0).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(FairSchedulerTest, AclsDecideSubmissionAndAccess) {
  FairSiteConfig site;
  site.acl_enabled = true;
  auto s = Make(R"(
<queue name="root">
  <aclSubmitApps>nobody</aclSubmitApps><aclAdministerApps>nobody</aclAdministerApps>
  <queue name="a"><aclSubmitApps>alice staff</aclSubmitApps></queue>
  <queue name="b"><aclAdministerApps>bob</aclAdministerApps></queue>
</queue>
<queuePlacementPolicy><rule name="specified" create="false"/><rule name="reject"/>
</queuePlacementPolicy>
)",
                site);
  EXPECT_TRUE(s->HasAccess("a", "alice", QueueAccess::kSubmitApplications));
  EXPECT_TRUE(s->HasAccess("root.a", "erin", QueueAccess::kSubmitApplications));  // staff
  EXPECT_FALSE(s->HasAccess("a", "alice", QueueAccess::kAdministerQueue));
  EXPECT_TRUE(s->HasAccess("b", "bob", QueueAccess::kSubmitApplications));
  EXPECT_FALSE(s->HasAccess("a", "bob", QueueAccess::kSubmitApplications));
  EXPECT_FALSE(s->HasAccess("nope", "alice", QueueAccess::kSubmitApplications));
  EXPECT_TRUE(s->AddAttempt(Attempt(1), "a", "alice", 0).ok());
  auto denied = s->AddAttempt(Attempt(2), "a", "bob", 0);
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(denied.status().message(),
              HasSubstr("User bob cannot submit applications to queue root.a"));
}

TEST_F(FairSchedulerTest, MaxRunningAppsHoldsTheThirdApp) {
  auto s = Make(std::string(kNoAmLimit) +
                "<queue name=\"a\"><maxRunningApps>2</maxRunningApps></queue>\n"
                "<user name=\"solo\"><maxRunningApps>1</maxRunningApps></user>\n");
  s->AddNode(NodeId("n1", 1), Resource(16384, 64));
  Submit(*s, 1, "a", "u", 1);
  Submit(*s, 2, "a", "u", 1);
  Submit(*s, 3, "a", "u", 1);
  auto count = CountByApp(s->Schedule());
  EXPECT_EQ(count[1], 1);
  EXPECT_EQ(count[2], 1);
  EXPECT_EQ(count[3], 0);
  EXPECT_THAT(s->PendingReason(Attempt(3)),
              HasSubstr("Queue root.a already runs 2 applications, its maxRunningApps limit 2"));
  QueueSnapshot a = Queue(*s, "a");
  EXPECT_EQ(a.num_active_applications, 2);
  EXPECT_EQ(a.num_pending_applications, 1);
  EXPECT_EQ(a.max_applications, 2);
  (void)s->RemoveAttempt(Attempt(1));
  EXPECT_EQ(CountByApp(s->Schedule())[3], 1);
  EXPECT_EQ(s->PendingReason(Attempt(3)), "");

  Submit(*s, 4, "b", "solo", 1);
  Submit(*s, 5, "c", "solo", 1);
  EXPECT_THAT(s->PendingReason(Attempt(5)),
              HasSubstr("User solo already runs 1 applications, the user's maxRunningApps "
                        "limit 1"));
  EXPECT_EQ(CountByApp(s->Schedule())[5], 0);
}

TEST_F(FairSchedulerTest, MaxAmShareHoldsAnAmWithTheNumbers) {
  auto s = Make("<queue name=\"a\"><maxAMShare>0.25</maxAMShare></queue>\n");
  s->AddNode(NodeId("n1", 1), Resource(8192, 64));
  Submit(*s, 1, "a", "u", 1, 2048);
  EXPECT_EQ(s->Schedule().size(), 1u);  // 2048 = 0.25 x the fair share 8192
  Submit(*s, 2, "a", "u", 1, 1024);
  EXPECT_TRUE(s->Schedule().empty());
  std::string reason = s->PendingReason(Attempt(2));
  EXPECT_THAT(reason, HasSubstr("Application is added to the scheduler and is not yet "
                                "activated. (Resource request: <memory:1024, vCores:1> exceeds "
                                "maximum AM resource allowed)"));
  EXPECT_THAT(reason, HasSubstr("maxAMShare = 0.25"));
  EXPECT_THAT(reason, HasSubstr("Queue Resource Limit for AM = <memory:2048"));
  EXPECT_THAT(reason, HasSubstr("Queue AM Resource Usage = <memory:2048, vCores:1>"));
  EXPECT_EQ(Queue(*s, "a").am_used.memory_mb, 2048);
  (void)s->RemoveAttempt(Attempt(1));
  EXPECT_EQ(s->Schedule().size(), 1u);
  EXPECT_EQ(s->PendingReason(Attempt(2)), "");
}

TEST_F(FairSchedulerTest, MoveCarriesUsageAndChecksTheTargetsLimits) {
  auto s = Make(std::string(kNoAmLimit) +
                "<queue name=\"a\"/><queue name=\"b\"/>\n"
                "<queue name=\"small\"><maxResources>1024 mb, 4 vcores</maxResources></queue>\n"
                "<queue name=\"p\" type=\"parent\"/>\n");
  s->AddNode(NodeId("n1", 1), Resource(8192, 64));
  Submit(*s, 1, "a", "u", 2);
  ASSERT_EQ(s->Schedule().size(), 2u);
  auto moved = s->MoveAttempt(Attempt(1), "b");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(*moved, "root.b");
  EXPECT_EQ(Queue(*s, "a").used.memory_mb, 0);
  EXPECT_EQ(Queue(*s, "b").used.memory_mb, 2048);
  auto full = s->MoveAttempt(Attempt(1), "small");
  EXPECT_EQ(full.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(full.status().message(), HasSubstr("above its maxResources"));
  EXPECT_EQ(s->MoveAttempt(Attempt(1), "nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s->MoveAttempt(Attempt(1), "p").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Queue(*s, "b").used.memory_mb, 2048);  // failed moves change nothing
}

TEST_F(FairSchedulerTest, ReinitializeAddsQueuesAndKeepsTheOldFileWhenTheNewOneIsBad) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "fair_reload_test";
  std::filesystem::create_directories(dir);
  std::string file = (dir / "fair-scheduler.xml").string();
  std::ofstream(file) << "<allocations>\n<queue name=\"a\"/>\n<queue name=\"gone\"/>\n"
                         "</allocations>\n";
  conf::Configuration conf;
  conf.Set("yarn.scheduler.fair.allocation.file", file);
  SchedulerOptions options{&calc_};
  options.conf = &conf;
  auto made = MakeScheduler("fair", options);
  ASSERT_TRUE(made.ok()) << made.status();
  Scheduler& s = **made;
  EXPECT_EQ(s.ClassName(), FairScheduler::kClassName);
  EXPECT_EQ(s.ReloadableFiles(), std::vector<std::string>{file});
  s.AddNode(NodeId("n1", 1), Resource(8192, 64));
  Submit(s, 1, "gone", "u", 1);
  EXPECT_EQ(s.Schedule().size(), 1u);

  std::ofstream(file) << "<allocations>\n<queue name=\"a\"/>\n<queue name=\"b\">"
                         "<weight>2</weight></queue>\n</allocations>\n";
  ASSERT_TRUE(s.Reinitialize(conf).ok());
  EXPECT_DOUBLE_EQ(Queue(s, "b").fair.weight, 2.0);
  EXPECT_EQ(Queue(s, "gone").used.memory_mb, 1024);  // still holds an app: kept

  std::ofstream(file) << "<allocations>\n<queue name=\"c\">\n<weight>heavy</weight>\n"
                         "</queue>\n</allocations>\n";
  absl::Status bad = s.Reinitialize(conf);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.message(), HasSubstr(file + ":3: queue root.c: <weight> \"heavy\""));
  EXPECT_TRUE(s.GetQueue("b").ok());
  EXPECT_FALSE(s.GetQueue("c").ok());

  std::ofstream(file) << "<allocations><queue name=\"gone\"><queue name=\"x\"/></queue>"
                         "</allocations>\n";
  absl::Status parent = s.Reinitialize(conf);
  EXPECT_THAT(parent.message(), HasSubstr("leaf queue root.gone has 1 applications and cannot "
                                          "become a parent queue"));
  EXPECT_TRUE(s.GetQueue("b").ok());
  EXPECT_TRUE(s.RemoveAttempt(Attempt(1)).size() == 1);
}

TEST_F(FairSchedulerTest, FairSharePreemptionWarnsThenKills) {
  FairSiteConfig site;
  site.preemption = true;
  auto s = Make(std::string(kNoAmLimit) +
                    "<defaultFairSharePreemptionTimeout>5</defaultFairSharePreemptionTimeout>\n"
                    "<queue name=\"a\"/><queue name=\"b\"/>\n",
                site);
  EXPECT_EQ(s->PreemptionIntervalMs(), 500);
  s->AddNode(NodeId("n1", 1), Resource(8192, 64));
  Submit(*s, 1, "a", "u", 8);
  auto first = s->Schedule();
  ASSERT_EQ(first.size(), 8u);
  Submit(*s, 2, "b", "v", 4);
  EXPECT_TRUE(s->SelectPreemption(0).to_warn.empty());
  EXPECT_TRUE(s->SelectPreemption(5000).to_warn.empty());  // not starved long enough yet
  PreemptionRound round = s->SelectPreemption(6000);
  ASSERT_EQ(round.to_warn.size(), 4u);  // b's fair share (4096) taken from a
  for (const ContainerId& c : round.to_warn) {
    EXPECT_NE(c, first[0].container_id);  // the AM container goes last
    EXPECT_EQ(c.application_attempt_id(), Attempt(1));
  }
  EXPECT_EQ(round.to_warn[0], first[7].container_id);      // newest first
  EXPECT_TRUE(s->SelectPreemption(7000).to_warn.empty());  // already on their way back
  PreemptionRound kill = s->SelectPreemption(6000 + 15000);
  EXPECT_EQ(kill.to_kill.size(), 4u);
  for (const ContainerId& c : kill.to_kill) s->ReleaseContainer(c);
  EXPECT_EQ(CountByApp(s->Schedule())[2], 4);
}

TEST_F(FairSchedulerTest, NoPreemptionBelowTheUtilizationThresholdOrWhenOff) {
  FairSiteConfig site;
  site.preemption = true;
  auto s = Make(std::string(kNoAmLimit) +
                    "<queue name=\"a\"><minSharePreemptionTimeout>1</minSharePreemptionTimeout>"
                    "</queue>\n<queue name=\"b\"><minResources>4096 mb, 1 vcores</minResources>"
                    "<minSharePreemptionTimeout>1</minSharePreemptionTimeout></queue>\n",
                site);
  s->AddNode(NodeId("n1", 1), Resource(10240, 64));
  Submit(*s, 1, "a", "u", 7);  // 70 % busy: under the 0.8 threshold
  ASSERT_EQ(s->Schedule().size(), 7u);
  ASSERT_TRUE(s->AddAttempt(Attempt(2), "b", "v", 0).ok());
  ASSERT_TRUE(s->UpdateAsks(Attempt(2), {MakeAsk(1, 8192, 1, 1)}).ok());  // does not fit
  (void)s->SelectPreemption(0);
  EXPECT_TRUE(s->SelectPreemption(5000).to_warn.empty());
  Submit(*s, 3, "a", "w", 1);
  ASSERT_EQ(s->Schedule().size(), 1u);  // 80 %: min-share starvation of b now preempts
  // b is owed its min share (4096) but a gives only what it holds above its fair share (5120).
  EXPECT_EQ(s->SelectPreemption(6000).to_warn.size(), 3u);
  auto off = Make("");
  EXPECT_EQ(off->PreemptionIntervalMs(), 0);
}

TEST_F(FairSchedulerTest, UnknownAttemptsAndQueues) {
  auto s = Make("");
  EXPECT_EQ(s->UpdateAsks(Attempt(9), {MakeAsk(1, 1024, 1, 1)}).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(s->GetQueue("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s->PendingReason(Attempt(9)), "");
  EXPECT_EQ(s->UpdateAttemptPriority(Attempt(9), 1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s->MoveAttempt(Attempt(9), "default").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(s->RemoveAttempt(Attempt(9)).empty());
  conf::Configuration conf;
  conf.Set("yarn.scheduler.fair.allocation.file", "/nonexistent/fair.xml");
  SchedulerOptions options{&calc_};
  options.conf = &conf;
  auto bad = MakeScheduler(FairScheduler::kClassName, options);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(bad.status().message(), HasSubstr("/nonexistent/fair.xml"));
}

}  // namespace
}  // namespace skein::rm

namespace skein::rm {
namespace {

TEST_F(FairSchedulerTest, NodesFitByVcoresEvenWithTheDefaultCalculator) {
  auto s = Make(kNoAmLimit);
  s->AddNode(NodeId("n1", 1), Resource(16384, 4));
  Submit(*s, 1, "a", "u", 10);  // 1 GB, 1 vcore each: the 4 vcores run out before memory
  EXPECT_EQ(s->Schedule().size(), 4u);
  EXPECT_EQ(s->NodeUsed(NodeId("n1", 1)), Resource(4096, 4));
}

}  // namespace
}  // namespace skein::rm

namespace skein::rm {
namespace {

TEST_F(FairSchedulerTest, MovesRespectMaxRunningAppsAndFreeWaitingApps) {
  auto s = Make(std::string(kNoAmLimit) +
                "<queue name=\"one\"><maxRunningApps>1</maxRunningApps></queue>\n"
                "<queue name=\"two\"><maxRunningApps>1</maxRunningApps></queue>\n");
  s->AddNode(NodeId("n1", 1), Resource(8192, 64));
  Submit(*s, 1, "one", "u", 1);
  Submit(*s, 2, "one", "u", 1);  // waits: one runs app 1
  Submit(*s, 3, "two", "u", 1);
  EXPECT_FALSE(s->PendingReason(Attempt(2)).empty());
  auto full = s->MoveAttempt(Attempt(1), "two");
  EXPECT_EQ(full.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(full.status().message(), HasSubstr("maxRunningApps limit 1 of queue root.two"));
  // Make room in two, then move app 1 there: one frees up and app 2 becomes runnable.
  ASSERT_TRUE(s->MoveAttempt(Attempt(3), "default").ok());
  ASSERT_TRUE(s->MoveAttempt(Attempt(1), "two").ok());  // frees one: app 2 becomes runnable
  EXPECT_EQ(s->PendingReason(Attempt(2)).find("maxRunningApps"), std::string::npos);
  EXPECT_EQ(CountByApp(s->Schedule()).size(), 3u);
}

TEST_F(FairSchedulerTest, ReinitializeRaisesLimitsAndStartsWaitingApps) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "fair_limits_test";
  std::filesystem::create_directories(dir);
  std::string file = (dir / "fair-scheduler.xml").string();
  std::ofstream(file) << "<allocations><queue name=\"a\"><maxRunningApps>1</maxRunningApps>"
                         "</queue></allocations>\n";
  conf::Configuration conf;
  conf.Set("yarn.scheduler.fair.allocation.file", file);
  SchedulerOptions options{&calc_};
  options.conf = &conf;
  auto made = FairScheduler::Create(options);
  ASSERT_TRUE(made.ok()) << made.status();
  FairScheduler& s = **made;
  s.AddNode(NodeId("n1", 1), Resource(8192, 64));
  Submit(s, 1, "a", "u", 1);
  Submit(s, 2, "a", "u", 1);
  EXPECT_EQ(CountByApp(s.Schedule()).count(2), 0u);
  std::ofstream(file) << "<allocations><queue name=\"a\"><maxRunningApps>2</maxRunningApps>"
                         "</queue></allocations>\n";
  ASSERT_TRUE(s.Reinitialize(conf).ok());
  EXPECT_EQ(CountByApp(s.Schedule())[2], 1);
  EXPECT_EQ(s.allocations().queues[s.allocations().Find("a")].max_running_apps, 2);
}

}  // namespace
}  // namespace skein::rm

namespace skein::rm {
namespace {

// Two apps in one leaf with the fair policy are served by usage / weight. By default every app
// weighs 1: they split the node evenly. With sizebasedweight an app weighs log2(1 + demand MB):
// 2^20 - 1 MB of demand weighs 20, 2^10 - 1 MB weighs 10, so the node splits 2:1.
// Two apps of 1 MB containers in leaf a, on one node of `node_mb`, after one pass.
std::unique_ptr<FairScheduler> TwoAppsInALeaf(FairSchedulerTest& t, bool size_based,
                                              int64_t node_mb, int32_t first, int32_t second,
                                              std::map<int, int>* count) {
  FairSiteConfig site;
  site.size_based_weight = size_based;
  auto s = t.Make(kNoAmLimit, site);
  s->AddNode(NodeId("n1", 1), Resource(node_mb, 1000));
  FairSchedulerTest::Submit(*s, 1, "a", "u", first, 1, 1);
  FairSchedulerTest::Submit(*s, 2, "a", "v", second, 1, 1);
  *count = FairSchedulerTest::CountByApp(s->Schedule());
  return s;
}

TEST_F(FairSchedulerTest, AppsInALeafShareByWeightAndSizeBasedWeightFollowsDemand) {
  for (bool size_based : {false, true}) {
    std::map<int, int> count;
    TwoAppsInALeaf(*this, size_based, 300, (1 << 20) - 1, (1 << 10) - 1, &count);
    SCOPED_TRACE(size_based ? "sizebasedweight" : "weight 1");
    EXPECT_NEAR(count[1], size_based ? 200 : 150, 1);
    EXPECT_NEAR(count[2], size_based ? 100 : 150, 1);
  }
}

TEST_F(FairSchedulerTest, SizeBasedWeightIsRecomputedWhenTheDemandChanges) {
  std::map<int, int> count;
  auto s = TwoAppsInALeaf(*this, true, 100, 1023, 1023, &count);
  ASSERT_EQ(count[1], 50);
  ASSERT_EQ(count[2], 50);
  // App 2 now wants far more: it weighs twice as much, so the next free megabyte is its, although
  // both hold 50 and app 1 was submitted first.
  ASSERT_TRUE(s->UpdateAsks(Attempt(2), {MakeAsk(1, 1, 1, (1 << 20) - 51)}).ok());
  s->AddNode(NodeId("n2", 1), Resource(1, 10));
  auto next = s->Schedule();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].container_id.application_attempt_id(), Attempt(2));
}

TEST_F(FairSchedulerTest, MaxContainerAllocationRejectsLargerAsksNamingTheQueue) {
  auto s = Make(std::string(kNoAmLimit) +
                "<queue name=\"p\" type=\"parent\">"
                "<maxContainerAllocation>2048 mb, 2 vcores</maxContainerAllocation>"
                "<queue name=\"small\"/></queue>\n");
  s->AddNode(NodeId("n1", 1), Resource(16384, 64));
  ASSERT_TRUE(s->AddAttempt(Attempt(1), "p.small", "u", 0).ok());
  // The AM's ask is too large: refused, and the app says why it waits.
  absl::Status am = s->UpdateAsks(Attempt(1), {MakeAsk(0, 4096, 1, 1)});
  EXPECT_EQ(am.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(am.message(),
            "Invalid resource request! Cannot allocate containers as requested resource is "
            "greater than maximum allowed allocation. Requested resource type=[memory-mb], "
            "Requested resource=<memory:4096, vCores:1>, maximum allowed allocation=<memory:2048, "
            "vCores:2> (maxContainerAllocation of queue root.p.small)");
  EXPECT_EQ(s->PendingReason(Attempt(1)), am.message());
  EXPECT_TRUE(s->Schedule().empty());
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(0, 2048, 2, 1)}).ok());
  ASSERT_EQ(s->Schedule().size(), 1u);
  // Later asks: one bad line refuses the whole update, and nothing changes.
  absl::Status vcores = s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 5), MakeAsk(2, 1024, 3, 1)});
  EXPECT_EQ(vcores.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(vcores.message(), HasSubstr("Requested resource type=[vcores]"));
  EXPECT_EQ(s->Pending(Attempt(1)), Resource());
  EXPECT_EQ(s->PendingReason(Attempt(1)), "");  // the AM runs: nothing to report
  // Queues outside p have no limit.
  Submit(*s, 2, "default", "v", 1, 8192, 8);
  EXPECT_EQ(s->Schedule().size(), 1u);
}

TEST_F(FairSchedulerTest, MaxChildResourcesCapsQueuesThatRulesCreate) {
  auto s = Make(std::string(kNoAmLimit) +
                "<queue name=\"users\" type=\"parent\">"
                "<maxChildResources>2048 mb, 64 vcores</maxChildResources></queue>\n"
                "<queuePlacementPolicy><rule name=\"nestedUserQueue\">"
                "<rule name=\"default\" queue=\"users\"/></rule>"
                "<rule name=\"reject\"/></queuePlacementPolicy>\n");
  s->AddNode(NodeId("n1", 1), Resource(16384, 64));
  auto placed = s->AddAttempt(Attempt(1), "", "alice", 0);
  ASSERT_TRUE(placed.ok()) << placed.status();
  EXPECT_EQ(*placed, "root.users.alice");
  ASSERT_TRUE(s->UpdateAsks(Attempt(1), {MakeAsk(1, 1024, 1, 10)}).ok());
  EXPECT_EQ(s->Schedule().size(), 2u);
  EXPECT_EQ(Queue(*s, "users.alice").fair.max_resources, Resource(2048, 64));
}

TEST_F(FairSchedulerTest, AllowPreemptionFromFalseProtectsTheQueueAndItsChildren) {
  FairSiteConfig site;
  site.preemption = true;
  auto s = Make(std::string(kNoAmLimit) +
                    "<defaultFairSharePreemptionTimeout>5</defaultFairSharePreemptionTimeout>\n"
                    "<queue name=\"kept\" type=\"parent\"><allowPreemptionFrom>false"
                    "</allowPreemptionFrom><queue name=\"a\"/></queue>\n"
                    "<queue name=\"open\"/><queue name=\"b\"/>\n",
                site);
  s->AddNode(NodeId("n1", 1), Resource(8192, 64));
  Submit(*s, 1, "kept.a", "u", 4);
  Submit(*s, 2, "open", "u", 4);
  ASSERT_EQ(s->Schedule().size(), 8u);
  Submit(*s, 3, "b", "v", 3);  // fair share 8192 / 3 each: b is owed 2730
  (void)s->SelectPreemption(0);
  PreemptionRound round = s->SelectPreemption(6000);
  ASSERT_FALSE(round.to_warn.empty());
  for (const ContainerId& c : round.to_warn) {
    EXPECT_EQ(c.application_attempt_id(), Attempt(2)) << c.ToString();
  }
  EXPECT_TRUE(Queue(*s, "kept.a").preemption_disabled);
  EXPECT_FALSE(Queue(*s, "open").preemption_disabled);
}

// YARN's node-heartbeat limits, one Schedule() pass standing for one heartbeat of every node.
TEST_F(FairSchedulerTest, AssignLimitsBoundWhatOneNodeTakesPerPass) {
  struct Case {
    const char* name;
    bool multiple, dynamic;
    int32_t max_assign;
    std::vector<size_t> passes;  // allocations per pass on two 8 GB nodes, 1 GB each
  };
  for (const Case& c : std::vector<Case>{
           {"assignmultiple false", false, true, -1, {2, 2, 2}},
           {"max.assign 3", true, false, 3, {6, 6, 4, 0}},
           // Half of what a node has free: 8 GB -> 5 (the fifth passes 4 GB), 3 GB -> 2, 1 -> 1.
           {"dynamic", true, true, -1, {10, 4, 2, 0}},
           {"unlimited", true, false, 0, {16, 0}}}) {
    SCOPED_TRACE(c.name);
    FairSiteConfig site;
    site.assign_multiple = c.multiple;
    site.dynamic_max_assign = c.dynamic;
    site.max_assign = c.max_assign;
    auto s = Make(kNoAmLimit, site);
    s->AddNode(NodeId("n1", 1), Resource(8192, 64));
    s->AddNode(NodeId("n2", 1), Resource(8192, 64));
    Submit(*s, 1, "a", "u", 100);
    for (size_t expected : c.passes) {
      auto got = s->Schedule();
      EXPECT_EQ(got.size(), expected);
      std::map<std::string, int> per_node;
      for (const Allocation& a : got) ++per_node[a.node.ToString()];
      if (!c.multiple) {
        for (const auto& [node, n] : per_node) EXPECT_EQ(n, 1) << node;
      }
    }
  }
  // The limit hides a node only during the pass: usage and free room are intact afterwards.
  FairSiteConfig one;
  one.assign_multiple = false;
  auto s = Make(kNoAmLimit, one);
  s->AddNode(NodeId("n1", 1), Resource(4096, 64));
  Submit(*s, 1, "a", "u", 10);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(s->Schedule().size(), 1u);
  EXPECT_TRUE(s->Schedule().empty());
  EXPECT_EQ(s->NodeUsed(NodeId("n1", 1)), Resource(4096, 4));
}

}  // namespace
}  // namespace skein::rm
