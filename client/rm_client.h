// The `yarn` command's connection to ApplicationClientProtocol (yarn.resourcemanager.address) or,
// made with CreateAdmin, to ResourceManagerAdministrationProtocol
// (yarn.resourcemanager.admin.address).
//
// A call that finds the RM unreachable (gRPC UNAVAILABLE) is retried every 200 ms for a bounded
// time: yarn.resourcemanager.connect.max-wait.ms, capped at 5 s so an interactive command never
// hangs. When it still fails the error reads
//   "Cannot reach the ResourceManager at <addr> (yarn.resourcemanager.address): <grpc message>"
// Other RPC errors (INVALID_ARGUMENT, NOT_FOUND, ...) come back at once with the RM's message.
//
// With yarn.resourcemanager.ha.enabled the client knows every rm-id's address and fails over
// between them on UNAVAILABLE (a standby answers "ResourceManager rm2 is not Active!"), with
// Hadoop's yarn.client.failover-* bounds (common/rm_failover.h).
//
// Threading: one thread at a time.
#ifndef SKEIN_CLIENT_RM_CLIENT_H_
#define SKEIN_CLIENT_RM_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/conf/configuration.h"
#include "common/rm_failover.h"
#include "protos/admin_protocol.grpc.pb.h"
#include "protos/client_protocol.grpc.pb.h"

namespace skein::cli {

inline constexpr char kRmAddressKey[] = "yarn.resourcemanager.address";
inline constexpr char kRmAdminAddressKey[] = "yarn.resourcemanager.admin.address";

class RMClient {
 public:
  // Reads the address and retry bound from `conf`; a malformed address is InvalidArgument
  // naming the key.
  static absl::StatusOr<std::unique_ptr<RMClient>> Create(const conf::Configuration& conf);
  // The admin protocol's client (only the Refresh* calls work on it); errors name
  // yarn.resourcemanager.admin.address.
  static absl::StatusOr<std::unique_ptr<RMClient>> CreateAdmin(const conf::Configuration& conf);

  const std::string& address() const { return address_; }

  absl::StatusOr<proto::GetNewApplicationResponse> GetNewApplication();
  absl::Status SubmitApplication(const proto::ApplicationSubmissionContextProto& context);
  absl::StatusOr<proto::ApplicationReportProto> GetApplicationReport(
      const proto::ApplicationIdProto& id);
  absl::StatusOr<proto::GetApplicationsResponse> GetApplications(
      const proto::GetApplicationsRequest& r);
  absl::StatusOr<proto::KillApplicationResponse> ForceKillApplication(
      const proto::ApplicationIdProto& id, const std::string& diagnostics);
  absl::StatusOr<proto::GetClusterNodesResponse> GetClusterNodes(
      const proto::GetClusterNodesRequest& r);
  absl::StatusOr<proto::GetQueueInfoResponse> GetQueueInfo(const proto::GetQueueInfoRequest& r);
  absl::Status MoveApplicationAcrossQueues(const proto::ApplicationIdProto& id,
                                           const std::string& queue);
  // Returns the priority the RM applied.
  absl::StatusOr<int32_t> UpdateApplicationPriority(const proto::ApplicationIdProto& id,
                                                    int32_t priority);

  absl::Status SignalToContainer(const proto::ContainerIdProto& id,
                                 proto::SignalContainerCommandProto command);

  // ResourceManagerAdministrationProtocol (CreateAdmin clients).
  absl::Status RefreshQueues();
  absl::Status RefreshAdminAcls();
  // `-refreshNodes`: NORMAL, GRACEFUL (timeout unset: the RM's configured default) or FORCEFUL.
  absl::Status RefreshNodes(proto::DecommissionTypeProto type,
                            std::optional<int32_t> timeout_seconds = std::nullopt);
  absl::StatusOr<proto::CheckForDecommissioningNodesResponse> CheckForDecommissioningNodes();
  absl::Status UpdateNodeResource(const proto::UpdateNodeResourceRequest& req);

 private:
  RMClient(std::string address, std::string key, std::chrono::milliseconds max_wait);
  static absl::StatusOr<std::unique_ptr<RMClient>> CreateFor(const conf::Configuration& conf,
                                                             const char* key,
                                                             const char* default_address);
  // Runs `call` with a fresh context, retrying UNAVAILABLE until the bound.
  absl::Status Call(const std::function<grpc::Status(grpc::ClientContext*)>& call);

  std::string address_;
  std::string key_;  // the configuration key of address_, for error messages
  std::chrono::milliseconds max_wait_;
  // The stubs of the RM a call is going to (with HA: of the RM the failover loop is trying).
  proto::ApplicationClientProtocol::Stub* stub_ = nullptr;
  proto::ResourceManagerAdministrationProtocol::Stub* admin_stub_ = nullptr;
  std::vector<std::unique_ptr<proto::ApplicationClientProtocol::Stub>> stubs_;  // one per RM
  std::vector<std::unique_ptr<proto::ResourceManagerAdministrationProtocol::Stub>> admin_stubs_;
  std::unique_ptr<RmFailover> failover_;  // HA only
};

}  // namespace skein::cli

#endif  // SKEIN_CLIENT_RM_CLIENT_H_
