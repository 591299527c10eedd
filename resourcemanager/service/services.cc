#include "resourcemanager/service/services.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/hadoop_rpc/server.h"
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

// An application-addressed call's error as Hadoop's RM raises it: an unknown application is
// ApplicationNotFoundException (ApplicationCLI and Spark catch it by class).
absl::Status AppError(absl::Status s) {
  if (s.code() == absl::StatusCode::kNotFound) {
    return hrpc::WithJavaException(std::move(s), hrpc::kApplicationNotFound);
  }
  return s;
}

}  // namespace

// --- ApplicationClientProtocol ---

absl::StatusOr<proto::GetNewApplicationResponse> ClientHandlers::GetNewApplication(
    const User&, const proto::GetNewApplicationRequest&) {
  return loop_.RunSync([this] { return core_.NewApplication(); });
}

absl::StatusOr<proto::SubmitApplicationResponse> ClientHandlers::SubmitApplication(
    const User& user, const proto::SubmitApplicationRequest& req) {
  absl::Status s =
      loop_.RunSync([&] { return core_.Submit(req.application_submission_context(), user); });
  if (!s.ok()) return s;
  return proto::SubmitApplicationResponse();
}

absl::StatusOr<proto::GetApplicationReportResponse> ClientHandlers::GetApplicationReport(
    const User&, const proto::GetApplicationReportRequest& req) {
  ApplicationId id = ApplicationId::FromProto(req.application_id());
  auto report = loop_.RunSync([&] { return core_.Report(id); });
  if (!report.ok()) return AppError(report.status());
  proto::GetApplicationReportResponse resp;
  *resp.mutable_application_report() = std::move(*report);
  return resp;
}

absl::StatusOr<proto::GetApplicationsResponse> ClientHandlers::GetApplications(
    const User&, const proto::GetApplicationsRequest& req) {
  auto apps = loop_.RunSync([&] { return core_.ListApplications(req); });
  proto::GetApplicationsResponse resp;
  for (auto& a : apps) *resp.add_applications() = std::move(a);
  return resp;
}

absl::StatusOr<proto::KillApplicationResponse> ClientHandlers::ForceKillApplication(
    const User& user, const proto::KillApplicationRequest& req) {
  ApplicationId id = ApplicationId::FromProto(req.application_id());
  auto done = loop_.RunSync([&] { return core_.Kill(id, user, req.diagnostics()); });
  if (!done.ok()) return AppError(done.status());
  proto::KillApplicationResponse resp;
  resp.set_is_kill_completed(true);
  return resp;
}

absl::StatusOr<proto::GetClusterMetricsResponse> ClientHandlers::GetClusterMetrics(
    const User&, const proto::GetClusterMetricsRequest&) {
  proto::GetClusterMetricsResponse resp;
  *resp.mutable_cluster_metrics() = loop_.RunSync([this] { return core_.ClusterMetrics(); });
  return resp;
}

absl::StatusOr<proto::GetClusterNodesResponse> ClientHandlers::GetClusterNodes(
    const User&, const proto::GetClusterNodesRequest& req) {
  std::set<proto::NodeState> states;
  for (int s : req.node_states()) states.insert(static_cast<proto::NodeState>(s));
  auto nodes = loop_.RunSync([&] { return core_.Nodes(states); });
  proto::GetClusterNodesResponse resp;
  for (auto& n : nodes) *resp.add_node_reports() = std::move(n);
  return resp;
}

absl::StatusOr<proto::GetQueueInfoResponse> ClientHandlers::GetQueueInfo(
    const User&, const proto::GetQueueInfoRequest& req) {
  auto info = loop_.RunSync([&] { return core_.QueueInfo(req); });
  // Hadoop's ClientRMService answers an unknown queue with an empty response (its clients then
  // say "Cannot get queue from RM by queueName = ..."), not an error.
  if (info.status().code() == absl::StatusCode::kNotFound) return proto::GetQueueInfoResponse();
  return info;
}

absl::StatusOr<proto::GetQueueUserAclsInfoResponse> ClientHandlers::GetQueueUserAcls(
    const User& user, const proto::GetQueueUserAclsInfoRequest&) {
  auto acls = loop_.RunSync([&] { return core_.QueueUserAcls(user); });
  proto::GetQueueUserAclsInfoResponse resp;
  for (auto& a : acls) *resp.add_queue_user_acls() = std::move(a);
  return resp;
}

absl::StatusOr<proto::GetApplicationAttemptsResponse> ClientHandlers::GetApplicationAttempts(
    const User&, const proto::GetApplicationAttemptsRequest& req) {
  ApplicationId id = ApplicationId::FromProto(req.application_id());
  // One hop onto the loop: whether the app exists, and its attempts.
  auto attempts =
      loop_.RunSync([&]() -> absl::StatusOr<std::vector<proto::ApplicationAttemptReportProto>> {
        if (auto report = core_.Report(id); !report.ok()) return report.status();
        return core_.ListAttempts(id);
      });
  if (!attempts.ok()) return AppError(attempts.status());
  proto::GetApplicationAttemptsResponse resp;
  for (auto& a : *attempts) *resp.add_application_attempts() = std::move(a);
  return resp;
}

absl::StatusOr<proto::GetApplicationAttemptReportResponse>
ClientHandlers::GetApplicationAttemptReport(const User&,
                                            const proto::GetApplicationAttemptReportRequest& req) {
  ApplicationAttemptId id = ApplicationAttemptId::FromProto(req.application_attempt_id());
  proto::GetApplicationAttemptsRequest all;
  *all.mutable_application_id() = id.application_id().ToProto();
  auto attempts = GetApplicationAttempts("", all);
  if (!attempts.ok()) return attempts.status();
  for (auto& a : *attempts->mutable_application_attempts()) {
    if (ApplicationAttemptId::FromProto(a.application_attempt_id()) == id) {
      proto::GetApplicationAttemptReportResponse resp;
      *resp.mutable_application_attempt_report() = std::move(a);
      return resp;
    }
  }
  return hrpc::WithJavaException(
      absl::NotFoundError(
          absl::StrCat("ApplicationAttempt with id '", id.ToString(), "' doesn't exist in RM.")),
      hrpc::kAttemptNotFound);
}

absl::StatusOr<proto::MoveApplicationAcrossQueuesResponse>
ClientHandlers::MoveApplicationAcrossQueues(const User& user,
                                            const proto::MoveApplicationAcrossQueuesRequest& req) {
  ApplicationId id = ApplicationId::FromProto(req.application_id());
  absl::Status s =
      loop_.RunSync([&] { return core_.MoveApplication(id, req.target_queue(), user); });
  if (!s.ok()) return AppError(s);
  return proto::MoveApplicationAcrossQueuesResponse();
}

absl::StatusOr<proto::UpdateApplicationPriorityResponse> ClientHandlers::UpdateApplicationPriority(
    const User& user, const proto::UpdateApplicationPriorityRequest& req) {
  ApplicationId id = ApplicationId::FromProto(req.applicationid());
  auto applied = loop_.RunSync([&] {
    return core_.UpdateApplicationPriority(id, req.applicationpriority().priority(), user);
  });
  if (!applied.ok()) return AppError(applied.status());
  proto::UpdateApplicationPriorityResponse resp;
  resp.mutable_applicationpriority()->set_priority(*applied);
  return resp;
}

absl::StatusOr<proto::SignalContainerResponse> ClientHandlers::SignalToContainer(
    const User& user, const proto::SignalContainerRequest& req) {
  ContainerId id = ContainerId::FromProto(req.container_id());
  absl::Status s = loop_.RunSync([&] { return core_.SignalContainer(id, req.command(), user); });
  if (!s.ok()) return s;
  return proto::SignalContainerResponse();
}

absl::StatusOr<proto::GetAllResourceTypeInfoResponse> ClientHandlers::GetResourceTypeInfo(
    const User&, const proto::GetAllResourceTypeInfoRequest&) {
  // Hadoop's two mandatory types, with its units (ResourceUtils: memory-mb in Mi).
  proto::GetAllResourceTypeInfoResponse resp;
  auto* memory = resp.add_resource_type_info();
  memory->set_name("memory-mb");
  memory->set_units("Mi");
  memory->set_type(proto::COUNTABLE);
  auto* vcores = resp.add_resource_type_info();
  vcores->set_name("vcores");
  vcores->set_units("");
  vcores->set_type(proto::COUNTABLE);
  return resp;
}

absl::StatusOr<proto::GetAllResourceProfilesResponse> ClientHandlers::GetResourceProfiles(
    const User&, const proto::GetAllResourceProfilesRequest&) {
  return hrpc::WithJavaException(
      absl::UnimplementedError("Resource profiles are not enabled on this ResourceManager "
                               "(yarn.resourcemanager.resource-profiles.enabled is false)"),
      hrpc::kFeatureNotEnabled);
}

// --- ResourceManagerAdministrationProtocol ---

absl::StatusOr<proto::RefreshQueuesResponse> AdminHandlers::RefreshQueues(
    const User& user, const proto::RefreshQueuesRequest&) {
  auto allowed = loop_.RunSync([&] { return core_.CheckAdminAccess(user, "refreshQueues"); });
  if (!allowed.ok()) return allowed;
  auto conf = load_conf_();
  if (!conf.ok()) return conf.status();
  if (auto s = loop_.RunSync([&] { return core_.RefreshQueues(*conf); }); !s.ok()) return s;
  return proto::RefreshQueuesResponse();
}

absl::StatusOr<proto::RefreshAdminAclsResponse> AdminHandlers::RefreshAdminAcls(
    const User& user, const proto::RefreshAdminAclsRequest&) {
  auto allowed = loop_.RunSync([&] { return core_.CheckAdminAccess(user, "refreshAdminAcls"); });
  if (!allowed.ok()) return allowed;
  auto conf = load_conf_();
  if (!conf.ok()) return conf.status();
  loop_.RunSync([&] { core_.RefreshAdminAcls(*conf); });
  return proto::RefreshAdminAclsResponse();
}

absl::StatusOr<proto::RefreshNodesResponse> AdminHandlers::RefreshNodes(
    const User& user, const proto::RefreshNodesRequest& req) {
  auto allowed = loop_.RunSync([&] { return core_.CheckAdminAccess(user, "refreshNodes"); });
  if (!allowed.ok()) return allowed;
  if (req.decommission_type() == proto::DECOMMISSION_FORCEFUL) {
    loop_.RunSync([&] { core_.DecommissionNodesForcefully(); });
    return proto::RefreshNodesResponse();
  }
  auto conf = load_conf_();
  if (!conf.ok()) return conf.status();
  auto lists = LoadHostsLists(conf->Get("yarn.resourcemanager.nodes.include-path", ""),
                              conf->Get("yarn.resourcemanager.nodes.exclude-path", ""));
  if (!lists.ok()) return lists.status();
  int64_t timeout = 0;
  if (req.has_decommission_timeout()) {
    timeout = req.decommission_timeout();
  } else {
    auto configured =
        conf->GetInt("yarn.resourcemanager.nodemanager-graceful-decommission-timeout-secs", 3600);
    if (!configured.ok()) return configured.status();
    timeout = *configured;
  }
  if (timeout < -1 || timeout > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid timeout specified : ", timeout, " (expected -1 or more seconds)"));
  }
  const bool graceful = req.decommission_type() == proto::DECOMMISSION_GRACEFUL;
  loop_.RunSync(
      [&] { core_.RefreshNodes(std::move(*lists), graceful, static_cast<int32_t>(timeout)); });
  return proto::RefreshNodesResponse();
}

absl::StatusOr<proto::CheckForDecommissioningNodesResponse>
AdminHandlers::CheckForDecommissioningNodes(const User& user,
                                            const proto::CheckForDecommissioningNodesRequest&) {
  auto allowed =
      loop_.RunSync([&] { return core_.CheckAdminAccess(user, "checkForDecommissioningNodes"); });
  if (!allowed.ok()) return allowed;
  proto::CheckForDecommissioningNodesResponse resp;
  for (const NodeId& n : loop_.RunSync([&] { return core_.DecommissioningNodes(); })) {
    *resp.add_decommissioning_nodes() = n.ToProto();
  }
  return resp;
}

absl::StatusOr<proto::UpdateNodeResourceResponse> AdminHandlers::UpdateNodeResource(
    const User& user, const proto::UpdateNodeResourceRequest& req) {
  absl::Status s = loop_.RunSync([&] {
    if (auto s = core_.CheckAdminAccess(user, "updateNodeResource"); !s.ok()) return s;
    for (const auto& entry : req.node_resource_map()) {
      NodeId node = NodeId::FromProto(entry.node_id());
      Resource total = Resource::FromProto(entry.resource_option().resource());
      if (auto s =
              core_.UpdateNodeResource(node, total, entry.resource_option().over_commit_timeout());
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return proto::UpdateNodeResourceResponse();
}

absl::StatusOr<proto::GetGroupsForUserResponse> AdminHandlers::GetGroupsForUser(
    const User&, const proto::GetGroupsForUserRequest& req) {
  proto::GetGroupsForUserResponse resp;
  for (auto& g : loop_.RunSync([&] { return core_.GroupsForUser(req.user()); })) {
    resp.add_groups(std::move(g));
  }
  return resp;
}

// --- Hadoop IPC method tables ---

namespace {

template <typename H, typename Req, typename Resp>
void Bind(hrpc::MethodTable& table, absl::string_view protocol, absl::string_view method,
          H& handlers, absl::StatusOr<Resp> (H::*fn)(const std::string&, const Req&)) {
  table.Add<Req, Resp>(protocol, method,
                       [&handlers, fn](const hrpc::CallContext& call, const Req& req) {
                         return (handlers.*fn)(call.user, req);
                       });
}

}  // namespace

void AddClientProtocol(hrpc::MethodTable& t, ClientHandlers& h) {
  const char* p = hrpc::kClientProtocol;
  Bind(t, p, "getNewApplication", h, &ClientHandlers::GetNewApplication);
  Bind(t, p, "submitApplication", h, &ClientHandlers::SubmitApplication);
  Bind(t, p, "getApplicationReport", h, &ClientHandlers::GetApplicationReport);
  Bind(t, p, "getApplications", h, &ClientHandlers::GetApplications);
  Bind(t, p, "forceKillApplication", h, &ClientHandlers::ForceKillApplication);
  Bind(t, p, "getClusterMetrics", h, &ClientHandlers::GetClusterMetrics);
  Bind(t, p, "getClusterNodes", h, &ClientHandlers::GetClusterNodes);
  Bind(t, p, "getQueueInfo", h, &ClientHandlers::GetQueueInfo);
  Bind(t, p, "getQueueUserAcls", h, &ClientHandlers::GetQueueUserAcls);
  Bind(t, p, "getApplicationAttempts", h, &ClientHandlers::GetApplicationAttempts);
  Bind(t, p, "getApplicationAttemptReport", h, &ClientHandlers::GetApplicationAttemptReport);
  Bind(t, p, "moveApplicationAcrossQueues", h, &ClientHandlers::MoveApplicationAcrossQueues);
  Bind(t, p, "updateApplicationPriority", h, &ClientHandlers::UpdateApplicationPriority);
  Bind(t, p, "signalToContainer", h, &ClientHandlers::SignalToContainer);
  Bind(t, p, "getResourceTypeInfo", h, &ClientHandlers::GetResourceTypeInfo);
  Bind(t, p, "getResourceProfiles", h, &ClientHandlers::GetResourceProfiles);
}

void AddAdminProtocol(hrpc::MethodTable& t, AdminHandlers& h) {
  const char* p = hrpc::kAdminProtocol;
  Bind(t, p, "refreshQueues", h, &AdminHandlers::RefreshQueues);
  Bind(t, p, "refreshAdminAcls", h, &AdminHandlers::RefreshAdminAcls);
  Bind(t, p, "refreshNodes", h, &AdminHandlers::RefreshNodes);
  Bind(t, p, "checkForDecommissioningNodes", h, &AdminHandlers::CheckForDecommissioningNodes);
  Bind(t, p, "updateNodeResource", h, &AdminHandlers::UpdateNodeResource);
  Bind(t, p, "getGroupsForUser", h, &AdminHandlers::GetGroupsForUser);
}

// --- gRPC adapters ---

#define SKEIN_GRPC_ADAPTER(Service, Method, Req, Resp)                          \
  grpc::Status Service::Method(grpc::ServerContext* ctx, const proto::Req* req, \
                               proto::Resp* resp) {                             \
    return Fill(h_.Method(UserOf(ctx), *req), resp);                            \
  }
SKEIN_GRPC_ADAPTER(ClientService, GetNewApplication, GetNewApplicationRequest,
                   GetNewApplicationResponse)
SKEIN_GRPC_ADAPTER(ClientService, SubmitApplication, SubmitApplicationRequest,
                   SubmitApplicationResponse)
SKEIN_GRPC_ADAPTER(ClientService, GetApplicationReport, GetApplicationReportRequest,
                   GetApplicationReportResponse)
SKEIN_GRPC_ADAPTER(ClientService, GetApplications, GetApplicationsRequest, GetApplicationsResponse)
SKEIN_GRPC_ADAPTER(ClientService, ForceKillApplication, KillApplicationRequest,
                   KillApplicationResponse)
SKEIN_GRPC_ADAPTER(ClientService, GetClusterMetrics, GetClusterMetricsRequest,
                   GetClusterMetricsResponse)
SKEIN_GRPC_ADAPTER(ClientService, GetClusterNodes, GetClusterNodesRequest, GetClusterNodesResponse)
SKEIN_GRPC_ADAPTER(ClientService, GetQueueInfo, GetQueueInfoRequest, GetQueueInfoResponse)
SKEIN_GRPC_ADAPTER(ClientService, GetQueueUserAcls, GetQueueUserAclsInfoRequest,
                   GetQueueUserAclsInfoResponse)
SKEIN_GRPC_ADAPTER(ClientService, GetApplicationAttempts, GetApplicationAttemptsRequest,
                   GetApplicationAttemptsResponse)
SKEIN_GRPC_ADAPTER(ClientService, GetApplicationAttemptReport, GetApplicationAttemptReportRequest,
                   GetApplicationAttemptReportResponse)
SKEIN_GRPC_ADAPTER(ClientService, MoveApplicationAcrossQueues, MoveApplicationAcrossQueuesRequest,
                   MoveApplicationAcrossQueuesResponse)
SKEIN_GRPC_ADAPTER(ClientService, UpdateApplicationPriority, UpdateApplicationPriorityRequest,
                   UpdateApplicationPriorityResponse)
SKEIN_GRPC_ADAPTER(ClientService, SignalToContainer, SignalContainerRequest,
                   SignalContainerResponse)
SKEIN_GRPC_ADAPTER(ClientService, GetResourceTypeInfo, GetAllResourceTypeInfoRequest,
                   GetAllResourceTypeInfoResponse)
SKEIN_GRPC_ADAPTER(ClientService, GetResourceProfiles, GetAllResourceProfilesRequest,
                   GetAllResourceProfilesResponse)
SKEIN_GRPC_ADAPTER(AdminService, RefreshQueues, RefreshQueuesRequest, RefreshQueuesResponse)
SKEIN_GRPC_ADAPTER(AdminService, RefreshAdminAcls, RefreshAdminAclsRequest,
                   RefreshAdminAclsResponse)
SKEIN_GRPC_ADAPTER(AdminService, RefreshNodes, RefreshNodesRequest, RefreshNodesResponse)
SKEIN_GRPC_ADAPTER(AdminService, CheckForDecommissioningNodes, CheckForDecommissioningNodesRequest,
                   CheckForDecommissioningNodesResponse)
SKEIN_GRPC_ADAPTER(AdminService, UpdateNodeResource, UpdateNodeResourceRequest,
                   UpdateNodeResourceResponse)
SKEIN_GRPC_ADAPTER(AdminService, GetGroupsForUser, GetGroupsForUserRequest,
                   GetGroupsForUserResponse)
#undef SKEIN_GRPC_ADAPTER

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
