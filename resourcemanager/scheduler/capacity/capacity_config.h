// The CapacityScheduler's queue tree, parsed and validated from capacity-scheduler.xml keys
// (Hadoop's names exactly; `<path>` is a queue path such as "root.a.b"):
//
//   yarn.scheduler.capacity.root.queues / <path>.queues        children, comma separated
//   yarn.scheduler.capacity.<path>.capacity                    percent of parent; siblings sum 100
//   yarn.scheduler.capacity.<path>.maximum-capacity            percent of parent; -1 = 100
//   yarn.scheduler.capacity.<path>.user-limit-factor           default 1
//   yarn.scheduler.capacity.<path>.minimum-user-limit-percent  default 100
//   yarn.scheduler.capacity.maximum-applications               default 10000
//   yarn.scheduler.capacity.<path>.maximum-applications        default global x absolute capacity
//   yarn.scheduler.capacity.maximum-am-resource-percent        default 0.1
//   yarn.scheduler.capacity.<path>.maximum-am-resource-percent default the global value
//   yarn.scheduler.capacity.<path>.state                       RUNNING | STOPPED
//   yarn.scheduler.capacity.<path>.acl_submit_applications     "users groups"; root default "*"
//   yarn.scheduler.capacity.<path>.acl_administer_queue        same format; root default "*"
//   yarn.scheduler.capacity.<path>.maximum-allocation-mb / -vcores   per-queue ask ceiling
//   yarn.scheduler.capacity.<path>.default-application-priority      leaf default, 0
//   yarn.cluster.max-application-priority                      default 0
//   yarn.scheduler.capacity.queue-mappings                     "u:user:queue,g:group:queue,..."
//   yarn.scheduler.capacity.queue-mappings-override.enable     default false
//   yarn.acl.enable                                            default false
//   yarn.scheduler.capacity.<path>.disable_preemption          default the parent's (root: false)
//   the preemption monitor's yarn-site keys                    see preemption_policy.h
//
// Unknown keys are ignored (as Hadoop does). Errors are InvalidArgument naming the key and value.
// Plain values; any thread.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_CONFIG_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_CONFIG_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/conf/configuration.h"
#include "resourcemanager/scheduler/capacity/preemption_policy.h"

namespace skein::rm {

// Hadoop's AccessControlList text: "user1,user2 group1,group2"; "*" = everyone; " " = no one.
struct QueueAcl {
  bool everyone = false;
  std::set<std::string> users;
  std::set<std::string> groups;

  static QueueAcl Parse(const std::string& text);
  bool Allows(const std::string& user, const std::vector<std::string>& groups) const;
};

struct QueueConfig {
  std::string name;  // "a"
  std::string path;  // "root.a"
  int parent = -1;   // index into CapacityConfig::queues; -1 for root
  std::vector<int> children;

  double capacity = 1.0;           // fraction of parent
  double maximum_capacity = 1.0;   // fraction of parent
  double absolute_capacity = 1.0;  // fraction of the cluster
  double absolute_maximum_capacity = 1.0;
  double user_limit_factor = 1.0;
  int32_t minimum_user_limit_percent = 100;
  int64_t maximum_applications = 10000;
  double maximum_am_resource_percent = 0.1;
  bool running = true;  // effective: false when this queue or an ancestor is STOPPED
  bool configured_running = true;
  QueueAcl acl_submit_applications;
  QueueAcl acl_administer_queue;
  int64_t maximum_allocation_mb = -1;  // -1: no queue-specific ceiling
  int64_t maximum_allocation_vcores = -1;
  int32_t default_application_priority = 0;
  bool preemption_disabled = false;  // inherited from the parent unless set

  bool is_leaf() const { return children.empty(); }
};

// One "u:source:queue" / "g:source:queue" line of yarn.scheduler.capacity.queue-mappings.
struct QueueMapping {
  enum class Kind { kUser, kGroup };
  Kind kind = Kind::kUser;
  std::string source;  // a user / group name, or "%user"
  std::string queue;   // a queue name, "%user" or "%primary_group"
};

struct CapacityConfig {
  std::vector<QueueConfig> queues;  // pre-order; queues[0] is root
  std::vector<QueueMapping> mappings;
  bool mappings_override = false;
  bool acl_enabled = false;
  int32_t max_application_priority = 0;
  PreemptionConfig preemption;

  // The queue named `name`: a full path ("root.a.b") or a unique short name ("b"). -1 if none.
  int Find(const std::string& name) const;

  // Parses the tree. An absent root.queues means one leaf, root.default, at 100%.
  static absl::StatusOr<CapacityConfig> Parse(const conf::Configuration& conf);
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_CAPACITY_CAPACITY_CONFIG_H_
