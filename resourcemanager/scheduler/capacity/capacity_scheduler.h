// YARN's CapacityScheduler over a queue tree (see capacity_config.h for the keys).
//
// Between queues: each allocation goes to the most under-served queue first, descending from
// root and picking at each level the child with the lowest used/guaranteed ratio (guaranteed =
// absolute capacity x cluster; the calculator's Share gives "used"). A queue may grow above its
// capacity while others are idle, up to its maximum-capacity (and every ancestor's), never above.
//
// Within a leaf (FIFO ordering policy): applications by application priority (higher first,
// capped at yarn.cluster.max-application-priority; 0 means "the leaf's
// default-application-priority"), then submission order; inside an application, asks by
// priority (lower value first). Only "*" (ANY) ask lines are demand; host and rack lines are
// locality hints that this scheduler ignores.
//
// User limit (Hadoop's formula, simplified): with C = max(queue guarantee, queue used + ask),
// a user may hold at most min(max(C / active users, C x minimum-user-limit-percent / 100),
// guarantee x user-limit-factor), where active users are those with pending demand in the leaf.
// Unlike Hadoop, the limit is strict (used + ask must fit), so a user never overshoots it by one
// container. user-limit-factor -1 means no per-user cap.
//
// AM limit: the first container of an attempt is its AM. It is held while the leaf's AM usage
// plus the ask would exceed maximum-am-resource-percent x the leaf's guaranteed resource, except
// that a leaf with no running AM always starts one (as YARN). PendingReason() says why.
//
// Limits compare with the configured calculator (Default: memory only; Dominant: every type).
// Cost of one allocation: O(queue depth x log siblings + log apps + log nodes) with the Default
// calculator; nodes are kept ordered by free memory (NodeIndex), leaves by used/guaranteed (an
// ActiveQueueTree), apps per leaf in a set of those with demand. A failed attempt (ask, app,
// leaf) is parked for the rest of the Schedule() call: within one call resources only shrink, so
// it cannot succeed later in it; the call stops once no node holds the smallest ask (AskFloor).
//
// Preemption: preemption_policy.h, run by SelectPreemption when the monitor is enabled.
//
// Bookkeeping for speed: containers live in a slab (dense slots in chunks that never move, found
// through their app by container number, no hash table per container, no per-node list), nodes in
// a vector indexed by their NodeIndex handle, a user's state is reached from its app by pointer,
// queue limits are cached until the cluster or the tree changes, and pending-reason texts are built
// only when asked.
//
// Thread rules: not thread-safe; the RM loop thread calls everything.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_SCHEDULER_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_SCHEDULER_H_

#include <map>
#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "resourcemanager/scheduler/active_queue_tree.h"
#include "resourcemanager/scheduler/capacity/capacity_config.h"
#include "resourcemanager/scheduler/node_index.h"
#include "resourcemanager/scheduler/scheduler.h"
#include "resourcemanager/scheduler/slab.h"

namespace skein::rm {

class CapacityScheduler final : public Scheduler {
 public:
  static constexpr char kClassName[] =
      "org.apache.hadoop.yarn.server.resourcemanager.scheduler.capacity.CapacityScheduler";

  // Parses options.conf (or the defaults when null). Errors name the offending key and value.
  static absl::StatusOr<std::unique_ptr<CapacityScheduler>> Create(const SchedulerOptions& options);

  std::string ClassName() const override { return kClassName; }
  // Applies queue mappings (u: and g: lines; a mapping applies when the app asked for "default"
  // or queue-mappings-override.enable is true), then checks: known queue, leaf, RUNNING, ACL
  // (when yarn.acl.enable), maximum-applications for the queue and for the user.
  absl::StatusOr<std::string> AddAttempt(const ApplicationAttemptId& attempt,
                                         const std::string& queue, const std::string& user,
                                         int32_t app_priority) override;
  std::vector<ContainerId> RemoveAttempt(const ApplicationAttemptId& attempt) override;
  // An ask above the leaf's maximum-allocation-mb/-vcores is InvalidArgument; nothing applies.
  absl::Status UpdateAsks(const ApplicationAttemptId& attempt,
                          const std::vector<Ask>& asks) override;
  void AddNode(const NodeId& node, const Resource& total) override;
  std::vector<ContainerId> RemoveNode(const NodeId& node) override;
  void ReleaseContainer(const ContainerId& container) override;
  std::vector<Allocation> Schedule() override;
  Resource ClusterResource() const override { return cluster_; }
  Resource UsedResource() const override { return used_; }
  Resource NodeUsed(const NodeId& node) const override;
  // min(user limit - user used, queue and ancestors' maximum - used, cluster free), >= 0.
  Resource Headroom(const ApplicationAttemptId& attempt) const override;
  Resource Pending(const ApplicationAttemptId& attempt) const override;
  // By full path or unique short name; the subtree below it is filled in.
  absl::StatusOr<QueueSnapshot> GetQueue(const std::string& name) const override;
  std::string PendingReason(const ApplicationAttemptId& attempt) const override;
  // New queues appear and limits change; a queue that holds applications cannot disappear or
  // become a parent. On error the running tree stays.
  absl::Status Reinitialize(const conf::Configuration& conf) override;
  // To a RUNNING leaf (full path or unique leaf name) whose maximum-applications (and per-user
  // limit) and maximum-capacity (own and ancestors') can take the application with what it
  // holds; used, AM and user accounting move along. ACLs are the caller's (HasAccess).
  absl::StatusOr<std::string> MoveAttempt(const ApplicationAttemptId& attempt,
                                          const std::string& queue) override;
  // Re-ranks the application in its leaf; capped to [0, yarn.cluster.max-application-priority].
  absl::StatusOr<int32_t> UpdateAttemptPriority(const ApplicationAttemptId& attempt,
                                                int32_t app_priority) override;
  // acl_submit_applications (or acl_administer_queue) / acl_administer_queue of the queue or of
  // any ancestor allow the user or one of its groups. Unknown queues: false.
  bool HasAccess(const std::string& queue, const std::string& user,
                 QueueAccess access) const override;
  // Accounts the running container on its node, leaf (and ancestors), user and app, and as the
  // leaf's running AM when `is_am` and the app has none; later allocations never reuse its
  // number. Usage may exceed the queue's limits (the container runs already).
  absl::Status RecoverContainer(const ApplicationAttemptId& attempt, const Allocation& container,
                                bool is_am) override;
  // The cluster resource, and so every queue's guarantee, maximum and limits, follow.
  absl::Status UpdateNodeResource(const NodeId& node, const Resource& total) override;
  // monitoring_interval when the preemption monitor is enabled, else 0.
  int64_t PreemptionIntervalMs() const override;
  // Runs the ProportionalCapacityPreemptionPolicy (preemption_policy.h) over the current state.
  // A selected container is marked at `now_ms` (to_warn); still selected and running at mark +
  // max_wait_before_kill it is returned once in to_kill. A marked container that is no longer
  // selected (the demand went away) loses its mark. observe_only: nothing is returned.
  PreemptionRound SelectPreemption(int64_t now_ms) override;

  const CapacityConfig& config() const { return config_; }

 private:
  using AskKey = std::tuple<int32_t, int64_t, std::string>;           // priority, request id, name
  using AppKey = std::tuple<int32_t, int64_t, ApplicationAttemptId>;  // -priority, seq, id

  // Why an application without its AM waits; the text is built when asked (PendingReason).
  enum class AmWait { kNone, kAmLimit, kResources };

  struct AskState {
    Ask ask;
    uint64_t failed_round = 0;
  };
  struct User {
    Resource used;
    Resource am_used;
    int32_t apps = 0;          // admitted apps
    int32_t pending_apps = 0;  // apps with demand
  };
  struct App {
    int leaf = -1;
    std::string user;
    User* user_state = nullptr;  // queues_[leaf].users[user]; std::map nodes are stable
    int32_t priority = 0;
    int64_t sequence = 0;
    std::map<AskKey, AskState> asks;  // "*" lines only
    int64_t next_container = 1;
    std::vector<int32_t> containers;  // slots in slab_
    // Container number - 1 -> slot, -1 once released: the ids this attempt was given are dense,
    // so finding a container by id needs no hash table (4 bytes per container ever allocated).
    std::vector<int32_t> slot_by_sequence;
    Resource used;
    Resource pending;  // sum of the ask table
    bool am_allocated = false;
    bool am_running = false;
    ContainerId am_container;
    AmWait am_wait = AmWait::kNone;
    Resource am_wait_ask;
    bool has_demand = false;  // in its leaf's pending_apps (or parked this round)
  };
  struct Queue {
    Resource used;
    int32_t num_containers = 0;
    // Absolute maximum capacity x cluster, and (leaves) guarantee, user-limit-factor cap and AM
    // limit: recomputed when the cluster size or the tree changes (RefreshLimits).
    Resource max_resource;
    Resource guaranteed;
    Resource user_cap;  // guarantee x user-limit-factor (unused when the factor is -1)
    Resource am_limit;
    // Leaves only.
    std::set<AppKey> pending_apps;
    std::vector<AppKey> parked;  // taken out of pending_apps for the current round
    std::map<std::string, User> users;
    int32_t active_users = 0;
    int32_t num_apps = 0;
    int32_t running_ams = 0;
    Resource am_used;
  };
  // By NodeIndex handle; cold: an allocation touches only the NodeIndex's packed free resource
  // (used = total - free). No per-node container list: RemoveNode (rare) scans slab_.
  struct Node {
    Resource total;
    bool live = false;
  };
  // One running container; lives in slab_, found by id through its app's slot_by_sequence.
  struct Container {
    ContainerId id;
    Resource resource;
    int64_t sequence = 0;  // allocation order: preemption takes the latest first
    int32_t node = -1;     // NodeIndex handle; -1 in a free slot
    int32_t app_pos = -1;
  };
  struct Mark {
    int64_t at_ms = 0;
    bool kill_sent = false;
  };
  enum class Outcome { kAllocated, kAskFailed, kAppBlocked };

  CapacityScheduler(const SchedulerOptions& options, CapacityConfig config);

  // Tree bookkeeping.
  double Ratio(int q) const;
  void AddUsed(int leaf, const Resource& delta, int32_t containers);
  void SetHasDemand(const ApplicationAttemptId& id, App& app, bool has_demand);
  bool ServeLeaf(int leaf, std::vector<Allocation>& out);
  Outcome TryAsk(const ApplicationAttemptId& id, App& app, AskState& ask,
                 std::vector<Allocation>& out);
  // used + ask within limit per the calculator, without building the sum when it can.
  bool FitsWith(const Resource& used, const Resource& ask, const Resource& limit) const;
  bool FitsQueueLimits(int leaf, const Resource& ask) const;
  // user_used + ask within UserLimit(leaf, ask).
  bool FitsUserLimit(int leaf, const Resource& user_used, const Resource& ask) const;
  static int64_t ScaleOne(int64_t v, double f);
  Resource UserLimit(int leaf, const Resource& ask) const;
  void RefreshLimits() const;
  Resource Scale(const Resource& r, double f) const;
  int64_t MaxAppsPerUser(int leaf) const;
  std::string AmLimitReason(int leaf, const Resource& ask) const;
  std::string WaitingForAmReason(int leaf) const;
  bool Allowed(int queue, const std::string& user, const std::vector<std::string>& groups,
               QueueAccess access) const;
  absl::StatusOr<int> ResolveQueue(const ApplicationAttemptId& attempt, const std::string& queue,
                                   const std::string& user) const;
  // Admits `app` (already bound to `leaf`) into the leaf's counters, or takes it out.
  void Attach(const ApplicationAttemptId& id, App& app, int leaf);
  void Detach(const ApplicationAttemptId& id, App& app);
  QueueSnapshot Snapshot(int q) const;
  void FillLeafSnapshot(int q, QueueSnapshot& s) const;

  // Nodes and containers.
  void Forget(const ContainerId& id);
  // Books container `cid` (resource `r`) on node `node_handle` for `app`: slab slot, node, app,
  // user, queue and cluster usage; `is_am` also counts it as the app's running AM.
  void Account(App& app, int32_t node_handle, const ContainerId& cid, const Resource& r,
               bool is_am);
  int32_t SlotOf(const App& app, const ContainerId& id) const;  // -1 if not running
  std::vector<ContainerId> TakeContainers(const std::vector<int32_t>& slots);

  const ResourceCalculator& calc_;
  const bool memory_only_;  // DefaultResourceCalculator: limits and placement by memory alone
  NodeIndex node_index_;
  AskFloor ask_floor_;  // smallest pending ask: lets Schedule() stop when nothing can fit
  std::function<std::vector<std::string>(const std::string&)> user_groups_;
  CapacityConfig config_;
  mutable std::vector<Queue> queues_;  // parallel to config_.queues; limits cached lazily
  mutable bool limits_stale_ = true;
  // Queues with demand not exhausted in the current Schedule() pass, by Ratio() under each parent.
  ActiveQueueTree<double> active_;
  absl::flat_hash_map<ApplicationAttemptId, App> apps_;
  std::vector<Node> nodes_;  // by NodeIndex handle
  Slab<Container> slab_;
  absl::flat_hash_map<ContainerId, Mark> marks_;  // selected for preemption
  Resource cluster_;
  Resource used_;
  int64_t next_sequence_ = 0;
  int64_t next_container_sequence_ = 0;
  uint64_t round_ = 0;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_SCHEDULER_H_
