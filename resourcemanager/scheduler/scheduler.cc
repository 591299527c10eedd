#include "resourcemanager/scheduler/scheduler.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "resourcemanager/scheduler/capacity/capacity_scheduler.h"
#include "resourcemanager/scheduler/fair/fair_scheduler.h"
#include "resourcemanager/scheduler/fifo/fifo_scheduler.h"

namespace skein::rm {

absl::Status Scheduler::Reinitialize(const conf::Configuration&) {
  return absl::UnimplementedError(
      absl::StrCat(ClassName(), " has no reloadable queue configuration (-refreshQueues)"));
}

absl::StatusOr<std::string> Scheduler::MoveAttempt(const ApplicationAttemptId&,
                                                   const std::string& queue) {
  return absl::UnimplementedError(
      absl::StrCat(ClassName(), " does not support moving applications (to queue '", queue, "')"));
}

absl::StatusOr<int32_t> Scheduler::UpdateAttemptPriority(const ApplicationAttemptId&, int32_t) {
  return absl::UnimplementedError(
      absl::StrCat(ClassName(), " does not support changing application priorities"));
}

absl::Status Scheduler::RecoverContainer(const ApplicationAttemptId& attempt,
                                         const Allocation& container, bool) {
  return absl::UnimplementedError(absl::StrCat(ClassName(), " cannot recover running container ",
                                               container.container_id.ToString(), " of ",
                                               attempt.ToString()));
}

absl::Status Scheduler::UpdateNodeResource(const NodeId& node, const Resource&) {
  return absl::UnimplementedError(
      absl::StrCat(ClassName(), " cannot change the resource of node ", node.ToString()));
}

absl::StatusOr<std::unique_ptr<Scheduler>> MakeScheduler(const std::string& class_name,
                                                         const SchedulerOptions& options) {
  std::string lower = absl::AsciiStrToLower(class_name);
  if (class_name == FifoScheduler::kClassName || lower == "fifo") {
    return std::make_unique<FifoScheduler>(options);
  }
  if (class_name == CapacityScheduler::kClassName || lower == "capacity") {
    auto sched = CapacityScheduler::Create(options);
    if (!sched.ok()) return sched.status();
    return std::unique_ptr<Scheduler>(std::move(*sched));
  }
  if (class_name == FairScheduler::kClassName || absl::EndsWith(class_name, ".FairScheduler") ||
      lower == "fair") {
    auto sched = FairScheduler::Create(options);
    if (!sched.ok()) return sched.status();
    return std::unique_ptr<Scheduler>(std::move(*sched));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "yarn.resourcemanager.scheduler.class=", class_name,
      " is not a known scheduler; expected fifo, capacity, fair or Hadoop's class names"));
}

}  // namespace skein::rm
