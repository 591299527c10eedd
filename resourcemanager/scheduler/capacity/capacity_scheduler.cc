#include "resourcemanager/scheduler/capacity/capacity_scheduler.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/conf/configuration.h"
#include "resourcemanager/scheduler/recovery_checks.h"

namespace skein::rm {
namespace {

constexpr double kUnguaranteedRatio = 1e12;  // queues with 0% capacity sort after all others

}  // namespace

absl::StatusOr<std::unique_ptr<CapacityScheduler>> CapacityScheduler::Create(
    const SchedulerOptions& options) {
  if (options.calculator == nullptr) {
    return absl::InvalidArgumentError("CapacityScheduler needs a resource calculator");
  }
  conf::Configuration empty;
  auto config = CapacityConfig::Parse(options.conf != nullptr ? *options.conf : empty);
  if (!config.ok()) {
    return absl::Status(config.status().code(), absl::StrCat("capacity-scheduler configuration: ",
                                                             config.status().message()));
  }
  return std::unique_ptr<CapacityScheduler>(new CapacityScheduler(options, std::move(*config)));
}

CapacityScheduler::CapacityScheduler(const SchedulerOptions& options, CapacityConfig config)
    : calc_(*options.calculator),
      memory_only_(calc_.ClassName() == DefaultResourceCalculator::kClassName),
      node_index_(calc_, memory_only_),
      user_groups_(options.user_groups),
      config_(std::move(config)),
      queues_(config_.queues.size()) {}

// ---- Admission --------------------------------------------------------------------------------

absl::StatusOr<int> CapacityScheduler::ResolveQueue(const ApplicationAttemptId& attempt,
                                                    const std::string& queue,
                                                    const std::string& user) const {
  std::string app_id = attempt.application_id().ToString();
  std::string target = queue.empty() ? "default" : queue;
  std::vector<std::string> groups;
  if (user_groups_) groups = user_groups_(user);
  if (!config_.mappings.empty() && (target == "default" || config_.mappings_override)) {
    for (const QueueMapping& m : config_.mappings) {
      bool matches = m.kind == QueueMapping::Kind::kUser
                         ? (m.source == "%user" || m.source == user)
                         : std::find(groups.begin(), groups.end(), m.source) != groups.end();
      if (!matches) continue;
      if (m.queue == "%user") {
        target = user;
      } else if (m.queue == "%primary_group") {
        if (groups.empty()) continue;  // no group known for this user: try the next mapping
        target = groups.front();
      } else {
        target = m.queue;
      }
      break;
    }
  }
  int index = config_.Find(target);
  if (index < 0) {
    return absl::NotFoundError(absl::StrCat("Application ", app_id, " submitted by user ", user,
                                            " to unknown queue: ", target));
  }
  const QueueConfig& c = config_.queues[index];
  if (!c.is_leaf()) {
    return absl::InvalidArgumentError(absl::StrCat("Application ", app_id, " submitted by user ",
                                                   user, " to non-leaf queue: ", target));
  }
  if (!c.running) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Queue ", c.path, " is STOPPED. Cannot accept submission of application: ", app_id));
  }
  if (config_.acl_enabled) {
    if (!Allowed(index, user, groups, QueueAccess::kSubmitApplications)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "User ", user, " does not have permission to submit ", app_id, " to queue ", c.name));
    }
  }
  return index;
}

absl::StatusOr<std::string> CapacityScheduler::AddAttempt(const ApplicationAttemptId& attempt,
                                                          const std::string& queue,
                                                          const std::string& user,
                                                          int32_t app_priority) {
  if (apps_.contains(attempt)) {
    return absl::AlreadyExistsError(absl::StrCat(attempt.ToString(), " is already scheduled"));
  }
  auto index = ResolveQueue(attempt, queue, user);
  if (!index.ok()) return index.status();
  const QueueConfig& c = config_.queues[*index];
  Queue& q = queues_[*index];
  std::string app_id = attempt.application_id().ToString();
  if (q.num_apps >= c.maximum_applications) {
    return absl::FailedPreconditionError(
        absl::StrCat("Queue ", c.path, " already has ", q.num_apps,
                     " applications, cannot accept submission of application: ", app_id));
  }
  int64_t per_user = MaxAppsPerUser(*index);
  auto user_it = q.users.find(user);
  int32_t user_apps = user_it == q.users.end() ? 0 : user_it->second.apps;
  if (user_apps >= per_user) {
    return absl::FailedPreconditionError(
        absl::StrCat("Queue ", c.path, " already has ", user_apps, " applications from user ", user,
                     " cannot accept submission of application: ", app_id));
  }
  App& app = apps_[attempt];
  app.user = user;
  int32_t priority = app_priority == 0 ? c.default_application_priority : app_priority;
  app.priority = std::clamp(priority, 0, config_.max_application_priority);
  app.sequence = next_sequence_++;
  Attach(attempt, app, *index);
  return c.name;
}

int64_t CapacityScheduler::MaxAppsPerUser(int leaf) const {
  const QueueConfig& c = config_.queues[leaf];
  double user_share =
      c.user_limit_factor < 0
          ? 1.0
          : std::min(1.0, c.minimum_user_limit_percent / 100.0 * c.user_limit_factor);
  return static_cast<int64_t>(c.maximum_applications * user_share + 1e-9);
}

void CapacityScheduler::Attach(const ApplicationAttemptId& id, App& app, int leaf) {
  app.leaf = leaf;
  Queue& q = queues_[leaf];
  ++q.num_apps;
  User& user = q.users[app.user];
  app.user_state = &user;
  ++user.apps;
  user.used += app.used;
  AddUsed(leaf, app.used, static_cast<int32_t>(app.containers.size()));
  if (app.am_running) {
    const Resource& am = slab_[SlotOf(app, app.am_container)].resource;
    q.am_used += am;
    user.am_used += am;
    ++q.running_ams;
  }
  if (app.has_demand) {
    app.has_demand = false;
    SetHasDemand(id, app, true);
  }
}

void CapacityScheduler::Detach(const ApplicationAttemptId& id, App& app) {
  bool had_demand = app.has_demand;
  SetHasDemand(id, app, false);
  app.has_demand = had_demand;  // Attach re-enters it into its next leaf
  Queue& q = queues_[app.leaf];
  --q.num_apps;
  User& user = *app.user_state;
  user.used -= app.used;
  AddUsed(app.leaf, Resource() - app.used, -static_cast<int32_t>(app.containers.size()));
  if (app.am_running) {
    const Resource& am = slab_[SlotOf(app, app.am_container)].resource;
    q.am_used -= am;
    user.am_used -= am;
    --q.running_ams;
  }
  if (--user.apps == 0 && user.pending_apps == 0) q.users.erase(app.user);
  app.user_state = nullptr;
}

std::vector<ContainerId> CapacityScheduler::RemoveAttempt(const ApplicationAttemptId& attempt) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) return {};
  App& app = it->second;
  std::vector<ContainerId> held = TakeContainers(app.containers);
  for (const auto& [key, state] : app.asks) ask_floor_.Remove(state.ask.capability);
  Detach(attempt, app);
  apps_.erase(it);
  return held;
}

absl::Status CapacityScheduler::UpdateAsks(const ApplicationAttemptId& attempt,
                                           const std::vector<Ask>& asks) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) {
    return absl::NotFoundError(absl::StrCat(attempt.ToString(), " is not scheduled"));
  }
  App& app = it->second;
  const QueueConfig& c = config_.queues[app.leaf];
  for (const Ask& ask : asks) {
    if (ask.num_containers <= 0) continue;
    bool mb_over =
        c.maximum_allocation_mb > 0 && ask.capability.memory_mb > c.maximum_allocation_mb;
    bool vc_over =
        c.maximum_allocation_vcores > 0 && ask.capability.vcores > c.maximum_allocation_vcores;
    if (mb_over || vc_over) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Invalid resource request: requested ", ask.capability.ToString(), " exceeds the ",
          mb_over ? "maximum-allocation-mb " : "maximum-allocation-vcores ",
          mb_over ? c.maximum_allocation_mb : c.maximum_allocation_vcores, " of queue ", c.path,
          " (yarn.scheduler.capacity.", c.path,
          mb_over ? ".maximum-allocation-mb)" : ".maximum-allocation-vcores)"));
    }
  }
  for (const Ask& ask : asks) {
    if (ask.resource_name != "*") continue;  // locality hints; demand is on the ANY line
    AskKey key{ask.priority, ask.allocation_request_id, ask.resource_name};
    if (auto old = app.asks.find(key); old != app.asks.end()) {
      ask_floor_.Remove(old->second.ask.capability);
      app.pending -= old->second.ask.capability * old->second.ask.num_containers;
      app.asks.erase(old);
    }
    if (ask.num_containers > 0) {
      app.asks[key] = AskState{ask, 0};
      app.pending += ask.capability * ask.num_containers;
      ask_floor_.Add(ask.capability);
    }
  }
  SetHasDemand(attempt, app, !app.asks.empty());
  return absl::OkStatus();
}

void CapacityScheduler::SetHasDemand(const ApplicationAttemptId& id, App& app, bool has_demand) {
  if (app.has_demand == has_demand) return;
  app.has_demand = has_demand;
  Queue& q = queues_[app.leaf];
  User& user = *app.user_state;
  AppKey key{-app.priority, app.sequence, id};
  if (has_demand) {
    q.pending_apps.insert(key);
    if (user.pending_apps++ == 0) ++q.active_users;
  } else {
    q.pending_apps.erase(key);
    if (--user.pending_apps == 0) --q.active_users;
  }
}

// ---- Nodes and containers ---------------------------------------------------------------------

void CapacityScheduler::AddNode(const NodeId& id, const Resource& total) {
  if (node_index_.HandleOf(id) >= 0) RemoveNode(id);
  int32_t h = node_index_.Add(id, total);
  if (h >= static_cast<int32_t>(nodes_.size())) nodes_.resize(h + 1);
  nodes_[h] = Node{total, true};
  cluster_ += total;
  limits_stale_ = true;
}

std::vector<ContainerId> CapacityScheduler::RemoveNode(const NodeId& id) {
  int32_t h = node_index_.HandleOf(id);
  if (h < 0) return {};
  // No per-node container list (it would cost every allocation and release): losing a node is
  // rare, and it scans the running containers.
  std::vector<int32_t> on_node;
  for (int32_t slot = 0; slot < slab_.limit(); ++slot) {
    if (slab_[slot].node == h) on_node.push_back(slot);
  }
  std::vector<ContainerId> lost = TakeContainers(on_node);
  node_index_.Remove(id);
  cluster_ -= nodes_[h].total;
  nodes_[h] = Node();
  limits_stale_ = true;
  return lost;
}

std::vector<ContainerId> CapacityScheduler::TakeContainers(const std::vector<int32_t>& slots) {
  std::vector<ContainerId> ids;
  ids.reserve(slots.size());
  for (int32_t slot : slots) ids.push_back(slab_[slot].id);
  std::sort(ids.begin(), ids.end());
  for (const ContainerId& c : ids) Forget(c);
  return ids;
}

void CapacityScheduler::ReleaseContainer(const ContainerId& container) { Forget(container); }

int32_t CapacityScheduler::SlotOf(const App& app, const ContainerId& id) const {
  int64_t seq = id.sequence();
  if (seq < 1 || seq > static_cast<int64_t>(app.slot_by_sequence.size())) return -1;
  int32_t slot = app.slot_by_sequence[seq - 1];
  // Numbers are unique per attempt whatever the epoch (a recovered id may carry one).
  return slot >= 0 && slab_[slot].id == id ? slot : -1;
}

void CapacityScheduler::Forget(const ContainerId& id) {
  auto app_it = apps_.find(id.application_attempt_id());
  if (app_it == apps_.end()) return;
  App& app = app_it->second;
  const int32_t slot = SlotOf(app, id);
  if (slot < 0) return;
  app.slot_by_sequence[id.sequence() - 1] = -1;
  marks_.erase(id);
  Container& c = slab_[slot];
  const Resource r = c.resource;
  node_index_.Release(c.node, r);
  {
    // Swap-remove from the app's slot list, fixing the moved entry's position.
    slab_[app.containers.back()].app_pos = c.app_pos;
    app.containers[c.app_pos] = app.containers.back();
    app.containers.pop_back();
    Queue& q = queues_[app.leaf];
    app.used -= r;
    app.user_state->used -= r;
    AddUsed(app.leaf, Resource() - r, -1);
    if (app.am_running && app.am_container == id) {
      app.am_running = false;
      q.am_used -= r;
      app.user_state->am_used -= r;
      --q.running_ams;
    }
  }
  used_ -= r;
  slab_.Free(slot);
}

Resource CapacityScheduler::NodeUsed(const NodeId& node) const {
  int32_t h = node_index_.HandleOf(node);
  return h < 0 ? Resource() : nodes_[h].total - node_index_.FreeOf(h);
}

void CapacityScheduler::Account(App& app, int32_t node_handle, const ContainerId& cid,
                                const Resource& r, bool is_am) {
  const int32_t slot = slab_.Take();
  Container& c = slab_[slot];
  c.id = cid;
  c.resource = r;
  c.sequence = next_container_sequence_++;
  c.node = node_handle;
  c.app_pos = static_cast<int32_t>(app.containers.size());
  app.containers.push_back(slot);
  // Container numbers are 1, 2, ... per attempt; a recovered one may skip ahead (the gap is -1).
  const size_t number = static_cast<size_t>(cid.sequence());
  if (app.slot_by_sequence.size() < number) app.slot_by_sequence.resize(number, -1);
  app.slot_by_sequence[number - 1] = slot;
  node_index_.Allocate(node_handle, r);
  app.used += r;
  app.user_state->used += r;
  used_ += r;
  AddUsed(app.leaf, r, 1);
  if (is_am) {
    app.am_running = true;
    app.am_container = cid;
    Queue& q = queues_[app.leaf];
    q.am_used += r;
    app.user_state->am_used += r;
    ++q.running_ams;
  }
  app.am_allocated = true;  // a running container means the AM has started
  app.am_wait = AmWait::kNone;
}

absl::Status CapacityScheduler::RecoverContainer(const ApplicationAttemptId& attempt,
                                                 const Allocation& container, bool is_am) {
  auto app_it = apps_.find(attempt);
  int32_t h = node_index_.HandleOf(container.node);
  absl::Status checked = CheckRecoverable(attempt, app_it != apps_.end(), h >= 0, container);
  if (!checked.ok()) return checked;
  App& app = app_it->second;
  // Never hand out this number (or a lower one) again; Account fills the gap with -1.
  absl::Status claimed =
      ClaimRecoveredNumber(app.slot_by_sequence, app.next_container, container.container_id);
  if (!claimed.ok()) return claimed;
  Account(app, h, container.container_id, container.resource, is_am && !app.am_running);
  return absl::OkStatus();
}

absl::Status CapacityScheduler::UpdateNodeResource(const NodeId& id, const Resource& total) {
  int32_t h = node_index_.HandleOf(id);
  if (h < 0) return UnknownNodeError(id);
  if (absl::Status s = CheckNodeTotal(id, total); !s.ok()) return s;
  Node& node = nodes_[h];
  const Resource used = node.total - node_index_.FreeOf(h);
  cluster_ -= node.total;
  cluster_ += total;
  node.total = total;
  node_index_.UpdateHandle(h, total - used);  // may be negative: nothing fits there then
  limits_stale_ = true;
  return absl::OkStatus();
}

// ---- Limits -----------------------------------------------------------------------------------

int64_t CapacityScheduler::ScaleOne(int64_t v, double f) {
  return static_cast<int64_t>(std::floor(v * f + 1e-6));
}

Resource CapacityScheduler::Scale(const Resource& r, double f) const { return ScaleResource(r, f); }

double CapacityScheduler::Ratio(int q) const {
  double share = calc_.Share(queues_[q].used, cluster_);
  double guaranteed = config_.queues[q].absolute_capacity;
  return guaranteed > 0 ? share / guaranteed : kUnguaranteedRatio + share;
}

void CapacityScheduler::RefreshLimits() const {
  if (!limits_stale_) return;
  for (size_t i = 0; i < queues_.size(); ++i) {
    const QueueConfig& c = config_.queues[i];
    Queue& q = queues_[i];
    q.max_resource = Scale(cluster_, c.absolute_maximum_capacity);
    q.guaranteed = Scale(cluster_, c.absolute_capacity);
    q.user_cap = Scale(cluster_, c.absolute_capacity * std::max(0.0, c.user_limit_factor));
    q.am_limit = Scale(cluster_, c.absolute_capacity * c.maximum_am_resource_percent);
  }
  limits_stale_ = false;
}

bool CapacityScheduler::FitsWith(const Resource& used, const Resource& ask,
                                 const Resource& limit) const {
  if (used.others.empty() && ask.others.empty()) {
    if (used.memory_mb + ask.memory_mb > limit.memory_mb) return false;
    return memory_only_ || used.vcores + ask.vcores <= limit.vcores;
  }
  return calc_.FitsIn(used + ask, limit);
}

bool CapacityScheduler::FitsQueueLimits(int leaf, const Resource& ask) const {
  for (int q = leaf; q >= 0; q = config_.queues[q].parent) {
    if (!FitsWith(queues_[q].used, ask, queues_[q].max_resource)) return false;
  }
  return true;
}

bool CapacityScheduler::FitsUserLimit(int leaf, const Resource& user_used,
                                      const Resource& ask) const {
  const QueueConfig& c = config_.queues[leaf];
  const Queue& q = queues_[leaf];
  int32_t active = std::max<int32_t>(1, q.active_users);
  bool shared = active > 1 || c.minimum_user_limit_percent < 100;
  // One user, no factor: the limit is at least the queue's own usage plus the ask.
  if (!shared && c.user_limit_factor < 0) return true;
  if (!user_used.others.empty() || !ask.others.empty() || !q.used.others.empty() ||
      !q.guaranteed.others.empty() || !q.user_cap.others.empty()) {
    return calc_.FitsIn(user_used + ask, UserLimit(leaf, ask));
  }
  // UserLimit() component by component, without building Resources.
  auto fits = [&](int64_t guaranteed, int64_t queue_used, int64_t want, int64_t cap, int64_t used) {
    int64_t current = std::max(guaranteed, queue_used + want);
    int64_t limit = current;
    if (shared) {
      limit = std::max(ScaleOne(current, 1.0 / active),
                       ScaleOne(current, c.minimum_user_limit_percent / 100.0));
    }
    if (c.user_limit_factor >= 0) limit = std::min(limit, cap);
    return used + want <= limit;
  };
  if (!fits(q.guaranteed.memory_mb, q.used.memory_mb, ask.memory_mb, q.user_cap.memory_mb,
            user_used.memory_mb)) {
    return false;
  }
  return memory_only_ ||
         fits(q.guaranteed.vcores, q.used.vcores, ask.vcores, q.user_cap.vcores, user_used.vcores);
}

Resource CapacityScheduler::UserLimit(int leaf, const Resource& ask) const {
  RefreshLimits();
  const QueueConfig& c = config_.queues[leaf];
  const Queue& q = queues_[leaf];
  Resource current = Resource::ComponentMax(q.guaranteed, q.used + ask);
  int32_t active = std::max<int32_t>(1, q.active_users);
  Resource limit = current;
  // With one active user and minimum-user-limit-percent 100 (the defaults) the limit is the
  // current capacity itself: skip the two scalings.
  if (active > 1 || c.minimum_user_limit_percent < 100) {
    limit = Resource::ComponentMax(Scale(current, 1.0 / active),
                                   Scale(current, c.minimum_user_limit_percent / 100.0));
  }
  if (c.user_limit_factor < 0) return limit;
  return Resource::ComponentMin(limit, q.user_cap);
}

std::string CapacityScheduler::AmLimitReason(int leaf, const Resource& ask) const {
  RefreshLimits();
  const Resource& limit = queues_[leaf].am_limit;
  // No separate per-user AM limit is enforced; the queue's limit is shown for it.
  return absl::StrCat(
      "Application is added to the scheduler and is not yet activated. Queue's AM resource limit "
      "exceeded.  Details : AM Partition = <DEFAULT_PARTITION>; AM Resource Request = ",
      ask.ToString(), "; Queue Resource Limit for AM = ", limit.ToString(),
      "; User AM Resource Limit of the queue = ", limit.ToString(),
      "; Queue AM Resource Usage = ", queues_[leaf].am_used.ToString(), "; ");
}

std::string CapacityScheduler::WaitingForAmReason(int leaf) const {
  const QueueConfig& c = config_.queues[leaf];
  double used = calc_.Share(queues_[leaf].used, cluster_);
  return absl::StrFormat(
      "Application is Activated, waiting for resources to be assigned for AM.  Details : AM "
      "Partition = <DEFAULT_PARTITION> ; Partition Resource = %s ; Queue's Absolute capacity = "
      "%.1f %% ; Queue's Absolute used capacity = %.1f %% ; Queue's Absolute max capacity = "
      "%.1f %% ; ",
      cluster_.ToString(), c.absolute_capacity * 100, used * 100,
      c.absolute_maximum_capacity * 100);
}

// ---- Scheduling -------------------------------------------------------------------------------

void CapacityScheduler::AddUsed(int leaf, const Resource& delta, int32_t containers) {
  for (int q = leaf; q >= 0; q = config_.queues[q].parent) {
    Queue& queue = queues_[q];
    queue.used += delta;
    queue.num_containers += containers;
    if (active_.IsActive(q)) active_.Rekey(q, Ratio(q));
  }
}

std::vector<Allocation> CapacityScheduler::Schedule() {
  ++round_;
  RefreshLimits();
  std::vector<Allocation> out;
  // Children come after their parent in pre-order, so walking backwards activates a parent only
  // once its children are known.
  active_.Resize(queues_.size());
  for (int q = static_cast<int>(queues_.size()) - 1; q > 0; --q) {
    bool has_demand = config_.queues[q].is_leaf() ? !queues_[q].pending_apps.empty()
                                                  : active_.HasActiveChildren(q);
    if (has_demand) active_.Activate(q, config_.queues[q].parent, Ratio(q));
  }
  if (config_.queues[0].is_leaf()) return out;  // cannot happen: root always has children
  for (int leaf = active_.PickLeaf(); leaf >= 0; leaf = active_.PickLeaf()) {
    // ServeLeaf places at most one container and parking an app changes no node, so this is the
    // only check needed.
    if (ask_floor_.NothingFits(node_index_)) break;  // the cluster is full for every ask
    if (!ServeLeaf(leaf, out)) active_.Deactivate(leaf);
  }
  active_.Clear();
  for (Queue& queue : queues_) {
    queue.pending_apps.insert(queue.parked.begin(), queue.parked.end());
    queue.parked.clear();
  }
  return out;
}

bool CapacityScheduler::ServeLeaf(int leaf, std::vector<Allocation>& out) {
  Queue& q = queues_[leaf];
  while (!q.pending_apps.empty()) {
    AppKey key = *q.pending_apps.begin();
    const ApplicationAttemptId& id = std::get<2>(key);
    App& app = apps_.at(id);
    for (auto it = app.asks.begin(); it != app.asks.end(); ++it) {
      if (it->second.failed_round == round_) continue;
      Outcome outcome = TryAsk(id, app, it->second, out);
      if (outcome == Outcome::kAllocated) {
        if (it->second.ask.num_containers == 0) {
          ask_floor_.Remove(it->second.ask.capability);
          app.asks.erase(it);
        }
        if (app.asks.empty()) SetHasDemand(id, app, false);
        return true;
      }
      if (outcome == Outcome::kAppBlocked) break;
      it->second.failed_round = round_;
    }
    q.pending_apps.erase(q.pending_apps.begin());
    q.parked.push_back(key);
  }
  return false;
}

CapacityScheduler::Outcome CapacityScheduler::TryAsk(const ApplicationAttemptId& id, App& app,
                                                     AskState& state,
                                                     std::vector<Allocation>& out) {
  const Resource& want = state.ask.capability;
  Queue& q = queues_[app.leaf];
  if (!app.am_allocated && q.running_ams > 0 && !calc_.FitsIn(q.am_used + want, q.am_limit)) {
    app.am_wait = AmWait::kAmLimit;
    app.am_wait_ask = want;
    return Outcome::kAppBlocked;
  }
  int32_t node_handle = -1;
  if (FitsQueueLimits(app.leaf, want) && FitsUserLimit(app.leaf, app.user_state->used, want)) {
    node_handle = node_index_.FindHandle(want);
  }
  if (node_handle < 0) {
    if (!app.am_allocated) app.am_wait = AmWait::kResources;
    return Outcome::kAskFailed;
  }
  ContainerId cid = ContainerId::Make(id, container_epoch_, app.next_container++);
  const bool is_am = !app.am_allocated;
  Account(app, node_handle, cid, want, is_am);
  app.pending -= want;
  --state.ask.num_containers;
  out.push_back(Allocation{cid, node_index_.IdOf(node_handle), want, state.ask.priority,
                           state.ask.allocation_request_id});
  return Outcome::kAllocated;
}

}  // namespace skein::rm
