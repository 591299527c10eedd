#include "resourcemanager/ha/standby_web.h"

#include <httplib.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/web/http_listen.h"
#include "common/web/xml.h"
#include "resourcemanager/web/rm_views.h"

namespace skein::rm::ha {

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
      res.status = 503;
      res.set_content("This is standby RM. No active ResourceManager was found.\n", "text/plain");
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
