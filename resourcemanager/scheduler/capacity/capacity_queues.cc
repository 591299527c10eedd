// CapacityScheduler: queries, queue administration (move, priority, ACLs, reload) and the
// preemption monitor's glue. Scheduling itself is in capacity_scheduler.cc.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/conf/configuration.h"
#include "resourcemanager/scheduler/capacity/capacity_scheduler.h"

namespace skein::rm {
namespace {

// Per-leaf figures that need a pass over the applications (GetQueue only).
struct LeafTally {
  Resource pending;
  int32_t active = 0;
  int32_t waiting = 0;                                       // not activated: held by the AM limit
  std::map<std::string, std::pair<int32_t, int32_t>> users;  // active, waiting
};

}  // namespace

// ---- Queries ----------------------------------------------------------------------------------

Resource CapacityScheduler::Headroom(const ApplicationAttemptId& attempt) const {
  RefreshLimits();
  Resource headroom = Resource::ComponentMax(Resource(), cluster_ - used_);
  auto it = apps_.find(attempt);
  if (it == apps_.end()) return headroom;
  const App& app = it->second;
  headroom =
      Resource::ComponentMin(headroom, UserLimit(app.leaf, Resource()) - app.user_state->used);
  for (int q = app.leaf; q >= 0; q = config_.queues[q].parent) {
    headroom = Resource::ComponentMin(headroom, queues_[q].max_resource - queues_[q].used);
  }
  return Resource::ComponentMax(Resource(), headroom);
}

Resource CapacityScheduler::Pending(const ApplicationAttemptId& attempt) const {
  auto it = apps_.find(attempt);
  return it == apps_.end() ? Resource() : it->second.pending;
}

std::string CapacityScheduler::PendingReason(const ApplicationAttemptId& attempt) const {
  auto it = apps_.find(attempt);
  if (it == apps_.end() || it->second.am_allocated) return "";
  const App& app = it->second;
  switch (app.am_wait) {
    case AmWait::kAmLimit:
      return AmLimitReason(app.leaf, app.am_wait_ask);
    case AmWait::kResources:
      return WaitingForAmReason(app.leaf);
    case AmWait::kNone:
      // Schedule() stopped before trying this app because no node can hold any pending ask.
      return app.has_demand ? WaitingForAmReason(app.leaf) : "";
  }
  return "";
}

void CapacityScheduler::FillLeafSnapshot(int index, QueueSnapshot& s) const {
  const QueueConfig& c = config_.queues[index];
  const Queue& q = queues_[index];
  LeafTally tally;
  for (const auto& [id, app] : apps_) {
    if (app.leaf != index) continue;
    tally.pending += app.pending;
    bool waiting = !app.am_allocated && app.am_wait == AmWait::kAmLimit;
    auto& [active, held] = tally.users[app.user];
    if (waiting) {
      ++tally.waiting;
      ++held;
    } else {
      ++tally.active;
      ++active;
    }
  }
  s.num_active_applications = tally.active;
  s.num_pending_applications = tally.waiting;
  s.max_applications = static_cast<int32_t>(c.maximum_applications);
  s.max_applications_per_user = static_cast<int32_t>(MaxAppsPerUser(index));
  s.pending = tally.pending;
  s.am_used = q.am_used;
  s.am_limit = q.am_limit;
  s.max_am_resource_percent = c.maximum_am_resource_percent;
  s.user_limit_factor = c.user_limit_factor;
  s.minimum_user_limit_percent = c.minimum_user_limit_percent;
  s.default_application_priority = c.default_application_priority;
  Resource limit = UserLimit(index, Resource());
  for (const auto& [name, user] : q.users) {
    QueueUserSnapshot u;
    u.user = name;
    u.used = user.used;
    u.am_used = user.am_used;
    u.user_limit = limit;
    auto counts = tally.users.find(name);
    if (counts != tally.users.end()) {
      u.active_applications = counts->second.first;
      u.pending_applications = counts->second.second;
    }
    s.users.push_back(std::move(u));
  }
}

QueueSnapshot CapacityScheduler::Snapshot(int index) const {
  const QueueConfig& c = config_.queues[index];
  const Queue& q = queues_[index];
  QueueSnapshot s;
  s.name = c.name;
  s.path = c.path;
  s.capacity = c.capacity;
  s.maximum_capacity = c.maximum_capacity;
  s.used_capacity =
      c.absolute_capacity > 0 ? calc_.Share(q.used, cluster_) / c.absolute_capacity : 0.0;
  s.absolute_capacity = c.absolute_capacity;
  s.absolute_maximum_capacity = c.absolute_maximum_capacity;
  s.absolute_used_capacity = cluster_.IsZero() ? 0.0 : calc_.Share(q.used, cluster_);
  s.running = c.running;
  s.used = q.used;
  s.num_applications = q.num_apps;
  s.num_containers = q.num_containers;
  s.preemption_disabled = c.preemption_disabled;
  if (c.is_leaf()) {
    FillLeafSnapshot(index, s);
    return s;
  }
  s.default_application_priority = c.default_application_priority;
  for (int child : c.children) {
    s.children.push_back(Snapshot(child));
    const QueueSnapshot& k = s.children.back();
    s.num_applications += k.num_applications;
    s.num_active_applications += k.num_active_applications;
    s.num_pending_applications += k.num_pending_applications;
    s.pending += k.pending;
    s.am_used += k.am_used;
  }
  return s;
}

absl::StatusOr<QueueSnapshot> CapacityScheduler::GetQueue(const std::string& name) const {
  int index = config_.Find(name);
  if (index < 0) return absl::NotFoundError(absl::StrCat("Unknown queue: ", name));
  RefreshLimits();
  return Snapshot(index);
}

// ---- Administration ---------------------------------------------------------------------------

bool CapacityScheduler::Allowed(int queue, const std::string& user,
                                const std::vector<std::string>& groups, QueueAccess access) const {
  for (int q = queue; q >= 0; q = config_.queues[q].parent) {
    const QueueConfig& c = config_.queues[q];
    if (c.acl_administer_queue.Allows(user, groups)) return true;
    if (access == QueueAccess::kSubmitApplications &&
        c.acl_submit_applications.Allows(user, groups)) {
      return true;
    }
  }
  return false;
}

bool CapacityScheduler::HasAccess(const std::string& queue, const std::string& user,
                                  QueueAccess access) const {
  int index = config_.Find(queue);
  if (index < 0) return false;
  std::vector<std::string> groups;
  if (user_groups_) groups = user_groups_(user);
  return Allowed(index, user, groups, access);
}

absl::StatusOr<std::string> CapacityScheduler::MoveAttempt(const ApplicationAttemptId& attempt,
                                                           const std::string& queue) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) {
    return absl::NotFoundError(absl::StrCat(attempt.ToString(), " is not scheduled"));
  }
  App& app = it->second;
  std::string app_id = attempt.application_id().ToString();
  int target = config_.Find(queue);
  if (target < 0) {
    return absl::NotFoundError(
        absl::StrCat("Cannot move application ", app_id, " to unknown queue: ", queue));
  }
  const QueueConfig& c = config_.queues[target];
  if (!c.is_leaf()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Cannot move application ", app_id, " to non-leaf queue: ", c.path));
  }
  if (!c.running) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Cannot move application ", app_id, " to queue ", c.path, ": the queue is STOPPED"));
  }
  if (target == app.leaf) return c.name;
  Queue& q = queues_[target];
  if (q.num_apps >= c.maximum_applications) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Cannot move application ", app_id, " to queue ", c.path, ": the queue already has ",
        q.num_apps, " applications, its maximum-applications is ", c.maximum_applications));
  }
  auto user = q.users.find(app.user);
  int32_t user_apps = user == q.users.end() ? 0 : user->second.apps;
  if (user_apps >= MaxAppsPerUser(target)) {
    return absl::FailedPreconditionError(
        absl::StrCat("Cannot move application ", app_id, " to queue ", c.path, ": user ", app.user,
                     " already has ", user_apps, " applications there, the per-user limit is ",
                     MaxAppsPerUser(target)));
  }
  // What the app holds must fit under the maximum-capacity of every queue it newly enters.
  RefreshLimits();
  std::vector<bool> source_path(config_.queues.size(), false);
  for (int s = app.leaf; s >= 0; s = config_.queues[s].parent) source_path[s] = true;
  for (int t = target; t >= 0 && !source_path[t]; t = config_.queues[t].parent) {
    if (!calc_.FitsIn(queues_[t].used + app.used, queues_[t].max_resource)) {
      return absl::FailedPreconditionError(
          absl::StrCat("Cannot move application ", app_id, " to queue ", c.path, ": it holds ",
                       app.used.ToString(), " and queue ", config_.queues[t].path, " uses ",
                       queues_[t].used.ToString(), " of its maximum-capacity ",
                       queues_[t].max_resource.ToString()));
    }
  }
  Detach(attempt, app);
  Attach(attempt, app, target);
  return c.name;
}

absl::StatusOr<int32_t> CapacityScheduler::UpdateAttemptPriority(
    const ApplicationAttemptId& attempt, int32_t app_priority) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) {
    return absl::NotFoundError(absl::StrCat(attempt.ToString(), " is not scheduled"));
  }
  App& app = it->second;
  int32_t applied = std::clamp(app_priority, 0, config_.max_application_priority);
  if (applied == app.priority) return applied;
  bool had_demand = app.has_demand;
  SetHasDemand(attempt, app, false);
  app.priority = applied;
  SetHasDemand(attempt, app, had_demand);
  return applied;
}

absl::Status CapacityScheduler::Reinitialize(const conf::Configuration& conf) {
  auto parsed = CapacityConfig::Parse(conf);
  if (!parsed.ok()) {
    return absl::Status(parsed.status().code(),
                        absl::StrCat("Failed to re-init queues : ", parsed.status().message()));
  }
  CapacityConfig& next = *parsed;
  std::vector<int> remap(config_.queues.size(), -1);
  for (size_t i = 0; i < config_.queues.size(); ++i) {
    for (size_t j = 0; j < next.queues.size(); ++j) {
      if (next.queues[j].path == config_.queues[i].path) remap[i] = static_cast<int>(j);
    }
    if (!config_.queues[i].is_leaf() || queues_[i].num_apps == 0) continue;
    const std::string& path = config_.queues[i].path;
    if (remap[i] < 0) {
      return absl::FailedPreconditionError(absl::StrCat("Failed to re-init queues : queue ", path,
                                                        " has ", queues_[i].num_apps,
                                                        " applications and cannot be removed"));
    }
    if (!next.queues[remap[i]].is_leaf()) {
      return absl::FailedPreconditionError(
          absl::StrCat("Failed to re-init queues : leaf queue ", path, " has ", queues_[i].num_apps,
                       " applications and cannot become a parent queue"));
    }
  }
  // Rebuild the runtime tree from the applications, which carry their own usage.
  config_ = std::move(next);
  queues_.assign(config_.queues.size(), Queue());
  limits_stale_ = true;
  std::vector<ApplicationAttemptId> ids;
  for (const auto& [id, app] : apps_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (const ApplicationAttemptId& id : ids) {
    App& app = apps_.at(id);
    Attach(id, app, remap[app.leaf]);
  }
  return absl::OkStatus();
}

// ---- Preemption -------------------------------------------------------------------------------

int64_t CapacityScheduler::PreemptionIntervalMs() const {
  return config_.preemption.enabled ? config_.preemption.monitoring_interval_ms : 0;
}

PreemptionRound CapacityScheduler::SelectPreemption(int64_t now_ms) {
  PreemptionRound round;
  const PreemptionConfig& pc = config_.preemption;
  if (!pc.enabled) return round;
  RefreshLimits();
  const size_t n = config_.queues.size();
  std::vector<PreemptionQueue> input(n);
  for (size_t i = 0; i < n; ++i) {
    const QueueConfig& c = config_.queues[i];
    input[i].parent = c.parent;
    input[i].guarantee = c.absolute_capacity;
    input[i].guaranteed = queues_[i].guaranteed;
    input[i].maximum = queues_[i].max_resource;
    input[i].used = queues_[i].used;
    input[i].preemption_disabled = c.preemption_disabled;
  }
  for (const auto& [id, app] : apps_) input[app.leaf].pending += app.pending;
  PreemptionPlan plan = PlanPreemption(input, cluster_, calc_, pc);

  // Candidates of the owing leaves: apps in reverse service order, latest containers first.
  std::vector<std::vector<std::pair<AppKey, const App*>>> owing(n);
  bool any = false;
  for (size_t i = 0; i < n; ++i) any = any || !plan.to_obtain[i].IsZero();
  if (any) {
    for (const auto& [id, app] : apps_) {
      if (plan.to_obtain[app.leaf].IsZero() || app.containers.empty()) continue;
      owing[app.leaf].push_back({AppKey{-app.priority, app.sequence, id}, &app});
    }
  }
  std::vector<ContainerId> selected;
  for (size_t i = 0; i < n; ++i) {
    if (owing[i].empty()) continue;
    std::sort(owing[i].begin(), owing[i].end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<PreemptionApp> apps;
    for (const auto& [key, app] : owing[i]) {
      std::vector<int32_t> slots = app->containers;
      std::sort(slots.begin(), slots.end(),
                [this](int32_t a, int32_t b) { return slab_[a].sequence > slab_[b].sequence; });
      PreemptionApp& pa = apps.emplace_back();
      for (int32_t slot : slots) {
        const Container& c = slab_[slot];
        pa.containers.push_back({c.id, c.resource, app->am_running && c.id == app->am_container});
      }
    }
    std::vector<ContainerId> ids = SelectContainers(plan.to_obtain[i], apps, calc_);
    selected.insert(selected.end(), ids.begin(), ids.end());
  }
  if (pc.observe_only) {
    marks_.clear();
    return round;
  }
  absl::flat_hash_set<ContainerId> chosen(selected.begin(), selected.end());
  for (auto it = marks_.begin(); it != marks_.end();) {
    if (!chosen.contains(it->first)) {
      marks_.erase(it++);
    } else {
      ++it;
    }
  }
  for (const ContainerId& id : selected) {
    auto [mark, inserted] = marks_.try_emplace(id, Mark{now_ms, false});
    if (inserted) {
      round.to_warn.push_back(id);
    } else if (!mark->second.kill_sent &&
               mark->second.at_ms + pc.max_wait_before_kill_ms <= now_ms) {
      mark->second.kill_sent = true;
      round.to_kill.push_back(id);
    }
  }
  return round;
}

}  // namespace skein::rm
