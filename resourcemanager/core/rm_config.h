// The ResourceManager's settings, read once from a Configuration and validated. Plain value.
#ifndef SKEIN_RESOURCEMANAGER_CORE_RM_CONFIG_H_
#define SKEIN_RESOURCEMANAGER_CORE_RM_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/conf/configuration.h"
#include "common/resource.h"
#include "resourcemanager/core/hosts_file.h"

namespace skein::rm {

struct RmConfig {
  std::string client_address = "0.0.0.0:8032";
  std::string scheduler_address = "0.0.0.0:8030";
  std::string resource_tracker_address = "0.0.0.0:8031";
  std::string admin_address = "0.0.0.0:8033";
  Resource minimum_allocation{1024, 1};
  Resource maximum_allocation{8192, 4};
  std::string scheduler_class;
  std::string calculator_class;
  std::string store_class;
  int32_t am_max_attempts = 2;
  int64_t nm_expiry_ms = 600000;
  int64_t nm_liveness_interval_ms = 1000;
  int64_t nm_heartbeat_interval_ms = 1000;
  int64_t container_token_expiry_ms = 600000;
  int32_t max_completed_applications = 1000;
  // How long an unregistered AM's container may keep running before the RM kills it.
  int64_t am_exit_grace_ms = 10000;
  // yarn.acl.enable / yarn.admin.acl (Hadoop's AccessControlList text, "users groups").
  bool acl_enable = false;
  bool log_aggregation_enable = false;  // yarn.log-aggregation-enable (reports show DISABLED)
  std::string admin_acl = "*";
  // hadoop.http.staticuser.user: who an anonymous web/REST request acts as (StaticUserWebFilter).
  std::string http_static_user = "dr.who";
  // How often the RM checks the scheduler's ReloadableFiles() for a new modification time (YARN's
  // allocation-file reload interval; not a configuration key).
  int64_t reload_check_interval_ms = 10000;
  // RM restart (docs/architecture.md, "Restart and recovery"):
  // yarn.resourcemanager.recovery.enabled,
  // ...work-preserving-recovery.enabled / .scheduling-wait-ms, and
  // ...state-store.max-completed-applications (capped at max_completed_applications, as Hadoop).
  bool recovery_enabled = false;
  bool work_preserving_recovery = true;
  int64_t recovery_scheduling_wait_ms = 10000;
  int32_t max_completed_applications_in_store = 1000;
  // yarn.resourcemanager.nodes.include-path / exclude-path, read at start (a malformed file stops
  // the RM with an error naming file:line); `yarn rmadmin -refreshNodes` reloads them.
  HostsLists hosts;
  // yarn.resourcemanager.nodemanager-graceful-decommission-timeout-secs (-1: no timeout).
  int32_t graceful_decommission_timeout_s = 3600;

  // Errors name the key and the offending value.
  static absl::StatusOr<RmConfig> FromConfiguration(const conf::Configuration& conf);
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_CORE_RM_CONFIG_H_
