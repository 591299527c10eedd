// ContainerManagementProtocol over gRPC: converts nothing, validates nothing itself; every call
// is handed to the ContainerManager on the NodeManager's loop (EventLoop::RunSync) and its answer
// returned. gRPC threads call these; the loop must be running while the server serves.
#ifndef SKEIN_NODEMANAGER_SERVICE_CONTAINER_MANAGER_SERVICE_H_
#define SKEIN_NODEMANAGER_SERVICE_CONTAINER_MANAGER_SERVICE_H_

#include "common/event_loop.h"
#include "nodemanager/container/container_manager.h"
#include "protos/container_manager.grpc.pb.h"

namespace skein::nm {

class ContainerManagerService final : public proto::ContainerManagementProtocol::Service {
 public:
  ContainerManagerService(EventLoop& loop, ContainerManager& manager)
      : loop_(loop), manager_(manager) {}

  grpc::Status StartContainers(grpc::ServerContext* ctx, const proto::StartContainersRequest* req,
                               proto::StartContainersResponse* resp) override;
  grpc::Status StopContainers(grpc::ServerContext* ctx, const proto::StopContainersRequest* req,
                              proto::StopContainersResponse* resp) override;
  grpc::Status GetContainerStatuses(grpc::ServerContext* ctx,
                                    const proto::GetContainerStatusesRequest* req,
                                    proto::GetContainerStatusesResponse* resp) override;

 private:
  EventLoop& loop_;
  ContainerManager& manager_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_SERVICE_CONTAINER_MANAGER_SERVICE_H_
