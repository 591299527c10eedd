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

// One user's share of a leaf queue (Capacity: the users block of GetQueueInfo and REST).
struct QueueUserSnapshot {
  std::string user;
  Resource used;
  Resource am_used;
  Resource user_limit;  // what this user may hold in the leaf now
  int32_t active_applications = 0;
  int32_t pending_applications = 0;
};

// Fair scheduler fields of a queue (REST fairScheduler shape, `yarn queue -status`).
struct FairQueueSnapshot {
  Resource min_resources;
  Resource max_resources;
  Resource fair_share;         // instantaneous
  Resource steady_fair_share;  // from weights over all configured queues
  Resource demand;
  double weight = 1.0;
  std::string scheduling_policy = "fair";  // fifo | fair | drf
  int32_t max_running_apps = -1;           // -1: unlimited
  double max_am_share = 0.5;
  bool is_parent = false;
  // The queue's own maxContainerAllocation (inherited); huge when it sets none. REST shows the
  // smaller of this and the scheduler's maximum allocation.
  Resource max_container_allocation = Resource(INT64_MAX / 4, INT64_MAX / 4);
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

  // Filled by schedulers that know them (all fractions in [0, 1]).
  double absolute_capacity = 1.0;          // guaranteed / cluster
  double absolute_maximum_capacity = 1.0;  // maximum / cluster
  double absolute_used_capacity = 0.0;     // used / cluster
  int32_t num_active_applications = 0;     // admitted and activated (AM may run)
  int32_t num_pending_applications = 0;    // admitted, waiting for activation
  int32_t num_containers = 0;
  int32_t max_applications = -1;  // -1: not limited / not applicable
  int32_t max_applications_per_user = -1;
  Resource pending;
  Resource am_used;
  Resource am_limit;
  double max_am_resource_percent = 0.0;  // 0: not applicable
  double user_limit_factor = 1.0;
  int32_t minimum_user_limit_percent = 100;
  bool preemption_disabled = false;
  int32_t default_application_priority = 0;
  std::vector<QueueUserSnapshot> users;  // leaves only
  bool has_fair = false;                 // Fair scheduler queues: `fair` is filled in
  FairQueueSnapshot fair;
};

// What one preemption round decided (YARN's SchedulingEditPolicy output).
struct PreemptionRound {
  // Newly selected containers: the AM is told in Allocate's PreemptionMessage (strict contract)
  // and may release them itself before the grace period ends.
  std::vector<ContainerId> to_warn;
  // Selected earlier and still running after the grace period: the RM kills them with exit
  // status PREEMPTED (-102) and diagnostics that say so.
  std::vector<ContainerId> to_kill;
};

enum class QueueAccess { kSubmitApplications, kAdministerQueue };

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
  // Files whose change should trigger Reinitialize (the Fair allocation file; YARN re-reads it
  // when it changes, checking every 10 s). The RM watches their modification times.
  virtual std::vector<std::string> ReloadableFiles() const { return {}; }

  // `yarn application -movetoqueue` / PUT /apps/{id}/queue: moves an admitted attempt, with the
  // resources it holds, to another leaf queue. Returns the queue it landed in. Errors (unknown
  // or non-leaf or stopped target, target's max-applications or limits) name the queue and the
  // limit; on error nothing changes. Default: Unimplemented naming the policy.
  virtual absl::StatusOr<std::string> MoveAttempt(const ApplicationAttemptId& attempt,
                                                  const std::string& queue);
  // `yarn application -updatePriority`: changes the application priority (higher = more
  // important), capped at the cluster maximum. Returns the priority applied.
  virtual absl::StatusOr<int32_t> UpdateAttemptPriority(const ApplicationAttemptId& attempt,
                                                        int32_t app_priority);
  // Queue ACLs (acl_submit_applications / acl_administer_queue, aclSubmitApps /
  // aclAdministerApps), for `queue` as named in an app report. Only consulted when
  // yarn.acl.enable is true. Default: everyone may.
  virtual bool HasAccess(const std::string& queue, const std::string& user,
                         QueueAccess access) const {
    return true;
  }

  // Work-preserving recovery (RM restart or failover: NodeManagers re-register with the
  // containers they still run): accounts a container that is already running on `node` for
  // `attempt` exactly as if this scheduler had allocated it (node, queue, user and, when `is_am`,
  // AM usage); a later ReleaseContainer / RemoveNode / RemoveAttempt returns it as usual, and the
  // scheduler never hands out `container.container_id` (or a lower sequence number of that
  // attempt) again. The attempt and the node must have been added; an unknown attempt or node,
  // or a container id already known, is FailedPrecondition naming it and nothing changes. A
  // container that does not fit the node's or queue's free capacity is still accepted (it is
  // running): usage may exceed limits until it ends. Default: Unimplemented naming the policy.
  virtual absl::Status RecoverContainer(const ApplicationAttemptId& attempt,
                                        const Allocation& container, bool is_am);
  // Changes a node's total resource (`yarn rmadmin -updateNodeResource`; graceful decommission
  // sets it to the node's used resource so nothing new lands there, as YARN does). Running
  // containers stay even when the new total is below what they use; the node then gets nothing
  // new until enough of them end. The cluster resource (and so queue guarantees) follows.
  // Unknown node: NotFound naming it. Default: Unimplemented naming the policy.
  virtual absl::Status UpdateNodeResource(const NodeId& node, const Resource& total);

  // The RM's epoch (GetAndIncrementEpoch of its state store at start; 0 without recovery): new
  // container ids carry it (container_e<epoch>_...), so an id handed out after a restart cannot
  // equal one handed out before it, even of a container that ended before the restart and so
  // was not recovered. Set once, before the first Schedule.
  void set_container_epoch(int64_t epoch) { container_epoch_ = epoch; }

  // Preemption. The RM calls SelectPreemption every PreemptionIntervalMs() (0: preemption is off,
  // the default) with the current time; a scheduler keeps its own record of what it selected
  // when. A killed container is then released through ReleaseContainer as usual.
  virtual int64_t PreemptionIntervalMs() const { return 0; }
  virtual PreemptionRound SelectPreemption(int64_t now_ms) { return {}; }

 protected:
  int64_t container_epoch_ = 0;
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

// "fifo", "capacity", "fair" or Hadoop's FifoScheduler / CapacityScheduler / FairScheduler class
// names. An invalid configuration (capacity-scheduler keys, the Fair allocation file) is
// InvalidArgument naming the key or file:line and the value.
absl::StatusOr<std::unique_ptr<Scheduler>> MakeScheduler(const std::string& class_name,
                                                         const SchedulerOptions& options);

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_SCHEDULER_H_
