#include "client/rm_client.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/rpc.h"

namespace skein::cli {

namespace {
constexpr std::chrono::milliseconds kMaxConnectWait(5000);
constexpr std::chrono::milliseconds kRetryInterval(200);
constexpr std::chrono::seconds kCallTimeout(30);
}  // namespace

absl::StatusOr<std::unique_ptr<RMClient>> RMClient::Create(const conf::Configuration& conf) {
  return CreateFor(conf, kRmAddressKey, "0.0.0.0:8032");
}

absl::StatusOr<std::unique_ptr<RMClient>> RMClient::CreateAdmin(const conf::Configuration& conf) {
  return CreateFor(conf, kRmAdminAddressKey, "0.0.0.0:8033");
}

absl::StatusOr<std::unique_ptr<RMClient>> RMClient::CreateFor(const conf::Configuration& conf,
                                                              const char* key,
                                                              const char* default_address) {
  auto ha = conf.GetBool(kHaEnabledKey, false);
  if (!ha.ok()) return ha.status();
  if (*ha) {
    const std::string fallback = default_address;
    const int default_port = std::stoi(fallback.substr(fallback.rfind(':') + 1));
    auto rms = ConfiguredRms(conf, key, default_port);
    if (!rms.ok()) return rms.status();
    auto policy = FailoverPolicy::FromConfiguration(conf);
    if (!policy.ok()) return policy.status();
    std::unique_ptr<RMClient> c(
        new RMClient((*rms)[0].address, (*rms)[0].key, std::chrono::milliseconds(0)));
    c->failover_ = std::make_unique<RmFailover>(*std::move(rms), *policy);
    c->stubs_.clear();
    c->admin_stubs_.clear();
    for (size_t i = 0; i < c->failover_->size(); ++i) {
      c->stubs_.push_back(proto::ApplicationClientProtocol::NewStub(c->failover_->channel(i)));
      c->admin_stubs_.push_back(
          proto::ResourceManagerAdministrationProtocol::NewStub(c->failover_->channel(i)));
    }
    return c;
  }
  std::string address = conf.Get(key, default_address);
  std::string host;
  int port;
  if (auto s = SplitHostPort(address, key, &host, &port); !s.ok()) return s;
  auto wait = conf.GetInt("yarn.resourcemanager.connect.max-wait.ms", kMaxConnectWait.count());
  if (!wait.ok()) return wait.status();
  auto bound = std::min(kMaxConnectWait, std::chrono::milliseconds(std::max<int64_t>(0, *wait)));
  return std::unique_ptr<RMClient>(new RMClient(ConnectAddress(address), key, bound));
}

RMClient::RMClient(std::string address, std::string key, std::chrono::milliseconds max_wait)
    : address_(std::move(address)), key_(std::move(key)), max_wait_(max_wait) {
  auto channel = MakeChannel(address_);
  stubs_.push_back(proto::ApplicationClientProtocol::NewStub(channel));
  admin_stubs_.push_back(proto::ResourceManagerAdministrationProtocol::NewStub(channel));
  stub_ = stubs_[0].get();
  admin_stub_ = admin_stubs_[0].get();
}

absl::Status RMClient::Call(const std::function<grpc::Status(grpc::ClientContext*)>& call) {
  if (failover_ != nullptr) {
    grpc::Status s = failover_->Call([&](size_t i) {
      stub_ = stubs_[i].get();
      admin_stub_ = admin_stubs_[i].get();
      auto ctx = MakeClientContext(kCallTimeout);
      return call(ctx.get());
    });
    address_ = failover_->current().address;
    return FromGrpcStatus(s);
  }
  auto give_up = std::chrono::steady_clock::now() + max_wait_;
  while (true) {
    auto ctx = MakeClientContext(kCallTimeout);
    grpc::Status s = call(ctx.get());
    if (s.ok()) return absl::OkStatus();
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE) return FromGrpcStatus(s);
    if (std::chrono::steady_clock::now() + kRetryInterval > give_up) {
      return absl::UnavailableError(absl::StrCat("Cannot reach the ResourceManager at ", address_,
                                                 " (", key_, "): ", s.error_message()));
    }
    std::this_thread::sleep_for(kRetryInterval);
  }
}

absl::StatusOr<proto::GetNewApplicationResponse> RMClient::GetNewApplication() {
  proto::GetNewApplicationRequest req;
  proto::GetNewApplicationResponse resp;
  auto s = Call([&](grpc::ClientContext* c) { return stub_->GetNewApplication(c, req, &resp); });
  if (!s.ok()) return s;
  return resp;
}

absl::Status RMClient::SubmitApplication(const proto::ApplicationSubmissionContextProto& context) {
  proto::SubmitApplicationRequest req;
  *req.mutable_application_submission_context() = context;
  proto::SubmitApplicationResponse resp;
  return Call([&](grpc::ClientContext* c) { return stub_->SubmitApplication(c, req, &resp); });
}

absl::StatusOr<proto::ApplicationReportProto> RMClient::GetApplicationReport(
    const proto::ApplicationIdProto& id) {
  proto::GetApplicationReportRequest req;
  *req.mutable_application_id() = id;
  proto::GetApplicationReportResponse resp;
  auto s = Call([&](grpc::ClientContext* c) { return stub_->GetApplicationReport(c, req, &resp); });
  if (!s.ok()) return s;
  return resp.application_report();
}

absl::StatusOr<proto::GetApplicationsResponse> RMClient::GetApplications(
    const proto::GetApplicationsRequest& req) {
  proto::GetApplicationsResponse resp;
  auto s = Call([&](grpc::ClientContext* c) { return stub_->GetApplications(c, req, &resp); });
  if (!s.ok()) return s;
  return resp;
}

absl::StatusOr<proto::KillApplicationResponse> RMClient::ForceKillApplication(
    const proto::ApplicationIdProto& id, const std::string& diagnostics) {
  proto::KillApplicationRequest req;
  *req.mutable_application_id() = id;
  req.set_diagnostics(diagnostics);
  proto::KillApplicationResponse resp;
  auto s = Call([&](grpc::ClientContext* c) { return stub_->ForceKillApplication(c, req, &resp); });
  if (!s.ok()) return s;
  return resp;
}

absl::StatusOr<proto::GetClusterNodesResponse> RMClient::GetClusterNodes(
    const proto::GetClusterNodesRequest& req) {
  proto::GetClusterNodesResponse resp;
  auto s = Call([&](grpc::ClientContext* c) { return stub_->GetClusterNodes(c, req, &resp); });
  if (!s.ok()) return s;
  return resp;
}

absl::StatusOr<proto::GetQueueInfoResponse> RMClient::GetQueueInfo(
    const proto::GetQueueInfoRequest& req) {
  proto::GetQueueInfoResponse resp;
  auto s = Call([&](grpc::ClientContext* c) { return stub_->GetQueueInfo(c, req, &resp); });
  if (!s.ok()) return s;
  return resp;
}

absl::Status RMClient::MoveApplicationAcrossQueues(const proto::ApplicationIdProto& id,
                                                   const std::string& queue) {
  proto::MoveApplicationAcrossQueuesRequest req;
  *req.mutable_application_id() = id;
  req.set_target_queue(queue);
  proto::MoveApplicationAcrossQueuesResponse resp;
  return Call(
      [&](grpc::ClientContext* c) { return stub_->MoveApplicationAcrossQueues(c, req, &resp); });
}

absl::StatusOr<int32_t> RMClient::UpdateApplicationPriority(const proto::ApplicationIdProto& id,
                                                            int32_t priority) {
  proto::UpdateApplicationPriorityRequest req;
  *req.mutable_applicationid() = id;
  req.mutable_applicationpriority()->set_priority(priority);
  proto::UpdateApplicationPriorityResponse resp;
  auto s =
      Call([&](grpc::ClientContext* c) { return stub_->UpdateApplicationPriority(c, req, &resp); });
  if (!s.ok()) return s;
  return resp.applicationpriority().priority();
}

absl::Status RMClient::SignalToContainer(const proto::ContainerIdProto& id,
                                         proto::SignalContainerCommandProto command) {
  proto::SignalContainerRequest req;
  *req.mutable_container_id() = id;
  req.set_command(command);
  proto::SignalContainerResponse resp;
  return Call([&](grpc::ClientContext* c) { return stub_->SignalToContainer(c, req, &resp); });
}

absl::Status RMClient::RefreshQueues() {
  proto::RefreshQueuesRequest req;
  proto::RefreshQueuesResponse resp;
  return Call([&](grpc::ClientContext* c) { return admin_stub_->RefreshQueues(c, req, &resp); });
}

absl::Status RMClient::RefreshAdminAcls() {
  proto::RefreshAdminAclsRequest req;
  proto::RefreshAdminAclsResponse resp;
  return Call([&](grpc::ClientContext* c) { return admin_stub_->RefreshAdminAcls(c, req, &resp); });
}

absl::Status RMClient::RefreshNodes(proto::DecommissionTypeProto type,
                                    std::optional<int32_t> timeout_seconds) {
  proto::RefreshNodesRequest req;
  req.set_decommission_type(type);
  if (timeout_seconds.has_value()) req.set_decommission_timeout(*timeout_seconds);
  proto::RefreshNodesResponse resp;
  return Call([&](grpc::ClientContext* c) { return admin_stub_->RefreshNodes(c, req, &resp); });
}

absl::StatusOr<proto::CheckForDecommissioningNodesResponse>
RMClient::CheckForDecommissioningNodes() {
  proto::CheckForDecommissioningNodesRequest req;
  proto::CheckForDecommissioningNodesResponse resp;
  absl::Status s = Call([&](grpc::ClientContext* c) {
    return admin_stub_->CheckForDecommissioningNodes(c, req, &resp);
  });
  if (!s.ok()) return s;
  return resp;
}

absl::Status RMClient::UpdateNodeResource(const proto::UpdateNodeResourceRequest& req) {
  proto::UpdateNodeResourceResponse resp;
  return Call(
      [&](grpc::ClientContext* c) { return admin_stub_->UpdateNodeResource(c, req, &resp); });
}

}  // namespace skein::cli
