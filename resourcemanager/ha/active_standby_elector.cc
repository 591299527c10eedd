#include "resourcemanager/ha/active_standby_elector.h"

#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"

namespace skein::rm::ha {
namespace {

void Log(const std::string& id, const std::string& what) {
  std::cerr << "ActiveStandbyElector[" << id << "]: " << what << std::endl;
}

}  // namespace

ActiveStandbyElector::ActiveStandbyElector(ElectorOptions options, ElectorCallbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)), loop_("rm-elector") {}

ActiveStandbyElector::~ActiveStandbyElector() { Quit(); }

void ActiveStandbyElector::Join() {
  if (joined_) return;
  joined_ = true;
  loop_.Start();
  loop_.Post([this] { JoinElection(); });
}

void ActiveStandbyElector::Quit() {
  if (!joined_ || quit_) return;
  loop_.RunSync([this] {
    quit_ = true;
    if (neutral_timer_ != 0) loop_.Cancel(neutral_timer_);
    if (join_timer_ != 0) loop_.Cancel(join_timer_);
    if (zk_ != nullptr && state_.load() == State::kActive) {
      // A graceful exit: the next active has nothing to fence.
      absl::Status s = zk_->Delete(breadcrumb_path());
      if (!s.ok() && !absl::IsNotFound(s)) Log(options_.id, std::string(s.message()));
    }
    zk_.reset();  // closes the session: the lock vanishes now, not after the session timeout
    ++session_epoch_;
    zk_state_ = ZkState::kTerminated;
    state_ = State::kStandby;
  });
  loop_.Stop();
}

std::string ActiveStandbyElector::zk_connection_state() const {
  switch (zk_state_.load()) {
    case ZkState::kConnected:
      return "CONNECTED";
    case ZkState::kDisconnected:
      return "DISCONNECTED";
    case ZkState::kTerminated:
      return "TERMINATED";
  }
  return "TERMINATED";
}

void ActiveStandbyElector::ScheduleJoin(absl::Duration delay) {
  if (quit_ || join_timer_ != 0) return;
  join_timer_ = loop_.PostDelayed(delay, [this] {
    join_timer_ = 0;
    JoinElection();
  });
}

void ActiveStandbyElector::JoinElection() {
  if (quit_) return;
  if (zk_ == nullptr) {
    const uint64_t epoch = ++session_epoch_;
    zk::ZkClient::Options o;
    o.connect = options_.zk_connect;
    o.session_timeout = options_.session_timeout;
    o.connect_timeout = options_.session_timeout;
    o.on_session_event = [this, epoch](zk::SessionEvent e) {
      loop_.Post([this, epoch, e] {
        if (epoch == session_epoch_) OnSession(e);
      });
    };
    auto client = zk::ZkClient::Connect(o);
    if (!client.ok()) {
      Log(options_.id, absl::StrCat("cannot reach ZooKeeper, retrying in ",
                                    absl::FormatDuration(options_.retry_interval), ": ",
                                    client.status().message()));
      zk_state_ = ZkState::kTerminated;
      BecomeStandby();
      ScheduleJoin(options_.retry_interval);
      return;
    }
    zk_ = std::move(*client);
    zk_state_ = ZkState::kConnected;
    if (callbacks_.on_new_session) callbacks_.on_new_session(*zk_);
    if (absl::Status s = zk_->EnsurePath(options_.parent_path); !s.ok()) {
      Log(options_.id, absl::StrCat("creating the election path: ", s.message()));
      BecomeStandby();
      ScheduleJoin(options_.retry_interval);
      return;
    }
  }
  TryLock();
}

void ActiveStandbyElector::TryLock() {
  if (quit_ || zk_ == nullptr) return;
  auto made = zk_->Create(lock_path(), options_.id, zk::CreateMode::kEphemeral);
  if (made.ok()) {
    BecomeActive();
    return;
  }
  if (!absl::IsAlreadyExists(made.status())) {
    Log(options_.id, absl::StrCat("trying the lock: ", made.status().message()));
    BecomeStandby();
    ScheduleJoin(options_.retry_interval);
    return;
  }
  auto holder = zk_->Get(lock_path());
  if (holder.ok() && holder->ephemeral_owner == zk_->session_id()) {
    // Ours already (a create that succeeded before a connection loss, or a reconnection after
    // stepping down): the session and the lock survived.
    if (state_.load() != State::kActive) BecomeActive();
    return;
  }
  if (!holder.ok() && !absl::IsNotFound(holder.status())) {
    BecomeStandby();
    ScheduleJoin(options_.retry_interval);
    return;
  }
  BecomeStandby();
  const uint64_t epoch = session_epoch_;
  auto watched = zk_->ExistsWatch(lock_path(), [this, epoch](zk::WatchEvent e) {
    loop_.Post([this, epoch, e] {
      if (epoch == session_epoch_) OnLockEvent(e);
    });
  });
  if (!watched.ok()) {
    ScheduleJoin(options_.retry_interval);
  } else if (!*watched) {
    loop_.Post([this] { TryLock(); });  // released between the create and the watch
  }
}

void ActiveStandbyElector::BecomeActive() {
  auto crumb = zk_->Get(breadcrumb_path());
  if (crumb.ok() && crumb->data != options_.id && callbacks_.fence_old_active) {
    Log(options_.id, absl::StrCat("fencing the old active ", crumb->data));
    callbacks_.fence_old_active(crumb->data);
  }
  absl::Status wrote;
  if (crumb.ok()) {
    wrote = zk_->Set(breadcrumb_path(), options_.id, crumb->version).status();
  } else if (absl::IsNotFound(crumb.status())) {
    wrote = zk_->Create(breadcrumb_path(), options_.id).status();
  } else {
    wrote = crumb.status();
  }
  if (!wrote.ok()) {
    Log(options_.id, absl::StrCat("writing the breadcrumb: ", wrote.message()));
    GiveUpAndRejoinLater();
    return;
  }
  stepped_down_ = false;
  Log(options_.id, "holds the lock; becoming active");
  absl::Status s = callbacks_.become_active ? callbacks_.become_active() : absl::OkStatus();
  if (!s.ok()) {
    Log(options_.id, absl::StrCat("becoming active failed; giving the lock up: ", s.message()));
    state_ = State::kActive;  // so that BecomeStandby cleans up what was started
    GiveUpAndRejoinLater();
    return;
  }
  state_ = State::kActive;
}

void ActiveStandbyElector::BecomeStandby() {
  if (state_.load() == State::kStandby) return;
  state_ = State::kStandby;
  if (callbacks_.become_standby) callbacks_.become_standby();
}

void ActiveStandbyElector::GiveUpAndRejoinLater() {
  BecomeStandby();
  zk_.reset();
  ++session_epoch_;
  zk_state_ = ZkState::kTerminated;
  ScheduleJoin(options_.rejoin_delay);
}

void ActiveStandbyElector::OnSession(zk::SessionEvent e) {
  if (quit_) return;
  switch (e) {
    case zk::SessionEvent::kConnected:
      zk_state_ = ZkState::kConnected;
      if (neutral_timer_ != 0) loop_.Cancel(neutral_timer_);
      neutral_timer_ = 0;
      if (stepped_down_) {
        stepped_down_ = false;
        TryLock();
      }
      return;
    case zk::SessionEvent::kDisconnected:
      zk_state_ = ZkState::kDisconnected;
      if (state_.load() == State::kActive && neutral_timer_ == 0) {
        // The session may survive; if it does not come back within its timeout, another RM may
        // hold the lock by now: stop acting as active.
        neutral_timer_ = loop_.PostDelayed(options_.session_timeout, [this] {
          neutral_timer_ = 0;
          if (zk_state_.load() == ZkState::kConnected || state_.load() != State::kActive) return;
          Log(options_.id, "ZooKeeper unreachable for a session timeout; becoming standby");
          stepped_down_ = true;
          BecomeStandby();
        });
      }
      return;
    case zk::SessionEvent::kExpired:
    case zk::SessionEvent::kAuthFailed:
      Log(options_.id, absl::StrCat("ZooKeeper session ", zk::SessionEventName(e),
                                    "; becoming standby and joining again"));
      if (neutral_timer_ != 0) loop_.Cancel(neutral_timer_);
      neutral_timer_ = 0;
      stepped_down_ = false;
      BecomeStandby();
      zk_.reset();
      ++session_epoch_;
      zk_state_ = ZkState::kTerminated;
      JoinElection();
      return;
  }
}

void ActiveStandbyElector::OnLockEvent(zk::WatchEvent e) {
  if (quit_ || e == zk::WatchEvent::kSessionExpired) return;  // OnSession handles expiry
  if (state_.load() != State::kActive) TryLock();
}

}  // namespace skein::rm::ha
