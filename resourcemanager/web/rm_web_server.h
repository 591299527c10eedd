// The ResourceManager's HTTP server on yarn.resourcemanager.webapp.address: the REST API under
// /ws/v1/cluster (Hadoop's ResourceManagerRest: JSON by default, XML for Accept:
// application/xml), Prometheus text at /metrics and /prom, and the HTML UI under /cluster.
//
// Thread rules: Start/Stop/port from one controlling thread. HTTP worker threads never touch
// RmCore: every request copies what it needs out of the core with EventLoop::RunSync on the RM
// loop and renders off the loop. A sampler thread does the same every 10 s for the /cluster
// utilization chart. Stop() must run before the loop stops.
//
// Identity is Hadoop's simple auth: the `user.name` query parameter. Changes (new-application,
// submission, kill) without it are refused with 403, as YARN does without an authenticated user.
// Errors carry YARN's RemoteException body; no request produces a 500.
#ifndef SKEIN_RESOURCEMANAGER_WEB_RM_WEB_SERVER_H_
#define SKEIN_RESOURCEMANAGER_WEB_RM_WEB_SERVER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/event_loop.h"
#include "resourcemanager/core/rm_core.h"
#include "resourcemanager/web/rm_ui.h"
#include "resourcemanager/web/utilization_history.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace skein::web {

class RmWebServer {
 public:
  RmWebServer(rm::RmCore& core, EventLoop& loop, Clock& clock);
  ~RmWebServer();  // Stop()
  RmWebServer(const RmWebServer&) = delete;
  RmWebServer& operator=(const RmWebServer&) = delete;

  // Binds `address` ("host:port"; port 0 = ephemeral) and serves on a background thread. A bind
  // failure is Unavailable naming yarn.resourcemanager.webapp.address and the address.
  absl::Status Start(const std::string& address);
  // On an HA RM (before Start): what /ws/v1/cluster/info says as haZooKeeperConnectionState
  // (the elector's state, read per request on an HTTP thread).
  void set_ha_zk_state(std::function<std::string()> state) { ha_zk_state_ = std::move(state); }
  // Before Start: gRPC service name (e.g. "ApplicationClientProtocol") -> its bound "host:port",
  // for /jmx's RpcActivityForPort<port> beans.
  void set_rpc_addresses(std::map<std::string, std::string> addresses) {
    rpc_addresses_ = std::move(addresses);
  }
  // Stops accepting, finishes in-flight requests and joins. Idempotent.
  void Stop();
  int port() const { return port_; }

 private:
  class Handlers;
  // The sampler thread: every kSamplePeriod copies the cluster metrics off the loop (RunSync)
  // into history_, until Stop().
  void SampleLoop();
  static constexpr auto kSamplePeriod = std::chrono::seconds(10);
  rm::RmCore& core_;
  EventLoop& loop_;
  Clock& clock_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<Handlers> handlers_;
  std::function<std::string()> ha_zk_state_;
  std::map<std::string, std::string> rpc_addresses_;
  std::thread thread_;
  int port_ = 0;
  UtilizationHistory history_;  // the /cluster chart: the last hour at 10 s
  std::thread sampler_;
  std::mutex sampler_mu_;
  std::condition_variable sampler_wake_;
  bool stopping_ = false;  // guarded by sampler_mu_
};

}  // namespace skein::web

#endif  // SKEIN_RESOURCEMANAGER_WEB_RM_WEB_SERVER_H_
