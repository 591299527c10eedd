#include "resourcemanager/web/prometheus.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "resourcemanager/web/rm_views.h"

namespace skein::web {
namespace {

void Gauge(std::string& out, const std::string& name, const std::string& help, int64_t value) {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " gauge\n", name, " ", value,
                  "\n");
}

std::string LabelValue(const std::string& v) {
  return absl::StrReplaceAll(v, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

void QueueLines(const rm::QueueSnapshot& q, std::string& apps, std::string& mem,
                std::string& vcores, std::string& cap, std::string& used) {
  std::string label =
      absl::StrCat("{queue=\"", LabelValue(q.path.empty() ? q.name : q.path), "\"}");
  absl::StrAppend(&apps, "yarn_queue_apps", label, " ", q.num_applications, "\n");
  absl::StrAppend(&mem, "yarn_queue_allocated_mb", label, " ", q.used.memory_mb, "\n");
  absl::StrAppend(&vcores, "yarn_queue_allocated_vcores", label, " ", q.used.vcores, "\n");
  absl::StrAppend(&cap, "yarn_queue_capacity_ratio", label, " ", q.capacity, "\n");
  absl::StrAppend(&used, "yarn_queue_used_capacity_ratio", label, " ", q.used_capacity, "\n");
  for (const auto& c : q.children) QueueLines(c, apps, mem, vcores, cap, used);
}

}  // namespace

std::string RenderPrometheus(const rm::RmCore::WebClusterMetrics& m,
                             const rm::QueueSnapshot* root_queue) {
  std::string out;
  out += "# HELP yarn_apps Applications by state (submitted/completed/failed/killed are totals).\n";
  out += "# TYPE yarn_apps gauge\n";
  absl::StrAppend(&out, "yarn_apps{state=\"submitted\"} ", m.counters.apps_submitted, "\n");
  absl::StrAppend(&out, "yarn_apps{state=\"completed\"} ", m.counters.apps_completed, "\n");
  absl::StrAppend(&out, "yarn_apps{state=\"pending\"} ", m.apps_pending, "\n");
  absl::StrAppend(&out, "yarn_apps{state=\"running\"} ", m.apps_running, "\n");
  absl::StrAppend(&out, "yarn_apps{state=\"failed\"} ", m.counters.apps_failed, "\n");
  absl::StrAppend(&out, "yarn_apps{state=\"killed\"} ", m.counters.apps_killed, "\n");
  Gauge(out, "yarn_allocated_mb", "Memory allocated to containers, MB.", m.allocated.memory_mb);
  Gauge(out, "yarn_available_mb", "Memory not allocated, MB.",
        std::max<int64_t>(0, m.total.memory_mb - m.allocated.memory_mb));
  Gauge(out, "yarn_total_mb", "Memory of all active nodes, MB.", m.total.memory_mb);
  Gauge(out, "yarn_allocated_vcores", "Virtual cores allocated to containers.", m.allocated.vcores);
  Gauge(out, "yarn_available_vcores", "Virtual cores not allocated.",
        std::max<int64_t>(0, m.total.vcores - m.allocated.vcores));
  Gauge(out, "yarn_total_vcores", "Virtual cores of all active nodes.", m.total.vcores);
  Gauge(out, "yarn_containers_allocated", "Containers currently allocated.",
        m.containers_allocated);
  out += "# HELP yarn_nodes NodeManagers by state.\n# TYPE yarn_nodes gauge\n";
  for (proto::NodeState s :
       {proto::NS_NEW, proto::NS_RUNNING, proto::NS_UNHEALTHY, proto::NS_DECOMMISSIONED,
        proto::NS_LOST, proto::NS_REBOOTED, proto::NS_DECOMMISSIONING, proto::NS_SHUTDOWN}) {
    auto it = m.nodes.find(s);
    absl::StrAppend(&out, "yarn_nodes{state=\"", NodeStateName(s), "\"} ",
                    it == m.nodes.end() ? 0 : it->second, "\n");
  }
  if (root_queue != nullptr) {
    std::string apps, mem, vcores, cap, used;
    QueueLines(*root_queue, apps, mem, vcores, cap, used);
    out +=
        "# HELP yarn_queue_apps Unfinished applications per queue.\n# TYPE yarn_queue_apps "
        "gauge\n" +
        apps;
    out +=
        "# HELP yarn_queue_allocated_mb Memory used per queue, MB.\n# TYPE "
        "yarn_queue_allocated_mb gauge\n" +
        mem;
    out +=
        "# HELP yarn_queue_allocated_vcores Virtual cores used per queue.\n# TYPE "
        "yarn_queue_allocated_vcores gauge\n" +
        vcores;
    out +=
        "# HELP yarn_queue_capacity_ratio Guaranteed share of the parent queue.\n# TYPE "
        "yarn_queue_capacity_ratio gauge\n" +
        cap;
    out +=
        "# HELP yarn_queue_used_capacity_ratio Used / guaranteed.\n# TYPE "
        "yarn_queue_used_capacity_ratio gauge\n" +
        used;
  }
  return out;
}

}  // namespace skein::web
