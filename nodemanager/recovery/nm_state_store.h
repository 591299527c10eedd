// What the NodeManager remembers across restarts (YARN's NMLeveldbStateStoreService, reduced):
// each container's launch (id, user, resource, pid, the process's start time, work and log dirs,
// token identifier) and its completion; with recovery on, also the log work still to do
// (logs::LogRecoveryStore: pending local-log deletions with their time, applications finished
// but not yet aggregated) and the localized-resource cache (LocalizedResourceStore). An embedded
// LevelDB under yarn.nodemanager.recovery.dir.
//
// With yarn.nodemanager.recovery.enabled a restarted NodeManager re-attaches to the containers
// still running and reports the true exit codes of those that ended while it was down; without
// it, the record tells the restarted NodeManager which leftover process groups to kill.
//
// Thread rules: implementations are thread-safe (LevelDB is); calls block on disk (a few
// microseconds per write with LevelDB's log, no fsync).
#ifndef SKEIN_NODEMANAGER_RECOVERY_NM_STATE_STORE_H_
#define SKEIN_NODEMANAGER_RECOVERY_NM_STATE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/ids.h"
#include "common/resource.h"
#include "nodemanager/localizer/resource_localizer.h"
#include "nodemanager/logaggregation/log_aggregation_service.h"

namespace skein::nm {

struct ContainerRecord {
  ContainerId id;
  std::string user;
  Resource resource;
  int pid = 0;                   // process group leader
  int64_t start_time_ticks = 0;  // /proc/<pid>/stat field 22: tells a reused pid apart
  std::string work_dir;
  std::string log_dir;
  std::string token_identifier;  // serialized ContainerTokenIdentifierProto ("" if unknown)
  bool completed = false;
  int exit_status = 0;  // valid when completed
  std::string diagnostics;
};

// Field encoding of a record (length-prefixed, so any bytes survive). Exposed for tests.
std::string EncodeContainerRecord(const ContainerRecord& r);
absl::StatusOr<ContainerRecord> DecodeContainerRecord(const std::string& bytes);

class NmStateStore : public logs::LogRecoveryStore, public LocalizedResourceStore {
 public:
  virtual ~NmStateStore() = default;
  // Writes (or overwrites) the record of `r.id`.
  virtual absl::Status StoreContainer(const ContainerRecord& r) = 0;
  virtual absl::Status RemoveContainer(const ContainerId& id) = 0;
  virtual absl::StatusOr<std::vector<ContainerRecord>> LoadContainers() = 0;
};

// Opens (creating) the LevelDB under `dir`. Errors name the directory and LevelDB's reason
// (e.g. another NodeManager holds the lock).
absl::StatusOr<std::unique_ptr<NmStateStore>> OpenLevelDbStateStore(const std::string& dir);

// The start time of process `pid` in clock ticks since boot, or 0 when it does not exist.
int64_t ProcessStartTime(int pid);

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_RECOVERY_NM_STATE_STORE_H_
