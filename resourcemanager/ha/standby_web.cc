#include "resourcemanager/ha/standby_web.h"

#include <httplib.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/web/http_listen.h"
#include "common/web/xml.h"
#include "resourcemanager/web/rm_views.h"

namespace skein::rm::ha {

namespace {

// Hadoop's YarnWebParams.NEXT_REFRESH_INTERVAL: how many refreshes the browser already made.
constexpr char kNextRefresh[] = "next.fresh.interval";
constexpr int kBasicSleepSeconds = 5;     // RMWebAppFilter.BASIC_SLEEP_TIME
constexpr int kMaxSleepSeconds = 5 * 60;  // RMWebAppFilter.MAX_SLEEP_TIME

}  // namespace

// No RM is active: Hadoop's RMWebAppFilter page. While the back-off (5 s doubling per refresh;
// Hadoop adds a random +-50%, Skein does not) stays within 5 minutes the answer is a 307 with a
// `Refresh: <s>;url=<this page with next.fresh.interval+1>` header that browsers and clients
// follow; after that, or on a malformed counter, a 200 saying there is no active RM.
void StandbyWebServer::NoActivePage(const httplib::Request& req, httplib::Response& res) const {
  int retries = 0;
  bool retry = true;
  if (req.has_param(kNextRefresh)) {
    retry =
        absl::SimpleAtoi(absl::StripAsciiWhitespace(req.get_param_value(kNextRefresh)), &retries) &&
        retries >= 0;
  }
  int64_t next = retry ? int64_t{kBasicSleepSeconds} << std::min(retries, 20) : 0;
  if (next > kMaxSleepSeconds) retry = false;
  std::string url = req.path;
  bool first = true;
  for (const auto& [k, v] : req.params) {
    if (k == kNextRefresh) continue;
    absl::StrAppend(&url, first ? "?" : "&", httplib::detail::encode_query_param(k), "=",
                    httplib::detail::encode_query_param(v));
    first = false;
  }
  absl::StrAppend(&url, first ? "?" : "&", kNextRefresh, "=", retries + 1);
  std::string body =
      retry ? absl::StrCat("Can not find any active RM. Will retry in next ", next, " seconds.")
            : "There is no active RM right now.";
  absl::StrAppend(&body, "\nHA Zookeeper Connection State: ",
                  options_.zk_connection_state ? options_.zk_connection_state() : "", "\n");
  if (retry) {
    res.status = 307;
    res.set_header("Refresh", absl::StrCat(next, ";url=", url));
  }
  res.set_content(body, "text/plain; charset=utf-8");
}

StandbyWebServer::StandbyWebServer(StandbyWebOptions options) : options_(std::move(options)) {}

StandbyWebServer::~StandbyWebServer() { Stop(); }

absl::Status StandbyWebServer::Start(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(absl::StrCat("yarn.resourcemanager.webapp.address: '",
                                                   address, "' is not a host:port address"));
  }
  server_ = std::make_unique<httplib::Server>();
  server_->Get("/ws/v1/cluster/info", [this](const httplib::Request& req, httplib::Response& res) {
    web::ClusterInfoInput in;
    in.store_class = options_.store_class;
    nlohmann::ordered_json doc = web::ClusterInfoJson(in);
    doc["clusterInfo"]["state"] = "STARTED";
    doc["clusterInfo"]["haState"] = "STANDBY";
    doc["clusterInfo"]["haZooKeeperConnectionState"] = options_.zk_connection_state();
    web::RenderedDocument out = web::RenderDocument(doc, req.get_header_value("Accept"));
    res.set_content(out.body, out.content_type);
  });
  auto redirect = [this](const httplib::Request& req, httplib::Response& res) {
    std::optional<std::string> active = options_.find_active_webapp();
    if (!active.has_value()) {
      NoActivePage(req, res);
      return;
    }
    std::string url = absl::StrCat("http://", *active, req.path);
    std::string query;
    for (const auto& [k, v] : req.params) {
      absl::StrAppend(&query, query.empty() ? "?" : "&", httplib::detail::encode_query_param(k),
                      "=", httplib::detail::encode_query_param(v));
    }
    url += query;
    res.status = 307;
    res.set_header("Location", url);
    res.set_content(absl::StrCat("This is standby RM. The redirect url is: ", url, "\n"),
                    "text/plain");
  };
  server_->Get(".*", redirect);
  server_->Post(".*", redirect);
  server_->Put(".*", redirect);
  server_->Delete(".*", redirect);
  const std::string host = address.substr(0, colon);
  auto bound = skein::web::BindAndListen(*server_, host, port,
                                         "yarn.resourcemanager.webapp.address", address, thread_);
  if (!bound.ok()) {
    server_.reset();
    return bound.status();
  }
  port_ = *bound;
  return absl::OkStatus();
}

void StandbyWebServer::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace skein::rm::ha
