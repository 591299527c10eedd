#include "resourcemanager/scheduler/fifo/fifo_scheduler.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/conf/configuration.h"
#include "resourcemanager/scheduler/recovery_checks.h"

namespace skein::rm {

namespace {

int32_t MaxPriority(const conf::Configuration* conf) {
  if (conf == nullptr) return std::numeric_limits<int32_t>::max();
  // An unreadable value was reported where the RM reads it; no priorities then.
  auto max = conf->GetInt("yarn.cluster.max-application-priority", 0);
  return max.ok() ? static_cast<int32_t>(std::clamp<int64_t>(*max, 0, INT32_MAX)) : 0;
}

}  // namespace

FifoScheduler::FifoScheduler(const SchedulerOptions& options)
    : calc_(*options.calculator),
      node_index_(calc_, calc_.ClassName() == DefaultResourceCalculator::kClassName),
      max_priority_(MaxPriority(options.conf)) {}

absl::StatusOr<std::string> FifoScheduler::AddAttempt(const ApplicationAttemptId& attempt,
                                                      const std::string& queue,
                                                      const std::string& user,
                                                      int32_t app_priority) {
  if (apps_.contains(attempt)) {
    return absl::AlreadyExistsError(absl::StrCat(attempt.ToString(), " is already scheduled"));
  }
  // The FIFO scheduler has one queue; any requested name lands there, as in YARN.
  App& app = apps_[attempt];
  app.user = user;
  app.priority = std::min(app_priority, max_priority_);
  app.sequence = next_sequence_++;
  return std::string(kQueueName);
}

std::vector<ContainerId> FifoScheduler::RemoveAttempt(const ApplicationAttemptId& attempt) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) return {};
  std::vector<ContainerId> held(it->second.containers.begin(), it->second.containers.end());
  for (const ContainerId& c : held) Forget(c);
  for (const auto& [key, ask] : it->second.asks) ask_floor_.Remove(ask.capability);
  pending_apps_.erase({-it->second.priority, it->second.sequence, attempt});
  apps_.erase(it);
  return held;
}

absl::Status FifoScheduler::UpdateAsks(const ApplicationAttemptId& attempt,
                                       const std::vector<Ask>& asks) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) {
    return absl::NotFoundError(absl::StrCat(attempt.ToString(), " is not scheduled"));
  }
  App& app = it->second;
  for (const Ask& ask : asks) {
    AskKey key{ask.priority, ask.allocation_request_id, ask.resource_name};
    if (auto old = app.asks.find(key); old != app.asks.end()) {
      ask_floor_.Remove(old->second.capability);
      app.asks.erase(old);
    }
    if (ask.num_containers > 0) {
      app.asks[key] = ask;
      ask_floor_.Add(ask.capability);
    }
  }
  OrderKey order{-app.priority, app.sequence, attempt};
  if (app.asks.empty()) {
    pending_apps_.erase(order);
  } else {
    pending_apps_.insert(order);
  }
  return absl::OkStatus();
}

void FifoScheduler::AddNode(const NodeId& id, const Resource& total) {
  if (nodes_.contains(id)) RemoveNode(id);
  Node& n = nodes_[id];
  n.total = total;
  cluster_ += total;
  node_index_.Add(id, Free(n));
}

std::vector<ContainerId> FifoScheduler::RemoveNode(const NodeId& id) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return {};
  std::vector<ContainerId> lost(it->second.containers.begin(), it->second.containers.end());
  for (const ContainerId& c : lost) Forget(c);
  node_index_.Remove(id);
  cluster_ -= it->second.total;
  nodes_.erase(it);
  return lost;
}

void FifoScheduler::ReleaseContainer(const ContainerId& container) { Forget(container); }

void FifoScheduler::Forget(const ContainerId& id) {
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  auto node = nodes_.find(it->second.node);
  if (node != nodes_.end()) {
    node->second.containers.erase(id);
    Reorder(node->first, node->second, Resource() - it->second.resource);
  }
  auto app = apps_.find(id.application_attempt_id());
  if (app != apps_.end()) app->second.containers.erase(id);
  used_ -= it->second.resource;
  containers_.erase(it);
}

void FifoScheduler::Account(App& app, const NodeId& node_id, Node& node, const ContainerId& cid,
                            const Resource& r) {
  node.containers.insert(cid);
  Reorder(node_id, node, r);
  containers_[cid] = Container{node_id, r};
  app.containers.insert(cid);
  used_ += r;
}

absl::Status FifoScheduler::RecoverContainer(const ApplicationAttemptId& attempt,
                                             const Allocation& container, bool) {
  auto app = apps_.find(attempt);
  auto node = nodes_.find(container.node);
  absl::Status checked =
      CheckRecoverable(attempt, app != apps_.end(), node != nodes_.end(), container);
  if (!checked.ok()) return checked;
  const ContainerId& id = container.container_id;
  // Known, or its number is one this scheduler handed out and is still running.
  if (containers_.contains(id) ||
      containers_.contains(ContainerId::Make(attempt, 0, id.sequence()))) {
    return RecoveredTwiceError(id);
  }
  // Never hand out this number (or a lower one) again. FIFO keeps no AM accounting.
  app->second.next_container = std::max(app->second.next_container, id.sequence() + 1);
  Account(app->second, container.node, node->second, id, container.resource);
  return absl::OkStatus();
}

absl::Status FifoScheduler::UpdateNodeResource(const NodeId& id, const Resource& total) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return UnknownNodeError(id);
  if (absl::Status s = CheckNodeTotal(id, total); !s.ok()) return s;
  cluster_ -= it->second.total;
  cluster_ += total;
  it->second.total = total;
  node_index_.Update(id, Free(it->second));  // may be negative: nothing fits there then
  return absl::OkStatus();
}

void FifoScheduler::Reorder(const NodeId& id, Node& n, const Resource& delta_used) {
  n.used += delta_used;
  node_index_.Update(id, Free(n));
}

std::vector<Allocation> FifoScheduler::Schedule() {
  std::vector<Allocation> out;
  for (auto order = pending_apps_.begin(); order != pending_apps_.end();) {
    if (ask_floor_.NothingFits(node_index_)) break;  // the cluster is full for every ask
    const ApplicationAttemptId& attempt = std::get<2>(*order);
    App& app = apps_.at(attempt);
    for (auto ask_it = app.asks.begin(); ask_it != app.asks.end();) {
      Ask& ask = ask_it->second;
      while (ask.num_containers > 0) {
        const NodeId* node_id = node_index_.Find(ask.capability);
        if (node_id == nullptr) break;
        ContainerId cid = ContainerId::Make(attempt, container_epoch_, app.next_container++);
        Account(app, *node_id, nodes_.at(*node_id), cid, ask.capability);
        out.push_back(
            Allocation{cid, *node_id, ask.capability, ask.priority, ask.allocation_request_id});
        --ask.num_containers;
      }
      if (ask.num_containers == 0) {
        ask_floor_.Remove(ask.capability);
        ask_it = app.asks.erase(ask_it);
      } else {
        ++ask_it;
      }
    }
    order = app.asks.empty() ? pending_apps_.erase(order) : std::next(order);
  }
  return out;
}

Resource FifoScheduler::NodeUsed(const NodeId& node) const {
  auto it = nodes_.find(node);
  return it == nodes_.end() ? Resource() : it->second.used;
}

Resource FifoScheduler::Headroom(const ApplicationAttemptId&) const {
  return Resource::ComponentMax(Resource(), cluster_ - used_);
}

Resource FifoScheduler::Pending(const ApplicationAttemptId& attempt) const {
  Resource total;
  auto it = apps_.find(attempt);
  if (it == apps_.end()) return total;
  for (const auto& [key, ask] : it->second.asks) total += ask.capability * ask.num_containers;
  return total;
}

absl::StatusOr<QueueSnapshot> FifoScheduler::GetQueue(const std::string& name) const {
  if (name != kQueueName && name != "root" && name != "root.default") {
    return absl::NotFoundError(absl::StrCat("Unknown queue: ", name));
  }
  QueueSnapshot q;
  q.name = kQueueName;
  q.path = "root.default";
  q.num_applications = static_cast<int32_t>(apps_.size());
  q.used = used_;
  q.used_capacity = cluster_.memory_mb > 0 ? calc_.Share(used_, cluster_) : 0.0;
  q.absolute_used_capacity = q.used_capacity;
  q.num_containers = static_cast<int32_t>(containers_.size());
  std::map<std::string, QueueUserSnapshot> users;
  for (const auto& [id, app] : apps_) {
    QueueUserSnapshot& u = users[app.user];
    u.user = app.user;
    for (const auto& [key, ask] : app.asks) q.pending += ask.capability * ask.num_containers;
    // The first container of an attempt is its AM: none yet means the app is still pending.
    if (app.next_container == 1) {
      ++q.num_pending_applications;
      ++u.pending_applications;
    } else {
      ++q.num_active_applications;
      ++u.active_applications;
    }
  }
  for (const auto& [cid, c] : containers_) {
    auto app = apps_.find(cid.application_attempt_id());
    if (app != apps_.end()) users[app->second.user].used += c.resource;
  }
  for (auto& [name, u] : users) {
    u.user_limit = cluster_;
    q.users.push_back(std::move(u));
  }
  return q;
}

absl::StatusOr<int32_t> FifoScheduler::UpdateAttemptPriority(const ApplicationAttemptId& attempt,
                                                             int32_t app_priority) {
  auto it = apps_.find(attempt);
  if (it == apps_.end()) {
    return absl::NotFoundError(absl::StrCat(attempt.ToString(), " is not scheduled"));
  }
  App& app = it->second;
  int32_t applied = std::clamp(app_priority, 0, max_priority_);
  if (pending_apps_.erase({-app.priority, app.sequence, attempt}) > 0) {
    pending_apps_.insert({-applied, app.sequence, attempt});
  }
  app.priority = applied;
  return applied;
}

}  // namespace skein::rm
