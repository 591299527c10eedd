#include "common/conf/yarn_defaults.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

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

// Every default as Hadoop 3.5.0 ships it, written out here rather than read from Skein's own
// table. Sources: yarn-default.xml in hadoop-yarn-common-3.5.0.jar, core-default.xml in
// hadoop-common-3.5.0.jar, and for keys those files do not list, the named constant in
// YarnConfiguration, CapacitySchedulerConfiguration or FairSchedulerConfiguration (3.5.0), or
// capacity-scheduler.xml as Hadoop's distribution ships it.
struct HadoopDefault {
  std::string_view key;
  std::string_view value;
  std::string_view source;
};
constexpr std::string_view kYarnDefault = "yarn-default.xml (Hadoop 3.5.0)";
constexpr std::string_view kCoreDefault = "core-default.xml (Hadoop 3.5.0)";
constexpr HadoopDefault kHadoopDefaults[] = {
    {"hadoop.tmp.dir", "/tmp/hadoop-${user.name}", kCoreDefault},
    {"hadoop.http.staticuser.user", "dr.who", kCoreDefault},
    {"yarn.log.dir", "", "none: Hadoop's launch scripts set it from $YARN_LOG_DIR"},
    {"yarn.acl.enable", "false", kYarnDefault},
    {"yarn.admin.acl", "*", kYarnDefault},
    {"yarn.cluster.max-application-priority", "0", kYarnDefault},
    {"yarn.resourcemanager.hostname", "0.0.0.0", kYarnDefault},
    {"yarn.resourcemanager.address", "${yarn.resourcemanager.hostname}:8032", kYarnDefault},
    {"yarn.resourcemanager.scheduler.address", "${yarn.resourcemanager.hostname}:8030",
     kYarnDefault},
    {"yarn.resourcemanager.resource-tracker.address", "${yarn.resourcemanager.hostname}:8031",
     kYarnDefault},
    {"yarn.resourcemanager.admin.address", "${yarn.resourcemanager.hostname}:8033", kYarnDefault},
    {"yarn.resourcemanager.webapp.address", "${yarn.resourcemanager.hostname}:8088", kYarnDefault},
    {"yarn.resourcemanager.am.max-attempts", "2", kYarnDefault},
    {"yarn.nm.liveness-monitor.expiry-interval-ms", "600000", kYarnDefault},
    {"yarn.resourcemanager.nm.liveness-monitor.interval-ms", "1000",
     "Hadoop 2.x yarn-default.xml (Hadoop 3 dropped the key)"},
    {"yarn.resourcemanager.nodemanagers.heartbeat-interval-ms", "1000", kYarnDefault},
    {"yarn.resourcemanager.max-completed-applications", "1000", kYarnDefault},
    {"yarn.resourcemanager.recovery.enabled", "false", kYarnDefault},
    {"yarn.resourcemanager.store.class",
     "org.apache.hadoop.yarn.server.resourcemanager.recovery.FileSystemRMStateStore", kYarnDefault},
    {"yarn.resourcemanager.leveldb-state-store.path", "${hadoop.tmp.dir}/yarn/system/rmstore",
     kYarnDefault},
    {"yarn.resourcemanager.work-preserving-recovery.enabled", "true", kYarnDefault},
    {"yarn.resourcemanager.work-preserving-recovery.scheduling-wait-ms", "10000", kYarnDefault},
    {"yarn.resourcemanager.state-store.max-completed-applications",
     "${yarn.resourcemanager.max-completed-applications}", kYarnDefault},
    {"hadoop.zk.address", "", kCoreDefault},
    {"hadoop.zk.timeout-ms", "10000", kCoreDefault},
    {"yarn.resourcemanager.zk-state-store.parent-path", "/rmstore", kYarnDefault},
    {"yarn.resourcemanager.ha.enabled", "false", kYarnDefault},
    {"yarn.resourcemanager.ha.rm-ids", "", kYarnDefault},
    {"yarn.resourcemanager.ha.id", "", kYarnDefault},
    {"yarn.resourcemanager.ha.automatic-failover.enabled", "true", kYarnDefault},
    {"yarn.resourcemanager.ha.automatic-failover.embedded", "true", kYarnDefault},
    {"yarn.resourcemanager.ha.automatic-failover.zk-base-path", "/yarn-leader-election",
     kYarnDefault},
    {"yarn.resourcemanager.cluster-id", "", kYarnDefault},
    {"yarn.resourcemanager.rm.container-allocation.expiry-interval-ms", "600000", kYarnDefault},
    {"yarn.resourcemanager.nodes.include-path", "", kYarnDefault},
    {"yarn.resourcemanager.nodes.exclude-path", "", kYarnDefault},
    {"yarn.resourcemanager.nodemanager-graceful-decommission-timeout-secs", "3600", kYarnDefault},
    {"yarn.resourcemanager.scheduler.class",
     "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler",
     kYarnDefault},
    {"yarn.scheduler.minimum-allocation-mb", "1024", kYarnDefault},
    {"yarn.scheduler.maximum-allocation-mb", "8192", kYarnDefault},
    {"yarn.scheduler.minimum-allocation-vcores", "1", kYarnDefault},
    {"yarn.scheduler.maximum-allocation-vcores", "4", kYarnDefault},
    {"yarn.scheduler.capacity.resource-calculator",
     "org.apache.hadoop.yarn.util.resource.DefaultResourceCalculator", "capacity-scheduler.xml"},
    {"yarn.resourcemanager.scheduler.monitor.enable", "false", kYarnDefault},
    {"yarn.resourcemanager.scheduler.monitor.policies",
     "org.apache.hadoop.yarn.server.resourcemanager.monitor.capacity."
     "ProportionalCapacityPreemptionPolicy",
     kYarnDefault},
    {"yarn.resourcemanager.monitor.capacity.preemption.observe_only", "false",
     "CapacitySchedulerConfiguration.DEFAULT_PREEMPTION_OBSERVE_ONLY"},
    {"yarn.resourcemanager.monitor.capacity.preemption.monitoring_interval", "3000",
     "CapacitySchedulerConfiguration.DEFAULT_PREEMPTION_MONITORING_INTERVAL"},
    {"yarn.resourcemanager.monitor.capacity.preemption.max_wait_before_kill", "15000",
     "CapacitySchedulerConfiguration.DEFAULT_PREEMPTION_WAIT_TIME_BEFORE_KILL"},
    {"yarn.resourcemanager.monitor.capacity.preemption.total_preemption_per_round", "0.1",
     "CapacitySchedulerConfiguration.DEFAULT_TOTAL_PREEMPTION_PER_ROUND"},
    {"yarn.resourcemanager.monitor.capacity.preemption.max_ignored_over_capacity", "0.1",
     "CapacitySchedulerConfiguration.DEFAULT_PREEMPTION_MAX_IGNORED_OVER_CAPACITY"},
    {"yarn.resourcemanager.monitor.capacity.preemption.natural_termination_factor", "0.2",
     "CapacitySchedulerConfiguration.DEFAULT_PREEMPTION_NATURAL_TERMINATION_FACTOR"},
    {"yarn.scheduler.fair.allocation.file", "fair-scheduler.xml",
     "FairSchedulerConfiguration.DEFAULT_ALLOCATION_FILE"},
    {"yarn.scheduler.fair.user-as-default-queue", "true",
     "FairSchedulerConfiguration.DEFAULT_USER_AS_DEFAULT_QUEUE"},
    {"yarn.scheduler.fair.allow-undeclared-pools", "true",
     "FairSchedulerConfiguration.DEFAULT_ALLOW_UNDECLARED_POOLS"},
    {"yarn.scheduler.fair.preemption", "false", "FairSchedulerConfiguration.DEFAULT_PREEMPTION"},
    {"yarn.scheduler.fair.preemption.cluster-utilization-threshold", "0.8",
     "FairSchedulerConfiguration.DEFAULT_PREEMPTION_THRESHOLD"},
    {"yarn.scheduler.fair.update-interval-ms", "500",
     "FairSchedulerConfiguration.DEFAULT_UPDATE_INTERVAL_MS"},
    {"yarn.scheduler.fair.waitTimeBeforeKill", "15000",
     "FairSchedulerConfiguration.DEFAULT_WAIT_TIME_BEFORE_KILL"},
    {"yarn.scheduler.fair.sizebasedweight", "false",
     "FairSchedulerConfiguration.DEFAULT_SIZE_BASED_WEIGHT"},
    {"yarn.scheduler.fair.assignmultiple", "false",
     "FairSchedulerConfiguration.DEFAULT_ASSIGN_MULTIPLE"},
    {"yarn.scheduler.fair.max.assign", "-1", "FairSchedulerConfiguration.DEFAULT_MAX_ASSIGN"},
    {"yarn.scheduler.fair.dynamic.max.assign", "true",
     "FairSchedulerConfiguration.DEFAULT_DYNAMIC_MAX_ASSIGN"},
    {"yarn.nodemanager.hostname", "0.0.0.0", kYarnDefault},
    {"yarn.nodemanager.address", "${yarn.nodemanager.hostname}:0", kYarnDefault},
    {"yarn.nodemanager.webapp.address", "${yarn.nodemanager.hostname}:8042", kYarnDefault},
    {"yarn.nodemanager.local-dirs", "${hadoop.tmp.dir}/nm-local-dir", kYarnDefault},
    {"yarn.nodemanager.log-dirs", "${yarn.log.dir}/userlogs", kYarnDefault},
    {"yarn.nodemanager.resource.memory-mb", "-1", kYarnDefault},
    {"yarn.nodemanager.resource.cpu-vcores", "-1", kYarnDefault},
    {"yarn.nodemanager.sleep-delay-before-sigkill.ms", "250", kYarnDefault},
    {"yarn.nodemanager.delete.debug-delay-sec", "0", kYarnDefault},
    {"yarn.nodemanager.container-executor.class",
     "org.apache.hadoop.yarn.server.nodemanager.DefaultContainerExecutor", kYarnDefault},
    {"yarn.nodemanager.admin-env", "MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX", kYarnDefault},
    {"yarn.nodemanager.env-whitelist",
     "JAVA_HOME,HADOOP_COMMON_HOME,HADOOP_HDFS_HOME,HADOOP_CONF_DIR,CLASSPATH_PREPEND_DISTCACHE,"
     "HADOOP_YARN_HOME,HADOOP_HOME,PATH,LANG,TZ",
     kYarnDefault},
    {"yarn.nodemanager.container-monitor.interval-ms", "3000",
     "YarnConfiguration.DEFAULT_NM_CONTAINER_MON_INTERVAL_MS"},
    {"yarn.nodemanager.pmem-check-enabled", "true", kYarnDefault},
    {"yarn.nodemanager.vmem-check-enabled", "true", kYarnDefault},
    {"yarn.nodemanager.vmem-pmem-ratio", "2.1", kYarnDefault},
    {"yarn.nodemanager.linux-container-executor.resources-handler.class",
     "org.apache.hadoop.yarn.server.nodemanager.util.DefaultLCEResourcesHandler", kYarnDefault},
    {"yarn.nodemanager.resource.cpu.enabled", "false",
     "YarnConfiguration.DEFAULT_NM_CPU_RESOURCE_ENABLED"},
    {"yarn.nodemanager.resource.memory.enabled", "false", kYarnDefault},
    {"yarn.nodemanager.resource.memory.enforced", "true", kYarnDefault},
    {"yarn.nodemanager.linux-container-executor.cgroups.hierarchy", "/hadoop-yarn", kYarnDefault},
    {"yarn.nodemanager.linux-container-executor.cgroups.mount-path", "", kYarnDefault},
    {"yarn.nodemanager.linux-container-executor.cgroups.strict-resource-usage", "false",
     kYarnDefault},
    {"yarn.nodemanager.resource.percentage-physical-cpu-limit", "100", kYarnDefault},
    {"yarn.nodemanager.health-checker.script.path", "",
     "YarnConfiguration.NM_HEALTH_CHECK_SCRIPT_PATH_TEMPLATE, no default"},
    {"yarn.nodemanager.health-checker.script.opts", "",
     "YarnConfiguration.NM_HEALTH_CHECK_SCRIPT_OPTS_TEMPLATE, no default"},
    {"yarn.nodemanager.health-checker.interval-ms", "600000", kYarnDefault},
    {"yarn.nodemanager.health-checker.script.timeout-ms", "1200000",
     "YarnConfiguration.DEFAULT_NM_HEALTH_CHECK_TIMEOUT_MS"},
    {"yarn.nodemanager.disk-health-checker.enable", "true", kYarnDefault},
    {"yarn.nodemanager.disk-health-checker.interval-ms", "120000", kYarnDefault},
    {"yarn.nodemanager.disk-health-checker.min-healthy-disks", "0.25", kYarnDefault},
    {"yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "90.0",
     kYarnDefault},
    {"yarn.nodemanager.disk-health-checker.min-free-space-per-disk-mb", "0", kYarnDefault},
    {"yarn.nodemanager.recovery.enabled", "false", kYarnDefault},
    {"yarn.nodemanager.recovery.dir", "${hadoop.tmp.dir}/yarn-nm-recovery", kYarnDefault},
    {"yarn.nodemanager.recovery.supervised", "false", kYarnDefault},
    {"yarn.log-aggregation-enable", "false", kYarnDefault},
    {"yarn.nodemanager.remote-app-log-dir", "/tmp/logs", kYarnDefault},
    {"yarn.nodemanager.remote-app-log-dir-suffix", "logs", kYarnDefault},
    {"yarn.nodemanager.log.retain-seconds", "10800", kYarnDefault},
    {"yarn.log-aggregation.retain-seconds", "-1", kYarnDefault},
    {"yarn.log-aggregation.retain-check-interval-seconds", "-1", kYarnDefault},
    {"yarn.resourcemanager.connect.max-wait.ms", "900000", kYarnDefault},
    {"yarn.resourcemanager.connect.retry-interval.ms", "30000", kYarnDefault},
    {"yarn.client.application-client-protocol.poll-interval-ms", "200", kYarnDefault},
    {"yarn.client.failover-max-attempts", "", kYarnDefault},
    {"yarn.client.failover-sleep-base-ms", "", kYarnDefault},
    {"yarn.client.failover-sleep-max-ms", "", kYarnDefault},
};

// Skein defaults that differ from Hadoop's on purpose; YarnDefaults() says why in the key's
// description (and so does docs/configuration.md).
const std::map<std::string_view, std::string_view>& Deviations() {
  static const auto* const kDeviations = new std::map<std::string_view, std::string_view>{
      // Hadoop: FileSystemRMStateStore, which needs HDFS.
      {"yarn.resourcemanager.store.class",
       "org.apache.hadoop.yarn.server.resourcemanager.recovery.LeveldbRMStateStore"},
      // Hadoop: no default in its files; its launch scripts set it.
      {"yarn.log.dir", "${hadoop.tmp.dir}/logs"},
  };
  return *kDeviations;
}

std::string_view DescriptionOf(std::string_view name) {
  for (const ConfKey& key : YarnDefaults()) {
    if (key.name == name) return key.description;
  }
  return "";
}

TEST(YarnDefaultsTest, EveryDefaultIsHadoopsOrADocumentedDeviation) {
  for (const HadoopDefault& row : kHadoopDefaults) {
    auto deviation = Deviations().find(row.key);
    if (deviation == Deviations().end()) {
      EXPECT_EQ(DefaultOf(row.key), row.value) << row.key << ": Hadoop's value from " << row.source;
      continue;
    }
    EXPECT_NE(row.value, deviation->second) << row.key << " is listed as a deviation but isn't one";
    EXPECT_EQ(DefaultOf(row.key), deviation->second) << row.key;
    EXPECT_THAT(
        std::string(DescriptionOf(row.key)),
        ::testing::AnyOf(::testing::HasSubstr("Deviation"), ::testing::HasSubstr("Skein-specific")))
        << row.key << " differs from Hadoop (" << row.value << ") without saying why";
  }
}

TEST(YarnDefaultsTest, HadoopTableCoversEveryKey) {
  std::set<std::string_view> table;
  for (const HadoopDefault& row : kHadoopDefaults) {
    EXPECT_TRUE(table.insert(row.key).second) << "duplicate row " << row.key;
  }
  std::set<std::string_view> keys;
  for (const ConfKey& key : YarnDefaults()) keys.insert(key.name);
  EXPECT_EQ(table, keys);
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
