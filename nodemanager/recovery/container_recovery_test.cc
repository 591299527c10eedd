// RecoverContainers with a real process standing in for a container a previous NodeManager left
// running: it is re-attached, handed to the policing hooks again, and when it ends its hooks are
// cleaned up (the cgroup goes); a container that ended while the NodeManager was down is cleaned
// up at once.
#include "nodemanager/recovery/container_recovery.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nodemanager/executor/posix_executor.h"
#include "nodemanager/testing/fake_resource_tracker.h"

namespace skein::nm {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

using testing::WaitUntil;  // bounded: 10 s

// Stands in for NodePolicing (cgroups + monitor): records what it is told.
class RecordingPolicing final : public ContainerHooks {
 public:
  absl::StatusOr<std::vector<std::string>> PrepareLaunch(const ContainerId&,
                                                         const Resource&) override {
    return std::vector<std::string>{};
  }
  void Launched(const ContainerId& id, int pid, const Resource& resource) override {
    std::lock_guard<std::mutex> lock(mu_);
    launched_.push_back(id.ToString());
    launched_pid_ = pid;
    launched_memory_ = resource.memory_mb;
  }
  std::string ExitDiagnostics(const ContainerId&, int) override { return ""; }
  absl::Status Cleanup(const ContainerId& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    // The first cleanup finds a straggler in the group, as CgroupsManager::Remove may.
    if (busy_once_.erase(id.ToString()) > 0) return absl::UnavailableError("still has tasks");
    cleaned_.insert(id.ToString());
    return absl::OkStatus();
  }
  std::vector<std::string> launched() {
    std::lock_guard<std::mutex> lock(mu_);
    return launched_;
  }
  std::set<std::string> cleaned() {
    std::lock_guard<std::mutex> lock(mu_);
    return cleaned_;
  }
  void BusyOnce(const ContainerId& id) {
    std::lock_guard<std::mutex> lock(mu_);
    busy_once_.insert(id.ToString());
  }
  int launched_pid() {
    std::lock_guard<std::mutex> lock(mu_);
    return launched_pid_;
  }
  int64_t launched_memory() {
    std::lock_guard<std::mutex> lock(mu_);
    return launched_memory_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> launched_;
  int launched_pid_ = 0;
  int64_t launched_memory_ = 0;
  std::set<std::string> cleaned_;
  std::set<std::string> busy_once_;
};

TEST(ContainerRecoveryTest, ReattachedContainerIsPolicedAgainAndCleanedUpWhenItEnds) {
  const std::string dir = ::testing::TempDir() + "/nm_recovery_" + std::to_string(getpid());
  fs::remove_all(dir);
  fs::create_directories(dir + "/local");
  fs::create_directories(dir + "/logs");
  auto store = OpenLevelDbStateStore(dir + "/state");
  ASSERT_TRUE(store.ok()) << store.status();

  // The previous NodeManager's container: a process in its own session.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setsid();
    execl("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_TRUE(WaitUntil([&] { return ProcessStartTime(pid) > 0; }));
  const ApplicationAttemptId attempt(ApplicationId(1700, 1), 1);
  ContainerRecord running;
  running.id = ContainerId::Make(attempt, 0, 2);
  running.user = "alice";
  running.resource = Resource(256, 1);
  running.pid = pid;
  running.start_time_ticks = ProcessStartTime(pid);
  running.work_dir = dir + "/local/work";
  running.log_dir = dir + "/logs/c2";
  ContainerRecord ended = running;
  ended.id = ContainerId::Make(attempt, 0, 3);
  ended.pid = 999999999;  // gone
  ASSERT_TRUE((*store)->StoreContainer(running).ok());
  ASSERT_TRUE((*store)->StoreContainer(ended).ok());

  // What the cgroups manager must keep at start.
  EXPECT_EQ(LiveContainerIds(**store), std::set<std::string>{running.id.ToString()});

  EventLoop loop("test-nm-loop");
  loop.Start();
  auto executor = PosixContainerExecutor::Create();
  ASSERT_TRUE(executor.ok()) << executor.status();
  FakeClock clock;
  ContainerManagerOptions cm;
  cm.local_dirs = {dir + "/local"};
  cm.log_dirs = {dir + "/logs"};
  RecordingPolicing policing;
  policing.BusyOnce(running.id);
  {
    ContainerManager manager(cm, loop, **executor, clock);
    ContainerRecorder recorder(**store, manager, dir + "/recovery");
    RecoveryResult result = loop.RunSync([&] {
      return RecoverContainers(**store, manager, recorder, &policing, loop, /*recovery=*/true,
                               dir + "/recovery", absl::Milliseconds(20));
    });
    EXPECT_EQ(result.reattached, 1);
    EXPECT_EQ(result.ended, 1);
    // The running one is monitored again; the ended one's group is removed at once.
    EXPECT_THAT(policing.launched(), ElementsAre(running.id.ToString()));
    EXPECT_EQ(policing.launched_pid(), pid);
    EXPECT_EQ(policing.launched_memory(), 256);
    EXPECT_TRUE(WaitUntil([&] { return policing.cleaned().count(ended.id.ToString()) > 0; }));
    EXPECT_EQ(policing.cleaned().count(running.id.ToString()), 0u);

    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    // Its exit is noticed, its cleanup retried past the busy group, and it completes LOST
    // (no exit code file was written by this stand-in).
    ASSERT_TRUE(WaitUntil([&] { return policing.cleaned().count(running.id.ToString()) > 0; }));
    auto statuses = loop.RunSync([&] { return manager.AllStatuses(); });
    bool found = false;
    for (const proto::ContainerStatusProto& s : statuses) {
      if (ContainerId::FromProto(s.container_id()) != running.id) continue;
      found = true;
      EXPECT_EQ(s.state(), proto::C_COMPLETE);
      EXPECT_EQ(s.exit_status(), kExitStatusLost);
    }
    EXPECT_TRUE(found);
    loop.Stop();
  }
  fs::remove_all(dir);
}

TEST(ContainerRecoveryTest, NothingIsLiveInAnEmptyStore) {
  const std::string dir = ::testing::TempDir() + "/nm_recovery_empty_" + std::to_string(getpid());
  fs::remove_all(dir);
  auto store = OpenLevelDbStateStore(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_THAT(LiveContainerIds(**store), IsEmpty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace skein::nm
