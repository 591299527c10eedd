#include "resourcemanager/ha/ha_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::rm::ha {
namespace {

using ::testing::HasSubstr;

conf::Configuration Base() {
  conf::Configuration c = conf::Configuration::WithYarnDefaults();
  c.Set("yarn.resourcemanager.ha.enabled", "true");
  c.Set("yarn.resourcemanager.ha.rm-ids", "rm1,rm2");
  c.Set("yarn.resourcemanager.hostname.rm1", "host1");
  c.Set("yarn.resourcemanager.hostname.rm2", "host2");
  c.Set("yarn.resourcemanager.scheduler.address.rm2", "host2:9030");
  c.Set("yarn.resourcemanager.cluster-id", "c1");
  c.Set("hadoop.zk.address", "zk1:2181");
  return c;
}

bool Host2IsLocal(const std::string& host) { return host == "host2"; }

TEST(HaConfigTest, PerIdAddressesAndTheActiveConfiguration) {
  conf::Configuration c = Base();
  c.Set("yarn.resourcemanager.ha.id", "rm2");
  auto ha = HaConfig::FromConfiguration(c, Host2IsLocal);
  ASSERT_TRUE(ha.ok()) << ha.status();
  EXPECT_EQ(ha->rm_id, "rm2");
  EXPECT_EQ(ha->own("yarn.resourcemanager.address"), "host2:8032");
  EXPECT_EQ(ha->own("yarn.resourcemanager.scheduler.address"), "host2:9030");
  EXPECT_EQ(ha->own("yarn.resourcemanager.webapp.address"), "host2:8088");
  EXPECT_EQ(ha->active_conf.Get("yarn.resourcemanager.admin.address", ""), "host2:8033");
  EXPECT_EQ(ha->active_conf.Get("yarn.resourcemanager.scheduler.address", ""), "host2:9030");
  EXPECT_EQ(ha->am_scheduler_addresses(), "host1:8030,host2:9030");
  EXPECT_EQ(ha->election_path(), "/yarn-leader-election/c1");
  EXPECT_TRUE(ha->automatic_failover);
  EXPECT_EQ(ha->zk_timeout, absl::Seconds(10));
}

TEST(HaConfigTest, TheIdIsFoundByALocalAddress) {
  auto ha = HaConfig::FromConfiguration(Base(), Host2IsLocal);
  ASSERT_TRUE(ha.ok()) << ha.status();
  EXPECT_EQ(ha->rm_id, "rm2");
  auto none = HaConfig::FromConfiguration(Base(), [](const std::string&) { return false; });
  EXPECT_TRUE(absl::IsInvalidArgument(none.status()));
  EXPECT_THAT(none.status().message(), HasSubstr("set yarn.resourcemanager.ha.id; none of"));
  auto both = HaConfig::FromConfiguration(Base(), [](const std::string&) { return true; });
  EXPECT_THAT(both.status().message(), HasSubstr("rm1 and rm2 of rm1,rm2"));
}

TEST(HaConfigTest, BadSettingsNameTheKey) {
  conf::Configuration c = Base();
  c.Set("yarn.resourcemanager.ha.id", "rm3");
  EXPECT_THAT(HaConfig::FromConfiguration(c, Host2IsLocal).status().message(),
              HasSubstr("yarn.resourcemanager.ha.id 'rm3' is not one of "
                        "yarn.resourcemanager.ha.rm-ids (rm1,rm2)"));
  c = Base();
  c.Set("yarn.resourcemanager.ha.rm-ids", "rm1");
  EXPECT_THAT(HaConfig::FromConfiguration(c, Host2IsLocal).status().message(),
              HasSubstr("yarn.resourcemanager.ha.rm-ids must list at least two"));
  c = Base();
  c.Set("yarn.resourcemanager.ha.rm-ids", "rm1,rm9");
  EXPECT_THAT(HaConfig::FromConfiguration(c, Host2IsLocal).status().message(),
              HasSubstr("yarn.resourcemanager.hostname.rm9"));
  c = Base();
  c.Set("yarn.resourcemanager.cluster-id", "");
  EXPECT_THAT(HaConfig::FromConfiguration(c, Host2IsLocal).status().message(),
              HasSubstr("yarn.resourcemanager.cluster-id must be set"));
  c = Base();
  c.Set("hadoop.zk.address", "");
  EXPECT_THAT(HaConfig::FromConfiguration(c, Host2IsLocal).status().message(),
              HasSubstr("hadoop.zk.address must be set"));
  c = Base();
  c.Set("hadoop.zk.timeout-ms", "0");
  EXPECT_THAT(HaConfig::FromConfiguration(c, Host2IsLocal).status().message(),
              HasSubstr("hadoop.zk.timeout-ms must be positive"));
  c = Base();
  c.Set("yarn.resourcemanager.ha.automatic-failover.enabled", "maybe");
  EXPECT_THAT(HaConfig::FromConfiguration(c, Host2IsLocal).status().message(),
              HasSubstr("yarn.resourcemanager.ha.automatic-failover.enabled"));
  // Manual failover needs neither ZooKeeper nor a cluster id.
  c = Base();
  c.Set("yarn.resourcemanager.ha.automatic-failover.enabled", "false");
  c.Set("hadoop.zk.address", "");
  c.Set("yarn.resourcemanager.cluster-id", "");
  EXPECT_TRUE(HaConfig::FromConfiguration(c, Host2IsLocal).ok());
}

TEST(HaConfigTest, LoopbackIsLocalAndAForeignAddressIsNot) {
  EXPECT_TRUE(IsLocalHost("127.0.0.1"));
  EXPECT_FALSE(IsLocalHost("192.0.2.1"));  // TEST-NET-1
  EXPECT_FALSE(IsLocalHost("no-such-host.invalid"));
}

}  // namespace
}  // namespace skein::rm::ha
