#include "resourcemanager/web/rm_ui.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/web/xml.h"
#include "resourcemanager/web/rest_request.h"

namespace skein::web {
namespace {

using json = nlohmann::ordered_json;

constexpr char kCss[] =
    "body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}"
    "header{background:#1f3b57;color:#fff;padding:10px 20px;display:flex;gap:24px;"
    "align-items:center}header a{color:#cfe3ff;text-decoration:none}"
    "header b{font-size:18px}main{padding:16px 20px}"
    "table{border-collapse:collapse;background:#fff;width:100%;font-size:13px}"
    "th,td{border:1px solid #dde;padding:4px 8px;text-align:left}th{background:#eef2f7}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:16px}"
    ".card{background:#fff;border:1px solid #dde;border-radius:6px;padding:10px 14px;"
    "min-width:130px}.card .v{font-size:22px;font-weight:600}.card .k{font-size:12px;color:#667}"
    ".bar{position:relative;background:#e6e9ee;height:16px;width:320px;border-radius:3px}"
    ".bar .g{position:absolute;top:0;bottom:0;border-right:2px solid #1f3b57}"
    ".bar .m{position:absolute;top:0;bottom:0;background:#cfd8e3}"
    ".bar .u{position:absolute;top:0;bottom:0;background:#3c8d5a}"
    ".s-RUNNING{color:#2d7a3e}.s-FAILED,.s-KILLED{color:#b03030}.s-ACCEPTED{color:#a06000}"
    ".pager a{margin-right:8px}button{background:#b03030;color:#fff;border:0;padding:6px 12px;"
    "border-radius:4px;cursor:pointer}";

// Field of an object, or null when absent (const operator[] must not see a missing key).
const json& G(const json& o, const char* key) {
  static const json kNull;
  if (!o.is_object()) return kNull;
  auto it = o.find(key);
  return it == o.end() ? kNull : *it;
}

std::string E(const json& v) {
  if (v.is_string()) return XmlEscape(v.get<std::string>());
  if (v.is_null()) return "";
  return XmlEscape(v.dump());
}

std::string Page(const std::string& title, const std::string& body) {
  return absl::StrCat(
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
      "content=\"10\"><link rel=\"icon\" href=\"data:,\"><title>",
      XmlEscape(title), " - Skein</title><style>", kCss,
      "</style></head><body><header><b>Skein</b><a href=\"/cluster\">Cluster</a>"
      "<a href=\"/cluster/apps\">Applications</a><a href=\"/cluster/nodes\">Nodes</a>"
      "<a href=\"/cluster/scheduler\">Scheduler</a></header><main><h2>",
      XmlEscape(title), "</h2>", body, "</main></body></html>");
}

std::string Card(const std::string& key, const std::string& value) {
  return absl::StrCat("<div class=\"card\"><div class=\"v\">", value, "</div><div class=\"k\">",
                      XmlEscape(key), "</div></div>");
}

std::string Mb(const json& v) {
  int64_t mb = v.is_number() ? v.get<int64_t>() : 0;
  if (mb >= 1024 && mb % 1024 == 0) return absl::StrCat(mb / 1024, " GB");
  return absl::StrCat(mb, " MB");
}

// YARN's "Tracking UI" cell: ApplicationMaster / History linking to the app's tracking URL (the
// RM's /proxy/<id>/), or UNASSIGNED.
std::string TrackingLink(const json& app) {
  const json& url = G(app, "trackingUrl");
  const json& ui = G(app, "trackingUI");
  if (!url.is_string() || url.get<std::string>().empty() || !ui.is_string() || ui == "UNASSIGNED") {
    return "UNASSIGNED";
  }
  return absl::StrCat("<a class=\"tracking\" href=\"", XmlEscape(url.get<std::string>()), "\">",
                      XmlEscape(ui.get<std::string>()), "</a>");
}

std::string AppLink(const json& app, const std::string& user_name) {
  std::string q = user_name.empty() ? "" : "?user.name=" + XmlEscape(user_name);
  return absl::StrCat("<a href=\"/cluster/app/", E(G(app, "id")), q, "\">", E(G(app, "id")),
                      "</a>");
}

}  // namespace

namespace {

// Memory (green) and vcores (blue) utilization as polylines over the samples' time span.
std::string UtilizationChart(const std::vector<UtilizationSample>& h) {
  constexpr int kW = 600, kH = 120;
  std::string svg = absl::StrCat("<svg width=\"", kW, "\" height=\"", kH + 20,
                                 "\" style=\"background:#fff;border:1px solid #dde\" "
                                 "xmlns=\"http://www.w3.org/2000/svg\">");
  for (int pct : {25, 50, 75}) {
    int y = kH - pct * kH / 100;
    absl::StrAppend(&svg, "<line x1=\"0\" x2=\"", kW, "\" y1=\"", y, "\" y2=\"", y,
                    "\" stroke=\"#eee\"/><text x=\"2\" y=\"", y - 2,
                    "\" font-size=\"9\" fill=\"#999\">", pct, "%</text>");
  }
  if (h.size() >= 2) {
    int64_t t0 = h.front().time_ms;
    int64_t span = std::max<int64_t>(1, h.back().time_ms - t0);
    std::string mem, cpu;
    for (const auto& p : h) {
      double x = static_cast<double>(p.time_ms - t0) * kW / span;
      absl::StrAppend(&mem, x, ",", kH - std::clamp(p.memory_pct, 0.0, 100.0) * kH / 100, " ");
      absl::StrAppend(&cpu, x, ",", kH - std::clamp(p.vcores_pct, 0.0, 100.0) * kH / 100, " ");
    }
    absl::StrAppend(&svg, "<polyline fill=\"none\" stroke=\"#3c8d5a\" stroke-width=\"2\" points=\"",
                    mem,
                    "\"/><polyline fill=\"none\" stroke=\"#3466a8\" stroke-width=\"2\" "
                    "points=\"",
                    cpu, "\"/>");
  }
  absl::StrAppend(&svg, "<text x=\"4\" y=\"", kH + 15,
                  "\" font-size=\"11\" fill=\"#3c8d5a\">memory</text><text x=\"60\" y=\"", kH + 15,
                  "\" font-size=\"11\" fill=\"#3466a8\">vcores</text></svg>");
  return svg;
}

}  // namespace

std::string RenderClusterPage(const json& info, const json& m,
                              const std::vector<UtilizationSample>& history) {
  std::string apps = absl::StrCat(
      Card("Apps Submitted", E(G(m, "appsSubmitted"))),
      Card("Apps Pending", E(G(m, "appsPending"))), Card("Apps Running", E(G(m, "appsRunning"))),
      Card("Apps Completed", E(G(m, "appsCompleted"))), Card("Apps Failed", E(G(m, "appsFailed"))),
      Card("Apps Killed", E(G(m, "appsKilled"))));
  std::string res = absl::StrCat(Card("Containers Running", E(G(m, "containersAllocated"))),
                                 Card("Memory Used", Mb(G(m, "allocatedMB"))),
                                 Card("Memory Total", Mb(G(m, "totalMB"))),
                                 Card("VCores Used", E(G(m, "allocatedVirtualCores"))),
                                 Card("VCores Total", E(G(m, "totalVirtualCores"))));
  std::string nodes = absl::StrCat(Card("Active Nodes", E(G(m, "activeNodes"))),
                                   Card("Unhealthy Nodes", E(G(m, "unhealthyNodes"))),
                                   Card("Lost Nodes", E(G(m, "lostNodes"))),
                                   Card("Decommissioned Nodes", E(G(m, "decommissionedNodes"))),
                                   Card("Rebooted Nodes", E(G(m, "rebootedNodes"))),
                                   Card("Shutdown Nodes", E(G(m, "shutdownNodes"))));
  return Page(
      "Cluster Metrics",
      absl::StrCat("<h3>Applications</h3><div class=\"cards\">", apps,
                   "</div><h3>Resources</h3><div class=\"cards\">", res,
                   "</div><h3>Nodes</h3><div class=\"cards\">", nodes,
                   "</div><h3>Utilization, last hour</h3>", UtilizationChart(history),
                   "<p>Cluster id ", E(G(info, "id")), ", started on ", E(G(info, "startedOn")),
                   ", version ", E(G(info, "resourceManagerVersion")), "</p>"));
}

std::pair<int64_t, int64_t> AppsPageRange(int64_t total, const AppsPageQuery& q) {
  int64_t size = std::max(1, q.page_size);
  int64_t pages = std::max<int64_t>(1, (total + size - 1) / size);
  int64_t page = std::clamp<int64_t>(q.page, 1, pages);
  return {(page - 1) * size, std::min(total, page * size)};
}

std::string RenderAppsPage(const json& apps, int64_t total, const AppsPageQuery& q) {
  std::string body = "<p>State: ";
  for (const char* s : {"", "NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING", "FINISHED",
                        "FAILED", "KILLED"}) {
    std::string label = *s ? s : "ALL";
    if (q.state == s) {
      absl::StrAppend(&body, "<b>", label, "</b> ");
    } else {
      absl::StrAppend(&body, "<a href=\"/cluster/apps", *s ? "/" : "", s, "\">", label, "</a> ");
    }
  }
  std::string path = absl::StrCat("/cluster/apps", q.state.empty() ? "" : "/" + q.state);
  std::string user =
      q.user_name.empty() ? "" : "&amp;user.name=" + XmlEscape(UrlEncode(q.user_name));
  body += "</p><table><tr>";
  for (auto [label, key] : std::initializer_list<std::pair<const char*, const char*>>{
           {"ID", "id"},
           {"User", "user"},
           {"Name", "name"},
           {"Application Type", ""},
           {"Queue", "queue"},
           {"Priority", "priority"},
           {"StartTime", "startedTime"},
           {"FinishTime", "finishedTime"},
           {"State", "state"},
           {"FinalStatus", ""},
           {"Running Containers", ""},
           {"Allocated CPU VCores", ""},
           {"Allocated Memory MB", "allocatedMB"},
           {"Progress", ""},
           {"Tracking UI", ""}}) {
    if (*key == '\0') {
      absl::StrAppend(&body, "<th>", label, "</th>");
      continue;
    }
    bool current = q.sort == key || (q.sort.empty() && std::string(key) == "id");
    bool next_ascending = current && !q.ascending;
    absl::StrAppend(&body, "<th><a href=\"", path, "?sort=", key,
                    "&amp;order=", next_ascending ? "asc" : "desc", user, "\">", label,
                    current ? (q.ascending ? " &#9650;" : " &#9660;") : "", "</a></th>");
  }
  body += "</tr>";
  int64_t size = std::max(1, q.page_size);
  int64_t pages = std::max<int64_t>(1, (total + size - 1) / size);
  int64_t page = std::clamp<int64_t>(q.page, 1, pages);
  for (const json& a : apps) {
    absl::StrAppend(&body, "<tr><td>", AppLink(a, q.user_name), "</td><td>", E(G(a, "user")),
                    "</td><td>", E(G(a, "name")), "</td><td>", E(G(a, "applicationType")),
                    "</td><td>", E(G(a, "queue")), "</td><td>", E(G(a, "priority")), "</td><td>",
                    E(G(a, "startedTime")), "</td><td>", E(G(a, "finishedTime")),
                    "</td><td class=\"s-", E(G(a, "state")), "\">", E(G(a, "state")), "</td><td>",
                    E(G(a, "finalStatus")), "</td><td>", E(G(a, "runningContainers")), "</td><td>",
                    E(G(a, "allocatedVCores")), "</td><td>", E(G(a, "allocatedMB")), "</td><td>",
                    E(G(a, "progress")), "%</td><td>", TrackingLink(a), "</td></tr>");
  }
  body += "</table><p class=\"pager\">";
  absl::StrAppend(&body, total, " applications, page ", page, " of ", pages, " ");
  std::string order = q.sort.empty() ? ""
                                     : absl::StrCat("&amp;sort=", q.sort,
                                                    "&amp;order=", q.ascending ? "asc" : "desc");
  std::string base = absl::StrCat(path, "?page=");
  auto page_link = [&](int64_t n) { return absl::StrCat(base, n, order, user); };
  if (page > 1) absl::StrAppend(&body, "<a href=\"", page_link(page - 1), "\">&laquo; prev</a>");
  if (page < pages) {
    absl::StrAppend(&body, "<a href=\"", page_link(page + 1), "\">next &raquo;</a>");
  }
  body += "</p>";
  return Page(q.state.empty() ? "All Applications" : "Applications " + q.state, body);
}

std::string RenderAppPage(const json& app, const json& attempts, const std::string& user_name,
                          bool may_modify) {
  std::string body = "<table>";
  for (const char* k : {"id",
                        "user",
                        "name",
                        "applicationType",
                        "applicationTags",
                        "queue",
                        "priority",
                        "state",
                        "finalStatus",
                        "progress",
                        "startedTime",
                        "launchTime",
                        "finishedTime",
                        "elapsedTime",
                        "trackingUrl",
                        "diagnostics",
                        "amHostHttpAddress",
                        "amContainerLogs",
                        "allocatedMB",
                        "allocatedVCores",
                        "runningContainers",
                        "memorySeconds",
                        "vcoreSeconds"}) {
    absl::StrAppend(&body, "<tr><th>", k, "</th><td>",
                    std::string(k) == "trackingUrl" ? TrackingLink(app) : E(G(app, k)),
                    "</td></tr>");
  }
  body += "</table>";
  std::string state = G(app, "state").is_string() ? G(app, "state").get<std::string>() : "";
  if (may_modify && state != "FINISHED" && state != "FAILED" && state != "KILLED") {
    absl::StrAppend(&body, "<form method=\"post\" action=\"/cluster/app/", E(G(app, "id")),
                    "/kill\"><input type=\"hidden\" name=\"user.name\" value=\"",
                    XmlEscape(user_name),
                    "\"><p><button type=\"submit\">Kill Application"
                    "</button></p></form>");
  }
  body +=
      "<h3>Application Attempts</h3><table><tr><th>Attempt ID</th><th>Started</th>"
      "<th>Node</th><th>Logs</th><th>State</th></tr>";
  for (const json& a : attempts) {
    absl::StrAppend(&body, "<tr><td>", E(G(a, "appAttemptId")), "</td><td>", E(G(a, "startTime")),
                    "</td><td>", E(G(a, "nodeHttpAddress")), "</td><td>");
    if (G(a, "logsLink").is_string() && !G(a, "logsLink").get<std::string>().empty()) {
      absl::StrAppend(&body, "<a href=\"", E(G(a, "logsLink")), "\">Logs</a>");
    }
    absl::StrAppend(&body, "</td><td>", E(G(a, "appAttemptState")), "</td></tr>");
  }
  body += "</table>";
  return Page("Application " + (G(app, "id").is_string() ? G(app, "id").get<std::string>() : ""),
              body);
}

std::string RenderNodesPage(const json& nodes) {
  std::string body =
      "<table><tr><th>Node Labels</th><th>Rack</th><th>Node State</th><th>Node Address</th>"
      "<th>Node HTTP Address</th><th>Last health-update</th><th>Health-report</th>"
      "<th>Containers</th><th>Mem Used</th><th>Mem Avail</th><th>VCores Used</th>"
      "<th>VCores Avail</th><th>Version</th></tr>";
  for (const json& n : nodes) {
    absl::StrAppend(&body, "<tr><td></td><td>", E(G(n, "rack")), "</td><td>", E(G(n, "state")),
                    "</td><td>", E(G(n, "id")), "</td><td><a href=\"http://",
                    E(G(n, "nodeHTTPAddress")), "\">", E(G(n, "nodeHTTPAddress")), "</a></td><td>",
                    E(G(n, "lastHealthUpdate")), "</td><td>", E(G(n, "healthReport")), "</td><td>",
                    E(G(n, "numContainers")), "</td><td>", Mb(G(n, "usedMemoryMB")), "</td><td>",
                    Mb(G(n, "availMemoryMB")), "</td><td>", E(G(n, "usedVirtualCores")),
                    "</td><td>", E(G(n, "availableVirtualCores")), "</td><td>", E(G(n, "version")),
                    "</td></tr>");
  }
  body += "</table>";
  return Page("Nodes of the cluster", body);
}

namespace {

double Num(const json& v) { return v.is_number() ? v.get<double>() : 0.0; }

// One queue row: guaranteed (line), maximum (light) and used (green) as % of the cluster.
void QueueRow(const json& q, int depth, std::string& out) {
  double guaranteed = Num(G(q, "absoluteCapacity"));
  double maximum = Num(G(q, "absoluteMaxCapacity"));
  double used = Num(G(q, "absoluteUsedCapacity"));
  auto pct = [](double v) { return absl::StrCat(std::clamp(v, 0.0, 100.0), "%"); };
  absl::StrAppend(
      &out, "<tr><td style=\"padding-left:", 8 + depth * 18, "px\">", E(G(q, "queueName")),
      "</td><td><div class=\"bar\"><div class=\"m\" style=\"width:", pct(maximum),
      "\"></div><div class=\"u\" style=\"width:", pct(used),
      "\"></div><div class=\"g\" style=\"width:", pct(guaranteed), "\"></div></div></td><td>",
      guaranteed, "%</td><td>", used, "%</td><td>", maximum, "%</td><td>",
      E(G(q, "numApplications")), "</td><td>", E(G(q, "usedResources")), "</td></tr>");
  if (q.contains("queues") && G(q, "queues").contains("queue")) {
    for (const json& c : G(q, "queues")["queue"]) QueueRow(c, depth + 1, out);
  }
}

// A Fair queue as the rows draw it: fair share as "guaranteed", shares of the cluster's memory.
json FairAsCapacityRow(const json& q) {
  double cluster = Num(G(G(q, "clusterResources"), "memory"));
  auto share = [&](const char* key) {
    return cluster > 0 ? 100.0 * Num(G(G(q, key), "memory")) / cluster : 0.0;
  };
  json row = {
      {"queueName", G(q, "queueName")},
      {"absoluteCapacity", share("fairResources")},
      {"absoluteMaxCapacity", share("maxResources")},
      {"absoluteUsedCapacity", share("usedResources")},
      {"numApplications", Num(G(q, "numActiveApps")) + Num(G(q, "numPendingApps"))},
      {"usedResources", absl::StrCat("<memory:", E(G(G(q, "usedResources"), "memory")),
                                     ", vCores:", E(G(G(q, "usedResources"), "vCores")), ">")}};
  if (G(q, "childQueues").contains("queue")) {
    json children = json::array();
    for (const json& c : G(q, "childQueues")["queue"]) children.push_back(FairAsCapacityRow(c));
    row["queues"] = {{"queue", children}};
  }
  return row;
}

}  // namespace

std::string RenderSchedulerPage(const json& s) {
  std::string body;
  std::string type = G(s, "type").is_string() ? G(s, "type").get<std::string>() : "";
  body +=
      "<table><tr><th>Queue</th><th>Capacity (guaranteed | used | max)</th>"
      "<th>Guaranteed</th><th>Used</th><th>Maximum</th><th>Apps</th><th>Used Resources</th>"
      "</tr>";
  if (type == "fifoScheduler") {
    json q = {{"queueName", "default"},
              {"absoluteCapacity", 100.0},
              {"absoluteMaxCapacity", 100.0},
              {"absoluteUsedCapacity", Num(G(s, "usedCapacity")) * 100.0},
              {"numApplications", ""},
              {"usedResources", absl::StrCat("<memory:", E(G(s, "usedNodeCapacity")), ">")}};
    QueueRow(q, 0, body);
  } else if (type == "fairScheduler") {
    QueueRow(FairAsCapacityRow(G(s, "rootQueue")), 0, body);
  } else {
    json root = {
        {"queueName", G(s, "queueName")}, {"absoluteCapacity", 100.0},
        {"absoluteMaxCapacity", 100.0},   {"absoluteUsedCapacity", Num(G(s, "usedCapacity"))},
        {"numApplications", ""},          {"usedResources", ""},
        {"queues", G(s, "queues")}};
    QueueRow(root, 0, body);
  }
  body += "</table><p>Scheduler type: " + XmlEscape(type) + "</p>";
  return Page("Scheduler", body);
}

std::string RenderErrorPage(int status, const std::string& message) {
  return Page(absl::StrCat("Error ", status), "<p>" + XmlEscape(message) + "</p>");
}

}  // namespace skein::web
