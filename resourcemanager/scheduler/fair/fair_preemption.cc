// FairScheduler preemption: min-share and fair-share starvation of leaves, and the choice of
// containers to take back (see fair_scheduler.h).
#include <algorithm>

#include "resourcemanager/scheduler/fair/fair_scheduler.h"

namespace skein::rm {

int64_t FairScheduler::PreemptionIntervalMs() const {
  return site_.preemption ? site_.update_interval_ms : 0;
}

// What `leaf` is owed now: YARN's resource deficit. Updates the last times the leaf was at its
// min share and at its fair-share threshold.
Resource FairScheduler::Starvation(int leaf, int64_t now_ms) {
  const FairQueueConfig& c = config_.queues[leaf];
  Queue& q = queues_[leaf];
  const bool drf = c.policy == FairPolicy::kDrf;
  auto below = [drf](const Resource& used, const Resource& target) {
    return used.memory_mb < target.memory_mb || (drf && used.vcores < target.vcores);
  };
  Resource demand = q.used + q.pending;
  Resource min_target = Resource::ComponentMin(q.min_share, demand);
  Resource fair_target = Resource::ComponentMin(q.fair_share, demand);
  Resource fair_threshold(
      static_cast<int64_t>(fair_target.memory_mb * c.fair_share_preemption_threshold),
      static_cast<int64_t>(fair_target.vcores * c.fair_share_preemption_threshold));
  if (q.last_at_min_share_ms < 0 || !below(q.used, min_target)) q.last_at_min_share_ms = now_ms;
  if (q.last_at_fair_threshold_ms < 0 || !below(q.used, fair_threshold)) {
    q.last_at_fair_threshold_ms = now_ms;
  }
  Resource deficit;
  if (now_ms - q.last_at_min_share_ms > c.min_share_preemption_timeout_ms) {
    deficit = Resource::ComponentMax(deficit, min_target - q.used);
  }
  if (now_ms - q.last_at_fair_threshold_ms > c.fair_share_preemption_timeout_ms) {
    deficit = Resource::ComponentMax(deficit, fair_target - q.used);
  }
  deficit = Resource::ComponentMax(Resource(), deficit);
  if (!drf) deficit.vcores = 0;
  return deficit;
}

PreemptionRound FairScheduler::SelectPreemption(int64_t now_ms) {
  PreemptionRound round;
  if (!site_.preemption) return round;
  EnsureShares();
  // A kill is ordered once; the container stays in warned_ (time -1) until it is released.
  for (auto& [id, when] : warned_) {
    if (when >= 0 && now_ms - when >= site_.wait_time_before_kill_ms) {
      round.to_kill.push_back(id);
      when = -1;
    }
  }
  Resource owed;
  for (size_t leaf = 1; leaf < queues_.size(); ++leaf) {
    if (config_.queues[leaf].is_leaf()) owed += Starvation(static_cast<int>(leaf), now_ms);
  }
  if (cluster_.memory_mb <= 0) return round;
  double utilization = static_cast<double>(used_.memory_mb) / cluster_.memory_mb;
  if (cluster_.vcores > 0) {
    utilization = std::max(utilization, static_cast<double>(used_.vcores) / cluster_.vcores);
  }
  if (utilization < site_.preemption_utilization_threshold) return round;
  // Containers already warned or killed are on their way back.
  for (const auto& [id, when] : warned_) owed -= slab_[SlotOf(id)].resource;
  auto still_owed = [&owed] { return owed.memory_mb > 0 || owed.vcores > 0; };
  if (!still_owed()) return round;

  // Victims: containers of leaves above their fair share; per leaf the least important first
  // (largest priority value), newest first, AM containers last.
  struct Candidate {
    bool is_am;
    int32_t priority;
    int64_t sequence;
    ContainerId id;
    bool operator<(const Candidate& o) const {
      if (is_am != o.is_am) return !is_am;
      if (priority != o.priority) return priority > o.priority;
      return sequence > o.sequence;
    }
  };
  std::map<int, std::vector<Candidate>> by_leaf;
  std::map<int, Resource> leaf_used;
  for (const auto& [id, app] : apps_) {
    const Queue& q = queues_[app.leaf];
    if (!config_.queues[app.leaf].allow_preemption_from) continue;  // allowPreemptionFrom false
    if (q.used.memory_mb <= q.fair_share.memory_mb &&
        (config_.queues[app.leaf].policy != FairPolicy::kDrf ||
         q.used.vcores <= q.fair_share.vcores)) {
      continue;
    }
    leaf_used[app.leaf] = q.used;
    for (int32_t slot : app.slots) {
      if (slot < 0 || warned_.count(slab_[slot].id)) continue;
      const Container& c = slab_[slot];
      by_leaf[app.leaf].push_back(Candidate{c.is_am, c.priority, c.sequence, c.id});
    }
  }
  for (auto& [leaf, list] : by_leaf) std::sort(list.begin(), list.end());
  std::map<int, size_t> next;
  while (still_owed()) {
    // The leaf furthest above its fair share gives next.
    int victim = -1;
    int64_t most_over = 0;
    for (auto& [leaf, list] : by_leaf) {
      if (next[leaf] >= list.size()) continue;
      int64_t over = leaf_used[leaf].memory_mb - queues_[leaf].fair_share.memory_mb;
      if (over > most_over) {
        most_over = over;
        victim = leaf;
      }
    }
    if (victim < 0) break;
    const Candidate& chosen = by_leaf[victim][next[victim]++];
    const Resource& r = slab_[SlotOf(chosen.id)].resource;
    leaf_used[victim] -= r;
    owed -= r;
    warned_[chosen.id] = now_ms;
    round.to_warn.push_back(chosen.id);
  }
  return round;
}

}  // namespace skein::rm
