#include "resourcemanager/web/rm_web_server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <regex>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/ids.h"
#include "common/rpc_metrics.h"
#include "common/web/http_listen.h"
#include "common/web/jmx.h"
#include "common/web/raw_query.h"
#include "common/web/xml.h"
#include "nlohmann/json.hpp"
#include "resourcemanager/web/am_proxy.h"
#include "resourcemanager/web/jmx_beans.h"
#include "resourcemanager/web/prometheus.h"
#include "resourcemanager/web/rest_request.h"
#include "resourcemanager/web/rm_ui.h"
#include "resourcemanager/web/rm_views.h"

namespace skein::web {

using json = nlohmann::ordered_json;

// The route table and the handlers. Each handler either fills `res` or returns an error.
class RmWebServer::Handlers {
 public:
  using Fn = std::function<std::optional<HttpError>(const httplib::Request&, httplib::Response&,
                                                    const std::smatch&)>;
  Handlers(rm::RmCore& core, EventLoop& loop, Clock& clock, const UtilizationHistory& history,
           std::function<std::string()> ha_zk_state, std::map<std::string, int> rpc_ports)
      : core_(core),
        loop_(loop),
        clock_(clock),
        history_(history),
        ha_zk_state_(std::move(ha_zk_state)),
        rpc_ports_(std::move(rpc_ports)) {
    const std::string app = "/ws/v1/cluster/apps/([^/]+)";
    Add("GET", "/", [](auto&, auto& res, auto&) {
      res.set_redirect("/cluster");
      return std::optional<HttpError>();
    });
    for (const char* p : {"/ws/v1/cluster", "/ws/v1/cluster/", "/ws/v1/cluster/info"}) {
      Add("GET", p, [this](auto& req, auto& res, auto&) { return Info(req, res); });
    }
    Add("GET", "/ws/v1/cluster/metrics",
        [this](auto& req, auto& res, auto&) { return Metrics(req, res); });
    Add("GET", "/ws/v1/cluster/scheduler",
        [this](auto& req, auto& res, auto&) { return SchedulerDoc(req, res); });
    Add("GET", "/ws/v1/cluster/apps",
        [this](auto& req, auto& res, auto&) { return Apps(req, res); });
    Add("POST", "/ws/v1/cluster/apps",
        [this](auto& req, auto& res, auto&) { return Submit(req, res); });
    Add("POST", "/ws/v1/cluster/apps/new-application",
        [this](auto& req, auto& res, auto&) { return NewApp(req, res); });
    Add("GET", "/ws/v1/cluster/appstatistics",
        [this](auto& req, auto& res, auto&) { return AppStats(req, res); });
    Add("GET", app, [this](auto& req, auto& res, auto& m) { return App(req, res, m[1]); });
    Add("GET", app + "/appattempts",
        [this](auto& req, auto& res, auto& m) { return Attempts(req, res, m[1]); });
    Add("GET", app + "/appattempts/([^/]+)",
        [this](auto& req, auto& res, auto& m) { return Attempt(req, res, m[1], m[2], false); });
    Add("GET", app + "/appattempts/([^/]+)/containers",
        [this](auto& req, auto& res, auto& m) { return Attempt(req, res, m[1], m[2], true); });
    Add("GET", app + "/queue", [this](auto& req, auto& res, auto& m) {
      return AppField(req, res, m[1], "appqueue", [](const proto::ApplicationReportProto& r) {
        return json{{"queue", r.queue()}};
      });
    });
    Add("PUT", app + "/queue",
        [this](auto& req, auto& res, auto& m) { return PutQueue(req, res, m[1]); });
    Add("GET", app + "/priority", [this](auto& req, auto& res, auto& m) {
      return AppField(req, res, m[1], "applicationpriority",
                      [](const proto::ApplicationReportProto& r) {
                        return json{{"priority", r.priority().priority()}};
                      });
    });
    Add("PUT", app + "/priority",
        [this](auto& req, auto& res, auto& m) { return PutPriority(req, res, m[1]); });
    Add("GET", app + "/state", [this](auto& req, auto& res, auto& m) {
      return AppField(req, res, m[1], "appstate", [](const proto::ApplicationReportProto& r) {
        return json{{"state", AppStateName(r.yarn_application_state())}};
      });
    });
    Add("PUT", app + "/state",
        [this](auto& req, auto& res, auto& m) { return PutState(req, res, m[1]); });
    Add("GET", "/ws/v1/cluster/nodes",
        [this](auto& req, auto& res, auto&) { return NodesDoc(req, res); });
    Add("GET", "/ws/v1/cluster/nodes/([^/]+)",
        [this](auto& req, auto& res, auto& m) { return Node(req, res, m[1]); });
    for (const char* p : {"/metrics", "/prom"}) {
      Add("GET", p, [this](auto& req, auto& res, auto&) { return Prom(req, res); });
    }
    Add("GET", "/jmx", [this](auto& req, auto& res, auto&) { return Jmx(req, res); });
    for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
      Add(method, "/proxy/(application_[0-9]+_[0-9]+)(/.*)?",
          [this](auto& req, auto& res, auto& m) { return Proxy(req, res, m[1], m[2]); });
    }
    AddUiRoutes();
  }

  // Finds the route; 405 when the path exists for other methods, 404 when it does not.
  void Dispatch(const httplib::Request& req, httplib::Response& res) {
    std::set<std::string> allowed;
    std::optional<HttpError> err;
    const std::string method = req.method == "HEAD" ? "GET" : req.method;
    bool handled = false;
    try {
      for (const auto& r : routes_) {
        std::smatch m;
        if (!std::regex_match(req.path, m, r.pattern)) continue;
        if (r.method != method) {
          allowed.insert(r.method);
          continue;
        }
        err = r.fn(req, res, m);
        handled = true;
        break;
      }
      if (!handled && !allowed.empty()) {
        res.set_header("Allow", absl::StrJoin(allowed, ", "));
        err = HttpError{405, "WebApplicationException", "javax.ws.rs.WebApplicationException",
                        absl::StrCat("HTTP 405 Method Not Allowed: ", req.method, " ", req.path)};
      } else if (!handled) {
        err = NotFound(absl::StrCat("no such resource: ", req.path));
      }
    } catch (const std::exception& e) {  // library exceptions (json, regex) end here as a 400
      err = BadRequest(absl::StrCat("cannot process ", req.method, " ", req.path, ": ", e.what()));
    }
    if (!err) return;
    if (absl::StartsWith(req.path, "/cluster")) {
      res.status = err->status;
      res.set_content(RenderErrorPage(err->status, err->message), "text/html; charset=utf-8");
    } else {
      SendError(req, res, *err);
    }
  }

 private:
  struct Route {
    std::string method;
    std::regex pattern;
    Fn fn;
  };
  void Add(const std::string& method, const std::string& pattern, Fn fn) {
    routes_.push_back({method, std::regex(pattern), std::move(fn)});
  }
  void AddUiRoutes();

  // Indexes of `r` ordered by an AppInfo column (kAppsSortKeys); ties keep submission order.
  static std::vector<size_t> SortedApps(const std::vector<proto::ApplicationReportProto>& r,
                                        const std::string& key, bool ascending) {
    std::vector<size_t> order(r.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto cmp = [&](size_t a, size_t b) {
      const auto& x = r[a];
      const auto& y = r[b];
      auto id = [](const proto::ApplicationReportProto& p) {
        return std::make_pair(p.application_id().cluster_timestamp(), p.application_id().id());
      };
      if (key == "user") return x.user() < y.user();
      if (key == "name") return x.name() < y.name();
      if (key == "queue") return x.queue() < y.queue();
      if (key == "priority") return x.priority().priority() < y.priority().priority();
      if (key == "startedTime") return x.start_time() < y.start_time();
      if (key == "finishedTime") return x.finish_time() < y.finish_time();
      if (key == "state") return x.yarn_application_state() < y.yarn_application_state();
      if (key == "allocatedMB") {
        return x.app_resource_usage().used_resources().memory_mb() <
               y.app_resource_usage().used_resources().memory_mb();
      }
      return id(x) < id(y);
    };
    if (ascending) {
      std::stable_sort(order.begin(), order.end(), cmp);
    } else {
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cmp(b, a); });
    }
    return order;
  }

  int64_t Now() const { return clock_.NowMillis(); }

  // The RM web proxy's "host:port" as this client reached it (Host header), for the proxied
  // trackingUrl; the bound port on 127.0.0.1 when a client sent no Host.
  std::string ProxyHost(const httplib::Request& req) const {
    std::string host = req.get_header_value("Host");
    return host.empty() ? absl::StrCat("127.0.0.1:", req.local_port) : host;
  }

  // /proxy/<id>/...: the AM web proxy (am_proxy.h).
  std::optional<HttpError> Proxy(const httplib::Request& req, httplib::Response& res,
                                 const std::string& text, const std::string& rest) {
    ApplicationId id;
    if (auto e = ParseApp(text, id)) return e;
    auto r = ReportOf(id);
    if (!r.ok()) return FromStatus(r.status());
    ProxiedApp app;
    app.id = id.ToString();
    app.owner = r->user();
    app.tracking_url = r->original_tracking_url();
    app.finished = r->yarn_application_state() == proto::FINISHED ||
                   r->yarn_application_state() == proto::FAILED ||
                   r->yarn_application_state() == proto::KILLED;
    ServeProxy(req, res, app, rest, Caller(req));
    return std::nullopt;
  }

  // Who the request acts as: user.name, else hadoop.http.staticuser.user (dr.who), as Hadoop's
  // StaticUserWebFilter makes every anonymous request that user.
  std::string Caller(const httplib::Request& req) const {
    std::string user = UserName(req);
    return user.empty() ? core_.config().http_static_user : user;
  }

  std::optional<HttpError> Info(const httplib::Request& req, httplib::Response& res) {
    ClusterInfoInput in = loop_.RunSync([this] {
      return ClusterInfoInput{core_.cluster_timestamp(), core_.config().store_class};
    });
    if (ha_zk_state_) in.ha_zk_state = ha_zk_state_();
    SendDoc(req, res, 200, ClusterInfoJson(in));
    return std::nullopt;
  }

  std::optional<HttpError> Metrics(const httplib::Request& req, httplib::Response& res) {
    auto m = loop_.RunSync([this] { return core_.WebMetrics(); });
    SendDoc(req, res, 200, ClusterMetricsJson(m));
    return std::nullopt;
  }

  absl::StatusOr<SchedulerInput> SchedulerData() {
    return loop_.RunSync([this]() -> absl::StatusOr<SchedulerInput> {
      auto root = core_.WebQueue("root");
      if (!root.ok()) root = core_.WebQueue("default");
      if (!root.ok()) return root.status();
      return SchedulerInput{core_.SchedulerClassName(), *root, core_.WebMetrics(),
                            core_.config().minimum_allocation, core_.config().maximum_allocation};
    });
  }

  std::optional<HttpError> SchedulerDoc(const httplib::Request& req, httplib::Response& res) {
    auto in = SchedulerData();
    if (!in.ok()) return FromStatus(in.status());
    SendDoc(req, res, 200, SchedulerJson(*in));
    return std::nullopt;
  }

  // The app list after every /apps filter; `error` set on a bad parameter.
  std::optional<HttpError> FilteredApps(const httplib::Request& req, json& out) {
    proto::GetApplicationsRequest f;
    std::vector<std::string> states = ListParam(req, "states");
    for (const auto& s : ListParam(req, "state")) states.push_back(s);
    for (const auto& s : states) {
      auto st = ParseAppState(s);
      if (!st.ok()) return BadRequest(std::string(st.status().message()));
      f.add_application_states(*st);
    }
    std::optional<proto::FinalApplicationStatus> final_status;
    if (req.has_param("finalStatus")) {
      auto fs = ParseFinalStatus(req.get_param_value("finalStatus"));
      if (!fs.ok()) return BadRequest(std::string(fs.status().message()));
      final_status = *fs;
    }
    if (req.has_param("user")) f.add_users(req.get_param_value("user"));
    if (req.has_param("queue")) f.add_queues(req.get_param_value("queue"));
    for (const auto& t : ListParam(req, "applicationTypes")) f.add_application_types(t);
    for (const auto& t : ListParam(req, "applicationTags")) f.add_application_tags(t);
    int64_t limit = 0, sb = 0, se = INT64_MAX, fb = 0, fe = INT64_MAX;
    HttpError e;
    if (!IntParam(req, "limit", limit, e) || !IntParam(req, "startedTimeBegin", sb, e) ||
        !IntParam(req, "startedTimeEnd", se, e) || !IntParam(req, "finishedTimeBegin", fb, e) ||
        !IntParam(req, "finishedTimeEnd", fe, e)) {
      return e;
    }
    if (req.has_param("limit") && limit <= 0) {
      return BadRequest("limit value must be greater then 0");
    }
    if (sb < 0) return BadRequest("startedTimeBegin must be greater than 0");
    if (se < 0) return BadRequest("startedTimeEnd must be greater than 0");
    if (sb > se) return BadRequest("startedTimeEnd must be greater than startTimeBegin");
    if (fb < 0) return BadRequest("finishTimeBegin must be greater than 0");
    if (fe < 0) return BadRequest("finishTimeEnd must be greater than 0");
    if (fb > fe) return BadRequest("finishTimeEnd must be greater than finishTimeBegin");
    bool finish_filter = req.has_param("finishedTimeBegin") || req.has_param("finishedTimeEnd");
    const std::string name = req.get_param_value("name");
    auto [reports, cluster_id] = loop_.RunSync(
        [&] { return std::make_pair(core_.ListApplications(f), core_.cluster_timestamp()); });
    out = json::array();
    int64_t now = Now();
    for (const auto& r : reports) {
      if (final_status && r.final_application_status() != *final_status) continue;
      if (!name.empty() && r.name() != name) continue;  // Hadoop 3.3's ?name= (exact)
      if (r.start_time() < sb || r.start_time() > se) continue;
      if (finish_filter && (r.finish_time() == 0 || r.finish_time() < fb || r.finish_time() > fe)) {
        continue;
      }
      out.push_back(AppJson(r, cluster_id, now, ProxyHost(req)));
      if (limit > 0 && static_cast<int64_t>(out.size()) >= limit) break;
    }
    return std::nullopt;
  }

  std::optional<HttpError> Apps(const httplib::Request& req, httplib::Response& res) {
    json apps;
    if (auto e = FilteredApps(req, apps)) return e;
    SendDoc(req, res, 200, {{"apps", {{"app", apps}}}});
    return std::nullopt;
  }

  std::optional<HttpError> AppStats(const httplib::Request& req, httplib::Response& res) {
    std::vector<proto::YarnApplicationState> states;
    for (const auto& s : ListParam(req, "states")) {
      auto st = ParseAppState(s);
      if (!st.ok()) return BadRequest(std::string(st.status().message()));
      states.push_back(*st);
    }
    if (states.empty()) {
      for (int s = proto::NEW; s <= proto::KILLED; ++s) {
        states.push_back(static_cast<proto::YarnApplicationState>(s));
      }
    }
    std::vector<std::string> types = ListParam(req, "applicationTypes");
    if (types.size() > 1) {
      return BadRequest(absl::StrCat("# of applicationTypes = ", types.size(),
                                     ", we temporarily support at most one applicationType"));
    }
    proto::GetApplicationsRequest f;
    if (!types.empty()) f.add_application_types(types[0]);
    auto reports = loop_.RunSync([&] { return core_.ListApplications(f); });
    json items = json::array();
    for (auto s : states) {
      int64_t count = std::count_if(reports.begin(), reports.end(),
                                    [&](const auto& r) { return r.yarn_application_state() == s; });
      items.push_back({{"state", AppStateName(s)},
                       {"type", types.empty() ? "*" : absl::AsciiStrToLower(types[0])},
                       {"count", count}});
    }
    SendDoc(req, res, 200, {{"appStatInfo", {{"statItem", items}}}});
    return std::nullopt;
  }

  // Parses an id from the path: 400 when malformed.
  static std::optional<HttpError> ParseApp(const std::string& text, ApplicationId& id) {
    auto parsed = ApplicationId::Parse(text);
    if (!parsed.ok()) return BadRequest(absl::StrCat("Invalid ApplicationId: ", text));
    id = *parsed;
    return std::nullopt;
  }

  absl::StatusOr<proto::ApplicationReportProto> ReportOf(const ApplicationId& id) {
    auto r = loop_.RunSync([&] { return core_.Report(id); });
    if (!r.ok() && r.status().code() == absl::StatusCode::kNotFound) {
      return absl::NotFoundError(absl::StrCat("app with id: ", id.ToString(), " not found"));
    }
    return r;
  }

  std::optional<HttpError> App(const httplib::Request& req, httplib::Response& res,
                               const std::string& text) {
    ApplicationId id;
    if (auto e = ParseApp(text, id)) return e;
    auto r = ReportOf(id);
    if (!r.ok()) return FromStatus(r.status());
    SendDoc(req, res, 200,
            {{"app", AppJson(*r, core_.cluster_timestamp(), Now(), ProxyHost(req))}});
    return std::nullopt;
  }

  std::optional<HttpError> Attempts(const httplib::Request& req, httplib::Response& res,
                                    const std::string& text) {
    ApplicationId id;
    if (auto e = ParseApp(text, id)) return e;
    auto r = ReportOf(id);
    if (!r.ok()) return FromStatus(r.status());
    auto attempts = loop_.RunSync([&] { return core_.WebAttempts(id); });
    if (!attempts.ok()) return FromStatus(attempts.status());
    json list = json::array();
    for (const auto& a : *attempts) list.push_back(AttemptJson(a, r->user()));
    SendDoc(req, res, 200, {{"appAttempts", {{"appAttempt", list}}}});
    return std::nullopt;
  }

  // One attempt (`containers` false) or its live containers.
  std::optional<HttpError> Attempt(const httplib::Request& req, httplib::Response& res,
                                   const std::string& app_text, const std::string& attempt_text,
                                   bool containers) {
    ApplicationId id;
    if (auto e = ParseApp(app_text, id)) return e;
    auto attempt_id = ApplicationAttemptId::Parse(attempt_text);
    if (!attempt_id.ok() || attempt_id->application_id() != id) {
      return BadRequest(absl::StrCat("Invalid AppAttemptId: ", attempt_text));
    }
    auto r = ReportOf(id);
    if (!r.ok()) return FromStatus(r.status());
    if (containers) {
      auto list = loop_.RunSync([&] { return core_.WebContainers(*attempt_id); });
      if (!list.ok()) return FromStatus(list.status());
      json out = json::array();
      for (const auto& c : *list) out.push_back(ContainerJson(c, r->user(), Now()));
      SendDoc(req, res, 200, {{"containers", {{"container", out}}}});
      return std::nullopt;
    }
    auto attempts = loop_.RunSync([&] { return core_.WebAttempts(id); });
    if (!attempts.ok()) return FromStatus(attempts.status());
    for (const auto& a : *attempts) {
      if (a.report.application_attempt_id().attempt_id() == attempt_id->attempt_id()) {
        SendDoc(req, res, 200, {{"appAttempt", AttemptJson(a, r->user())}});
        return std::nullopt;
      }
    }
    return NotFound(absl::StrCat("appattempt with id: ", attempt_text, " not found"));
  }

  // GET of one application field: {"field":..} in JSON, <root><field>..</field></root> in XML.
  std::optional<HttpError> AppField(
      const httplib::Request& req, httplib::Response& res, const std::string& text,
      const char* xml_root,
      const std::function<json(const proto::ApplicationReportProto&)>& field) {
    ApplicationId id;
    if (auto e = ParseApp(text, id)) return e;
    auto r = ReportOf(id);
    if (!r.ok()) return FromStatus(r.status());
    SendField(req, res, 200, xml_root, field(*r));
    return std::nullopt;
  }

  // On the loop: PermissionDenied unless `user` may modify the app (yarn.acl.enable: the owner,
  // the queue's administrators and yarn.admin.acl). `action` completes Hadoop's message
  // "Unauthorized attempt to <action> appid <id> by remote user <user>".
  absl::Status AuthorizeOnLoop(const ApplicationId& id, const std::string& user,
                               const std::string& action) {
    auto can = core_.CanModifyApplication(id, user);
    if (!can.ok()) return can.status();
    if (!*can) {
      return absl::PermissionDeniedError(absl::StrCat("Unauthorized attempt to ", action, " appid ",
                                                      id.ToString(), " by remote user ", user));
    }
    return absl::OkStatus();
  }

  // The caller of a change (user.name) and the app it names: 400 for a malformed id, 403
  // without a user, 404 for an unknown app.
  std::optional<HttpError> ChangeTarget(const httplib::Request& req, const std::string& text,
                                        ApplicationId& id, std::string& user) {
    if (auto e = ParseApp(text, id)) return e;
    user = Caller(req);
    if (user.empty()) return Forbidden("Unable to obtain user name, user not authenticated");
    auto r = ReportOf(id);
    if (!r.ok()) return FromStatus(r.status());
    return std::nullopt;
  }

 public:
  // Shared by PUT /state and the UI's kill button. Returns the HTTP status (200 already final,
  // 202 kill started) and the state to report.
  absl::StatusOr<std::pair<int, std::string>> KillApp(const ApplicationId& id,
                                                      const std::string& user,
                                                      const std::string& diagnostics) {
    return loop_.RunSync([&]() -> absl::StatusOr<std::pair<int, std::string>> {
      auto before = core_.Report(id);
      if (!before.ok()) {
        return absl::NotFoundError(absl::StrCat("app with id: ", id.ToString(), " not found"));
      }
      if (auto s = AuthorizeOnLoop(id, user, "kill"); !s.ok()) return s;
      auto done = core_.Kill(id, user, diagnostics);
      if (!done.ok()) return done.status();
      std::string state = AppStateName(before->yarn_application_state());
      return std::make_pair(*done ? 200 : 202, state);
    });
  }

 private:
  std::optional<HttpError> PutState(const httplib::Request& req, httplib::Response& res,
                                    const std::string& text) {
    ApplicationId id;
    std::string user;
    if (auto e = ChangeTarget(req, text, id, user)) return e;
    json body;
    if (auto e = ParseFieldBody(req.body, "appstate", "state", body)) return e;
    if (!body["state"].is_string()) {
      return BadRequest(absl::StrCat("malformed appstate body: 'state' must be a string, got ",
                                     body["state"].dump()));
    }
    std::string diagnostics;
    if (body.contains("diagnostics") && body["diagnostics"].is_string()) {
      diagnostics = body["diagnostics"].get<std::string>();
    }
    if (absl::AsciiStrToUpper(body["state"].get<std::string>()) != "KILLED") {
      return BadRequest("Only 'KILLED' is allowed as a target state.");
    }
    auto killed = KillApp(id, user, diagnostics);
    if (!killed.ok()) return FromStatus(killed.status());
    if (killed->first == 202) {
      res.set_header("Location", absl::StrCat("http://", req.get_header_value("Host"), req.path));
    }
    SendField(req, res, killed->first, "appstate", {{"state", killed->second}});
    return std::nullopt;
  }

  // PUT /apps/{id}/queue {"queue":"a"}: moves the app (Capacity/Fair); 200 with the queue it
  // is in afterwards. Moving to the queue it is already in changes nothing, as in YARN.
  std::optional<HttpError> PutQueue(const httplib::Request& req, httplib::Response& res,
                                    const std::string& text) {
    ApplicationId id;
    std::string user;
    if (auto e = ChangeTarget(req, text, id, user)) return e;
    json body;
    if (auto e = ParseFieldBody(req.body, "appqueue", "queue", body)) return e;
    if (!body["queue"].is_string() || body["queue"].get<std::string>().empty()) {
      return BadRequest(
          absl::StrCat("malformed appqueue body: 'queue' must be a non-empty string, got ",
                       body["queue"].dump()));
    }
    std::string target = body["queue"].get<std::string>();
    auto moved = loop_.RunSync([&]() -> absl::StatusOr<std::string> {
      if (auto s = AuthorizeOnLoop(id, user, "move"); !s.ok()) return s;
      auto before = core_.Report(id);
      if (!before.ok()) return before.status();
      if (before->queue() == target) return target;
      if (auto s = core_.MoveApplication(id, target, user); !s.ok()) {
        // The app exists (checked above): a missing target queue is a bad request, not a 404.
        if (absl::IsNotFound(s)) return absl::InvalidArgumentError(s.message());
        return s;
      }
      auto after = core_.Report(id);
      if (!after.ok()) return after.status();
      return after->queue();
    });
    if (!moved.ok()) return FromStatus(moved.status());
    SendField(req, res, 200, "appqueue", {{"queue", *moved}});
    return std::nullopt;
  }

  // PUT /apps/{id}/priority {"priority":8}: 200 with the priority applied (capped at
  // yarn.cluster.max-application-priority by the RM).
  std::optional<HttpError> PutPriority(const httplib::Request& req, httplib::Response& res,
                                       const std::string& text) {
    ApplicationId id;
    std::string user;
    if (auto e = ChangeTarget(req, text, id, user)) return e;
    json body;
    if (auto e = ParseFieldBody(req.body, "applicationpriority", "priority", body)) return e;
    const json& v = body["priority"];
    int64_t priority = 0;
    bool ok = v.is_number_integer() ? (priority = v.get<int64_t>(), true)
              : v.is_string()       ? absl::SimpleAtoi(v.get<std::string>(), &priority)
                                    : false;
    if (!ok || priority < INT32_MIN || priority > INT32_MAX) {
      return BadRequest(absl::StrCat(
          "malformed applicationpriority body: 'priority' must be an integer, got ", v.dump()));
    }
    auto applied = loop_.RunSync([&]() -> absl::StatusOr<int32_t> {
      if (auto s = AuthorizeOnLoop(id, user, "change priority of"); !s.ok()) return s;
      return core_.UpdateApplicationPriority(id, static_cast<int32_t>(priority), user);
    });
    if (!applied.ok()) return FromStatus(applied.status());
    SendField(req, res, 200, "applicationpriority", {{"priority", *applied}});
    return std::nullopt;
  }

  std::optional<HttpError> NewApp(const httplib::Request& req, httplib::Response& res) {
    if (Caller(req).empty()) {
      return Forbidden("Unable to obtain user name, user not authenticated");
    }
    auto resp = loop_.RunSync([this] { return core_.NewApplication(); });
    SendDoc(req, res, 200,
            {{"application-id", ApplicationId::FromProto(resp.application_id()).ToString()},
             {"maximum-resource-capability",
              {{"memory", resp.maximum_capability().memory_mb()},
               {"vCores", resp.maximum_capability().virtual_cores()}}}});
    return std::nullopt;
  }

  std::optional<HttpError> Submit(const httplib::Request& req, httplib::Response& res) {
    std::string user = Caller(req);
    if (user.empty()) return Forbidden("Unable to obtain user name, user not authenticated");
    auto ctx = ParseSubmission(req.body);
    if (!ctx.ok()) return BadRequest(std::string(ctx.status().message()));
    auto s = loop_.RunSync([&] { return core_.Submit(*ctx, user); });
    if (!s.ok()) return BadRequest(std::string(s.message()));
    std::string id = ApplicationId::FromProto(ctx->application_id()).ToString();
    res.status = 202;
    res.set_header("Location", absl::StrCat("http://", req.get_header_value("Host"),
                                            "/ws/v1/cluster/apps/", id));
    return std::nullopt;
  }

  std::vector<proto::NodeReportProto> NodeReports(const std::set<proto::NodeState>& states) {
    return loop_.RunSync([&] { return core_.Nodes(states); });
  }

  std::optional<HttpError> NodesDoc(const httplib::Request& req, httplib::Response& res) {
    std::set<proto::NodeState> states;
    std::vector<std::string> names = ListParam(req, "states");
    for (const auto& s : ListParam(req, "state")) names.push_back(s);
    for (const auto& s : names) {
      auto st = ParseNodeState(s);
      if (!st.ok()) return BadRequest(std::string(st.status().message()));
      states.insert(*st);
    }
    json list = json::array();
    for (const auto& n : NodeReports(states)) list.push_back(NodeJson(n));
    SendDoc(req, res, 200, {{"nodes", {{"node", list}}}});
    return std::nullopt;
  }

  std::optional<HttpError> Node(const httplib::Request& req, httplib::Response& res,
                                const std::string& id) {
    for (const auto& n : NodeReports({})) {
      if (NodeId::FromProto(n.node_id()).ToString() == id) {
        SendDoc(req, res, 200, {{"node", NodeJson(n)}});
        return std::nullopt;
      }
    }
    return NotFound(absl::StrCat("nodeId, ", id, ", is not found"));
  }

  std::optional<HttpError> Prom(const httplib::Request&, httplib::Response& res) {
    auto [m, root] = loop_.RunSync([this] {
      auto q = core_.WebQueue("root");
      if (!q.ok()) q = core_.WebQueue("default");
      return std::make_pair(core_.WebMetrics(), q);
    });
    res.set_content(RenderPrometheus(m, root.ok() ? &*root : nullptr) +
                        RpcMetrics::Global().RenderPrometheus(),  // this process's gRPC latency
                    "text/plain; version=0.0.4; charset=utf-8");
    return std::nullopt;
  }

  // Hadoop's JMX JSON servlet (jmx_beans.h): ?qry=<ObjectName pattern>, ?get=<bean>::<attribute>.
  std::optional<HttpError> Jmx(const httplib::Request& req, httplib::Response& res) {
    RmJmxInput in = loop_.RunSync([this] {
      RmJmxInput in;
      in.scheduler_class = core_.SchedulerClassName();
      in.metrics = core_.WebMetrics();
      auto root = core_.WebQueue("root");
      if (!root.ok()) root = core_.WebQueue("default");
      if (root.ok()) in.root = *root;
      in.apps = core_.ListApplications(proto::GetApplicationsRequest());
      in.nodes = core_.Nodes({});
      return in;
    });
    in.hostname = LocalHostName();
    in.service_ports = rpc_ports_;
    in.rpc = RpcMetrics::Global().Totals();
    in.now_ms = Now();
    JmxResponse out = RenderJmx(RmJmxBeans(in), RawQueryParam(req.target, "qry"),
                                RawQueryParam(req.target, "get"));
    res.status = out.status;
    res.set_header("Access-Control-Allow-Methods", "GET");
    res.set_header("Access-Control-Allow-Origin", "*");
    res.set_content(out.body, out.content_type);
    return std::nullopt;
  }

  rm::RmCore& core_;
  EventLoop& loop_;
  Clock& clock_;
  const UtilizationHistory& history_;
  const std::function<std::string()> ha_zk_state_;  // empty: not an HA RM
  const std::map<std::string, int> rpc_ports_;      // gRPC service -> port (/jmx)
  std::vector<Route> routes_;
};

void RmWebServer::Handlers::AddUiRoutes() {
  constexpr char kHtml[] = "text/html; charset=utf-8";
  Add("GET", "/cluster/?", [this, kHtml](auto&, auto& res, auto&) {
    auto [info, m] = loop_.RunSync([this] {
      return std::make_pair(ClusterInfoInput{core_.cluster_timestamp(), core_.config().store_class},
                            core_.WebMetrics());
    });
    res.set_content(RenderClusterPage(ClusterInfoJson(info)["clusterInfo"],
                                      ClusterMetricsJson(m)["clusterMetrics"], history_.Samples()),
                    kHtml);
    return std::optional<HttpError>();
  });
  Add("GET", "/cluster/apps(/[A-Za-z_]+)?", [this, kHtml](auto& req, auto& res, auto& m) {
    AppsPageQuery q;
    q.state = m[1].matched ? absl::AsciiStrToUpper(std::string(m[1]).substr(1)) : "";
    if (req.has_param("state")) q.state = absl::AsciiStrToUpper(req.get_param_value("state"));
    if (!q.state.empty() && !ParseAppState(q.state).ok()) {
      return std::optional<HttpError>(BadRequest(absl::StrCat("unknown state ", q.state)));
    }
    int64_t page = 1;
    HttpError e;
    if (!IntParam(req, "page", page, e)) return std::optional<HttpError>(e);
    q.page = static_cast<int>(std::max<int64_t>(1, page));
    q.user_name = UserName(req);
    if (req.has_param("sort")) {
      q.sort = req.get_param_value("sort");
      if (std::find_if(std::begin(kAppsSortKeys), std::end(kAppsSortKeys),
                       [&](const char* k) { return q.sort == k; }) == std::end(kAppsSortKeys)) {
        return std::optional<HttpError>(BadRequest(absl::StrCat(
            "unknown sort column '", q.sort, "'; one of ", absl::StrJoin(kAppsSortKeys, ", "))));
      }
    }
    q.ascending = req.has_param("order") && req.get_param_value("order") == "asc";
    proto::GetApplicationsRequest f;
    if (!q.state.empty()) f.add_application_states(*ParseAppState(q.state));
    auto [reports, cluster_id] = loop_.RunSync(
        [&] { return std::make_pair(core_.ListApplications(f), core_.cluster_timestamp()); });
    // Sorted (newest first by default); AppInfo documents for the shown page only, so a page is
    // fast with 10,000+ apps.
    std::vector<size_t> order = SortedApps(reports, q.sort.empty() ? "id" : q.sort, q.ascending);
    int64_t total = static_cast<int64_t>(reports.size());
    auto [begin, end] = AppsPageRange(total, q);
    json apps = json::array();
    int64_t now = Now();
    for (int64_t i = begin; i < end; ++i) {
      apps.push_back(AppJson(reports[order[i]], cluster_id, now, ProxyHost(req)));
    }
    res.set_content(RenderAppsPage(apps, total, q), kHtml);
    return std::optional<HttpError>();
  });
  Add("GET", "/cluster/app/([^/]+)", [this, kHtml](auto& req, auto& res, auto& m) {
    ApplicationId id;
    if (auto e = ParseApp(m[1], id)) return e;
    auto r = ReportOf(id);
    if (!r.ok()) return std::optional<HttpError>(FromStatus(r.status()));
    std::string user = Caller(req);
    auto [attempts, may_modify] = loop_.RunSync([&] {
      auto can = core_.CanModifyApplication(id, user);
      return std::make_pair(core_.WebAttempts(id), can.ok() && *can);
    });
    json list = json::array();
    if (attempts.ok()) {
      for (const auto& a : *attempts) list.push_back(AttemptJson(a, r->user()));
    }
    res.set_content(RenderAppPage(AppJson(*r, core_.cluster_timestamp(), Now(), ProxyHost(req)),
                                  list, user, may_modify),
                    kHtml);
    return std::optional<HttpError>();
  });
  Add("POST", "/cluster/app/([^/]+)/kill", [this](auto& req, auto& res, auto& m) {
    ApplicationId id;
    if (auto e = ParseApp(m[1], id)) return e;
    std::string user = Caller(req);
    if (user.empty()) {
      return std::optional<HttpError>(
          Forbidden("Unable to obtain user name, user not authenticated"));
    }
    auto killed = KillApp(id, user, "");
    if (!killed.ok()) return std::optional<HttpError>(FromStatus(killed.status()));
    res.set_redirect(absl::StrCat("/cluster/app/", id.ToString(), "?user.name=", UrlEncode(user)),
                     303);
    return std::optional<HttpError>();
  });
  Add("GET", "/cluster/nodes/?", [this, kHtml](auto&, auto& res, auto&) {
    json list = json::array();
    for (const auto& n : NodeReports({})) list.push_back(NodeJson(n));
    res.set_content(RenderNodesPage(list), kHtml);
    return std::optional<HttpError>();
  });
  Add("GET", "/cluster/scheduler/?", [this, kHtml](auto&, auto& res, auto&) {
    auto in = SchedulerData();
    if (!in.ok()) return std::optional<HttpError>(FromStatus(in.status()));
    res.set_content(RenderSchedulerPage(SchedulerJson(*in)["scheduler"]["schedulerInfo"]), kHtml);
    return std::optional<HttpError>();
  });
}

RmWebServer::RmWebServer(rm::RmCore& core, EventLoop& loop, Clock& clock)
    : core_(core), loop_(loop), clock_(clock) {}

RmWebServer::~RmWebServer() { Stop(); }

absl::Status RmWebServer::Start(const std::string& address) {
  size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("yarn.resourcemanager.webapp.address: '",
                                                   address, "' is not a host:port address"));
  }
  std::string host = address.substr(0, colon);
  std::map<std::string, int> rpc_ports;
  for (const auto& [service, bound] : rpc_addresses_) {
    int p = 0;
    size_t c = bound.rfind(':');
    if (c != std::string::npos && absl::SimpleAtoi(bound.substr(c + 1), &p)) rpc_ports[service] = p;
  }
  handlers_ = std::make_unique<Handlers>(core_, loop_, clock_, history_, ha_zk_state_,
                                         std::move(rpc_ports));
  server_ = std::make_unique<httplib::Server>();
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    handlers_->Dispatch(req, res);
  };
  server_->Get(".*", dispatch);
  server_->Post(".*", dispatch);
  server_->Put(".*", dispatch);
  server_->Delete(".*", dispatch);
  server_->Patch(".*", dispatch);
  server_->Options(".*", dispatch);
  auto bound =
      BindAndListen(*server_, host, port, "yarn.resourcemanager.webapp.address", address, thread_);
  if (!bound.ok()) {
    server_.reset();
    return bound.status();
  }
  port_ = *bound;
  {
    std::lock_guard<std::mutex> lock(sampler_mu_);
    stopping_ = false;
  }
  sampler_ = std::thread([this] { SampleLoop(); });
  return absl::OkStatus();
}

void RmWebServer::SampleLoop() {
  auto pct = [](int64_t used, int64_t total) {
    return total > 0 ? 100.0 * static_cast<double>(used) / static_cast<double>(total) : 0.0;
  };
  std::unique_lock<std::mutex> lock(sampler_mu_);
  while (!stopping_) {
    lock.unlock();
    rm::RmCore::WebClusterMetrics m = loop_.RunSync([this] { return core_.WebMetrics(); });
    history_.Add({clock_.NowMillis(), pct(m.allocated.memory_mb, m.total.memory_mb),
                  pct(m.allocated.vcores, m.total.vcores)});
    lock.lock();
    sampler_wake_.wait_for(lock, kSamplePeriod, [this] { return stopping_; });
  }
}

void RmWebServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(sampler_mu_);
    stopping_ = true;
  }
  sampler_wake_.notify_all();
  if (sampler_.joinable()) sampler_.join();
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace skein::web
