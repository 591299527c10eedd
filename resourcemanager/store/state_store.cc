#include "resourcemanager/store/state_store.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "resourcemanager/store/leveldb_state_store.h"
#include "resourcemanager/store/zk_state_store.h"

namespace skein::rm {

absl::StatusOr<RMState> MemoryRMStateStore::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

void MemoryRMStateStore::StoreApplication(const ApplicationId& id,
                                          const proto::ApplicationStateDataProto& data, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_.apps[id].app = data;
  }
  done(absl::OkStatus());
}

void MemoryRMStateStore::StoreAttempt(const ApplicationAttemptId& id,
                                      const proto::ApplicationAttemptStateDataProto& data,
                                      Done done) {
  absl::Status status = absl::OkStatus();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = state_.apps.find(id.application_id());
    if (it == state_.apps.end()) {
      status = absl::FailedPreconditionError(
          absl::StrCat("cannot store ", id.ToString(), ": its application is not stored"));
    } else {
      it->second.attempts[id.attempt_id()] = data;
    }
  }
  done(status);
}

void MemoryRMStateStore::RemoveApplication(const ApplicationId& id, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_.apps.erase(id);
  }
  done(absl::OkStatus());
}

absl::StatusOr<int64_t> MemoryRMStateStore::GetAndIncrementEpoch() {
  std::lock_guard<std::mutex> lock(mu_);
  return epoch_++;
}

absl::Status MemoryRMStateStore::StoreSecrets(const proto::RMSecretsProto& secrets) {
  std::lock_guard<std::mutex> lock(mu_);
  state_.secrets = secrets;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<RMStateStore>> MakeStateStore(const conf::Configuration& conf) {
  auto recovery = conf.GetBool("yarn.resourcemanager.recovery.enabled", false);
  if (!recovery.ok()) return recovery.status();
  const std::string class_name =
      conf.Get("yarn.resourcemanager.store.class", LeveldbRMStateStore::kClassName);
  const std::string lower = absl::AsciiStrToLower(class_name);
  if (!*recovery || class_name == MemoryRMStateStore::kClassName || lower == "memory") {
    return std::make_unique<MemoryRMStateStore>();
  }
  if (class_name == LeveldbRMStateStore::kClassName || lower == "leveldb") {
    const std::string path = conf.Get(LeveldbRMStateStore::kPathKey, "");
    auto store = LeveldbRMStateStore::Open(path);
    if (!store.ok()) return store.status();
    return std::unique_ptr<RMStateStore>(std::move(*store));
  }
  if (class_name == ZKRMStateStore::kClassName || lower == "zookeeper" || lower == "zk") {
    auto options = ZKRMStateStore::OptionsFrom(conf);
    if (!options.ok()) return options.status();
    auto store = ZKRMStateStore::Open(*options);
    if (!store.ok()) return store.status();
    return std::unique_ptr<RMStateStore>(std::move(*store));
  }
  return absl::UnimplementedError(absl::StrCat(
      "yarn.resourcemanager.store.class=", class_name,
      " is not available in this Skein build; use ", LeveldbRMStateStore::kClassName,
      " (single RM), ", ZKRMStateStore::kClassName, " (HA) or ", MemoryRMStateStore::kClassName));
}

}  // namespace skein::rm
