// The ResourceManager daemon as a testable object: builds the object graph (event loop, scheduler,
// application/node tracking, state store, gRPC services) from a Configuration. `yarn
// resourcemanager` and `yarn minicluster` are thin wrappers around it.
//
// Thread rules: Create/Start/Stop from one controlling thread; accessors any thread after Start.
#ifndef SKEIN_RESOURCEMANAGER_RESOURCE_MANAGER_H_
#define SKEIN_RESOURCEMANAGER_RESOURCE_MANAGER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/conf/configuration.h"
#include "common/hadoop_rpc/server.h"

namespace grpc {
class Service;
}

namespace skein::rm {

// What an HA ResourceManager (resourcemanager/ha/ha_resource_manager.h) adds to the active
// services it builds at each transition to active.
struct ActiveServicesOptions {
  // Served on the admin port beside ResourceManagerAdministrationProtocol (HAServiceProtocol).
  std::vector<grpc::Service*> extra_admin_services;
  // The same for Hadoop IPC: adds HAServiceProtocol's methods to the admin port's table.
  std::function<void(hrpc::MethodTable&)> add_admin_methods;
  // What AM containers get as SKEIN_RM_SCHEDULER_ADDRESS: every RM's scheduler address,
  // comma-separated in rm-ids order, so that AMs fail over. Empty: this RM's bound address.
  std::string am_scheduler_addresses;
  // The elector's ZooKeeper connection state, shown as haZooKeeperConnectionState by REST.
  std::function<std::string()> ha_zk_connection_state;
};

class ResourceManager {
 public:
  // Validates the configuration (scheduler class, allocation limits, addresses); errors name the
  // offending key and value. `conf_dir` is the directory `conf` was loaded from (`yarn --config`,
  // YARN_CONF_DIR, ...): `yarn rmadmin -refreshQueues` and the scheduler's file watch re-read it
  // with conf::LoadYarnConfiguration. Without one they re-apply `conf` itself.
  //
  // With yarn.resourcemanager.ha.enabled it returns an HA ResourceManager: it binds this RM's
  // ports (the `<key>.<yarn.resourcemanager.ha.id>` addresses), starts STANDBY and builds the
  // active services (CreateActiveServices) whenever it becomes active; see
  // resourcemanager/ha/ha_resource_manager.h.
  static absl::StatusOr<std::unique_ptr<ResourceManager>> Create(
      const conf::Configuration& conf, Clock& clock,
      std::optional<std::string> conf_dir = std::nullopt);
  // The non-HA daemon (also what an HA RM runs while active): `conf`'s plain address keys.
  static absl::StatusOr<std::unique_ptr<ResourceManager>> CreateActiveServices(
      const conf::Configuration& conf, Clock& clock, std::optional<std::string> conf_dir,
      ActiveServicesOptions options);
  virtual ~ResourceManager() = default;

  // Binds every port (port 0 = ephemeral) and starts serving. A port in use is an error that
  // names the configuration key and address.
  virtual absl::Status Start() = 0;
  // Stops serving and joins every thread. Idempotent.
  virtual void Stop() = 0;

  // Bound addresses, "host:port" with the real port (valid after Start).
  virtual std::string client_address() const = 0;            // yarn.resourcemanager.address
  virtual std::string scheduler_address() const = 0;         // ...scheduler.address
  virtual std::string resource_tracker_address() const = 0;  // ...resource-tracker.address
  virtual std::string admin_address() const = 0;             // ...admin.address (bound)
  virtual std::string webapp_address() const = 0;            // ...webapp.address (HTTP)
  // The cluster timestamp that prefixes every application id of this RM (of its current
  // activation with HA; 0 while standby).
  virtual int64_t cluster_timestamp() const = 0;
  // "active", "standby" or "initializing" (Hadoop's HAServiceState, lower case); a non-HA RM is
  // always "active".
  virtual std::string ha_state() const { return "active"; }
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_RESOURCE_MANAGER_H_
