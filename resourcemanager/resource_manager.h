// The ResourceManager daemon as a testable object: builds the object graph (event loop, scheduler,
// application/node tracking, state store, gRPC services) from a Configuration. `yarn
// resourcemanager` and `yarn minicluster` are thin wrappers around it.
//
// Thread rules: Create/Start/Stop from one controlling thread; accessors any thread after Start.
#ifndef SKEIN_RESOURCEMANAGER_RESOURCE_MANAGER_H_
#define SKEIN_RESOURCEMANAGER_RESOURCE_MANAGER_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/conf/configuration.h"

namespace skein::rm {

class ResourceManager {
 public:
  // Validates the configuration (scheduler class, allocation limits, addresses); errors name the
  // offending key and value. `conf_dir` is the directory `conf` was loaded from (`yarn --config`,
  // YARN_CONF_DIR, ...): `yarn rmadmin -refreshQueues` and the scheduler's file watch re-read it
  // with conf::LoadYarnConfiguration. Without one they re-apply `conf` itself.
  static absl::StatusOr<std::unique_ptr<ResourceManager>> Create(
      const conf::Configuration& conf, Clock& clock,
      std::optional<std::string> conf_dir = std::nullopt);
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
  // The cluster timestamp that prefixes every application id of this RM.
  virtual int64_t cluster_timestamp() const = 0;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_RESOURCE_MANAGER_H_
