// The default ContainerExecutor: posix_spawn(/bin/bash script) with POSIX_SPAWN_SETSID, stdin from
// /dev/null, the script's own stdout/stderr to prelaunch.out / prelaunch.err in the container log
// dir, and no inherited descriptors beyond those. A reaper thread learns exits through pidfds
// (pidfd_open + poll + waitid(P_PIDFD)), so it reaps only its own children and never races other
// executors or other children of the process (`yarn minicluster` runs several NMs in one process).
//
// Thread rules: every method may be called from any thread. Exit callbacks run on the reaper
// thread. The destructor stops the reaper; processes still running are left alone (the
// NodeManager stops its containers first).
#ifndef SKEIN_NODEMANAGER_EXECUTOR_POSIX_EXECUTOR_H_
#define SKEIN_NODEMANAGER_EXECUTOR_POSIX_EXECUTOR_H_

#include <thread>
#include <vector>

#include "common/sync.h"
#include "nodemanager/executor/container_executor.h"

namespace skein::nm {

class PosixContainerExecutor final : public ContainerExecutor {
 public:
  // Fails when the reaper's wake-up eventfd cannot be created.
  static absl::StatusOr<std::unique_ptr<PosixContainerExecutor>> Create();
  ~PosixContainerExecutor() override;

  absl::StatusOr<int> Launch(const LaunchSpec& spec, ExitCallback on_exit) override;
  absl::Status SignalGroup(int pgid, int sig) override;
  bool GroupAlive(int pgid) override;

 private:
  struct Watch {
    int pid;
    int pidfd;
    ExitCallback on_exit;
  };
  explicit PosixContainerExecutor(int wake_fd);
  void Wake();
  void ReaperLoop();

  const int wake_fd_;
  skein::Mutex mu_;
  std::vector<Watch> pending_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread reaper_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_EXECUTOR_POSIX_EXECUTOR_H_
