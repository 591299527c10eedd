#include "resourcemanager/service/services.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/rpc.h"

namespace skein::rm {
namespace {

std::string UserOf(grpc::ServerContext* ctx) {
  std::string user = GetMetadata(*ctx, kUserMetadataKey);
  return user.empty() ? "dr.who" : user;  // Hadoop's anonymous user
}

template <typename T>
grpc::Status Fill(absl::StatusOr<T> result, T* out) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *out = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status ClientService::GetNewApplication(grpc::ServerContext*,
                                              const proto::GetNewApplicationRequest*,
                                              proto::GetNewApplicationResponse* resp) {
  *resp = loop_.RunSync([this] { return core_.NewApplication(); });
  return grpc::Status::OK;
}

grpc::Status ClientService::SubmitApplication(grpc::ServerContext* ctx,
                                              const proto::SubmitApplicationRequest* req,
                                              proto::SubmitApplicationResponse*) {
  std::string user = UserOf(ctx);
  return ToGrpcStatus(
      loop_.RunSync([&] { return core_.Submit(req->application_submission_context(), user); }));
}

grpc::Status ClientService::GetApplicationReport(grpc::ServerContext*,
                                                 const proto::GetApplicationReportRequest* req,
                                                 proto::GetApplicationReportResponse* resp) {
  ApplicationId id = ApplicationId::FromProto(req->application_id());
  auto report = loop_.RunSync([&] { return core_.Report(id); });
  if (!report.ok()) return ToGrpcStatus(report.status());
  *resp->mutable_application_report() = std::move(*report);
  return grpc::Status::OK;
}

grpc::Status ClientService::GetApplications(grpc::ServerContext*,
                                            const proto::GetApplicationsRequest* req,
                                            proto::GetApplicationsResponse* resp) {
  auto apps = loop_.RunSync([&] { return core_.ListApplications(*req); });
  for (auto& a : apps) *resp->add_applications() = std::move(a);
  return grpc::Status::OK;
}

grpc::Status ClientService::ForceKillApplication(grpc::ServerContext* ctx,
                                                 const proto::KillApplicationRequest* req,
                                                 proto::KillApplicationResponse* resp) {
  ApplicationId id = ApplicationId::FromProto(req->application_id());
  std::string user = UserOf(ctx);
  auto done = loop_.RunSync([&] { return core_.Kill(id, user, req->diagnostics()); });
  if (!done.ok()) return ToGrpcStatus(done.status());
  resp->set_is_kill_completed(true);
  return grpc::Status::OK;
}

grpc::Status ClientService::GetClusterMetrics(grpc::ServerContext*,
                                              const proto::GetClusterMetricsRequest*,
                                              proto::GetClusterMetricsResponse* resp) {
  *resp->mutable_cluster_metrics() = loop_.RunSync([this] { return core_.ClusterMetrics(); });
  return grpc::Status::OK;
}

grpc::Status ClientService::GetClusterNodes(grpc::ServerContext*,
                                            const proto::GetClusterNodesRequest* req,
                                            proto::GetClusterNodesResponse* resp) {
  std::set<proto::NodeState> states;
  for (int s : req->node_states()) states.insert(static_cast<proto::NodeState>(s));
  auto nodes = loop_.RunSync([&] { return core_.Nodes(states); });
  for (auto& n : nodes) *resp->add_node_reports() = std::move(n);
  return grpc::Status::OK;
}

grpc::Status ClientService::GetQueueInfo(grpc::ServerContext*,
                                         const proto::GetQueueInfoRequest* req,
                                         proto::GetQueueInfoResponse* resp) {
  return Fill(loop_.RunSync([&] { return core_.QueueInfo(*req); }), resp);
}

grpc::Status ClientService::GetApplicationAttempts(grpc::ServerContext*,
                                                   const proto::GetApplicationAttemptsRequest* req,
                                                   proto::GetApplicationAttemptsResponse* resp) {
  ApplicationId id = ApplicationId::FromProto(req->application_id());
  auto attempts = loop_.RunSync([&] { return core_.ListAttempts(id); });
  for (auto& a : attempts) *resp->add_application_attempts() = std::move(a);
  return grpc::Status::OK;
}

grpc::Status ClientService::MoveApplicationAcrossQueues(
    grpc::ServerContext* ctx, const proto::MoveApplicationAcrossQueuesRequest* req,
    proto::MoveApplicationAcrossQueuesResponse*) {
  ApplicationId id = ApplicationId::FromProto(req->application_id());
  std::string user = UserOf(ctx);
  return ToGrpcStatus(
      loop_.RunSync([&] { return core_.MoveApplication(id, req->target_queue(), user); }));
}

grpc::Status ClientService::UpdateApplicationPriority(
    grpc::ServerContext* ctx, const proto::UpdateApplicationPriorityRequest* req,
    proto::UpdateApplicationPriorityResponse* resp) {
  ApplicationId id = ApplicationId::FromProto(req->applicationid());
  std::string user = UserOf(ctx);
  auto applied = loop_.RunSync([&] {
    return core_.UpdateApplicationPriority(id, req->applicationpriority().priority(), user);
  });
  if (!applied.ok()) return ToGrpcStatus(applied.status());
  resp->mutable_applicationpriority()->set_priority(*applied);
  return grpc::Status::OK;
}

grpc::Status ClientService::SignalToContainer(grpc::ServerContext* ctx,
                                              const proto::SignalContainerRequest* req,
                                              proto::SignalContainerResponse*) {
  ContainerId id = ContainerId::FromProto(req->container_id());
  std::string user = UserOf(ctx);
  return ToGrpcStatus(
      loop_.RunSync([&] { return core_.SignalContainer(id, req->command(), user); }));
}

grpc::Status AdminService::RefreshQueues(grpc::ServerContext* ctx,
                                         const proto::RefreshQueuesRequest*,
                                         proto::RefreshQueuesResponse*) {
  std::string user = UserOf(ctx);
  auto allowed = loop_.RunSync([&] { return core_.CheckAdminAccess(user, "refreshQueues"); });
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  auto conf = load_conf_();
  if (!conf.ok()) return ToGrpcStatus(conf.status());
  return ToGrpcStatus(loop_.RunSync([&] { return core_.RefreshQueues(*conf); }));
}

grpc::Status AdminService::RefreshAdminAcls(grpc::ServerContext* ctx,
                                            const proto::RefreshAdminAclsRequest*,
                                            proto::RefreshAdminAclsResponse*) {
  std::string user = UserOf(ctx);
  auto allowed = loop_.RunSync([&] { return core_.CheckAdminAccess(user, "refreshAdminAcls"); });
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  auto conf = load_conf_();
  if (!conf.ok()) return ToGrpcStatus(conf.status());
  loop_.RunSync([&] { core_.RefreshAdminAcls(*conf); });
  return grpc::Status::OK;
}

grpc::Status AdminService::RefreshNodes(grpc::ServerContext* ctx,
                                        const proto::RefreshNodesRequest* req,
                                        proto::RefreshNodesResponse*) {
  std::string user = UserOf(ctx);
  auto allowed = loop_.RunSync([&] { return core_.CheckAdminAccess(user, "refreshNodes"); });
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  if (req->decommission_type() == proto::DECOMMISSION_FORCEFUL) {
    loop_.RunSync([&] { core_.DecommissionNodesForcefully(); });
    return grpc::Status::OK;
  }
  auto conf = load_conf_();
  if (!conf.ok()) return ToGrpcStatus(conf.status());
  auto lists = LoadHostsLists(conf->Get("yarn.resourcemanager.nodes.include-path", ""),
                              conf->Get("yarn.resourcemanager.nodes.exclude-path", ""));
  if (!lists.ok()) return ToGrpcStatus(lists.status());
  int64_t timeout = 0;
  if (req->has_decommission_timeout()) {
    timeout = req->decommission_timeout();
  } else {
    auto configured =
        conf->GetInt("yarn.resourcemanager.nodemanager-graceful-decommission-timeout-secs", 3600);
    if (!configured.ok()) return ToGrpcStatus(configured.status());
    timeout = *configured;
  }
  if (timeout < -1 || timeout > std::numeric_limits<int32_t>::max()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("Invalid timeout specified : ", timeout, " (expected -1 or more seconds)")));
  }
  const bool graceful = req->decommission_type() == proto::DECOMMISSION_GRACEFUL;
  loop_.RunSync(
      [&] { core_.RefreshNodes(std::move(*lists), graceful, static_cast<int32_t>(timeout)); });
  return grpc::Status::OK;
}

grpc::Status AdminService::CheckForDecommissioningNodes(
    grpc::ServerContext* ctx, const proto::CheckForDecommissioningNodesRequest*,
    proto::CheckForDecommissioningNodesResponse* resp) {
  std::string user = UserOf(ctx);
  auto allowed =
      loop_.RunSync([&] { return core_.CheckAdminAccess(user, "checkForDecommissioningNodes"); });
  if (!allowed.ok()) return ToGrpcStatus(allowed);
  for (const NodeId& n : loop_.RunSync([&] { return core_.DecommissioningNodes(); })) {
    *resp->add_decommissioning_nodes() = n.ToProto();
  }
  return grpc::Status::OK;
}

grpc::Status AdminService::UpdateNodeResource(grpc::ServerContext* ctx,
                                              const proto::UpdateNodeResourceRequest* req,
                                              proto::UpdateNodeResourceResponse*) {
  std::string user = UserOf(ctx);
  NodeId node = NodeId::FromProto(req->node_id());
  Resource total = Resource::FromProto(req->resource());
  return ToGrpcStatus(loop_.RunSync([&] {
    if (auto s = core_.CheckAdminAccess(user, "updateNodeResource"); !s.ok()) return s;
    return core_.UpdateNodeResource(node, total, req->over_commit_timeout());
  }));
}

absl::StatusOr<ApplicationAttemptId> AmService::Caller(grpc::ServerContext* ctx) {
  std::string token = GetMetadata(*ctx, kAmrmTokenMetadataKey);
  return loop_.RunSync([&] { return core_.AttemptForToken(token); });
}

grpc::Status AmService::RegisterApplicationMaster(
    grpc::ServerContext* ctx, const proto::RegisterApplicationMasterRequest* req,
    proto::RegisterApplicationMasterResponse* resp) {
  auto attempt = Caller(ctx);
  if (!attempt.ok()) return ToGrpcStatus(attempt.status());
  return Fill(loop_.RunSync([&] { return core_.RegisterAm(*attempt, *req); }), resp);
}

grpc::Status AmService::Allocate(grpc::ServerContext* ctx, const proto::AllocateRequest* req,
                                 proto::AllocateResponse* resp) {
  auto attempt = Caller(ctx);
  if (!attempt.ok()) return ToGrpcStatus(attempt.status());
  uint64_t seen = 0;
  auto first = loop_.RunSync([&] {
    seen = core_.news().Version(*attempt);
    return core_.Allocate(*attempt, *req);
  });
  if (!first.ok()) return ToGrpcStatus(first.status());
  bool empty = first->allocated_containers_size() == 0 &&
               first->completed_container_statuses_size() == 0 && !first->a_m_command_shutdown() &&
               first->preempt().strict_contract_size() == 0;
  if (!empty || req->wait_ms() <= 0) {
    *resp = std::move(*first);
    return grpc::Status::OK;
  }
  int wait_ms = std::min(req->wait_ms(), 5000);
  if (!core_.news().WaitForChange(*attempt, seen, absl::Milliseconds(wait_ms))) {
    *resp = std::move(*first);
    return grpc::Status::OK;
  }
  proto::AllocateRequest pull;  // the asks are already recorded; collect what arrived
  pull.set_progress(req->progress());
  return Fill(loop_.RunSync([&] { return core_.Allocate(*attempt, pull); }), resp);
}

grpc::Status AmService::FinishApplicationMaster(grpc::ServerContext* ctx,
                                                const proto::FinishApplicationMasterRequest* req,
                                                proto::FinishApplicationMasterResponse* resp) {
  auto attempt = Caller(ctx);
  if (!attempt.ok()) return ToGrpcStatus(attempt.status());
  return Fill(loop_.RunSync([&] { return core_.FinishAm(*attempt, *req); }), resp);
}

grpc::Status TrackerService::RegisterNodeManager(grpc::ServerContext*,
                                                 const proto::RegisterNodeManagerRequest* req,
                                                 proto::RegisterNodeManagerResponse* resp) {
  *resp = loop_.RunSync([&] { return core_.RegisterNode(*req); });
  return grpc::Status::OK;
}

grpc::Status TrackerService::NodeHeartbeat(grpc::ServerContext*,
                                           const proto::NodeHeartbeatRequest* req,
                                           proto::NodeHeartbeatResponse* resp) {
  *resp = loop_.RunSync([&] { return core_.NodeHeartbeat(*req); });
  return grpc::Status::OK;
}

}  // namespace skein::rm
