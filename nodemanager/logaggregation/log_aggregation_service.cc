#include "nodemanager/logaggregation/log_aggregation_service.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/conf/remote_log_dir.h"
#include "nodemanager/logaggregation/aggregated_log_file.h"

namespace skein::logs {
namespace {

namespace fs = std::filesystem;

constexpr char kEnableKey[] = "yarn.log-aggregation-enable";
constexpr char kRetainKey[] = "yarn.nodemanager.log.retain-seconds";
constexpr char kDebugDelayKey[] = "yarn.nodemanager.delete.debug-delay-sec";

absl::StatusOr<absl::Duration> Seconds(const conf::Configuration& conf, const char* key,
                                       int64_t fallback) {
  absl::StatusOr<int64_t> v = conf.GetInt(key, fallback);
  if (!v.ok()) return v.status();
  if (*v < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, "=", *v, " must be a non-negative number of seconds"));
  }
  return absl::Seconds(*v);
}

}  // namespace

absl::StatusOr<LogAggregationOptions> ParseLogAggregationOptions(const conf::Configuration& conf) {
  LogAggregationOptions o;
  absl::StatusOr<bool> enabled = conf.GetBool(kEnableKey, false);
  if (!enabled.ok()) return enabled.status();
  o.enabled = *enabled;
  absl::StatusOr<conf::RemoteLogDir> dir = conf::ReadRemoteLogDir(conf);
  if (!dir.ok()) return dir.status();
  o.remote_root = dir->root;
  o.suffix = dir->suffix;
  absl::StatusOr<absl::Duration> retain = Seconds(conf, kRetainKey, 10800);
  if (!retain.ok()) return retain.status();
  o.retain = *retain;
  absl::StatusOr<absl::Duration> delay = Seconds(conf, kDebugDelayKey, 0);
  if (!delay.ok()) return delay.status();
  o.debug_delay = *delay;
  return o;
}

LogAggregationService::LogAggregationService(LogAggregationOptions options, NodeId node,
                                             LogRecoveryStore* store, Clock& clock)
    : options_(std::move(options)),
      node_(std::move(node)),
      store_(store),
      clock_(clock),
      worker_(std::make_unique<EventLoop>("nm-log-agg")) {}

LogAggregationService::~LogAggregationService() { Stop(); }

void LogAggregationService::Start() {
  if (started_) return;
  started_ = true;
  worker_->Start();
  if (store_ != nullptr) Recover();
}

void LogAggregationService::LogError(const absl::Status& s) {
  if (s.ok()) return;
  fprintf(stderr, "skein nodemanager: log aggregation: %s\n", std::string(s.message()).c_str());
}

void LogAggregationService::Recover() {
  absl::StatusOr<std::vector<PendingLogAggregation>> aggregations = store_->LoadLogAggregations();
  absl::StatusOr<std::vector<PendingLogDeletion>> deletions = store_->LoadLogDeletions();
  LogError(aggregations.status());
  LogError(deletions.status());
  if (aggregations.ok()) {
    for (const PendingLogAggregation& a : *aggregations) {
      // A record is written only with aggregation on; if it was turned off since, the logs
      // stay for log.retain-seconds as any other finished application's.
      ApplicationFinished(a.app, a.user);
      if (!options_.enabled) LogError(store_->RemoveLogAggregation(a.app));
    }
  }
  if (!deletions.ok()) return;
  const int64_t now = clock_.NowMillis();
  for (const PendingLogDeletion& d : *deletions) {
    {
      skein::MutexLock lock(&mu_);
      if (status_.count(d.app)) continue;  // being aggregated again (above)
      status_[d.app] = options_.enabled ? kLogAggSucceeded : kLogAggDisabled;
    }
    const absl::Duration left = absl::Milliseconds(std::max<int64_t>(0, d.deletion_time_ms - now));
    worker_->PostDelayed(left, [this, app = d.app] { DeleteLocal(app); });
  }
}

void LogAggregationService::ScheduleDeletion(const ApplicationId& app, const std::string& user,
                                             absl::Duration delay) {
  if (store_ != nullptr) {
    LogError(store_->StoreLogDeletion(
        PendingLogDeletion{app, user, clock_.NowMillis() + absl::ToInt64Milliseconds(delay)}));
  }
  // As Hadoop's NonAggregatingLogHandler ("Scheduling Log Deletion for application"): after the
  // state store has the deletion, so a restart from here on carries it out.
  fprintf(stderr, "skein nodemanager: log aggregation: local logs of %s are deleted in %s\n",
          app.ToString().c_str(), absl::FormatDuration(delay).c_str());
  if (delay <= absl::ZeroDuration() && worker_->IsLoopThread()) {
    DeleteLocal(app);
  } else {
    worker_->PostDelayed(delay, [this, app] { DeleteLocal(app); });
  }
}

void LogAggregationService::Stop() {
  if (!started_) return;
  started_ = false;
  worker_->Stop();
}

void LogAggregationService::ApplicationFinished(const ApplicationId& app, const std::string& user) {
  {
    skein::MutexLock lock(&mu_);
    if (status_.count(app)) return;
    status_[app] = options_.enabled ? kLogAggRunning : kLogAggDisabled;
  }
  if (!options_.enabled) {
    ScheduleDeletion(app, user, options_.retain);
    return;
  }
  if (store_ != nullptr) LogError(store_->StoreLogAggregation(PendingLogAggregation{app, user}));
  worker_->Post([this, app, user] { Aggregate(app, user); });
}

std::string LogAggregationService::Status(const ApplicationId& app) const {
  if (!options_.enabled) return kLogAggDisabled;
  skein::MutexLock lock(&mu_);
  auto it = status_.find(app);
  return it == status_.end() ? kLogAggNotStart : it->second;
}

std::string LogAggregationService::last_error() const {
  skein::MutexLock lock(&mu_);
  return last_error_;
}

void LogAggregationService::SetStatus(const ApplicationId& app, const std::string& status) {
  skein::MutexLock lock(&mu_);
  status_[app] = status;
}

void LogAggregationService::Aggregate(const ApplicationId& app, const std::string& user) {
  std::vector<std::pair<std::string, std::string>> dirs;
  for (const std::string& log_dir : options_.log_dirs) {
    std::error_code ec;
    fs::path app_dir = fs::path(log_dir) / app.ToString();
    for (fs::directory_iterator it(app_dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec)) dirs.emplace_back(it->path().filename().string(), it->path());
    }
  }
  const std::string path = absl::StrCat(
      RemoteAppLogDir(options_.remote_root, user, options_.suffix, app), "/", NodeFileName(node_));
  std::error_code exists_ec;
  // A recovered aggregation whose local logs are gone already: keep what was written.
  absl::Status s = dirs.empty() && fs::exists(path, exists_ec)
                       ? absl::OkStatus()
                       : WriteAggregatedLogFile(path, CollectContainerLogs(dirs));
  if (!s.ok()) {
    // As YARN: a failed upload keeps the local logs (they are removed by retain-seconds).
    fprintf(stderr, "skein nodemanager: log aggregation for %s failed: %s\n",
            app.ToString().c_str(), std::string(s.message()).c_str());
    {
      skein::MutexLock lock(&mu_);
      last_error_ = std::string(s.message());
    }
    SetStatus(app, kLogAggFailed);
    ScheduleDeletion(app, user, options_.retain);
    if (store_ != nullptr) LogError(store_->RemoveLogAggregation(app));
    return;
  }
  // The deletion is recorded before the aggregation record goes, so that a restart in between
  // still removes the local logs (and never aggregates them again once deleted).
  ScheduleDeletion(app, user, options_.debug_delay);
  if (store_ != nullptr) LogError(store_->RemoveLogAggregation(app));
  SetStatus(app, kLogAggSucceeded);
}

void LogAggregationService::DeleteLocal(const ApplicationId& app) {
  for (const std::string& log_dir : options_.log_dirs) {
    std::error_code ec;
    fs::remove_all(fs::path(log_dir) / app.ToString(), ec);
    if (ec) {
      fprintf(stderr, "skein nodemanager: removing logs of %s under %s: %s\n",
              app.ToString().c_str(), log_dir.c_str(), ec.message().c_str());
    }
  }
  if (store_ != nullptr) LogError(store_->RemoveLogDeletion(app));
}

}  // namespace skein::logs
