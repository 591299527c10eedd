#include "appmaster/testing/fake_am_cluster.h"

#include <string>

namespace skein::am::testing {

std::vector<proto::ResourceProto> FakeAmCluster::AskedCapabilities() const {
  std::vector<proto::ResourceProto> asked;
  for (const auto& request : allocates) {
    for (const auto& ask : request.ask()) asked.push_back(ask.capability());
  }
  return asked;
}

proto::ContainerProto FakeAmCluster::Grant() {
  ContainerId id = ContainerId::Make(ApplicationAttemptId(app, 1), 0, next_seq++);
  proto::ContainerProto container;
  *container.mutable_id() = id.ToProto();
  *container.mutable_node_id() = NodeId("127.0.0.1", 45454).ToProto();
  ++grants;
  return container;
}

absl::StatusOr<proto::RegisterApplicationMasterResponse> FakeAmrmProtocol::Register(
    const proto::RegisterApplicationMasterRequest&) {
  return proto::RegisterApplicationMasterResponse();
}

absl::StatusOr<proto::AllocateResponse> FakeAmrmProtocol::Allocate(
    const proto::AllocateRequest& request) {
  c_->allocates.push_back(request);
  if (c_->allocates.size() > 1000) return absl::InternalError("runaway AM loop");
  for (const auto& ask : request.ask()) c_->outstanding = ask.num_containers();
  proto::AllocateResponse response;
  if (c_->shutdown || (c_->shutdown_after_first_grant && c_->grants > 0)) {
    response.set_a_m_command_shutdown(true);
    return response;
  }
  for (const auto& status : c_->to_complete) *response.add_completed_container_statuses() = status;
  c_->to_complete.clear();
  for (; c_->outstanding > 0; --c_->outstanding) *response.add_allocated_containers() = c_->Grant();
  for (; c_->extra_grants > 0; --c_->extra_grants) {
    *response.add_allocated_containers() = c_->Grant();
  }
  return response;
}

absl::StatusOr<proto::FinishApplicationMasterResponse> FakeAmrmProtocol::Finish(
    const proto::FinishApplicationMasterRequest& request) {
  c_->finishes.push_back(request);
  return proto::FinishApplicationMasterResponse();
}

absl::Status FakeContainerLauncher::StartContainer(
    const proto::ContainerProto& container, const proto::ContainerLaunchContextProto& context) {
  if (c_->fail_starts) return absl::FailedPreconditionError("token verification failed");
  size_t index = c_->launched.size();
  c_->launched.push_back(context);
  if (index >= c_->exit_statuses.size() && !c_->unlisted_exit_zero) return absl::OkStatus();
  int exit = index < c_->exit_statuses.size() ? c_->exit_statuses[index] : 0;
  proto::ContainerStatusProto status;
  *status.mutable_container_id() = container.id();
  status.set_state(proto::C_COMPLETE);
  status.set_exit_status(exit);
  if (exit != 0) {
    status.set_diagnostics("Exception from container-launch. Exit code: " + std::to_string(exit));
  }
  c_->to_complete.push_back(status);
  return absl::OkStatus();
}

absl::Status FakeContainerLauncher::StopContainer(const ContainerId&, const NodeId&) {
  return absl::OkStatus();
}

absl::StatusOr<proto::ContainerStatusProto> FakeContainerLauncher::GetContainerStatus(
    const ContainerId&, const NodeId&) {
  return absl::UnimplementedError("not used");
}

}  // namespace skein::am::testing
