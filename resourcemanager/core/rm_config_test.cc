#include "resourcemanager/core/rm_config.h"

#include "gtest/gtest.h"

namespace skein::rm {
namespace {

TEST(RmConfigTest, DefaultsEqualHadoops) {
  auto c = RmConfig::FromConfiguration(conf::Configuration::WithYarnDefaults());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->client_address, "0.0.0.0:8032");
  EXPECT_EQ(c->scheduler_address, "0.0.0.0:8030");
  EXPECT_EQ(c->resource_tracker_address, "0.0.0.0:8031");
  EXPECT_EQ(c->minimum_allocation, Resource(1024, 1));
  EXPECT_EQ(c->maximum_allocation.memory_mb, 8192);
  EXPECT_EQ(c->am_max_attempts, 2);
  EXPECT_EQ(c->nm_expiry_ms, 600000);
  EXPECT_EQ(c->scheduler_class,
            "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler");
}

TEST(RmConfigTest, BadValuesNameTheKey) {
  conf::Configuration conf = conf::Configuration::WithYarnDefaults();
  conf.Set("yarn.scheduler.minimum-allocation-mb", "4096");
  conf.Set("yarn.scheduler.maximum-allocation-mb", "2048");
  auto c = RmConfig::FromConfiguration(conf);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("yarn.scheduler.minimum-allocation-mb=4096"),
            std::string::npos);
  conf.Set("yarn.scheduler.maximum-allocation-mb", "lots");
  c = RmConfig::FromConfiguration(conf);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("yarn.scheduler.maximum-allocation-mb"), std::string::npos);
  conf = conf::Configuration::WithYarnDefaults();
  conf.Set("yarn.resourcemanager.am.max-attempts", "0");
  c = RmConfig::FromConfiguration(conf);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("am.max-attempts=0"), std::string::npos);
}

TEST(RmConfigTest, AclKeys) {
  auto c = RmConfig::FromConfiguration(conf::Configuration::WithYarnDefaults());
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->acl_enable);
  EXPECT_EQ(c->admin_acl, "*");
  conf::Configuration conf = conf::Configuration::WithYarnDefaults();
  conf.Set("yarn.acl.enable", "true");
  conf.Set("yarn.admin.acl", "root admins");
  c = RmConfig::FromConfiguration(conf);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->acl_enable);
  EXPECT_EQ(c->admin_acl, "root admins");
  conf.Set("yarn.acl.enable", "maybe");
  c = RmConfig::FromConfiguration(conf);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("yarn.acl.enable"), std::string::npos) << c.status();
}

}  // namespace
}  // namespace skein::rm
