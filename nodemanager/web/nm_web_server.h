// The NodeManager's HTTP server on yarn.nodemanager.webapp.address: Hadoop's NodeManager REST API
// (/ws/v1/node, /ws/v1/node/info, /apps, /apps/{appid}, /containers, /containers/{containerid};
// JSON by default, XML for Accept: application/xml; YARN's RemoteException bodies for errors) and
// Prometheus text at /metrics and /prom; container log pages (nm_log_pages.h).
//
// Thread rules: Start/Stop/port from one controlling thread. HTTP threads take a snapshot with
// EventLoop::RunSync (the snapshot function runs on the NM loop) and render off the loop. Stop()
// must run before the loop stops.
#ifndef SKEIN_NODEMANAGER_WEB_NM_WEB_SERVER_H_
#define SKEIN_NODEMANAGER_WEB_NM_WEB_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/event_loop.h"
#include "common/ids.h"
#include "common/resource.h"
#include "common/rpc_metrics.h"
#include "common/web/jmx.h"
#include "protos/records.pb.h"
#include "protos/resource_tracker.pb.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace skein::nm::web {

// What the pages show; copied out of the NodeManager on its loop.
struct NmWebSnapshot {
  NodeId node_id;
  Resource total;                                       // what the node offers to containers
  proto::NodeHealthStatusProto health;                  // is_node_healthy, health_report, time
  int64_t last_update_ms = 0;                           // last heartbeat / status change
  std::vector<proto::ContainerStatusProto> containers;  // running and recently completed
  std::map<std::string, std::string> container_users;   // container id -> submitting user
  // Logs (issue 4): the NM's log dirs, each known container's log dir, and each application's
  // log aggregation status (YARN's names: NOT_START, RUNNING, SUCCEEDED, FAILED, DISABLED).
  std::vector<std::string> log_dirs;
  std::map<std::string, std::string> container_log_dirs;
  std::map<std::string, std::string> log_aggregation_status;  // app id -> status
  // /jmx NodeManagerMetrics (issue 16): cumulative since the NM started.
  int64_t containers_launched = 0;
  int64_t containers_completed = 0;  // exit 0
  int64_t containers_failed = 0;
  int64_t containers_killed = 0;
  int64_t launch_duration_ops = 0;
  int64_t launch_duration_total_ms = 0;
};

// The NodeManager's /jmx beans (issue 16), named as Hadoop's: NodeManagerMetrics
// (NodeManagerMetrics.java) and RpcActivityForPort<port> for ContainerManagementProtocol.
// ContainerLaunchDurationAvgTime averages over the process's life.
std::vector<skein::web::JmxBean> NmJmxBeans(
    const NmWebSnapshot& s, const std::string& hostname,
    const std::map<std::string, RpcMetrics::MethodTotals>& rpc);

class NmWebServer {
 public:
  // `snapshot` is called on `loop`'s thread.
  NmWebServer(EventLoop& loop, std::function<NmWebSnapshot()> snapshot);
  ~NmWebServer();  // Stop()
  NmWebServer(const NmWebServer&) = delete;
  NmWebServer& operator=(const NmWebServer&) = delete;

  // Binds `address` ("host:port"; port 0 = ephemeral). A bind failure is Unavailable naming
  // yarn.nodemanager.webapp.address and the address.
  absl::Status Start(const std::string& address);
  void Stop();  // idempotent
  int port() const { return port_; }

 private:
  EventLoop& loop_;
  std::function<NmWebSnapshot()> snapshot_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace skein::nm::web

#endif  // SKEIN_NODEMANAGER_WEB_NM_WEB_SERVER_H_
