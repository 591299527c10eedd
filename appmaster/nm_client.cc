#include "appmaster/nm_client.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/rpc.h"

namespace skein::am {

namespace {

constexpr std::chrono::seconds kNmCallTimeout(30);

absl::Status WithContext(const grpc::Status& s, absl::string_view what, const NodeId& node) {
  absl::Status st = FromGrpcStatus(s);
  return absl::Status(st.code(), absl::StrCat("ContainerManagementProtocol.", what, " on ",
                                              node.ToString(), ": ", st.message()));
}

}  // namespace

proto::ContainerManagementProtocol::Stub* NMClient::StubFor(const NodeId& node) {
  skein::MutexLock lock(&mu_);
  auto& stub = stubs_[node];
  if (stub == nullptr) {
    stub = proto::ContainerManagementProtocol::NewStub(MakeChannel(node.ToString()));
  }
  return stub.get();
}

size_t NMClient::cached_channels() const {
  skein::MutexLock lock(&mu_);
  return stubs_.size();
}

absl::Status NMClient::StartContainer(const proto::ContainerProto& container,
                                      const proto::ContainerLaunchContextProto& context) {
  NodeId node = NodeId::FromProto(container.node_id());
  std::string id = ContainerId::FromProto(container.id()).ToString();
  if (node.host().empty() || node.port() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("container ", id, " has no usable node id '", node.ToString(), "'"));
  }
  proto::StartContainersRequest request;
  proto::StartContainerRequest* one = request.add_start_container_request();
  *one->mutable_container_launch_context() = context;
  *one->mutable_container_token() = container.container_token();
  proto::StartContainersResponse response;
  auto ctx = MakeClientContext(kNmCallTimeout);
  grpc::Status s = StubFor(node)->StartContainers(ctx.get(), request, &response);
  if (!s.ok()) return WithContext(s, "StartContainers", node);
  for (const auto& failed : response.failed_requests()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "NodeManager ", node.ToString(), " refused to start ", id, ": ", failed.exception()));
  }
  return absl::OkStatus();
}

absl::Status NMClient::StopContainer(const ContainerId& id, const NodeId& node) {
  proto::StopContainersRequest request;
  *request.add_container_id() = id.ToProto();
  proto::StopContainersResponse response;
  auto ctx = MakeClientContext(kNmCallTimeout);
  grpc::Status s = StubFor(node)->StopContainers(ctx.get(), request, &response);
  if (!s.ok()) return WithContext(s, "StopContainers", node);
  for (const auto& failed : response.failed_requests()) {
    return absl::FailedPreconditionError(absl::StrCat("NodeManager ", node.ToString(),
                                                      " could not stop ", id.ToString(), ": ",
                                                      failed.exception()));
  }
  return absl::OkStatus();
}

absl::StatusOr<proto::ContainerStatusProto> NMClient::GetContainerStatus(const ContainerId& id,
                                                                         const NodeId& node) {
  proto::GetContainerStatusesRequest request;
  *request.add_container_id() = id.ToProto();
  proto::GetContainerStatusesResponse response;
  auto ctx = MakeClientContext(kNmCallTimeout);
  grpc::Status s = StubFor(node)->GetContainerStatuses(ctx.get(), request, &response);
  if (!s.ok()) return WithContext(s, "GetContainerStatuses", node);
  for (const auto& failed : response.failed_requests()) {
    return absl::NotFoundError(absl::StrCat("NodeManager ", node.ToString(), " has no status for ",
                                            id.ToString(), ": ", failed.exception()));
  }
  if (response.status_size() == 0) {
    return absl::NotFoundError(
        absl::StrCat("NodeManager ", node.ToString(), " returned no status for ", id.ToString()));
  }
  return response.status(0);
}

}  // namespace skein::am
