// RmCore: node administration — the include/exclude lists, forceful and graceful
// decommissioning, recommissioning and `yarn rmadmin -updateNodeResource` (Hadoop's
// NodesListManager, DecommissioningNodesWatcher and AdminService.updateNodeResource).
#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "resourcemanager/core/rm_core.h"

namespace skein::rm {
namespace {

constexpr char kLostContainer[] = "Container released on a *lost* node";

bool IsActive(proto::NodeState s) {
  return s == proto::NS_RUNNING || s == proto::NS_UNHEALTHY || s == proto::NS_DECOMMISSIONING;
}

void Log(const std::string& message) {
  fprintf(stderr, "skein resourcemanager: %s\n", message.c_str());
}

}  // namespace

std::string RmCore::DisallowedReason(const NodeId& id, bool registering) const {
  if (hosts_.IsValid(id.host())) return "";
  // Hadoop's ResourceTrackerService wording (the double space included).
  if (registering) {
    return absl::StrCat("Disallowed NodeManager from  ", id.host(),
                        ", Sending SHUTDOWN signal to the NodeManager.");
  }
  return absl::StrCat("Disallowed NodeManager nodeId: ", id.ToString(), " hostname: ", id.host());
}

void RmCore::RefreshNodes(HostsLists lists, bool graceful, int32_t timeout_s) {
  hosts_ = std::move(lists);
  std::vector<NodeId> recommission, decommission;
  for (const auto& [id, node] : nodes_) {
    if (!IsActive(node.state)) continue;  // inactive nodes are only listed
    if (hosts_.IsValid(id.host())) {
      if (node.state == proto::NS_DECOMMISSIONING) recommission.push_back(id);
    } else {
      decommission.push_back(id);
    }
  }
  for (const NodeId& id : recommission) Recommission(nodes_.at(id));
  for (const NodeId& id : decommission) {
    Node& node = nodes_.at(id);
    if (!graceful) {
      DecommissionNode(node);
      continue;
    }
    auto per_host = hosts_.excludes.find(id.host());
    int32_t timeout = per_host != hosts_.excludes.end() && per_host->second.has_value()
                          ? *per_host->second
                          : timeout_s;
    if (node.state == proto::NS_DECOMMISSIONING) {
      // Already draining: only a changed timeout is applied, still counted from when the drain
      // began (DecommissioningNodesWatcher keeps its start time).
      node.decommission_timeout_s = timeout;
      continue;
    }
    StartDecommissioning(node, timeout);
  }
  RunScheduling();
}

void RmCore::StartDecommissioning(Node& node, int32_t timeout_s) {
  if (node.state == proto::NS_UNHEALTHY) {
    // Out of the scheduler already and without containers: nothing to drain.
    DecommissionNode(node);
    return;
  }
  Log(absl::StrCat("Gracefully decommission node ", node.id.ToString(), " with state ",
                   proto::NodeState_Name(node.state), " (timeout ",
                   timeout_s < 0 ? std::string("none") : absl::StrCat(timeout_s, " s"), ")"));
  node.state = proto::NS_DECOMMISSIONING;
  node.decommission_start_ms = clock_.NowMillis();
  node.decommission_timeout_s = timeout_s;
  node.decommission_apps.clear();
  for (const ContainerId& c : node.containers) {
    node.decommission_apps.insert(c.application_id());
  }
  if (auto s = scheduler_.UpdateNodeResource(node.id, scheduler_.NodeUsed(node.id)); !s.ok()) {
    Log(absl::StrCat("cannot stop new containers on decommissioning node ", node.id.ToString(),
                     ": ", s.message()));
  }
}

void RmCore::Recommission(Node& node) {
  Log(absl::StrCat("Recommission node ", node.id.ToString(), " with state DECOMMISSIONING"));
  node.state = proto::NS_RUNNING;
  node.decommission_apps.clear();
  node.decommission_timeout_s = -1;
  if (auto s = scheduler_.UpdateNodeResource(node.id, node.total); !s.ok()) {
    Log(absl::StrCat("cannot restore the resource of recommissioned node ", node.id.ToString(),
                     ": ", s.message()));
  }
}

void RmCore::DecommissionNode(Node& node) {
  proto::NodeState final_state =
      hosts_.IsUntracked(node.id.host()) ? proto::NS_SHUTDOWN : proto::NS_DECOMMISSIONED;
  Log(absl::StrCat("Decommission node ", node.id.ToString(), " with state ",
                   proto::NodeState_Name(node.state), " -> ", proto::NodeState_Name(final_state),
                   " (", node.containers.size(), " containers end)"));
  node.decommission_apps.clear();
  // An UNHEALTHY node already left the scheduler; removing it again finds nothing.
  LoseNode(node, final_state, kLostContainer);
}

bool RmCore::UpdateDecommissioning(Node& node) {
  for (const ContainerId& c : node.containers) node.decommission_apps.insert(c.application_id());
  absl::erase_if(node.decommission_apps, [this](const ApplicationId& a) {
    const App* app = FindApp(a);
    return app == nullptr || app->done();
  });
  const int64_t waited_ms = clock_.NowMillis() - node.decommission_start_ms;
  const bool timed_out =
      node.decommission_timeout_s >= 0 && waited_ms >= node.decommission_timeout_s * 1000LL;
  const bool drained = node.containers.empty() && node.decommission_apps.empty();
  if (!drained && !timed_out) {
    // Hadoop's CapacityScheduler does this on every heartbeat of a DECOMMISSIONING node: the
    // node's total follows what it still uses, so freed capacity is not handed out again.
    (void)scheduler_.UpdateNodeResource(node.id, scheduler_.NodeUsed(node.id));
    return false;
  }
  Log(absl::StrCat("DECOMMISSIONING ", node.id.ToString(), " is ready to be decommissioned (",
                   drained ? "drained" : "timed out", ")"));
  DecommissionNode(node);
  return true;
}

void RmCore::DecommissionNodesForcefully() {
  for (auto& [id, node] : nodes_) {
    if (node.state == proto::NS_DECOMMISSIONING) DecommissionNode(node);
  }
  RunScheduling();
}

std::vector<NodeId> RmCore::DecommissioningNodes() const {
  std::vector<NodeId> out;
  for (const auto& [id, node] : nodes_) {
    if (node.state == proto::NS_DECOMMISSIONING) out.push_back(id);
  }
  return out;
}

absl::Status RmCore::UpdateNodeResource(const NodeId& id, const Resource& total,
                                        int32_t overcommit_timeout_s) {
  auto it = nodes_.find(id);
  if (it == nodes_.end() || !IsActive(it->second.state)) {
    return absl::NotFoundError(absl::StrCat(
        "Resource update get failed on all nodes due to change resource on an unrecognized node: ",
        id.ToString()));
  }
  if (total.memory_mb < 0 || total.vcores < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid resource value: (", total.memory_mb, ",", total.vcores,
        ") for updateNodeResource on ", id.ToString(), ": values must not be negative"));
  }
  if (overcommit_timeout_s < -1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid overcommit timeout ", overcommit_timeout_s,
                     " for updateNodeResource on ", id.ToString(), ": expected -1 or more"));
  }
  Node& node = it->second;
  Log(absl::StrCat("Update resource on node ", id.ToString(), " from ", node.total.ToString(),
                   " to ", total.ToString()));
  if (node.state == proto::NS_RUNNING) {
    if (auto s = scheduler_.UpdateNodeResource(id, total); !s.ok()) return s;
  }
  node.total = total;
  RunScheduling();  // a larger node may take waiting asks now
  return absl::OkStatus();
}

}  // namespace skein::rm
