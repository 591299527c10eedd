// RMStateStore: every state change YARN persists goes through here, so recovery and HA plug in
// without reshaping the RM. Implementations: memory (now); LevelDB and ZooKeeper later.
//
// Thread rules: called from the RM loop. Completion callbacks may run on any thread (a
// persistent store finishes its writes elsewhere); callers re-post them to their loop.
#ifndef SKEIN_RESOURCEMANAGER_STORE_STATE_STORE_H_
#define SKEIN_RESOURCEMANAGER_STORE_STATE_STORE_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/ids.h"
#include "protos/rm_state.pb.h"

namespace skein::rm {

struct RMState {
  struct App {
    proto::ApplicationStateDataProto app;
    std::map<int32_t, proto::ApplicationAttemptStateDataProto> attempts;  // by attempt number
  };
  std::map<ApplicationId, App> apps;
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
  virtual void RemoveApplication(const ApplicationId& id, Done done) = 0;
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

 private:
  std::mutex mu_;  // std::mutex so ThreadSanitizer sees it (Debian's Abseil is uninstrumented)
  RMState state_;  // guarded by mu_
};

// "memory" or Hadoop's MemoryRMStateStore class name; other stores are not built yet.
absl::StatusOr<std::unique_ptr<RMStateStore>> MakeStateStore(const std::string& class_name);

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_STORE_STATE_STORE_H_
