#include "resourcemanager/web/prometheus.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "resourcemanager/web/rm_views.h"

namespace skein::web {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

void Gauge(std::string& out, const std::string& name, const std::string& help, int64_t value) {
  absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " gauge\n", name, " ", value,
                  "\n");
}

std::string LabelValue(const std::string& v) {
  return absl::StrReplaceAll(v, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

// Whole values as integers (byte counts exceed the 6 significant digits StrCat gives a double).
std::string Number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15) {
    return absl::StrCat(static_cast<int64_t>(v));
  }
  return absl::StrFormat("%.15g", v);
}

// One per-queue gauge family: its name, help and a value per queue.
struct QueueSeries {
  const char* name;
  const char* help;
  std::function<double(const rm::QueueSnapshot&)> value;
  std::string lines;
};

void QueueLines(const rm::QueueSnapshot& q, std::vector<QueueSeries>& series) {
  std::string label =
      absl::StrCat("{queue=\"", LabelValue(q.path.empty() ? q.name : q.path), "\"}");
  for (auto& s : series) absl::StrAppend(&s.lines, s.name, label, " ", Number(s.value(q)), "\n");
  for (const auto& c : q.children) QueueLines(c, series);
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
  // Memory in bytes, Prometheus' base unit (promtool refuses abbreviated units such as _mb).
  Gauge(out, "yarn_allocated_memory_bytes", "Memory allocated to containers.",
        m.allocated.memory_mb * kMiB);
  Gauge(out, "yarn_available_memory_bytes", "Memory not allocated.",
        std::max<int64_t>(0, m.total.memory_mb - m.allocated.memory_mb) * kMiB);
  Gauge(out, "yarn_total_memory_bytes", "Memory of all active nodes.", m.total.memory_mb * kMiB);
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
    const Resource total = m.total;
    // Hadoop's QueueMetrics AvailableMB/VCores: the queue's maximum share of the cluster less
    // what it uses.
    auto available = [total](const rm::QueueSnapshot& q, bool memory) {
      double max = q.absolute_maximum_capacity *
                   static_cast<double>(memory ? total.memory_mb : total.vcores);
      return std::max(0.0, max - static_cast<double>(memory ? q.used.memory_mb : q.used.vcores));
    };
    std::vector<QueueSeries> series = {
        {"yarn_queue_apps", "Unfinished applications per queue.",
         [](const auto& q) { return q.num_applications; }},
        {"yarn_queue_apps_active", "Activated applications per queue (their AM may run).",
         [](const auto& q) { return q.num_active_applications; }},
        {"yarn_queue_apps_pending", "Admitted applications waiting for activation per queue.",
         [](const auto& q) { return q.num_pending_applications; }},
        {"yarn_queue_allocated_memory_bytes", "Memory used per queue.",
         [](const auto& q) { return q.used.memory_mb * kMiB; }},
        {"yarn_queue_allocated_vcores", "Virtual cores used per queue.",
         [](const auto& q) { return q.used.vcores; }},
        {"yarn_queue_available_memory_bytes", "Memory the queue may still grow into.",
         [available](const auto& q) { return available(q, true) * kMiB; }},
        {"yarn_queue_available_vcores", "Virtual cores the queue may still grow into.",
         [available](const auto& q) { return available(q, false); }},
        {"yarn_queue_pending_memory_bytes", "Memory asked for and not yet allocated per queue.",
         [](const auto& q) { return q.pending.memory_mb * kMiB; }},
        {"yarn_queue_pending_vcores", "Virtual cores asked for and not yet allocated per queue.",
         [](const auto& q) { return q.pending.vcores; }},
        {"yarn_queue_containers", "Containers allocated per queue.",
         [](const auto& q) { return q.num_containers; }},
        {"yarn_queue_capacity_ratio", "Guaranteed share of the parent queue.",
         [](const auto& q) { return q.capacity; }},
        {"yarn_queue_used_capacity_ratio", "Used / guaranteed.",
         [](const auto& q) { return q.used_capacity; }},
    };
    QueueLines(*root_queue, series);
    for (const auto& s : series) {
      absl::StrAppend(&out, "# HELP ", s.name, " ", s.help, "\n# TYPE ", s.name, " gauge\n",
                      s.lines);
    }
  }
  return out;
}

}  // namespace skein::web
