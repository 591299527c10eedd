// RmCore's read-only views for the web UI, the REST API and /metrics (see the "Web/metrics"
// block in rm_core.h). Runs on the RM loop.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "resourcemanager/core/rm_core.h"

namespace skein::rm {

RmCore::WebClusterMetrics RmCore::WebMetrics() const {
  WebClusterMetrics m;
  m.counters = web_counters_;
  for (const auto& [id, app] : apps_) {
    switch (app->state) {
      case proto::NEW_SAVING:
      case proto::SUBMITTED:
      case proto::ACCEPTED:
        ++m.apps_pending;
        break;
      case proto::RUNNING:
        ++m.apps_running;
        break;
      default:
        break;
    }
  }
  m.total = scheduler_.ClusterResource();
  m.allocated = scheduler_.UsedResource();
  m.containers_allocated = static_cast<int64_t>(containers_.size());
  for (const auto& [id, n] : nodes_) ++m.nodes[n.state];
  // As Hadoop 3's ClusterMetricsInfo: every node in a counted state (active, lost, unhealthy,
  // decommissioning, decommissioned, rebooted, shutdown); a NEW node is in none of them.
  for (const auto& [state, count] : m.nodes) {
    if (state != proto::NS_NEW) m.total_nodes += count;
  }
  return m;
}

absl::StatusOr<std::vector<RmCore::WebAttempt>> RmCore::WebAttempts(const ApplicationId& id) const {
  const App* app = FindApp(id);
  if (app == nullptr) {
    return absl::NotFoundError(absl::StrCat("app with id: ", id.ToString(), " not found"));
  }
  std::vector<WebAttempt> out;
  std::vector<proto::ApplicationAttemptReportProto> reports = ListAttempts(id);
  for (size_t i = 0; i < reports.size() && i < app->attempts.size(); ++i) {
    WebAttempt w;
    w.report = reports[i];
    const Attempt& a = *app->attempts[i];
    w.has_am_container = a.has_am_container;
    if (a.has_am_container) {
      w.am_node = NodeId::FromProto(a.am_container.node_id());
      w.am_node_http_address = a.am_container.node_http_address();
    }
    out.push_back(std::move(w));
  }
  return out;
}

absl::StatusOr<std::vector<RmCore::WebContainer>> RmCore::WebContainers(
    const ApplicationAttemptId& id) const {
  const App* app = FindApp(id.application_id());
  if (app == nullptr || id.attempt_id() < 1 ||
      id.attempt_id() > static_cast<int32_t>(app->attempts.size())) {
    return absl::NotFoundError(absl::StrCat("appattempt with id: ", id.ToString(), " not found"));
  }
  std::vector<WebContainer> out;
  for (const ContainerId& cid : app->live_containers) {
    if (cid.application_attempt_id() != id) continue;
    auto found = containers_.find(cid);
    if (found == containers_.end()) continue;
    const RMContainer& c = found->second;
    WebContainer w;
    w.id = cid;
    w.node = c.node;
    auto node = nodes_.find(c.node);
    if (node != nodes_.end()) {
      w.node_http_address = absl::StrCat(c.node.host(), ":", node->second.http_port);
    }
    w.resource = c.resource;
    w.priority = c.priority;
    w.start_time = c.start_time;
    out.push_back(std::move(w));
  }
  std::sort(out.begin(), out.end(),
            [](const WebContainer& a, const WebContainer& b) { return a.id < b.id; });
  return out;
}

}  // namespace skein::rm
