// One container's lifecycle on the NodeManager, as YARN's ContainerImpl (reduced):
//
//   NEW -> LOCALIZING -> LOCALIZED -> RUNNING -> EXITED_WITH_SUCCESS | EXITED_WITH_FAILURE -> DONE
//                  \-> LOCALIZATION_FAILED -> DONE  \-> KILLING -> CONTAINER_CLEANEDUP_AFTER_KILL
//                                                                    -> DONE
// A kill before the process runs goes straight to DONE. Pure logic: no processes, no files, no
// clock; the ContainerManager performs the side effects and feeds events in. Not thread-safe: the
// NodeManager's loop thread owns every Container.
#ifndef SKEIN_NODEMANAGER_CONTAINER_CONTAINER_H_
#define SKEIN_NODEMANAGER_CONTAINER_CONTAINER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "common/ids.h"
#include "common/resource.h"
#include "protos/records.pb.h"

namespace skein::nm {

enum class NmContainerState {
  kNew,
  kLocalizing,
  kLocalized,
  kRunning,
  kExitedWithSuccess,
  kExitedWithFailure,
  kKilling,
  kCleanedUpAfterKill,
  kDone,
  kLocalizationFailed,
};

// YARN's NM state names ("NEW", "CONTAINER_CLEANEDUP_AFTER_KILL", ...).
absl::string_view NmContainerStateName(NmContainerState s);

// A process's wait status as YARN reports it: the exit code for a normal exit, 128 + N for death
// by signal N (SIGTERM -> 143, SIGKILL -> 137).
struct ProcessExit {
  bool signaled = false;
  int code = 0;  // exit code, or the signal number when `signaled`
};
int ExitStatusOf(const ProcessExit& e);

// Exit status for a container that could not be launched (spawn failed).
inline constexpr int kLaunchFailedExitStatus = -1;

class Container {
 public:
  Container(ContainerId id, std::string user, Resource resource)
      : id_(id), user_(std::move(user)), resource_(std::move(resource)) {}

  const ContainerId& id() const { return id_; }
  const std::string& user() const { return user_; }
  const Resource& resource() const { return resource_; }
  NmContainerState state() const { return state_; }
  int exit_status() const { return exit_status_; }
  const std::string& diagnostics() const { return diagnostics_; }
  // True once the container reached a final state (C_COMPLETE for the RM).
  bool completed() const;
  // True while a process may be alive (RUNNING or KILLING).
  bool process_running() const {
    return state_ == NmContainerState::kRunning || state_ == NmContainerState::kKilling;
  }
  bool kill_requested() const { return kill_requested_; }

  // Events. Each returns false (and changes nothing) when it does not apply in the current state.
  bool StartLocalizing();
  bool Localized();
  bool LocalizationFailed(absl::string_view why);
  bool Launched();
  bool LaunchFailed(absl::string_view why);
  // A kill with the exit status and diagnostics the container completes with (-105, -106, ...).
  // Only the first kill counts. Returns true when the caller must signal the process (RUNNING),
  // false otherwise (a container that never ran is DONE at once; a completed one is unchanged).
  bool Kill(int exit_status, absl::string_view diagnostics);
  // The process ended; `stderr_tail` is the end of its stderr, used for failure diagnostics.
  bool ProcessExited(const ProcessExit& exit, absl::string_view stderr_tail);
  // Puts `text` (and a newline) before the current diagnostics, e.g. why the kernel killed it.
  void PrependDiagnostics(absl::string_view text);
  // Cleanup after exit is finished: EXITED_* / CLEANEDUP -> DONE.
  bool Finish();

  // What the RM / AM sees.
  proto::ContainerStatusProto ToStatus() const;

 private:
  ContainerId id_;
  std::string user_;
  Resource resource_;
  NmContainerState state_ = NmContainerState::kNew;
  int exit_status_ = proto::INVALID;
  std::string diagnostics_;
  bool kill_requested_ = false;
  int kill_exit_status_ = proto::INVALID;
  std::string kill_diagnostics_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_CONTAINER_CONTAINER_H_
