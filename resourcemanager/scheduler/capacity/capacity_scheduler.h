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
// calculator; nodes are kept ordered by free memory, leaves by used/guaranteed, apps per leaf in
// a set of those with demand. A failed attempt (ask, app, leaf) is parked for the rest of the
// Schedule() call: within one call resources only shrink, so it cannot succeed later in it.
//
// Thread rules: not thread-safe; the RM loop thread calls everything.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_SCHEDULER_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_SCHEDULER_H_

#include <map>
#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "resourcemanager/scheduler/capacity/capacity_config.h"
#include "resourcemanager/scheduler/node_index.h"
#include "resourcemanager/scheduler/scheduler.h"

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

  const CapacityConfig& config() const { return config_; }

 private:
  using AskKey = std::tuple<int32_t, int64_t, std::string>;           // priority, request id, name
  using AppKey = std::tuple<int32_t, int64_t, ApplicationAttemptId>;  // -priority, seq, id

  struct AskState {
    Ask ask;
    uint64_t failed_round = 0;
  };
  struct App {
    int leaf = -1;
    std::string user;
    int32_t priority = 0;
    int64_t sequence = 0;
    std::map<AskKey, AskState> asks;  // "*" lines only
    int64_t next_container = 1;
    absl::flat_hash_set<ContainerId> containers;
    Resource used;
    bool am_allocated = false;
    bool am_running = false;
    ContainerId am_container;
    std::string pending_reason;
    bool has_demand = false;  // in its leaf's pending_apps (or parked this round)
  };
  struct User {
    Resource used;
    int32_t apps = 0;          // admitted apps
    int32_t pending_apps = 0;  // apps with demand
  };
  struct Queue {
    Resource used;
    // Children with demand that are not exhausted in the current round, by (ratio, index).
    std::set<std::pair<double, int>> active_children;
    double order_key = 0;
    bool in_parent = false;
    // Leaves only.
    std::set<AppKey> pending_apps;
    std::vector<AppKey> parked;  // taken out of pending_apps for the current round
    absl::flat_hash_map<std::string, User> users;
    int32_t active_users = 0;
    int32_t num_apps = 0;
    int32_t running_ams = 0;
    Resource am_used;
  };
  struct Node {
    Resource total;
    Resource used;
    absl::flat_hash_set<ContainerId> containers;
  };
  struct Container {
    NodeId node;
    Resource resource;
  };
  enum class Outcome { kAllocated, kAskFailed, kAppBlocked };

  CapacityScheduler(const SchedulerOptions& options, CapacityConfig config);

  // Tree bookkeeping.
  double Ratio(int q) const;
  void AddUsed(int leaf, const Resource& delta);
  void SetHasDemand(const ApplicationAttemptId& id, App& app, bool has_demand);
  void Activate(int q);
  void Deactivate(int q);
  int PickLeaf() const;
  bool ServeLeaf(int leaf, std::vector<Allocation>& out);
  Outcome TryAsk(const ApplicationAttemptId& id, App& app, AskState& ask,
                 std::vector<Allocation>& out);
  bool FitsQueueLimits(int leaf, const Resource& ask) const;
  Resource UserLimit(int leaf, const Resource& ask) const;
  Resource AmLimit(int leaf) const;
  Resource Scale(const Resource& r, double f) const;
  std::string AmLimitReason(int leaf, const Resource& ask) const;
  std::string WaitingForAmReason(int leaf) const;
  absl::StatusOr<int> ResolveQueue(const ApplicationAttemptId& attempt, const std::string& queue,
                                   const std::string& user) const;
  QueueSnapshot Snapshot(int q) const;

  // Nodes.
  Resource Free(const Node& n) const { return n.total - n.used; }
  void Reorder(const NodeId& id, Node& n, const Resource& delta_used);
  void Forget(const ContainerId& id);

  const ResourceCalculator& calc_;
  NodeIndex node_index_;
  AskFloor ask_floor_;  // smallest pending ask: lets Schedule() stop when nothing can fit
  std::function<std::vector<std::string>(const std::string&)> user_groups_;
  CapacityConfig config_;
  std::vector<Queue> queues_;  // parallel to config_.queues
  absl::flat_hash_map<ApplicationAttemptId, App> apps_;
  absl::flat_hash_map<NodeId, Node> nodes_;
  absl::flat_hash_map<ContainerId, Container> containers_;
  Resource cluster_;
  Resource used_;
  int64_t next_sequence_ = 0;
  uint64_t round_ = 0;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_SCHEDULER_H_
