// GET /ws/v1/cluster/scheduler: Hadoop's CapacitySchedulerInfo, FairSchedulerInfo and
// FifoSchedulerInfo shapes (declared in rm_views.h).
#include <algorithm>
#include <climits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "resourcemanager/web/rm_views.h"

namespace skein::web {
namespace {

using json = nlohmann::ordered_json;

// Float percentages as Hadoop prints them (JAXB float).
double Pct(double v) { return static_cast<double>(static_cast<float>(v)); }

// Hadoop's ResourceInfo: {"memory":MB,"vCores":n}.
json ResourceJson(const Resource& r) { return {{"memory", r.memory_mb}, {"vCores", r.vcores}}; }

std::string UsedResourcesText(const Resource& r) {
  return absl::StrCat("<memory:", r.memory_mb, ", vCores:", r.vcores, ">");
}

// -1 (unlimited) as Java's Integer.MAX_VALUE, the way Hadoop prints an unset limit.
int64_t Limit(int32_t v) { return v < 0 ? INT_MAX : v; }

// One user of a Capacity leaf (Hadoop's UserInfo).
json CapacityUserJson(const rm::QueueUserSnapshot& u) {
  return {{"username", u.user},
          {"resourcesUsed", ResourceJson(u.used)},
          {"numPendingApplications", u.pending_applications},
          {"numActiveApplications", u.active_applications},
          {"AMResourceUsed", ResourceJson(u.am_used)},
          {"userResourceLimit", ResourceJson(u.user_limit)}};
}

// Capacity scheduler queues: capacity* are percentages of the parent, absolute* of the cluster
// (the product of the capacities down the tree, as CapacitySchedulerQueueInfo computes them).
json CapacityQueueJson(const rm::QueueSnapshot& q, double parent_abs_cap, double parent_abs_max) {
  double abs_cap = parent_abs_cap * q.capacity;
  double abs_max = parent_abs_max * q.maximum_capacity;
  json j = {{"queuePath", q.path.empty() ? q.name : q.path},
            {"capacity", Pct(q.capacity * 100)},
            {"usedCapacity", Pct(q.used_capacity * 100)},
            {"maxCapacity", Pct(q.maximum_capacity * 100)},
            {"absoluteCapacity", Pct(abs_cap * 100)},
            {"absoluteMaxCapacity", Pct(abs_max * 100)},
            {"absoluteUsedCapacity", Pct(q.used_capacity * abs_cap * 100)},
            {"numApplications", q.num_applications},
            {"usedResources", UsedResourcesText(q.used)},
            {"queueName", q.name},
            {"state", q.running ? "RUNNING" : "STOPPED"},
            {"resourcesUsed", ResourceJson(q.used)},
            {"allocatedContainers", q.num_containers},
            {"pendingContainers", 0},
            {"reservedContainers", 0}};
  if (!q.children.empty()) {
    json children = json::array();
    for (const auto& c : q.children) children.push_back(CapacityQueueJson(c, abs_cap, abs_max));
    j["queues"] = {{"queue", children}};
    return j;
  }
  json users = json::array();
  for (const auto& u : q.users) users.push_back(CapacityUserJson(u));
  j["type"] = "capacitySchedulerLeafQueueInfo";
  j["numActiveApplications"] = q.num_active_applications;
  j["numPendingApplications"] = q.num_pending_applications;
  j["numContainers"] = q.num_containers;
  j["maxApplications"] = Limit(q.max_applications);
  j["maxApplicationsPerUser"] = Limit(q.max_applications_per_user);
  // Documented by Hadoop 2's REST page; the bound on active apps is the same limit here.
  j["maxActiveApplications"] = Limit(q.max_applications);
  j["maxActiveApplicationsPerUser"] = Limit(q.max_applications_per_user);
  j["userLimit"] = q.minimum_user_limit_percent;
  j["users"] = {{"user", users}};
  j["userLimitFactor"] = Pct(q.user_limit_factor);
  j["configuredMaxAMResourceLimit"] = Pct(q.max_am_resource_percent);
  j["AMResourceLimit"] = ResourceJson(q.am_limit);
  j["usedAMResource"] = ResourceJson(q.am_used);
  j["preemptionDisabled"] = q.preemption_disabled;
  j["defaultPriority"] = q.default_application_priority;
  return j;
}

// Fair scheduler queues (Hadoop's FairSchedulerQueueInfo / FairSchedulerLeafQueueInfo).
json FairQueueJson(const rm::QueueSnapshot& q, const SchedulerInput& in) {
  const rm::FairQueueSnapshot& f = q.fair;
  const Resource& cluster = in.metrics.total;
  // An unset maximum is the whole cluster, as Hadoop reports it.
  Resource max = (f.max_resources.memory_mb <= 0 && f.max_resources.vcores <= 0)
                     ? cluster
                     : Resource(std::min(f.max_resources.memory_mb, cluster.memory_mb),
                                std::min(f.max_resources.vcores, cluster.vcores));
  Resource am_max = q.am_limit;
  if (am_max.memory_mb == 0 && am_max.vcores == 0 && f.max_am_share > 0) {
    am_max = Resource(static_cast<int64_t>(f.max_am_share * f.fair_share.memory_mb),
                      static_cast<int32_t>(f.max_am_share * f.fair_share.vcores));
  }
  json j = {{"maxApps", Limit(f.max_running_apps)},
            {"minResources", ResourceJson(f.min_resources)},
            {"maxResources", ResourceJson(max)},
            {"usedResources", ResourceJson(q.used)},
            {"amUsedResources", ResourceJson(q.am_used)},
            {"amMaxResources", ResourceJson(am_max)},
            {"demandResources", ResourceJson(f.demand)},
            {"steadyFairResources", ResourceJson(f.steady_fair_share)},
            {"fairResources", ResourceJson(f.fair_share)},
            {"clusterResources", ResourceJson(cluster)},
            {"reservedResources", ResourceJson(Resource())},
            {"maxContainerAllocation", ResourceJson(Resource::ComponentMin(
                                           f.max_container_allocation, in.maximum_allocation))},
            {"allocatedContainers", q.num_containers},
            {"reservedContainers", 0},
            {"pendingContainers", 0},
            {"queueName", q.path.empty() ? q.name : q.path},
            {"schedulingPolicy", f.scheduling_policy},
            {"preemptable", !q.preemption_disabled},
            {"weight", Pct(f.weight)}};
  if (!q.children.empty() || f.is_parent) {
    json children = json::array();
    for (const auto& c : q.children) children.push_back(FairQueueJson(c, in));
    j["childQueues"] = {{"queue", children}};
  } else {
    j["type"] = "fairSchedulerLeafQueueInfo";
    j["numPendingApps"] = q.num_pending_applications;
    j["numActiveApps"] = q.num_active_applications;
  }
  return j;
}

json FifoJson(const SchedulerInput& in) {
  const auto& m = in.metrics;
  double used =
      m.total.memory_mb > 0 ? static_cast<double>(m.allocated.memory_mb) / m.total.memory_mb : 0.0;
  auto running = m.nodes.find(proto::NS_RUNNING);
  return {{"type", "fifoScheduler"},
          {"capacity", 1.0},
          {"usedCapacity", Pct(used)},
          {"qstate", in.root.running ? "RUNNING" : "STOPPED"},
          {"minQueueMemoryCapacity", in.minimum_allocation.memory_mb},
          {"maxQueueMemoryCapacity", in.maximum_allocation.memory_mb},
          {"numNodes", running == m.nodes.end() ? 0 : running->second},
          {"usedNodeCapacity", m.allocated.memory_mb},
          {"availNodeCapacity", std::max<int64_t>(0, m.total.memory_mb - m.allocated.memory_mb)},
          {"totalNodeCapacity", m.total.memory_mb},
          {"numContainers", m.containers_allocated}};
}

}  // namespace

json SchedulerJson(const SchedulerInput& in) {
  json info;
  std::string cls = absl::AsciiStrToLower(in.class_name);
  if (in.root.has_fair || absl::StrContains(cls, "fair")) {
    info = {{"type", "fairScheduler"}, {"rootQueue", FairQueueJson(in.root, in)}};
  } else if (absl::StrContains(cls, "capacity")) {
    json root = CapacityQueueJson(in.root, 1.0, 1.0);
    info = {{"type", "capacityScheduler"},
            {"capacity", root["capacity"]},
            {"usedCapacity", root["usedCapacity"]},
            {"maxCapacity", root["maxCapacity"]},
            {"queueName", in.root.name},
            {"queues", root.contains("queues") ? root["queues"] : json{{"queue", json::array()}}}};
  } else {
    info = FifoJson(in);
  }
  return {{"scheduler", {{"schedulerInfo", info}}}};
}

}  // namespace skein::web
