#include "resourcemanager/web/rm_web_server.h"

#include <httplib.h>

#include <algorithm>
#include <functional>
#include <regex>
#include <set>
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
#include "nlohmann/json.hpp"
#include "resourcemanager/web/prometheus.h"
#include "resourcemanager/web/rm_ui.h"
#include "resourcemanager/web/rm_views.h"
#include "resourcemanager/web/xml.h"

namespace skein::web {

using json = nlohmann::ordered_json;

namespace {

// An error destined for a RemoteException body.
struct HttpError {
  int status;
  std::string exception;  // simple class name, e.g. NotFoundException
  std::string java_class;
  std::string message;
};

HttpError NotFound(std::string message) {
  return {404, "NotFoundException", "org.apache.hadoop.yarn.webapp.NotFoundException",
          std::move(message)};
}
HttpError BadRequest(std::string message) {
  return {400, "BadRequestException", "org.apache.hadoop.yarn.webapp.BadRequestException",
          std::move(message)};
}
HttpError Forbidden(std::string message) {
  return {403, "AuthorizationException",
          "org.apache.hadoop.security.authorize.AuthorizationException", std::move(message)};
}

// Maps a core error onto YARN's web exceptions (never a 500).
HttpError FromStatus(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
      return NotFound(std::string(s.message()));
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return Forbidden(std::string(s.message()));
    case absl::StatusCode::kUnavailable:
      return {503, "ServiceUnavailableException", "org.apache.hadoop.ipc.StandbyException",
              std::string(s.message())};
    default:
      return BadRequest(std::string(s.message()));
  }
}

void SendDoc(const httplib::Request& req, httplib::Response& res, int status, const json& doc) {
  res.status = status;
  web::RenderedDocument out = web::RenderDocument(doc, req.get_header_value("Accept"));
  res.set_content(out.body, out.content_type);
}

void SendError(const httplib::Request& req, httplib::Response& res, const HttpError& e) {
  SendDoc(req, res, e.status, web::RemoteException(e.exception, e.java_class, e.message));
}

// All values of a (possibly repeated) query parameter, split on commas, blanks dropped.
std::vector<std::string> ListParam(const httplib::Request& req, const std::string& key) {
  std::vector<std::string> out;
  size_t n = req.get_param_value_count(key.c_str());
  for (size_t i = 0; i < n; ++i) {
    for (absl::string_view part :
         absl::StrSplit(req.get_param_value(key.c_str(), i), ',', absl::SkipWhitespace())) {
      out.emplace_back(absl::StripAsciiWhitespace(part));
    }
  }
  return out;
}

// Optional non-negative integer parameter; BadRequest naming the parameter otherwise.
bool IntParam(const httplib::Request& req, const std::string& key, int64_t& value,
              HttpError& error) {
  if (!req.has_param(key.c_str())) return true;
  std::string text = req.get_param_value(key.c_str());
  if (!absl::SimpleAtoi(text, &value)) {
    error = BadRequest(absl::StrCat("java.lang.NumberFormatException: For input string: \"", text,
                                    "\" (parameter ", key, ")"));
    return false;
  }
  return true;
}

// Percent-encodes everything but unreserved characters (user text headed for a Location header).
std::string UrlEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

std::string UserName(const httplib::Request& req) {
  return req.has_param("user.name") ? req.get_param_value("user.name") : "";
}

}  // namespace

// The route table and the handlers. Each handler either fills `res` or returns an error.
class RmWebServer::Handlers {
 public:
  using Fn = std::function<std::optional<HttpError>(const httplib::Request&, httplib::Response&,
                                                    const std::smatch&)>;
  Handlers(rm::RmCore& core, EventLoop& loop, Clock& clock,
           const std::vector<UtilizationSample>& history)
      : core_(core), loop_(loop), clock_(clock), history_(history) {
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
      return AppField(req, res, m[1], [](const proto::ApplicationReportProto& r) {
        return json{{"queue", r.queue()}};
      });
    });
    Add("GET", app + "/priority", [this](auto& req, auto& res, auto& m) {
      return AppField(req, res, m[1], [](const proto::ApplicationReportProto& r) {
        return json{{"priority", r.priority().priority()}};
      });
    });
    Add("GET", app + "/state",
        [this](auto& req, auto& res, auto& m) { return GetState(req, res, m[1]); });
    Add("PUT", app + "/state",
        [this](auto& req, auto& res, auto& m) { return PutState(req, res, m[1]); });
    Add("GET", "/ws/v1/cluster/nodes",
        [this](auto& req, auto& res, auto&) { return NodesDoc(req, res); });
    Add("GET", "/ws/v1/cluster/nodes/([^/]+)",
        [this](auto& req, auto& res, auto& m) { return Node(req, res, m[1]); });
    for (const char* p : {"/metrics", "/prom"}) {
      Add("GET", p, [this](auto& req, auto& res, auto&) { return Prom(req, res); });
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

  int64_t Now() const { return clock_.NowMillis(); }

  std::optional<HttpError> Info(const httplib::Request& req, httplib::Response& res) {
    ClusterInfoInput in = loop_.RunSync([this] {
      return ClusterInfoInput{core_.cluster_timestamp(), core_.config().store_class};
    });
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
    auto [reports, cluster_id] = loop_.RunSync(
        [&] { return std::make_pair(core_.ListApplications(f), core_.cluster_timestamp()); });
    out = json::array();
    int64_t now = Now();
    for (const auto& r : reports) {
      if (final_status && r.final_application_status() != *final_status) continue;
      if (r.start_time() < sb || r.start_time() > se) continue;
      if (finish_filter && (r.finish_time() == 0 || r.finish_time() < fb || r.finish_time() > fe)) {
        continue;
      }
      out.push_back(AppJson(r, cluster_id, now));
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
    SendDoc(req, res, 200, {{"app", AppJson(*r, core_.cluster_timestamp(), Now())}});
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

  std::optional<HttpError> AppField(
      const httplib::Request& req, httplib::Response& res, const std::string& text,
      const std::function<json(const proto::ApplicationReportProto&)>& field) {
    ApplicationId id;
    if (auto e = ParseApp(text, id)) return e;
    auto r = ReportOf(id);
    if (!r.ok()) return FromStatus(r.status());
    SendDoc(req, res, 200, field(*r));
    return std::nullopt;
  }

  std::optional<HttpError> GetState(const httplib::Request& req, httplib::Response& res,
                                    const std::string& text) {
    ApplicationId id;
    if (auto e = ParseApp(text, id)) return e;
    auto r = ReportOf(id);
    if (!r.ok()) return FromStatus(r.status());
    SendDoc(req, res, 200, {{"appstate", {{"state", AppStateName(r->yarn_application_state())}}}});
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
    if (auto e = ParseApp(text, id)) return e;
    std::string user = UserName(req);
    if (user.empty()) return Forbidden("Unable to obtain user name, user not authenticated");
    auto r = ReportOf(id);
    if (!r.ok()) return FromStatus(r.status());
    std::string target, diagnostics;
    std::string body(absl::StripAsciiWhitespace(req.body));
    if (absl::StartsWith(body, "<")) {
      std::smatch m;
      static const std::regex kState("<state>\\s*([A-Za-z_]+)\\s*</state>");
      if (!std::regex_search(body, m, kState)) {
        return BadRequest("malformed appstate XML: expected <appstate><state>..</state>");
      }
      target = m[1];
    } else {
      json j = json::parse(body, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("state") || !j["state"].is_string()) {
        return BadRequest(
            absl::StrCat("malformed appstate body: expected {\"state\":\"KILLED\"}, "
                         "got '",
                         body.substr(0, 200), "'"));
      }
      target = j["state"].get<std::string>();
      if (j.contains("diagnostics") && j["diagnostics"].is_string()) {
        diagnostics = j["diagnostics"].get<std::string>();
      }
    }
    if (absl::AsciiStrToUpper(target) != "KILLED") {
      return BadRequest("Only 'KILLED' is allowed as a target state.");
    }
    auto killed = KillApp(id, user, diagnostics);
    if (!killed.ok()) return FromStatus(killed.status());
    if (killed->first == 202) {
      res.set_header("Location", absl::StrCat("http://", req.get_header_value("Host"), req.path));
    }
    SendDoc(req, res, killed->first, {{"appstate", {{"state", killed->second}}}});
    return std::nullopt;
  }

  std::optional<HttpError> NewApp(const httplib::Request& req, httplib::Response& res) {
    if (UserName(req).empty()) {
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
    std::string user = UserName(req);
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
    res.set_content(RenderPrometheus(m, root.ok() ? &*root : nullptr),
                    "text/plain; version=0.0.4; charset=utf-8");
    return std::nullopt;
  }

  rm::RmCore& core_;
  EventLoop& loop_;
  Clock& clock_;
  const std::vector<UtilizationSample>& history_;  // read on the loop only
  std::vector<Route> routes_;
};

void RmWebServer::Handlers::AddUiRoutes() {
  constexpr char kHtml[] = "text/html; charset=utf-8";
  Add("GET", "/cluster/?", [this, kHtml](auto&, auto& res, auto&) {
    auto [info, m, history] = loop_.RunSync([this] {
      return std::make_tuple(
          ClusterInfoInput{core_.cluster_timestamp(), core_.config().store_class},
          core_.WebMetrics(), history_);
    });
    res.set_content(RenderClusterPage(ClusterInfoJson(info)["clusterInfo"],
                                      ClusterMetricsJson(m)["clusterMetrics"], history),
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
    proto::GetApplicationsRequest f;
    if (!q.state.empty()) f.add_application_states(*ParseAppState(q.state));
    auto [reports, cluster_id] = loop_.RunSync(
        [&] { return std::make_pair(core_.ListApplications(f), core_.cluster_timestamp()); });
    json apps = json::array();
    int64_t now = Now();
    for (auto it = reports.rbegin(); it != reports.rend(); ++it) {
      apps.push_back(AppJson(*it, cluster_id, now));  // newest first
    }
    res.set_content(RenderAppsPage(apps, q), kHtml);
    return std::optional<HttpError>();
  });
  Add("GET", "/cluster/app/([^/]+)", [this, kHtml](auto& req, auto& res, auto& m) {
    ApplicationId id;
    if (auto e = ParseApp(m[1], id)) return e;
    auto r = ReportOf(id);
    if (!r.ok()) return std::optional<HttpError>(FromStatus(r.status()));
    auto attempts = loop_.RunSync([&] { return core_.WebAttempts(id); });
    json list = json::array();
    if (attempts.ok()) {
      for (const auto& a : *attempts) list.push_back(AttemptJson(a, r->user()));
    }
    res.set_content(
        RenderAppPage(AppJson(*r, core_.cluster_timestamp(), Now()), list, UserName(req)), kHtml);
    return std::optional<HttpError>();
  });
  Add("POST", "/cluster/app/([^/]+)/kill", [this](auto& req, auto& res, auto& m) {
    ApplicationId id;
    if (auto e = ParseApp(m[1], id)) return e;
    std::string user = UserName(req);
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
  handlers_ = std::make_unique<Handlers>(core_, loop_, clock_, history_);
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
  int bound = 0;
  if (port == 0) {
    bound = server_->bind_to_any_port(host);
  } else {
    bound = server_->bind_to_port(host, port) ? port : -1;
  }
  if (bound <= 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("yarn.resourcemanager.webapp.address: cannot bind ",
                                               address, " (address in use?)"));
  }
  port_ = bound;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  loop_.Post([this] { Sample(); });
  sampler_ = loop_.PostPeriodic(absl::Minutes(1), [this] { Sample(); });
  return absl::OkStatus();
}

void RmWebServer::Sample() {
  rm::RmCore::WebClusterMetrics m = core_.WebMetrics();
  auto pct = [](int64_t used, int64_t total) {
    return total > 0 ? 100.0 * static_cast<double>(used) / static_cast<double>(total) : 0.0;
  };
  history_.push_back({clock_.NowMillis(), pct(m.allocated.memory_mb, m.total.memory_mb),
                      pct(m.allocated.vcores, m.total.vcores)});
  constexpr size_t kHourOfMinutes = 61;
  if (history_.size() > kHourOfMinutes) history_.erase(history_.begin());
}

void RmWebServer::Stop() {
  if (sampler_ != 0) {
    loop_.Cancel(sampler_);
    sampler_ = 0;
  }
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace skein::web
