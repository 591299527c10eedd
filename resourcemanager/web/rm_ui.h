// Server-rendered HTML pages of the RM web UI, built from the same JSON documents as the REST API
// (so the UI and the API never disagree). Inline CSS, no scripts or external resources, a meta
// refresh every 10 s. Every user-provided string is escaped. Pure functions; any thread.
#ifndef SKEIN_RESOURCEMANAGER_WEB_RM_UI_H_
#define SKEIN_RESOURCEMANAGER_WEB_RM_UI_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace skein::web {

// One point of the cluster utilization chart.
struct UtilizationSample {
  int64_t time_ms = 0;
  double memory_pct = 0;  // allocated / total memory, 0..100
  double vcores_pct = 0;  // allocated / total vcores, 0..100
};

// `info`: the clusterInfo object; `metrics`: the clusterMetrics object; `history`: oldest first,
// drawn as an inline SVG chart of the last hour.
std::string RenderClusterPage(const nlohmann::ordered_json& info,
                              const nlohmann::ordered_json& metrics,
                              const std::vector<UtilizationSample>& history);

struct AppsPageQuery {
  std::string state;  // "" = all; else one YARN state name
  int page = 1;       // 1-based
  int page_size = 100;
  std::string user_name;  // carried into links (user.name)
  // "" (newest first) or the AppInfo field to sort by (see kAppsSortKeys); the page's column
  // headers link to each order.
  std::string sort;
  bool ascending = false;
};
// The sortable columns of /cluster/apps, by AppInfo field name.
inline constexpr const char* kAppsSortKeys[] = {"id",           "user",     "name",
                                                "queue",        "priority", "startedTime",
                                                "finishedTime", "state",    "allocatedMB"};
// `apps`: the AppInfo objects of page `q.page` only (at most q.page_size; newest first is the
// caller's choice, see AppsPageRange); `total`: how many apps match, for the pager.
std::string RenderAppsPage(const nlohmann::ordered_json& apps, int64_t total,
                           const AppsPageQuery& q);
// The [begin, end) indexes of page `q.page` (clamped to the last page) among `total` apps, so a
// handler builds AppInfo documents for one page only.
std::pair<int64_t, int64_t> AppsPageRange(int64_t total, const AppsPageQuery& q);
// `app`: an AppInfo object; `attempts`: array of AppAttemptInfo. The kill form is shown for
// unfinished apps when `may_modify` (the viewer passes the same ACL check as PUT /state).
std::string RenderAppPage(const nlohmann::ordered_json& app, const nlohmann::ordered_json& attempts,
                          const std::string& user_name, bool may_modify);
// `nodes`: array of NodeInfo objects.
std::string RenderNodesPage(const nlohmann::ordered_json& nodes);
// `scheduler`: the schedulerInfo object (fifo or capacity shape).
std::string RenderSchedulerPage(const nlohmann::ordered_json& scheduler);
// A small page for errors (status text and message).
std::string RenderErrorPage(int status, const std::string& message);

}  // namespace skein::web

#endif  // SKEIN_RESOURCEMANAGER_WEB_RM_UI_H_
