// The NodeManager daemon as a testable object: registers with the RM's resource tracker,
// heartbeats, and serves ContainerManagementProtocol. `yarn nodemanager` and `yarn minicluster`
// are thin wrappers around it; several NodeManagers may run in one process (minicluster) when each
// has its own ports and directories.
//
// Thread rules: Create/Start/Stop from one controlling thread; accessors any thread after Start.
#ifndef SKEIN_NODEMANAGER_NODE_MANAGER_H_
#define SKEIN_NODEMANAGER_NODE_MANAGER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/conf/configuration.h"
#include "common/ids.h"

namespace skein::nm {

class NodeManager {
 public:
  // Validates the configuration (resources, directories, addresses); errors name the key.
  static absl::StatusOr<std::unique_ptr<NodeManager>> Create(const conf::Configuration& conf,
                                                             Clock& clock);
  virtual ~NodeManager() = default;

  // Creates local/log dirs, binds yarn.nodemanager.address (port 0 = ephemeral) and starts
  // registering with the RM in the background (retrying until the RM answers).
  virtual absl::Status Start() = 0;
  // Stops every container (SIGTERM, then SIGKILL), stops serving, joins every thread. Idempotent.
  virtual void Stop() = 0;

  // host:port of ContainerManagementProtocol (valid after Start); also the NodeId.
  virtual std::string address() const = 0;
  virtual NodeId node_id() const = 0;
  // True once the RM accepted the registration.
  virtual bool registered() const = 0;
  // True once the RM answered SHUTDOWN (the node is excluded or decommissioned): the NM stopped
  // heartbeating for good; `yarn nodemanager` then stops the daemon and exits.
  virtual bool shut_down_by_rm() const = 0;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_NODE_MANAGER_H_
