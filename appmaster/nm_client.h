// The ApplicationMaster's side of ContainerManagementProtocol, modelled on YARN's NMClient:
// start, stop and query containers on the NodeManagers the RM placed them on.
//
// A granted ContainerProto names its node (node_id host:port is the NM's
// ContainerManagementProtocol address) and carries the RM-signed container token, which the NM
// checks before it starts anything.
//
// Threading: NMClient is thread-safe (the channel cache is locked); calls block for one RPC.
#ifndef SKEIN_APPMASTER_NM_CLIENT_H_
#define SKEIN_APPMASTER_NM_CLIENT_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/ids.h"
#include "common/sync.h"
#include "protos/container_manager.grpc.pb.h"
#include "protos/records.pb.h"

namespace skein::am {

// The seam between an AM's logic and the NodeManagers; tests use a fake.
class ContainerLauncher {
 public:
  virtual ~ContainerLauncher() = default;
  // Starts `container` with `context` on its node. A refusal by the NM is an error carrying the
  // NM's reason and the container id.
  virtual absl::Status StartContainer(const proto::ContainerProto& container,
                                      const proto::ContainerLaunchContextProto& context) = 0;
  virtual absl::Status StopContainer(const ContainerId& id, const NodeId& node) = 0;
  virtual absl::StatusOr<proto::ContainerStatusProto> GetContainerStatus(const ContainerId& id,
                                                                         const NodeId& node) = 0;
};

class NMClient final : public ContainerLauncher {
 public:
  NMClient() = default;

  absl::Status StartContainer(const proto::ContainerProto& container,
                              const proto::ContainerLaunchContextProto& context) override;
  absl::Status StopContainer(const ContainerId& id, const NodeId& node) override;
  absl::StatusOr<proto::ContainerStatusProto> GetContainerStatus(const ContainerId& id,
                                                                 const NodeId& node) override;

  // Number of distinct nodes a channel was opened to (one per node, reused).
  size_t cached_channels() const;

 private:
  proto::ContainerManagementProtocol::Stub* StubFor(const NodeId& node);

  mutable skein::Mutex mu_;
  std::map<NodeId, std::unique_ptr<proto::ContainerManagementProtocol::Stub>> stubs_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace skein::am

#endif  // SKEIN_APPMASTER_NM_CLIENT_H_
