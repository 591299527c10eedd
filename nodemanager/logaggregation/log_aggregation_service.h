// What happens to a finished application's container logs on this node (YARN's
// LogAggregationService / NonAggregatingLogHandler, reduced):
//
// * yarn.log-aggregation-enable=true: once the RM says the application finished
//   (applications_to_cleanup) and none of its containers runs here any more, the logs of its
//   containers (<log-dir>/<appId>/<containerId>/* over every log dir) are written as ONE file,
//   <remote-app-log-dir>/<user>/<suffix>/<appId>/<host>_<port> (aggregated_log_file.h), and the
//   local <log-dir>/<appId> directories are removed — at once, or after
//   yarn.nodemanager.delete.debug-delay-sec.
// * Otherwise the local directories are removed yarn.nodemanager.log.retain-seconds after the
//   application finished.
//
// With a LogRecoveryStore (the NodeManager state store, yarn.nodemanager.recovery.enabled), the
// applications handed over but not yet aggregated and the scheduled deletions (with their
// deletion time) are recorded; a restarted service aggregates the former and reschedules the
// latter (a deletion time already past deletes at once). Without one, deletions still pending
// when the NodeManager stops are dropped (the directories stay).
//
// Thread rules: construct, Start and Stop from the controlling thread. ApplicationFinished and
// Status from any thread. Disk work runs on the service's own thread, never on the NM loop.
#ifndef SKEIN_NODEMANAGER_LOGAGGREGATION_LOG_AGGREGATION_SERVICE_H_
#define SKEIN_NODEMANAGER_LOGAGGREGATION_LOG_AGGREGATION_SERVICE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/conf/configuration.h"
#include "common/event_loop.h"
#include "common/ids.h"
#include "common/sync.h"

namespace skein::logs {

struct LogAggregationOptions {
  bool enabled = false;                          // yarn.log-aggregation-enable
  std::string remote_root = "/tmp/logs";         // yarn.nodemanager.remote-app-log-dir
  std::string suffix = "logs";                   // yarn.nodemanager.remote-app-log-dir-suffix
  absl::Duration retain = absl::Seconds(10800);  // yarn.nodemanager.log.retain-seconds
  absl::Duration debug_delay;                    // yarn.nodemanager.delete.debug-delay-sec
  std::vector<std::string> log_dirs;             // yarn.nodemanager.log-dirs
};

// Reads the keys above (log_dirs are filled by the caller). Errors name the key and value.
absl::StatusOr<LogAggregationOptions> ParseLogAggregationOptions(const conf::Configuration& conf);

// Aggregation state of one application on this node, with YARN's LogAggregationStatus names.
inline constexpr char kLogAggNotStart[] = "NOT_START";
inline constexpr char kLogAggRunning[] = "RUNNING";
inline constexpr char kLogAggSucceeded[] = "SUCCEEDED";
inline constexpr char kLogAggFailed[] = "FAILED";
inline constexpr char kLogAggDisabled[] = "DISABLED";

// Log work that must survive a NodeManager restart. Implemented by the NM state store
// (nodemanager/recovery/nm_state_store.h). Thread-safe.
struct PendingLogDeletion {
  ApplicationId app;
  std::string user;
  int64_t deletion_time_ms = 0;  // when the local logs go (ms since the epoch)
};
struct PendingLogAggregation {
  ApplicationId app;
  std::string user;
};
class LogRecoveryStore {
 public:
  virtual ~LogRecoveryStore() = default;
  // Store* overwrites the application's record; Remove* of an absent record is OK.
  virtual absl::Status StoreLogDeletion(const PendingLogDeletion& d) = 0;
  virtual absl::Status RemoveLogDeletion(const ApplicationId& app) = 0;
  virtual absl::Status StoreLogAggregation(const PendingLogAggregation& a) = 0;
  virtual absl::Status RemoveLogAggregation(const ApplicationId& app) = 0;
  virtual absl::StatusOr<std::vector<PendingLogDeletion>> LoadLogDeletions() = 0;
  virtual absl::StatusOr<std::vector<PendingLogAggregation>> LoadLogAggregations() = 0;
};

class LogAggregationService {
 public:
  // `store` (may be null: nothing survives a restart) must outlive the service; `clock` gives
  // the recorded deletion times.
  LogAggregationService(LogAggregationOptions options, NodeId node,
                        LogRecoveryStore* store = nullptr, Clock& clock = RealClock::Get());
  ~LogAggregationService();  // Stop()s
  LogAggregationService(const LogAggregationService&) = delete;
  LogAggregationService& operator=(const LogAggregationService&) = delete;

  // With a store: first resumes the work recorded by the previous NodeManager process.
  void Start();
  // Finishes the aggregation in progress; aggregations not yet started and pending deletions
  // are dropped (kept in the store, if any). Joins the thread.
  void Stop();

  // The application finished and no container of it runs on this node. Repeated calls for the
  // same application are ignored.
  void ApplicationFinished(const ApplicationId& app, const std::string& user);
  // kLogAggDisabled when aggregation is off; kLogAggNotStart for an app not finished yet.
  std::string Status(const ApplicationId& app) const;
  // The last aggregation error ("" if none), for logs and tests.
  std::string last_error() const;

 private:
  void Aggregate(const ApplicationId& app, const std::string& user);
  // Records the deletion (with a store) and runs DeleteLocal after `delay`.
  void ScheduleDeletion(const ApplicationId& app, const std::string& user, absl::Duration delay);
  void DeleteLocal(const ApplicationId& app);
  void SetStatus(const ApplicationId& app, const std::string& status);
  // Start(): reschedules what the store holds.
  void Recover();
  void LogError(const absl::Status& s);

  const LogAggregationOptions options_;
  const NodeId node_;
  LogRecoveryStore* const store_;
  Clock& clock_;
  std::unique_ptr<EventLoop> worker_;
  bool started_ = false;
  mutable skein::Mutex mu_;
  std::map<ApplicationId, std::string> status_ ABSL_GUARDED_BY(mu_);
  std::string last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skein::logs

#endif  // SKEIN_NODEMANAGER_LOGAGGREGATION_LOG_AGGREGATION_SERVICE_H_
