// ZKRMStateStore: the RM's state in ZooKeeper (Hadoop's
// org.apache.hadoop.yarn.server.resourcemanager.recovery.ZKRMStateStore), the store HA
// ResourceManagers share, so the one that becomes active recovers what the other wrote.
//
// Layout, under <yarn.resourcemanager.zk-state-store.parent-path>/ZKRMStateRoot (Hadoop's):
//   EpochNode                             decimal epoch
//   AMRMTokenSecretManagerRoot            RMSecretsProto
//   RM_ZK_FENCING_LOCK                    fencing node (below)
//   RMAppRoot/<applicationId>             ApplicationStateDataProto
//   RMAppRoot/<applicationId>/<attemptId> ApplicationAttemptStateDataProto
//
// Fencing: GetAndIncrementEpoch (the first call of RmCore::Recover, i.e. every activation) claims
// the store: it writes the fencing node and remembers its version. Every later write of this
// instance is one ZooKeeper multi-op that first checks that version, so once another RM claimed
// the store (became active) this instance's writes fail with FAILED_PRECONDITION ("fenced") and
// change nothing. Writes before a claim fail the same way. (Hadoop fences with ACLs on the root;
// a version check gives the same guarantee without ZooKeeper authentication.)
//
// Thread rules: as RMStateStore. Writes run in call order on the store's own thread
// ("rm-zk-store") and call `done` there; the blocking calls run there too.
#ifndef SKEIN_RESOURCEMANAGER_STORE_ZK_STATE_STORE_H_
#define SKEIN_RESOURCEMANAGER_STORE_ZK_STATE_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/conf/configuration.h"
#include "common/event_loop.h"
#include "common/zk/zk_client.h"
#include "resourcemanager/store/state_store.h"

namespace skein::rm {

class ZKRMStateStore final : public RMStateStore {
 public:
  static constexpr char kClassName[] =
      "org.apache.hadoop.yarn.server.resourcemanager.recovery.ZKRMStateStore";

  struct Options {
    std::string connect;                                 // hadoop.zk.address
    absl::Duration session_timeout = absl::Seconds(10);  // hadoop.zk.timeout-ms
    std::string parent_path = "/rmstore";  // yarn.resourcemanager.zk-state-store.parent-path
  };
  // From hadoop.zk.address (or the deprecated yarn.resourcemanager.zk-address),
  // hadoop.zk.timeout-ms and yarn.resourcemanager.zk-state-store.parent-path. Errors name the
  // key: no address, a bad timeout, a parent path that is not absolute.
  static absl::StatusOr<Options> OptionsFrom(const conf::Configuration& conf);
  // Connects (bounded by the session timeout) and creates the root nodes. Errors name the
  // connect string and the root.
  static absl::StatusOr<std::unique_ptr<ZKRMStateStore>> Open(const Options& options);
  ~ZKRMStateStore() override;  // finishes the queued writes, then closes the session

  std::string Name() const override { return kClassName; }
  absl::StatusOr<RMState> Load() override;
  void StoreApplication(const ApplicationId& id, const proto::ApplicationStateDataProto& data,
                        Done done) override;
  void StoreAttempt(const ApplicationAttemptId& id,
                    const proto::ApplicationAttemptStateDataProto& data, Done done) override;
  void RemoveApplication(const ApplicationId& id, Done done) override;
  // Also claims the store for this instance (fencing every earlier claimant).
  absl::StatusOr<int64_t> GetAndIncrementEpoch() override;
  absl::Status StoreSecrets(const proto::RMSecretsProto& secrets) override;

  const std::string& root() const { return root_; }

 private:
  ZKRMStateStore(std::unique_ptr<zk::ZkClient> client, std::string root);
  // Store thread: writes `data` at `path` (creating it when missing) under the fencing check.
  absl::Status FencedPut(const std::string& path, const std::string& data);
  // Store thread: runs `ops` after the fencing check; a lost check is FAILED_PRECONDITION.
  absl::Status FencedMulti(std::vector<zk::ZkOp> ops, const std::string& what);

  std::unique_ptr<zk::ZkClient> zk_;
  const std::string root_;      // <parent>/ZKRMStateRoot
  const std::string app_root_;  // <root>/RMAppRoot
  const std::string fence_;     // <root>/RM_ZK_FENCING_LOCK
  int32_t fence_version_ = -1;  // store thread only; -1: not claimed
  EventLoop thread_;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_STORE_ZK_STATE_STORE_H_
