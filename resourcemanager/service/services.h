// The RM's protocol handlers and the two transports that reach them.
//
// Each *Handlers class is transport-neutral: one method per protocol method, taking the caller's
// user and the request message and returning the response message or a Status. The same message
// types are Hadoop's on the wire (protos/), so:
//   * the gRPC services below (Skein's own `yarn` command, AMs, NodeManagers) are two-line
//     adapters that read the caller from gRPC metadata and call the handler;
//   * AddClientProtocol / AddAdminProtocol put the same handlers into a Hadoop IPC method table
//     (common/hadoop_rpc), where the caller is the connection context's user — how Hadoop's
//     `yarn` command, YarnClient and spark-submit reach them on the same ports.
// A handler hands its work to the RM loop (EventLoop::RunSync) and holds no state of its own.
//
// Thread rules: handlers run on transport threads (gRPC or Hadoop IPC); every touch of RmCore
// goes through the loop.
#ifndef SKEIN_RESOURCEMANAGER_SERVICE_SERVICES_H_
#define SKEIN_RESOURCEMANAGER_SERVICE_SERVICES_H_

#include <functional>
#include <string>

#include "common/conf/configuration.h"
#include "common/event_loop.h"
#include "common/hadoop_rpc/server.h"
#include "protos/admin_protocol.grpc.pb.h"
#include "protos/am_protocol.grpc.pb.h"
#include "protos/client_protocol.grpc.pb.h"
#include "protos/resource_tracker.grpc.pb.h"
#include "resourcemanager/core/rm_core.h"

namespace skein::rm {

// ApplicationClientProtocol.
class ClientHandlers {
 public:
  ClientHandlers(RmCore& core, EventLoop& loop) : core_(core), loop_(loop) {}
  using User = std::string;
  absl::StatusOr<proto::GetNewApplicationResponse> GetNewApplication(
      const User&, const proto::GetNewApplicationRequest&);
  absl::StatusOr<proto::SubmitApplicationResponse> SubmitApplication(
      const User&, const proto::SubmitApplicationRequest&);
  absl::StatusOr<proto::GetApplicationReportResponse> GetApplicationReport(
      const User&, const proto::GetApplicationReportRequest&);
  absl::StatusOr<proto::GetApplicationsResponse> GetApplications(
      const User&, const proto::GetApplicationsRequest&);
  absl::StatusOr<proto::KillApplicationResponse> ForceKillApplication(
      const User&, const proto::KillApplicationRequest&);
  absl::StatusOr<proto::GetClusterMetricsResponse> GetClusterMetrics(
      const User&, const proto::GetClusterMetricsRequest&);
  absl::StatusOr<proto::GetClusterNodesResponse> GetClusterNodes(
      const User&, const proto::GetClusterNodesRequest&);
  absl::StatusOr<proto::GetQueueInfoResponse> GetQueueInfo(const User&,
                                                           const proto::GetQueueInfoRequest&);
  absl::StatusOr<proto::GetQueueUserAclsInfoResponse> GetQueueUserAcls(
      const User&, const proto::GetQueueUserAclsInfoRequest&);
  absl::StatusOr<proto::GetApplicationAttemptsResponse> GetApplicationAttempts(
      const User&, const proto::GetApplicationAttemptsRequest&);
  absl::StatusOr<proto::GetApplicationAttemptReportResponse> GetApplicationAttemptReport(
      const User&, const proto::GetApplicationAttemptReportRequest&);
  absl::StatusOr<proto::MoveApplicationAcrossQueuesResponse> MoveApplicationAcrossQueues(
      const User&, const proto::MoveApplicationAcrossQueuesRequest&);
  absl::StatusOr<proto::UpdateApplicationPriorityResponse> UpdateApplicationPriority(
      const User&, const proto::UpdateApplicationPriorityRequest&);
  absl::StatusOr<proto::SignalContainerResponse> SignalToContainer(
      const User&, const proto::SignalContainerRequest&);
  absl::StatusOr<proto::GetAllResourceTypeInfoResponse> GetResourceTypeInfo(
      const User&, const proto::GetAllResourceTypeInfoRequest&);
  // Resource profiles are off: YARNFeatureNotEnabledException, as a default Hadoop RM.
  absl::StatusOr<proto::GetAllResourceProfilesResponse> GetResourceProfiles(
      const User&, const proto::GetAllResourceProfilesRequest&);

 private:
  RmCore& core_;
  EventLoop& loop_;
};

// ResourceManagerAdministrationProtocol. The configuration is (re)loaded on the calling thread,
// off the loop, by `load_conf` (the RM's configuration directory); only applying it runs on the
// loop.
class AdminHandlers {
 public:
  using ConfLoader = std::function<absl::StatusOr<conf::Configuration>()>;
  using User = std::string;
  AdminHandlers(RmCore& core, EventLoop& loop, ConfLoader load_conf)
      : core_(core), loop_(loop), load_conf_(std::move(load_conf)) {}
  absl::StatusOr<proto::RefreshQueuesResponse> RefreshQueues(const User&,
                                                             const proto::RefreshQueuesRequest&);
  absl::StatusOr<proto::RefreshAdminAclsResponse> RefreshAdminAcls(
      const User&, const proto::RefreshAdminAclsRequest&);
  // Loads the configuration and both host files here (off the loop); only applying them runs
  // on the loop, so a malformed file leaves the running lists untouched.
  absl::StatusOr<proto::RefreshNodesResponse> RefreshNodes(const User&,
                                                           const proto::RefreshNodesRequest&);
  absl::StatusOr<proto::CheckForDecommissioningNodesResponse> CheckForDecommissioningNodes(
      const User&, const proto::CheckForDecommissioningNodesRequest&);
  absl::StatusOr<proto::UpdateNodeResourceResponse> UpdateNodeResource(
      const User&, const proto::UpdateNodeResourceRequest&);
  absl::StatusOr<proto::GetGroupsForUserResponse> GetGroupsForUser(
      const User&, const proto::GetGroupsForUserRequest&);

 private:
  RmCore& core_;
  EventLoop& loop_;
  ConfLoader load_conf_;
};

// Hadoop IPC: the handlers above, under Hadoop's protocol and method names.
void AddClientProtocol(hrpc::MethodTable& table, ClientHandlers& handlers);
void AddAdminProtocol(hrpc::MethodTable& table, AdminHandlers& handlers);

// --- gRPC adapters ---

class ClientService final : public proto::ApplicationClientProtocol::Service {
 public:
  explicit ClientService(ClientHandlers& h) : h_(h) {}
#define SKEIN_GRPC_METHOD(Method, Req, Resp) \
  grpc::Status Method(grpc::ServerContext*, const proto::Req*, proto::Resp*) override;
  SKEIN_GRPC_METHOD(GetNewApplication, GetNewApplicationRequest, GetNewApplicationResponse)
  SKEIN_GRPC_METHOD(SubmitApplication, SubmitApplicationRequest, SubmitApplicationResponse)
  SKEIN_GRPC_METHOD(GetApplicationReport, GetApplicationReportRequest, GetApplicationReportResponse)
  SKEIN_GRPC_METHOD(GetApplications, GetApplicationsRequest, GetApplicationsResponse)
  SKEIN_GRPC_METHOD(ForceKillApplication, KillApplicationRequest, KillApplicationResponse)
  SKEIN_GRPC_METHOD(GetClusterMetrics, GetClusterMetricsRequest, GetClusterMetricsResponse)
  SKEIN_GRPC_METHOD(GetClusterNodes, GetClusterNodesRequest, GetClusterNodesResponse)
  SKEIN_GRPC_METHOD(GetQueueInfo, GetQueueInfoRequest, GetQueueInfoResponse)
  SKEIN_GRPC_METHOD(GetQueueUserAcls, GetQueueUserAclsInfoRequest, GetQueueUserAclsInfoResponse)
  SKEIN_GRPC_METHOD(GetApplicationAttempts, GetApplicationAttemptsRequest,
                    GetApplicationAttemptsResponse)
  SKEIN_GRPC_METHOD(GetApplicationAttemptReport, GetApplicationAttemptReportRequest,
                    GetApplicationAttemptReportResponse)
  SKEIN_GRPC_METHOD(MoveApplicationAcrossQueues, MoveApplicationAcrossQueuesRequest,
                    MoveApplicationAcrossQueuesResponse)
  SKEIN_GRPC_METHOD(UpdateApplicationPriority, UpdateApplicationPriorityRequest,
                    UpdateApplicationPriorityResponse)
  SKEIN_GRPC_METHOD(SignalToContainer, SignalContainerRequest, SignalContainerResponse)
  SKEIN_GRPC_METHOD(GetResourceTypeInfo, GetAllResourceTypeInfoRequest,
                    GetAllResourceTypeInfoResponse)
  SKEIN_GRPC_METHOD(GetResourceProfiles, GetAllResourceProfilesRequest,
                    GetAllResourceProfilesResponse)

 private:
  ClientHandlers& h_;
};

class AdminService final : public proto::ResourceManagerAdministrationProtocol::Service {
 public:
  explicit AdminService(AdminHandlers& h) : h_(h) {}
  SKEIN_GRPC_METHOD(RefreshQueues, RefreshQueuesRequest, RefreshQueuesResponse)
  SKEIN_GRPC_METHOD(RefreshAdminAcls, RefreshAdminAclsRequest, RefreshAdminAclsResponse)
  SKEIN_GRPC_METHOD(RefreshNodes, RefreshNodesRequest, RefreshNodesResponse)
  SKEIN_GRPC_METHOD(CheckForDecommissioningNodes, CheckForDecommissioningNodesRequest,
                    CheckForDecommissioningNodesResponse)
  SKEIN_GRPC_METHOD(UpdateNodeResource, UpdateNodeResourceRequest, UpdateNodeResourceResponse)
  SKEIN_GRPC_METHOD(GetGroupsForUser, GetGroupsForUserRequest, GetGroupsForUserResponse)
#undef SKEIN_GRPC_METHOD

 private:
  AdminHandlers& h_;
};

class AmService final : public proto::ApplicationMasterProtocol::Service {
 public:
  AmService(RmCore& core, EventLoop& loop) : core_(core), loop_(loop) {}
  grpc::Status RegisterApplicationMaster(grpc::ServerContext*,
                                         const proto::RegisterApplicationMasterRequest*,
                                         proto::RegisterApplicationMasterResponse*) override;
  // Long poll: when nothing is ready and the AM asked for wait_ms, waits (at most 5 s) for a
  // grant or completion before answering.
  grpc::Status Allocate(grpc::ServerContext*, const proto::AllocateRequest*,
                        proto::AllocateResponse*) override;
  grpc::Status FinishApplicationMaster(grpc::ServerContext*,
                                       const proto::FinishApplicationMasterRequest*,
                                       proto::FinishApplicationMasterResponse*) override;

 private:
  absl::StatusOr<ApplicationAttemptId> Caller(grpc::ServerContext* ctx);
  RmCore& core_;
  EventLoop& loop_;
};

class TrackerService final : public proto::ResourceTracker::Service {
 public:
  TrackerService(RmCore& core, EventLoop& loop) : core_(core), loop_(loop) {}
  grpc::Status RegisterNodeManager(grpc::ServerContext*, const proto::RegisterNodeManagerRequest*,
                                   proto::RegisterNodeManagerResponse*) override;
  grpc::Status NodeHeartbeat(grpc::ServerContext*, const proto::NodeHeartbeatRequest*,
                             proto::NodeHeartbeatResponse*) override;

 private:
  RmCore& core_;
  EventLoop& loop_;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SERVICE_SERVICES_H_
