#include "resourcemanager/logretention/aggregated_log_deletion.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/conf/remote_log_dir.h"

namespace skein::rm {
namespace {

namespace fs = std::filesystem;

constexpr char kEnableKey[] = "yarn.log-aggregation-enable";
constexpr char kRetainKey[] = "yarn.log-aggregation.retain-seconds";
constexpr char kIntervalKey[] = "yarn.log-aggregation.retain-check-interval-seconds";
// At most this many errors are spelled out in a run's log line.
constexpr size_t kErrorsPerLogLine = 5;

// Modification time in milliseconds since the epoch, or an error naming the path.
absl::StatusOr<int64_t> MTimeMillis(const fs::path& p) {
  struct stat st;
  if (lstat(p.c_str(), &st) != 0) {
    return absl::InternalError(absl::StrCat("cannot stat ", p.string(), ": ", strerror(errno)));
  }
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

// The entries of `dir`; on error the reason goes to `errors` and the list is empty.
std::vector<fs::directory_entry> List(const fs::path& dir, std::vector<std::string>* errors) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  for (fs::directory_iterator end; !ec && it != end; it.increment(ec)) out.push_back(*it);
  if (ec) {
    errors->push_back(absl::StrCat("cannot read ", dir.string(), ": ", ec.message()));
    out.clear();
  }
  return out;
}

bool IsDirectory(const fs::directory_entry& e) {
  std::error_code ec;
  return e.is_directory(ec) && !e.is_symlink(ec);
}

// True when every entry of `app_dir` was modified before `cutoff_ms` (an empty directory
// qualifies). An unreadable entry keeps the directory.
bool AllOlderThan(const fs::path& app_dir, int64_t cutoff_ms, std::vector<std::string>* errors) {
  std::error_code ec;
  fs::directory_iterator it(app_dir, ec);
  for (fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
    absl::StatusOr<int64_t> mtime = MTimeMillis(it->path());
    if (!mtime.ok()) {
      errors->push_back(std::string(mtime.status().message()));
      return false;
    }
    if (*mtime >= cutoff_ms) return false;
  }
  if (ec) {
    errors->push_back(absl::StrCat("cannot read ", app_dir.string(), ": ", ec.message()));
    return false;
  }
  return true;
}

void VisitAppDir(const fs::directory_entry& app_dir, int64_t cutoff_ms,
                 const std::function<bool(const ApplicationId&)>& is_running, LogDeletionRun* run) {
  if (!IsDirectory(app_dir)) return;
  absl::StatusOr<ApplicationId> app = ApplicationId::Parse(app_dir.path().filename().string());
  if (!app.ok()) return;  // not an application's directory
  absl::StatusOr<int64_t> mtime = MTimeMillis(app_dir.path());
  if (!mtime.ok()) {
    run->errors.push_back(std::string(mtime.status().message()));
    return;
  }
  if (*mtime >= cutoff_ms) return;
  if (is_running(*app)) {
    ++run->kept_running;
    return;
  }
  if (!AllOlderThan(app_dir.path(), cutoff_ms, &run->errors)) return;
  std::error_code ec;
  fs::remove_all(app_dir.path(), ec);
  if (ec) {
    run->errors.push_back(
        absl::StrCat("cannot delete ", app_dir.path().string(), ": ", ec.message()));
    return;
  }
  run->deleted.push_back(app_dir.path().string());
}

}  // namespace

absl::StatusOr<LogRetentionOptions> ParseLogRetentionOptions(const conf::Configuration& conf) {
  LogRetentionOptions o;
  absl::StatusOr<bool> aggregation = conf.GetBool(kEnableKey, false);
  if (!aggregation.ok()) return aggregation.status();
  absl::StatusOr<int64_t> retain = conf.GetInt(kRetainKey, -1);
  if (!retain.ok()) return retain.status();
  absl::StatusOr<int64_t> interval = conf.GetInt(kIntervalKey, -1);
  if (!interval.ok()) return interval.status();
  // Hadoop: a negative retention disables deletion; so does aggregation being off.
  o.enabled = *aggregation && *retain >= 0;
  o.retain = absl::Seconds(std::max<int64_t>(*retain, 0));
  o.check_interval = *interval > 0 ? absl::Seconds(*interval) : o.retain / 10;
  o.check_interval = std::max(o.check_interval, kMinCheckInterval);
  // The NodeManagers write there (nodemanager/logaggregation/).
  absl::StatusOr<conf::RemoteLogDir> dir = conf::ReadRemoteLogDir(conf);
  if (!dir.ok()) {
    return absl::Status(dir.status().code(),
                        absl::StrCat(dir.status().message(), " (aggregated-log retention)"));
  }
  o.remote_root = dir->root;
  o.suffix = dir->suffix;
  return o;
}

LogDeletionRun DeleteExpiredAggregatedLogs(
    const std::string& remote_root, const std::string& suffix, int64_t cutoff_ms,
    const std::function<bool(const ApplicationId&)>& is_running) {
  LogDeletionRun run;
  std::error_code ec;
  if (!fs::exists(remote_root, ec)) {
    if (ec) run.errors.push_back(absl::StrCat("cannot read ", remote_root, ": ", ec.message()));
    return run;
  }
  for (const fs::directory_entry& user_dir : List(remote_root, &run.errors)) {
    if (!IsDirectory(user_dir)) continue;
    const fs::path apps_dir = user_dir.path() / suffix;
    if (!fs::is_directory(apps_dir, ec)) continue;
    for (const fs::directory_entry& app_dir : List(apps_dir, &run.errors)) {
      VisitAppDir(app_dir, cutoff_ms, is_running, &run);
    }
  }
  return run;
}

AggregatedLogDeletionService::AggregatedLogDeletionService(LogRetentionOptions options,
                                                           Clock& clock, RunningApps running_apps)
    : options_(std::move(options)), clock_(clock), running_apps_(std::move(running_apps)) {}

AggregatedLogDeletionService::~AggregatedLogDeletionService() { Stop(); }

void AggregatedLogDeletionService::Start() {
  if (started_ || !options_.enabled) return;
  started_ = true;
  worker_ = std::make_unique<EventLoop>("rm-log-retention");
  worker_->Start();
  worker_->Post([this] { RunOnce(); });
  worker_->PostPeriodic(options_.check_interval, [this] { RunOnce(); });
}

void AggregatedLogDeletionService::Stop() {
  if (!started_) return;
  started_ = false;
  worker_->Stop();
}

int64_t AggregatedLogDeletionService::runs() const {
  skein::MutexLock lock(&mu_);
  return runs_;
}

void AggregatedLogDeletionService::RunOnce() {
  const std::set<ApplicationId> running = running_apps_();
  const int64_t cutoff = clock_.NowMillis() - absl::ToInt64Milliseconds(options_.retain);
  LogDeletionRun run = DeleteExpiredAggregatedLogs(
      options_.remote_root, options_.suffix, cutoff,
      [&running](const ApplicationId& app) { return running.count(app) > 0; });
  for (const std::string& dir : run.deleted) {
    fprintf(stderr, "ResourceManager: deleted aggregated logs in %s (older than %s)\n", dir.c_str(),
            absl::FormatDuration(options_.retain).c_str());
  }
  if (!run.errors.empty()) {
    const size_t shown = std::min(run.errors.size(), kErrorsPerLogLine);
    fprintf(stderr, "ResourceManager: aggregated log deletion under %s: %zu error(s): %s%s\n",
            options_.remote_root.c_str(), run.errors.size(),
            absl::StrJoin(run.errors.begin(), run.errors.begin() + shown, "; ").c_str(),
            shown < run.errors.size() ? "; ..." : "");
  }
  skein::MutexLock lock(&mu_);
  ++runs_;
}

}  // namespace skein::rm
