#include "resourcemanager/scheduler/fair/fair_scheduler.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "common/conf/configuration.h"

namespace skein::rm {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

int64_t Get(const Resource& r, int type) { return type == 0 ? r.memory_mb : r.vcores; }
void Set(Resource& r, int type, int64_t v) { (type == 0 ? r.memory_mb : r.vcores) = v; }

// Component-wise fit on memory and vcores (maxResources and the AM share cap every type).
bool FitsBoth(const Resource& ask, const Resource& limit) {
  return ask.memory_mb <= limit.memory_mb && ask.vcores <= limit.vcores;
}

double Ratio(int64_t a, int64_t b) { return b > 0 ? static_cast<double>(a) / b : kInfinity; }

// YARN turns dots in user and group names into "_dot_" so they stay one queue level.
std::string Clean(const std::string& name) {
  return absl::StrReplaceAll(absl::StripAsciiWhitespace(name), {{".", "_dot_"}});
}

}  // namespace

absl::StatusOr<std::unique_ptr<FairScheduler>> FairScheduler::Create(
    const SchedulerOptions& options) {
  conf::Configuration empty;
  const conf::Configuration& conf = options.conf != nullptr ? *options.conf : empty;
  auto site = FairSiteConfig::FromConfiguration(conf);
  if (!site.ok()) return site.status();
  auto allocations = AllocationConfig::Load(*site);
  if (!allocations.ok()) return allocations.status();
  return CreateWith(options, std::move(*site), std::move(*allocations));
}

absl::StatusOr<std::unique_ptr<FairScheduler>> FairScheduler::CreateWith(
    const SchedulerOptions& options, FairSiteConfig site, AllocationConfig allocations) {
  if (options.calculator == nullptr) {
    return absl::InvalidArgumentError("FairScheduler needs a resource calculator");
  }
  return std::unique_ptr<FairScheduler>(
      new FairScheduler(options, std::move(site), std::move(allocations)));
}

FairScheduler::FairScheduler(const SchedulerOptions& options, FairSiteConfig site,
                             AllocationConfig config)
    : calc_(*options.calculator),
      // YARN's FairScheduler fits containers on nodes by every resource type whatever the
      // policy (Resources.fitsIn), so placement always looks at vcores too.
      node_index_(calc_, /*memory_only=*/false),
      user_groups_(options.user_groups),
      site_(std::move(site)),
      config_(std::move(config)),
      queues_(config_.queues.size()) {
  RankQueues();
}

void FairScheduler::RankQueues() {
  std::vector<std::pair<std::string, int>> names;
  for (size_t i = 0; i < config_.queues.size(); ++i) names.push_back({config_.queues[i].path, i});
  std::sort(names.begin(), names.end());
  for (size_t r = 0; r < names.size(); ++r) queues_[names[r].second].name_rank = r;
}

// ---- Placement and admission ------------------------------------------------------------------

absl::StatusOr<std::string> FairScheduler::RuleQueue(const PlacementRule& rule,
                                                     const std::string& queue,
                                                     const std::string& user,
                                                     const std::vector<std::string>& groups) const {
  using Kind = PlacementRule::Kind;
  switch (rule.kind) {
    case Kind::kSpecified: {
      std::string q(absl::StripAsciiWhitespace(queue));
      if (q.empty() || q == "default") return std::string();
      return q == "root" || absl::StartsWith(q, "root.") ? q : absl::StrCat("root.", q);
    }
    case Kind::kUser:
      return absl::StrCat("root.", Clean(user));
    case Kind::kPrimaryGroup:
      if (groups.empty()) return std::string();
      return absl::StrCat("root.", Clean(groups.front()));
    case Kind::kSecondaryGroupExistingQueue:
      for (size_t i = 1; i < groups.size(); ++i) {
        std::string q = absl::StrCat("root.", Clean(groups[i]));
        int found = config_.Find(q);
        if (found >= 0 && config_.queues[found].is_leaf()) return q;
      }
      return std::string();
    case Kind::kNestedUserQueue: {
      const PlacementRule& nested = rule.nested.front();
      auto parent = RuleQueue(nested, queue, user, groups);
      if (!parent.ok() || parent->empty()) return parent;
      int found = config_.Find(*parent);
      if (found < 0 && !nested.create) return std::string();
      if (found >= 0 && config_.queues[found].is_leaf()) return std::string();
      return absl::StrCat(*parent, ".", Clean(user));
    }
    case Kind::kDefault:
      return rule.queue;
    case Kind::kReject:
      break;
  }
  return absl::FailedPreconditionError("rejected");
}

absl::StatusOr<int> FairScheduler::Place(const ApplicationAttemptId& attempt,
                                         const std::string& queue, const std::string& user,
                                         const std::vector<std::string>& groups) {
  std::string app_id = attempt.application_id().ToString();
  for (const PlacementRule& rule : config_.rules) {
    auto name = RuleQueue(rule, queue, user, groups);
    if (!name.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Application ", app_id, " submitted by user ", user, " to queue ",
          queue.empty() ? "default" : queue, " was rejected by the queue placement policy (rule ",
          rule.Name(), (config_.source.empty() ? "" : " in "), config_.source, ")"));
    }
    if (name->empty()) continue;
    int index = config_.Find(*name);
    if (index >= 0) {
      if (!config_.queues[index].is_leaf()) {
        return absl::InvalidArgumentError(
            absl::StrCat("Application ", app_id, " submitted by user ", user, " to queue ", *name,
                         " (placement rule ", rule.Name(),
                         "): it is a parent queue; applications go to leaf queues"));
      }
      return index;
    }
    if (!rule.create) continue;
    auto made = config_.CreateQueue(*name, false);
    if (!made.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("Application ", app_id, " submitted by user ",
                                                     user, " (placement rule ", rule.Name(),
                                                     "): ", made.status().message()));
    }
    queues_.resize(config_.queues.size());
    RankQueues();
    shares_dirty_ = true;
    return *made;
  }
  return absl::NotFoundError(absl::StrCat("Application ", app_id, " submitted by user ", user,
                                          " to queue ", queue,
                                          ": no queue placement rule placed it"));
}

bool FairScheduler::Allowed(int q, const std::string& user, const std::vector<std::string>& groups,
                            QueueAccess access) const {
  for (; q >= 0; q = config_.queues[q].parent) {
    const FairQueueConfig& c = config_.queues[q];
    if (c.acl_administer_apps.Allows(user, groups)) return true;
    if (access == QueueAccess::kSubmitApplications && c.acl_submit_apps.Allows(user, groups)) {
      return true;
    }
  }
  return false;
}

bool FairScheduler::HasAccess(const std::string& queue, const std::string& user,
                              QueueAccess access) const {
  int q = config_.Find(queue);
  if (q < 0) return false;
  std::vector<std::string> groups;
  if (user_groups_) groups = user_groups_(user);
  return Allowed(q, user, groups, access);
}

absl::StatusOr<std::string> FairScheduler::AddAttempt(const ApplicationAttemptId& attempt,
                                                      const std::string& queue,
                                                      const std::string& user,
                                                      int32_t app_priority) {
  if (apps_.count(attempt) > 0) {
    return absl::AlreadyExistsError(absl::StrCat(attempt.ToString(), " is already scheduled"));
  }
  std::vector<std::string> groups;
  if (user_groups_) groups = user_groups_(user);
  auto index = Place(attempt, queue, user, groups);
  if (!index.ok()) return index.status();
  const FairQueueConfig& c = config_.queues[*index];
  if (site_.acl_enabled && !Allowed(*index, user, groups, QueueAccess::kSubmitApplications)) {
    return absl::PermissionDeniedError(
        absl::StrCat("User ", user, " cannot submit applications to queue ", c.path, " (",
                     attempt.application_id().ToString(), ")"));
  }
  App& app = apps_[attempt];
  app.id = attempt;
  app.leaf = *index;
  app.user = user;
  app.priority = std::clamp(app_priority, 0, site_.max_application_priority);
  app.sequence = next_sequence_++;
  app.key = AppOrder(app);
  AttachApp(attempt, app);
  if (CanBeRunnable(app)) {
    SetRunnable(attempt, app, true);
  } else {
    waiting_.insert({app.sequence, attempt});
  }
  return c.path;
}

bool FairScheduler::CanBeRunnable(const App& app) const {
  for (int q = app.leaf; q >= 0; q = config_.queues[q].parent) {
    if (queues_[q].runnable_apps >= config_.queues[q].max_running_apps) return false;
  }
  auto it = user_runnable_.find(app.user);
  int32_t running = it == user_runnable_.end() ? 0 : it->second;
  return running < config_.UserMaxApps(app.user);
}

std::string FairScheduler::NotRunnableReason(const App& app) const {
  std::string prefix = "Application is added to the scheduler and is not yet activated. ";
  for (int q = app.leaf; q >= 0; q = config_.queues[q].parent) {
    const FairQueueConfig& c = config_.queues[q];
    if (queues_[q].runnable_apps >= c.max_running_apps) {
      return absl::StrCat(prefix, "Queue ", c.path, " already runs ", queues_[q].runnable_apps,
                          " applications, its maxRunningApps limit ", c.max_running_apps,
                          "; the application waits until one of them finishes.");
    }
  }
  auto it = user_runnable_.find(app.user);
  return absl::StrCat(
      prefix, "User ", app.user, " already runs ", it == user_runnable_.end() ? 0 : it->second,
      " applications, the user's maxRunningApps limit ", config_.UserMaxApps(app.user),
      "; the application waits until one of them finishes.");
}

void FairScheduler::SetRunnable(const ApplicationAttemptId& id, App& app, bool runnable) {
  if (app.runnable == runnable) return;
  app.runnable = runnable;
  int delta = runnable ? 1 : -1;
  for (int q = app.leaf; q >= 0; q = config_.queues[q].parent) queues_[q].runnable_apps += delta;
  if ((user_runnable_[app.user] += delta) == 0) user_runnable_.erase(app.user);
  shares_dirty_ = true;
  SetInLeaf(id, app, runnable && !app.asks.empty());
}

void FairScheduler::PromoteWaitingApps() {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    App& app = apps_.at(it->second);
    if (CanBeRunnable(app)) {
      ApplicationAttemptId id = it->second;
      it = waiting_.erase(it);
      SetRunnable(id, app, true);
    } else {
      ++it;
    }
  }
}

void FairScheduler::AddPending(int leaf, const Resource& delta) {
  for (int q = leaf; q >= 0; q = config_.queues[q].parent) queues_[q].pending += delta;
}

void FairScheduler::AttachApp(const ApplicationAttemptId& id, App& app) {
  for (int q = app.leaf; q >= 0; q = config_.queues[q].parent) {
    ++queues_[q].num_apps;
    if (app.runnable) ++queues_[q].runnable_apps;
  }
  AddUsed(app.leaf, app.used);
  AddPending(app.leaf, app.pending);
  if (app.am_running) queues_[app.leaf].am_used += app.am_resource;
  if (app.in_leaf) {
    app.key = AppOrder(app);
    queues_[app.leaf].pending_apps.Push(&app, app.key);
  }
  shares_dirty_ = true;
}

void FairScheduler::DetachApp(const ApplicationAttemptId& id, App& app) {
  for (int q = app.leaf; q >= 0; q = config_.queues[q].parent) {
    --queues_[q].num_apps;
    if (app.runnable) --queues_[q].runnable_apps;
  }
  AddUsed(app.leaf, Resource() - app.used);
  AddPending(app.leaf, Resource() - app.pending);
  if (app.am_running) queues_[app.leaf].am_used -= app.am_resource;
  if (AppHeap::Contains(app)) queues_[app.leaf].pending_apps.Erase(&app);
  shares_dirty_ = true;
}

std::vector<ContainerId> FairScheduler::RemoveAttempt(const ApplicationAttemptId& attempt) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) return {};
  App& app = it->second;
  std::vector<ContainerId> held;
  for (int32_t slot : app.slots) {
    if (slot >= 0) held.push_back(slab_[slot].id);
  }
  std::sort(held.begin(), held.end());
  for (const ContainerId& c : held) Forget(c);
  for (const auto& [key, state] : app.asks) ask_floor_.Remove(state.ask.capability);
  AddPending(app.leaf, Resource() - app.pending);
  app.pending = Resource();
  app.asks.clear();
  SetInLeaf(attempt, app, false);
  bool was_runnable = app.runnable;
  SetRunnable(attempt, app, false);
  waiting_.erase({app.sequence, attempt});
  DetachApp(attempt, app);
  apps_.erase(it);
  if (was_runnable) PromoteWaitingApps();
  return held;
}

absl::Status FairScheduler::UpdateAsks(const ApplicationAttemptId& attempt,
                                       const std::vector<Ask>& asks) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) {
    return absl::NotFoundError(absl::StrCat(attempt.ToString(), " is not scheduled"));
  }
  App& app = it->second;
  if (absl::Status s = CheckContainerLimit(app, asks); !s.ok()) return s;
  Resource before = app.pending;
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
      ask_floor_.Add(ask.capability);
      app.pending += ask.capability * ask.num_containers;
    }
  }
  AddPending(app.leaf, app.pending - before);
  SetInLeaf(attempt, app, app.runnable && !app.asks.empty());
  if (site_.size_based_weight) Rekey(attempt, app);  // the weight follows the demand
  return absl::OkStatus();
}

absl::StatusOr<std::string> FairScheduler::MoveAttempt(const ApplicationAttemptId& attempt,
                                                       const std::string& queue) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) {
    return absl::NotFoundError(absl::StrCat(attempt.ToString(), " is not scheduled"));
  }
  App& app = it->second;
  int target = config_.Find(queue);
  if (target < 0) return absl::NotFoundError(absl::StrCat("Queue ", queue, " does not exist"));
  const FairQueueConfig& c = config_.queues[target];
  if (!c.is_leaf()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Queue ", c.path, " is a parent queue; applications move to leaf queues"));
  }
  if (target == app.leaf) return c.path;
  // Only the queues the app enters count: the common ancestors keep it either way.
  std::set<int> source_chain;
  for (int q = app.leaf; q >= 0; q = config_.queues[q].parent) source_chain.insert(q);
  EnsureShares();
  for (int q = target; q >= 0 && !source_chain.count(q); q = config_.queues[q].parent) {
    const FairQueueConfig& qc = config_.queues[q];
    if (app.runnable && queues_[q].runnable_apps + 1 > qc.max_running_apps) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Moving ", attempt.application_id().ToString(), " to queue ", c.path,
          " would violate the maxRunningApps limit ", qc.max_running_apps, " of queue ", qc.path));
    }
    if (!FitsBoth(queues_[q].used + app.used, queues_[q].max_share)) {
      return absl::FailedPreconditionError(
          absl::StrCat("Moving ", attempt.application_id().ToString(), " to queue ", c.path,
                       " would put ", qc.path, " at ", (queues_[q].used + app.used).ToString(),
                       ", above its maxResources ", queues_[q].max_share.ToString()));
    }
  }
  DetachApp(attempt, app);
  app.leaf = target;
  AttachApp(attempt, app);
  PromoteWaitingApps();  // a slot may have opened in the source, or the target may have room
  return config_.queues[target].path;
}

absl::StatusOr<int32_t> FairScheduler::UpdateAttemptPriority(const ApplicationAttemptId& attempt,
                                                             int32_t app_priority) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) {
    return absl::NotFoundError(absl::StrCat(attempt.ToString(), " is not scheduled"));
  }
  App& app = it->second;
  bool in_leaf = app.in_leaf;
  SetInLeaf(attempt, app, false);
  app.priority = std::clamp(app_priority, 0, site_.max_application_priority);
  SetInLeaf(attempt, app, in_leaf);
  return app.priority;
}

// ---- Nodes and containers ---------------------------------------------------------------------

void FairScheduler::AddNode(const NodeId& id, const Resource& total) {
  if (node_index_.HandleOf(id) >= 0) RemoveNode(id);
  int32_t h = node_index_.Add(id, total);
  if (static_cast<size_t>(h) >= nodes_.size()) nodes_.resize(h + 1);
  nodes_[h] = Node{total};
  cluster_ += total;
  shares_dirty_ = true;
}

std::vector<ContainerId> FairScheduler::RemoveNode(const NodeId& id) {
  int32_t h = node_index_.HandleOf(id);
  if (h < 0) return {};
  std::vector<ContainerId> lost;
  for (int32_t slot = 0; slot < slab_.limit(); ++slot) {
    const Container& c = slab_[slot];
    if (c.live && c.node == h) lost.push_back(c.id);
  }
  std::sort(lost.begin(), lost.end());
  for (const ContainerId& c : lost) Forget(c);
  node_index_.Remove(id);
  cluster_ -= nodes_[h].total;
  nodes_[h] = Node();
  shares_dirty_ = true;
  return lost;
}

void FairScheduler::ReleaseContainer(const ContainerId& container) { Forget(container); }

int32_t FairScheduler::SlotOf(const ContainerId& id) const {
  auto app = apps_.find(id.application_attempt_id());
  if (app == apps_.end()) return -1;
  int64_t seq = id.sequence();
  if (seq < 1 || seq > static_cast<int64_t>(app->second.slots.size())) return -1;
  int32_t slot = app->second.slots[seq - 1];
  // Numbers are unique per attempt whatever the epoch (a recovered id may carry one).
  return slot >= 0 && slab_[slot].id == id ? slot : -1;
}

void FairScheduler::Forget(const ContainerId& id) {
  // Every live container belongs to a live app: RemoveAttempt forgets its containers first.
  auto app_it = apps_.find(id.application_attempt_id());
  if (app_it == apps_.end()) return;
  App& app = app_it->second;
  int64_t seq = id.sequence();
  if (seq < 1 || seq > static_cast<int64_t>(app.slots.size())) return;
  int32_t slot = app.slots[seq - 1];
  if (slot < 0 || !(slab_[slot].id == id)) return;
  app.slots[seq - 1] = -1;
  --app.num_containers;
  Container& c = slab_[slot];
  const Resource r = c.resource;
  node_index_.Release(c.node, r);
  app.used -= r;
  AddUsed(app.leaf, Resource() - r);
  if (app.am_running && app.am_container == id) {
    app.am_running = false;
    queues_[app.leaf].am_used -= r;
  }
  Rekey(app_it->first, app);
  used_ -= r;
  if (!warned_.empty()) warned_.erase(id);
  slab_.Free(slot);
}

void FairScheduler::Account(App& app, int32_t node, const ContainerId& cid, const Resource& r,
                            int32_t priority, bool is_am) {
  node_index_.Allocate(node, r);
  const int32_t slot = slab_.Take();
  slab_[slot] = Container{cid, true, node, r, priority, is_am, next_container_sequence_++};
  // Container numbers run 1, 2, ... per attempt; a recovered one may skip ahead (the gap is -1).
  const size_t number = static_cast<size_t>(cid.sequence());
  if (app.slots.size() < number) app.slots.resize(number, -1);
  app.slots[number - 1] = slot;
  ++app.num_containers;
  app.used += r;
  used_ += r;
  AddUsed(app.leaf, r);
  if (is_am) {
    app.am_running = true;
    app.am_container = cid;
    app.am_resource = r;
    queues_[app.leaf].am_used += r;
  }
  if (!app.am_allocated) app.pending_reason.clear();
  app.am_allocated = true;  // a running container means the AM has started
}

Resource FairScheduler::NodeUsed(const NodeId& node) const {
  int32_t h = node_index_.HandleOf(node);
  return h < 0 ? Resource() : nodes_[h].total - node_index_.FreeOf(h);
}

// ---- Ordering ---------------------------------------------------------------------------------

FairScheduler::OrderKey FairScheduler::Order(FairPolicy policy, const Resource& usage,
                                             const Resource& pending, const Resource& min_share,
                                             double weight, int64_t tie) const {
  // The min share counts up to the demand (usage + pending), per type; no Resource is built.
  if (policy == FairPolicy::kDrf) {
    const int64_t min[2] = {std::min(min_share.memory_mb, usage.memory_mb + pending.memory_mb),
                            std::min(min_share.vcores, usage.vcores + pending.vcores)};
    // As Hadoop's DominantResourceFairnessPolicy: the per-type ratios compared largest first,
    // then the next largest (with two types, the smaller one).
    if (min[0] > 0 || min[1] > 0) {
      double need[2];
      for (int t = 0; t < 2; ++t) {
        need[t] = min[t] > 0 ? Ratio(Get(usage, t), min[t]) : Get(usage, t) > 0 ? kInfinity : 0;
      }
      const double high = std::max(need[0], need[1]);
      if (high < 1.0) return OrderKey{0, high, std::min(need[0], need[1]), tie};
    }
    double share[2] = {Ratio(usage.memory_mb, cluster_.memory_mb),
                       Ratio(usage.vcores, cluster_.vcores)};
    if (cluster_.memory_mb <= 0) share[0] = share[1] = 0;
    if (weight <= 0) return OrderKey{1, kInfinity, kInfinity, tie};
    return OrderKey{1, std::max(share[0], share[1]) / weight, std::min(share[0], share[1]) / weight,
                    tie};
  }
  int64_t min = std::min(min_share.memory_mb, usage.memory_mb + pending.memory_mb);
  if (usage.memory_mb < min) {
    return OrderKey{0, static_cast<double>(usage.memory_mb) / std::max<int64_t>(min, 1), 0, tie};
  }
  return OrderKey{1, weight > 0 ? usage.memory_mb / weight : kInfinity, 0, tie};
}

FairScheduler::OrderKey FairScheduler::QueueKey(int q) const {
  const FairQueueConfig& c = config_.queues[q];
  const Queue& queue = queues_[q];
  return Order(config_.queues[c.parent].policy, queue.used, queue.pending, queue.min_share,
               c.weight, queue.name_rank);
}

FairScheduler::OrderKey FairScheduler::AppOrder(const App& app) const {
  FairPolicy policy = config_.queues[app.leaf].policy;
  if (policy == FairPolicy::kFifo) {
    return OrderKey{0, -static_cast<double>(app.priority), 0, app.sequence};
  }
  return Order(policy, app.used, app.pending, Resource(), AppWeight(app), app.sequence);
}

void FairScheduler::Rekey(const ApplicationAttemptId& id, App& app) {
  OrderKey key = AppOrder(app);
  if (key == app.key) return;
  app.key = key;
  // A few swaps in the leaf's heap; a parked app goes back under its new key after the pass.
  if (AppHeap::Contains(app)) queues_[app.leaf].pending_apps.Rekey(&app, key);
}

void FairScheduler::SetInLeaf(const ApplicationAttemptId& id, App& app, bool in) {
  if (app.in_leaf == in) return;
  Queue& leaf = queues_[app.leaf];
  if (in) {
    app.key = AppOrder(app);
    leaf.pending_apps.Push(&app, app.key);
  } else if (AppHeap::Contains(app)) {
    leaf.pending_apps.Erase(&app);
  }
  app.in_leaf = in;
}

void FairScheduler::AddUsed(int leaf, const Resource& delta) {
  for (int q = leaf; q >= 0; q = config_.queues[q].parent) {
    queues_[q].used += delta;
    if (active_.IsActive(q)) active_.Rekey(q, QueueKey(q));
  }
}

// ---- Scheduling -------------------------------------------------------------------------------

std::vector<Allocation> FairScheduler::Schedule() {
  EnsureShares();
  ++round_;
  std::vector<Allocation> out;
  // A child always has a larger index than its parent: walking backwards activates a parent only
  // once its children are known.
  active_.Resize(queues_.size());
  for (int q = static_cast<int>(queues_.size()) - 1; q > 0; --q) {
    bool has_demand = config_.queues[q].children.empty() ? !queues_[q].pending_apps.empty()
                                                         : active_.HasActiveChildren(q);
    if (has_demand) active_.Activate(q, config_.queues[q].parent, QueueKey(q));
  }
  for (int leaf = active_.PickLeaf(); leaf >= 0; leaf = active_.PickLeaf()) {
    // ServeLeaf places at most one container and parking an app changes no node, so this is the
    // only check needed.
    if (ask_floor_.NothingFits(node_index_)) break;  // the cluster is full for every ask
    if (!ServeLeaf(leaf, out)) active_.Deactivate(leaf);
  }
  active_.Clear();
  for (Queue& queue : queues_) {
    for (App* app : queue.parked) queue.pending_apps.Push(app, app->key);
    queue.parked.clear();
  }
  EndAssignRound();
  return out;
}

bool FairScheduler::ServeLeaf(int leaf, std::vector<Allocation>& out) {
  Queue& q = queues_[leaf];
  while (!q.pending_apps.empty()) {
    App& app = *q.pending_apps.Top();
    const ApplicationAttemptId& id = app.id;
    for (auto it = app.asks.begin(); it != app.asks.end(); ++it) {
      if (it->second.failed_round == round_) continue;
      Outcome outcome = TryAsk(id, app, it->second, out);
      if (outcome == Outcome::kAllocated) {
        if (it->second.ask.num_containers == 0) {
          ask_floor_.Remove(it->second.ask.capability);
          app.asks.erase(it);
        }
        if (app.asks.empty()) {
          SetInLeaf(id, app, false);
        } else {
          Rekey(id, app);
        }
        return true;
      }
      if (outcome == Outcome::kAppBlocked) break;
      it->second.failed_round = round_;
    }
    q.parked.push_back(q.pending_apps.Pop());
  }
  return false;
}

bool FairScheduler::FitsMaxShares(int leaf, const Resource& ask) const {
  for (int q = leaf; q >= 0; q = config_.queues[q].parent) {
    if (queues_[q].capped && !FitsBoth(queues_[q].used + ask, queues_[q].max_share)) return false;
  }
  return true;
}

Resource FairScheduler::MaxAmResource(int leaf) const {
  EnsureShares();
  const Queue& q = queues_[leaf];
  Resource base = q.fair_share;
  Resource free = Resource::ComponentMax(Resource(), cluster_ - used_);
  for (int t = 0; t < 2; ++t) {
    if (Get(base, t) == 0) Set(base, t, std::min(Get(free, t), Get(q.max_share, t)));
  }
  double share = config_.queues[leaf].max_am_share;
  return Resource(static_cast<int64_t>(std::ceil(base.memory_mb * share - 1e-9)),
                  static_cast<int64_t>(std::ceil(base.vcores * share - 1e-9)));
}

std::string FairScheduler::AmShareReason(int leaf, const Resource& ask) const {
  const FairQueueConfig& c = config_.queues[leaf];
  return absl::StrCat(
      "Application is added to the scheduler and is not yet activated. (Resource request: ",
      ask.ToString(), " exceeds maximum AM resource allowed). Details : Queue ", c.path,
      " maxAMShare = ", c.max_am_share,
      "; Queue Fair Share = ", queues_[leaf].fair_share.ToString(),
      "; Queue Resource Limit for AM = ", MaxAmResource(leaf).ToString(),
      "; Queue AM Resource Usage = ", queues_[leaf].am_used.ToString(), "; ");
}

FairScheduler::Outcome FairScheduler::TryAsk(const ApplicationAttemptId& id, App& app,
                                             AskState& state, std::vector<Allocation>& out) {
  const Resource& want = state.ask.capability;
  Queue& q = queues_[app.leaf];
  const FairQueueConfig& c = config_.queues[app.leaf];
  if (!app.am_allocated && c.max_am_share >= 0 &&
      !FitsBoth(q.am_used + want, MaxAmResource(app.leaf))) {
    app.pending_reason = AmShareReason(app.leaf, want);
    return Outcome::kAppBlocked;
  }
  int32_t node = FitsMaxShares(app.leaf, want) ? node_index_.FindHandle(want) : -1;
  if (node < 0) {
    if (!app.am_allocated) app.pending_reason.clear();
    return Outcome::kAskFailed;
  }
  ContainerId cid = ContainerId::Make(id, container_epoch_, app.next_container++);
  Account(app, node, cid, want, state.ask.priority, !app.am_allocated);
  CountAssignment(node, want);
  --state.ask.num_containers;
  app.pending -= want;
  AddPending(app.leaf, Resource() - want);
  out.push_back(Allocation{cid, node_index_.IdOf(node), want, state.ask.priority,
                           state.ask.allocation_request_id});
  return Outcome::kAllocated;
}

// ---- Queries ----------------------------------------------------------------------------------

Resource FairScheduler::Headroom(const ApplicationAttemptId& attempt) const {
  Resource headroom = Resource::ComponentMax(Resource(), cluster_ - used_);
  auto it = apps_.find(attempt);
  if (it == apps_.end()) return headroom;
  EnsureShares();
  const App& app = it->second;
  const Queue& leaf = queues_[app.leaf];
  Resource fair_room = leaf.fair_share - leaf.used;
  headroom.memory_mb = std::min(headroom.memory_mb, fair_room.memory_mb);
  if (config_.queues[app.leaf].policy == FairPolicy::kDrf) {
    headroom.vcores = std::min(headroom.vcores, fair_room.vcores);
  }
  for (int q = app.leaf; q >= 0; q = config_.queues[q].parent) {
    headroom = Resource::ComponentMin(headroom, queues_[q].max_share - queues_[q].used);
  }
  return Resource::ComponentMax(Resource(), headroom);
}

Resource FairScheduler::Pending(const ApplicationAttemptId& attempt) const {
  auto it = apps_.find(attempt);
  return it == apps_.end() ? Resource() : it->second.pending;
}

std::string FairScheduler::PendingReason(const ApplicationAttemptId& attempt) const {
  auto it = apps_.find(attempt);
  if (it == apps_.end() || it->second.am_allocated) return "";
  const App& app = it->second;
  if (!app.runnable) return NotRunnableReason(app);
  if (!app.pending_reason.empty()) return app.pending_reason;
  if (!app.in_leaf) return "";
  EnsureShares();
  const Queue& q = queues_[app.leaf];
  return absl::StrCat(
      "Application is Activated, waiting for resources to be assigned for AM.  Details : Queue ",
      config_.queues[app.leaf].path, " Fair Share = ", q.fair_share.ToString(),
      " ; Used = ", q.used.ToString(), " ; Max Resources = ", q.max_share.ToString(),
      " ; Cluster Resource = ", cluster_.ToString(), " ; Cluster Used = ", used_.ToString(), " ; ");
}

}  // namespace skein::rm
