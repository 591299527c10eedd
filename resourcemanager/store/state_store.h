// RMStateStore: every state change YARN persists goes through here, so a restarted (or, with HA,
// newly active) RM recovers every application. Implementations: memory (tests, recovery off),
// LevelDB (leveldb_state_store.h, the single-node store) and ZooKeeper (HA).
//
// Thread rules: called from the RM loop. The asynchronous writes (Store*/Remove*) return at once
// and are applied in call order; their completion callbacks may run on any thread (a persistent
// store finishes its writes on its own thread), so callers re-post them to their loop. Load,
// GetAndIncrementEpoch and StoreSecrets block: they run once per start or activation, before the
// RM serves, and see every write issued before them.
#ifndef SKEIN_RESOURCEMANAGER_STORE_STATE_STORE_H_
#define SKEIN_RESOURCEMANAGER_STORE_STATE_STORE_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/conf/configuration.h"
#include "common/ids.h"
#include "protos/rm_state.pb.h"

namespace skein::rm {

struct RMState {
  struct App {
    proto::ApplicationStateDataProto app;
    std::map<int32_t, proto::ApplicationAttemptStateDataProto> attempts;  // by attempt number
  };
  std::map<ApplicationId, App> apps;
  // The RM's keys as last stored; empty fields when none were (first start).
  proto::RMSecretsProto secrets;
};

class RMStateStore {
 public:
  using Done = std::function<void(absl::Status)>;
  virtual ~RMStateStore() = default;

  virtual std::string Name() const = 0;  // Hadoop's class name, for /ws/v1/cluster/info
  virtual absl::StatusOr<RMState> Load() = 0;
  // Store (first time) or update the application's record.
  virtual void StoreApplication(const ApplicationId& id,
                                const proto::ApplicationStateDataProto& data, Done done) = 0;
  virtual void StoreAttempt(const ApplicationAttemptId& id,
                            const proto::ApplicationAttemptStateDataProto& data, Done done) = 0;
  // Removes the application and its attempts (nothing to do when it is not stored).
  virtual void RemoveApplication(const ApplicationId& id, Done done) = 0;
  // Hadoop's getAndIncrementEpoch: returns the epoch stored (0 on a fresh store) and stores it
  // plus one, so every start or activation gets a new epoch.
  virtual absl::StatusOr<int64_t> GetAndIncrementEpoch() = 0;
  virtual absl::Status StoreSecrets(const proto::RMSecretsProto& secrets) = 0;
};

// Keeps everything in memory: survives nothing, costs nothing. Callbacks run inline.
class MemoryRMStateStore final : public RMStateStore {
 public:
  static constexpr char kClassName[] =
      "org.apache.hadoop.yarn.server.resourcemanager.recovery.MemoryRMStateStore";
  std::string Name() const override { return kClassName; }
  absl::StatusOr<RMState> Load() override;
  void StoreApplication(const ApplicationId& id, const proto::ApplicationStateDataProto& data,
                        Done done) override;
  void StoreAttempt(const ApplicationAttemptId& id,
                    const proto::ApplicationAttemptStateDataProto& data, Done done) override;
  void RemoveApplication(const ApplicationId& id, Done done) override;
  absl::StatusOr<int64_t> GetAndIncrementEpoch() override;
  absl::Status StoreSecrets(const proto::RMSecretsProto& secrets) override;

 private:
  std::mutex mu_;      // std::mutex so ThreadSanitizer sees it (Debian's Abseil is uninstrumented)
  RMState state_;      // guarded by mu_
  int64_t epoch_ = 0;  // guarded by mu_
};

// The store for the configuration: without yarn.resourcemanager.recovery.enabled, the memory
// store whatever the class (nothing is recovered, nothing touches the disk); otherwise
// yarn.resourcemanager.store.class: "memory" / MemoryRMStateStore, "leveldb" /
// LeveldbRMStateStore (at yarn.resourcemanager.leveldb-state-store.path), "zookeeper" /
// ZKRMStateStore (hadoop.zk.address, zk_state_store.h). Other classes
// (FileSystemRMStateStore, ...) are Unimplemented naming the key, the class and the ones
// available; an unopenable store is an error naming its path.
absl::StatusOr<std::unique_ptr<RMStateStore>> MakeStateStore(const conf::Configuration& conf);

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_STORE_STATE_STORE_H_
