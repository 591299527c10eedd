// The scheduler seam: a PURE policy library. No gRPC, no threads, no clock: the RM core drives it
// from its event loop with plain data and applies the decisions it returns. Deterministic: the
// same calls in the same order give the same allocations.
//
// Resources handed to a scheduler are already validated and normalized by the RM (see
// common/resource.h); a scheduler only decides where and to whom capacity goes.
//
// Thread rules: not thread-safe; one thread (the RM loop) calls everything.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_SCHEDULER_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_SCHEDULER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/ids.h"
#include "common/resource.h"

namespace skein::conf {
class Configuration;
}  // namespace skein::conf

namespace skein::rm {

// One line of an application's ask table: YARN's ResourceRequest. `num_containers` is the total
// still wanted for this (priority, allocation_request_id, resource_name), not a delta.
struct Ask {
  int32_t priority = 0;  // lower value = more important, as YARN's Priority inside an app
  int64_t allocation_request_id = 0;
  std::string resource_name = "*";
  Resource capability;
  int32_t num_containers = 0;
};

// A decision: `resource` on `node` for `attempt`, under a fresh container id.
struct Allocation {
  ContainerId container_id;
  NodeId node;
  Resource resource;
  int32_t priority = 0;
  int64_t allocation_request_id = 0;
};

struct QueueSnapshot {
  std::string name;
  std::string path;
  double capacity = 1.0;          // fraction of parent
  double maximum_capacity = 1.0;  // fraction of parent
  double used_capacity = 0.0;     // used / guaranteed
  bool running = true;
  int32_t num_applications = 0;
  Resource used;
  std::vector<QueueSnapshot> children;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // YARN's class name of this policy, e.g. "...scheduler.fifo.FifoScheduler".
  virtual std::string ClassName() const = 0;

  // Admits an attempt into `queue`. `app_priority`: higher value = more important (YARN's
  // application priority). Returns the queue name it landed in, or an error naming the queue.
  virtual absl::StatusOr<std::string> AddAttempt(const ApplicationAttemptId& attempt,
                                                 const std::string& queue, const std::string& user,
                                                 int32_t app_priority) = 0;
  // Forgets the attempt and returns every container it still held (capacity is returned).
  virtual std::vector<ContainerId> RemoveAttempt(const ApplicationAttemptId& attempt) = 0;
  // Replaces the matching lines of the attempt's ask table (a line with 0 containers is removed).
  virtual absl::Status UpdateAsks(const ApplicationAttemptId& attempt,
                                  const std::vector<Ask>& asks) = 0;

  virtual void AddNode(const NodeId& node, const Resource& total) = 0;
  // Removes the node and returns the containers that were running on it (capacity is gone).
  virtual std::vector<ContainerId> RemoveNode(const NodeId& node) = 0;

  // A container completed or was released: its capacity returns to its node and queue.
  // Unknown ids are ignored (a container may be released twice).
  virtual void ReleaseContainer(const ContainerId& container) = 0;

  // Hands out as much pending demand as fits now.
  virtual std::vector<Allocation> Schedule() = 0;

  virtual Resource ClusterResource() const = 0;
  virtual Resource UsedResource() const = 0;
  virtual Resource NodeUsed(const NodeId& node) const = 0;
  // What the attempt could still get (YARN's headroom).
  virtual Resource Headroom(const ApplicationAttemptId& attempt) const = 0;
  // Pending demand of the attempt (sum over its ask table).
  virtual Resource Pending(const ApplicationAttemptId& attempt) const = 0;
  virtual absl::StatusOr<QueueSnapshot> GetQueue(const std::string& name) const = 0;

  // Why the attempt's pending demand is not being served, in YARN's diagnostics wording (e.g.
  // "Application is added to the scheduler and is not yet activated. Queue's AM resource limit
  // exceeded. ..."), or "" when there is nothing to report. Unknown attempts: "".
  virtual std::string PendingReason(const ApplicationAttemptId& attempt) const { return ""; }

  // `yarn rmadmin -refreshQueues`: applies a new configuration (the merged yarn-site +
  // capacity-scheduler keys). On error nothing changes and the running configuration stays.
  // Policies without reloadable configuration return Unimplemented.
  virtual absl::Status Reinitialize(const conf::Configuration& conf);
};

struct SchedulerOptions {
  const ResourceCalculator* calculator = nullptr;  // not owned; outlives the scheduler
  // The merged yarn-site + capacity-scheduler configuration; read at construction only (not
  // kept). nullptr: built-in defaults (Capacity: a single root.default leaf at 100%).
  const conf::Configuration* conf = nullptr;
  // The groups of a user, primary group first (for queue ACLs, "g:" queue mappings and
  // %primary_group). Must be pure and cheap; called on AddAttempt only. Unset: no groups.
  std::function<std::vector<std::string>(const std::string& user)> user_groups;
};

// "fifo", "capacity" or Hadoop's FifoScheduler / CapacityScheduler class names. Fair is not built
// yet: asking for it is an error that says so. Capacity: an invalid configuration is
// InvalidArgument naming the key and value.
absl::StatusOr<std::unique_ptr<Scheduler>> MakeScheduler(const std::string& class_name,
                                                         const SchedulerOptions& options);

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_SCHEDULER_H_
