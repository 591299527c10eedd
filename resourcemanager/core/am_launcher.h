// Starts (and stops) ApplicationMaster containers on NodeManagers for the RM. Blocking RPCs run
// on the launcher's own thread, never on the RM loop; `done` is called on that thread.
#ifndef SKEIN_RESOURCEMANAGER_CORE_AM_LAUNCHER_H_
#define SKEIN_RESOURCEMANAGER_CORE_AM_LAUNCHER_H_

#include <functional>

#include "absl/status/status.h"
#include "common/event_loop.h"
#include "protos/container_manager.grpc.pb.h"
#include "protos/records.pb.h"

namespace skein::rm {

class AmLauncher {
 public:
  using Done = std::function<void(absl::Status)>;
  virtual ~AmLauncher() = default;
  virtual void Launch(const proto::ContainerProto& container,
                      const proto::ContainerLaunchContextProto& launch_context, Done done) = 0;
};

// Calls ContainerManagementProtocol.StartContainers on the container's node.
class GrpcAmLauncher final : public AmLauncher {
 public:
  GrpcAmLauncher();
  ~GrpcAmLauncher() override;
  void Launch(const proto::ContainerProto& container,
              const proto::ContainerLaunchContextProto& launch_context, Done done) override;
  void Stop() { worker_.Stop(); }

 private:
  EventLoop worker_;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_CORE_AM_LAUNCHER_H_
