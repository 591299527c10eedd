#include "resourcemanager/core/rm_config.h"

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
#undef SKEIN_GET
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
               "org.apache.hadoop.yarn.server.resourcemanager.recovery.MemoryRMStateStore");
  return c;
}

}  // namespace skein::rm
