#include "resourcemanager/store/state_store.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

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

absl::StatusOr<std::unique_ptr<RMStateStore>> MakeStateStore(const std::string& class_name) {
  if (class_name == MemoryRMStateStore::kClassName ||
      absl::AsciiStrToLower(class_name) == "memory") {
    return std::make_unique<MemoryRMStateStore>();
  }
  return absl::UnimplementedError(absl::StrCat("yarn.resourcemanager.store.class=", class_name,
                                               " is not available in this Skein build yet; use ",
                                               MemoryRMStateStore::kClassName));
}

}  // namespace skein::rm
