// Leader election between ResourceManagers through ZooKeeper, with the semantics of Hadoop's
// ActiveStandbyElector:
//
//   <parent>/ActiveStandbyElectorLock  ephemeral; holds the id of the RM that is active. Whoever
//                                      creates it is active; the others watch it and try again
//                                      when it is deleted (its owner's session closed/expired).
//   <parent>/ActiveBreadCrumb          persistent; the id of the last active. A new active that
//                                      finds another id there calls `fence_old_active` first;
//                                      a graceful Quit() deletes it.
//
// <parent> is <yarn.resourcemanager.ha.automatic-failover.zk-base-path>/<cluster-id>.
//
// Losing ZooKeeper: on a disconnection the active keeps its role for one session timeout (the
// session may survive); if the connection is not back by then it becomes standby (another RM may
// already hold the lock). On session expiry it becomes standby at once, opens a new session and
// joins the election again. If BecomeActive fails, the elector gives the lock up (closes its
// session), stays standby for `rejoin_delay`, then joins again so another RM can take over.
//
// Thread rules: Create/Join/Quit from one controlling thread. Every ZooKeeper call and every
// callback runs on the elector's own thread, one at a time; callbacks may block (they start and
// stop the RM's active services) but must not call Join/Quit. Accessors are safe from any thread.
#ifndef SKEIN_RESOURCEMANAGER_HA_ACTIVE_STANDBY_ELECTOR_H_
#define SKEIN_RESOURCEMANAGER_HA_ACTIVE_STANDBY_ELECTOR_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/event_loop.h"
#include "common/zk/zk_client.h"

namespace skein::rm::ha {

struct ElectorOptions {
  std::string zk_connect;                              // hadoop.zk.address
  absl::Duration session_timeout = absl::Seconds(10);  // hadoop.zk.timeout-ms
  std::string parent_path;  // <zk-base-path>/<cluster-id>, created if missing
  std::string id;           // this RM's id (yarn.resourcemanager.ha.id): the lock's data
  // Wait between attempts when ZooKeeper is unreachable, and after a failed BecomeActive.
  absl::Duration retry_interval = absl::Seconds(1);
  absl::Duration rejoin_delay = absl::Seconds(2);
};

struct ElectorCallbacks {
  // Called on the elector thread once this RM holds the lock. An error gives the lock up.
  std::function<absl::Status()> become_active;
  // Called on the elector thread when this RM must stop acting as active (and once after Join
  // when it starts as standby).
  std::function<void()> become_standby;
  // Optional: the breadcrumb names another RM that was active and did not quit gracefully.
  std::function<void(const std::string& old_active_id)> fence_old_active;
  // Optional: each new ZooKeeper session once it is open (observers such as tests read its id).
  std::function<void(const zk::ZkClient& session)> on_new_session;
};

class ActiveStandbyElector {
 public:
  enum class State { kInit, kActive, kStandby };

  ActiveStandbyElector(ElectorOptions options, ElectorCallbacks callbacks);
  ~ActiveStandbyElector();  // Quit()

  // Starts the elector thread and joins the election (asynchronously: returns at once).
  void Join();
  // Leaves the election: deletes the breadcrumb if active (a graceful exit needs no fencing),
  // closes the session (the lock vanishes) and stops the thread. Does NOT call become_standby.
  // Idempotent.
  void Quit();

  State state() const { return state_.load(); }
  bool active() const { return state_.load() == State::kActive; }
  // Hadoop's haZooKeeperConnectionState words: "CONNECTED", "DISCONNECTED", "TERMINATED".
  std::string zk_connection_state() const;
  std::string lock_path() const { return options_.parent_path + "/ActiveStandbyElectorLock"; }
  std::string breadcrumb_path() const { return options_.parent_path + "/ActiveBreadCrumb"; }

 private:
  enum class ZkState { kConnected, kDisconnected, kTerminated };

  // All on loop_.
  void JoinElection();
  void TryLock();
  void BecomeActive();
  void BecomeStandby();
  void GiveUpAndRejoinLater();
  void OnSession(zk::SessionEvent e);
  void OnLockEvent(zk::WatchEvent e);
  void ScheduleJoin(absl::Duration delay);

  const ElectorOptions options_;
  const ElectorCallbacks callbacks_;
  EventLoop loop_;
  std::unique_ptr<zk::ZkClient> zk_;  // loop_ only
  // Bumped per session: events of an older session are ignored.
  uint64_t session_epoch_ = 0;            // loop_ only
  EventLoop::TimerId neutral_timer_ = 0;  // loop_ only; stepping down after a disconnection
  EventLoop::TimerId join_timer_ = 0;     // loop_ only
  bool stepped_down_ = false;             // loop_ only; standby because of a disconnection
  std::atomic<State> state_{State::kInit};
  std::atomic<ZkState> zk_state_{ZkState::kTerminated};
  bool joined_ = false;
  bool quit_ = false;
};

}  // namespace skein::rm::ha

#endif  // SKEIN_RESOURCEMANAGER_HA_ACTIVE_STANDBY_ELECTOR_H_
