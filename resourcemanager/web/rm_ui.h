// Server-rendered HTML pages of the RM web UI, built from the same JSON documents as the REST API
// (so the UI and the API never disagree). Inline CSS, no scripts or external resources, a meta
// refresh every 10 s. Every user-provided string is escaped. Pure functions; any thread.
#ifndef SKEIN_RESOURCEMANAGER_WEB_RM_UI_H_
#define SKEIN_RESOURCEMANAGER_WEB_RM_UI_H_

#include <cstdint>
#include <string>
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
};
// `apps`: array of AppInfo objects, newest first is the caller's choice.
std::string RenderAppsPage(const nlohmann::ordered_json& apps, const AppsPageQuery& q);
// `app`: an AppInfo object; `attempts`: array of AppAttemptInfo. The kill form is shown for
// unfinished apps.
std::string RenderAppPage(const nlohmann::ordered_json& app, const nlohmann::ordered_json& attempts,
                          const std::string& user_name);
// `nodes`: array of NodeInfo objects.
std::string RenderNodesPage(const nlohmann::ordered_json& nodes);
// `scheduler`: the schedulerInfo object (fifo or capacity shape).
std::string RenderSchedulerPage(const nlohmann::ordered_json& scheduler);
// A small page for errors (status text and message).
std::string RenderErrorPage(int status, const std::string& message);

}  // namespace skein::web

#endif  // SKEIN_RESOURCEMANAGER_WEB_RM_UI_H_
