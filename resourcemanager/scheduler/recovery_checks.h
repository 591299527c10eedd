// Argument checks shared by the schedulers' RecoverContainer / UpdateNodeResource (scheduler.h),
// so the three policies answer the same bad input with the same error.
//
// Thread rules: pure functions; any thread.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_RECOVERY_CHECKS_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_RECOVERY_CHECKS_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "resourcemanager/scheduler/scheduler.h"

namespace skein::rm {

// Container numbers index a per-attempt array in the Capacity and Fair schedulers: a recovered
// number above this (no attempt runs that many containers) is refused rather than allocating
// gigabytes for it.
inline constexpr int64_t kMaxRecoveredSequence = int64_t{1} << 24;

// The checks every policy makes before accounting a recovered container: the attempt and the
// node are known, the container belongs to the attempt, its number is in range and its resource
// is not negative.
inline absl::Status CheckRecoverable(const ApplicationAttemptId& attempt, bool attempt_known,
                                     bool node_known, const Allocation& container) {
  const ContainerId& id = container.container_id;
  if (!attempt_known) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot recover container ", id.ToString(), ": ", attempt.ToString(), " is not scheduled"));
  }
  if (!node_known) {
    return absl::FailedPreconditionError(absl::StrCat("cannot recover container ", id.ToString(),
                                                      ": node ", container.node.ToString(),
                                                      " is not registered"));
  }
  if (!(id.application_attempt_id() == attempt)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot recover container ", id.ToString(),
                                                   " for ", attempt.ToString(),
                                                   ": it belongs to another attempt"));
  }
  if (id.sequence() < 1 || id.sequence() > kMaxRecoveredSequence) {
    return absl::InvalidArgumentError(absl::StrCat("cannot recover container ", id.ToString(),
                                                   ": container number ", id.sequence(),
                                                   " is outside [1, ", kMaxRecoveredSequence, "]"));
  }
  if (container.resource.memory_mb < 0 || container.resource.vcores < 0) {
    return absl::InvalidArgumentError(absl::StrCat("cannot recover container ", id.ToString(),
                                                   ": negative resource ",
                                                   container.resource.ToString()));
  }
  return absl::OkStatus();
}

// The container (or another with its number in this attempt) is already accounted.
inline absl::Status RecoveredTwiceError(const ContainerId& id) {
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot recover container ", id.ToString(), ": its container number ", id.sequence(),
      " is already known to the scheduler for ", id.application_attempt_id().ToString()));
}

// For a scheduler that finds an attempt's containers through an array indexed by container
// number - 1 (-1: none): refuses a number already in use, else moves `next_container` past it so
// the number (and every lower one) is never handed out again.
inline absl::Status ClaimRecoveredNumber(const std::vector<int32_t>& slot_by_number,
                                         int64_t& next_container, const ContainerId& id) {
  const int64_t number = id.sequence();
  if (number <= static_cast<int64_t>(slot_by_number.size()) && slot_by_number[number - 1] >= 0) {
    return RecoveredTwiceError(id);
  }
  next_container = std::max(next_container, number + 1);
  return absl::OkStatus();
}

inline absl::Status UnknownNodeError(const NodeId& node) {
  return absl::NotFoundError(absl::StrCat("cannot update the resource of node ", node.ToString(),
                                          ": it is not registered"));
}

// A node's total must not be negative in any type.
inline absl::Status CheckNodeTotal(const NodeId& node, const Resource& total) {
  if (total.memory_mb < 0 || total.vcores < 0) {
    return absl::InvalidArgumentError(absl::StrCat("cannot set the resource of node ",
                                                   node.ToString(), " to ", total.ToString(),
                                                   ": negative values"));
  }
  return absl::OkStatus();
}

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_RECOVERY_CHECKS_H_
