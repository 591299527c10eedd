#include "resourcemanager/scheduler/capacity/capacity_config.h"

#include <utility>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::rm {
namespace {

using ::testing::HasSubstr;

constexpr char kP[] = "yarn.scheduler.capacity.";

conf::Configuration Conf(std::vector<std::pair<std::string, std::string>> kv) {
  conf::Configuration c;
  for (auto& [k, v] : kv) c.Set(absl::StartsWith(k, "yarn.") ? k : kP + k, v);
  return c;
}

conf::Configuration TwoLevel() {
  return Conf({{"root.queues", "a,b"},
               {"root.a.queues", "a1,a2"},
               {"root.a.capacity", "70"},
               {"root.a.a1.capacity", "50"},
               {"root.a.a2.capacity", "50"},
               {"root.b.capacity", "30"},
               {"root.b.maximum-capacity", "50"}});
}

TEST(CapacityConfigTest, EmptyConfigurationIsOneDefaultLeaf) {
  auto c = CapacityConfig::Parse(conf::Configuration());
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->queues.size(), 2u);
  const QueueConfig& d = c->queues[1];
  EXPECT_EQ(d.path, "root.default");
  EXPECT_DOUBLE_EQ(d.absolute_capacity, 1.0);
  EXPECT_DOUBLE_EQ(d.absolute_maximum_capacity, 1.0);
  EXPECT_EQ(d.maximum_applications, 10000);
  EXPECT_DOUBLE_EQ(d.maximum_am_resource_percent, 0.1);
  EXPECT_DOUBLE_EQ(d.user_limit_factor, 1.0);
  EXPECT_EQ(d.minimum_user_limit_percent, 100);
  EXPECT_TRUE(d.running);
  EXPECT_FALSE(c->acl_enabled);
  EXPECT_EQ(c->max_application_priority, 0);
}

TEST(CapacityConfigTest, TreeWithAbsoluteCapacitiesAndDefaults) {
  auto c = CapacityConfig::Parse(TwoLevel());
  ASSERT_TRUE(c.ok()) << c.status();
  int a1 = c->Find("a1");
  ASSERT_GE(a1, 0);
  EXPECT_EQ(c->Find("root.a.a1"), a1);
  EXPECT_EQ(c->queues[a1].path, "root.a.a1");
  EXPECT_NEAR(c->queues[a1].absolute_capacity, 0.35, 1e-9);
  EXPECT_EQ(c->queues[a1].maximum_applications, 3500);  // 10000 x 0.35
  int b = c->Find("b");
  EXPECT_NEAR(c->queues[b].maximum_capacity, 0.5, 1e-9);
  EXPECT_NEAR(c->queues[b].absolute_maximum_capacity, 0.5, 1e-9);
  EXPECT_FALSE(c->queues[c->Find("a")].is_leaf());
  EXPECT_EQ(c->Find("nosuch"), -1);
  EXPECT_EQ(c->Find("root.a1"), -1);  // a full path must be exact
}

TEST(CapacityConfigTest, SiblingsMustSumTo100AndTheErrorNamesTheParentAndSum) {
  auto c = CapacityConfig::Parse(
      Conf({{"root.queues", "a,b"}, {"root.a.capacity", "70"}, {"root.b.capacity", "20"}}));
  ASSERT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("children of queue root:"));
  EXPECT_THAT(c.status().message(), HasSubstr("sum to 90"));

  auto nested = TwoLevel();
  nested.Set("yarn.scheduler.capacity.root.a.a2.capacity", "30");
  auto n = CapacityConfig::Parse(nested);
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(n.status().message(), HasSubstr("children of queue root.a:"));
  EXPECT_THAT(n.status().message(), HasSubstr("sum to 80"));
}

TEST(CapacityConfigTest, MaximumBelowCapacityIsRejected) {
  auto conf = TwoLevel();
  conf.Set("yarn.scheduler.capacity.root.b.maximum-capacity", "20");
  auto c = CapacityConfig::Parse(conf);
  ASSERT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(),
              HasSubstr("yarn.scheduler.capacity.root.b.maximum-capacity=20"));
  EXPECT_THAT(c.status().message(), HasSubstr("below its capacity 30"));
}

TEST(CapacityConfigTest, BadNumbersNameTheKeyAndValue) {
  struct Case {
    std::string key, value;
  };
  for (const Case& bad : std::vector<Case>{
           {"yarn.scheduler.capacity.root.b.capacity", "thirty"},
           {"yarn.scheduler.capacity.root.b.capacity", "130"},
           {"yarn.scheduler.capacity.root.b.maximum-capacity", "101"},
           {"yarn.scheduler.capacity.root.b.user-limit-factor", "0"},
           {"yarn.scheduler.capacity.root.b.minimum-user-limit-percent", "0"},
           {"yarn.scheduler.capacity.root.b.maximum-applications", "-3"},
           {"yarn.scheduler.capacity.root.b.maximum-am-resource-percent", "1.5"},
           {"yarn.scheduler.capacity.maximum-am-resource-percent", "abc"},
           {"yarn.scheduler.capacity.maximum-applications", "many"},
           {"yarn.scheduler.capacity.root.b.state", "PAUSED"},
           {"yarn.scheduler.capacity.root.b.maximum-allocation-mb", "999999"},
           {"yarn.cluster.max-application-priority", "-1"},
       }) {
    auto conf = TwoLevel();
    conf.Set(bad.key, bad.value);
    auto c = CapacityConfig::Parse(conf);
    ASSERT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << bad.key;
    EXPECT_THAT(c.status().message(), HasSubstr(bad.key)) << c.status();
    EXPECT_THAT(c.status().message(), HasSubstr(bad.value)) << c.status();
  }
}

TEST(CapacityConfigTest, UnknownKeysAreIgnored) {
  auto conf = TwoLevel();
  conf.Set("yarn.scheduler.capacity.root.a.frobnicate", "yes");
  conf.Set("yarn.scheduler.capacity.node-locality-delay", "40");
  EXPECT_TRUE(CapacityConfig::Parse(conf).ok());
}

TEST(CapacityConfigTest, QueueNamesAreCheckedForUniquenessAndShape) {
  auto dup = CapacityConfig::Parse(Conf({{"root.queues", "x,y"},
                                         {"root.x.capacity", "50"},
                                         {"root.y.capacity", "50"},
                                         {"root.x.queues", "c"},
                                         {"root.y.queues", "c"},
                                         {"root.x.c.capacity", "100"},
                                         {"root.y.c.capacity", "100"}}));
  ASSERT_FALSE(dup.ok());
  EXPECT_THAT(dup.status().message(), HasSubstr("root.x.c and root.y.c"));
  auto twice = CapacityConfig::Parse(Conf({{"root.queues", "a,a"}, {"root.a.capacity", "100"}}));
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(), HasSubstr("listed twice"));
}

TEST(CapacityConfigTest, StoppedParentStopsItsChildren) {
  auto conf = TwoLevel();
  conf.Set("yarn.scheduler.capacity.root.a.state", "STOPPED");
  auto c = CapacityConfig::Parse(conf);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->queues[c->Find("a1")].running);
  EXPECT_TRUE(c->queues[c->Find("a1")].configured_running);
  EXPECT_TRUE(c->queues[c->Find("b")].running);
}

TEST(CapacityConfigTest, AclFormat) {
  QueueAcl acl = QueueAcl::Parse("alice,bob admins,ops");
  EXPECT_TRUE(acl.Allows("alice", {}));
  EXPECT_TRUE(acl.Allows("carol", {"ops"}));
  EXPECT_FALSE(acl.Allows("carol", {"eng"}));
  EXPECT_TRUE(QueueAcl::Parse("*").Allows("anyone", {}));
  EXPECT_FALSE(QueueAcl::Parse(" ").Allows("anyone", {"admins"}));
  EXPECT_TRUE(QueueAcl::Parse(" admins").Allows("x", {"admins"}));
  auto c = CapacityConfig::Parse(conf::Configuration());
  EXPECT_TRUE(c->queues[0].acl_submit_applications.everyone);   // root: "*"
  EXPECT_FALSE(c->queues[1].acl_submit_applications.everyone);  // others: " ", inherited
}

TEST(CapacityConfigTest, QueueMappings) {
  auto conf = TwoLevel();
  conf.Set("yarn.scheduler.capacity.queue-mappings", "u:alice:b, u:%user:%user,g:eng:a1");
  auto c = CapacityConfig::Parse(conf);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->mappings.size(), 3u);
  EXPECT_EQ(c->mappings[1].source, "%user");
  EXPECT_EQ(c->mappings[2].kind, QueueMapping::Kind::kGroup);
  for (const char* bad : {"x:alice:b", "u:alice", "u:alice:nosuch", "u:alice:a", "u:bob:%group"}) {
    conf.Set("yarn.scheduler.capacity.queue-mappings", bad);
    auto e = CapacityConfig::Parse(conf);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_THAT(e.status().message(), HasSubstr("yarn.scheduler.capacity.queue-mappings"));
    EXPECT_THAT(e.status().message(), HasSubstr(bad));
  }
}

}  // namespace
}  // namespace skein::rm
