#include "resourcemanager/core/rm_config.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace skein::rm {
namespace {

absl::Status Positive(const char* key, int64_t value) {
  if (value > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(key, "=", value, " must be greater than 0"));
}

}  // namespace

absl::StatusOr<RmConfig> RmConfig::FromConfiguration(const conf::Configuration& conf) {
  RmConfig c;
  c.client_address = conf.Get("yarn.resourcemanager.address", c.client_address);
  c.scheduler_address = conf.Get("yarn.resourcemanager.scheduler.address", c.scheduler_address);
  c.resource_tracker_address =
      conf.Get("yarn.resourcemanager.resource-tracker.address", c.resource_tracker_address);
  c.admin_address = conf.Get("yarn.resourcemanager.admin.address", c.admin_address);
  c.admin_acl = conf.Get("yarn.admin.acl", c.admin_acl);
  c.http_static_user = conf.Get("hadoop.http.staticuser.user", c.http_static_user);

#define SKEIN_GET(var, getter, key, def) \
  do {                                   \
    auto v = conf.getter(key, def);      \
    if (!v.ok()) return v.status();      \
    var = *v;                            \
  } while (0)
  SKEIN_GET(c.minimum_allocation.memory_mb, GetInt, "yarn.scheduler.minimum-allocation-mb", 1024);
  SKEIN_GET(c.maximum_allocation.memory_mb, GetInt, "yarn.scheduler.maximum-allocation-mb", 8192);
  SKEIN_GET(c.minimum_allocation.vcores, GetInt, "yarn.scheduler.minimum-allocation-vcores", 1);
  SKEIN_GET(c.maximum_allocation.vcores, GetInt, "yarn.scheduler.maximum-allocation-vcores", 4);
  int64_t attempts, completed;
  SKEIN_GET(attempts, GetInt, "yarn.resourcemanager.am.max-attempts", 2);
  SKEIN_GET(c.nm_expiry_ms, GetInt, "yarn.nm.liveness-monitor.expiry-interval-ms", 600000);
  SKEIN_GET(c.nm_liveness_interval_ms, GetInt,
            "yarn.resourcemanager.nm.liveness-monitor.interval-ms", 1000);
  SKEIN_GET(c.nm_heartbeat_interval_ms, GetInt,
            "yarn.resourcemanager.nodemanagers.heartbeat-interval-ms", 1000);
  SKEIN_GET(c.container_token_expiry_ms, GetInt,
            "yarn.resourcemanager.rm.container-allocation.expiry-interval-ms", 600000);
  SKEIN_GET(completed, GetInt, "yarn.resourcemanager.max-completed-applications", 1000);
  SKEIN_GET(c.acl_enable, GetBool, "yarn.acl.enable", false);
  SKEIN_GET(c.log_aggregation_enable, GetBool, "yarn.log-aggregation-enable", false);
  int64_t completed_in_store;
  SKEIN_GET(c.recovery_enabled, GetBool, "yarn.resourcemanager.recovery.enabled", false);
  SKEIN_GET(c.work_preserving_recovery, GetBool,
            "yarn.resourcemanager.work-preserving-recovery.enabled", true);
  SKEIN_GET(c.recovery_scheduling_wait_ms, GetInt,
            "yarn.resourcemanager.work-preserving-recovery.scheduling-wait-ms", 10000);
  SKEIN_GET(completed_in_store, GetInt,
            "yarn.resourcemanager.state-store.max-completed-applications", completed);
#undef SKEIN_GET
  if (c.recovery_scheduling_wait_ms < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("yarn.resourcemanager.work-preserving-recovery.scheduling-wait-ms=",
                     c.recovery_scheduling_wait_ms, " must not be negative"));
  }
  // As Hadoop's RMAppManager: the store never keeps more finished apps than memory does.
  c.max_completed_applications_in_store =
      static_cast<int32_t>(std::max<int64_t>(0, std::min(completed_in_store, completed)));
  auto decommission_timeout =
      conf.GetInt("yarn.resourcemanager.nodemanager-graceful-decommission-timeout-secs", 3600);
  if (!decommission_timeout.ok()) return decommission_timeout.status();
  c.graceful_decommission_timeout_s = static_cast<int32_t>(*decommission_timeout);
  auto hosts = LoadHostsLists(conf.Get("yarn.resourcemanager.nodes.include-path", ""),
                              conf.Get("yarn.resourcemanager.nodes.exclude-path", ""));
  if (!hosts.ok()) return hosts.status();
  c.hosts = std::move(*hosts);
  c.am_max_attempts = static_cast<int32_t>(attempts);
  c.max_completed_applications = static_cast<int32_t>(completed);

  for (auto [key, value] :
       {std::pair{"yarn.scheduler.minimum-allocation-mb", c.minimum_allocation.memory_mb},
        std::pair{"yarn.scheduler.maximum-allocation-mb", c.maximum_allocation.memory_mb},
        std::pair{"yarn.scheduler.maximum-allocation-vcores", c.maximum_allocation.vcores},
        std::pair{"yarn.resourcemanager.am.max-attempts", attempts},
        std::pair{"yarn.nm.liveness-monitor.expiry-interval-ms", c.nm_expiry_ms},
        std::pair{"yarn.resourcemanager.nm.liveness-monitor.interval-ms",
                  c.nm_liveness_interval_ms},
        std::pair{"yarn.resourcemanager.nodemanagers.heartbeat-interval-ms",
                  c.nm_heartbeat_interval_ms}}) {
    if (auto s = Positive(key, value); !s.ok()) return s;
  }
  if (c.minimum_allocation.vcores < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("yarn.scheduler.minimum-allocation-vcores=", c.minimum_allocation.vcores,
                     " must not be negative"));
  }
  if (c.minimum_allocation.memory_mb > c.maximum_allocation.memory_mb) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid resource scheduler memory allocation configuration: "
                     "yarn.scheduler.minimum-allocation-mb=",
                     c.minimum_allocation.memory_mb, ", yarn.scheduler.maximum-allocation-mb=",
                     c.maximum_allocation.memory_mb, "; min should equal or be less than max"));
  }
  if (c.minimum_allocation.vcores > c.maximum_allocation.vcores) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid resource scheduler vcores allocation configuration: "
                     "yarn.scheduler.minimum-allocation-vcores=",
                     c.minimum_allocation.vcores, ", yarn.scheduler.maximum-allocation-vcores=",
                     c.maximum_allocation.vcores, "; min should equal or be less than max"));
  }
  c.scheduler_class = conf.Get(
      "yarn.resourcemanager.scheduler.class",
      "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler");
  c.calculator_class = conf.Get("yarn.scheduler.capacity.resource-calculator",
                                "org.apache.hadoop.yarn.util.resource.DefaultResourceCalculator");
  c.store_class =
      conf.Get("yarn.resourcemanager.store.class",
               "org.apache.hadoop.yarn.server.resourcemanager.recovery.LeveldbRMStateStore");
  return c;
}

}  // namespace skein::rm
