#include "resourcemanager/web/jmx_beans.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/ids.h"
#include "nlohmann/json.hpp"
#include "resourcemanager/web/rm_views.h"

namespace skein::web {
namespace {

using json = nlohmann::ordered_json;

// Application counts of one queue (or one user in it), as QueueMetrics keeps them.
struct AppCounts {
  int64_t submitted = 0;
  int64_t running = 0;
  int64_t pending = 0;
  int64_t completed = 0;
  int64_t killed = 0;
  int64_t failed = 0;
  int64_t running_by_age[4] = {0, 0, 0, 0};  // running_0, _60, _300, _1440 (minutes)
  Resource used;                             // users: from the scheduler's user snapshot
  bool active = false;                       // has an accepted or running application
  void Add(const proto::ApplicationReportProto& r, int64_t now_ms) {
    ++submitted;
    switch (r.yarn_application_state()) {
      case proto::RUNNING: {
        ++running;
        active = true;
        int64_t minutes = std::max<int64_t>(0, now_ms - r.start_time()) / 60000;
        ++running_by_age[minutes < 60 ? 0 : minutes < 300 ? 1 : minutes < 1440 ? 2 : 3];
        break;
      }
      case proto::FINISHED:
        ++completed;
        break;
      case proto::KILLED:
        ++killed;
        break;
      case proto::FAILED:
        ++failed;
        break;
      default:  // NEW .. ACCEPTED
        ++pending;
        active = true;
        break;
    }
  }
};

std::string QueuePathOf(const rm::QueueSnapshot& q) { return q.path.empty() ? q.name : q.path; }

// "root.a.b" -> "q0=root,q1=a,q2=b"
std::string QueueKeys(const std::string& path) {
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ",", "q", i, "=", parts[i]);
  }
  return out;
}

void AddCounts(json& a, const AppCounts& c) {
  a["running_0"] = c.running_by_age[0];
  a["running_60"] = c.running_by_age[1];
  a["running_300"] = c.running_by_age[2];
  a["running_1440"] = c.running_by_age[3];
  a["AppsSubmitted"] = c.submitted;
  a["AppsRunning"] = c.running;
  a["AppsPending"] = c.pending;
  a["AppsCompleted"] = c.completed;
  a["AppsKilled"] = c.killed;
  a["AppsFailed"] = c.failed;
}

class QueueBeans {
 public:
  QueueBeans(const RmJmxInput& in, std::vector<JmxBean>& out) : in_(in), out_(out) {}

  void Build(const rm::QueueSnapshot& root) {
    Index(root);
    for (const auto& r : in_.apps) {
      std::string path = PathOfApp(r.queue());
      if (path.empty()) continue;
      // A queue's figures include its descendants', as Hadoop's parent QueueMetrics do.
      std::string prefix;
      for (absl::string_view part : absl::StrSplit(path, '.')) {
        prefix = prefix.empty() ? std::string(part) : absl::StrCat(prefix, ".", part);
        queues_[prefix].Add(r, in_.now_ms);
        users_[prefix][r.user()].Add(r, in_.now_ms);
      }
    }
    Emit(root);
  }

 private:
  void Index(const rm::QueueSnapshot& q) {
    std::string path = QueuePathOf(q);
    by_leaf_name_.emplace(q.name, path);
    paths_.insert(path);
    for (const auto& c : q.children) Index(c);
  }
  std::string PathOfApp(const std::string& queue) const {
    if (paths_.count(queue)) return queue;
    auto it = by_leaf_name_.find(queue);
    return it == by_leaf_name_.end() ? "" : it->second;
  }

  // Emits q's bean (and its users') after its children's, so user resources can be summed up.
  std::map<std::string, AppCounts> Emit(const rm::QueueSnapshot& q) {
    const std::string path = QueuePathOf(q);
    std::map<std::string, AppCounts>& users = users_[path];
    std::map<std::string, Resource> user_used;
    for (const auto& u : q.users) user_used[u.user] = u.used;
    int64_t active_apps = q.num_active_applications;
    if (!q.children.empty()) active_apps = 0;
    for (const auto& c : q.children) {
      for (const auto& [user, counts] : Emit(c)) {
        user_used[user] += counts.used;
      }
      active_apps += ActiveApps(c);
    }
    const Resource total = in_.metrics.total;
    auto available = [&](bool memory) {
      double max = q.absolute_maximum_capacity *
                   static_cast<double>(memory ? total.memory_mb : total.vcores);
      return static_cast<int64_t>(
          std::max(0.0, max - static_cast<double>(memory ? q.used.memory_mb : q.used.vcores)));
    };
    const std::string keys = QueueKeys(path);
    JmxBean b{absl::StrCat("Hadoop:service=ResourceManager,name=QueueMetrics,", keys),
              absl::StrCat("QueueMetrics,", keys)};
    json& a = b.attributes;
    a["tag.Queue"] = path;
    a["tag.Context"] = "yarn";
    a["tag.Hostname"] = in_.hostname;
    AddCounts(a, queues_[path]);
    a["AllocatedMB"] = q.used.memory_mb;
    a["AllocatedVCores"] = q.used.vcores;
    a["AllocatedContainers"] = q.num_containers;
    a["AvailableMB"] = available(true);
    a["AvailableVCores"] = available(false);
    a["PendingMB"] = q.pending.memory_mb;
    a["PendingVCores"] = q.pending.vcores;
    a["ReservedMB"] = 0;
    a["ReservedVCores"] = 0;
    a["ReservedContainers"] = 0;
    int64_t active_users = 0;
    for (const auto& [user, c] : users) active_users += c.active ? 1 : 0;
    a["ActiveUsers"] = active_users;
    a["ActiveApplications"] = active_apps;
    if (q.has_fair) {  // FSQueueMetrics
      a["FairShareMB"] = q.fair.fair_share.memory_mb;
      a["FairShareVCores"] = q.fair.fair_share.vcores;
      a["SteadyFairShareMB"] = q.fair.steady_fair_share.memory_mb;
      a["SteadyFairShareVCores"] = q.fair.steady_fair_share.vcores;
      a["MinShareMB"] = q.fair.min_resources.memory_mb;
      a["MinShareVCores"] = q.fair.min_resources.vcores;
      a["MaxShareMB"] = q.fair.max_resources.memory_mb;
      a["MaxShareVCores"] = q.fair.max_resources.vcores;
    } else if (in_.scheduler_class.find("Capacity") != std::string::npos) {  // CSQueueMetrics
      a["AMResourceLimitMB"] = q.am_limit.memory_mb;
      a["AMResourceLimitVCores"] = q.am_limit.vcores;
      a["UsedAMResourceMB"] = q.am_used.memory_mb;
      a["UsedAMResourceVCores"] = q.am_used.vcores;
      a["UsedCapacity"] = q.used_capacity;
      a["AbsoluteUsedCapacity"] = q.absolute_used_capacity;
      a["GuaranteedMB"] = static_cast<int64_t>(q.absolute_capacity * total.memory_mb);
      a["GuaranteedVCores"] = static_cast<int64_t>(q.absolute_capacity * total.vcores);
      a["MaxCapacityMB"] = static_cast<int64_t>(q.absolute_maximum_capacity * total.memory_mb);
      a["MaxCapacityVCores"] = static_cast<int64_t>(q.absolute_maximum_capacity * total.vcores);
    }
    out_.push_back(std::move(b));

    std::map<std::string, AppCounts> shown;
    for (auto& [user, c] : users) {
      c.used = user_used[user];
      JmxBean u{
          absl::StrCat("Hadoop:service=ResourceManager,name=QueueMetrics,", keys, ",user=", user),
          absl::StrCat("QueueMetrics,", keys, ",user=", user)};
      json& ua = u.attributes;
      ua["tag.Queue"] = path;
      ua["tag.User"] = user;
      ua["tag.Context"] = "yarn";
      ua["tag.Hostname"] = in_.hostname;
      AddCounts(ua, c);
      ua["AllocatedMB"] = c.used.memory_mb;
      ua["AllocatedVCores"] = c.used.vcores;
      ua["AvailableMB"] = available(true);
      ua["AvailableVCores"] = available(false);
      ua["ReservedMB"] = 0;
      ua["ReservedVCores"] = 0;
      ua["ActiveApplications"] = c.running + c.pending;
      out_.push_back(std::move(u));
      shown[user] = c;
    }
    return shown;
  }

  static int64_t ActiveApps(const rm::QueueSnapshot& q) {
    if (q.children.empty()) return q.num_active_applications;
    int64_t n = 0;
    for (const auto& c : q.children) n += ActiveApps(c);
    return n;
  }

  const RmJmxInput& in_;
  std::vector<JmxBean>& out_;
  std::map<std::string, std::string> by_leaf_name_;
  std::set<std::string> paths_;
  std::map<std::string, AppCounts> queues_;
  std::map<std::string, std::map<std::string, AppCounts>> users_;
};

double Avg(const rm::RmCore::WebCounters::Rate& r) {
  return r.ops > 0 ? static_cast<double>(r.total_ms) / static_cast<double>(r.ops) : 0.0;
}

}  // namespace

std::vector<JmxBean> RmJmxBeans(const RmJmxInput& in) {
  std::vector<JmxBean> out;
  const auto& m = in.metrics;
  auto nodes = [&](proto::NodeState s) {
    auto it = m.nodes.find(s);
    return it == m.nodes.end() ? int64_t{0} : it->second;
  };
  JmxBean cluster{"Hadoop:service=ResourceManager,name=ClusterMetrics", "ClusterMetrics"};
  cluster.attributes = {
      {"tag.ClusterMetrics", "ResourceManager"},
      {"tag.Context", "yarn"},
      {"tag.Hostname", in.hostname},
      {"NumActiveNMs", nodes(proto::NS_RUNNING)},
      {"NumDecommissioningNMs", nodes(proto::NS_DECOMMISSIONING)},
      {"NumDecommissionedNMs", nodes(proto::NS_DECOMMISSIONED)},
      {"NumLostNMs", nodes(proto::NS_LOST)},
      {"NumUnhealthyNMs", nodes(proto::NS_UNHEALTHY)},
      {"NumRebootedNMs", nodes(proto::NS_REBOOTED)},
      {"NumShutdownNMs", nodes(proto::NS_SHUTDOWN)},
      {"AMLaunchDelayNumOps", m.counters.am_launch_delay.ops},
      {"AMLaunchDelayAvgTime", Avg(m.counters.am_launch_delay)},
      {"AMRegisterDelayNumOps", m.counters.am_register_delay.ops},
      {"AMRegisterDelayAvgTime", Avg(m.counters.am_register_delay)},
      {"AMContainerAllocationDelayNumOps", m.counters.am_container_allocation_delay.ops},
      {"AMContainerAllocationDelayAvgTime", Avg(m.counters.am_container_allocation_delay)},
      {"UtilizedMB", m.allocated.memory_mb},
      {"UtilizedVirtualCores", m.allocated.vcores},
      {"CapabilityMB", m.total.memory_mb},
      {"CapabilityVirtualCores", m.total.vcores},
  };
  out.push_back(std::move(cluster));

  if (in.root) QueueBeans(in, out).Build(*in.root);

  AppendRpcBeans("ResourceManager", in.hostname, in.service_ports, in.rpc, out);

  // RMNMInfo: LiveNodeManagers is a JSON text (not an array), as Hadoop's RMNMInfo bean gives it.
  json live = json::array();
  for (const auto& n : in.nodes) {
    NodeId id = NodeId::FromProto(n.node_id());
    live.push_back({{"HostName", id.host()},
                    {"Rack", n.rack_name()},
                    {"State", NodeStateName(n.node_state())},
                    {"NodeId", id.ToString()},
                    {"NodeHTTPAddress", n.http_address()},
                    {"LastHealthUpdate", n.last_health_report_time()},
                    {"HealthReport", n.health_report()},
                    {"NodeManagerVersion", n.node_manager_version()},
                    {"NumContainers", n.num_containers()},
                    {"UsedMemoryMB", n.used().memory_mb()},
                    {"AvailableMemoryMB", n.capability().memory_mb() - n.used().memory_mb()}});
  }
  JmxBean nm_info{"Hadoop:service=ResourceManager,name=RMNMInfo",
                  "org.apache.hadoop.yarn.server.resourcemanager.RMNMInfo"};
  nm_info.attributes = {{"LiveNodeManagers", live.dump()}};
  out.push_back(std::move(nm_info));
  return out;
}

}  // namespace skein::web
