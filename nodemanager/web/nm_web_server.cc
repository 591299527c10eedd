#include "nodemanager/web/nm_web_server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/rpc_metrics.h"
#include "common/web/http_listen.h"
#include "common/web/jmx.h"
#include "common/web/raw_query.h"
#include "common/web/xml.h"
#include "nlohmann/json.hpp"
#include "nodemanager/logaggregation/log_format.h"
#include "nodemanager/web/nm_log_pages.h"

namespace skein::nm::web {
namespace {

using json = nlohmann::ordered_json;

constexpr char kVersion[] = "3.3.6-skein-0.1";
constexpr char kBuiltOn[] = "2026-01-01T00:00Z";

void Send(const httplib::Request& req, httplib::Response& res, int status, const json& doc) {
  res.status = status;
  skein::web::RenderedDocument out =
      skein::web::RenderDocument(doc, req.get_header_value("Accept"));
  res.set_content(out.body, out.content_type);
}

void SendError(const httplib::Request& req, httplib::Response& res, int status,
               const std::string& exception, const std::string& java_class,
               const std::string& message) {
  Send(req, res, status, skein::web::RemoteException(exception, java_class, message));
}

void NotFound(const httplib::Request& req, httplib::Response& res, const std::string& message) {
  SendError(req, res, 404, "NotFoundException", "org.apache.hadoop.yarn.webapp.NotFoundException",
            message);
}

void BadRequest(const httplib::Request& req, httplib::Response& res, const std::string& message) {
  SendError(req, res, 400, "BadRequestException",
            "org.apache.hadoop.yarn.webapp.BadRequestException", message);
}

bool Completed(const proto::ContainerStatusProto& c) { return c.state() == proto::C_COMPLETE; }

std::string NmState(const proto::ContainerStatusProto& c) {
  if (!c.nm_state().empty()) return c.nm_state();
  return Completed(c) ? "DONE" : "RUNNING";
}

std::string UserOf(const NmWebSnapshot& s, const std::string& cid) {
  auto it = s.container_users.find(cid);
  return it == s.container_users.end() ? "" : it->second;
}

std::string HttpAddress(const NmWebSnapshot& s, int port) {
  return absl::StrCat(s.node_id.host(), ":", port);
}

json ContainerJson(const NmWebSnapshot& s, const proto::ContainerStatusProto& c, int port) {
  std::string id = ContainerId::FromProto(c.container_id()).ToString();
  std::string user = UserOf(s, id);
  return {{"id", id},
          {"state", NmState(c)},
          {"exitCode", Completed(c) ? c.exit_status() : -1000},
          {"diagnostics", c.diagnostics()},
          {"user", user},
          {"totalMemoryNeededMB", c.capability().memory_mb()},
          {"totalVCoresNeeded", c.capability().virtual_cores()},
          {"containerLogsLink",
           absl::StrCat("http://", HttpAddress(s, port), "/node/containerlogs/", id, "/", user)},
          {"nodeId", s.node_id.ToString()}};
}

struct NmApp {
  std::string user;
  bool running = false;
  std::vector<std::string> containers;
};

std::map<std::string, NmApp> AppsOf(const NmWebSnapshot& s) {
  std::map<std::string, NmApp> apps;
  for (const auto& c : s.containers) {
    ContainerId cid = ContainerId::FromProto(c.container_id());
    NmApp& app = apps[cid.application_id().ToString()];
    app.containers.push_back(cid.ToString());
    if (app.user.empty()) app.user = UserOf(s, cid.ToString());
    app.running = app.running || !Completed(c);
  }
  return apps;
}

json AppJson(const std::string& id, const NmApp& app) {
  return {{"id", id},
          {"state", app.running ? "RUNNING" : "FINISHED"},
          {"user", app.user},
          {"containerids", app.containers}};
}

void AddAggregationStatus(const NmWebSnapshot& s, const std::string& id, json* app) {
  auto it = s.log_aggregation_status.find(id);
  if (it != s.log_aggregation_status.end()) (*app)["logAggregationStatus"] = it->second;
}

// Container log pages (nm_log_pages.h).
const std::regex kLogsInfo("/ws/v1/node/containers/([^/]+)/logs");
const std::regex kLogFileRest(
    "/ws/v1/node/(?:containerlogs/([^/]+)|containers/([^/]+)/logs)/([^/]+)");
const std::regex kLogListHtml("/node/containerlogs/([^/]+)/([^/]+)");
const std::regex kLogFileHtml("/node/containerlogs/([^/]+)/([^/]+)/([^/]+)");
const std::regex kContainerHtml("/node/container/([^/]+)");

bool IsLogPath(const std::string& p) {
  return std::regex_match(p, kLogsInfo) || std::regex_match(p, kLogFileRest) ||
         std::regex_match(p, kLogListHtml) || std::regex_match(p, kLogFileHtml) ||
         std::regex_match(p, kContainerHtml);
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Serves the log pages; false when `p` is not one of them.
bool ServeLogPage(const httplib::Request& req, httplib::Response& res, const NmWebSnapshot& s) {
  const std::string& p = req.path;
  std::smatch m;
  std::string cid_text, user, file;
  bool html = false, info = false, container_page = false;
  if (std::regex_match(p, m, kLogsInfo)) {
    cid_text = m[1];
    info = true;
  } else if (std::regex_match(p, m, kLogFileRest)) {
    cid_text = m[1].matched ? m[1] : m[2];
    file = m[3];
  } else if (std::regex_match(p, m, kLogFileHtml)) {
    cid_text = m[1];
    user = m[2];
    file = m[3];
    html = true;
  } else if (std::regex_match(p, m, kLogListHtml)) {
    cid_text = m[1];
    user = m[2];
    html = true;
  } else if (std::regex_match(p, m, kContainerHtml)) {
    cid_text = m[1];
    container_page = true;
  } else {
    return false;
  }
  absl::StatusOr<ContainerId> cid = ContainerId::Parse(cid_text);
  if (!cid.ok()) {
    BadRequest(req, res, "invalid container id, " + cid_text);
    return true;
  }
  if (container_page) {
    for (const auto& c : s.containers) {
      if (ContainerId::FromProto(c.container_id()) == *cid) {
        res.set_content(ContainerPage(s, c, UserOf(s, cid_text)), "text/html; charset=utf-8");
        return true;
      }
    }
    NotFound(req, res, "container with id, " + cid_text + ", not found");
    return true;
  }
  const std::string dir = FindContainerLogDir(s, *cid);
  if (dir.empty()) {
    NotFound(req, res, kUnknownContainerLogs);
    return true;
  }
  if (file.empty()) {
    std::vector<LogFileInfo> files = ListLogFiles(dir);
    if (info) {
      Send(req, res, 200, ContainerLogsInfoJson(s, *cid, files));
    } else {
      res.set_content(ContainerLogListPage(s, *cid, user, files), "text/html; charset=utf-8");
    }
    return true;
  }
  std::string contents;
  if (!SafeLogFileName(file) || !ReadFile(dir + "/" + file, &contents)) {
    NotFound(req, res,
             absl::StrCat("Cannot find this log on the local disk: ", file, " of ", cid_text));
    return true;
  }
  int64_t size = logs::kWholeFile;
  if (const std::string v = req.get_param_value("size"); !v.empty()) {
    if (!absl::SimpleAtoi(v, &size)) {
      BadRequest(req, res, absl::StrCat("size must be a number of bytes, got '", v, "'"));
      return true;
    }
  }
  int64_t mtime = 0;
  for (const LogFileInfo& f : ListLogFiles(dir)) {
    if (f.name == file) mtime = f.last_modified_ms;
  }
  if (html) {
    res.set_content(
        ContainerLogFilePage(*cid, file, std::string(logs::SliceForSize(contents, size)),
                             static_cast<int64_t>(contents.size())),
        "text/html; charset=utf-8");
    return true;
  }
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(
      logs::FormatContainerLog(cid_text, s.node_id.ToString(), file, contents, mtime, size,
                               logs::LogAggregationType::kLocal, ContainerRunning(s, *cid)),
      "text/plain; charset=utf-8");
  return true;
}

}  // namespace

std::vector<skein::web::JmxBean> NmJmxBeans(
    const NmWebSnapshot& s, const std::string& hostname,
    const std::map<std::string, RpcMetrics::MethodTotals>& rpc) {
  int64_t running = 0, initing = 0, allocated = 0, mem = 0, vcores = 0;
  for (const auto& c : s.containers) {
    if (Completed(c)) continue;
    ++allocated;
    mem += c.capability().memory_mb();
    vcores += c.capability().virtual_cores();
    std::string state = NmState(c);
    if (state == "NEW" || state == "LOCALIZING" || state == "LOCALIZED") {
      ++initing;
    } else if (state == "RUNNING") {
      ++running;
    }
  }
  int64_t available_mb = std::max<int64_t>(0, s.total.memory_mb - mem);
  skein::web::JmxBean b{"Hadoop:service=NodeManager,name=NodeManagerMetrics", "NodeManagerMetrics"};
  b.attributes = {
      {"tag.Context", "yarn"},
      {"tag.Hostname", hostname},
      {"ContainersLaunched", s.containers_launched},
      {"ContainersCompleted", s.containers_completed},
      {"ContainersFailed", s.containers_failed},
      {"ContainersKilled", s.containers_killed},
      {"ContainersRolledBackOnFailure", 0},
      {"ContainersReIniting", 0},
      {"ContainersIniting", initing},
      {"ContainersRunning", running},
      {"ContainersPaused", 0},
      // Hadoop rounds allocated memory up and available memory down to whole GB.
      {"AllocatedGB", (mem + 1023) / 1024},
      {"AllocatedContainers", allocated},
      {"AvailableGB", available_mb / 1024},
      {"AllocatedVCores", vcores},
      {"AvailableVCores", std::max<int64_t>(0, s.total.vcores - vcores)},
      {"ContainerLaunchDurationNumOps", s.launch_duration_ops},
      {"ContainerLaunchDurationAvgTime", s.launch_duration_ops > 0
                                             ? static_cast<double>(s.launch_duration_total_ms) /
                                                   static_cast<double>(s.launch_duration_ops)
                                             : 0.0},
  };
  std::vector<skein::web::JmxBean> out;
  out.push_back(std::move(b));
  skein::web::AppendRpcBeans("NodeManager", hostname,
                             {{"ContainerManagementProtocol", s.node_id.port()}}, rpc, out);
  return out;
}

NmWebServer::NmWebServer(EventLoop& loop, std::function<NmWebSnapshot()> snapshot)
    : loop_(loop), snapshot_(std::move(snapshot)) {}

NmWebServer::~NmWebServer() { Stop(); }

absl::Status NmWebServer::Start(const std::string& address) {
  size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("yarn.nodemanager.webapp.address: '", address,
                                                   "' is not a host:port address"));
  }
  std::string host = address.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";
  server_ = std::make_unique<httplib::Server>();
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    static const std::regex kApp("/ws/v1/node/apps/([^/]+)");
    static const std::regex kContainer("/ws/v1/node/containers/([^/]+)");
    std::smatch m;
    const std::string& p = req.path;
    bool known = p == "/ws/v1/node" || p == "/ws/v1/node/" || p == "/ws/v1/node/info" ||
                 p == "/ws/v1/node/apps" || p == "/ws/v1/node/containers" || p == "/metrics" ||
                 p == "/prom" || p == "/jmx" || std::regex_match(p, m, kApp) ||
                 std::regex_match(p, m, kContainer) || IsLogPath(p);
    if (!known) return NotFound(req, res, "no such resource: " + p);
    if (req.method != "GET" && req.method != "HEAD") {
      res.set_header("Allow", "GET");
      return SendError(req, res, 405, "WebApplicationException",
                       "javax.ws.rs.WebApplicationException",
                       absl::StrCat("HTTP 405 Method Not Allowed: ", req.method, " ", p));
    }
    NmWebSnapshot s = loop_.RunSync([this] { return snapshot_(); });
    if (ServeLogPage(req, res, s)) return;
    if (p == "/jmx") {
      skein::web::JmxResponse out = skein::web::RenderJmx(
          NmJmxBeans(s, skein::web::LocalHostName(), RpcMetrics::Global().Totals()),
          skein::web::RawQueryParam(req.target, "qry"),
          skein::web::RawQueryParam(req.target, "get"));
      res.status = out.status;
      res.set_header("Access-Control-Allow-Methods", "GET");
      res.set_header("Access-Control-Allow-Origin", "*");
      res.set_content(out.body, out.content_type);
      return;
    }
    if (p == "/metrics" || p == "/prom") {
      int64_t running = 0, done = 0, mem = 0, vcores = 0;
      for (const auto& c : s.containers) {
        if (Completed(c)) {
          ++done;
        } else {
          ++running;
          mem += c.capability().memory_mb();
          vcores += c.capability().virtual_cores();
        }
      }
      std::string out;
      auto gauge = [&](const char* name, const char* help, int64_t v) {
        absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " gauge\n", name, " ",
                        v, "\n");
      };
      gauge("yarn_nm_containers_running", "Containers running on this node.", running);
      gauge("yarn_nm_containers_completed", "Completed containers not yet forgotten.", done);
      // Bytes, Prometheus' base unit (promtool refuses abbreviated units such as _mb).
      gauge("yarn_nm_allocated_memory_bytes", "Memory of running containers.", mem * 1024 * 1024);
      gauge("yarn_nm_available_memory_bytes", "Memory offered minus running containers'.",
            std::max<int64_t>(0, s.total.memory_mb - mem) * 1024 * 1024);
      gauge("yarn_nm_allocated_vcores", "Virtual cores of running containers.", vcores);
      gauge("yarn_nm_available_vcores", "Virtual cores offered minus running containers'.",
            std::max<int64_t>(0, s.total.vcores - vcores));
      gauge("yarn_nm_healthy", "1 when the node is healthy.", s.health.is_node_healthy() ? 1 : 0);
      out += RpcMetrics::Global().RenderPrometheus();  // this process's gRPC latency
      res.set_content(out, "text/plain; version=0.0.4; charset=utf-8");
      return;
    }
    if (p == "/ws/v1/node" || p == "/ws/v1/node/" || p == "/ws/v1/node/info") {
      return Send(req, res, 200,
                  {{"nodeInfo",
                    {{"healthReport", s.health.health_report()},
                     {"totalVmemAllocatedContainersMB", s.total.memory_mb * 21 / 10},
                     {"totalPmemAllocatedContainersMB", s.total.memory_mb},
                     {"totalVCoresAllocatedContainers", s.total.vcores},
                     {"vmemCheckEnabled", false},
                     {"pmemCheckEnabled", true},
                     {"lastNodeUpdateTime", s.last_update_ms},
                     {"nodeHealthy", s.health.is_node_healthy()},
                     {"nodeManagerVersion", kVersion},
                     {"nodeManagerBuildVersion", absl::StrCat(kVersion, " from skein")},
                     {"nodeManagerVersionBuiltOn", kBuiltOn},
                     {"hadoopVersion", kVersion},
                     {"hadoopBuildVersion", absl::StrCat(kVersion, " from skein")},
                     {"hadoopVersionBuiltOn", kBuiltOn},
                     {"id", s.node_id.ToString()},
                     {"nodeHostName", s.node_id.host()}}}});
    }
    if (p == "/ws/v1/node/apps") {
      std::string state = absl::AsciiStrToUpper(req.get_param_value("state"));
      static const std::set<std::string> kStates = {"NEW",
                                                    "INITING",
                                                    "RUNNING",
                                                    "FINISHING_CONTAINERS_WAIT",
                                                    "APPLICATION_RESOURCES_CLEANINGUP",
                                                    "FINISHED"};
      if (!state.empty() && !kStates.count(state)) {
        return BadRequest(
            req, res,
            absl::StrCat("Invalid application state ", req.get_param_value("state"), " specified"));
      }
      std::string user = req.get_param_value("user");
      json list = json::array();
      for (const auto& [id, app] : AppsOf(s)) {
        json j = AppJson(id, app);
        AddAggregationStatus(s, id, &j);
        if (!state.empty() && j["state"] != state) continue;
        if (!user.empty() && app.user != user) continue;
        list.push_back(j);
      }
      return Send(req, res, 200, {{"apps", {{"app", list}}}});
    }
    if (p == "/ws/v1/node/containers") {
      json list = json::array();
      for (const auto& c : s.containers) list.push_back(ContainerJson(s, c, port_));
      return Send(req, res, 200, {{"containers", {{"container", list}}}});
    }
    if (std::regex_match(p, m, kApp)) {
      std::string id = m[1];
      if (!ApplicationId::Parse(id).ok()) {
        return BadRequest(req, res, "Invalid ApplicationId prefix: " + id);
      }
      auto apps = AppsOf(s);
      auto it = apps.find(id);
      if (it == apps.end()) return NotFound(req, res, "app with id " + id + " not found");
      json j = AppJson(id, it->second);
      AddAggregationStatus(s, id, &j);
      return Send(req, res, 200, {{"app", j}});
    }
    if (std::regex_match(p, m, kContainer)) {
      std::string id = m[1];
      if (!ContainerId::Parse(id).ok()) {
        return BadRequest(req, res, "invalid container id, " + id);
      }
      for (const auto& c : s.containers) {
        if (ContainerId::FromProto(c.container_id()).ToString() == id) {
          return Send(req, res, 200, {{"container", ContainerJson(s, c, port_)}});
        }
      }
      return NotFound(req, res, "container with id, " + id + ", not found");
    }
  };
  auto safe = [handler](const httplib::Request& req, httplib::Response& res) {
    try {
      handler(req, res);
    } catch (const std::exception& e) {  // json/regex exceptions end here as a 400
      BadRequest(req, res, absl::StrCat("cannot process ", req.path, ": ", e.what()));
    }
  };
  server_->Get(".*", safe);
  server_->Post(".*", safe);
  server_->Put(".*", safe);
  server_->Delete(".*", safe);
  auto bound = skein::web::BindAndListen(*server_, host, port, "yarn.nodemanager.webapp.address",
                                         address, thread_);
  if (!bound.ok()) {
    server_.reset();
    return bound.status();
  }
  port_ = *bound;
  return absl::OkStatus();
}

void NmWebServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace skein::nm::web
