// YARN's FairScheduler over the queue tree of an allocation file (see allocation_config.h).
//
// Placement: AddAttempt runs the queuePlacementPolicy rules in order (a rule whose queue does not
// exist and may not be created falls through to the next; reject fails the submission naming the
// rule), creating queues when the rule allows; then checks the ACLs (when yarn.acl.enable) of the
// queue and its ancestors.
//
// Runnable apps: an app over its queue's (or an ancestor's) maxRunningApps, or its user's limit,
// is admitted but not runnable: it waits, with PendingReason saying which limit, and becomes
// runnable in submission order when a running app leaves.
//
// Fair shares, as Hadoop's ComputeFairShares: for each parent, a binary search on the
// weight-to-resource ratio R such that sum(clamp(weight x R, minShare, maxShare)) over the
// children equals the parent's share. Instantaneous shares split only among active queues (with
// runnable apps); steady shares among every configured queue. The fair and fifo policies share
// memory only (vcores of their fair share are 0, as in YARN); drf shares every type.
//
// Scheduling: each allocation descends from root picking, at each level, the child first in its
// parent's policy order: fair = below min share first (by usage / min share), then usage /
// weight (memory); drf = the same on dominant shares, ties broken by the next most dominant share
// (Hadoop's DominantResourceFairnessPolicy); within a leaf the leaf's policy orders its
// apps (fair / drf: usage / app weight, the weight 1 or log2(1 + demand MB) with sizebasedweight;
// fifo: application priority, then submission). A queue never grows past its maxResources
// (nor an ancestor's); an ask above the leaf's maxContainerAllocation is refused by UpdateAsks.
// One Schedule() pass stands for one heartbeat of every node: assignmultiple / max.assign /
// dynamic.max.assign bound what one node takes in a pass. The first container of an attempt is its
// AM: it waits while the leaf's AM usage plus the AM would exceed maxAMShare x the leaf's fair
// share (Hadoop's canRunAppAM: a zero fair-share component is replaced by min(cluster free,
// maxResources)).
//
// Preemption (yarn.scheduler.fair.preemption): every update interval, a leaf that has been below
// min(minShare, demand) for minSharePreemptionTimeout, or below fairSharePreemptionThreshold x
// its fair share for fairSharePreemptionTimeout, takes what it lacks from leaves above their fair
// share, lowest priority and newest containers first, AM containers last, and only while the
// cluster is busier than preemption.cluster-utilization-threshold; never from queues with
// allowPreemptionFrom false (or below one). Containers still running
// waitTimeBeforeKill after their warning are killed.
//
// Nodes: a container goes to the node with the most free memory that also has the vcores
// (and other types) for it, whatever the calculator, as YARN's FairScheduler checks every type.
//
// Cost of one allocation: O(depth x log siblings + log apps + placement); shares are recomputed
// only when the active set, the cluster or the configuration changes.
//
// Code: fair_scheduler.cc (admission, ordering, allocation), fair_queues.cc (shares, snapshots,
// reloading), fair_preemption.cc.
//
// Thread rules: not thread-safe; the RM loop thread calls everything.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_FAIR_FAIR_SCHEDULER_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_FAIR_FAIR_SCHEDULER_H_

#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "resourcemanager/scheduler/active_queue_tree.h"
#include "resourcemanager/scheduler/fair/allocation_config.h"
#include "resourcemanager/scheduler/node_index.h"
#include "resourcemanager/scheduler/scheduler.h"
#include "resourcemanager/scheduler/slab.h"

namespace skein::rm {

class FairScheduler final : public Scheduler {
 public:
  static constexpr char kClassName[] =
      "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fair.FairScheduler";

  // Reads the yarn.scheduler.fair.* keys of options.conf and the allocation file they name.
  // Errors name the key or the file and line.
  static absl::StatusOr<std::unique_ptr<FairScheduler>> Create(const SchedulerOptions& options);
  // With an already parsed allocation configuration (tests, benchmarks).
  static absl::StatusOr<std::unique_ptr<FairScheduler>> CreateWith(const SchedulerOptions& options,
                                                                   FairSiteConfig site,
                                                                   AllocationConfig allocations);

  std::string ClassName() const override { return kClassName; }
  absl::StatusOr<std::string> AddAttempt(const ApplicationAttemptId& attempt,
                                         const std::string& queue, const std::string& user,
                                         int32_t app_priority) override;
  std::vector<ContainerId> RemoveAttempt(const ApplicationAttemptId& attempt) override;
  absl::Status UpdateAsks(const ApplicationAttemptId& attempt,
                          const std::vector<Ask>& asks) override;
  void AddNode(const NodeId& node, const Resource& total) override;
  std::vector<ContainerId> RemoveNode(const NodeId& node) override;
  void ReleaseContainer(const ContainerId& container) override;
  std::vector<Allocation> Schedule() override;
  Resource ClusterResource() const override { return cluster_; }
  Resource UsedResource() const override { return used_; }
  Resource NodeUsed(const NodeId& node) const override;
  // min(queue fair share - queue usage, maxResources - usage up the tree, cluster free), >= 0.
  Resource Headroom(const ApplicationAttemptId& attempt) const override;
  Resource Pending(const ApplicationAttemptId& attempt) const override;
  // "root.a.b" or "a.b"; the subtree below it is filled in, with has_fair = true.
  absl::StatusOr<QueueSnapshot> GetQueue(const std::string& name) const override;
  std::string PendingReason(const ApplicationAttemptId& attempt) const override;
  // Re-reads the allocation file named in `conf`. Invalid -> error with file:line and the running
  // configuration stays. A leaf that holds apps and is no longer in the file stays (as a dynamic
  // queue); it may not become a parent.
  absl::Status Reinitialize(const conf::Configuration& conf) override;
  std::vector<std::string> ReloadableFiles() const override;
  absl::StatusOr<std::string> MoveAttempt(const ApplicationAttemptId& attempt,
                                          const std::string& queue) override;
  absl::StatusOr<int32_t> UpdateAttemptPriority(const ApplicationAttemptId& attempt,
                                                int32_t app_priority) override;
  bool HasAccess(const std::string& queue, const std::string& user,
                 QueueAccess access) const override;
  int64_t PreemptionIntervalMs() const override;
  PreemptionRound SelectPreemption(int64_t now_ms) override;
  // Accounts the running container on its node, leaf (and ancestors: usage, and so the demand
  // and ordering) and app, and as the leaf's AM usage when `is_am` and the app has no running
  // AM; later allocations never reuse its number. It may exceed maxResources (it runs already).
  absl::Status RecoverContainer(const ApplicationAttemptId& attempt, const Allocation& container,
                                bool is_am) override;
  // The cluster resource follows, and with it the fair shares and resolved min/max shares.
  absl::Status UpdateNodeResource(const NodeId& node, const Resource& total) override;

  const AllocationConfig& allocations() const { return config_; }

 private:
  // Policy order: (class, ratio, second ratio, tie) then the id; smaller is served first. The
  // second ratio breaks drf ties (the next most dominant share); 0 for the other policies.
  struct OrderKey {
    int cls = 0;
    double ratio = 0;
    double ratio2 = 0;
    int64_t tie = 0;
    bool operator<(const OrderKey& o) const {
      return std::tie(cls, ratio, ratio2, tie) < std::tie(o.cls, o.ratio, o.ratio2, o.tie);
    }
    bool operator==(const OrderKey& o) const {
      return cls == o.cls && ratio == o.ratio && ratio2 == o.ratio2 && tie == o.tie;
    }
  };
  using AskKey = std::tuple<int32_t, int64_t, std::string>;  // priority, request id, name

  struct AskState {
    Ask ask;
    uint64_t failed_round = 0;
  };
  struct App {
    ApplicationAttemptId id;
    int leaf = -1;
    std::string user;
    int32_t priority = 0;
    int64_t sequence = 0;
    std::map<AskKey, AskState> asks;  // "*" lines only
    Resource pending;
    int64_t next_container = 1;
    // Slab slot of each container by its sequence number - 1 (-1 once released): containers are
    // found without a hash map of their own.
    std::vector<int32_t> slots;
    int32_t num_containers = 0;
    Resource am_resource;
    Resource used;
    bool runnable = false;
    bool am_allocated = false;
    bool am_running = false;
    ContainerId am_container;
    std::string pending_reason;
    bool in_leaf = false;  // in its leaf's pending_apps (or parked this round)
    OrderKey key;
    int32_t heap_pos = -1;  // position in its leaf's pending_apps, -1 when out (or parked)
  };
  // The order key is unique per app (its tie is the submission sequence), so the address never
  // decides the order; holding the App saves a hash lookup per allocation.
  using AppHeap = IntrusiveHeap<OrderKey, App, &App::heap_pos>;
  struct Queue {
    Resource used;
    Resource pending;               // leaves: asks of their apps
    Resource min_share, max_share;  // resolved against the cluster
    bool capped = false;            // max_share below unlimited in some type
    Resource fair_share, steady_fair_share;
    int32_t num_apps = 0;       // admitted apps in the subtree
    int32_t runnable_apps = 0;  // runnable apps in the subtree
    // Leaves only.
    AppHeap pending_apps;      // runnable apps with asks, by the leaf's policy order
    std::vector<App*> parked;  // out of pending_apps for this round
    Resource am_used;
    int64_t name_rank = 0;  // ties between siblings break by queue name, as in YARN
    // Preemption bookkeeping.
    int64_t last_at_min_share_ms = -1;
    int64_t last_at_fair_threshold_ms = -1;
  };
  // Indexed by the NodeIndex handle; cold: an allocation touches only the NodeIndex's packed free
  // resource (used = total - free). No per-node container list: losing a node (rare) scans slab_,
  // which keeps every allocation and release cheaper.
  struct Node {
    Resource total;
  };
  struct Container {
    ContainerId id;
    bool live = false;
    int32_t node = -1;  // NodeIndex handle
    Resource resource;
    int32_t priority = 0;
    bool is_am = false;
    int64_t sequence = 0;  // allocation order
  };
  enum class Outcome { kAllocated, kAskFailed, kAppBlocked };

  FairScheduler(const SchedulerOptions& options, FairSiteConfig site, AllocationConfig config);

  // Placement and admission.
  absl::StatusOr<int> Place(const ApplicationAttemptId& attempt, const std::string& queue,
                            const std::string& user, const std::vector<std::string>& groups);
  absl::StatusOr<std::string> RuleQueue(const PlacementRule& rule, const std::string& queue,
                                        const std::string& user,
                                        const std::vector<std::string>& groups) const;
  bool Allowed(int q, const std::string& user, const std::vector<std::string>& groups,
               QueueAccess access) const;
  std::string NotRunnableReason(const App& app) const;
  bool CanBeRunnable(const App& app) const;
  void SetRunnable(const ApplicationAttemptId& id, App& app, bool runnable);
  void PromoteWaitingApps();
  // Adds / removes the app's counts, usage and demand to / from its leaf and ancestors.
  void AttachApp(const ApplicationAttemptId& id, App& app);
  void DetachApp(const ApplicationAttemptId& id, App& app);
  void AddPending(int leaf, const Resource& delta);
  void RankQueues();

  // Shares.
  void EnsureShares() const;
  void ComputeShares(const std::vector<int>& children, const Resource& total, FairPolicy policy,
                     bool steady) const;
  bool IsActive(int q) const { return queues_[q].runnable_apps > 0; }

  // Ordering.
  OrderKey QueueKey(int q) const;
  OrderKey AppOrder(const App& app) const;
  // FSAppAttempt.getWeight: 1, or log2(1 + demand memory) with sizebasedweight. The application
  // priority does not scale it (Hadoop pins an app's Fair priority at 1).
  double AppWeight(const App& app) const;
  // maxContainerAllocation of the app's leaf: InvalidArgument naming the queue and the limit
  // when an ask is larger (the AM's ask also becomes the app's pending reason).
  absl::Status CheckContainerLimit(App& app, const std::vector<Ask>& asks) const;
  // The demand is usage + pending.
  OrderKey Order(FairPolicy policy, const Resource& usage, const Resource& pending,
                 const Resource& min_share, double weight, int64_t tie) const;
  void AddUsed(int leaf, const Resource& delta);
  void Rekey(const ApplicationAttemptId& id, App& app);
  void SetInLeaf(const ApplicationAttemptId& id, App& app, bool in);
  bool ServeLeaf(int leaf, std::vector<Allocation>& out);
  Outcome TryAsk(const ApplicationAttemptId& id, App& app, AskState& ask,
                 std::vector<Allocation>& out);
  bool FitsMaxShares(int leaf, const Resource& ask) const;
  Resource MaxAmResource(int leaf) const;
  std::string AmShareReason(int leaf, const Resource& ask) const;
  QueueSnapshot Snapshot(int q) const;
  void RebuildQueues();

  // Nodes and containers.
  void Forget(const ContainerId& id);
  // Books container `cid` (resource `r`) on `node` for `app`: slab slot, node, app, queue and
  // cluster usage; `is_am` also counts it as the app's running AM. The caller re-keys the app.
  void Account(App& app, int32_t node, const ContainerId& cid, const Resource& r, int32_t priority,
               bool is_am);
  // The slab slot of a live container, or -1.
  int32_t SlotOf(const ContainerId& id) const;

  // Per-node assignment limit of one Schedule() pass (assignmultiple, max.assign,
  // dynamic.max.assign; fair_queues.cc): a node that reached it is hidden from node_index_ until
  // EndAssignRound, so a pass never scans nodes. No-ops when the limit is off.
  void CountAssignment(int32_t node, const Resource& assigned);
  void EndAssignRound();

  // Preemption (fair_preemption.cc).
  Resource Starvation(int leaf, int64_t now_ms);

  const ResourceCalculator& calc_;
  NodeIndex node_index_;
  AskFloor ask_floor_;
  std::function<std::vector<std::string>(const std::string&)> user_groups_;
  FairSiteConfig site_;
  AllocationConfig config_;
  mutable std::vector<Queue> queues_;  // parallel to config_.queues; shares computed lazily
  mutable bool shares_dirty_ = true;
  // Queues with demand not exhausted in the current Schedule() pass, in their parent's policy
  // order (QueueKey).
  ActiveQueueTree<OrderKey> active_;
  // Node-based: App addresses stay valid while the app exists (the leaf heaps hold them).
  std::unordered_map<ApplicationAttemptId, App, absl::Hash<ApplicationAttemptId>> apps_;
  std::set<std::pair<int64_t, ApplicationAttemptId>> waiting_;  // not runnable, by submission
  absl::flat_hash_map<std::string, int32_t> user_runnable_;
  std::vector<Node> nodes_;                // by NodeIndex handle; a removed node's slot is empty
  Slab<Container> slab_;                   // live containers, by slot
  std::map<ContainerId, int64_t> warned_;  // preemption warnings: container -> time warned
  Resource cluster_;
  Resource used_;
  int64_t next_sequence_ = 0;
  int64_t next_container_sequence_ = 0;
  uint64_t round_ = 0;
  struct NodeRound {
    uint64_t round = 0;
    int32_t containers = 0;
    Resource assigned;
    Resource budget;  // dynamic.max.assign: half of what the node had free at its first one
  };
  std::vector<NodeRound> node_rounds_;  // by NodeIndex handle; used only with a limit
  std::vector<int32_t> capped_nodes_;   // hidden from node_index_ in this pass (Hide)
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_FAIR_FAIR_SCHEDULER_H_
