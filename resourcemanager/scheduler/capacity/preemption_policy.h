// YARN's ProportionalCapacityPreemptionPolicy for the CapacityScheduler, as a pure function of a
// snapshot of the queue tree: data in, decision out. No clock, no scheduler state; the scheduler
// (CapacityScheduler::SelectPreemption) builds the snapshot, keeps the marks and their times.
//
// One round:
//  1. Ideal assignment, top-down from root (= the cluster). At each parent every child first gets
//     min(used, guaranteed) (a queue with preemption disabled keeps all it uses); what remains of
//     the parent's ideal goes to children that still want more (used + pending above their
//     ideal): turn by turn, the most under-served of them (lowest ideal / guarantee) is offered
//     its guarantee-proportional share of the rest, each capped at its maximum capacity and at
//     used + pending. Left-overs then go to 0%-guarantee queues, in equal shares.
//  2. Leaves above their ideal owe (used - ideal); if the sum is above total_preemption_per_round
//     x cluster, every debt is scaled down by the same factor. A leaf within the dead zone
//     (used <= guaranteed x (1 + max_ignored_over_capacity)) owes nothing; the rest owe their
//     debt x natural_termination_factor this round (containers also finish on their own).
//  3. Containers, per owing leaf: applications in reverse service order (lowest priority, latest
//     submitted first), inside each the latest-allocated container first; ApplicationMaster
//     containers are skipped and taken only when every other container of the leaf was taken
//     and the debt is still not paid. Whole containers: the last one may overshoot the debt.
//
// Comparisons follow the calculator (Default: memory only; Dominant: every type). A queue at or
// below its guarantee never loses anything.
//
// Thread rules: plain values and pure functions; any thread.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_PREEMPTION_POLICY_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_PREEMPTION_POLICY_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/ids.h"
#include "common/resource.h"

namespace skein::conf {
class Configuration;
}  // namespace skein::conf

namespace skein::rm {

// The yarn-site keys of the preemption monitor:
//   yarn.resourcemanager.scheduler.monitor.enable                               false
//   yarn.resourcemanager.scheduler.monitor.policies
//   ...capacity.ProportionalCapacityPreemptionPolicy
//   yarn.resourcemanager.monitor.capacity.preemption.observe_only               false
//   yarn.resourcemanager.monitor.capacity.preemption.monitoring_interval        3000 (ms)
//   yarn.resourcemanager.monitor.capacity.preemption.max_wait_before_kill       15000 (ms)
//   yarn.resourcemanager.monitor.capacity.preemption.total_preemption_per_round 0.1
//   yarn.resourcemanager.monitor.capacity.preemption.max_ignored_over_capacity  0.1
//   yarn.resourcemanager.monitor.capacity.preemption.natural_termination_factor 0.2
struct PreemptionConfig {
  static constexpr char kPolicyClassName[] =
      "org.apache.hadoop.yarn.server.resourcemanager.monitor.capacity."
      "ProportionalCapacityPreemptionPolicy";

  bool enabled = false;  // monitor.enable and the policy is listed
  bool observe_only = false;
  int64_t monitoring_interval_ms = 3000;
  int64_t max_wait_before_kill_ms = 15000;
  double total_preemption_per_round = 0.1;
  double max_ignored_over_capacity = 0.1;
  double natural_termination_factor = 0.2;

  // Errors are InvalidArgument naming the key and the value (an unknown policy class, a
  // non-positive interval, fractions out of range).
  static absl::StatusOr<PreemptionConfig> Parse(const conf::Configuration& conf);
};

struct PreemptionContainer {
  ContainerId id;
  Resource resource;
  bool is_am = false;
};

struct PreemptionApp {
  std::vector<PreemptionContainer> containers;  // latest allocated first
};

struct PreemptionQueue {
  int parent = -1;       // index into the vector; queues in pre-order, [0] is root
  double guarantee = 0;  // absolute capacity (fraction of the cluster), for proportions
  Resource guaranteed;   // absolute capacity x cluster
  Resource maximum;      // absolute maximum capacity x cluster
  Resource used;         // leaves: their usage; parents: ignored (summed from leaves)
  Resource pending;      // leaves: outstanding asks; parents: ignored
  bool preemption_disabled = false;
};

struct PreemptionPlan {
  std::vector<Resource> ideal;      // per queue
  std::vector<Resource> to_obtain;  // per queue: what it gives back this round (leaves only)
};

// r x f per type, rounded down (up with round_up) with a 1e-6 tolerance for float error; zero
// named types are dropped. Shared with the CapacityScheduler's limits.
Resource ScaleResource(const Resource& r, double f, bool round_up = false);

// Steps 1 and 2: the ideal assignment and each leaf's debt for this round.
PreemptionPlan PlanPreemption(const std::vector<PreemptionQueue>& queues, const Resource& cluster,
                              const ResourceCalculator& calc, const PreemptionConfig& config);

// Step 3: which containers of one leaf pay `to_obtain`. `apps` in preemption order (lowest
// priority, latest submitted first).
std::vector<ContainerId> SelectContainers(const Resource& to_obtain,
                                          const std::vector<PreemptionApp>& apps,
                                          const ResourceCalculator& calc);

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_PREEMPTION_POLICY_H_
