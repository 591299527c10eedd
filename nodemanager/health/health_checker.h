// YARN's node health script: every yarn.nodemanager.health-checker.interval-ms the script at
// yarn.nodemanager.health-checker.script.path runs (killed after ...script.timeout-ms); a line of
// its output starting with "ERROR" makes the node unhealthy with that output as the health
// report. A timeout is unhealthy too. Exit codes are ignored, as in YARN (a broken script must
// not take nodes out of service).
//
// Thread rules: RunHealthScript blocks (any thread). The checker runs it on its own thread;
// status() from any thread; Start/Stop from the controlling thread.
#ifndef SKEIN_NODEMANAGER_HEALTH_HEALTH_CHECKER_H_
#define SKEIN_NODEMANAGER_HEALTH_HEALTH_CHECKER_H_

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/conf/configuration.h"
#include "common/sync.h"
#include "protos/resource_tracker.pb.h"

namespace skein::nm {

struct HealthCheckerOptions {
  std::string script;  // "" = no script: the node is healthy
  std::vector<std::string> args;
  absl::Duration interval = absl::Milliseconds(600000);
  absl::Duration timeout = absl::Milliseconds(1200000);
};

// Reads yarn.nodemanager.health-checker.script.path / .script.opts / .interval-ms /
// .script.timeout-ms. A script path that is not an executable file is an error naming it.
absl::StatusOr<HealthCheckerOptions> ParseHealthCheckerOptions(const conf::Configuration& conf);

struct HealthResult {
  bool healthy = true;
  std::string report;  // "" when healthy
};
// Runs the script once; stdout and stderr are both read. When `*cancel` turns true the script is
// killed and the result is "healthy" (nothing learned).
HealthResult RunHealthScript(const HealthCheckerOptions& options,
                             const std::atomic<bool>* cancel = nullptr);

class HealthChecker {
 public:
  HealthChecker(HealthCheckerOptions options, Clock& clock);
  ~HealthChecker();  // Stop()s
  void Start();      // first run happens at once, on the checker's thread
  void Stop();
  proto::NodeHealthStatusProto status() const;

 private:
  const HealthCheckerOptions options_;
  Clock& clock_;
  mutable skein::Mutex mu_;
  proto::NodeHealthStatusProto status_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> cancel_{false};
  std::thread thread_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_HEALTH_HEALTH_CHECKER_H_
