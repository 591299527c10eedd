// The web server of a STANDBY ResourceManager (HA): /ws/v1/cluster/info with haState STANDBY,
// everything else redirected (307) to the active RM's web address, as Hadoop's RMWebAppFilter;
// with no active RM, Hadoop's "Can not find any active RM" page with a Refresh header.
//
// Thread rules: Start/Stop from one controlling thread; handlers run on cpp-httplib's threads and
// call `find_active_webapp`, which may block (it asks the other RMs).
#ifndef SKEIN_RESOURCEMANAGER_HA_STANDBY_WEB_H_
#define SKEIN_RESOURCEMANAGER_HA_STANDBY_WEB_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace skein::rm::ha {

struct StandbyWebOptions {
  std::string store_class;  // rmStateStoreName
  // haZooKeeperConnectionState, read per request.
  std::function<std::string()> zk_connection_state;
  // "host:port" of the active RM's web server, or nullopt when no RM is active.
  std::function<std::optional<std::string>()> find_active_webapp;
};

class StandbyWebServer {
 public:
  explicit StandbyWebServer(StandbyWebOptions options);
  ~StandbyWebServer();

  // Binds `address` (yarn.resourcemanager.webapp.address; port 0 = ephemeral).
  absl::Status Start(const std::string& address);
  void Stop();  // idempotent
  int port() const { return port_; }

 private:
  // The page for any path when no RM is active (Hadoop's Refresh page; see the .cc).
  void NoActivePage(const httplib::Request& req, httplib::Response& res) const;
  StandbyWebOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace skein::rm::ha

#endif  // SKEIN_RESOURCEMANAGER_HA_STANDBY_WEB_H_
