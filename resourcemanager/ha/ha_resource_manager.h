// A ResourceManager in high-availability mode (yarn.resourcemanager.ha.enabled): one of
// yarn.resourcemanager.ha.rm-ids, active or standby.
//
// It binds this RM's five ports once and keeps them. While STANDBY it serves only:
//   - HAServiceProtocol on the admin port (`yarn rmadmin -getServiceState ...`);
//   - every other gRPC call, on any port, refused with UNAVAILABLE
//     "ResourceManager <id> is not Active!" (clients, AMs and NMs then fail over to the next
//     rm-id: common/rm_failover.h). Hadoop's standby does not listen on those ports at all; Skein
//     answers so that the caller learns at once which RM it reached and why it moves on;
//   - HTTP: /ws/v1/cluster/info (haState STANDBY) and, for every other path, a 307 redirect to the
//     active RM's web address (found by asking the other RMs' HAServiceProtocol), as Hadoop's
//     RMWebAppFilter does; 503 when no RM is active.
// On becoming ACTIVE it stops the standby listeners and builds fresh active services
// (ResourceManager::CreateActiveServices: RmCore, scheduler, state store, recovery, all servers)
// on the same ports; on becoming STANDBY it stops them, dropping all in-memory state, and
// listens as standby again.
//
// With automatic failover (default) an embedded ActiveStandbyElector decides; manual
// transitions are then refused unless forced (`--forcemanual`). Without it the RM stays standby
// until `yarn rmadmin -transitionToActive <id>`.
//
// Thread rules: as ResourceManager. Transitions run on the elector's thread or, when asked over
// HAServiceProtocol, on the RM's own "rm-ha" thread, one at a time.
#ifndef SKEIN_RESOURCEMANAGER_HA_HA_RESOURCE_MANAGER_H_
#define SKEIN_RESOURCEMANAGER_HA_HA_RESOURCE_MANAGER_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/conf/configuration.h"
#include "resourcemanager/resource_manager.h"

namespace skein::rm::ha {

// Validates the HA settings (resourcemanager/ha/ha_config.h) and the active services'
// configuration; errors name the key.
absl::StatusOr<std::unique_ptr<ResourceManager>> CreateHaResourceManager(
    const conf::Configuration& conf, Clock& clock, std::optional<std::string> conf_dir);

}  // namespace skein::rm::ha

#endif  // SKEIN_RESOURCEMANAGER_HA_HA_RESOURCE_MANAGER_H_
