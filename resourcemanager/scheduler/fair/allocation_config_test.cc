#include "resourcemanager/scheduler/fair/allocation_config.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::rm {
namespace {

using ::testing::HasSubstr;
using Kind = PlacementRule::Kind;

absl::StatusOr<AllocationConfig> ParseXml(const std::string& body, FairSiteConfig site = {}) {
  return AllocationConfig::Parse(
      "<?xml version=\"1.0\"?>\n<allocations>\n" + body + "</allocations>\n", "fair-scheduler.xml",
      site);
}

// The error of `body`, which must fail.
std::string ErrorOf(const std::string& body) {
  auto parsed = ParseXml(body);
  EXPECT_FALSE(parsed.ok()) << body;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST(AllocationConfigTest, ParsesEveryQueueElement) {
  auto parsed = ParseXml(R"(
  <queue name="eng" type="parent">
    <weight>3.0</weight>
    <minResources>4096 mb, 4 vcores</minResources>
    <maxResources>memory-mb=50%, vcores=40%</maxResources>
    <schedulingPolicy>drf</schedulingPolicy>
    <aclSubmitApps>alice,bob devs</aclSubmitApps>
    <aclAdministerApps>carol</aclAdministerApps>
    <queue name="batch">
      <maxRunningApps>7</maxRunningApps>
      <maxAMShare>0.25</maxAMShare>
      <schedulingPolicy>fifo</schedulingPolicy>
      <minSharePreemptionTimeout>30</minSharePreemptionTimeout>
      <fairSharePreemptionTimeout>60</fairSharePreemptionTimeout>
      <fairSharePreemptionThreshold>0.7</fairSharePreemptionThreshold>
    </queue>
  </queue>
  <pool name="adhoc">
    <maxResources>2048 mb, 2 vcores</maxResources>
    <maxAMShare>-1</maxAMShare>
  </pool>
  <queue name="empty" type="parent"/>
  <user name="alice"><maxRunningApps>2</maxRunningApps></user>
  <userMaxAppsDefault>5</userMaxAppsDefault>
  <queueMaxAppsDefault>20</queueMaxAppsDefault>
  <queueMaxAMShareDefault>0.4</queueMaxAMShareDefault>
  <queueMaxResourcesDefault>memory-mb=8192, vcores=8</queueMaxResourcesDefault>
  <defaultQueueSchedulingPolicy>fair</defaultQueueSchedulingPolicy>
  <defaultMinSharePreemptionTimeout>10</defaultMinSharePreemptionTimeout>
  <defaultFairSharePreemptionTimeout>20</defaultFairSharePreemptionTimeout>
  <defaultFairSharePreemptionThreshold>0.6</defaultFairSharePreemptionThreshold>
)");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const AllocationConfig& a = *parsed;
  int eng = a.Find("eng"), batch = a.Find("root.eng.batch"), adhoc = a.Find("adhoc");
  ASSERT_GE(eng, 0);
  ASSERT_GE(batch, 0);
  ASSERT_GE(adhoc, 0);
  ASSERT_GE(a.Find("default"), 0);  // root.default always exists
  EXPECT_EQ(a.Find("nope"), -1);

  const FairQueueConfig& e = a.queues[eng];
  EXPECT_FALSE(e.is_leaf());
  EXPECT_DOUBLE_EQ(e.weight, 3.0);
  EXPECT_EQ(e.min_resources.Resolve(Resource(100000, 100)), Resource(4096, 4));
  EXPECT_EQ(e.max_resources.Resolve(Resource(10000, 10)), Resource(5000, 4));
  EXPECT_EQ(e.policy, FairPolicy::kDrf);
  EXPECT_TRUE(e.acl_submit_apps.Allows("bob", {}));
  EXPECT_TRUE(e.acl_submit_apps.Allows("zed", {"devs"}));
  EXPECT_FALSE(e.acl_submit_apps.Allows("carol", {}));
  EXPECT_TRUE(e.acl_administer_apps.Allows("carol", {}));

  const FairQueueConfig& b = a.queues[batch];
  EXPECT_TRUE(b.is_leaf());
  EXPECT_EQ(b.parent, eng);
  EXPECT_EQ(b.max_running_apps, 7);
  EXPECT_DOUBLE_EQ(b.max_am_share, 0.25);
  EXPECT_EQ(b.policy, FairPolicy::kFifo);
  EXPECT_EQ(b.min_share_preemption_timeout_ms, 30000);
  EXPECT_EQ(b.fair_share_preemption_timeout_ms, 60000);
  EXPECT_DOUBLE_EQ(b.fair_share_preemption_threshold, 0.7);
  // Queue defaults, declared after the queues, still apply to them.
  EXPECT_EQ(b.max_resources.Resolve(Resource(1 << 20, 1000)), Resource(8192, 8));

  const FairQueueConfig& p = a.queues[adhoc];
  EXPECT_EQ(p.max_resources.Resolve(Resource(1 << 20, 1000)), Resource(2048, 2));
  EXPECT_DOUBLE_EQ(p.max_am_share, -1);
  EXPECT_EQ(p.max_running_apps, 20);
  EXPECT_EQ(p.min_share_preemption_timeout_ms, 10000);
  EXPECT_EQ(p.fair_share_preemption_timeout_ms, 20000);
  EXPECT_DOUBLE_EQ(p.fair_share_preemption_threshold, 0.6);
  EXPECT_DOUBLE_EQ(a.queues[a.Find("default")].max_am_share, 0.4);
  EXPECT_FALSE(a.queues[a.Find("empty")].is_leaf());

  EXPECT_EQ(a.UserMaxApps("alice"), 2);
  EXPECT_EQ(a.UserMaxApps("bob"), 5);
  EXPECT_EQ(a.queues[0].max_running_apps, kUnlimitedApps);  // defaults stop below root
}

TEST(AllocationConfigTest, ResourceForms) {
  const Resource cluster(10000, 50);
  struct Case {
    const char* text;
    Resource want;
  } cases[] = {
      {"1024 mb, 2 vcores", Resource(1024, 2)},
      {"3 vcores, 2048 mb", Resource(2048, 3)},
      {"memory-mb=1024, vcores=2", Resource(1024, 2)},
      {"vcores=4,memory-mb=512", Resource(512, 4)},
      {"50.0%", Resource(5000, 25)},
      {"memory-mb=50%, vcores=20%", Resource(5000, 10)},
      {"25% memory, 10% cpu", Resource(2500, 5)},
  };
  for (const Case& c : cases) {
    auto spec = ResourceSpec::Parse(c.text);
    ASSERT_TRUE(spec.ok()) << c.text << ": " << spec.status();
    EXPECT_EQ(spec->Resolve(cluster), c.want) << c.text;
  }
}

TEST(AllocationConfigTest, BadResourceStringsNameTheStringAndTheForms) {
  for (const char* bad : {"lots", "1024 mb", "2 vcores", "memory-mb=10%, vcores=2", "150%",
                          "1024 gb, 2 vcores", "-5 mb, 1 vcores", "", "mb, vcores"}) {
    auto spec = ResourceSpec::Parse(bad);
    ASSERT_FALSE(spec.ok()) << bad;
    EXPECT_THAT(spec.status().message(), HasSubstr(absl::StrCat("\"", bad, "\"")));
    EXPECT_THAT(spec.status().message(), HasSubstr("memory-mb=<n>, vcores=<n>"));
  }
  EXPECT_THAT(ResourceSpec::Parse("1024 mb").status().message(), HasSubstr("missing vcores"));
  EXPECT_THAT(ResourceSpec::Parse("150%").status().message(), HasSubstr("above 100"));
  EXPECT_THAT(ResourceSpec::Parse("memory-mb=10%, vcores=2").status().message(),
              HasSubstr("mixes"));
  EXPECT_THAT(ResourceSpec::Parse("1024 gb, 2 vcores").status().message(),
              HasSubstr("unknown resource type \"gb\""));
}

TEST(AllocationConfigTest, ErrorsNameFileLineElementAndValue) {
  EXPECT_THAT(ErrorOf("<queue name=\"a\">\n<schedulingPolicy>lottery</schedulingPolicy>\n"
                      "</queue>\n"),
              HasSubstr("fair-scheduler.xml:4: queue root.a: <schedulingPolicy> unknown "
                        "scheduling policy \"lottery\"; expected fifo, fair or drf"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\">\n<weight>-2</weight>\n</queue>\n"),
              HasSubstr("fair-scheduler.xml:4: queue root.a: <weight> \"-2\" must be a number "
                        ">= 0"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\">\n<minResources>4096 mb, 4 vcores</minResources>\n"
                      "<maxResources>2048 mb, 8 vcores</maxResources>\n</queue>\n"),
              HasSubstr("fair-scheduler.xml:3: queue root.a: minResources <memory:4096, "
                        "vCores:4> exceed maxResources <memory:2048, vCores:8>"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\">\n<maxResources>plenty</maxResources>\n</queue>\n"),
              HasSubstr("fair-scheduler.xml:4: queue root.a: <maxResources> resource "
                        "\"plenty\" is not valid"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\" type=\"parent\">\n<schedulingPolicy>fifo"
                      "</schedulingPolicy>\n</queue>\n"),
              HasSubstr("fair-scheduler.xml:3: queue root.a: schedulingPolicy fifo can only be "
                        "used for leaf queues"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\"><maxRunningApps>many</maxRunningApps></queue>\n"),
              HasSubstr("<maxRunningApps> \"many\" must be an integer >= 0"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\"><maxAMShare>1.5</maxAMShare></queue>\n"),
              HasSubstr("<maxAMShare> \"1.5\" must be a fraction between 0 and 1, or -1"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\"/>\n<queue name=\"a\"/>\n"),
              HasSubstr("fair-scheduler.xml:4: queue root.a is declared twice"));
  EXPECT_THAT(ErrorOf("<queue name=\"a.b\"/>\n"), HasSubstr("may not contain '.'"));
  EXPECT_THAT(ErrorOf("<queue/>\n"), HasSubstr("<queue> without a name"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\" type=\"odd\"/>\n"),
              HasSubstr("type=\"odd\" is not valid; expected parent or leaf"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\"><fairSharePreemptionThreshold>2"
                      "</fairSharePreemptionThreshold></queue>\n"),
              HasSubstr("must be a fraction between 0 and 1"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\"><minSharePreemptionTimeout>-1"
                      "</minSharePreemptionTimeout></queue>\n"),
              HasSubstr("must be whole seconds >= 0"));
  EXPECT_THAT(ErrorOf("<user><maxRunningApps>1</maxRunningApps></user>\n"),
              HasSubstr("<user> without a name attribute"));
  EXPECT_THAT(ErrorOf("<defaultQueueSchedulingPolicy>best</defaultQueueSchedulingPolicy>\n"),
              HasSubstr("<defaultQueueSchedulingPolicy>: unknown scheduling policy \"best\""));
  EXPECT_THAT(ErrorOf("<queueMaxResourcesDefault>x</queueMaxResourcesDefault>\n"),
              HasSubstr("<queueMaxResourcesDefault>: resource \"x\" is not valid"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\">\n<weight>1</weight\n</queue>\n"),
              testing::MatchesRegex("fair-scheduler.xml:[45]: XML parse error.*"));
  auto wrong_root = AllocationConfig::Parse("<configuration/>", "f.xml", {});
  EXPECT_THAT(wrong_root.status().message(),
              HasSubstr("f.xml:1: root element is <configuration>, expected <allocations>"));
}

TEST(AllocationConfigTest, DefaultPolicyFifoAppliesToLeavesOnly) {
  auto parsed = ParseXml(
      "<defaultQueueSchedulingPolicy>fifo</defaultQueueSchedulingPolicy>\n"
      "<queue name=\"p\"><queue name=\"l\"/></queue>\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->queues[parsed->Find("p")].policy, FairPolicy::kFair);
  EXPECT_EQ(parsed->queues[parsed->Find("p.l")].policy, FairPolicy::kFifo);
}

TEST(AllocationConfigTest, PlacementPolicyRules) {
  auto parsed = ParseXml(R"(
  <queuePlacementPolicy>
    <rule name="specified" create="false"/>
    <rule name="primaryGroup" create="false"/>
    <rule name="secondaryGroupExistingQueue"/>
    <rule name="nestedUserQueue">
      <rule name="default" queue="users"/>
    </rule>
    <rule name="user" create="false"/>
    <rule name="default" queue="fallback"/>
  </queuePlacementPolicy>
)");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const auto& rules = parsed->rules;
  ASSERT_EQ(rules.size(), 6u);
  EXPECT_EQ(rules[0].kind, Kind::kSpecified);
  EXPECT_FALSE(rules[0].create);
  EXPECT_EQ(rules[1].kind, Kind::kPrimaryGroup);
  EXPECT_EQ(rules[2].kind, Kind::kSecondaryGroupExistingQueue);
  EXPECT_EQ(rules[3].kind, Kind::kNestedUserQueue);
  ASSERT_EQ(rules[3].nested.size(), 1u);
  EXPECT_EQ(rules[3].nested[0].queue, "root.users");
  EXPECT_EQ(rules[4].kind, Kind::kUser);
  EXPECT_EQ(rules[5].kind, Kind::kDefault);
  EXPECT_EQ(rules[5].queue, "root.fallback");
  EXPECT_EQ(rules[5].line, 12);
}

TEST(AllocationConfigTest, PlacementErrors) {
  EXPECT_THAT(ErrorOf("<queuePlacementPolicy>\n<rule name=\"user\"/>\n<rule name=\"default\"/>\n"
                      "</queuePlacementPolicy>\n"),
              HasSubstr("fair-scheduler.xml:5: rule default can never be reached: rule user "
                        "before it always places the application"));
  EXPECT_THAT(ErrorOf("<queuePlacementPolicy>\n<rule name=\"reject\"/>\n<rule name=\"user\"/>\n"
                      "</queuePlacementPolicy>\n"),
              HasSubstr("rule user can never be reached: rule reject"));
  EXPECT_THAT(ErrorOf("<queuePlacementPolicy>\n<rule name=\"specified\"/>\n"
                      "</queuePlacementPolicy>\n"),
              HasSubstr("fair-scheduler.xml:4: the last placement rule (specified) may not place "
                        "an application"));
  EXPECT_THAT(ErrorOf("<queuePlacementPolicy>\n<rule name=\"coin\"/>\n</queuePlacementPolicy>\n"),
              HasSubstr("fair-scheduler.xml:4: unknown placement rule \"coin\""));
  EXPECT_THAT(ErrorOf("<queuePlacementPolicy>\n<rule name=\"user\" create=\"maybe\"/>\n"
                      "</queuePlacementPolicy>\n"),
              HasSubstr("rule user: create=\"maybe\" must be true or false"));
  EXPECT_THAT(ErrorOf("<queuePlacementPolicy>\n<rule name=\"nestedUserQueue\"/>\n"
                      "<rule name=\"default\"/>\n</queuePlacementPolicy>\n"),
              HasSubstr("rule nestedUserQueue needs exactly one nested <rule>"));
  EXPECT_THAT(ErrorOf("<queuePlacementPolicy/>\n"), HasSubstr("has no <rule>"));
  EXPECT_THAT(ErrorOf("<queuePlacementPolicy><policy/></queuePlacementPolicy>\n"),
              HasSubstr("<policy> in <queuePlacementPolicy>: expected <rule>"));
}

TEST(AllocationConfigTest, ImpliedPlacementPolicyFollowsTheSiteKeys) {
  auto kinds = [](const AllocationConfig& a) {
    std::vector<std::pair<Kind, bool>> out;
    for (const PlacementRule& r : a.rules) out.push_back({r.kind, r.create});
    return out;
  };
  FairSiteConfig site;
  EXPECT_EQ(kinds(*ParseXml("", site)),
            (std::vector<std::pair<Kind, bool>>{{Kind::kSpecified, true}, {Kind::kUser, true}}));
  site.allow_undeclared_pools = false;
  EXPECT_EQ(kinds(AllocationConfig::Defaults(site)),
            (std::vector<std::pair<Kind, bool>>{
                {Kind::kSpecified, false}, {Kind::kUser, false}, {Kind::kDefault, true}}));
  site.allow_undeclared_pools = true;
  site.user_as_default_queue = false;
  EXPECT_EQ(kinds(AllocationConfig::Defaults(site)),
            (std::vector<std::pair<Kind, bool>>{{Kind::kSpecified, true}, {Kind::kDefault, true}}));
}

TEST(AllocationConfigTest, CreateQueueMakesParentsAndRefusesToNestUnderALeaf) {
  AllocationConfig a = AllocationConfig::Defaults({});
  auto made = a.CreateQueue("root.x.y", false);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_TRUE(a.queues[*made].is_leaf());
  EXPECT_TRUE(a.queues[*made].dynamic);
  EXPECT_FALSE(a.queues[a.Find("x")].is_leaf());
  auto bad = a.CreateQueue("root.default.z", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("root.default is a leaf queue, not a parent"));
  EXPECT_FALSE(a.CreateQueue("root.x. y", false).ok());
}

TEST(AllocationConfigTest, SiteKeysAndAllocationFileLookup) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "fair_site_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "yarn-site.xml")
      << "<configuration><property><name>yarn.scheduler.fair.preemption</name>"
         "<value>true</value></property></configuration>\n";
  std::ofstream(dir / "fair-scheduler.xml")
      << "<allocations><queue name=\"from_file\"/></allocations>\n";
  conf::Configuration conf;
  ASSERT_TRUE(conf.AddResourceFile((dir / "yarn-site.xml").string()).ok());
  auto site = FairSiteConfig::FromConfiguration(conf);
  ASSERT_TRUE(site.ok()) << site.status();
  EXPECT_TRUE(site->preemption);
  EXPECT_TRUE(site->user_as_default_queue);
  EXPECT_DOUBLE_EQ(site->preemption_utilization_threshold, 0.8);
  // The relative default name resolves against the directory yarn-site.xml came from.
  EXPECT_EQ(site->allocation_file, (dir / "fair-scheduler.xml").string());
  auto loaded = AllocationConfig::Load(*site);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_GE(loaded->Find("from_file"), 0);

  // The RM's own loading path: LoadYarnConfiguration(conf dir) with the built-in defaults.
  auto loaded_conf = conf::LoadYarnConfiguration(dir.string());
  ASSERT_TRUE(loaded_conf.ok()) << loaded_conf.status();
  auto from_dir = FairSiteConfig::FromConfiguration(*loaded_conf);
  ASSERT_TRUE(from_dir.ok());
  EXPECT_EQ(from_dir->allocation_file, (dir / "fair-scheduler.xml").string());
  EXPECT_FALSE(from_dir->allocation_file_explicit);

  conf.Set("yarn.scheduler.fair.allocation.file", (dir / "missing.xml").string());
  site = FairSiteConfig::FromConfiguration(conf);
  ASSERT_TRUE(site.ok());
  auto missing = AllocationConfig::Load(*site);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.xml"));

  conf::Configuration defaults;  // default name, no file anywhere: built-in queues
  auto plain = AllocationConfig::Load(*FairSiteConfig::FromConfiguration(defaults));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->queues.size(), 2u);

  defaults.Set("yarn.scheduler.fair.preemption.cluster-utilization-threshold", "1.5");
  EXPECT_THAT(FairSiteConfig::FromConfiguration(defaults).status().message(),
              HasSubstr("yarn.scheduler.fair.preemption.cluster-utilization-threshold=1.5: must "
                        "be a fraction between 0 and 1"));
  defaults.Set("yarn.scheduler.fair.preemption.cluster-utilization-threshold", "0.5");
  defaults.Set("yarn.scheduler.fair.user-as-default-queue", "perhaps");
  EXPECT_THAT(FairSiteConfig::FromConfiguration(defaults).status().message(),
              HasSubstr("yarn.scheduler.fair.user-as-default-queue"));
}

}  // namespace
}  // namespace skein::rm

namespace skein::rm {
namespace {

TEST(AllocationConfigTest, TheSampleAllocationFileParses) {
  FairSiteConfig site;
  site.allocation_file = std::string(SKEIN_SOURCE_DIR) + "/etc/hadoop/fair-scheduler.xml";
  site.allocation_file_explicit = true;
  auto sample = AllocationConfig::Load(site);
  ASSERT_TRUE(sample.ok()) << sample.status();
  int def = sample->Find("default");
  ASSERT_GE(def, 0);
  EXPECT_EQ(sample->queues[def].max_running_apps, 50);
  EXPECT_EQ(sample->UserMaxApps("anyone"), 10);
  ASSERT_EQ(sample->rules.size(), 2u);
  EXPECT_EQ(sample->rules[1].queue, "root.default");
  EXPECT_TRUE(sample->queues[0].acl_submit_apps.everyone);
}

}  // namespace
}  // namespace skein::rm

namespace skein::rm {
namespace {

TEST(AllocationConfigTest, ContainerLimitChildResourcesAndPreemptionFlagsPassDown) {
  auto parsed = ParseXml(
      "<queue name=\"p\" type=\"parent\">\n"
      "  <queue name=\"inner\"><maxContainerAllocation>1024 mb, 1 vcores"
      "</maxContainerAllocation></queue>\n"
      "  <queue name=\"plain\"/>\n"
      "  <maxContainerAllocation>4096 mb, 2 vcores</maxContainerAllocation>\n"
      "  <maxChildResources>2048 mb, 4 vcores</maxChildResources>\n"
      "  <allowPreemptionFrom>false</allowPreemptionFrom>\n"
      "</queue>\n"
      "<queue name=\"q\" type=\"parent\"><maxChildResources>10%</maxChildResources></queue>\n"
      "<queue name=\"r\"><allowPreemptionFrom>TRUE</allowPreemptionFrom></queue>\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const AllocationConfig& c = *parsed;
  auto q = [&c](const std::string& name) -> const FairQueueConfig& {
    return c.queues[c.Find(name)];
  };
  EXPECT_EQ(q("p").max_container_allocation, Resource(4096, 2));
  EXPECT_EQ(q("p.inner").max_container_allocation, Resource(1024, 1));
  // The parent's element came after its children: they still inherit it.
  EXPECT_EQ(q("p.plain").max_container_allocation, Resource(4096, 2));
  EXPECT_EQ(q("r").max_container_allocation, Resource(kUnlimited, kUnlimited));
  EXPECT_FALSE(q("p").allow_preemption_from);
  EXPECT_FALSE(q("p.plain").allow_preemption_from);
  EXPECT_TRUE(q("r").allow_preemption_from);
  EXPECT_TRUE(q("p").has_max_child_resources);
  EXPECT_FALSE(q("r").has_max_child_resources);
  // Declared children keep their own maxResources; queues created below p get maxChildResources.
  EXPECT_EQ(q("p.plain").max_resources.absolute, Resource(kUnlimited, kUnlimited));
  AllocationConfig grown = c;
  auto made = grown.CreateQueue("root.p.alice", false);
  ASSERT_TRUE(made.ok()) << made.status();
  const FairQueueConfig& alice = grown.queues[*made];
  EXPECT_EQ(alice.max_resources.absolute, Resource(2048, 4));
  EXPECT_EQ(alice.max_container_allocation, Resource(4096, 2));
  EXPECT_FALSE(alice.allow_preemption_from);
  made = grown.CreateQueue("root.q.bob", false);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_TRUE(grown.queues[*made].max_resources.is_percent);
  EXPECT_EQ(grown.queues[*made].max_resources.Resolve(Resource(10000, 100)), Resource(1000, 10));
  EXPECT_TRUE(c.warnings.empty());
}

TEST(AllocationConfigTest, NewElementErrorsNameFileLineAndValue) {
  EXPECT_THAT(ErrorOf("<queue name=\"a\">\n<maxContainerAllocation>50%"
                      "</maxContainerAllocation>\n</queue>\n"),
              HasSubstr("fair-scheduler.xml:4: queue root.a: <maxContainerAllocation> \"50%\" "
                        "must be an absolute amount"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\">\n<maxContainerAllocation>0 mb, 1 vcores"
                      "</maxContainerAllocation>\n</queue>\n"),
              HasSubstr("fair-scheduler.xml:4: queue root.a: <maxContainerAllocation> \"0 mb, 1 "
                        "vcores\" must allow at least 1 mb and 1 vcore"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\"><maxContainerAllocation>big</maxContainerAllocation>"
                      "</queue>\n"),
              HasSubstr("<maxContainerAllocation> resource \"big\" is not valid"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\" type=\"parent\">\n<maxChildResources>lots"
                      "</maxChildResources>\n</queue>\n"),
              HasSubstr("fair-scheduler.xml:4: queue root.a: <maxChildResources> resource "
                        "\"lots\" is not valid"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\">\n<allowPreemptionFrom>no</allowPreemptionFrom>\n"
                      "</queue>\n"),
              HasSubstr("fair-scheduler.xml:4: queue root.a: <allowPreemptionFrom> \"no\" must be "
                        "true or false"));
  EXPECT_THAT(ErrorOf("<queue name=\"a\">\n<reservation/>\n<queue name=\"b\"/>\n</queue>\n"),
              HasSubstr("fair-scheduler.xml:4: queue root.a: <reservation> is only valid on a "
                        "leaf queue"));
}

TEST(AllocationConfigTest, ReservationIsAcceptedWithAWarning) {
  auto parsed = ParseXml("<queue name=\"plan\">\n  <reservation></reservation>\n</queue>\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->warnings.size(), 1u);
  EXPECT_EQ(parsed->warnings[0],
            "fair-scheduler.xml:4: <reservation> in queue root.plan is ignored: Skein does not "
            "implement YARN's ReservationSystem; the queue is an ordinary leaf");
  EXPECT_TRUE(parsed->queues[parsed->Find("plan")].is_leaf());
}

TEST(AllocationConfigTest, AssignAndWeightSiteKeys) {
  conf::Configuration conf;
  auto site = FairSiteConfig::FromConfiguration(conf);
  ASSERT_TRUE(site.ok()) << site.status();
  // Hadoop's defaults: one container per node and pass.
  EXPECT_FALSE(site->assign_multiple);
  EXPECT_TRUE(site->dynamic_max_assign);
  EXPECT_EQ(site->max_assign, -1);
  EXPECT_FALSE(site->size_based_weight);
  EXPECT_FALSE(site->AssignUnlimited());
  EXPECT_TRUE(FairSiteConfig().AssignUnlimited());  // tests and benchmarks: no limit
  conf.Set("yarn.scheduler.fair.assignmultiple", "true");
  conf.Set("yarn.scheduler.fair.dynamic.max.assign", "false");
  conf.Set("yarn.scheduler.fair.max.assign", "3");
  conf.Set("yarn.scheduler.fair.sizebasedweight", "true");
  site = FairSiteConfig::FromConfiguration(conf);
  ASSERT_TRUE(site.ok()) << site.status();
  EXPECT_TRUE(site->assign_multiple);
  EXPECT_FALSE(site->dynamic_max_assign);
  EXPECT_EQ(site->max_assign, 3);
  EXPECT_TRUE(site->size_based_weight);
  conf.Set("yarn.scheduler.fair.max.assign", "three");
  EXPECT_THAT(FairSiteConfig::FromConfiguration(conf).status().message(),
              HasSubstr("yarn.scheduler.fair.max.assign"));
  conf.Set("yarn.scheduler.fair.max.assign", "99999999999");
  EXPECT_THAT(FairSiteConfig::FromConfiguration(conf).status().message(),
              HasSubstr("yarn.scheduler.fair.max.assign=99999999999: must be at most"));
  conf.Set("yarn.scheduler.fair.max.assign", "-1");
  conf.Set("yarn.scheduler.fair.sizebasedweight", "heavy");
  EXPECT_THAT(FairSiteConfig::FromConfiguration(conf).status().message(),
              HasSubstr("yarn.scheduler.fair.sizebasedweight"));
}

}  // namespace
}  // namespace skein::rm
