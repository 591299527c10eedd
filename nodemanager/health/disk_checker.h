// YARN's disk health checker (LocalDirsHandlerService + DirectoryCollection, reduced): every
// yarn.nodemanager.disk-health-checker.interval-ms each local dir and log dir is checked —
// created when missing, too full (used space above
// ...max-disk-utilization-per-disk-percentage, or free space below
// ...min-free-space-per-disk-mb), writable (a probe directory is created and removed). When the
// fraction of good dirs of either list is below ...min-healthy-disks the node is unhealthy. The
// report uses YARN's wording, e.g.
//   "1/1 local-dirs usable space is below configured utilization percentage/no more usable
//    space [ /x : used space above threshold of 90.0% ] ; 1/1 log-dirs have errors:  [ /y :
//    Directory is not writable: /y ] "
// New containers only get good dirs (GoodLocalDirs / GoodLogDirs).
//
// Thread rules: CheckOnce blocks on disk; the checker runs it on its own thread. Accessors from
// any thread. Start/Stop from the controlling thread.
#ifndef SKEIN_NODEMANAGER_HEALTH_DISK_CHECKER_H_
#define SKEIN_NODEMANAGER_HEALTH_DISK_CHECKER_H_

#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/conf/configuration.h"
#include "common/sync.h"
#include "protos/resource_tracker.pb.h"

namespace skein::nm {

struct DiskSpace {
  uint64_t total_bytes = 0;
  uint64_t usable_bytes = 0;  // what an unprivileged user may still write (f_bavail)
};

// The filesystem behind the checker; tests inject full or failing disks.
class DiskFs {
 public:
  virtual ~DiskFs() = default;
  // Creates `dir` (and parents) when missing. Error: YARN's "Cannot create directory: <dir>".
  virtual absl::Status EnsureDir(const std::string& dir) = 0;
  // Checks that `dir` is a directory we can read, write (by creating and removing a probe
  // directory) and enter. Error: YARN's "Directory is not writable: <dir>" etc.
  virtual absl::Status CheckReadWrite(const std::string& dir) = 0;
  virtual absl::StatusOr<DiskSpace> Space(const std::string& dir) = 0;
};

// The real filesystem (mkdir, access, statvfs).
class RealDiskFs final : public DiskFs {
 public:
  absl::Status EnsureDir(const std::string& dir) override;
  absl::Status CheckReadWrite(const std::string& dir) override;
  absl::StatusOr<DiskSpace> Space(const std::string& dir) override;
};

struct DiskCheckerOptions {
  bool enabled = true;
  absl::Duration interval = absl::Milliseconds(120000);
  double min_healthy_fraction = 0.25;  // of each list
  double max_utilization_percent = 90.0;
  int64_t min_free_mb = 0;
  std::vector<std::string> local_dirs;
  std::vector<std::string> log_dirs;
};

// Reads yarn.nodemanager.disk-health-checker.{enable,interval-ms,min-healthy-disks,
// max-disk-utilization-per-disk-percentage,min-free-space-per-disk-mb}; dirs are the caller's.
absl::StatusOr<DiskCheckerOptions> ParseDiskCheckerOptions(const conf::Configuration& conf);

// One list's verdict.
struct DirsVerdict {
  std::vector<std::string> good;
  std::map<std::string, std::string> errored;  // dir -> why (cannot create, not writable, ...)
  std::map<std::string, std::string> full;     // dir -> why (threshold)
  size_t total() const { return good.size() + errored.size() + full.size(); }
};

// Checks `dirs` once (pure over `fs`).
DirsVerdict CheckDirs(DiskFs& fs, const std::vector<std::string>& dirs,
                      const DiskCheckerOptions& options);
// YARN's health report for the failed dirs of both lists ("" when every dir is good).
std::string DisksHealthReport(const DirsVerdict& local, const DirsVerdict& log);
// False when either list's good fraction is below options.min_healthy_fraction.
bool DisksHealthy(const DirsVerdict& local, const DirsVerdict& log,
                  const DiskCheckerOptions& options);

// The node's health as YARN's NodeHealthCheckerService combines it: healthy when the script and
// the disks are; the script's report, then the disks' report, joined by ";".
proto::NodeHealthStatusProto CombineHealth(const proto::NodeHealthStatusProto& script,
                                           bool disks_healthy, const std::string& disks_report);

class DiskChecker {
 public:
  DiskChecker(DiskCheckerOptions options, DiskFs& fs);
  ~DiskChecker();  // Stop()s
  DiskChecker(const DiskChecker&) = delete;
  DiskChecker& operator=(const DiskChecker&) = delete;

  // Runs one check at once (so the first heartbeat already knows), then every interval on the
  // checker's thread. Disabled: every dir is good, nothing runs.
  void Start();
  void Stop();
  void CheckOnce();

  bool healthy() const;
  std::string report() const;
  // The good dirs; when none is good, the configured list (new containers then fail with a
  // clear error from their directory creation rather than being silently misplaced).
  std::vector<std::string> GoodLocalDirs() const;
  std::vector<std::string> GoodLogDirs() const;

 private:
  const DiskCheckerOptions options_;
  DiskFs& fs_;
  mutable skein::Mutex mu_;
  bool healthy_ ABSL_GUARDED_BY(mu_) = true;
  std::string report_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> good_local_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> good_log_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_HEALTH_DISK_CHECKER_H_
