#include "nodemanager/health/disk_checker.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace skein::nm {
namespace {

namespace fs = std::filesystem;

constexpr char kEnableKey[] = "yarn.nodemanager.disk-health-checker.enable";
constexpr char kIntervalKey[] = "yarn.nodemanager.disk-health-checker.interval-ms";
constexpr char kMinHealthyKey[] = "yarn.nodemanager.disk-health-checker.min-healthy-disks";
constexpr char kMaxUtilKey[] =
    "yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage";
constexpr char kMinFreeKey[] = "yarn.nodemanager.disk-health-checker.min-free-space-per-disk-mb";

constexpr char kCapacityExceeded[] =
    "usable space is below configured utilization percentage/no more usable space";

// A float as Java prints it for the common cases: 90 -> "90.0", 0.5 -> "0.5".
std::string JavaFloat(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e7) return absl::StrFormat("%.1f", v);
  return absl::StrCat(v);
}

std::string ErrorReport(const std::map<std::string, std::string>& dirs) {
  std::string out = " [ ";
  bool first = true;
  for (const auto& [dir, why] : dirs) {
    if (!first) out += " , ";
    first = false;
    absl::StrAppend(&out, dir, " : ", why);
  }
  return out + " ] ";
}

}  // namespace

absl::Status RealDiskFs::EnsureDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat("Cannot create directory: ", dir));
  }
  return absl::OkStatus();
}

absl::Status RealDiskFs::CheckReadWrite(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("Not a directory: ", dir));
  }
  if (access(dir.c_str(), R_OK) != 0) {
    return absl::PermissionDeniedError(absl::StrCat("Directory is not readable: ", dir));
  }
  if (access(dir.c_str(), X_OK) != 0) {
    return absl::PermissionDeniedError(absl::StrCat("Directory is not executable: ", dir));
  }
  // As YARN: create a random directory, which also catches read-only filesystems.
  const std::string probe = absl::StrCat(dir, "/.skein-disk-check-", getpid());
  if (mkdir(probe.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::PermissionDeniedError(absl::StrCat("Directory is not writable: ", dir));
  }
  rmdir(probe.c_str());
  return absl::OkStatus();
}

absl::StatusOr<DiskSpace> RealDiskFs::Space(const std::string& dir) {
  struct statvfs v {};
  if (statvfs(dir.c_str(), &v) != 0) {
    return absl::InternalError(absl::StrCat("statvfs ", dir, ": ", strerror(errno)));
  }
  return DiskSpace{static_cast<uint64_t>(v.f_blocks) * v.f_frsize,
                   static_cast<uint64_t>(v.f_bavail) * v.f_frsize};
}

absl::StatusOr<DiskCheckerOptions> ParseDiskCheckerOptions(const conf::Configuration& conf) {
  DiskCheckerOptions o;
  absl::StatusOr<bool> enabled = conf.GetBool(kEnableKey, true);
  if (!enabled.ok()) return enabled.status();
  o.enabled = *enabled;
  absl::StatusOr<int64_t> interval = conf.GetInt(kIntervalKey, 120000);
  if (!interval.ok()) return interval.status();
  if (*interval <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(kIntervalKey, "=", *interval, " must be a positive number of milliseconds"));
  }
  o.interval = absl::Milliseconds(*interval);
  absl::StatusOr<double> min_healthy = conf.GetDouble(kMinHealthyKey, 0.25);
  if (!min_healthy.ok()) return min_healthy.status();
  if (*min_healthy < 0.0 || *min_healthy > 1.0) {
    return absl::InvalidArgumentError(
        absl::StrCat(kMinHealthyKey, "=", *min_healthy, " must be a fraction between 0 and 1"));
  }
  o.min_healthy_fraction = *min_healthy;
  absl::StatusOr<double> max_util = conf.GetDouble(kMaxUtilKey, 90.0);
  if (!max_util.ok()) return max_util.status();
  // As YARN: out-of-range percentages are clamped rather than refused.
  o.max_utilization_percent = std::min(100.0, std::max(0.0, *max_util));
  absl::StatusOr<int64_t> min_free = conf.GetInt(kMinFreeKey, 0);
  if (!min_free.ok()) return min_free.status();
  if (*min_free < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(kMinFreeKey, "=", *min_free, " must not be negative"));
  }
  o.min_free_mb = *min_free;
  return o;
}

DirsVerdict CheckDirs(DiskFs& fs, const std::vector<std::string>& dirs,
                      const DiskCheckerOptions& options) {
  DirsVerdict v;
  for (const std::string& dir : dirs) {
    if (absl::Status s = fs.EnsureDir(dir); !s.ok()) {
      v.errored[dir] = std::string(s.message());
      continue;
    }
    absl::StatusOr<DiskSpace> space = fs.Space(dir);
    if (!space.ok()) {
      v.errored[dir] = std::string(space.status().message());
      continue;
    }
    if (space->total_bytes > 0) {
      const double used = 100.0 * static_cast<double>(space->total_bytes - space->usable_bytes) /
                          static_cast<double>(space->total_bytes);
      if (used > options.max_utilization_percent) {
        v.full[dir] = absl::StrCat("used space above threshold of ",
                                   JavaFloat(options.max_utilization_percent), "%");
        continue;
      }
    }
    if (space->usable_bytes / (1024 * 1024) < static_cast<uint64_t>(options.min_free_mb)) {
      v.full[dir] = absl::StrCat("free space below limit of ", options.min_free_mb, "MB");
      continue;
    }
    if (absl::Status s = fs.CheckReadWrite(dir); !s.ok()) {
      v.errored[dir] = std::string(s.message());
      continue;
    }
    v.good.push_back(dir);
  }
  return v;
}

std::string DisksHealthReport(const DirsVerdict& local, const DirsVerdict& log) {
  std::string r;
  if (!local.errored.empty()) {
    absl::StrAppend(&r, local.errored.size(), "/", local.total(),
                    " local-dirs have errors: ", ErrorReport(local.errored));
  }
  if (!local.full.empty()) {
    absl::StrAppend(&r, local.full.size(), "/", local.total(), " local-dirs ", kCapacityExceeded,
                    ErrorReport(local.full), "; ");
  }
  if (!log.errored.empty()) {
    absl::StrAppend(&r, log.errored.size(), "/", log.total(),
                    " log-dirs have errors: ", ErrorReport(log.errored));
  }
  if (!log.full.empty()) {
    absl::StrAppend(&r, log.full.size(), "/", log.total(), " log-dirs ", kCapacityExceeded,
                    ErrorReport(log.full));
  }
  return r;
}

bool DisksHealthy(const DirsVerdict& local, const DirsVerdict& log,
                  const DiskCheckerOptions& options) {
  for (const DirsVerdict* v : {&local, &log}) {
    if (v->total() == 0) continue;
    const double fraction = static_cast<double>(v->good.size()) / static_cast<double>(v->total());
    if (fraction < options.min_healthy_fraction) return false;
  }
  return true;
}

proto::NodeHealthStatusProto CombineHealth(const proto::NodeHealthStatusProto& script,
                                           bool disks_healthy, const std::string& disks_report) {
  proto::NodeHealthStatusProto out = script;
  out.set_is_node_healthy(script.is_node_healthy() && disks_healthy);
  if (!disks_report.empty()) {
    out.set_health_report(script.health_report().empty()
                              ? disks_report
                              : absl::StrCat(script.health_report(), ";", disks_report));
  }
  return out;
}

DiskChecker::DiskChecker(DiskCheckerOptions options, DiskFs& fs)
    : options_(std::move(options)), fs_(fs) {
  skein::MutexLock lock(&mu_);
  good_local_ = options_.local_dirs;
  good_log_ = options_.log_dirs;
}

DiskChecker::~DiskChecker() { Stop(); }

void DiskChecker::CheckOnce() {
  DirsVerdict local = CheckDirs(fs_, options_.local_dirs, options_);
  DirsVerdict log = CheckDirs(fs_, options_.log_dirs, options_);
  std::string report = DisksHealthReport(local, log);
  const bool healthy = DisksHealthy(local, log, options_);
  skein::MutexLock lock(&mu_);
  if (report != report_) {
    fprintf(stderr, "skein nodemanager: disks %s%s\n",
            report.empty() ? "turned good" : "failed: ", report.c_str());
  }
  healthy_ = healthy;
  report_ = std::move(report);
  good_local_ = local.good.empty() ? options_.local_dirs : local.good;
  good_log_ = log.good.empty() ? options_.log_dirs : log.good;
}

void DiskChecker::Start() {
  if (!options_.enabled) return;
  CheckOnce();
  thread_ = std::thread([this] {
    while (true) {
      {
        skein::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout([this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; },
                             options_.interval);
        if (stopping_) return;
      }
      CheckOnce();
    }
  });
}

void DiskChecker::Stop() {
  {
    skein::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool DiskChecker::healthy() const {
  skein::MutexLock lock(&mu_);
  return healthy_;
}

std::string DiskChecker::report() const {
  skein::MutexLock lock(&mu_);
  return report_;
}

std::vector<std::string> DiskChecker::GoodLocalDirs() const {
  skein::MutexLock lock(&mu_);
  return good_local_;
}

std::vector<std::string> DiskChecker::GoodLogDirs() const {
  skein::MutexLock lock(&mu_);
  return good_log_;
}

}  // namespace skein::nm
