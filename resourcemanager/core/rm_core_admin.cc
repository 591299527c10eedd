// RmCore: administrative changes to applications (move, priority, access checks), the admin
// protocol's refreshes, and the preemption monitor.
#include <algorithm>
#include <functional>

#include "absl/strings/str_cat.h"
#include "resourcemanager/core/rm_core.h"

namespace skein::rm {
namespace {

constexpr char kPreemptedDiagnostics[] = "Container preempted by scheduler";

absl::Status AppNotFound(const ApplicationId& id) {
  return absl::NotFoundError(
      absl::StrCat("Application with id '", id.ToString(), "' doesn't exist in RM."));
}

absl::Status ModifyDenied(const std::string& user, const ApplicationId& id) {
  return absl::PermissionDeniedError(
      absl::StrCat("User ", user, " cannot perform operation MODIFY_APP on ", id.ToString()));
}

}  // namespace

std::vector<std::string> RmCore::GroupsOf(const std::string& user) const {
  return user_groups_ ? user_groups_(user) : std::vector<std::string>{};
}

bool RmCore::IsAdmin(const std::string& user) const {
  return admin_acl_.Allows(user, GroupsOf(user));
}

absl::StatusOr<bool> RmCore::CanModifyApplication(const ApplicationId& id,
                                                  const std::string& user) const {
  const App* app = FindApp(id);
  if (app == nullptr) return AppNotFound(id);
  if (!config_.acl_enable) return true;
  return user == app->user || IsAdmin(user) ||
         scheduler_.HasAccess(app->queue, user, QueueAccess::kAdministerQueue);
}

absl::Status RmCore::MoveApplication(const ApplicationId& id, const std::string& queue,
                                     const std::string& user) {
  App* app = FindApp(id);
  if (app == nullptr) return AppNotFound(id);
  if (!*CanModifyApplication(id, user)) return ModifyDenied(user, id);
  if (app->done()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "App in ", proto::YarnApplicationState_Name(app->state), " state cannot be moved."));
  }
  if (queue.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Cannot move ", id.ToString(), ": the target queue name is empty"));
  }
  if (config_.acl_enable && !IsAdmin(user) &&
      !scheduler_.HasAccess(queue, user, QueueAccess::kSubmitApplications) &&
      !scheduler_.HasAccess(queue, user, QueueAccess::kAdministerQueue)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "User ", user, " cannot submit applications to target queue or the target queue doesn't ",
        "exist: ", queue, " while moving ", id.ToString()));
  }
  std::string landed = queue;
  Attempt* attempt = app->current();
  // An attempt is in the scheduler from StartAttempt until it ends; between attempts (or before
  // the first) only the recorded queue changes, and the next AddAttempt validates it.
  bool in_scheduler = attempt != nullptr && attempt->state != proto::APP_ATTEMPT_FAILED &&
                      attempt->state != proto::APP_ATTEMPT_KILLED &&
                      attempt->state != proto::APP_ATTEMPT_FINISHED;
  if (in_scheduler) {
    auto moved = scheduler_.MoveAttempt(attempt->id, queue);
    if (!moved.ok()) {
      return absl::Status(moved.status().code(),
                          absl::StrCat("Cannot move ", id.ToString(), " from queue ", app->queue,
                                       " to queue ", queue, ": ", moved.status().message()));
    }
    landed = *moved;
  }
  app->queue = landed;
  app->context.set_queue(landed);
  PersistApp(*app);
  RunScheduling();  // the target queue may have room the source had not
  return absl::OkStatus();
}

absl::StatusOr<int32_t> RmCore::UpdateApplicationPriority(const ApplicationId& id, int32_t priority,
                                                          const std::string& user) {
  App* app = FindApp(id);
  if (app == nullptr) return AppNotFound(id);
  if (!*CanModifyApplication(id, user)) return ModifyDenied(user, id);
  if (app->done()) return app->context.priority().priority();  // as YARN: nothing to change
  int32_t applied = priority;
  Attempt* attempt = app->current();
  bool in_scheduler = attempt != nullptr && attempt->state != proto::APP_ATTEMPT_FAILED &&
                      attempt->state != proto::APP_ATTEMPT_KILLED &&
                      attempt->state != proto::APP_ATTEMPT_FINISHED;
  if (in_scheduler) {
    auto updated = scheduler_.UpdateAttemptPriority(attempt->id, priority);
    if (!updated.ok()) {
      return absl::Status(updated.status().code(),
                          absl::StrCat("Cannot update the priority of ", id.ToString(), " to ",
                                       priority, ": ", updated.status().message()));
    }
    applied = *updated;
  }
  app->context.mutable_priority()->set_priority(applied);
  PersistApp(*app);
  RunScheduling();
  return applied;
}

absl::Status RmCore::SignalContainer(const ContainerId& id,
                                     proto::SignalContainerCommandProto command,
                                     const std::string& user) {
  auto it = containers_.find(id);
  if (it == containers_.end()) {
    return absl::NotFoundError(
        absl::StrCat("Container with id '", id.ToString(), "' doesn't exist in RM."));
  }
  if (command == proto::SIGNAL_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("No signal command given for ", id.ToString(),
                     "; expected OUTPUT_THREAD_DUMP, GRACEFUL_SHUTDOWN or FORCEFUL_SHUTDOWN"));
  }
  auto allowed = CanModifyApplication(id.application_id(), user);
  if (!allowed.ok()) return allowed.status();
  if (!*allowed) return ModifyDenied(user, id.application_id());
  auto node = nodes_.find(it->second.node);
  if (node == nodes_.end()) {
    return absl::NotFoundError(absl::StrCat("Node ", it->second.node.ToString(), " of ",
                                            id.ToString(), " is not known to this RM"));
  }
  proto::SignalContainerRequest req;
  *req.mutable_container_id() = id.ToProto();
  req.set_command(command);
  node->second.to_signal.push_back(req);
  return absl::OkStatus();
}

absl::Status RmCore::CheckAdminAccess(const std::string& user, absl::string_view operation) const {
  if (!config_.acl_enable || IsAdmin(user)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("User ", user, " doesn't have permission to call '", operation, "'"));
}

absl::Status RmCore::RefreshQueues(const conf::Configuration& conf) {
  if (auto s = scheduler_.Reinitialize(conf); !s.ok()) return s;
  SchedulePreemption();
  RunScheduling();  // new or larger queues may take waiting applications now
  return absl::OkStatus();
}

void RmCore::RefreshAdminAcls(const conf::Configuration& conf) {
  admin_acl_ = QueueAcl::Parse(conf.Get("yarn.admin.acl", "*"));
}

void RmCore::SchedulePreemption() {
  int64_t interval = scheduler_.PreemptionIntervalMs();
  if (interval == preemption_interval_ms_) return;
  if (preemption_interval_ms_ > 0) loop_.Cancel(preemption_timer_);
  preemption_interval_ms_ = interval;
  if (interval > 0) {
    preemption_timer_ =
        loop_.PostPeriodic(absl::Milliseconds(interval), [this] { RunPreemption(); });
  }
}

void RmCore::RunPreemption() {
  PreemptionRound round = scheduler_.SelectPreemption(clock_.NowMillis());
  for (const ContainerId& c : round.to_warn) {
    if (!containers_.contains(c)) continue;
    Attempt* attempt = FindAttempt(c.application_attempt_id());
    if (attempt == nullptr) continue;
    if (std::find(attempt->to_preempt.begin(), attempt->to_preempt.end(), c) ==
        attempt->to_preempt.end()) {
      attempt->to_preempt.push_back(c);
    }
    news_.Bump(attempt->id);
  }
  for (const ContainerId& c : round.to_kill) PreemptContainer(c);
  if (!round.to_kill.empty()) RunScheduling();
}

void RmCore::PreemptContainer(const ContainerId& id) {
  auto it = containers_.find(id);
  if (it == containers_.end()) return;  // completed or released meanwhile
  const RMContainer c = it->second;
  if (App* app = FindApp(id.application_id())) {
    int64_t seconds = std::max<int64_t>(0, clock_.NowMillis() - c.start_time) / 1000;
    app->preempted_memory_seconds += c.resource.memory_mb * seconds;
    app->preempted_vcore_seconds += c.resource.vcores * seconds;
  }
  auto node = nodes_.find(c.node);
  if (node != nodes_.end()) node->second.to_cleanup.push_back(id);
  proto::ContainerStatusProto status;
  *status.mutable_container_id() = id.ToProto();
  status.set_state(proto::C_COMPLETE);
  status.set_exit_status(proto::PREEMPTED);
  status.set_diagnostics(kPreemptedDiagnostics);
  // Releases it in the scheduler; an AM container fails its attempt (PREEMPTED does not count).
  ContainerCompleted(id, status);
}

}  // namespace skein::rm

namespace skein::rm {

std::vector<proto::QueueUserACLInfoProto> RmCore::QueueUserAcls(const std::string& user) const {
  std::vector<proto::QueueUserACLInfoProto> out;
  auto root = scheduler_.GetQueue("root");
  if (!root.ok()) root = scheduler_.GetQueue("default");  // FIFO: one queue
  if (!root.ok()) return out;
  const bool admin = !config_.acl_enable || IsAdmin(user);
  std::function<void(const QueueSnapshot&)> walk = [&](const QueueSnapshot& q) {
    proto::QueueUserACLInfoProto info;
    info.set_queue_name(q.name);
    const std::string& key = q.path.empty() ? q.name : q.path;
    if (admin || scheduler_.HasAccess(key, user, QueueAccess::kSubmitApplications)) {
      info.add_user_acls(proto::QACL_SUBMIT_APPLICATIONS);
    }
    if (admin || scheduler_.HasAccess(key, user, QueueAccess::kAdministerQueue)) {
      info.add_user_acls(proto::QACL_ADMINISTER_QUEUE);
    }
    out.push_back(std::move(info));
    for (const auto& c : q.children) walk(c);
  };
  walk(*root);
  return out;
}

std::vector<std::string> RmCore::GroupsForUser(const std::string& user) const {
  return GroupsOf(user);
}

}  // namespace skein::rm
