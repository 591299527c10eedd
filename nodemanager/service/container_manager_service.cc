#include "nodemanager/service/container_manager_service.h"

namespace skein::nm {

grpc::Status ContainerManagerService::StartContainers(grpc::ServerContext*,
                                                      const proto::StartContainersRequest* req,
                                                      proto::StartContainersResponse* resp) {
  *resp = loop_.RunSync([&] { return manager_.StartContainers(*req); });
  return grpc::Status::OK;
}

grpc::Status ContainerManagerService::StopContainers(grpc::ServerContext*,
                                                     const proto::StopContainersRequest* req,
                                                     proto::StopContainersResponse* resp) {
  *resp = loop_.RunSync([&] { return manager_.StopContainers(*req); });
  return grpc::Status::OK;
}

grpc::Status ContainerManagerService::GetContainerStatuses(
    grpc::ServerContext*, const proto::GetContainerStatusesRequest* req,
    proto::GetContainerStatusesResponse* resp) {
  *resp = loop_.RunSync([&] { return manager_.GetContainerStatuses(*req); });
  return grpc::Status::OK;
}

}  // namespace skein::nm
