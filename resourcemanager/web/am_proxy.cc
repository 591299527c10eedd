#include "resourcemanager/web/am_proxy.h"

#include <httplib.h>

#include <optional>
#include <regex>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/web/xml.h"

namespace skein::web {
namespace {

constexpr char kApproved[] = "proxyapproved";
constexpr int kCookieSeconds = 2 * 60 * 60;  // Hadoop's check cookie lives 2 hours

std::string CookieName(const std::string& app_id) { return "checked_" + app_id; }

// The value of cookie `name` in the request, or nullopt.
std::optional<std::string> CookieValue(const httplib::Request& req, const std::string& name) {
  for (absl::string_view part : absl::StrSplit(req.get_header_value("Cookie"), ';')) {
    part = absl::StripAsciiWhitespace(part);
    size_t eq = part.find('=');
    if (eq != absl::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
  }
  return std::nullopt;
}

std::string Join(const std::string& base, const std::string& rest) {
  if (rest.empty()) return base.empty() ? "/" : base + "/";
  return base + (rest[0] == '/' ? rest : "/" + rest);
}

// The request's query string without proxyapproved.
std::string QueryWithout(const httplib::Request& req, const std::string& drop) {
  size_t q = req.target.find('?');
  if (q == std::string::npos) return "";
  std::string out;
  for (absl::string_view kv : absl::StrSplit(req.target.substr(q + 1), '&', absl::SkipEmpty())) {
    if (kv == drop || absl::StartsWith(kv, drop + "=")) continue;
    absl::StrAppend(&out, out.empty() ? "" : "&", kv);
  }
  return out;
}

bool WantsHtml(const httplib::Request& req) {
  return absl::StrContains(req.get_header_value("Accept"), "text/html");
}

void Redirect(httplib::Response& res, const std::string& to) {
  res.status = 302;
  res.set_header("Location", to);
  res.set_content(
      absl::StrCat("<p>Moved to <a href=\"", XmlEscape(to), "\">", XmlEscape(to), "</a></p>"),
      "text/html; charset=utf-8");
}

void Error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(absl::StrCat("<html><body><h2>", status, "</h2><p>", XmlEscape(message),
                               "</p></body></html>"),
                  "text/html; charset=utf-8");
}

}  // namespace

absl::StatusOr<AmEndpoint> ParseTrackingUrl(const std::string& url) {
  static const std::regex kUrl(R"(^(https?)://([^/:?#]+)(?::(\d+))?([^?#]*).*$)",
                               std::regex::icase);
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) {
    return absl::InvalidArgumentError(
        absl::StrCat("tracking URL '", url, "' is not an http(s)://host[:port][/path] URL"));
  }
  AmEndpoint e;
  e.scheme = absl::AsciiStrToLower(std::string(m[1]));
  e.host = m[2];
  e.port = e.scheme == "https" ? 443 : 80;
  if (m[3].matched &&
      (!absl::SimpleAtoi(std::string(m[3]), &e.port) || e.port <= 0 || e.port > 65535)) {
    return absl::InvalidArgumentError(absl::StrCat("tracking URL '", url, "' has a bad port"));
  }
  e.base_path = m[4];
  while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
  return e;
}

std::string ProxyBase(const std::string& app_id) { return "/proxy/" + app_id; }

std::string RewriteLocation(const std::string& location, const AmEndpoint& am,
                            const std::string& proxy_base) {
  std::string path;
  for (const std::string& origin : {absl::StrCat(am.scheme, "://", am.host, ":", am.port),
                                    absl::StrCat(am.scheme, "://", am.host)}) {
    if (absl::StartsWith(location, origin) &&
        (location.size() == origin.size() || location[origin.size()] == '/' ||
         location[origin.size()] == '?')) {
      path = location.substr(origin.size());
      if (path.empty() || path[0] == '?') path = "/" + path;
      break;
    }
  }
  if (path.empty()) {
    if (location.empty() || location[0] != '/' || absl::StartsWith(location, "//")) return location;
    path = location;
  }
  if (absl::StartsWith(path, "/proxy/")) return path;
  // The AM's own base path is what the proxy's root maps to.
  if (!am.base_path.empty() && absl::StartsWith(path, am.base_path)) {
    path = path.substr(am.base_path.size());
    if (path.empty() || path[0] != '/') path = "/" + path;
  }
  return proxy_base + path;
}

std::string RewriteHtmlLinks(const std::string& html, const AmEndpoint& am,
                             const std::string& proxy_base) {
  static const std::regex kAttr(R"(((?:href|src|action)\s*=\s*)(["'])([^"']*)\2)",
                                std::regex::icase);
  std::string out;
  auto begin = std::sregex_iterator(html.begin(), html.end(), kAttr);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out.append(html, last, m.position(0) - last);
    std::string value = m[3];
    std::string rewritten = RewriteLocation(value, am, proxy_base);
    absl::StrAppend(&out, m[1].str(), m[2].str(), rewritten, m[2].str());
    last = m.position(0) + m.length(0);
  }
  out.append(html, last, std::string::npos);
  return out;
}

std::string ProxyWarningPage(const std::string& approve_link, const std::string& owner) {
  return absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Proxy warning</title></head>"
      "<body><h1>WARNING: The following page may not be safe!</h1><h3>click <a href=\"",
      XmlEscape(approve_link),
      "\">here</a> to continue to an Application Master web interface "
      "owned by ",
      XmlEscape(owner), "</h3></body></html>\n");
}

void ServeProxy(const httplib::Request& req, httplib::Response& res, const ProxiedApp& app,
                const std::string& rest, const std::string& caller) {
  const std::string base = ProxyBase(app.id);
  if (app.finished || app.tracking_url.empty() || app.tracking_url == "N/A") {
    Redirect(res, "/cluster/app/" + app.id);
    return;
  }
  auto am = ParseTrackingUrl(app.tracking_url);
  if (!am.ok()) {
    Error(res, 502, std::string(am.status().message()));
    return;
  }
  // Hadoop's check: warned (cookie present) and approved (parameter or cookie) pass.
  std::optional<std::string> cookie = CookieValue(req, CookieName(app.id));
  bool warned = cookie.has_value();
  bool approved = req.get_param_value(kApproved) == "true" || (warned && *cookie == "true");
  const std::string query = QueryWithout(req, kApproved);
  if (WantsHtml(req) && caller != app.owner && !(warned && approved)) {
    std::string link = absl::StrCat(base, rest.empty() ? "/" : rest, "?", query,
                                    query.empty() ? "" : "&", kApproved, "=true");
    res.set_header("Set-Cookie", absl::StrCat(CookieName(app.id), "=false; Path=", base,
                                              "; Max-Age=", kCookieSeconds));
    res.set_content(ProxyWarningPage(link, app.owner), "text/html; charset=utf-8");
    return;
  }
  if (warned && approved && *cookie != "true") {
    res.set_header("Set-Cookie", absl::StrCat(CookieName(app.id), "=true; Path=", base,
                                              "; Max-Age=", kCookieSeconds));
  }

  httplib::Request out;
  out.method = req.method;
  out.path = Join(am->base_path, rest) + (query.empty() ? "" : "?" + query);
  static const std::set<std::string> kForward = {"Accept",
                                                 "Accept-Language",
                                                 "Accept-Charset",
                                                 "Content-Type",
                                                 "User-Agent",
                                                 "Origin",
                                                 "Referer",
                                                 "Access-Control-Request-Method",
                                                 "Access-Control-Request-Headers"};
  for (const auto& [k, v] : req.headers) {
    for (const auto& allowed : kForward) {
      if (absl::EqualsIgnoreCase(k, allowed)) out.headers.emplace(allowed, v);
    }
  }
  out.headers.emplace("X-Forwarded-For", req.remote_addr);
  out.body = req.body;
  httplib::Client client(absl::StrCat(am->scheme, "://", am->host, ":", am->port));
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(30, 0);
  client.set_write_timeout(30, 0);
  client.set_follow_location(false);
  httplib::Result r = client.send(out);
  if (!r) {
    Error(res, 502,
          absl::StrCat("cannot reach the ApplicationMaster of ", app.id, " at ", app.tracking_url,
                       ": ", httplib::to_string(r.error())));
    return;
  }
  res.status = r->status;
  static const std::set<std::string> kDrop = {
      "connection",       "keep-alive",   "transfer-encoding", "content-length",
      "content-encoding", "content-type", "location",          "set-cookie"};
  for (const auto& [k, v] : r->headers) {
    if (!kDrop.count(absl::AsciiStrToLower(k))) res.headers.emplace(k, v);
  }
  if (r->has_header("Location")) {
    res.set_header("Location", RewriteLocation(r->get_header_value("Location"), *am, base));
  }
  // The AM's cookies live under the proxy path.
  for (size_t i = 0; i < r->get_header_value_count("Set-Cookie"); ++i) {
    res.headers.emplace("Set-Cookie", r->get_header_value("Set-Cookie", i));
  }
  std::string type = r->get_header_value("Content-Type");
  if (absl::StartsWith(absl::AsciiStrToLower(type), "text/html")) {
    res.set_content(RewriteHtmlLinks(r->body, *am, base), type);
  } else {
    res.set_content(r->body, type.empty() ? "application/octet-stream" : type);
  }
}

}  // namespace skein::web
