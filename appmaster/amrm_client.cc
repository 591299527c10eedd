#include "appmaster/amrm_client.h"

#include <algorithm>
#include <chrono>
#include <ostream>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/rm_failover.h"
#include "common/rpc.h"
#include "protos/am_protocol.grpc.pb.h"

extern char** environ;

namespace skein::am {

absl::StatusOr<AMEnvironment> ReadAMEnvironment(const std::map<std::string, std::string>& env) {
  auto get = [&env](const char* name) -> absl::StatusOr<std::string> {
    auto it = env.find(name);
    if (it == env.end() || it->second.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment variable ", name,
                       " is not set: this program must run as an ApplicationMaster container "
                       "launched by the ResourceManager"));
    }
    return it->second;
  };
  AMEnvironment out;
  auto address = get(kEnvSchedulerAddress);
  if (!address.ok()) return address.status();
  auto token = get(kEnvAmrmToken);
  if (!token.ok()) return token.status();
  auto container = get(kEnvContainerId);
  if (!container.ok()) return container.status();
  auto id = ContainerId::Parse(*container);
  if (!id.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("environment variable ", kEnvContainerId, "='", *container,
                     "' is not a container id: ", id.status().message()));
  }
  out.scheduler_address = *address;
  out.amrm_token = *token;
  out.container_id = *id;
  return out;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

namespace {

class GrpcAMRMProtocol final : public AMRMProtocol {
 public:
  // `addresses`: one scheduler address, or (RM HA) every RM's, comma-separated in rm-ids order.
  GrpcAMRMProtocol(absl::string_view addresses, absl::string_view token) : token_(token) {
    std::vector<RmEndpoint> rms;
    for (absl::string_view a : absl::StrSplit(addresses, ',', absl::SkipEmpty())) {
      rms.push_back({"", std::string(a), kEnvSchedulerAddress});
    }
    if (rms.empty()) rms.push_back({"", std::string(addresses), kEnvSchedulerAddress});
    rms_ = std::make_unique<RmFailover>(std::move(rms), AmFailoverPolicy());
    for (size_t i = 0; i < rms_->size(); ++i) {
      stubs_.push_back(proto::ApplicationMasterProtocol::NewStub(rms_->channel(i)));
    }
  }

  absl::StatusOr<proto::RegisterApplicationMasterResponse> Register(
      const proto::RegisterApplicationMasterRequest& request) override {
    proto::RegisterApplicationMasterResponse response;
    grpc::Status status = Invoke(0, [&](Stub& stub, grpc::ClientContext* ctx) {
      return stub.RegisterApplicationMaster(ctx, request, &response);
    });
    return Check(status, "Register", std::move(response));
  }

  absl::StatusOr<proto::AllocateResponse> Allocate(const proto::AllocateRequest& request) override {
    proto::AllocateResponse response;
    grpc::Status status = Invoke(request.wait_ms(), [&](Stub& stub, grpc::ClientContext* ctx) {
      return stub.Allocate(ctx, request, &response);
    });
    return Check(status, "Allocate", std::move(response));
  }

  absl::StatusOr<proto::FinishApplicationMasterResponse> Finish(
      const proto::FinishApplicationMasterRequest& request) override {
    proto::FinishApplicationMasterResponse response;
    grpc::Status status = Invoke(0, [&](Stub& stub, grpc::ClientContext* ctx) {
      return stub.FinishApplicationMaster(ctx, request, &response);
    });
    return Check(status, "Finish", std::move(response));
  }

 private:
  using Stub = proto::ApplicationMasterProtocol::Stub;

  // An AM has no yarn-site.xml: Hadoop's failover shape with fixed bounds (first move at once,
  // then 200 ms doubling to 2 s between rounds, for about 15 minutes, Hadoop's default
  // yarn.resourcemanager.connect.max-wait.ms). With one RM: no retries, as before HA.
  static FailoverPolicy AmFailoverPolicy() {
    FailoverPolicy p;
    p.sleep_base = absl::Milliseconds(200);
    p.sleep_max = absl::Seconds(2);
    p.max_failovers = 900;
    return p;
  }

  // Runs `call` on the current RM, failing over (HA) on UNAVAILABLE.
  grpc::Status Invoke(int32_t wait_ms,
                      const std::function<grpc::Status(Stub&, grpc::ClientContext*)>& call) {
    if (rms_->size() == 1) {
      auto ctx = Context(wait_ms);
      return call(*stubs_[0], ctx.get());
    }
    return rms_->Call([&](size_t i) {
      auto ctx = Context(wait_ms);
      return call(*stubs_[i], ctx.get());
    });
  }

  std::unique_ptr<grpc::ClientContext> Context(int32_t wait_ms) {
    auto ctx = MakeClientContext(std::chrono::milliseconds(30000 + std::max(0, wait_ms)));
    ctx->AddMetadata(kAmrmTokenMetadataKey, token_);
    return ctx;
  }

  template <typename T>
  absl::StatusOr<T> Check(const grpc::Status& s, absl::string_view what, T response) {
    if (!s.ok()) {
      absl::Status st = FromGrpcStatus(s);
      return absl::Status(st.code(), absl::StrCat("ApplicationMasterProtocol.", what, " to ",
                                                  rms_->current().address, ": ", st.message()));
    }
    return response;
  }

  std::string token_;
  std::unique_ptr<RmFailover> rms_;
  std::vector<std::unique_ptr<Stub>> stubs_;  // one per RM
};

}  // namespace

std::unique_ptr<AMRMProtocol> MakeGrpcAMRMProtocol(absl::string_view scheduler_address,
                                                   absl::string_view amrm_token) {
  return std::make_unique<GrpcAMRMProtocol>(scheduler_address, amrm_token);
}

AMRMClient::AMRMClient(std::unique_ptr<AMRMProtocol> rpc) : rpc_(std::move(rpc)) {}

AMRMClient::Key AMRMClient::KeyOf(const ContainerRequest& r) {
  return Key(r.priority, r.resource_name, r.capability.memory_mb, r.capability.vcores,
             r.capability.others);
}

std::string AMRMClient::KeyText(const Key& k) {
  Resource r(std::get<2>(k), std::get<3>(k));
  r.others = std::get<4>(k);
  return absl::StrCat("{priority=", std::get<0>(k), ", resource_name=", std::get<1>(k),
                      ", capability=", r.ToString(), "}");
}

absl::StatusOr<proto::RegisterApplicationMasterResponse> AMRMClient::Register(
    absl::string_view host, int32_t rpc_port, absl::string_view tracking_url) {
  registration_.set_host(std::string(host));
  registration_.set_rpc_port(rpc_port);
  registration_.set_tracking_url(std::string(tracking_url));
  auto response = rpc_->Register(registration_);
  if (response.ok()) registered_ = true;
  return response;
}

absl::Status AMRMClient::AddContainerRequest(const ContainerRequest& request) {
  if (request.capability.AnyNegative() || request.capability.memory_mb <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("container request capability ", request.capability.ToString(),
                     " must have positive memory and no negative value"));
  }
  if (request.resource_name.empty()) {
    return absl::InvalidArgumentError("container request with an empty resource name");
  }
  Key key = KeyOf(request);
  ++table_[key];
  dirty_.insert(key);
  return absl::OkStatus();
}

absl::Status AMRMClient::RemoveContainerRequest(const ContainerRequest& request) {
  Key key = KeyOf(request);
  auto it = table_.find(key);
  if (it == table_.end() || it->second <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("no outstanding container request for ", KeyText(key)));
  }
  --it->second;
  dirty_.insert(key);
  return absl::OkStatus();
}

void AMRMClient::ReleaseAssignedContainer(const ContainerId& id) {
  pending_releases_.push_back(id);
}

int32_t AMRMClient::Outstanding(const ContainerRequest& request) const {
  auto it = table_.find(KeyOf(request));
  return it == table_.end() ? 0 : it->second;
}

namespace {

bool IsAmNotRegistered(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition &&
         absl::StrContains(status.message(), kAmNotRegisteredException);
}

}  // namespace

absl::Status AMRMClient::ReRegister() {
  last_response_id_ = 0;
  auto reg = rpc_->Register(registration_);
  if (!reg.ok()) {
    return absl::Status(
        reg.status().code(),
        absl::StrCat("re-registering with the ResourceManager: ", reg.status().message()));
  }
  // The RM knows nothing of this attempt's asks: send every outstanding total again, and the
  // releases it may not have applied.
  for (const auto& [key, total] : table_) dirty_.insert(key);
  for (const ContainerId& id : unconfirmed_releases_) {
    if (std::find(pending_releases_.begin(), pending_releases_.end(), id) ==
        pending_releases_.end()) {
      pending_releases_.push_back(id);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<proto::AllocateResponse> AMRMClient::Allocate(float progress, int32_t wait_ms) {
  if (!registered_) {
    return absl::FailedPreconditionError("Allocate called before Register succeeded");
  }
  auto response = AllocateOnce(progress, wait_ms);
  if (!response.ok() && IsAmNotRegistered(response.status())) {
    // The RM restarted (or failed over) and recovered this attempt: register again, as Hadoop's
    // AMRMClient does on ApplicationMasterNotRegisteredException, and resend everything.
    if (absl::Status s = ReRegister(); !s.ok()) return s;
    response = AllocateOnce(progress, wait_ms);
  }
  return response;
}

absl::StatusOr<proto::AllocateResponse> AMRMClient::AllocateOnce(float progress, int32_t wait_ms) {
  proto::AllocateRequest request;
  request.set_progress(std::clamp(progress, 0.0f, 1.0f));
  request.set_wait_ms(std::max(0, wait_ms));
  request.set_response_id(last_response_id_);
  // Anything pending (asks or releases) must reach the RM now; do not let it sit in a long poll.
  if (!dirty_.empty() || !pending_releases_.empty()) request.set_wait_ms(0);
  for (const Key& key : dirty_) {
    proto::ResourceRequestProto* ask = request.add_ask();
    ask->mutable_priority()->set_priority(std::get<0>(key));
    ask->set_resource_name(std::get<1>(key));
    Resource capability(std::get<2>(key), std::get<3>(key));
    capability.others = std::get<4>(key);
    *ask->mutable_capability() = capability.ToProto();
    auto it = table_.find(key);
    ask->set_num_containers(it == table_.end() ? 0 : it->second);
    ask->set_relax_locality(true);
  }
  for (const ContainerId& id : pending_releases_) *request.add_release() = id.ToProto();

  auto response = rpc_->Allocate(request);
  if (!response.ok()) return response.status();  // changes stay pending
  // Sent: totals of zero need not be remembered any more.
  for (const Key& key : dirty_) {
    auto it = table_.find(key);
    if (it != table_.end() && it->second == 0) table_.erase(it);
  }
  dirty_.clear();
  unconfirmed_releases_.insert(pending_releases_.begin(), pending_releases_.end());
  pending_releases_.clear();
  for (const auto& status : response->completed_container_statuses()) {
    unconfirmed_releases_.erase(ContainerId::FromProto(status.container_id()));
  }
  last_response_id_ = response->response_id();

  if (response->a_m_command_shutdown()) {
    shutdown_requested_ = true;
    return response;
  }
  if (response->a_m_command_resync()) {
    // The RM lost this attempt's state: register again and resend every outstanding ask and
    // unconfirmed release on the next heartbeat.
    if (absl::Status s = ReRegister(); !s.ok()) return s;
  }
  return response;
}

absl::Status AMRMClient::Finish(proto::FinalApplicationStatus status, absl::string_view diagnostics,
                                absl::string_view tracking_url) {
  proto::FinishApplicationMasterRequest request;
  request.set_final_application_status(status);
  request.set_diagnostics(std::string(diagnostics));
  request.set_tracking_url(std::string(tracking_url));
  auto response = rpc_->Finish(request);
  if (!response.ok() && IsAmNotRegistered(response.status())) {
    // The RM restarted since this AM last registered: register again, then unregister.
    if (absl::Status s = ReRegister(); !s.ok()) return s;
    response = rpc_->Finish(request);
  }
  if (!response.ok()) return response.status();
  return absl::OkStatus();
}

Heartbeat HeartbeatOnce(AMRMClient& amrm, float progress, int32_t wait_ms,
                        int* consecutive_failures, std::ostream& log,
                        proto::AllocateResponse* response) {
  auto result = amrm.Allocate(progress, wait_ms);
  if (!result.ok()) {
    if (++*consecutive_failures >= kMaxConsecutiveRpcFailures) {
      log << "Giving up after " << *consecutive_failures
          << " failed heartbeats: " << result.status().message() << std::endl;
      return Heartbeat::kGiveUp;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(wait_ms, 1000) + 1));
    return Heartbeat::kRetry;
  }
  *consecutive_failures = 0;
  if (amrm.shutdown_requested()) {
    log << "The ResourceManager ordered a shutdown (the application was killed); exiting"
        << std::endl;
    return Heartbeat::kShutdown;
  }
  *response = std::move(*result);
  return Heartbeat::kOk;
}

}  // namespace skein::am
