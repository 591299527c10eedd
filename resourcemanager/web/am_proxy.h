// The ResourceManager's web proxy for ApplicationMaster web UIs (Hadoop's WebAppProxyServlet,
// served by the RM itself as when yarn.web-proxy.address is unset): /proxy/<application id>/<path>
// forwards to the tracking URL the AM registered (<tracking URL>/<path>?<query>), passes the
// answer back, and rewrites what would leave the proxy — a redirect's Location and, in HTML, the
// href/src/action links that point at the AM itself or at a root path — back under
// /proxy/<application id>/. This is how users reach a Spark UI through the RM.
//
// Before forwarding a browser's request (Accept: text/html) for a user other than the owner, the
// proxy shows Hadoop's warning page ("WARNING: The following page may not be safe!") whose link
// adds proxyapproved=true; that answer sets Hadoop's cookie checked_<application id>=true (path
// /proxy/<application id>, 2 hours) so later pages pass. Hadoop shows the page only with Kerberos
// on; Skein shows it whenever the caller (user.name, else hadoop.http.staticuser.user) is not the
// owner, since simple auth can name anyone. Programmatic clients (no text/html) are not warned.
//
// An application without a tracking URL yet, or already finished, is redirected to its RM page
// /cluster/app/<id> (Hadoop's behaviour without a history server).
//
// Stateless functions; any thread (HTTP workers). ForwardToAm blocks on the AM (bounded timeouts).
#ifndef SKEIN_RESOURCEMANAGER_WEB_AM_PROXY_H_
#define SKEIN_RESOURCEMANAGER_WEB_AM_PROXY_H_

#include <string>

#include "absl/status/statusor.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace skein::web {

// The parts of an http(s) tracking URL. `base_path` has no trailing slash ("" for the root).
struct AmEndpoint {
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;
  std::string base_path;
};
absl::StatusOr<AmEndpoint> ParseTrackingUrl(const std::string& url);

// "/proxy/<id>"
std::string ProxyBase(const std::string& app_id);

// A Location header from the AM, seen through the proxy: absolute URLs to the AM and root paths
// go under `proxy_base`; anything else (another host, a relative path) is left alone.
std::string RewriteLocation(const std::string& location, const AmEndpoint& am,
                            const std::string& proxy_base);
// The same for href="…", src="…" and action="…" attributes of an HTML page. Links already under
// /proxy/ (an AM that knows its proxy base, like Spark's) stay as they are.
std::string RewriteHtmlLinks(const std::string& html, const AmEndpoint& am,
                             const std::string& proxy_base);

// Hadoop's warning page; `approve_link` is the page again with proxyapproved=true.
std::string ProxyWarningPage(const std::string& approve_link, const std::string& owner);

// What the proxy needs to know about the application (copied off the RM loop).
struct ProxiedApp {
  std::string id;
  std::string owner;
  std::string tracking_url;  // as the AM registered it; "" when none yet
  bool finished = false;
};

// Serves /proxy/<app.id><rest> for `caller` into `res` (never throws).
void ServeProxy(const httplib::Request& req, httplib::Response& res, const ProxiedApp& app,
                const std::string& rest, const std::string& caller);

}  // namespace skein::web

#endif  // SKEIN_RESOURCEMANAGER_WEB_AM_PROXY_H_
