// The RM's gRPC services: thin adapters that identify the caller, hand the request to the RM
// loop (EventLoop::RunSync) and convert the answer. They hold no state of their own.
//
// Thread rules: methods run on gRPC threads; every touch of RmCore goes through the loop.
#ifndef SKEIN_RESOURCEMANAGER_SERVICE_SERVICES_H_
#define SKEIN_RESOURCEMANAGER_SERVICE_SERVICES_H_

#include <functional>

#include "common/conf/configuration.h"
#include "common/event_loop.h"
#include "protos/admin_protocol.grpc.pb.h"
#include "protos/am_protocol.grpc.pb.h"
#include "protos/client_protocol.grpc.pb.h"
#include "protos/resource_tracker.grpc.pb.h"
#include "resourcemanager/core/rm_core.h"

namespace skein::rm {

class ClientService final : public proto::ApplicationClientProtocol::Service {
 public:
  ClientService(RmCore& core, EventLoop& loop) : core_(core), loop_(loop) {}
  grpc::Status GetNewApplication(grpc::ServerContext*, const proto::GetNewApplicationRequest*,
                                 proto::GetNewApplicationResponse*) override;
  grpc::Status SubmitApplication(grpc::ServerContext*, const proto::SubmitApplicationRequest*,
                                 proto::SubmitApplicationResponse*) override;
  grpc::Status GetApplicationReport(grpc::ServerContext*, const proto::GetApplicationReportRequest*,
                                    proto::GetApplicationReportResponse*) override;
  grpc::Status GetApplications(grpc::ServerContext*, const proto::GetApplicationsRequest*,
                               proto::GetApplicationsResponse*) override;
  grpc::Status ForceKillApplication(grpc::ServerContext*, const proto::KillApplicationRequest*,
                                    proto::KillApplicationResponse*) override;
  grpc::Status GetClusterMetrics(grpc::ServerContext*, const proto::GetClusterMetricsRequest*,
                                 proto::GetClusterMetricsResponse*) override;
  grpc::Status GetClusterNodes(grpc::ServerContext*, const proto::GetClusterNodesRequest*,
                               proto::GetClusterNodesResponse*) override;
  grpc::Status GetQueueInfo(grpc::ServerContext*, const proto::GetQueueInfoRequest*,
                            proto::GetQueueInfoResponse*) override;
  grpc::Status GetApplicationAttempts(grpc::ServerContext*,
                                      const proto::GetApplicationAttemptsRequest*,
                                      proto::GetApplicationAttemptsResponse*) override;
  grpc::Status MoveApplicationAcrossQueues(grpc::ServerContext*,
                                           const proto::MoveApplicationAcrossQueuesRequest*,
                                           proto::MoveApplicationAcrossQueuesResponse*) override;
  grpc::Status UpdateApplicationPriority(grpc::ServerContext*,
                                         const proto::UpdateApplicationPriorityRequest*,
                                         proto::UpdateApplicationPriorityResponse*) override;
  grpc::Status SignalToContainer(grpc::ServerContext*, const proto::SignalContainerRequest*,
                                 proto::SignalContainerResponse*) override;

 private:
  RmCore& core_;
  EventLoop& loop_;
};

// ResourceManagerAdministrationProtocol. The configuration is (re)loaded on the gRPC thread, off
// the loop, by `load_conf` (the RM's configuration directory); only applying it runs on the loop.
class AdminService final : public proto::ResourceManagerAdministrationProtocol::Service {
 public:
  using ConfLoader = std::function<absl::StatusOr<conf::Configuration>()>;
  AdminService(RmCore& core, EventLoop& loop, ConfLoader load_conf)
      : core_(core), loop_(loop), load_conf_(std::move(load_conf)) {}
  grpc::Status RefreshQueues(grpc::ServerContext*, const proto::RefreshQueuesRequest*,
                             proto::RefreshQueuesResponse*) override;
  grpc::Status RefreshAdminAcls(grpc::ServerContext*, const proto::RefreshAdminAclsRequest*,
                                proto::RefreshAdminAclsResponse*) override;
  // Loads the configuration and both host files here (off the loop); only applying them runs
  // on the loop, so a malformed file leaves the running lists untouched.
  grpc::Status RefreshNodes(grpc::ServerContext*, const proto::RefreshNodesRequest*,
                            proto::RefreshNodesResponse*) override;
  grpc::Status CheckForDecommissioningNodes(grpc::ServerContext*,
                                            const proto::CheckForDecommissioningNodesRequest*,
                                            proto::CheckForDecommissioningNodesResponse*) override;
  grpc::Status UpdateNodeResource(grpc::ServerContext*, const proto::UpdateNodeResourceRequest*,
                                  proto::UpdateNodeResourceResponse*) override;

 private:
  RmCore& core_;
  EventLoop& loop_;
  ConfLoader load_conf_;
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
