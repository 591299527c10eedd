// The FairScheduler's configuration: Hadoop's allocation file (fair-scheduler.xml) parsed and
// validated, plus the yarn.scheduler.fair.* keys of yarn-site.xml.
//
// Allocation file (Hadoop's element names exactly; every queue lives under "root"):
//
//   <allocations>
//     <queue name="a" type="parent">            (<pool> is an alias of <queue>)
//       <weight>2.0</weight>                    >= 0, default 1
//       <minResources>1024 mb, 2 vcores</minResources>
//       <maxResources>memory-mb=50%, vcores=20%</maxResources>
//       <maxRunningApps>10</maxRunningApps>     default queueMaxAppsDefault
//       <maxAMShare>0.5</maxAMShare>            fraction of the fair share, -1 = no limit
//       <schedulingPolicy>fair</schedulingPolicy>   fifo (leaves only) | fair | drf
//       <aclSubmitApps>u1,u2 g1</aclSubmitApps> <aclAdministerApps>...</aclAdministerApps>
//       <minSharePreemptionTimeout>s</...> <fairSharePreemptionTimeout>s</...>
//       <fairSharePreemptionThreshold>0.5</...>
//       <maxContainerAllocation>4096 mb, 2 vcores</maxContainerAllocation>  absolute; inherited
//       <maxChildResources>10%</maxChildResources>  maxResources of queues rules create below
//       <allowPreemptionFrom>false</allowPreemptionFrom>  never a preemption victim; inherited
//       <reservation/>                          accepted and ignored with a warning (Skein has
//                                               no ReservationSystem); not on parent queues
//       <queue name="b"/> ...
//     </queue>
//     <user name="u"><maxRunningApps>3</maxRunningApps></user>
//     <userMaxAppsDefault/> <queueMaxAppsDefault/> <queueMaxAMShareDefault/>
//     <queueMaxResourcesDefault/> <defaultQueueSchedulingPolicy/>
//     <defaultMinSharePreemptionTimeout/> <defaultFairSharePreemptionTimeout/>
//     <defaultFairSharePreemptionThreshold/>
//     <queuePlacementPolicy>
//       <rule name="specified|user|primaryGroup|secondaryGroupExistingQueue|nestedUserQueue|
//                  default|reject" create="true|false" queue="(default only)"/>
//     </queuePlacementPolicy>
//   </allocations>
//
// Resource forms: "1024 mb, 2 vcores" (either order), "memory-mb=1024, vcores=2", "50.0%" (every
// type), "memory-mb=50%, vcores=20%" and the old "50% memory, 20% cpu".
//
// Errors are InvalidArgument "<file>:<line>: <problem naming the element and value>".
// Plain values; any thread.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_FAIR_ALLOCATION_CONFIG_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_FAIR_ALLOCATION_CONFIG_H_

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/conf/configuration.h"
#include "common/resource.h"
#include "resourcemanager/scheduler/capacity/capacity_config.h"  // QueueAcl

namespace skein::rm {

constexpr int64_t kUnlimited = std::numeric_limits<int64_t>::max() / 4;
constexpr int32_t kUnlimitedApps = std::numeric_limits<int32_t>::max();
constexpr int64_t kNoTimeout = std::numeric_limits<int64_t>::max();

// minResources / maxResources: absolute values or fractions of the cluster.
struct ResourceSpec {
  bool is_percent = false;
  Resource absolute;      // when !is_percent
  double memory_pct = 0;  // fractions in [0, 1] when is_percent
  double vcores_pct = 0;

  static ResourceSpec Unlimited() { return ResourceSpec{false, Resource(kUnlimited, kUnlimited)}; }
  // Parses one of the forms above; errors name the text and the accepted forms.
  static absl::StatusOr<ResourceSpec> Parse(absl::string_view text);
  Resource Resolve(const Resource& cluster) const;
};

enum class FairPolicy { kFifo, kFair, kDrf };
absl::string_view PolicyName(FairPolicy p);

struct FairQueueConfig {
  std::string name;  // "b"
  std::string path;  // "root.a.b"
  int parent = -1;
  std::vector<int> children;
  bool declared_parent = false;  // type="parent", or has children
  bool dynamic = false;          // created by a placement rule, not in the file

  double weight = 1.0;
  ResourceSpec min_resources;
  ResourceSpec max_resources = ResourceSpec::Unlimited();
  int32_t max_running_apps = kUnlimitedApps;
  double max_am_share = 0.5;  // -1: no AM limit
  FairPolicy policy = FairPolicy::kFair;
  QueueAcl acl_submit_apps;
  QueueAcl acl_administer_apps;
  int64_t min_share_preemption_timeout_ms = kNoTimeout;
  int64_t fair_share_preemption_timeout_ms = kNoTimeout;
  double fair_share_preemption_threshold = 0.5;
  // The largest container an application in this queue may ask for (YARN's
  // getMaximumResourceCapability(queue)); a queue without its own takes its parent's.
  Resource max_container_allocation = Resource(kUnlimited, kUnlimited);
  // maxChildResources: the maxResources given to queues that placement rules create directly
  // below this one (queues declared in the file keep their own).
  bool has_max_child_resources = false;
  ResourceSpec max_child_resources = ResourceSpec::Unlimited();
  // allowPreemptionFrom (effective: false when any ancestor says false).
  bool allow_preemption_from = true;

  bool is_leaf() const { return !declared_parent && children.empty(); }
};

struct PlacementRule {
  enum class Kind {
    kSpecified,
    kUser,
    kPrimaryGroup,
    kSecondaryGroupExistingQueue,
    kNestedUserQueue,
    kDefault,
    kReject
  };
  Kind kind = Kind::kDefault;
  bool create = true;
  std::string queue;                  // kDefault: "root.default" unless given
  std::vector<PlacementRule> nested;  // kNestedUserQueue: exactly one rule giving the parent
  int line = 0;

  std::string Name() const;
  bool IsTerminal() const;
};

// The yarn-site.xml side (yarn.scheduler.fair.* and friends).
struct FairSiteConfig {
  std::string allocation_file;            // resolved path
  bool allocation_file_explicit = false;  // set in the configuration (missing file = error)
  bool user_as_default_queue = true;
  bool allow_undeclared_pools = true;
  bool preemption = false;
  double preemption_utilization_threshold = 0.8;
  int64_t update_interval_ms = 500;
  int64_t wait_time_before_kill_ms = 15000;
  bool acl_enabled = false;
  int32_t max_application_priority = 0;
  // yarn.scheduler.fair.sizebasedweight: an application's weight in its leaf is
  // log2(1 + demand memory MB) instead of 1.
  bool size_based_weight = false;
  // How much one node may take in one scheduling pass (YARN: one node heartbeat).
  // yarn.scheduler.fair.assignmultiple false: one container; true with
  // yarn.scheduler.fair.dynamic.max.assign: containers until half of what the node had free at
  // the start of the pass is assigned; true without it: yarn.scheduler.fair.max.assign
  // containers (<= 0: no limit). FromConfiguration applies Hadoop's defaults (false, true, -1);
  // a default-constructed FairSiteConfig (tests, benchmarks) places without a per-node limit.
  bool assign_multiple = true;
  bool dynamic_max_assign = false;
  int32_t max_assign = -1;
  bool AssignUnlimited() const { return assign_multiple && !dynamic_max_assign && max_assign <= 0; }

  // A relative allocation file name is looked up in the directory of the resource that set the
  // key, else of the loaded yarn-site.xml, else $YARN_CONF_DIR / $HADOOP_CONF_DIR, else as given.
  static absl::StatusOr<FairSiteConfig> FromConfiguration(const conf::Configuration& conf);
};

struct AllocationConfig {
  std::vector<FairQueueConfig> queues;  // queues[0] is root; a child always after its parent
  std::map<std::string, int32_t> user_max_apps;
  int32_t user_max_apps_default = kUnlimitedApps;
  int32_t queue_max_apps_default = kUnlimitedApps;
  double queue_max_am_share_default = 0.5;
  ResourceSpec queue_max_resources_default = ResourceSpec::Unlimited();
  FairPolicy default_policy = FairPolicy::kFair;
  int64_t default_min_share_preemption_timeout_ms = kNoTimeout;
  int64_t default_fair_share_preemption_timeout_ms = kNoTimeout;
  double default_fair_share_preemption_threshold = 0.5;
  std::vector<PlacementRule> rules;  // never empty after Parse (the implied policy if absent)
  std::string source;                // the file it came from ("" for built-in defaults)
  // "<file>:<line>: ..." for accepted elements that change nothing (<reservation>); Load prints
  // them to stderr, one line each.
  std::vector<std::string> warnings;

  // "root.a.b", or "a.b" (root. is implied). -1 if none.
  int Find(const std::string& name) const;
  int32_t UserMaxApps(const std::string& user) const;
  // Creates `path` (and missing parents) as a dynamic queue with the defaults (maxResources from
  // the parent's maxChildResources when it has one; maxContainerAllocation and
  // allowPreemptionFrom inherited from the parent); the last element
  // is a leaf unless `as_parent`. Fails naming the path when an element exists as a leaf, or
  // when a name part is empty / contains spaces.
  absl::StatusOr<int> CreateQueue(const std::string& path, bool as_parent);

  // Only root and root.default, the implied placement policy.
  static AllocationConfig Defaults(const FairSiteConfig& site);
  static absl::StatusOr<AllocationConfig> Parse(absl::string_view xml, const std::string& source,
                                                const FairSiteConfig& site);
  // Reads site.allocation_file; a missing file that was not named explicitly gives Defaults().
  static absl::StatusOr<AllocationConfig> Load(const FairSiteConfig& site);
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_FAIR_ALLOCATION_CONFIG_H_
