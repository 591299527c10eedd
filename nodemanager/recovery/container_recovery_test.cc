// RecoverContainers with a real process standing in for a container a previous NodeManager left
// running: it is re-attached, handed to the policing hooks again, and when it ends its hooks are
// cleaned up (the cgroup goes); a container that ended while the NodeManager was down is cleaned
// up at once.
#include "nodemanager/recovery/container_recovery.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
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

// A fresh NodeManager layout: local, log and recovery dirs under a temporary dir, a LevelDB
// state store, a running loop and a real executor; the tests build the manager themselves.
class ContainerRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/nm_recovery_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/local");
    fs::create_directories(dir_ + "/logs");
    fs::create_directories(dir_ + "/recovery/exitcodes");
    auto store = OpenLevelDbStateStore(dir_ + "/state");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto executor = PosixContainerExecutor::Create();
    ASSERT_TRUE(executor.ok()) << executor.status();
    executor_ = *std::move(executor);
    options_.local_dirs = {dir_ + "/local"};
    options_.log_dirs = {dir_ + "/logs"};
    loop_.Start();
  }
  void TearDown() override {
    loop_.Stop();
    executor_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  std::string recovery_dir() const { return dir_ + "/recovery"; }

  std::string dir_;
  std::unique_ptr<NmStateStore> store_;
  std::unique_ptr<PosixContainerExecutor> executor_;
  ContainerManagerOptions options_;
  EventLoop loop_{"test-nm-loop"};
  FakeClock clock_;
};

TEST_F(ContainerRecoveryTest, ReattachedContainerIsPolicedAgainAndCleanedUpWhenItEnds) {
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
  running.work_dir = dir_ + "/local/work";
  running.log_dir = dir_ + "/logs/c2";
  ContainerRecord ended = running;
  ended.id = ContainerId::Make(attempt, 0, 3);
  ended.pid = 999999999;  // gone
  ASSERT_TRUE(store_->StoreContainer(running).ok());
  ASSERT_TRUE(store_->StoreContainer(ended).ok());

  // What the cgroups manager must keep at start.
  EXPECT_EQ(LiveContainerIds(*store_), std::set<std::string>{running.id.ToString()});

  RecordingPolicing policing;
  policing.BusyOnce(running.id);
  {
    ContainerManager manager(options_, loop_, *executor_, clock_);
    ContainerRecorder recorder(*store_, manager, recovery_dir());
    RecoveryResult result = loop_.RunSync([&] {
      return RecoverContainers(*store_, manager, recorder, &policing, loop_, /*recovery=*/true,
                               recovery_dir(), absl::Milliseconds(20));
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
    auto statuses = loop_.RunSync([&] { return manager.AllStatuses(); });
    bool found = false;
    for (const proto::ContainerStatusProto& s : statuses) {
      if (ContainerId::FromProto(s.container_id()) != running.id) continue;
      found = true;
      EXPECT_EQ(s.state(), proto::C_COMPLETE);
      // Hadoop: ContainerExecutor.ExitCode.LOST (hadoop-yarn-server-nodemanager,
      // ContainerExecutor.java) is 154.
      EXPECT_EQ(s.exit_status(), 154);
    }
    EXPECT_TRUE(found);
    loop_.Stop();
  }
}

// Recording a launch looks up the launched container alone: it stores the right record, and its
// cost does not grow with the number of other containers (it used to copy every container's
// view and status per launch).
TEST_F(ContainerRecoveryTest, RecordingALaunchCostsTheSameWithManyContainers) {
  {
    ContainerManager manager(options_, loop_, *executor_, clock_);
    ContainerRecorder recorder(*store_, manager, "");
    const ApplicationAttemptId attempt(ApplicationId(1700, 2), 1);
    auto adopt = [&](int from, int to) {
      loop_.RunSync([&] {
        for (int i = from; i < to; ++i) {
          manager.AdoptRunning(ContainerId::Make(attempt, 0, i), "bob", Resource(512, 2), getpid(),
                               dir_ + "/local/w" + std::to_string(i),
                               dir_ + "/logs/l" + std::to_string(i));
        }
      });
    };
    constexpr int kRecorded = 200;
    // The fastest of 40 batches of 10 launches each (the minimum filters out a loaded machine);
    // every batch records ids 1..kRecorded in turn.
    auto time_launches = [&] {
      auto best = std::chrono::steady_clock::duration::max();
      for (int batch = 0; batch < 40; ++batch) {
        const int first = 1 + (batch * 10) % kRecorded;
        const auto start = std::chrono::steady_clock::now();
        loop_.RunSync([&] {
          for (int i = first; i < first + 10; ++i) {
            recorder.Launched(ContainerId::Make(attempt, 0, i), getpid());
          }
        });
        best = std::min(best, std::chrono::steady_clock::now() - start);
      }
      return best;
    };
    adopt(1, kRecorded + 1);
    const auto few = time_launches();
    adopt(kRecorded + 1, 20000);
    const auto many = time_launches();
    // Walking 20,000 containers per launch made this about 100 times slower.
    EXPECT_LT(many, few * 5) << "few: " << std::chrono::duration<double>(few).count()
                             << " s, many: " << std::chrono::duration<double>(many).count() << " s";

    auto records = store_->LoadContainers();
    ASSERT_TRUE(records.ok()) << records.status();
    ASSERT_EQ(records->size(), static_cast<size_t>(kRecorded));
    const ContainerRecord* seven = nullptr;
    for (const ContainerRecord& r : *records) {
      if (r.id == ContainerId::Make(attempt, 0, 7)) seven = &r;
    }
    ASSERT_NE(seven, nullptr);
    EXPECT_EQ(seven->user, "bob");
    EXPECT_EQ(seven->resource.memory_mb, 512);
    EXPECT_EQ(seven->resource.vcores, 2);
    EXPECT_EQ(seven->pid, getpid());
    EXPECT_EQ(seven->start_time_ticks, ProcessStartTime(getpid()));
    EXPECT_EQ(seven->work_dir, dir_ + "/local/w7");
    EXPECT_EQ(seven->log_dir, dir_ + "/logs/l7");
    // An unknown container leaves no record.
    loop_.RunSync([&] { recorder.Launched(ContainerId::Make(attempt, 0, 99999), getpid()); });
    EXPECT_EQ(store_->LoadContainers()->size(), static_cast<size_t>(kRecorded));
    loop_.Stop();
  }
}

// Starts `skein-exitcode-helper <code_file> /bin/sh sh -c <script>` in its own session, as the
// NodeManager would (the helper is the container's process).
pid_t StartUnderHelper(const std::string& code_file, const std::string& script) {
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    execl(SKEIN_BIN_DIR "/skein-exitcode-helper", "skein-exitcode-helper", code_file.c_str(),
          "/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// A restarted NodeManager learns the true exit code of containers run under the exit-code
// helper: one that ended while no NodeManager was up, and one that ends after the re-attach.
TEST_F(ContainerRecoveryTest, ExitCodesWrittenByTheHelperAreRecovered) {
  const ApplicationAttemptId attempt(ApplicationId(1700, 3), 1);
  const ContainerId ended_id = ContainerId::Make(attempt, 0, 2);
  const ContainerId running_id = ContainerId::Make(attempt, 0, 3);
  const std::string stop = dir_ + "/stop";

  auto record = [&](const ContainerId& id, pid_t pid) {
    ContainerRecord r;
    r.id = id;
    r.user = "carol";
    r.resource = Resource(128, 1);
    r.pid = pid;
    r.start_time_ticks = ProcessStartTime(pid);
    r.work_dir = dir_ + "/local/" + id.ToString();
    r.log_dir = dir_ + "/logs/" + id.ToString();
    return r;
  };
  // The previous NodeManager's two containers, both running when it died.
  const pid_t ended_pid =
      StartUnderHelper(ExitCodeFile(recovery_dir(), ended_id), "sleep 0.2; exit 42");
  const pid_t running_pid =
      StartUnderHelper(ExitCodeFile(recovery_dir(), running_id), "while [ ! -e " + stop +
                                                                     " ]; do sleep 0.05; done; "
                                                                     "exit 6");
  ASSERT_GT(ended_pid, 0);
  ASSERT_GT(running_pid, 0);
  ASSERT_TRUE(WaitUntil([&] { return ProcessStartTime(ended_pid) > 0; }));
  ASSERT_TRUE(WaitUntil([&] { return ProcessStartTime(running_pid) > 0; }));
  ASSERT_TRUE(store_->StoreContainer(record(ended_id, ended_pid)).ok());
  ASSERT_TRUE(store_->StoreContainer(record(running_id, running_pid)).ok());
  // One ends while no NodeManager runs (reaped here, as init would).
  int status = 0;
  ASSERT_EQ(waitpid(ended_pid, &status, 0), ended_pid);
  EXPECT_EQ(WEXITSTATUS(status), 42);  // the helper exits with the command's status

  {
    ContainerManager manager(options_, loop_, *executor_, clock_);
    ContainerRecorder recorder(*store_, manager, recovery_dir());
    RecoveryResult result = loop_.RunSync([&] {
      return RecoverContainers(*store_, manager, recorder, nullptr, loop_, /*recovery=*/true,
                               recovery_dir(), absl::Milliseconds(20));
    });
    EXPECT_EQ(result.ended, 1);
    EXPECT_EQ(result.reattached, 1);
    auto exit_status = [&](const ContainerId& id) -> std::optional<int> {
      for (const proto::ContainerStatusProto& s :
           loop_.RunSync([&] { return manager.AllStatuses(); })) {
        if (ContainerId::FromProto(s.container_id()) == id && s.state() == proto::C_COMPLETE) {
          return s.exit_status();
        }
      }
      return std::nullopt;
    };
    EXPECT_EQ(exit_status(ended_id), 42);
    EXPECT_EQ(exit_status(running_id), std::nullopt);
    // The re-attached one ends now.
    std::ofstream(stop) << "now";
    ASSERT_EQ(waitpid(running_pid, &status, 0), running_pid);
    ASSERT_TRUE(WaitUntil([&] { return exit_status(running_id).has_value(); }));
    EXPECT_EQ(exit_status(running_id), 6);
    loop_.Stop();
  }
}

TEST(ContainerRecoveryStoreTest, NothingIsLiveInAnEmptyStore) {
  const std::string dir = ::testing::TempDir() + "/nm_recovery_empty_" + std::to_string(getpid());
  fs::remove_all(dir);
  auto store = OpenLevelDbStateStore(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_THAT(LiveContainerIds(**store), IsEmpty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace skein::nm
