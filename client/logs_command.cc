// `yarn logs`: Hadoop 3's LogsCLI, reduced. Finished applications are read from the aggregated
// files under yarn.nodemanager.remote-app-log-dir (the client reads the same configuration as the
// NodeManagers); running ones from the NodeManagers' web services, finding the containers
// through the ResourceManager's REST API (/ws/v1/cluster/apps/{id}/appattempts and
// .../appattempts/{attempt}/containers). Output is YARN's layout (log_format.h).
#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/commands.h"
#include "client/options.h"
#include "client/rm_client.h"
#include "common/ids.h"
#include "common/rpc.h"
#include "nlohmann/json.hpp"
#include "nodemanager/logaggregation/aggregated_log_file.h"
#include "nodemanager/logaggregation/log_aggregation_service.h"
#include "nodemanager/logaggregation/log_format.h"

namespace skein::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr char kLogsUsage[] =
    "Retrieve logs for YARN applications.\n"
    "usage: yarn logs -applicationId <application ID> [OPTIONS]\n"
    "\n"
    "general options are:\n"
    " -am <AM Containers>             Prints the AM Container logs for this\n"
    "                                 application. Specify comma-separated\n"
    "                                 value to get logs for related AM\n"
    "                                 Container. For example, If we specify -am\n"
    "                                 1,2, we will get the logs for the first\n"
    "                                 AM Container as well as the second AM\n"
    "                                 Container. To get logs for all AM\n"
    "                                 Containers, use -am ALL. To get logs for\n"
    "                                 the latest AM Container, use -am -1.\n"
    " -applicationId <Application ID> Specifies an application id\n"
    " -appOwner <Application Owner>   AppOwner (assumed to be current user if\n"
    "                                 not specified)\n"
    " -containerId <Container ID>     ContainerId. By default, it will print\n"
    "                                 all available logs.\n"
    " -help                           Displays help for all commands.\n"
    " -log_files <Log File Name>      Specify comma-separated value to get\n"
    "                                 exact matched log files. Use \"ALL\" or\n"
    "                                 \"*\" to fetch all the log files for the\n"
    "                                 container.\n"
    " -log_files_pattern <Log File Pattern>\n"
    "                                 Specify comma-separated value to get\n"
    "                                 matched log files by using java regex.\n"
    " -nodeAddress <Node Address>     NodeAddress in the format nodename:port\n"
    " -size <size>                    Prints the log file's first 'n' bytes or\n"
    "                                 the last 'n' bytes. Use negative values\n"
    "                                 as bytes to read from the end and\n"
    "                                 positive values as bytes to read from the\n"
    "                                 beginning.\n";

constexpr int kAllAttempts = 0;
constexpr int kLatestAttempt = -1;

struct LogsRequest {
  ApplicationId app;
  std::optional<ContainerId> container;
  std::set<std::string> files;  // empty: all
  std::vector<std::regex> patterns;
  std::string patterns_text;
  bool am_only = false;
  std::vector<int> am;  // attempt numbers, kLatestAttempt, or kAllAttempts
  int64_t size = logs::kWholeFile;
  std::string node_address;  // host:port or ""
  std::string owner;
};

bool FileWanted(const LogsRequest& r, const std::string& name) {
  if (!r.patterns.empty()) {
    for (const std::regex& re : r.patterns) {
      if (std::regex_search(name, re)) return true;
    }
    return false;
  }
  return r.files.empty() || r.files.count(name) > 0;
}

// Whether `id` is an AM container the request asks for (-am); `latest` is the highest attempt.
bool AmWanted(const LogsRequest& r, const ContainerId& id, int latest) {
  if (!r.am_only) return true;
  if (id.sequence() != 1) return false;  // the AM is each attempt's first container
  const int attempt = id.application_attempt_id().attempt_id();
  for (int a : r.am) {
    if (a == kAllAttempts || a == attempt || (a == kLatestAttempt && attempt == latest)) {
      return true;
    }
  }
  return false;
}

std::string NotFoundMessage(const LogsRequest& r) {
  return absl::StrCat("Can not find the logs for the application: ", r.app.ToString(),
                      " with the appOwner: ", r.owner);
}

// Finished applications: the aggregated files of every node.
int PrintAggregated(const LogsRequest& r, const logs::LogAggregationOptions& agg, CliContext& ctx) {
  const std::string dir = logs::RemoteAppLogDir(agg.remote_root, r.owner, agg.suffix, r.app);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    ctx.err << NotFoundMessage(r) << "\n";
    return kExitMinusOne;
  }
  std::vector<fs::path> nodes;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!it->is_regular_file(ec) || name.find(".tmp.") != std::string::npos) continue;
    nodes.push_back(it->path());
  }
  std::sort(nodes.begin(), nodes.end());
  std::string node_filter;
  if (!r.node_address.empty()) {
    absl::StatusOr<NodeId> n = NodeId::Parse(r.node_address);
    if (n.ok()) node_filter = logs::NodeFileName(*n);
  }
  struct Item {
    std::string node;
    logs::ContainerLogs logs;
  };
  std::vector<Item> items;
  int latest = 0;
  for (const fs::path& p : nodes) {
    const std::string node = p.filename().string();
    if (!node_filter.empty() && node != node_filter) continue;
    absl::StatusOr<std::vector<logs::ContainerLogs>> file = logs::ReadAggregatedLogFile(p);
    if (!file.ok()) {
      ctx.err << file.status().message() << "\n";
      continue;
    }
    for (logs::ContainerLogs& c : *file) {
      absl::StatusOr<ContainerId> id = ContainerId::Parse(c.container_id);
      if (!id.ok()) continue;
      if (id->sequence() == 1) latest = std::max(latest, id->application_attempt_id().attempt_id());
      items.push_back(Item{node, std::move(c)});
    }
  }
  bool printed = false;
  bool container_seen = false;
  for (const Item& item : items) {
    ContainerId id = *ContainerId::Parse(item.logs.container_id);
    if (r.container.has_value() && id != *r.container) continue;
    container_seen = true;
    if (!AmWanted(r, id, latest)) continue;
    for (const logs::LogFile& f : item.logs.files) {
      if (!FileWanted(r, f.name)) continue;
      ctx.out << logs::FormatContainerLog(item.logs.container_id, item.node, f.name, f.contents,
                                          f.last_modified_ms, r.size,
                                          logs::LogAggregationType::kAggregated, false);
      printed = true;
    }
  }
  if (printed) return 0;
  if (r.container.has_value() && !container_seen) {
    ctx.err << "Can not find the container:" << r.container->ToString()
            << " in the aggregated logs of " << r.app.ToString() << "\n";
  } else if (!r.files.empty() || !r.patterns.empty()) {
    ctx.err << "Can not find any log file matching the pattern: ["
            << (r.patterns.empty() ? absl::StrJoin(r.files, ",") : r.patterns_text)
            << "] for the application: " << r.app.ToString() << "\n";
  } else {
    ctx.err << NotFoundMessage(r) << "\n";
  }
  return kExitMinusOne;
}

// "host:port" from "http://host:port" or "host:port".
std::string StripScheme(const std::string& url) {
  constexpr absl::string_view kHttp = "http://";
  return absl::string_view(url).substr(0, kHttp.size()) == kHttp ? url.substr(kHttp.size()) : url;
}

absl::StatusOr<json> GetJson(const std::string& host_port, const std::string& path) {
  size_t colon = host_port.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(host_port.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(absl::StrCat("bad HTTP address '", host_port, "'"));
  }
  httplib::Client http(host_port.substr(0, colon), port);
  http.set_connection_timeout(5, 0);
  http.set_read_timeout(30, 0);
  auto res = http.Get(path.c_str(), {{"Accept", "application/json"}});
  if (!res) {
    return absl::UnavailableError(absl::StrCat("cannot reach http://", host_port, path));
  }
  if (res->status != 200) {
    return absl::NotFoundError(
        absl::StrCat("http://", host_port, path, " answered ", res->status, ": ", res->body));
  }
  json doc = json::parse(res->body, nullptr, false);
  if (doc.is_discarded()) {
    return absl::DataLossError(absl::StrCat("http://", host_port, path, ": not JSON"));
  }
  return doc;
}

struct RunningContainer {
  std::string id;
  std::string node_http;  // host:port
};

// JSON lists are an object when they hold one element in some Hadoop versions; accept both.
std::vector<json> Items(const json& j) {
  if (j.is_array()) return std::vector<json>(j.begin(), j.end());
  if (j.is_object()) return {j};
  return {};
}

// Running applications: containers from the RM's REST API, logs from their NodeManagers.
int PrintRunning(const LogsRequest& r, CliContext& ctx) {
  const std::string rm_web =
      ConnectAddress(ctx.conf.Get("yarn.resourcemanager.webapp.address", "0.0.0.0:8088"));
  const std::string app_path = absl::StrCat("/ws/v1/cluster/apps/", r.app.ToString());
  absl::StatusOr<json> attempts = GetJson(rm_web, app_path + "/appattempts");
  if (!attempts.ok()) {
    ctx.err << "Unable to get the containers of " << r.app.ToString()
            << " from the ResourceManager: " << attempts.status().message() << "\n";
    return kExitMinusOne;
  }
  std::vector<RunningContainer> containers;
  std::set<std::string> seen;
  int latest = 0;
  std::vector<json> list = Items((*attempts)["appAttempts"]["appAttempt"]);
  for (const json& a : list) latest = std::max(latest, a.value("id", 0));
  for (const json& a : list) {
    const std::string attempt_id = a.value("appAttemptId", "");
    absl::StatusOr<json> cs =
        GetJson(rm_web, absl::StrCat(app_path, "/appattempts/", attempt_id, "/containers"));
    std::vector<json> found;
    if (cs.ok()) found = Items((*cs)["containers"]["container"]);
    // The AM container is listed with its attempt even when the containers call has nothing.
    if (!a.value("containerId", "").empty()) {
      found.push_back({{"containerId", a.value("containerId", "")},
                       {"nodeHttpAddress", a.value("nodeHttpAddress", "")},
                       {"nodeId", a.value("nodeId", "")}});
    }
    for (const json& c : found) {
      RunningContainer rc{c.value("containerId", ""), StripScheme(c.value("nodeHttpAddress", ""))};
      absl::StatusOr<ContainerId> id = ContainerId::Parse(rc.id);
      if (!id.ok() || rc.node_http.empty() || !seen.insert(rc.id).second) continue;
      if (r.container.has_value() && *id != *r.container) continue;
      if (!r.node_address.empty() && c.value("nodeId", "") != r.node_address) continue;
      if (!AmWanted(r, *id, latest)) continue;
      containers.push_back(rc);
    }
  }
  std::sort(containers.begin(), containers.end(),
            [](const RunningContainer& a, const RunningContainer& b) { return a.id < b.id; });
  bool printed = false;
  for (const RunningContainer& c : containers) {
    absl::StatusOr<json> info =
        GetJson(c.node_http, absl::StrCat("/ws/v1/node/containers/", c.id, "/logs"));
    if (!info.ok()) {
      ctx.err << "Can not get the logs for the container: " << c.id << " from the NodeManager "
              << c.node_http << ": " << info.status().message() << "\n";
      continue;
    }
    for (const json& f : Items((*info)["containerLogsInfo"]["containerLogInfo"])) {
      const std::string name = f.value("fileName", "");
      if (name.empty() || !FileWanted(r, name)) continue;
      size_t colon = c.node_http.rfind(':');
      httplib::Client http(c.node_http.substr(0, colon), std::stoi(c.node_http.substr(colon + 1)));
      http.set_connection_timeout(5, 0);
      http.set_read_timeout(30, 0);
      std::string path = absl::StrCat("/ws/v1/node/containerlogs/", c.id, "/", name);
      if (r.size != logs::kWholeFile) absl::StrAppend(&path, "?size=", r.size);
      auto res = http.Get(path.c_str());
      if (!res || res->status != 200) {
        ctx.err << "Can not find the log file:" << name << " for the container:" << c.id
                << " in NodeManager:" << c.node_http << "\n";
        continue;
      }
      ctx.out << res->body;
      printed = true;
    }
  }
  if (printed) return 0;
  ctx.err << NotFoundMessage(r) << "\n";
  return kExitMinusOne;
}

absl::StatusOr<LogsRequest> ParseRequest(const ParsedOptions& o) {
  LogsRequest r;
  if (o.Has("containerId")) {
    absl::StatusOr<ContainerId> c = ContainerId::Parse(o.Value("containerId"));
    if (!c.ok()) return absl::InvalidArgumentError("Invalid ContainerId specified");
    r.container = *c;
  }
  if (o.Has("applicationId")) {
    absl::StatusOr<ApplicationId> a = ApplicationId::Parse(o.Value("applicationId"));
    if (!a.ok()) return absl::InvalidArgumentError("Invalid ApplicationId specified");
    r.app = *a;
    if (r.container.has_value() && r.container->application_id() != r.app) {
      return absl::InvalidArgumentError(
          absl::StrCat("The Application:", r.app.ToString(),
                       " does not have the container:", r.container->ToString()));
    }
  } else if (r.container.has_value()) {
    r.app = r.container->application_id();
  } else {
    return absl::InvalidArgumentError("ApplicationId cannot be null!");
  }
  if (o.Has("log_files")) {
    for (const std::string& f : o.values.at("log_files")) {
      if (f == "ALL" || f == "*") {
        r.files.clear();
        break;
      }
      r.files.insert(f);
    }
  }
  if (o.Has("log_files_pattern")) {
    r.files.clear();
    std::vector<std::string> texts;
    for (const std::string& p : o.values.at("log_files_pattern")) {
      try {
        r.patterns.emplace_back(p);
      } catch (const std::regex_error& e) {
        return absl::InvalidArgumentError(
            absl::StrCat("Invalid -log_files_pattern '", p, "': ", e.what()));
      }
      texts.push_back(p);
    }
    r.patterns_text = absl::StrJoin(texts, ",");
  }
  if (o.Has("am")) {
    r.am_only = true;
    for (absl::string_view part : absl::StrSplit(o.Value("am"), ',')) {
      const std::string v(part);
      int n = 0;
      if (v == "ALL") {
        n = kAllAttempts;
      } else if (!absl::SimpleAtoi(v, &n) || n == 0 || n < kLatestAttempt) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Invalid input for option -am. Valid inputs are 'ALL', -1 and any other integer "
            "which is larger than 0, got '",
            v, "'"));
      }
      r.am.push_back(n);
    }
  }
  if (o.Has("size") && !absl::SimpleAtoi(o.Value("size"), &r.size)) {
    return absl::InvalidArgumentError(
        absl::StrCat("The value of -size must be a number of bytes, got '", o.Value("size"), "'"));
  }
  if (o.Has("nodeAddress")) {
    r.node_address = o.Value("nodeAddress");
    if (!NodeId::Parse(r.node_address).ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid -nodeAddress '", r.node_address, "': expected nodename:port"));
    }
  }
  r.owner = o.Has("appOwner") ? o.Value("appOwner") : "";
  return r;
}

}  // namespace

int RunLogsCommand(const std::vector<std::string>& args, CliContext& ctx) {
  const std::map<std::string, Arity> spec = {{"applicationId", Arity::kOne},
                                             {"containerId", Arity::kOne},
                                             {"log_files", Arity::kMany},
                                             {"log_files_pattern", Arity::kMany},
                                             {"am", Arity::kOne},
                                             {"size", Arity::kOne},
                                             {"nodeAddress", Arity::kOne},
                                             {"appOwner", Arity::kOne},
                                             {"help", Arity::kNone}};
  absl::StatusOr<ParsedOptions> o = ParseOptions(args, spec);
  if (!o.ok()) {
    ctx.err << o.status().message() << "\n" << kLogsUsage;
    return kExitMinusOne;
  }
  if (o->Has("help") || args.empty()) {
    (o->Has("help") ? ctx.out : ctx.err) << kLogsUsage;
    return o->Has("help") ? 0 : kExitMinusOne;
  }
  absl::StatusOr<LogsRequest> r = ParseRequest(*o);
  if (!r.ok()) {
    ctx.err << r.status().message() << "\n";
    return kExitMinusOne;
  }
  absl::StatusOr<logs::LogAggregationOptions> agg = logs::ParseLogAggregationOptions(ctx.conf);
  if (!agg.ok()) {
    ctx.err << agg.status().message() << "\n";
    return kExitMinusOne;
  }
  // As LogsCLI: any failure to learn the application's state falls back to the aggregated logs.
  bool running = false;
  std::string report_user;
  absl::StatusOr<std::unique_ptr<RMClient>> rm = RMClient::Create(ctx.conf);
  absl::StatusOr<proto::ApplicationReportProto> report =
      rm.ok() ? (*rm)->GetApplicationReport(r->app.ToProto())
              : absl::StatusOr<proto::ApplicationReportProto>(rm.status());
  if (report.ok()) {
    report_user = report->user();
    switch (report->yarn_application_state()) {
      case proto::FINISHED:
      case proto::FAILED:
      case proto::KILLED:
        break;
      default:
        running = true;
    }
  } else {
    ctx.err << "Unable to get ApplicationState. Attempting to fetch logs directly from the "
               "filesystem.\n";
  }
  if (r->owner.empty()) r->owner = report_user.empty() ? CurrentUser() : report_user;
  if (running) {
    if (report->yarn_application_state() == proto::NEW ||
        report->yarn_application_state() == proto::NEW_SAVING ||
        report->yarn_application_state() == proto::SUBMITTED) {
      ctx.err << "Logs are not available right now.\n";
      return kExitMinusOne;
    }
    return PrintRunning(*r, ctx);
  }
  return PrintAggregated(*r, *agg, ctx);
}

}  // namespace skein::cli
