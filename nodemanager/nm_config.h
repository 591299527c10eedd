// The NodeManager's settings, read once from the Configuration and validated. Errors name the
// offending key and value. Plain value; any thread.
#ifndef SKEIN_NODEMANAGER_NM_CONFIG_H_
#define SKEIN_NODEMANAGER_NM_CONFIG_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/conf/configuration.h"
#include "common/resource.h"
#include "nodemanager/executor/cgroups/cgroups_manager.h"
#include "nodemanager/health/disk_checker.h"
#include "nodemanager/health/health_checker.h"
#include "nodemanager/logaggregation/log_aggregation_service.h"
#include "nodemanager/monitor/containers_monitor.h"

namespace skein::nm {

inline constexpr char kNmVersion[] = "skein-0.1.0";

struct NmConfig {
  // Address to bind ContainerManagementProtocol on (yarn.nodemanager.address); port 0 = ephemeral.
  std::string bind_address;
  // Host part of the NodeId: the configured host, or 127.0.0.1 for 0.0.0.0 / localhost / "".
  std::string node_host;
  int http_port = 0;  // port of yarn.nodemanager.webapp.address (informational)
  std::vector<std::string> local_dirs;
  std::vector<std::string> log_dirs;
  Resource total;  // memory-mb / cpu-vcores, -1 resolved to 8192 / 8
  absl::Duration sigkill_delay = absl::Milliseconds(250);
  std::string
      rm_tracker_address;  // where to register (connectable; HA: every RM's, comma-separated)
  absl::Duration rm_retry_cap = absl::Seconds(30);
  std::vector<std::string> env_whitelist;  // always contains PATH
  // yarn.nodemanager.admin-env as written: (NAME, VALUE) in order; VALUE may hold $NAME or
  // ${NAME} references to the NodeManager's environment (see ExpandAdminEnv).
  std::vector<std::pair<std::string, std::string>> admin_env;
  MonitorOptions monitor;                       // pmem/vmem checks, interval
  CgroupsOptions cgroups;                       // enabled == false: no cgroups asked for
  HealthCheckerOptions health;                  // script == "": no health script
  DiskCheckerOptions disks;                     // local_dirs / log_dirs == those above
  logs::LogAggregationOptions log_aggregation;  // log_dirs == log_dirs above
  // NodeManager restart (yarn.nodemanager.recovery.*). The state store lives in recovery_dir
  // with recovery on, else in <first local dir>/nmPrivate/state (used only to kill leftovers).
  bool recovery_enabled = false;
  bool recovery_supervised = false;
  std::string recovery_dir;  // empty unless recovery_enabled
};

absl::StatusOr<NmConfig> ParseNmConfig(const conf::Configuration& conf);

// The variables yarn.nodemanager.admin-env forces into every container (over the launch
// context's own, as Hadoop does), with each $NAME / ${NAME} in a value replaced by `lookup(NAME)`
// (the NodeManager's environment; unset = ""). A variable whose value comes out empty is left
// out, where Hadoop exports it empty: Hadoop's default MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX then
// sets nothing on an NM started without MALLOC_ARENA_MAX.
std::map<std::string, std::string> ExpandAdminEnv(
    const std::vector<std::pair<std::string, std::string>>& admin_env,
    const std::function<std::optional<std::string>(const std::string&)>& lookup);

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_NM_CONFIG_H_
