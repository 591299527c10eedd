// NodeManager restart (YARN's work-preserving NM restart, containers only).
//
// * RecordingHooks wraps the policing hooks: every launch is written to the NmStateStore (pid,
//   process start time, user, dirs), and with recovery on the container's exit code goes to
//   <recovery-dir>/exitcodes/<containerId> (as YARN's ContainerLaunch .exitcode file), so a
//   container that ends while no NodeManager watches still has a true exit code. The hooks ask
//   for it with ExitCodeWrapperLine (launch_script.h); the ContainerManager turns that line into
//   the executor's exit-code helper (the process the NM starts runs the command as its child
//   and writes the file: no bash), and keeps the line in the script only for an executor
//   without the helper.
// * ContainerRecorder keeps completions and forgotten containers in step (loop thread).
// * At start, RecoverContainers either (recovery on) re-attaches to the containers still running
//   — same pid AND same process start time — and reports those that ended with their exit code
//   file (or LOST, 154, when there is none), or (recovery off) kills the process groups the
//   previous NodeManager process left running and forgets them.
// * Cgroups of re-attached containers: LiveContainerIds, read before the cgroups manager starts,
//   names the groups its leftover cleanup must keep; a re-attached container is handed to the
//   policing hooks again (Launched: memory monitoring) and their Cleanup (cgroup removal) runs
//   when it ends, as for a container this process launched.
//
// Thread rules: everything here runs on the NM loop thread, except ExitCodeFile and
// LiveContainerIds (any thread; the NodeManager calls the latter before its loop starts).
#ifndef SKEIN_NODEMANAGER_RECOVERY_CONTAINER_RECOVERY_H_
#define SKEIN_NODEMANAGER_RECOVERY_CONTAINER_RECOVERY_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/event_loop.h"
#include "nodemanager/container/container_hooks.h"
#include "nodemanager/container/container_manager.h"
#include "nodemanager/recovery/nm_state_store.h"

namespace skein::nm {

// YARN's ContainerExecutor.ExitCode.LOST: the container ended while the NodeManager was down and
// left no exit code (positive, like the shell-style codes 137 and 143 beside it; it is not one of
// ContainerExitStatus's negative values).
inline constexpr int kExitStatusLost = 154;

std::string ExitCodeFile(const std::string& recovery_dir, const ContainerId& id);

class RecordingHooks final : public ContainerHooks {
 public:
  // `inner` may be null. `on_launched` runs on the loop right after each launch.
  // `recovery_dir` empty: no exit code wrapper.
  RecordingHooks(ContainerHooks* inner, std::string recovery_dir,
                 std::function<void(const ContainerId&, int pid)> on_launched);
  absl::StatusOr<std::vector<std::string>> PrepareLaunch(const ContainerId& id,
                                                         const Resource& resource) override;
  void Launched(const ContainerId& id, int pid, const Resource& resource) override;
  std::string ExitDiagnostics(const ContainerId& id, int pid) override;
  absl::Status Cleanup(const ContainerId& id) override;

 private:
  ContainerHooks* const inner_;
  const std::string recovery_dir_;
  std::function<void(const ContainerId&, int)> on_launched_;
};

class ContainerRecorder {
 public:
  ContainerRecorder(NmStateStore& store, ContainerManager& manager, std::string recovery_dir);
  // A container's process started: store its record.
  void Launched(const ContainerId& id, int pid);
  // Stores completions and removes containers the manager has forgotten. Call after
  // completions and heartbeats.
  void Sync();
  // Recovered containers are watched too (see RecoverContainers).
  void Track(const ContainerId& id) { stored_.insert(id); }

 private:
  void Log(const absl::Status& s);

  NmStateStore& store_;
  ContainerManager& manager_;
  const std::string recovery_dir_;
  std::set<ContainerId> stored_;     // records written, not yet removed
  std::set<ContainerId> completed_;  // completion written
  std::map<ContainerId, ContainerRecord> records_;
};

struct RecoveryResult {
  int reattached = 0;  // still running, adopted
  int ended = 0;       // ended while the NodeManager was down
  int killed = 0;      // recovery off: leftover process groups killed
};

// Reads the store and acts on it (see the header comment). With recovery on, adopted running
// containers are polled every `poll` on `loop` and completed through the manager when their
// process ends.
// `hooks` (the policing hooks, may be null) learn of re-attached containers and clean up after
// them.
RecoveryResult RecoverContainers(NmStateStore& store, ContainerManager& manager,
                                 ContainerRecorder& recorder, ContainerHooks* hooks,
                                 EventLoop& loop, bool recovery, const std::string& recovery_dir,
                                 absl::Duration poll = absl::Milliseconds(200));

// The ids of the recorded containers whose process still runs (same pid and start time): with
// recovery on, the ones RecoverContainers will re-attach to. Errors are logged (empty result).
std::set<std::string> LiveContainerIds(NmStateStore& store);

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_RECOVERY_CONTAINER_RECOVERY_H_
