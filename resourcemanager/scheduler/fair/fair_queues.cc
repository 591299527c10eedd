// FairScheduler: fair-share computation (YARN's ComputeFairShares), application weights and
// per-queue container limits, the per-node assignment limit of a pass, container recovery and
// node resource updates, queue snapshots and reloading of the allocation file (see
// fair_scheduler.h).
#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/conf/configuration.h"
#include "resourcemanager/scheduler/fair/fair_scheduler.h"
#include "resourcemanager/scheduler/recovery_checks.h"

namespace skein::rm {
namespace {

constexpr int kComputeIterations = 25;  // binary search steps, as YARN's ComputeFairShares

int64_t Component(const Resource& r, int type) { return type == 0 ? r.memory_mb : r.vcores; }
void SetComponent(Resource& r, int type, int64_t v) { (type == 0 ? r.memory_mb : r.vcores) = v; }

}  // namespace

// ---- Fair shares ------------------------------------------------------------------------------

void FairScheduler::ComputeShares(const std::vector<int>& children, const Resource& total,
                                  FairPolicy policy, bool steady) const {
  auto share_of = [this, steady](int c) -> Resource& {
    return steady ? queues_[c].steady_fair_share : queues_[c].fair_share;
  };
  for (int c : children) share_of(c) = Resource();
  const int types = policy == FairPolicy::kDrf ? 2 : 1;  // fair / fifo: memory only
  for (int type = 0; type < types; ++type) {
    std::vector<int> flexible;
    int64_t taken = 0;
    for (int c : children) {
      const FairQueueConfig& qc = config_.queues[c];
      int64_t max = std::min(Component(queues_[c].max_share, type), kUnlimited);
      int64_t fixed = -1;
      if (max <= 0 || (!steady && !IsActive(c))) {
        fixed = 0;
      } else if (qc.weight <= 0) {
        fixed = std::max<int64_t>(0, Component(queues_[c].min_share, type));
      }
      if (fixed >= 0) {
        SetComponent(share_of(c), type, fixed);
        taken = std::min(taken + fixed, kUnlimited);
      } else {
        flexible.push_back(c);
      }
    }
    if (flexible.empty()) continue;
    auto share_at = [this, type](int c, double ratio) -> int64_t {
      double s = config_.queues[c].weight * ratio;
      s = std::max(s, static_cast<double>(Component(queues_[c].min_share, type)));
      s = std::min(
          s, static_cast<double>(std::min(Component(queues_[c].max_share, type), kUnlimited)));
      return static_cast<int64_t>(s);
    };
    auto used_at = [&](double ratio) {
      int64_t sum = 0;
      for (int c : flexible) sum = std::min(sum + share_at(c, ratio), kUnlimited);
      return sum;
    };
    int64_t max_sum = 0;
    for (int c : flexible) {
      max_sum = std::min(max_sum + std::min(Component(queues_[c].max_share, type), kUnlimited),
                         kUnlimited);
    }
    int64_t target = std::min(std::max<int64_t>(0, Component(total, type) - taken), max_sum);
    double right = 1.0;
    while (used_at(right) < target && right < 1e300) right *= 2.0;
    double left = 0;
    for (int i = 0; i < kComputeIterations; ++i) {
      double mid = (left + right) / 2.0;
      int64_t planned = used_at(mid);
      if (planned == target) {
        right = mid;
        break;
      }
      (planned < target ? left : right) = mid;
    }
    for (int c : flexible) SetComponent(share_of(c), type, share_at(c, right));
  }
}

void FairScheduler::EnsureShares() const {
  if (!shares_dirty_) return;
  shares_dirty_ = false;
  for (size_t q = 0; q < queues_.size(); ++q) {
    queues_[q].min_share = config_.queues[q].min_resources.Resolve(cluster_);
    Resource max = config_.queues[q].max_resources.Resolve(cluster_);
    queues_[q].max_share =
        Resource(std::min(max.memory_mb, kUnlimited), std::min(max.vcores, kUnlimited));
    queues_[q].capped = max.memory_mb < kUnlimited || max.vcores < kUnlimited;
  }
  queues_[0].fair_share = cluster_;
  queues_[0].steady_fair_share = cluster_;
  // A child always comes after its parent, so one forward pass splits top-down.
  for (size_t q = 0; q < queues_.size(); ++q) {
    const FairQueueConfig& c = config_.queues[q];
    if (c.children.empty()) continue;
    ComputeShares(c.children, queues_[q].fair_share, c.policy, false);
    ComputeShares(c.children, queues_[q].steady_fair_share, c.policy, true);
  }
}

// ---- Applications in a leaf ----------------------------------------------------------------

double FairScheduler::AppWeight(const App& app) const {
  if (!site_.size_based_weight) return 1.0;
  return std::log1p(static_cast<double>((app.used + app.pending).memory_mb)) / std::log(2.0);
}

absl::Status FairScheduler::CheckContainerLimit(App& app, const std::vector<Ask>& asks) const {
  const FairQueueConfig& c = config_.queues[app.leaf];
  const Resource& max = c.max_container_allocation;
  for (const Ask& ask : asks) {
    if (ask.num_containers <= 0) continue;
    const char* type = ask.capability.memory_mb > max.memory_mb ? "memory-mb"
                       : ask.capability.vcores > max.vcores     ? "vcores"
                                                                : nullptr;
    if (type == nullptr) continue;
    std::string error = absl::StrCat(
        "Invalid resource request! Cannot allocate containers as requested resource is greater "
        "than maximum allowed allocation. Requested resource type=[",
        type, "], Requested resource=", ask.capability.ToString(),
        ", maximum allowed allocation=", max.ToString(), " (maxContainerAllocation of queue ",
        c.path, ")");
    if (!app.am_allocated) app.pending_reason = error;
    return absl::InvalidArgumentError(error);
  }
  return absl::OkStatus();
}

// ---- Per-node assignment limit ----------------------------------------------------------------

void FairScheduler::CountAssignment(int32_t node, const Resource& assigned) {
  if (site_.AssignUnlimited()) return;
  if (static_cast<size_t>(node) >= node_rounds_.size()) node_rounds_.resize(node + 1);
  NodeRound& r = node_rounds_[node];
  if (r.round != round_) {
    Resource free_before = node_index_.FreeOf(node) + assigned;  // it counts the assignment
    r = NodeRound{round_, 0, Resource(),
                  Resource(free_before.memory_mb / 2, free_before.vcores / 2)};
  }
  ++r.containers;
  r.assigned += assigned;
  bool more;  // YARN's FairScheduler.shouldContinueAssigning
  if (!site_.assign_multiple) {
    more = false;
  } else if (site_.dynamic_max_assign) {
    more = r.assigned.memory_mb <= r.budget.memory_mb && r.assigned.vcores <= r.budget.vcores;
  } else {
    more = site_.max_assign <= 0 || r.containers < site_.max_assign;
  }
  if (more) return;
  node_index_.Hide(node);
  capped_nodes_.push_back(node);
}

void FairScheduler::EndAssignRound() {
  for (int32_t node : capped_nodes_) node_index_.Unhide(node);
  capped_nodes_.clear();
}

// ---- Recovery and node resources -------------------------------------------------------------

absl::Status FairScheduler::RecoverContainer(const ApplicationAttemptId& attempt,
                                             const Allocation& container, bool is_am) {
  auto app_it = apps_.find(attempt);
  int32_t node = node_index_.HandleOf(container.node);
  absl::Status checked = CheckRecoverable(attempt, app_it != apps_.end(), node >= 0, container);
  if (!checked.ok()) return checked;
  App& app = app_it->second;
  // Never hand out this number (or a lower one) again; Account fills the gap with -1.
  absl::Status claimed =
      ClaimRecoveredNumber(app.slots, app.next_container, container.container_id);
  if (!claimed.ok()) return claimed;
  Account(app, node, container.container_id, container.resource, container.priority,
          is_am && !app.am_running);
  Rekey(attempt, app);  // its usage moved it in its leaf's order
  return absl::OkStatus();
}

absl::Status FairScheduler::UpdateNodeResource(const NodeId& id, const Resource& total) {
  int32_t h = node_index_.HandleOf(id);
  if (h < 0) return UnknownNodeError(id);
  if (absl::Status s = CheckNodeTotal(id, total); !s.ok()) return s;
  const Resource used = nodes_[h].total - node_index_.FreeOf(h);
  cluster_ -= nodes_[h].total;
  cluster_ += total;
  nodes_[h].total = total;
  node_index_.UpdateHandle(h, total - used);  // may be negative: nothing fits there then
  shares_dirty_ = true;  // shares, min/max shares and AM limits follow the cluster
  return absl::OkStatus();
}

// ---- Snapshots ------------------------------------------------------------------------------

QueueSnapshot FairScheduler::Snapshot(int index) const {
  const FairQueueConfig& c = config_.queues[index];
  const Queue& q = queues_[index];
  QueueSnapshot s;
  s.name = c.name;
  s.path = c.path;
  auto frac = [](int64_t a, int64_t b) {
    return b > 0 ? std::min(1.0, std::max(0.0, static_cast<double>(a) / b)) : 0.0;
  };
  s.absolute_capacity = frac(q.fair_share.memory_mb, cluster_.memory_mb);
  s.absolute_maximum_capacity =
      cluster_.memory_mb > 0 ? frac(q.max_share.memory_mb, cluster_.memory_mb) : 1.0;
  s.absolute_used_capacity = frac(q.used.memory_mb, cluster_.memory_mb);
  const Queue* parent = c.parent >= 0 ? &queues_[c.parent] : nullptr;
  s.capacity = parent ? frac(q.fair_share.memory_mb, parent->fair_share.memory_mb) : 1.0;
  s.maximum_capacity = s.absolute_maximum_capacity;
  s.used_capacity = q.fair_share.memory_mb > 0
                        ? static_cast<double>(q.used.memory_mb) / q.fair_share.memory_mb
                        : 0.0;
  s.used = q.used;
  s.pending = q.pending;
  s.num_applications = q.num_apps;
  s.num_active_applications = q.runnable_apps;
  s.num_pending_applications = q.num_apps - q.runnable_apps;
  s.max_applications = c.max_running_apps == kUnlimitedApps ? -1 : c.max_running_apps;
  s.preemption_disabled = !site_.preemption || !c.allow_preemption_from;
  s.has_fair = true;
  FairQueueSnapshot& f = s.fair;
  f.min_resources = q.min_share;
  f.max_resources = Resource::ComponentMin(q.max_share, cluster_);  // as YARN's REST shows it
  f.fair_share = q.fair_share;
  f.steady_fair_share = q.steady_fair_share;
  f.demand = Resource::ComponentMin(q.used + q.pending, q.max_share);
  f.weight = c.weight;
  f.scheduling_policy = std::string(PolicyName(c.policy));
  f.max_running_apps = s.max_applications;
  f.max_am_share = c.max_am_share;
  f.is_parent = !c.is_leaf();
  f.max_container_allocation = c.max_container_allocation;
  if (c.is_leaf() && index != 0) {
    s.am_used = q.am_used;
    s.am_limit = c.max_am_share >= 0 ? MaxAmResource(index) : cluster_;
    s.max_am_resource_percent = c.max_am_share >= 0 ? c.max_am_share : 1.0;
    std::map<std::string, QueueUserSnapshot> users;
    for (const auto& [id, app] : apps_) {
      if (app.leaf != index) continue;
      s.num_containers += app.num_containers;
      QueueUserSnapshot& u = users[app.user];
      u.user = app.user;
      u.used += app.used;
      if (app.am_running) u.am_used += app.am_resource;
      ++(app.runnable ? u.active_applications : u.pending_applications);
    }
    for (auto& [name, u] : users) {
      u.user_limit = q.max_share;
      s.users.push_back(std::move(u));
    }
  }
  for (int child : c.children) {
    s.children.push_back(Snapshot(child));
    s.num_containers += s.children.back().num_containers;
  }
  return s;
}

absl::StatusOr<QueueSnapshot> FairScheduler::GetQueue(const std::string& name) const {
  int index = config_.Find(name);
  if (index < 0) return absl::NotFoundError(absl::StrCat("Unknown queue: ", name));
  EnsureShares();
  return Snapshot(index);
}

// ---- Reloading --------------------------------------------------------------------------------

std::vector<std::string> FairScheduler::ReloadableFiles() const { return {site_.allocation_file}; }

absl::Status FairScheduler::Reinitialize(const conf::Configuration& conf) {
  auto site = FairSiteConfig::FromConfiguration(conf);
  if (!site.ok()) return site.status();
  auto parsed = AllocationConfig::Load(*site);
  if (!parsed.ok()) {
    return absl::Status(parsed.status().code(),
                        absl::StrCat("Failed to reload the fair scheduler allocation file: ",
                                     parsed.status().message()));
  }
  AllocationConfig& next = *parsed;
  std::vector<int> remap(config_.queues.size(), -1);
  for (size_t i = 0; i < config_.queues.size(); ++i) {
    const std::string& path = config_.queues[i].path;
    remap[i] = next.Find(path);
    if (!config_.queues[i].is_leaf() || queues_[i].num_apps == 0) continue;
    if (remap[i] >= 0 && !next.queues[remap[i]].is_leaf()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Failed to reload the fair scheduler allocation file ", next.source, ": leaf queue ",
          path, " has ", queues_[i].num_apps, " applications and cannot become a parent queue"));
    }
    if (remap[i] < 0) {  // keep it, as YARN keeps a queue that still has applications
      auto made = next.CreateQueue(path, false);
      if (!made.ok()) {
        return absl::FailedPreconditionError(
            absl::StrCat("Failed to reload the fair scheduler allocation file ", next.source,
                         ": queue ", path, " has ", queues_[i].num_apps,
                         " applications and cannot be kept: ", made.status().message()));
      }
      remap[i] = *made;
    }
  }
  site_ = std::move(*site);
  config_ = std::move(next);
  for (auto& [id, app] : apps_) app.leaf = remap[app.leaf];
  RebuildQueues();
  PromoteWaitingApps();
  return absl::OkStatus();
}

void FairScheduler::RebuildQueues() {
  queues_.clear();
  queues_.resize(config_.queues.size());
  RankQueues();
  std::vector<ApplicationAttemptId> ids;
  for (const auto& [id, app] : apps_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (const ApplicationAttemptId& id : ids) AttachApp(id, apps_.at(id));
  shares_dirty_ = true;
}

}  // namespace skein::rm
