#include "nodemanager/web/nm_log_pages.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/web/xml.h"
#include "nodemanager/logaggregation/log_format.h"

namespace skein::nm::web {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr char kStyle[] =
    "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
    "pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}</style>";

std::string Page(const std::string& title, const std::string& body) {
  return absl::StrCat("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>",
                      HtmlEscape(title), "</title>", kStyle, "</head><body><h1>", HtmlEscape(title),
                      "</h1>", body, "</body></html>");
}

}  // namespace

std::string HtmlEscape(const std::string& text) { return skein::web::XmlEscape(text); }

bool SafeLogFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

std::string FindContainerLogDir(const NmWebSnapshot& s, const ContainerId& id) {
  std::error_code ec;
  auto known = s.container_log_dirs.find(id.ToString());
  if (known != s.container_log_dirs.end() && fs::is_directory(known->second, ec)) {
    return known->second;
  }
  for (const std::string& d : s.log_dirs) {
    fs::path p = fs::path(d) / id.application_id().ToString() / id.ToString();
    if (fs::is_directory(p, ec)) return p.string();
  }
  return "";
}

std::vector<LogFileInfo> ListLogFiles(const std::string& dir) {
  std::vector<LogFileInfo> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    out.push_back(
        LogFileInfo{it->path().filename().string(), static_cast<int64_t>(st.st_size),
                    static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000});
  }
  std::sort(out.begin(), out.end(),
            [](const LogFileInfo& a, const LogFileInfo& b) { return a.name < b.name; });
  return out;
}

bool ContainerRunning(const NmWebSnapshot& s, const ContainerId& id) {
  for (const auto& c : s.containers) {
    if (ContainerId::FromProto(c.container_id()) == id) return c.state() != proto::C_COMPLETE;
  }
  return false;
}

json ContainerLogsInfoJson(const NmWebSnapshot& s, const ContainerId& id,
                           const std::vector<LogFileInfo>& files) {
  json list = json::array();
  for (const LogFileInfo& f : files) {
    // Hadoop prints the size as a string and the time in its Times.format layout.
    list.push_back({{"fileName", f.name},
                    {"fileSize", std::to_string(f.size)},
                    {"lastModifiedTime", logs::FormatLogTime(f.last_modified_ms)}});
  }
  return {{"containerLogsInfo",
           {{"containerLogInfo", list},
            {"logAggregationType", "LOCAL"},
            {"containerId", id.ToString()},
            {"nodeId", s.node_id.ToString()}}}};
}

std::string ContainerLogListPage(const NmWebSnapshot& s, const ContainerId& id,
                                 const std::string& user, const std::vector<LogFileInfo>& files) {
  std::string rows;
  for (const LogFileInfo& f : files) {
    std::string href = absl::StrCat("/node/containerlogs/", id.ToString(), "/", user, "/", f.name);
    absl::StrAppend(&rows, "<tr><td><a href=\"", HtmlEscape(href), "\">", HtmlEscape(f.name),
                    "</a></td><td>", f.size, "</td><td>",
                    HtmlEscape(logs::FormatLogTime(f.last_modified_ms)), "</td></tr>");
  }
  std::string body = absl::StrCat(
      "<p>Node ", HtmlEscape(s.node_id.ToString()), ", user ", HtmlEscape(user), "</p>",
      "<table><tr><th>Log file</th><th>Bytes</th><th>Last modified</th></tr>", rows, "</table>");
  return Page(absl::StrCat("Logs for ", id.ToString()), body);
}

std::string ContainerLogFilePage(const ContainerId& id, const std::string& file,
                                 const std::string& contents, int64_t full_length) {
  std::string note;
  if (static_cast<int64_t>(contents.size()) < full_length) {
    note = absl::StrCat("<p>Showing ", contents.size(), " of ", full_length, " bytes.</p>");
  }
  return Page(absl::StrCat(id.ToString(), " : ", file),
              absl::StrCat(note, "<pre>", HtmlEscape(contents), "</pre>"));
}

std::string ContainerPage(const NmWebSnapshot& s, const proto::ContainerStatusProto& c,
                          const std::string& user) {
  const std::string id = ContainerId::FromProto(c.container_id()).ToString();
  const std::string logs = absl::StrCat("/node/containerlogs/", id, "/", user);
  std::string body = absl::StrCat(
      "<table><tr><th>ContainerID</th><td>", HtmlEscape(id),
      "</td></tr><tr><th>ContainerState</th><td>", HtmlEscape(c.nm_state()),
      "</td></tr><tr><th>ExitStatus</th><td>",
      c.state() == proto::C_COMPLETE ? c.exit_status() : -1000, "</td></tr><tr><th>User</th><td>",
      HtmlEscape(user), "</td></tr><tr><th>TotalMemoryNeeded</th><td>", c.capability().memory_mb(),
      "</td></tr><tr><th>TotalVCoresNeeded</th><td>", c.capability().virtual_cores(),
      "</td></tr><tr><th>Diagnostics</th><td><pre>", HtmlEscape(c.diagnostics()),
      "</pre></td></tr><tr><th>logs</th><td><a href=\"", HtmlEscape(logs),
      "\">Link to logs</a></td></tr></table>");
  return Page(absl::StrCat("Container ", id, " on ", s.node_id.ToString()), body);
}

}  // namespace skein::nm::web
