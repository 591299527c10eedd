// Container sizing for `yarn submit`, exactly as Spark on YARN computes it (pure; any thread).
//
//   container memory = memory + overhead
//   overhead         = the explicit *.memoryOverhead when set, else max(factor × memory, 384 MB)
//   cluster mode AM  = driver memory (spark.driver.memory / --driver-memory, 1g) + driver
//                      overhead (spark.driver.memoryOverhead, factor
//                      spark.driver.memoryOverheadFactor 0.10), driver cores
//   client mode AM   = spark.yarn.am.memory (512m) + spark.yarn.am.memoryOverhead (factor 0.10),
//                      spark.yarn.am.cores (1); --driver-memory sizes no container
//   executors        = executor memory (1g) + overhead (spark.executor.memoryOverhead, factor
//                      spark.executor.memoryOverheadFactor 0.10), executor cores (1)
// The RM then normalizes every ask with its ResourceCalculator (see NormalizeGrant).
#ifndef SKEIN_APPMASTER_LAUNCHER_SIZING_H_
#define SKEIN_APPMASTER_LAUNCHER_SIZING_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/resource.h"

namespace skein::launcher {

inline constexpr int64_t kMinMemoryOverheadMb = 384;
inline constexpr double kDefaultOverheadFactor = 0.10;

enum class DeployMode { kClient, kCluster };

// What the user typed. Flags win over the equivalent --conf key (as in spark-submit); unset
// values fall back to the --conf key, then to Spark's default.
struct SubmitSettings {
  DeployMode deploy_mode = DeployMode::kClient;
  std::optional<std::string> driver_memory;    // --driver-memory     (spark.driver.memory)
  std::optional<std::string> driver_cores;     // --driver-cores      (spark.driver.cores)
  std::optional<std::string> executor_memory;  // --executor-memory   (spark.executor.memory)
  std::optional<std::string> executor_cores;   // --executor-cores    (spark.executor.cores)
  std::optional<std::string> num_executors;    // --num-executors     (spark.executor.instances)
  std::map<std::string, std::string> conf;     // --conf key=value
};

struct ContainerSize {
  int64_t memory_mb = 0;    // the JVM-equivalent memory the user asked for
  int64_t overhead_mb = 0;  // added on top
  int64_t vcores = 1;
  int64_t total_mb() const { return memory_mb + overhead_mb; }
  Resource ask() const { return Resource(total_mb(), vcores); }
};

struct LaunchPlan {
  DeployMode deploy_mode = DeployMode::kClient;
  ContainerSize am;
  ContainerSize executor;
  int32_t num_executors = 2;
  // spark.executor.maxNumFailures; default max(2 × executors, 3).
  int32_t max_executor_failures = 3;
  // spark.yarn.maxAppAttempts; 0 = the RM's yarn.resourcemanager.am.max-attempts.
  int32_t max_app_attempts = 0;
  // Lines the client prints before submitting (ignored flags, non-Spark keys).
  std::vector<std::string> notes;
};

// Overhead for `memory_mb`: `explicit_overhead` (a memory string) when set, else
// max(factor × memory, 384). Errors name `key` and the bad value.
absl::StatusOr<int64_t> MemoryOverheadMb(int64_t memory_mb,
                                         const std::optional<std::string>& explicit_overhead,
                                         double factor, const std::string& key);

// Computes every container size. Errors (InvalidArgument) name the flag or key and the value:
// unparsable memory, memory or cores below 1, negative overhead, factor not in (0, 10],
// executors below 1, attempts below 1.
absl::StatusOr<LaunchPlan> PlanLaunch(const SubmitSettings& settings);

// What the RM grants for `ask` with minimum allocation `minimum` (also the rounding step, as in
// the Capacity and FIFO schedulers) and maximum `maximum`.
Resource NormalizeGrant(const ResourceCalculator& calculator, const Resource& ask,
                        const Resource& minimum, const Resource& maximum);

// "Will allocate AM container, with 1408 MB memory including 384 MB overhead"
std::string AmAllocationLine(const ContainerSize& am);
// "Will request 2 executor container(s), each with 1 core(s) and 1408 MB memory including 384 MB
// overhead"
std::string ExecutorAllocationLine(const LaunchPlan& plan);

}  // namespace skein::launcher

#endif  // SKEIN_APPMASTER_LAUNCHER_SIZING_H_
