// The ApplicationMaster's side of ApplicationMasterProtocol, modelled on YARN's AMRMClient.
//
// An AM container learns how to reach the RM from its environment (set by the RM's AM launcher):
//   SKEIN_RM_SCHEDULER_ADDRESS  host:port of ApplicationMasterProtocol
//   SKEIN_AMRM_TOKEN            the attempt's AMRM token, sent as "skein-amrm-token" metadata
//   CONTAINER_ID                the AM's own container id (set by the NM); the attempt id is
//                               derived from it
//
// Asks follow YARN's absolute semantics: for every (priority, resource name, capability) the
// client keeps the total number of containers still wanted, and sends a key's total to the RM
// whenever it changed since the last successful Allocate (a total of 0 cancels the key). As in
// YARN, the RM decrements its copy of a total when it grants a container, so the AM must call
// RemoveContainerRequest once for every container it accepts; otherwise a later resend of that
// key would ask again for containers already granted.
//
// Threading: an AMRMClient is not thread-safe; call it from one thread (the AM's main loop).
#ifndef SKEIN_APPMASTER_AMRM_CLIENT_H_
#define SKEIN_APPMASTER_AMRM_CLIENT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/ids.h"
#include "common/resource.h"
#include "protos/am_protocol.pb.h"

namespace skein::am {

inline constexpr char kEnvSchedulerAddress[] = "SKEIN_RM_SCHEDULER_ADDRESS";
inline constexpr char kEnvAmrmToken[] = "SKEIN_AMRM_TOKEN";
inline constexpr char kEnvContainerId[] = "CONTAINER_ID";
inline constexpr char kAnyResourceName[] = "*";
// The RM's answer to Allocate from an attempt it does not consider registered (Hadoop's
// ApplicationMasterNotRegisteredException): FAILED_PRECONDITION whose message starts with this
// name (resourcemanager/core/rm_core.h defines the same text).
inline constexpr char kAmNotRegisteredException[] = "ApplicationMasterNotRegisteredException";

// What the RM told the AM container about itself.
struct AMEnvironment {
  std::string scheduler_address;
  std::string amrm_token;
  ContainerId container_id;
  ApplicationAttemptId attempt_id() const { return container_id.application_attempt_id(); }
};

// Reads the three variables above from `env`. A missing or empty variable, or a CONTAINER_ID
// that is not a container id, is InvalidArgument naming the variable.
absl::StatusOr<AMEnvironment> ReadAMEnvironment(const std::map<std::string, std::string>& env);
// A snapshot of this process's environment (environ).
std::map<std::string, std::string> ProcessEnvironment();

// The three RPCs of ApplicationMasterProtocol: the seam between AMRMClient and the network.
// Implementations may block (a long-polled Allocate waits up to request.wait_ms).
class AMRMProtocol {
 public:
  virtual ~AMRMProtocol() = default;
  virtual absl::StatusOr<proto::RegisterApplicationMasterResponse> Register(
      const proto::RegisterApplicationMasterRequest& request) = 0;
  virtual absl::StatusOr<proto::AllocateResponse> Allocate(
      const proto::AllocateRequest& request) = 0;
  virtual absl::StatusOr<proto::FinishApplicationMasterResponse> Finish(
      const proto::FinishApplicationMasterRequest& request) = 0;
};

// gRPC implementation: every call carries `amrm_token` as "skein-amrm-token" metadata and the
// caller's user name; the deadline is 30 s plus the call's long-poll time. With RM HA the RM
// puts every RM's scheduler address in SKEIN_RM_SCHEDULER_ADDRESS, comma-separated: a call that
// comes back UNAVAILABLE (standby or dead RM) moves to the next one (common/rm_failover.h).
std::unique_ptr<AMRMProtocol> MakeGrpcAMRMProtocol(absl::string_view scheduler_address,
                                                   absl::string_view amrm_token);

// One kind of container the AM wants.
struct ContainerRequest {
  Resource capability;
  int32_t priority = 0;
  std::string resource_name = kAnyResourceName;
};

class AMRMClient {
 public:
  explicit AMRMClient(std::unique_ptr<AMRMProtocol> rpc);

  // Registers the attempt. Remembered for a re-registration when the RM asks for a resync.
  absl::StatusOr<proto::RegisterApplicationMasterResponse> Register(absl::string_view host,
                                                                    int32_t rpc_port,
                                                                    absl::string_view tracking_url);

  // Adds one container to the total wanted for the request's key. A capability that is
  // negative in any type or zero in memory is InvalidArgument naming it.
  absl::Status AddContainerRequest(const ContainerRequest& request);
  // Takes one container off the total; removing from a key with nothing outstanding is
  // FailedPrecondition naming the key.
  absl::Status RemoveContainerRequest(const ContainerRequest& request);
  // Gives a granted container back to the RM with the next Allocate.
  void ReleaseAssignedContainer(const ContainerId& id);

  // Heartbeat: sends the changed asks and pending releases, reports progress (clamped to
  // [0, 1]) and lets the RM hold the call up to `wait_ms` when it has nothing to hand out.
  // On a failed call the changes are kept and sent again next time. When the RM answers
  // a_m_command_shutdown, shutdown_requested() becomes true and the response is returned; on
  // a_m_command_resync the client re-registers and resends every outstanding ask. When the RM
  // refuses the call as not registered (FAILED_PRECONDITION naming kAmNotRegisteredException:
  // it restarted or failed over and recovered the attempt), the client registers again,
  // resends its whole ask table and the releases no completed status has confirmed yet, and
  // retries the call once, as Hadoop's AMRMClient.
  absl::StatusOr<proto::AllocateResponse> Allocate(float progress, int32_t wait_ms);

  // Unregisters with the final status (registering again first when the RM answers that this
  // attempt is not registered, as after an RM restart).
  absl::Status Finish(proto::FinalApplicationStatus status, absl::string_view diagnostics,
                      absl::string_view tracking_url);

  // Containers still wanted for the request's key (0 when unknown).
  int32_t Outstanding(const ContainerRequest& request) const;
  // Keys whose totals will go out with the next Allocate.
  size_t PendingAskCount() const { return dirty_.size(); }
  bool shutdown_requested() const { return shutdown_requested_; }

 private:
  using Key = std::tuple<int32_t, std::string, int64_t, int64_t, std::map<std::string, int64_t>>;
  static Key KeyOf(const ContainerRequest& r);
  absl::StatusOr<proto::AllocateResponse> AllocateOnce(float progress, int32_t wait_ms);
  // Registers again with the saved registration and marks everything outstanding for resend.
  absl::Status ReRegister();
  static std::string KeyText(const Key& k);

  std::unique_ptr<AMRMProtocol> rpc_;
  std::map<Key, int32_t> table_;  // absolute totals
  std::set<Key> dirty_;           // keys changed since the last successful Allocate
  std::vector<ContainerId> pending_releases_;
  std::set<ContainerId> unconfirmed_releases_;  // sent, no completed status seen yet
  int32_t last_response_id_ = 0;
  bool registered_ = false;
  bool shutdown_requested_ = false;
  proto::RegisterApplicationMasterRequest registration_;
};

// One AM heartbeat with the policy every Skein AM uses: a failed call is retried after a short
// pause (the caller loops again) until `kMaxConsecutiveRpcFailures` in a row, then the AM gives
// up; an RM shutdown order (application killed) ends the AM. Messages go to `log`.
enum class Heartbeat { kOk, kRetry, kGiveUp, kShutdown };
inline constexpr int kMaxConsecutiveRpcFailures = 30;
Heartbeat HeartbeatOnce(AMRMClient& amrm, float progress, int32_t wait_ms,
                        int* consecutive_failures, std::ostream& log,
                        proto::AllocateResponse* response);

}  // namespace skein::am

#endif  // SKEIN_APPMASTER_AMRM_CLIENT_H_
