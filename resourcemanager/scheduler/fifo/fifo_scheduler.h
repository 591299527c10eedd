// YARN's FifoScheduler: one queue ("default"); applications served by application priority
// (higher first) then submission order; inside an application, asks by priority (lower value
// first). An application whose next ask does not fit anywhere does not block the ones behind it.
//
// Node choice: through NodeIndex (most free memory that fits; O(log nodes) per allocation).
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_FIFO_FIFO_SCHEDULER_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_FIFO_FIFO_SCHEDULER_H_

#include <map>
#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "resourcemanager/scheduler/node_index.h"
#include "resourcemanager/scheduler/scheduler.h"

namespace skein::rm {

class FifoScheduler final : public Scheduler {
 public:
  static constexpr char kClassName[] =
      "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler";
  static constexpr char kQueueName[] = "default";

  explicit FifoScheduler(const SchedulerOptions& options);

  std::string ClassName() const override { return kClassName; }
  // `-refreshQueues`: FIFO has one queue and nothing to reload, and accepts the refresh as
  // Hadoop's FifoScheduler.reinitialize does.
  absl::Status Reinitialize(const conf::Configuration&) override { return absl::OkStatus(); }
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
  Resource Headroom(const ApplicationAttemptId& attempt) const override;
  Resource Pending(const ApplicationAttemptId& attempt) const override;
  // The single queue as "default" / "root.default" (or "root", the same queue): capacities 1,
  // running and pending counts (an application without its AM container is pending), containers
  // and one entry per user.
  absl::StatusOr<QueueSnapshot> GetQueue(const std::string& name) const override;
  // Re-ranks the application; capped to [0, yarn.cluster.max-application-priority] when a
  // configuration was given (without one, priorities are not capped, as in AddAttempt).
  absl::StatusOr<int32_t> UpdateAttemptPriority(const ApplicationAttemptId& attempt,
                                                int32_t app_priority) override;
  // Accounts the running container on its node and app; later allocations of the attempt get
  // higher container numbers. (FIFO keeps no AM limit, so `is_am` changes nothing.)
  absl::Status RecoverContainer(const ApplicationAttemptId& attempt, const Allocation& container,
                                bool is_am) override;
  absl::Status UpdateNodeResource(const NodeId& node, const Resource& total) override;

 private:
  using AskKey = std::tuple<int32_t, int64_t, std::string>;  // priority, request id, name
  // Apps in service order: higher app priority first, then earlier submission.
  using OrderKey = std::tuple<int32_t, int64_t, ApplicationAttemptId>;  // -priority, seq, id

  struct App {
    std::string user;
    int32_t priority = 0;
    int64_t sequence = 0;
    std::map<AskKey, Ask> asks;  // ordered: most important ask first
    int64_t next_container = 1;
    absl::flat_hash_set<ContainerId> containers;
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
  Resource Free(const Node& n) const { return n.total - n.used; }
  void Reorder(const NodeId& id, Node& n, const Resource& delta_used);
  void Account(App& app, const NodeId& node_id, Node& node, const ContainerId& cid,
               const Resource& r);
  void Forget(const ContainerId& id);

  const ResourceCalculator& calc_;
  absl::flat_hash_map<ApplicationAttemptId, App> apps_;
  std::set<OrderKey> pending_apps_;  // apps with a non-empty ask table
  absl::flat_hash_map<NodeId, Node> nodes_;
  NodeIndex node_index_;
  AskFloor ask_floor_;
  absl::flat_hash_map<ContainerId, Container> containers_;
  Resource cluster_;
  Resource used_;
  int64_t next_sequence_ = 0;
  int32_t max_priority_;  // yarn.cluster.max-application-priority, or no cap without a conf
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_FIFO_FIFO_SCHEDULER_H_
