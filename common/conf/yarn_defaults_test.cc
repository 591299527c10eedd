#include "common/conf/yarn_defaults.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "common/conf/configuration.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::conf {
namespace {

std::string DefaultOf(std::string_view name) {
  for (const ConfKey& key : YarnDefaults()) {
    if (key.name == name) return std::string(key.default_value);
  }
  ADD_FAILURE() << name << " is not in YarnDefaults()";
  return "";
}

TEST(YarnDefaultsTest, NoDuplicateNamesAndEveryKeyDescribed) {
  std::set<std::string_view> seen;
  for (const ConfKey& key : YarnDefaults()) {
    EXPECT_TRUE(seen.insert(key.name).second) << "duplicate key " << key.name;
    EXPECT_FALSE(key.description.empty()) << key.name;
  }
}

TEST(YarnDefaultsTest, SpotValuesMatchHadoop) {
  EXPECT_EQ(DefaultOf("yarn.resourcemanager.address"), "${yarn.resourcemanager.hostname}:8032");
  EXPECT_EQ(DefaultOf("yarn.resourcemanager.scheduler.address"),
            "${yarn.resourcemanager.hostname}:8030");
  EXPECT_EQ(DefaultOf("yarn.resourcemanager.resource-tracker.address"),
            "${yarn.resourcemanager.hostname}:8031");
  EXPECT_EQ(DefaultOf("yarn.resourcemanager.webapp.address"),
            "${yarn.resourcemanager.hostname}:8088");
  EXPECT_EQ(DefaultOf("yarn.scheduler.minimum-allocation-mb"), "1024");
  EXPECT_EQ(DefaultOf("yarn.scheduler.maximum-allocation-mb"), "8192");
  EXPECT_EQ(DefaultOf("yarn.scheduler.maximum-allocation-vcores"), "4");
  EXPECT_EQ(DefaultOf("yarn.resourcemanager.am.max-attempts"), "2");
  EXPECT_EQ(DefaultOf("yarn.nm.liveness-monitor.expiry-interval-ms"), "600000");
  EXPECT_EQ(DefaultOf("yarn.nodemanager.webapp.address"), "${yarn.nodemanager.hostname}:8042");
}

TEST(YarnDefaultsTest, DefaultsAreWellTyped) {
  Configuration conf = Configuration::WithYarnDefaults();
  EXPECT_EQ(*conf.GetInt("yarn.resourcemanager.am.max-attempts", 0), 2);
  EXPECT_EQ(*conf.GetMemoryMb("yarn.nodemanager.resource.memory-mb", 0), -1);
  EXPECT_EQ(*conf.GetDuration("yarn.nm.liveness-monitor.expiry-interval-ms", absl::ZeroDuration()),
            absl::Minutes(10));
  EXPECT_FALSE(*conf.GetBool("yarn.acl.enable", true));
  // Every default expands without leftover variables.
  for (const std::string& key : conf.Keys()) {
    EXPECT_THAT(*conf.Get(key), ::testing::Not(::testing::HasSubstr("${"))) << key;
  }
}

// docs/configuration.md must list every key, in a table row that also shows its default, so the
// documentation cannot fall behind the code.
TEST(YarnDefaultsTest, EveryKeyIsDocumentedWithItsDefault) {
  const std::string path = std::string(SKEIN_SOURCE_DIR) + "/docs/configuration.md";
  std::ifstream file(path);
  ASSERT_TRUE(file.good()) << "cannot read " << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);

  for (const ConfKey& key : YarnDefaults()) {
    const std::string row_start =
        "| `" + std::string(key.name) + "` | `" + std::string(key.default_value) + "` |";
    bool documented = false;
    for (const std::string& line : lines) {
      if (line.rfind(row_start, 0) == 0) {
        documented = true;
        break;
      }
    }
    EXPECT_TRUE(documented) << path << " lacks a row starting \"" << row_start << "\"";
  }
}

}  // namespace
}  // namespace skein::conf
