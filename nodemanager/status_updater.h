// Registers this NodeManager with the RM's ResourceTracker and heartbeats: every
// nextHeartBeatInterval ms, and at once when a container completes (TriggerHeartbeat; a burst
// of completions coalesces into one heartbeat). An unreachable RM is retried with a backoff that
// starts at 100 ms and doubles up to yarn.resourcemanager.connect.retry-interval.ms; it never
// stops the NodeManager. With RM HA (rm_address lists every RM) a failed call moves to the next
// RM (common/rm_failover.h) and registers there. RESYNC re-registers; SHUTDOWN (an excluded or
// decommissioned node) stops heartbeating for good and sets shut_down_by_rm(), which
// `yarn nodemanager` polls to stop the daemon and exit.
//
// Thread rules: Start/Stop from the controlling thread. RPCs run on the updater's own thread; it
// reaches the ContainerManager only through loop.RunSync, never holding a lock while calling the
// RM. TriggerHeartbeat and registered() from any thread.
#ifndef SKEIN_NODEMANAGER_STATUS_UPDATER_H_
#define SKEIN_NODEMANAGER_STATUS_UPDATER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "common/event_loop.h"
#include "common/ids.h"
#include "common/resource.h"
#include "common/rm_failover.h"
#include "common/sync.h"
#include "nodemanager/container/container_manager.h"
#include "protos/resource_tracker.grpc.pb.h"

namespace skein::nm {

struct StatusUpdaterOptions {
  // Connectable host:port of the ResourceTracker; with RM HA every RM's, comma-separated.
  std::string rm_address;
  NodeId node_id;
  int http_port = 0;
  Resource total;
  absl::Duration retry_initial = absl::Milliseconds(100);
  absl::Duration retry_cap = absl::Seconds(30);
  absl::Duration rpc_timeout = absl::Seconds(10);
  // Fills health and utilization into each heartbeat's NodeStatusProto (any thread; called on
  // the updater's thread). Null: always healthy, no utilization.
  std::function<void(proto::NodeStatusProto*)> fill_node_status;
  // Runs on the loop with every accepted heartbeat response, just before the ContainerManager
  // applies it (log aggregation learns of finished applications here). Null: nothing.
  std::function<void(const proto::NodeHeartbeatResponse&)> on_heartbeat_response;
};

class StatusUpdater {
 public:
  StatusUpdater(StatusUpdaterOptions options, EventLoop& loop, ContainerManager& manager);
  ~StatusUpdater();  // Stop()s
  StatusUpdater(const StatusUpdater&) = delete;
  StatusUpdater& operator=(const StatusUpdater&) = delete;

  void Start();
  // Joins the thread (an RPC in flight is cancelled). Idempotent.
  void Stop();
  void TriggerHeartbeat();
  bool registered() const { return registered_.load(); }
  // True once the RM answered SHUTDOWN (excluded or decommissioned node): the updater stopped
  // for good and the daemon should stop (`yarn nodemanager` polls this and exits).
  bool shut_down_by_rm() const { return shutdown_by_rm_.load(); }

 private:
  void Run();
  // Waits up to `d` for Stop() (and, when `wake_on_trigger`, for TriggerHeartbeat()).
  // Returns false when stopping.
  bool Wait(absl::Duration d, bool wake_on_trigger);
  bool Register();   // true on NORMAL
  bool Heartbeat();  // false when the RPC failed
  void Log(const std::string& message);

  const StatusUpdaterOptions options_;
  EventLoop& loop_;
  ContainerManager& manager_;
  std::unique_ptr<RmFailover> rms_;  // the RM(s); current_index() is the one talked to
  std::vector<std::unique_ptr<proto::ResourceTracker::Stub>> stubs_;  // one per RM
  proto::ResourceTracker::Stub& stub() { return *stubs_[rms_->current_index()]; }
  const std::string& rm_address() const { return rms_->current().address; }
  // After a failed RPC with several RMs: the next one, registering afresh there.
  void FailOver();
  std::atomic<bool> registered_{false};
  std::atomic<bool> shutdown_by_rm_{false};
  int response_id_ = 0;
  absl::Duration interval_ = absl::Seconds(1);
  absl::Duration backoff_;
  bool last_rpc_failed_ = false;

  skein::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool triggered_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* in_flight_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_STATUS_UPDATER_H_
