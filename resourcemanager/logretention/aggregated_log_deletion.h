// Aggregated-log retention (Hadoop's AggregatedLogDeletionService, reduced to a local or locally
// mounted remote-app-log-dir).
//
// Hadoop runs this service in the JobHistoryServer; Skein runs it inside the ResourceManager, the
// one process that knows which applications are finished, so a YARN-only cluster (Spark on YARN,
// no history server) gets retention too.
//
// Every check interval the tree <remote-app-log-dir>/<user>/<suffix>/<appId>/ (the layout the
// NodeManagers' log aggregation writes, see nodemanager/logaggregation/) is walked. An
// application's directory is deleted when
//   * its own modification time is older than the cutoff (now - retain-seconds),
//   * the application is not running (the RM has it in a final state, or does not know it: an
//     application of an earlier RM, as Hadoop's ApplicationNotFoundException), and
//   * every entry in it (one file per node) is older than the cutoff.
// A running application's directory is left alone (Skein aggregates only once an application has
// finished, so there are no rolled per-node files to prune, unlike Hadoop's rolling aggregation).
// Names that are not application ids are skipped. Errors (an unreadable directory, a failed
// delete) are collected and the walk goes on; the service logs them as one line per run.
//
// Thread rules: DeleteExpiredAggregatedLogs is a pure function of the filesystem (any thread,
// blocks on disk). AggregatedLogDeletionService: construct, Start and Stop from the controlling
// thread; the walk runs on the service's own thread, and `running_apps` is called there.
#ifndef SKEIN_RESOURCEMANAGER_LOGRETENTION_AGGREGATED_LOG_DELETION_H_
#define SKEIN_RESOURCEMANAGER_LOGRETENTION_AGGREGATED_LOG_DELETION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/conf/configuration.h"
#include "common/event_loop.h"
#include "common/ids.h"
#include "common/sync.h"

namespace skein::rm {

struct LogRetentionOptions {
  // yarn.log-aggregation-enable AND yarn.log-aggregation.retain-seconds >= 0.
  bool enabled = false;
  std::string remote_root = "/tmp/logs";  // yarn.nodemanager.remote-app-log-dir
  std::string suffix = "logs";            // yarn.nodemanager.remote-app-log-dir-suffix
  absl::Duration retain;                  // yarn.log-aggregation.retain-seconds
  // yarn.log-aggregation.retain-check-interval-seconds; <= 0 there means retain / 10 (Hadoop's
  // rule), never less than kMinCheckInterval.
  absl::Duration check_interval;
};

// Hadoop schedules a computed interval of retain/10 even when it is tiny; Skein walks at most
// once a second so that retain-seconds=0 cannot spin.
inline constexpr absl::Duration kMinCheckInterval = absl::Seconds(1);

// Reads the keys above. Errors name the key and the value.
absl::StatusOr<LogRetentionOptions> ParseLogRetentionOptions(const conf::Configuration& conf);

struct LogDeletionRun {
  std::vector<std::string> deleted;  // application directories removed
  int kept_running = 0;              // old enough, but the application runs
  std::vector<std::string> errors;   // each names the path and the reason
};

// One walk (see the header comment). `cutoff_ms`: milliseconds since the epoch; entries modified
// strictly before it are expired. `is_running` says whether the RM has the application in a
// non-final state. A missing root is not an error (nothing was aggregated yet).
LogDeletionRun DeleteExpiredAggregatedLogs(
    const std::string& remote_root, const std::string& suffix, int64_t cutoff_ms,
    const std::function<bool(const ApplicationId&)>& is_running);

class AggregatedLogDeletionService {
 public:
  // Called once per run on the service's thread: the applications the RM has in a non-final
  // state (in the RM, a RunSync onto its loop).
  using RunningApps = std::function<std::set<ApplicationId>()>;

  AggregatedLogDeletionService(LogRetentionOptions options, Clock& clock, RunningApps running_apps);
  ~AggregatedLogDeletionService();  // Stop()s
  AggregatedLogDeletionService(const AggregatedLogDeletionService&) = delete;
  AggregatedLogDeletionService& operator=(const AggregatedLogDeletionService&) = delete;

  // Runs the first walk at once, then every check interval. No-op when not enabled.
  void Start();
  // Finishes the walk in progress and joins the thread. Idempotent.
  void Stop();

  // Walks completed so far (tests).
  int64_t runs() const;

 private:
  void RunOnce();

  const LogRetentionOptions options_;
  Clock& clock_;
  const RunningApps running_apps_;
  std::unique_ptr<EventLoop> worker_;
  bool started_ = false;
  mutable skein::Mutex mu_;
  int64_t runs_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_LOGRETENTION_AGGREGATED_LOG_DELETION_H_
