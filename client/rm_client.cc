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
  std::string address = conf.Get(kRmAddressKey, "0.0.0.0:8032");
  std::string host;
  int port;
  if (auto s = SplitHostPort(address, kRmAddressKey, &host, &port); !s.ok()) return s;
  auto wait = conf.GetInt("yarn.resourcemanager.connect.max-wait.ms", kMaxConnectWait.count());
  if (!wait.ok()) return wait.status();
  auto bound = std::min(kMaxConnectWait, std::chrono::milliseconds(std::max<int64_t>(0, *wait)));
  return std::unique_ptr<RMClient>(new RMClient(ConnectAddress(address), bound));
}

RMClient::RMClient(std::string address, std::chrono::milliseconds max_wait)
    : address_(std::move(address)),
      max_wait_(max_wait),
      stub_(proto::ApplicationClientProtocol::NewStub(MakeChannel(address_))) {}

absl::Status RMClient::Call(const std::function<grpc::Status(grpc::ClientContext*)>& call) {
  auto give_up = std::chrono::steady_clock::now() + max_wait_;
  while (true) {
    auto ctx = MakeClientContext(kCallTimeout);
    grpc::Status s = call(ctx.get());
    if (s.ok()) return absl::OkStatus();
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE) return FromGrpcStatus(s);
    if (std::chrono::steady_clock::now() + kRetryInterval > give_up) {
      return absl::UnavailableError(absl::StrCat("Cannot reach the ResourceManager at ", address_,
                                                 " (", kRmAddressKey, "): ", s.error_message()));
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

}  // namespace skein::cli
