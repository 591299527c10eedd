#include "resourcemanager/scheduler/capacity/capacity_scheduler.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/conf/configuration.h"

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
      node_index_(calc_, calc_.ClassName() == DefaultResourceCalculator::kClassName),
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
    bool allowed = false;
    for (int q = index; q >= 0 && !allowed; q = config_.queues[q].parent) {
      allowed = config_.queues[q].acl_submit_applications.Allows(user, groups) ||
                config_.queues[q].acl_administer_queue.Allows(user, groups);
    }
    if (!allowed) {
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
  double user_share =
      c.user_limit_factor < 0
          ? 1.0
          : std::min(1.0, c.minimum_user_limit_percent / 100.0 * c.user_limit_factor);
  int64_t per_user = static_cast<int64_t>(c.maximum_applications * user_share + 1e-9);
  auto user_it = q.users.find(user);
  int32_t user_apps = user_it == q.users.end() ? 0 : user_it->second.apps;
  if (user_apps >= per_user) {
    return absl::FailedPreconditionError(
        absl::StrCat("Queue ", c.path, " already has ", user_apps, " applications from user ", user,
                     " cannot accept submission of application: ", app_id));
  }
  App& app = apps_[attempt];
  app.leaf = *index;
  app.user = user;
  int32_t priority = app_priority == 0 ? c.default_application_priority : app_priority;
  app.priority = std::clamp(priority, 0, config_.max_application_priority);
  app.sequence = next_sequence_++;
  ++q.num_apps;
  ++q.users[user].apps;
  return c.name;
}

std::vector<ContainerId> CapacityScheduler::RemoveAttempt(const ApplicationAttemptId& attempt) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) return {};
  App& app = it->second;
  std::vector<ContainerId> held(app.containers.begin(), app.containers.end());
  std::sort(held.begin(), held.end());
  for (const ContainerId& c : held) Forget(c);
  for (const auto& [key, state] : app.asks) ask_floor_.Remove(state.ask.capability);
  SetHasDemand(attempt, app, false);
  Queue& q = queues_[app.leaf];
  --q.num_apps;
  auto user = q.users.find(app.user);
  if (--user->second.apps == 0 && user->second.pending_apps == 0 && user->second.used.IsZero()) {
    q.users.erase(user);
  }
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
      app.asks.erase(old);
    }
    if (ask.num_containers > 0) {
      app.asks[key] = AskState{ask, 0};
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
  User& user = q.users[app.user];
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
  if (nodes_.contains(id)) RemoveNode(id);
  Node& n = nodes_[id];
  n.total = total;
  cluster_ += total;
  node_index_.Add(id, Free(n));
}

std::vector<ContainerId> CapacityScheduler::RemoveNode(const NodeId& id) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return {};
  std::vector<ContainerId> lost(it->second.containers.begin(), it->second.containers.end());
  std::sort(lost.begin(), lost.end());
  for (const ContainerId& c : lost) Forget(c);
  node_index_.Remove(id);
  cluster_ -= it->second.total;
  nodes_.erase(it);
  return lost;
}

void CapacityScheduler::ReleaseContainer(const ContainerId& container) { Forget(container); }

void CapacityScheduler::Forget(const ContainerId& id) {
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  const Resource r = it->second.resource;
  auto node = nodes_.find(it->second.node);
  if (node != nodes_.end()) {
    node->second.containers.erase(id);
    Reorder(node->first, node->second, Resource() - r);
  }
  auto app_it = apps_.find(id.application_attempt_id());
  if (app_it != apps_.end()) {
    App& app = app_it->second;
    Queue& q = queues_[app.leaf];
    app.containers.erase(id);
    app.used -= r;
    q.users[app.user].used -= r;
    AddUsed(app.leaf, Resource() - r);
    if (app.am_running && app.am_container == id) {
      app.am_running = false;
      q.am_used -= r;
      --q.running_ams;
    }
  }
  used_ -= r;
  containers_.erase(it);
}

void CapacityScheduler::Reorder(const NodeId& id, Node& n, const Resource& delta_used) {
  n.used += delta_used;
  node_index_.Update(id, Free(n));
}

Resource CapacityScheduler::NodeUsed(const NodeId& node) const {
  auto it = nodes_.find(node);
  return it == nodes_.end() ? Resource() : it->second.used;
}

// ---- Limits -----------------------------------------------------------------------------------

Resource CapacityScheduler::Scale(const Resource& r, double f) const {
  auto scale = [f](int64_t v) { return static_cast<int64_t>(std::floor(v * f + 1e-6)); };
  Resource out(scale(r.memory_mb), scale(r.vcores));
  for (const auto& [k, v] : r.others) {
    int64_t s = scale(v);
    if (s != 0) out.others[k] = s;
  }
  return out;
}

double CapacityScheduler::Ratio(int q) const {
  double share = calc_.Share(queues_[q].used, cluster_);
  double guaranteed = config_.queues[q].absolute_capacity;
  return guaranteed > 0 ? share / guaranteed : kUnguaranteedRatio + share;
}

bool CapacityScheduler::FitsQueueLimits(int leaf, const Resource& ask) const {
  for (int q = leaf; q >= 0; q = config_.queues[q].parent) {
    Resource limit = Scale(cluster_, config_.queues[q].absolute_maximum_capacity);
    if (!calc_.FitsIn(queues_[q].used + ask, limit)) return false;
  }
  return true;
}

Resource CapacityScheduler::UserLimit(int leaf, const Resource& ask) const {
  const QueueConfig& c = config_.queues[leaf];
  const Queue& q = queues_[leaf];
  Resource guaranteed = Scale(cluster_, c.absolute_capacity);
  Resource current = Resource::ComponentMax(guaranteed, q.used + ask);
  int32_t active = std::max<int32_t>(1, q.active_users);
  Resource limit = Resource::ComponentMax(Scale(current, 1.0 / active),
                                          Scale(current, c.minimum_user_limit_percent / 100.0));
  if (c.user_limit_factor < 0) return limit;
  return Resource::ComponentMin(limit, Scale(cluster_, c.absolute_capacity * c.user_limit_factor));
}

Resource CapacityScheduler::AmLimit(int leaf) const {
  const QueueConfig& c = config_.queues[leaf];
  return Scale(cluster_, c.absolute_capacity * c.maximum_am_resource_percent);
}

std::string CapacityScheduler::AmLimitReason(int leaf, const Resource& ask) const {
  Resource limit = AmLimit(leaf);
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

void CapacityScheduler::AddUsed(int leaf, const Resource& delta) {
  for (int q = leaf; q >= 0; q = config_.queues[q].parent) {
    Queue& queue = queues_[q];
    int parent = config_.queues[q].parent;
    if (queue.in_parent) queues_[parent].active_children.erase({queue.order_key, q});
    queue.used += delta;
    if (queue.in_parent) {
      queue.order_key = Ratio(q);
      queues_[parent].active_children.insert({queue.order_key, q});
    }
  }
}

void CapacityScheduler::Activate(int q) {
  Queue& queue = queues_[q];
  queue.order_key = Ratio(q);
  queue.in_parent = true;
  queues_[config_.queues[q].parent].active_children.insert({queue.order_key, q});
}

void CapacityScheduler::Deactivate(int q) {
  while (q > 0) {
    Queue& queue = queues_[q];
    int parent = config_.queues[q].parent;
    queues_[parent].active_children.erase({queue.order_key, q});
    queue.in_parent = false;
    if (parent == 0 || !queues_[parent].active_children.empty()) return;
    q = parent;
  }
}

int CapacityScheduler::PickLeaf() const {
  int q = 0;
  while (!config_.queues[q].is_leaf()) {
    if (queues_[q].active_children.empty()) return -1;
    q = queues_[q].active_children.begin()->second;
  }
  return q;
}

std::vector<Allocation> CapacityScheduler::Schedule() {
  ++round_;
  std::vector<Allocation> out;
  // Children come after their parent in pre-order, so walking backwards activates a parent only
  // once its children are known.
  for (int q = static_cast<int>(queues_.size()) - 1; q > 0; --q) {
    bool has_demand = config_.queues[q].is_leaf() ? !queues_[q].pending_apps.empty()
                                                  : !queues_[q].active_children.empty();
    if (has_demand) Activate(q);
  }
  if (config_.queues[0].is_leaf()) return out;  // cannot happen: root always has children
  for (int leaf = PickLeaf(); leaf >= 0; leaf = PickLeaf()) {
    if (ask_floor_.NothingFits(node_index_)) break;  // the cluster is full for every ask
    if (!ServeLeaf(leaf, out)) Deactivate(leaf);
  }
  for (Queue& queue : queues_) {
    queue.active_children.clear();
    queue.in_parent = false;
    queue.pending_apps.insert(queue.parked.begin(), queue.parked.end());
    queue.parked.clear();
  }
  return out;
}

bool CapacityScheduler::ServeLeaf(int leaf, std::vector<Allocation>& out) {
  Queue& q = queues_[leaf];
  while (!q.pending_apps.empty()) {
    if (ask_floor_.NothingFits(node_index_)) return true;  // Schedule() stops; leaf stays active
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
  if (!app.am_allocated && q.running_ams > 0 &&
      !calc_.FitsIn(q.am_used + want, AmLimit(app.leaf))) {
    app.pending_reason = AmLimitReason(app.leaf, want);
    return Outcome::kAppBlocked;
  }
  const NodeId* node_id = nullptr;
  if (FitsQueueLimits(app.leaf, want) &&
      calc_.FitsIn(q.users[app.user].used + want, UserLimit(app.leaf, want))) {
    node_id = node_index_.Find(want);
  }
  if (node_id == nullptr) {
    if (!app.am_allocated) app.pending_reason = WaitingForAmReason(app.leaf);
    return Outcome::kAskFailed;
  }
  ContainerId cid = ContainerId::Make(id, 0, app.next_container++);
  Node& node = nodes_.at(*node_id);
  node.containers.insert(cid);
  Reorder(*node_id, node, want);
  containers_[cid] = Container{*node_id, want};
  app.containers.insert(cid);
  app.used += want;
  q.users[app.user].used += want;
  used_ += want;
  AddUsed(app.leaf, want);
  if (!app.am_allocated) {
    app.am_allocated = true;
    app.am_running = true;
    app.am_container = cid;
    app.pending_reason.clear();
    q.am_used += want;
    ++q.running_ams;
  }
  --state.ask.num_containers;
  out.push_back(
      Allocation{cid, *node_id, want, state.ask.priority, state.ask.allocation_request_id});
  return Outcome::kAllocated;
}

// ---- Queries ----------------------------------------------------------------------------------

Resource CapacityScheduler::Headroom(const ApplicationAttemptId& attempt) const {
  Resource headroom = Resource::ComponentMax(Resource(), cluster_ - used_);
  auto it = apps_.find(attempt);
  if (it == apps_.end()) return headroom;
  const App& app = it->second;
  auto user = queues_[app.leaf].users.find(app.user);
  Resource user_used = user == queues_[app.leaf].users.end() ? Resource() : user->second.used;
  headroom = Resource::ComponentMin(headroom, UserLimit(app.leaf, Resource()) - user_used);
  for (int q = app.leaf; q >= 0; q = config_.queues[q].parent) {
    Resource limit = Scale(cluster_, config_.queues[q].absolute_maximum_capacity);
    headroom = Resource::ComponentMin(headroom, limit - queues_[q].used);
  }
  return Resource::ComponentMax(Resource(), headroom);
}

Resource CapacityScheduler::Pending(const ApplicationAttemptId& attempt) const {
  Resource total;
  auto it = apps_.find(attempt);
  if (it == apps_.end()) return total;
  for (const auto& [key, state] : it->second.asks) {
    total += state.ask.capability * state.ask.num_containers;
  }
  return total;
}

std::string CapacityScheduler::PendingReason(const ApplicationAttemptId& attempt) const {
  auto it = apps_.find(attempt);
  if (it == apps_.end() || it->second.am_allocated) return "";
  if (it->second.pending_reason.empty() && it->second.has_demand) {
    // Schedule() stopped before trying this app because no node can hold any pending ask.
    return WaitingForAmReason(it->second.leaf);
  }
  return it->second.pending_reason;
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
  s.running = c.running;
  s.used = q.used;
  s.num_applications = q.num_apps;
  for (int child : c.children) {
    s.children.push_back(Snapshot(child));
    s.num_applications += s.children.back().num_applications;
  }
  return s;
}

absl::StatusOr<QueueSnapshot> CapacityScheduler::GetQueue(const std::string& name) const {
  int index = config_.Find(name);
  if (index < 0) return absl::NotFoundError(absl::StrCat("Unknown queue: ", name));
  return Snapshot(index);
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
  std::vector<ApplicationAttemptId> ids;
  for (const auto& [id, app] : apps_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (const ApplicationAttemptId& id : ids) {
    App& app = apps_.at(id);
    app.leaf = remap[app.leaf];
    Queue& q = queues_[app.leaf];
    ++q.num_apps;
    User& user = q.users[app.user];
    ++user.apps;
    user.used += app.used;
    AddUsed(app.leaf, app.used);
    if (app.am_running) {
      q.am_used += containers_.at(app.am_container).resource;
      ++q.running_ams;
    }
    if (app.has_demand) {
      app.has_demand = false;
      SetHasDemand(id, app, true);
    }
  }
  return absl::OkStatus();
}

}  // namespace skein::rm
