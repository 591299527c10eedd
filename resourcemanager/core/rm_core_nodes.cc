// RmCore: node tracking (registration, heartbeats, liveness) and the read-only reports.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "resourcemanager/core/rm_core.h"

namespace skein::rm {

proto::RegisterNodeManagerResponse RmCore::RegisterNode(
    const proto::RegisterNodeManagerRequest& req) {
  proto::RegisterNodeManagerResponse resp;
  resp.set_rm_identifier(cluster_timestamp_);
  resp.set_rm_version("skein-0.1.0");
  NodeId id = NodeId::FromProto(req.node_id());
  Resource total = Resource::FromProto(req.resource());
  if (id.host().empty() || id.port() <= 0) {
    resp.set_nodeaction(proto::SHUTDOWN);
    resp.set_diagnostics_message(
        absl::StrCat("Invalid NodeId '", id.ToString(), "': expected <host>:<port>"));
    return resp;
  }
  // Include / exclude lists (rm_core_decommission.cc). A DECOMMISSIONING node that restarts may
  // come back, as in Hadoop, and resumes decommissioning with what is left of its timeout.
  std::optional<int32_t> resume_decommissioning;
  if (auto prior = nodes_.find(id);
      prior != nodes_.end() && prior->second.state == proto::NS_DECOMMISSIONING) {
    const Node& p = prior->second;
    int64_t elapsed_s = (clock_.NowMillis() - p.decommission_start_ms) / 1000;
    resume_decommissioning =
        p.decommission_timeout_s < 0
            ? -1
            : static_cast<int32_t>(std::max<int64_t>(0, p.decommission_timeout_s - elapsed_s));
  } else if (std::string why = DisallowedReason(id, /*registering=*/true); !why.empty()) {
    fprintf(stderr, "skein resourcemanager: %s\n", why.c_str());
    resp.set_nodeaction(proto::SHUTDOWN);
    resp.set_diagnostics_message(why);
    return resp;
  }
  if (total.memory_mb < config_.minimum_allocation.memory_mb ||
      total.vcores < config_.minimum_allocation.vcores) {
    resp.set_nodeaction(proto::SHUTDOWN);
    resp.set_diagnostics_message(absl::StrCat(
        "NodeManager from ", id.host(), " doesn't satisfy minimum allocations: its resource ",
        total.ToString(), " is below the minimum allocation ",
        config_.minimum_allocation.ToString(), ". Sending SHUTDOWN signal to the NodeManager."));
    return resp;
  }
  auto existing = nodes_.find(id);
  if (existing != nodes_.end() && existing->second.state == proto::NS_RUNNING &&
      existing->second.total == total && !req.container_statuses().empty()) {
    // Work-preserving NM restart (yarn.nodemanager.recovery.enabled): the node came back before
    // it expired, with the same resource, reporting the containers it recovered. Keep those.
    return ReconnectNode(existing->second, req, std::move(resp));
  }
  if (existing != nodes_.end() && existing->second.state != proto::NS_LOST) {
    // Re-registration after an NM restart: what ran there before is gone.
    LoseNode(existing->second, proto::NS_REBOOTED, "Container released on a *restarted* node");
  }
  const bool first_registration = existing == nodes_.end();  // RM restart recovery
  Node& node = nodes_[id];
  node.id = id;
  node.http_port = req.http_port();
  node.total = total;
  node.state = proto::NS_RUNNING;
  node.last_heartbeat = clock_.NowMillis();
  node.last_health_report_time = node.last_heartbeat;
  node.health_report.clear();
  node.version = req.nm_version();
  node.response_id = 0;
  node.containers.clear();
  node.to_cleanup.clear();
  node.apps_to_cleanup.clear();
  scheduler_.AddNode(id, total);
  // Containers the NM still runs: those of attempts recovered after an RM restart are taken back
  // (rm_core_recovery.cc); the rest are unknown to this RM: stop them.
  RecoverNodeContainers(node, req, first_registration);
  if (resume_decommissioning) StartDecommissioning(node, *resume_decommissioning);
  resp.set_nodeaction(proto::NORMAL);
  resp.mutable_container_token_master_key()->set_key_id(1);
  resp.mutable_container_token_master_key()->set_bytes(master_key_);
  *resp.mutable_resource() = total.ToProto();
  RunScheduling();
  return resp;
}

proto::RegisterNodeManagerResponse RmCore::ReconnectNode(
    Node& node, const proto::RegisterNodeManagerRequest& req,
    proto::RegisterNodeManagerResponse resp) {
  node.http_port = req.http_port();
  node.last_heartbeat = clock_.NowMillis();
  node.version = req.nm_version();
  node.response_id = 0;
  absl::flat_hash_set<ContainerId> running;
  std::vector<std::pair<ContainerId, proto::ContainerStatusProto>> finished;
  for (const auto& s : req.container_statuses()) {
    ContainerId cid = ContainerId::FromProto(s.container_id());
    if (s.state() == proto::C_COMPLETE) {
      finished.emplace_back(cid, s);  // ended while the NM was down: its true exit status
    } else if (node.containers.contains(cid)) {
      running.insert(cid);
    } else {
      node.to_cleanup.push_back(cid);  // not ours (any more): stop it
    }
  }
  for (const auto& [cid, s] : finished) ContainerCompleted(cid, s);
  // What the RM had on the node but the NM no longer knows did not survive the restart.
  std::vector<ContainerId> gone;
  for (const ContainerId& cid : node.containers) {
    if (!running.contains(cid)) gone.push_back(cid);
  }
  for (const ContainerId& cid : gone) {
    proto::ContainerStatusProto s;
    *s.mutable_container_id() = cid.ToProto();
    s.set_state(proto::C_COMPLETE);
    s.set_exit_status(proto::ABORTED);
    s.set_diagnostics("Container released on a *restarted* node");
    ContainerCompleted(cid, s);
  }
  resp.set_nodeaction(proto::NORMAL);
  resp.mutable_container_token_master_key()->set_key_id(1);
  resp.mutable_container_token_master_key()->set_bytes(master_key_);
  *resp.mutable_resource() = node.total.ToProto();
  RunScheduling();
  return resp;
}

proto::NodeHeartbeatResponse RmCore::NodeHeartbeat(const proto::NodeHeartbeatRequest& req) {
  proto::NodeHeartbeatResponse resp;
  resp.set_nextheartbeatinterval(config_.nm_heartbeat_interval_ms);
  NodeId id = NodeId::FromProto(req.node_status().node_id());
  auto it = nodes_.find(id);
  const bool decommissioning = it != nodes_.end() && it->second.state == proto::NS_DECOMMISSIONING;
  if (std::string why = decommissioning ? "" : DisallowedReason(id, /*registering=*/false);
      !why.empty()) {
    if (it != nodes_.end() &&
        (it->second.state == proto::NS_RUNNING || it->second.state == proto::NS_UNHEALTHY)) {
      DecommissionNode(it->second);  // e.g. a node the lists dropped while it re-registered
    }
    resp.set_nodeaction(proto::SHUTDOWN);
    resp.set_diagnostics_message(why);
    return resp;
  }
  if (it == nodes_.end() || (it->second.state != proto::NS_RUNNING &&
                             it->second.state != proto::NS_UNHEALTHY && !decommissioning)) {
    resp.set_nodeaction(proto::RESYNC);
    resp.set_diagnostics_message(
        absl::StrCat("Node ", id.ToString(), " is not registered with this ResourceManager"));
    return resp;
  }
  Node& node = it->second;
  node.last_heartbeat = clock_.NowMillis();
  const auto& health = req.node_status().nodehealthstatus();
  if (req.node_status().has_nodehealthstatus()) {
    node.health_report = health.health_report();
    node.last_health_report_time = node.last_heartbeat;
    // As YARN: an unhealthy node leaves the scheduler (its containers are released as on a lost
    // node) and returns with its full capacity once its health script passes again.
    if (!health.is_node_healthy() && node.state == proto::NS_RUNNING) {
      LoseNode(node, proto::NS_UNHEALTHY, "Container released on a *lost* node");
    } else if (health.is_node_healthy() && node.state == proto::NS_UNHEALTHY) {
      node.state = proto::NS_RUNNING;
      scheduler_.AddNode(id, node.total);
    }
  }
  for (const auto& s : req.node_status().containersstatuses()) {
    ContainerId cid = ContainerId::FromProto(s.container_id());
    if (s.state() == proto::C_COMPLETE) {
      ContainerCompleted(cid, s);
      *resp.add_containers_to_be_removed_from_nm() = s.container_id();
    } else if (!containers_.contains(cid)) {
      // Running but unknown here (its app ended, or the RM restarted): stop it.
      if (std::find(node.to_cleanup.begin(), node.to_cleanup.end(), cid) == node.to_cleanup.end()) {
        node.to_cleanup.push_back(cid);
      }
    }
  }
  // ContainerCompleted may have changed nodes_ only by value; `node` stays valid (std::map).
  for (const ContainerId& c : node.to_cleanup) *resp.add_containers_to_cleanup() = c.ToProto();
  node.to_cleanup.clear();
  for (const ApplicationId& a : node.apps_to_cleanup) {
    *resp.add_applications_to_cleanup() = a.ToProto();
  }
  node.apps_to_cleanup.clear();
  for (auto& s : node.to_signal) *resp.add_containers_to_signal() = std::move(s);
  node.to_signal.clear();
  resp.set_response_id(++node.response_id);
  if (decommissioning && UpdateDecommissioning(node)) {
    resp.set_nodeaction(proto::SHUTDOWN);
    resp.set_diagnostics_message(
        absl::StrCat("DECOMMISSIONING ", id.ToString(), " is ready to be decommissioned"));
    RunScheduling();
    return resp;
  }
  resp.set_nodeaction(proto::NORMAL);
  RunScheduling();
  return resp;
}

void RmCore::CheckNodeLiveness() {
  int64_t now = clock_.NowMillis();
  for (auto& [id, node] : nodes_) {
    if ((node.state == proto::NS_RUNNING || node.state == proto::NS_DECOMMISSIONING) &&
        now - node.last_heartbeat > config_.nm_expiry_ms) {
      LoseNode(node, proto::NS_LOST, "Container released on a *lost* node");
    }
  }
}

void RmCore::LoseNode(Node& node, proto::NodeState new_state, const std::string& why) {
  node.state = new_state;
  std::vector<ContainerId> lost = scheduler_.RemoveNode(node.id);
  for (const ContainerId& cid : lost) {
    proto::ContainerStatusProto s;
    *s.mutable_container_id() = cid.ToProto();
    s.set_state(proto::C_COMPLETE);
    s.set_exit_status(proto::ABORTED);
    s.set_diagnostics(why);
    ContainerCompleted(cid, s);
  }
  node.containers.clear();
  RunScheduling();
}

// ----- Reports -----

proto::ApplicationReportProto RmCore::BuildReport(const App& app) const {
  proto::ApplicationReportProto r;
  *r.mutable_application_id() = app.id.ToProto();
  r.set_user(app.user);
  r.set_queue(app.queue);
  r.set_name(app.context.application_name());
  r.set_yarn_application_state(app.state);
  r.set_final_application_status(app.final_status);
  r.set_diagnostics(app.diagnostics);
  r.set_start_time(app.start_time);
  r.set_submit_time(app.submit_time);
  r.set_launch_time(app.launch_time);
  r.set_finish_time(app.finish_time);
  r.set_application_type(app.context.applicationtype());
  for (const auto& t : app.context.applicationtags()) r.add_application_tags(t);
  r.mutable_priority()->set_priority(app.context.priority().priority());
  r.set_rpc_port(-1);
  r.set_host("N/A");
  // What Hadoop's RM (RMAppImpl) puts in every report: "N/A" for a missing original tracking
  // URL, the label expressions of a cluster without node labels, the unlimited LIFETIME timeout,
  // and DISABLED log aggregation when it is off (unset, shown "N/A", when on: not tracked here).
  r.set_original_tracking_url("N/A");
  r.set_app_node_label_expression("<Not set>");
  r.set_am_node_label_expression("<DEFAULT_PARTITION>");
  proto::AppTimeoutsMapProto* timeout = r.add_app_timeouts();
  timeout->set_application_timeout_type(proto::APP_TIMEOUT_LIFETIME);
  timeout->mutable_application_timeout()->set_application_timeout_type(proto::APP_TIMEOUT_LIFETIME);
  timeout->mutable_application_timeout()->set_expire_time("UNLIMITED");
  timeout->mutable_application_timeout()->set_remaining_time(-1);
  if (!config_.log_aggregation_enable) r.set_log_aggregation_status(proto::LOG_DISABLED);
  if (const Attempt* a = app.current()) {
    *r.mutable_current_application_attempt_id() = a->id.ToProto();
    r.set_host(a->host);
    r.set_rpc_port(a->rpc_port);
    if (!a->tracking_url.empty()) r.set_original_tracking_url(a->tracking_url);
    r.set_trackingurl(a->tracking_url);
    r.set_progress(app.state == proto::FINISHED ? 1.0f : a->progress);
    if (app.diagnostics.empty() && !a->diagnostics.empty() && !app.done()) {
      r.set_diagnostics(a->diagnostics);  // e.g. why the previous attempt failed
    }
    if (a->has_am_container) {
      *r.mutable_am_container_id() = a->am_container.id();
      r.set_am_node_http_address(a->am_container.node_http_address());
    }
  }
  if (!app.done() && app.state == proto::ACCEPTED && r.diagnostics().empty()) {
    // The scheduler says why the AM waits (e.g. the queue's AM resource limit), in YARN's words.
    const Attempt* a = app.current();
    std::string why = a != nullptr ? scheduler_.PendingReason(a->id) : "";
    r.set_diagnostics(
        why.empty() ? "[Waiting for AM container to be allocated, launched and register with RM.]"
                    : why);
  }
  auto* usage = r.mutable_app_resource_usage();
  Resource used;
  int32_t count = 0;
  int64_t live_mem_seconds = 0, live_vcore_seconds = 0;
  int64_t now = clock_.NowMillis();
  for (const ContainerId& cid : app.live_containers) {
    auto found = containers_.find(cid);
    if (found == containers_.end()) continue;
    const RMContainer& c = found->second;
    used += c.resource;
    ++count;
    int64_t secs = std::max<int64_t>(0, now - c.start_time) / 1000;
    live_mem_seconds += c.resource.memory_mb * secs;
    live_vcore_seconds += c.resource.vcores * secs;
  }
  usage->set_num_used_containers(count);
  *usage->mutable_used_resources() = used.ToProto();
  usage->set_memory_seconds(app.memory_seconds + live_mem_seconds);
  usage->set_vcore_seconds(app.vcore_seconds + live_vcore_seconds);
  usage->set_preempted_memory_seconds(app.preempted_memory_seconds);
  usage->set_preempted_vcore_seconds(app.preempted_vcore_seconds);
  Resource cluster = scheduler_.ClusterResource();
  usage->set_cluster_usage_percentage(static_cast<float>(calc_.Share(used, cluster) * 100.0));
  usage->set_queue_usage_percentage(usage->cluster_usage_percentage());
  if (const Attempt* a = app.current()) {
    *usage->mutable_needed_resources() = (used + scheduler_.Pending(a->id)).ToProto();
  }
  return r;
}

absl::StatusOr<proto::ApplicationReportProto> RmCore::Report(const ApplicationId& id) const {
  const App* app = FindApp(id);
  if (app == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("Application with id '", id.ToString(), "' doesn't exist in RM."));
  }
  return BuildReport(*app);
}

std::vector<proto::ApplicationReportProto> RmCore::ListApplications(
    const proto::GetApplicationsRequest& f) const {
  std::set<std::string> types;
  for (const auto& t : f.application_types()) types.insert(absl::AsciiStrToUpper(t));
  std::set<int> states(f.application_states().begin(), f.application_states().end());
  std::set<std::string> users(f.users().begin(), f.users().end());
  std::set<std::string> queues(f.queues().begin(), f.queues().end());
  std::set<std::string> tags;
  for (const auto& t : f.application_tags()) tags.insert(absl::AsciiStrToLower(t));
  std::vector<proto::ApplicationReportProto> out;
  for (const auto& [id, app] : apps_) {
    if (!types.empty() && !types.count(absl::AsciiStrToUpper(app->context.applicationtype()))) {
      continue;
    }
    if (!states.empty() && !states.count(app->state)) continue;
    if (!users.empty() && !users.count(app->user)) continue;
    if (!queues.empty() && !queues.count(app->queue)) continue;
    if (!tags.empty()) {
      bool any = false;
      for (const auto& t : app->context.applicationtags()) {
        any = any || tags.count(absl::AsciiStrToLower(t));
      }
      if (!any) continue;
    }
    if (f.has_name() && app->context.application_name() != f.name()) continue;
    proto::ApplicationReportProto report = BuildReport(*app);
    // Hadoop's start / finish ranges: either bound may be given; the other is open.
    auto outside = [](bool has_lo, int64_t lo, bool has_hi, int64_t hi, int64_t v) {
      if (!has_lo && !has_hi) return false;
      return v < (has_lo ? lo : 0) || v > (has_hi ? hi : std::numeric_limits<int64_t>::max());
    };
    if (outside(f.has_start_begin(), f.start_begin(), f.has_start_end(), f.start_end(),
                report.start_time()) ||
        outside(f.has_finish_begin(), f.finish_begin(), f.has_finish_end(), f.finish_end(),
                report.finish_time())) {
      continue;
    }
    out.push_back(std::move(report));
    if (f.limit() > 0 && static_cast<int64_t>(out.size()) >= f.limit()) break;
  }
  return out;
}

std::vector<proto::ApplicationAttemptReportProto> RmCore::ListAttempts(
    const ApplicationId& id) const {
  std::vector<proto::ApplicationAttemptReportProto> out;
  const App* app = FindApp(id);
  if (app == nullptr) return out;
  for (const auto& a : app->attempts) {
    proto::ApplicationAttemptReportProto r;
    *r.mutable_application_attempt_id() = a->id.ToProto();
    r.set_host(a->host);
    r.set_rpc_port(a->rpc_port);
    r.set_tracking_url(a->tracking_url);
    r.set_diagnostics(a->diagnostics);
    r.set_yarn_application_attempt_state(a->state);
    if (a->has_am_container) *r.mutable_am_container_id() = a->am_container.id();
    r.set_start_time(a->start_time);
    r.set_finish_time(a->finish_time);
    out.push_back(r);
  }
  return out;
}

proto::ClusterMetricsProto RmCore::ClusterMetrics() const {
  proto::ClusterMetricsProto m;
  for (const auto& [id, n] : nodes_) {
    switch (n.state) {
      case proto::NS_RUNNING:
        m.set_num_active_nms(m.num_active_nms() + 1);
        break;
      case proto::NS_LOST:
        m.set_num_lost_nms(m.num_lost_nms() + 1);
        break;
      case proto::NS_UNHEALTHY:
        m.set_num_unhealthy_nms(m.num_unhealthy_nms() + 1);
        break;
      case proto::NS_REBOOTED:
        m.set_num_rebooted_nms(m.num_rebooted_nms() + 1);
        break;
      case proto::NS_DECOMMISSIONED:
        m.set_num_decommissioned_nms(m.num_decommissioned_nms() + 1);
        break;
      case proto::NS_SHUTDOWN:
        m.set_num_shutdown_nms(m.num_shutdown_nms() + 1);
        break;
      case proto::NS_DECOMMISSIONING:
        m.set_num_decommissioning_nms(m.num_decommissioning_nms() + 1);
        break;
      default:
        break;
    }
  }
  m.set_num_node_managers(m.num_active_nms());
  return m;
}

std::vector<proto::NodeReportProto> RmCore::Nodes(const std::set<proto::NodeState>& states) const {
  std::vector<proto::NodeReportProto> out;
  for (const auto& [id, n] : nodes_) {
    if (!states.empty() && !states.count(n.state)) continue;
    proto::NodeReportProto r;
    *r.mutable_node_id() = id.ToProto();
    r.set_http_address(absl::StrCat(id.host(), ":", n.http_port));
    r.set_rack_name("/default-rack");
    Resource used = n.state == proto::NS_RUNNING || n.state == proto::NS_DECOMMISSIONING
                        ? scheduler_.NodeUsed(id)
                        : Resource();
    *r.mutable_used() = used.ToProto();
    *r.mutable_capability() = n.total.ToProto();
    r.set_num_containers(static_cast<int32_t>(n.containers.size()));
    r.set_node_state(n.state);
    r.set_health_report(n.health_report);
    r.set_last_health_report_time(n.last_health_report_time);
    r.set_node_manager_version(n.version);
    out.push_back(r);
  }
  return out;
}

absl::StatusOr<proto::GetQueueInfoResponse> RmCore::QueueInfo(
    const proto::GetQueueInfoRequest& req) const {
  auto q = scheduler_.GetQueue(req.queue_name());
  if (!q.ok()) return q.status();
  // As CapacityScheduler: without the preemption monitor every queue reports preemption disabled.
  const bool monitor_off = scheduler_.PreemptionIntervalMs() <= 0;
  std::function<proto::QueueInfoProto(const QueueSnapshot&, bool)> convert =
      [&](const QueueSnapshot& s, bool recurse) {
        proto::QueueInfoProto p;
        p.set_queue_name(s.name);
        p.set_queue_path(s.path);
        p.set_capacity(static_cast<float>(s.capacity));
        p.set_maximum_capacity(static_cast<float>(s.maximum_capacity));
        p.set_current_capacity(static_cast<float>(s.used_capacity));
        p.set_state(s.running ? proto::Q_RUNNING : proto::Q_STOPPED);
        p.set_num_applications(s.num_applications);
        p.set_preemption_disabled(monitor_off || s.preemption_disabled);
        if (!s.has_fair) {
          // As CapacityScheduler's queues without node labels: every label, no intra-queue
          // preemption (Fair's queues carry neither, as FSQueue's).
          p.add_accessible_node_labels("*");
          p.set_intra_queue_preemption_disabled(true);
        }
        if (req.include_child_queues() && recurse) {
          for (const auto& c : s.children) *p.add_child_queues() = convert(c, req.recursive());
        }
        if (req.include_applications() && s.children.empty()) {
          for (const auto& [id, app] : apps_) {
            if (!app->done() && (app->queue == s.name || app->queue == s.path)) {
              *p.add_applications() = BuildReport(*app);
            }
          }
        }
        return p;
      };
  proto::GetQueueInfoResponse resp;
  proto::QueueInfoProto* info = resp.mutable_queue_info();
  *info = convert(*q, /*recurse=*/true);
  // Capacity queues have no weight (YARN reports -1) and no parallel-apps limit here.
  info->set_weight(q->has_fair ? static_cast<float>(q->fair.weight) : -1.0f);
  info->set_max_parallel_apps(q->has_fair && q->fair.max_running_apps >= 0
                                  ? q->fair.max_running_apps
                                  : std::numeric_limits<int32_t>::max());
  return resp;
}

}  // namespace skein::rm
