// The default ContainerExecutor. A child is started the way posix_spawn does it (clone with
// CLONE_VM | CLONE_VFORK on a small stack of its own, all signals blocked around it), so the cost
// does not grow with the NodeManager's memory; in the child, before exec, only raw system calls:
// signal dispositions back to default, a new session (setsid), the working directory (direct
// launches), stdin from /dev/null, stdout/stderr to prelaunch.out / prelaunch.err in the container
// log dir and then the command's own redirections, the join_files written with its pid (its
// cgroups: so nothing of the container runs outside them), every other descriptor closed, then
// execve: `/bin/bash launch_container.sh`, or the program itself for a direct launch. A failure
// of any step is reported by Launch with the path or step that failed and errno's text. A reaper
// thread learns exits through pidfds (pidfd_open + epoll + waitid(P_PIDFD)), so it reaps only its
// own children and never races other executors or other children of the process (`yarn
// minicluster` runs several NMs in one process).
//
// With LaunchSpec::exit_code_file the child execs the exit-code helper (`skein-exitcode-helper`,
// found beside the running binary or in ../bin from it) with the command as its arguments, so
// recording the exit code costs one small exec rather than a bash.
//
// Thread rules: every method may be called from any thread. Exit callbacks run on the reaper
// thread. The destructor stops the reaper; processes still running are left alone (the
// NodeManager stops its containers first).
#ifndef SKEIN_NODEMANAGER_EXECUTOR_POSIX_EXECUTOR_H_
#define SKEIN_NODEMANAGER_EXECUTOR_POSIX_EXECUTOR_H_

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/sync.h"
#include "nodemanager/executor/container_executor.h"

namespace skein::nm {

class PosixContainerExecutor final : public ContainerExecutor {
 public:
  // Fails when the reaper's wake-up eventfd cannot be created. `exit_code_helper`: the helper's
  // path, "" for none (exit code files are then not written by Launch); by default
  // FindExitCodeHelper().
  static absl::StatusOr<std::unique_ptr<PosixContainerExecutor>> Create(
      std::optional<std::string> exit_code_helper = std::nullopt);
  ~PosixContainerExecutor() override;

  absl::StatusOr<int> Launch(const LaunchSpec& spec, ExitCallback on_exit) override;
  absl::Status SignalGroup(int pgid, int sig) override;
  bool GroupAlive(int pgid) override;
  bool WritesExitCodeFiles() const override { return !exit_code_helper_.empty(); }

  // `skein-exitcode-helper` in the running binary's directory, else in ../bin from it (where a
  // test binary in build/tests finds build/bin's), if executable; else "".
  static std::string FindExitCodeHelper();

 private:
  struct Watch {
    int pid;
    int pidfd;
    ExitCallback on_exit;
  };
  PosixContainerExecutor(int wake_fd, int epoll_fd, std::string exit_code_helper);
  void Wake();
  void ReaperLoop();

  const std::string exit_code_helper_;  // "" = none
  const int wake_fd_;
  // The reaper waits on this epoll set: Launch adds each child's pidfd to it directly, so a launch
  // does not have to wake the reaper thread (one context switch less on the launch path).
  const int epoll_fd_;
  skein::Mutex mu_;
  absl::flat_hash_map<int, Watch> watches_ ABSL_GUARDED_BY(mu_);  // by pidfd
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread reaper_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_EXECUTOR_POSIX_EXECUTOR_H_
