// RmCore: administrative changes to applications (move, priority, access checks).
#include "absl/strings/str_cat.h"
#include "resourcemanager/core/rm_core.h"

namespace skein::rm {

absl::Status RmCore::MoveApplication(const ApplicationId& id, const std::string& queue,
                                     const std::string& user) {
  return absl::UnimplementedError(
      absl::StrCat("moving ", id.ToString(), " to queue '", queue, "' is not implemented yet"));
}

absl::StatusOr<int32_t> RmCore::UpdateApplicationPriority(const ApplicationId& id, int32_t priority,
                                                          const std::string& user) {
  return absl::UnimplementedError(
      absl::StrCat("changing the priority of ", id.ToString(), " is not implemented yet"));
}

absl::StatusOr<bool> RmCore::CanModifyApplication(const ApplicationId& id,
                                                  const std::string& user) const {
  if (FindApp(id) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("Application with id '", id.ToString(), "' doesn't exist in RM."));
  }
  return true;
}

}  // namespace skein::rm
