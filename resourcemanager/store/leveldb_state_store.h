// LeveldbRMStateStore: the RM's state in an embedded LevelDB (Hadoop's
// org.apache.hadoop.yarn.server.resourcemanager.recovery.LeveldbRMStateStore), the store for a
// single ResourceManager with yarn.resourcemanager.recovery.enabled.
//
// Layout (one key per record, values are the protos of protos/rm_state.proto):
//   RMVersionNode                         the layout version ("1"); a newer one is refused
//   EpochNode                             decimal epoch
//   AMRMTokenSecretManagerRoot            RMSecretsProto
//   RMAppRoot/<applicationId>             ApplicationStateDataProto
//   RMAppRoot/<applicationId>/<attemptId> ApplicationAttemptStateDataProto
//
// Thread rules: as RMStateStore. Writes run on the store's own thread ("rm-store"), in call
// order, and call `done` there; the blocking calls run on that thread too (so they see every
// earlier write) and wait for it.
#ifndef SKEIN_RESOURCEMANAGER_STORE_LEVELDB_STATE_STORE_H_
#define SKEIN_RESOURCEMANAGER_STORE_LEVELDB_STATE_STORE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/event_loop.h"
#include "resourcemanager/store/state_store.h"

namespace leveldb {
class DB;
}  // namespace leveldb

namespace skein::rm {

class LeveldbRMStateStore final : public RMStateStore {
 public:
  static constexpr char kClassName[] =
      "org.apache.hadoop.yarn.server.resourcemanager.recovery.LeveldbRMStateStore";
  static constexpr char kPathKey[] = "yarn.resourcemanager.leveldb-state-store.path";

  // Opens (creating) the database in directory `path`. Errors name `path` and the key: an
  // empty path, a directory that cannot be created, a database LevelDB cannot open (corrupt,
  // locked by another RM, not a database) or one written by a newer layout.
  static absl::StatusOr<std::unique_ptr<LeveldbRMStateStore>> Open(const std::string& path);
  ~LeveldbRMStateStore() override;  // finishes the queued writes, then closes

  std::string Name() const override { return kClassName; }
  // Every application with its attempts and the secrets. A record that does not parse is
  // DataLoss naming its key and the path.
  absl::StatusOr<RMState> Load() override;
  void StoreApplication(const ApplicationId& id, const proto::ApplicationStateDataProto& data,
                        Done done) override;
  void StoreAttempt(const ApplicationAttemptId& id,
                    const proto::ApplicationAttemptStateDataProto& data, Done done) override;
  void RemoveApplication(const ApplicationId& id, Done done) override;
  absl::StatusOr<int64_t> GetAndIncrementEpoch() override;
  absl::Status StoreSecrets(const proto::RMSecretsProto& secrets) override;

 private:
  LeveldbRMStateStore(std::unique_ptr<leveldb::DB> db, std::string path);
  // Writes `value` under `key` on the store thread, then calls `done` there.
  void Write(std::string key, std::string value, Done done);

  std::unique_ptr<leveldb::DB> db_;  // used on thread_ only
  const std::string path_;
  EventLoop thread_;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_STORE_LEVELDB_STATE_STORE_H_
