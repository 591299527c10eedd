#include "nodemanager/container/container_manager.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "common/sync.h"
#include "common/token.h"
#include "common/url.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nodemanager/container/launch_script.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Records launches and signals; the test decides when processes "exit".
class FakeExecutor : public ContainerExecutor {
 public:
  absl::StatusOr<int> Launch(const LaunchSpec& spec, ExitCallback on_exit) override {
    skein::MutexLock lock(&mu_);
    if (fail_next_) {
      fail_next_ = false;
      return absl::InternalError("spawn failed for test");
    }
    int pid = next_pid_++;
    launches_.push_back(spec);
    callbacks_[pid] = std::move(on_exit);
    alive_.insert(pid);
    return pid;
  }
  absl::Status SignalGroup(int pgid, int sig) override {
    skein::MutexLock lock(&mu_);
    signals_.emplace_back(pgid, sig);
    return absl::OkStatus();
  }
  bool GroupAlive(int pgid) override {
    skein::MutexLock lock(&mu_);
    return alive_.count(pgid) > 0;
  }
  void Exit(int pid, ProcessExit e) {
    ExitCallback cb;
    {
      skein::MutexLock lock(&mu_);
      alive_.erase(pid);
      cb = callbacks_[pid];
    }
    cb(pid, e);
  }
  std::vector<std::pair<int, int>> signals() {
    skein::MutexLock lock(&mu_);
    return signals_;
  }
  std::vector<LaunchSpec> launches() {
    skein::MutexLock lock(&mu_);
    return launches_;
  }
  void FailNext() {
    skein::MutexLock lock(&mu_);
    fail_next_ = true;
  }
  bool WritesExitCodeFiles() const override { return writes_exit_codes_; }
  void set_writes_exit_codes(bool b) { writes_exit_codes_ = b; }  // before launches

 private:
  bool writes_exit_codes_ = false;
  skein::Mutex mu_;
  int next_pid_ = 424242;
  bool fail_next_ = false;
  std::vector<LaunchSpec> launches_;
  std::map<int, ExitCallback> callbacks_;
  std::set<int> alive_;
  std::vector<std::pair<int, int>> signals_;
};

constexpr char kNode[] = "127.0.0.1:4545";
const ApplicationId kApp(1700000000000, 1);
const ApplicationId kOtherApp(1700000000000, 2);

class ContainerManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/cm_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ + "/local");
    std::filesystem::create_directories(root_ + "/logs");
    ContainerManagerOptions o;
    o.local_dirs = {root_ + "/local"};
    o.log_dirs = {root_ + "/logs"};
    o.sigkill_delay = absl::Milliseconds(20);
    o.inherited_env = {{"PATH", "/usr/bin:/bin"}};
    o.admin_env = {{"MALLOC_ARENA_MAX", "4"}};  // yarn.nodemanager.admin-env, expanded
    o.home = "/home/";
    loop_.Start();
    cm_ = std::make_unique<ContainerManager>(o, loop_, executor_, clock_);
    loop_.RunSync([&] {
      cm_->SetNodeId(NodeId("127.0.0.1", 4545));
      cm_->set_on_container_completed([this] { ++completions_; });
    });
  }
  void TearDown() override {
    loop_.Stop();
    std::filesystem::remove_all(root_);
  }

  void Register() {
    proto::MasterKeyProto key;
    key.set_key_id(1);
    key.set_bytes(key_);
    loop_.RunSync([&] { cm_->SetMasterKey(key); });
  }

  static ContainerId Cid(ApplicationId app, int seq) {
    return ContainerId::Make(ApplicationAttemptId(app, 1), 0, seq);
  }

  proto::StartContainerRequest Request(const ContainerId& id,
                                       std::vector<std::string> command = {"true"}) {
    proto::ContainerTokenIdentifierProto ident;
    *ident.mutable_container_id() = id.ToProto();
    ident.set_nm_host_port(kNode);
    ident.set_app_submitter("alice");
    ident.mutable_resource()->set_memory_mb(512);
    ident.mutable_resource()->set_virtual_cores(1);
    ident.set_expiry_timestamp_ms(clock_.NowMillis() + 600000);
    ident.set_master_key_id(1);
    proto::StartContainerRequest r;
    r.mutable_container_token()->set_identifier(ident.SerializeAsString());
    r.mutable_container_token()->set_password(HmacSha256(key_, ident.SerializeAsString()));
    for (auto& c : command) r.mutable_container_launch_context()->add_command(c);
    return r;
  }

  proto::StartContainersResponse Start(const proto::StartContainerRequest& r) {
    proto::StartContainersRequest req;
    *req.add_start_container_request() = r;
    return loop_.RunSync([&] { return cm_->StartContainers(req); });
  }

  proto::ContainerStatusProto Status(const ContainerId& id) {
    proto::GetContainerStatusesRequest req;
    *req.add_container_id() = id.ToProto();
    auto resp = loop_.RunSync([&] { return cm_->GetContainerStatuses(req); });
    EXPECT_EQ(resp.status_size(), 1);
    return resp.status_size() == 1 ? resp.status(0) : proto::ContainerStatusProto();
  }

  // Waits (bounded) until the loop has processed the exit posted by the fake executor.
  proto::ContainerStatusProto WaitComplete(const ContainerId& id) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    proto::ContainerStatusProto s = Status(id);
    while (s.state() != proto::C_COMPLETE && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(2ms);
      s = Status(id);
    }
    return s;
  }

  // Waits (bounded) until the executor saw `n` launches.
  bool WaitLaunches(size_t n) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (executor_.launches().size() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(2ms);
    }
    return executor_.launches().size() >= n;
  }

  std::string root_;
  std::string key_ = "master-key-bytes-for-the-test-32";
  FakeClock clock_;
  FakeExecutor executor_;
  EventLoop loop_{"cm-test"};
  std::unique_ptr<ContainerManager> cm_;
  std::atomic<int> completions_{0};
};

TEST_F(ContainerManagerTest, RefusesBeforeRegistration) {
  auto resp = Start(Request(Cid(kApp, 1)));
  ASSERT_EQ(resp.failed_requests_size(), 1);
  EXPECT_EQ(resp.failed_requests(0).exception(),
            "NodeManager has not registered with the ResourceManager yet");
  EXPECT_EQ(ContainerId::FromProto(resp.failed_requests(0).container_id()), Cid(kApp, 1));
  EXPECT_TRUE(executor_.launches().empty());
}

TEST_F(ContainerManagerTest, StartsWithLayoutAndRejectsDuplicates) {
  Register();
  ContainerId id = Cid(kApp, 1);
  auto resp = Start(Request(id));
  ASSERT_EQ(resp.succeeded_requests_size(), 1) << resp.DebugString();
  ASSERT_EQ(executor_.launches().size(), 1u);
  LaunchSpec spec = executor_.launches()[0];
  const std::string work =
      root_ + "/local/usercache/alice/appcache/" + kApp.ToString() + "/" + id.ToString();
  EXPECT_EQ(spec.working_dir, work);
  EXPECT_EQ(spec.script_path, work + "/launch_container.sh");
  EXPECT_EQ(spec.log_dir, root_ + "/logs/" + kApp.ToString() + "/" + id.ToString());
  EXPECT_TRUE(std::filesystem::is_directory(spec.log_dir));
  EXPECT_TRUE(std::filesystem::exists(spec.script_path));
  EXPECT_THAT(spec.env, ::testing::ElementsAre("PATH=/usr/bin:/bin"));
  proto::ContainerStatusProto s = Status(id);
  EXPECT_EQ(s.state(), proto::C_RUNNING);
  EXPECT_EQ(s.nm_state(), "RUNNING");
  EXPECT_EQ(s.capability().memory_mb(), 512);

  auto again = Start(Request(id));
  ASSERT_EQ(again.failed_requests_size(), 1);
  EXPECT_THAT(again.failed_requests(0).exception(), HasSubstr("already known"));
}

TEST_F(ContainerManagerTest, BadTokenIsRefusedWithReason) {
  Register();
  proto::StartContainerRequest r = Request(Cid(kApp, 1));
  r.mutable_container_token()->set_password("forged");
  auto resp = Start(r);
  ASSERT_EQ(resp.failed_requests_size(), 1);
  EXPECT_THAT(resp.failed_requests(0).exception(), HasSubstr("signature mismatch"));
  EXPECT_EQ(ContainerId::FromProto(resp.failed_requests(0).container_id()), Cid(kApp, 1));
}

TEST_F(ContainerManagerTest, InvalidEnvironmentNameIsRefused) {
  Register();
  proto::StartContainerRequest r = Request(Cid(kApp, 1));
  (*r.mutable_container_launch_context()->mutable_environment())["BAD NAME"] = "x";
  auto resp = Start(r);
  ASSERT_EQ(resp.failed_requests_size(), 1);
  EXPECT_THAT(resp.failed_requests(0).exception(), HasSubstr("'BAD NAME' is not valid"));
}

TEST_F(ContainerManagerTest, ExitWithFailureReportsStderrTail) {
  Register();
  ContainerId id = Cid(kApp, 1);
  Start(Request(id));
  LaunchSpec spec = executor_.launches()[0];
  std::ofstream(spec.log_dir + "/stderr") << std::string(5000, 'x') << "the real reason\n";
  executor_.Exit(424242, {false, 3});
  proto::ContainerStatusProto s = WaitComplete(id);
  EXPECT_EQ(s.state(), proto::C_COMPLETE);
  EXPECT_EQ(s.nm_state(), "DONE");
  EXPECT_EQ(s.exit_status(), 3);
  EXPECT_THAT(s.diagnostics(), HasSubstr("Exit code: 3\n"));
  EXPECT_THAT(s.diagnostics(), HasSubstr("the real reason\n"));
  // Only the last 4096 bytes.
  EXPECT_LT(s.diagnostics().size(), 4096u + 300u);
  EXPECT_EQ(completions_.load(), 1);
}

TEST_F(ContainerManagerTest, StopByAppMasterTermsThenKills) {
  Register();
  ContainerId id = Cid(kApp, 1);
  Start(Request(id));
  proto::StopContainersRequest stop;
  *stop.add_container_id() = id.ToProto();
  *stop.add_container_id() = Cid(kApp, 99).ToProto();
  auto resp = loop_.RunSync([&] { return cm_->StopContainers(stop); });
  EXPECT_EQ(resp.succeeded_requests_size(), 1);
  ASSERT_EQ(resp.failed_requests_size(), 1);
  EXPECT_EQ(resp.failed_requests(0).exception(),
            "Container " + Cid(kApp, 99).ToString() + " is not handled by this NodeManager");
  EXPECT_EQ(Status(id).nm_state(), "KILLING");
  // SIGTERM at once, SIGKILL after the delay because the fake group stays alive.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (executor_.signals().size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(2ms);
  }
  EXPECT_THAT(executor_.signals(), ::testing::ElementsAre(std::make_pair(424242, SIGTERM),
                                                          std::make_pair(424242, SIGKILL)));
  executor_.Exit(424242, {true, SIGKILL});
  proto::ContainerStatusProto s = WaitComplete(id);
  EXPECT_EQ(s.exit_status(), -105);
  EXPECT_EQ(s.diagnostics(),
            "Container killed by the ApplicationMaster.\nContainer killed on request. Exit code "
            "is 137");
}

TEST_F(ContainerManagerTest, HeartbeatCleanupOrders) {
  Register();
  ContainerId a1 = Cid(kApp, 1), a2 = Cid(kApp, 2), b1 = Cid(kOtherApp, 1);
  Start(Request(a1));
  Start(Request(a2));
  Start(Request(b1));
  proto::NodeHeartbeatResponse hb;
  *hb.add_containers_to_cleanup() = b1.ToProto();
  *hb.add_applications_to_cleanup() = kApp.ToProto();
  loop_.RunSync([&] { cm_->ApplyHeartbeatResponse(hb); });
  for (int pid = 424242; pid < 424245; ++pid) executor_.Exit(pid, {true, SIGTERM});
  proto::ContainerStatusProto sa1 = WaitComplete(a1), sa2 = WaitComplete(a2),
                              sb1 = WaitComplete(b1);
  EXPECT_EQ(sa1.exit_status(), -107);
  EXPECT_EQ(sa2.exit_status(), -107);
  EXPECT_THAT(sa1.diagnostics(), HasSubstr("Container killed on application-finish event."));
  EXPECT_EQ(sb1.exit_status(), -106);
  EXPECT_THAT(sb1.diagnostics(), HasSubstr("Container killed by the ResourceManager."));
}

TEST_F(ContainerManagerTest, CompletedStatusKeptUntilRmAcknowledges) {
  Register();
  ContainerId done = Cid(kApp, 1), running = Cid(kApp, 2);
  Start(Request(done));
  Start(Request(running));
  executor_.Exit(424242, {false, 0});
  WaitComplete(done);
  auto statuses = loop_.RunSync([&] { return cm_->AllStatuses(); });
  EXPECT_EQ(statuses.size(), 2u);
  proto::NodeHeartbeatResponse hb;
  *hb.add_containers_to_be_removed_from_nm() = done.ToProto();
  *hb.add_containers_to_be_removed_from_nm() = running.ToProto();  // not complete: kept
  loop_.RunSync([&] { cm_->ApplyHeartbeatResponse(hb); });
  statuses = loop_.RunSync([&] { return cm_->AllStatuses(); });
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(ContainerId::FromProto(statuses[0].container_id()), running);
  // The token of a forgotten container cannot start it again.
  auto again = Start(Request(done));
  ASSERT_EQ(again.failed_requests_size(), 1);
  EXPECT_THAT(again.failed_requests(0).exception(), HasSubstr("already known"));
}

TEST_F(ContainerManagerTest, LocalResources) {
  Register();
  std::string file = root_ + "/input.txt";
  std::ofstream(file) << "data";
  ContainerId ok = Cid(kApp, 1), bad = Cid(kApp, 2), stale = Cid(kApp, 3);
  proto::StartContainerRequest r = Request(ok);
  *(*r.mutable_container_launch_context()->mutable_local_resources())["in.txt"].mutable_resource() =
      ParseUrl("file://" + file);
  Start(r);
  // Localization runs off the loop; the launch follows it.
  ASSERT_TRUE(WaitLaunches(1));
  std::string link = executor_.launches()[0].working_dir + "/in.txt";
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  // A copy in the NodeManager's public cache, not the source itself.
  EXPECT_THAT(std::filesystem::read_symlink(link).string(),
              ::testing::MatchesRegex(root_ + "/local/filecache/[0-9]+/input.txt"));
  std::ifstream in(link);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "data");
  EXPECT_EQ(Status(ok).nm_state(), "RUNNING");

  proto::StartContainerRequest r2 = Request(bad);
  *(*r2.mutable_container_launch_context()->mutable_local_resources())["x"].mutable_resource() =
      ParseUrl("hdfs://nn/x");
  auto resp = Start(r2);
  EXPECT_EQ(resp.succeeded_requests_size(), 1);  // fails later, as in YARN
  proto::ContainerStatusProto s = WaitComplete(bad);
  EXPECT_EQ(s.state(), proto::C_COMPLETE);
  EXPECT_EQ(s.exit_status(), proto::INVALID);
  EXPECT_THAT(s.diagnostics(), HasSubstr("LOCALIZATION_FAILED"));
  EXPECT_THAT(s.diagnostics(), HasSubstr("hdfs://nn/x"));

  proto::StartContainerRequest r3 = Request(stale);
  auto& res = (*r3.mutable_container_launch_context()->mutable_local_resources())["in.txt"];
  *res.mutable_resource() = ParseUrl("file://" + file);
  res.set_timestamp(12345);  // not what was cached: fetched again, and checked
  Start(r3);
  s = WaitComplete(stale);
  EXPECT_THAT(s.diagnostics(), HasSubstr("LOCALIZATION_FAILED: Resource file://" + file +
                                         " changed on src filesystem (expected 12345, was "));
  EXPECT_EQ(executor_.launches().size(), 1u);
  EXPECT_EQ(completions_.load(), 2);
}

TEST_F(ContainerManagerTest, BadResourceNameFailsLocalization) {
  Register();
  proto::StartContainerRequest r = Request(Cid(kApp, 1));
  *(*r.mutable_container_launch_context()->mutable_local_resources())["../up"].mutable_resource() =
      ParseUrl("file:///etc/hostname");
  Start(r);
  proto::ContainerStatusProto s = Status(Cid(kApp, 1));
  EXPECT_EQ(s.state(), proto::C_COMPLETE);
  EXPECT_THAT(s.diagnostics(), HasSubstr("local resource name '../up' is not a plain file name"));
}

TEST_F(ContainerManagerTest, ApplicationResourcesAreRemovedWhenTheAppFinishes) {
  Register();
  std::string file = root_ + "/app.txt";
  std::ofstream(file) << "a";
  proto::StartContainerRequest r = Request(Cid(kApp, 1), {"sleep", "60"});
  auto& res = (*r.mutable_container_launch_context()->mutable_local_resources())["app.txt"];
  *res.mutable_resource() = ParseUrl("file://" + file);
  res.set_visibility(proto::APPLICATION);
  Start(r);
  ASSERT_TRUE(WaitLaunches(1));
  const std::string cache =
      root_ + "/local/usercache/alice/appcache/" + kApp.ToString() + "/filecache";
  EXPECT_TRUE(std::filesystem::exists(cache));

  proto::NodeHeartbeatResponse hb;
  *hb.add_applications_to_cleanup() = kApp.ToProto();
  loop_.RunSync([&] { cm_->ApplyHeartbeatResponse(hb); });
  // Still running (SIGTERM sent): the cache stays until the container is gone.
  EXPECT_TRUE(std::filesystem::exists(cache));
  executor_.Exit(424242, {true, SIGTERM});
  WaitComplete(Cid(kApp, 1));
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::filesystem::exists(cache) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_FALSE(std::filesystem::exists(cache));
}

TEST_F(ContainerManagerTest, SpawnFailureCompletesContainer) {
  Register();
  executor_.FailNext();
  ContainerId id = Cid(kApp, 1);
  Start(Request(id));
  proto::ContainerStatusProto s = Status(id);
  EXPECT_EQ(s.state(), proto::C_COMPLETE);
  EXPECT_EQ(s.exit_status(), kLaunchFailedExitStatus);
  EXPECT_THAT(s.diagnostics(), HasSubstr("spawn failed for test"));
}

TEST_F(ContainerManagerTest, UnknownStatusIsAFailedRequest) {
  proto::GetContainerStatusesRequest req;
  *req.add_container_id() = Cid(kApp, 5).ToProto();
  auto resp = loop_.RunSync([&] { return cm_->GetContainerStatuses(req); });
  EXPECT_EQ(resp.status_size(), 0);
  ASSERT_EQ(resp.failed_requests_size(), 1);
  EXPECT_EQ(resp.failed_requests(0).exception(),
            "Container " + Cid(kApp, 5).ToString() + " is not handled by this NodeManager");
}

TEST_F(ContainerManagerTest, TerminateAllWithoutKillRequestGives143) {
  Register();
  ContainerId id = Cid(kApp, 1);
  Start(Request(id));
  loop_.RunSync([&] { cm_->TerminateAll(); });
  EXPECT_EQ(loop_.RunSync([&] { return cm_->NumProcessesRunning(); }), 1);
  executor_.Exit(424242, {true, SIGTERM});
  proto::ContainerStatusProto s = WaitComplete(id);
  EXPECT_EQ(s.exit_status(), 143);
  EXPECT_EQ(loop_.RunSync([&] { return cm_->NumProcessesRunning(); }), 0);
}

TEST_F(ContainerManagerTest, ShellFreeCommandIsLaunchedDirectly) {
  Register();
  ContainerId id = Cid(kApp, 1);
  proto::StartContainerRequest r =
      Request(id, {"exec", "/bin/sleep", "'5'", "1><LOG_DIR>/stdout", "2><LOG_DIR>/stderr"});
  (*r.mutable_container_launch_context()->mutable_environment())["FOO"] = "x y";
  // The admin environment is forced in over the application's own value.
  (*r.mutable_container_launch_context()->mutable_environment())["MALLOC_ARENA_MAX"] = "16";
  ASSERT_EQ(Start(r).succeeded_requests_size(), 1);
  ASSERT_EQ(executor_.launches().size(), 1u);
  LaunchSpec spec = executor_.launches()[0];
  EXPECT_THAT(spec.env, ::testing::Contains("MALLOC_ARENA_MAX=4"));
  EXPECT_THAT(spec.env, ::testing::Not(::testing::Contains("MALLOC_ARENA_MAX=16")));
  EXPECT_EQ(spec.program, "/bin/sleep");
  EXPECT_THAT(spec.argv, ::testing::ElementsAre("/bin/sleep", "5"));
  ASSERT_EQ(spec.redirects.size(), 2u);
  EXPECT_EQ(spec.redirects[0].fd, 1);
  EXPECT_EQ(spec.redirects[0].path, spec.log_dir + "/stdout");
  EXPECT_EQ(spec.redirects[1].fd, 2);
  EXPECT_EQ(spec.redirects[1].path, spec.log_dir + "/stderr");
  EXPECT_THAT(spec.env, ::testing::IsSupersetOf(std::vector<std::string>{
                            "CONTAINER_ID=" + id.ToString(), "FOO=x y", "PATH=/usr/bin:/bin",
                            "USER=alice", "PWD=" + spec.working_dir}));
  // The script is still written, for people debugging the container.
  std::ifstream in(spec.script_path);
  std::string script((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(script, HasSubstr("exec '/bin/sleep' '5' 1>'" + spec.log_dir + "/stdout' 2>'" +
                                spec.log_dir + "/stderr'\n"));
  EXPECT_EQ(Status(id).state(), proto::C_RUNNING);
}

TEST_F(ContainerManagerTest, CommandsNeedingBashKeepTheScript) {
  Register();
  std::vector<std::vector<std::string>> commands = {
      {"true"}, {"sleep", "$X"}, {"no-such-program-for-skein", "1"}, {"a", "&&", "b"}};
  int seq = 1;
  for (const auto& command : commands) {
    ASSERT_EQ(Start(Request(Cid(kApp, seq++), command)).succeeded_requests_size(), 1);
  }
  proto::StartContainerRequest r = Request(Cid(kApp, seq++), {"/bin/sleep", "1"});
  (*r.mutable_container_launch_context()->mutable_environment())["BASH_ENV"] = "/etc/x";
  ASSERT_EQ(Start(r).succeeded_requests_size(), 1);
  for (const LaunchSpec& spec : executor_.launches()) {
    EXPECT_TRUE(spec.argv.empty()) << spec.container_id;
    EXPECT_THAT(spec.env, ::testing::ElementsAre("PATH=/usr/bin:/bin"));
  }
  EXPECT_EQ(executor_.launches().size(), commands.size() + 1);
}

// Records the policing hooks' calls (all on the loop thread; read after RunSync).
class RecordingHooks : public ContainerHooks {
 public:
  absl::StatusOr<std::vector<std::string>> PrepareLaunch(const ContainerId& id,
                                                         const Resource& r) override {
    calls.push_back("prepare " + id.ToString() + " " + std::to_string(r.memory_mb));
    if (!prepare_error.ok()) return prepare_error;
    return prologue;
  }
  void Launched(const ContainerId& id, int pid, const Resource&) override {
    calls.push_back("launched " + std::to_string(pid));
  }
  std::string ExitDiagnostics(const ContainerId&, int) override { return exit_diagnostics; }
  absl::Status Cleanup(const ContainerId& id) override {
    calls.push_back("cleanup " + id.ToString());
    if (busy_cleanups > 0) {
      --busy_cleanups;
      return absl::UnavailableError("tasks left");
    }
    return absl::OkStatus();
  }
  std::vector<std::string> calls;
  std::vector<std::string> prologue = {"echo joined-the-group"};
  absl::Status prepare_error;
  std::string exit_diagnostics;
  int busy_cleanups = 0;
};

class ContainerManagerHooksTest : public ContainerManagerTest {
 protected:
  void SetUp() override {
    ContainerManagerTest::SetUp();
    ContainerManagerOptions o;
    o.local_dirs = {root_ + "/local"};
    o.log_dirs = {root_ + "/logs"};
    o.sigkill_delay = absl::Milliseconds(20);
    o.inherited_env = {{"PATH", "/usr/bin:/bin"}};
    o.hooks = &hooks_;
    loop_.RunSync([&] {
      cm_ = std::make_unique<ContainerManager>(o, loop_, executor_, clock_);
      cm_->SetNodeId(NodeId("127.0.0.1", 4545));
    });
    Register();
  }
  std::vector<std::string> Calls() {
    return loop_.RunSync([&] { return hooks_.calls; });
  }
  RecordingHooks hooks_;
};

TEST_F(ContainerManagerHooksTest, PrologueRunsFirstAndNodeKillsCompleteWithTheirStatus) {
  ContainerId id = Cid(kApp, 1);
  ASSERT_EQ(Start(Request(id)).succeeded_requests_size(), 1);
  ASSERT_EQ(executor_.launches().size(), 1u);
  std::ifstream in(executor_.launches()[0].script_path);
  std::string script((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(script.rfind("#!/bin/bash\n\necho joined-the-group\nexport ", 0), 0u) << script;
  EXPECT_THAT(Calls(),
              ::testing::ElementsAre("prepare " + id.ToString() + " 512", "launched 424242"));

  const std::string why = "Container [pid=424242,containerID=" + id.ToString() +
                          "] is running 1B beyond the 'PHYSICAL' memory limit.";
  loop_.RunSync([&] { cm_->KillContainer(id, proto::KILLED_EXCEEDED_PMEM, why); });
  ASSERT_FALSE(executor_.signals().empty());
  EXPECT_EQ(executor_.signals()[0], std::make_pair(424242, SIGTERM));
  executor_.Exit(424242, ProcessExit{true, SIGTERM});
  proto::ContainerStatusProto s = WaitComplete(id);
  EXPECT_EQ(s.exit_status(), proto::KILLED_EXCEEDED_PMEM);
  EXPECT_EQ(s.diagnostics().rfind(why + "\nContainer killed on request. Exit code is 143", 0), 0u)
      << s.diagnostics();
  EXPECT_EQ(Calls().back(), "cleanup " + id.ToString());
}

TEST_F(ContainerManagerHooksTest, PrepareFailureFailsTheLaunchAndStillCleansUp) {
  loop_.RunSync([&] { hooks_.prepare_error = absl::PermissionDeniedError("cgroup says no"); });
  ContainerId id = Cid(kApp, 2);
  ASSERT_EQ(Start(Request(id)).succeeded_requests_size(), 1);
  EXPECT_TRUE(executor_.launches().empty());
  proto::ContainerStatusProto s = Status(id);
  EXPECT_EQ(s.state(), proto::C_COMPLETE);
  EXPECT_EQ(s.exit_status(), kLaunchFailedExitStatus);
  EXPECT_THAT(s.diagnostics(), HasSubstr("cgroup says no"));
  EXPECT_EQ(Calls().back(), "cleanup " + id.ToString());
}

TEST_F(ContainerManagerHooksTest, ExitDiagnosticsComeFirstAndBusyCleanupIsRetried) {
  loop_.RunSync([&] {
    hooks_.exit_diagnostics = "killed by the kernel's OOM killer";
    hooks_.busy_cleanups = 2;
  });
  ContainerId id = Cid(kApp, 3);
  ASSERT_EQ(Start(Request(id)).succeeded_requests_size(), 1);
  executor_.Exit(424242, ProcessExit{true, SIGKILL});
  proto::ContainerStatusProto s = WaitComplete(id);
  EXPECT_EQ(s.exit_status(), 137);
  EXPECT_EQ(s.diagnostics().rfind("killed by the kernel's OOM killer\nException from", 0), 0u)
      << s.diagnostics();
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (Calls().size() < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(Calls().size(), 5u);  // prepare, launched, cleanup x3
}

TEST_F(ContainerManagerHooksTest, CgroupJoinsGoToTheExecutorOtherLinesKeepBash) {
  const std::string procs = root_ + "/cg/container/cgroup.procs";
  loop_.RunSync([&] { hooks_.prologue = {JoinCommand(procs)}; });
  ASSERT_EQ(Start(Request(Cid(kApp, 1), {"/bin/sleep", "1"})).succeeded_requests_size(), 1);
  loop_.RunSync([&] { hooks_.prologue = {"echo wrapper", JoinCommand(procs)}; });
  ASSERT_EQ(Start(Request(Cid(kApp, 2), {"/bin/sleep", "1"})).succeeded_requests_size(), 1);
  ASSERT_EQ(executor_.launches().size(), 2u);
  LaunchSpec direct = executor_.launches()[0];
  EXPECT_EQ(direct.program, "/bin/sleep");
  EXPECT_THAT(direct.join_files, ::testing::ElementsAre(procs));
  LaunchSpec bash = executor_.launches()[1];
  EXPECT_TRUE(bash.argv.empty());
  EXPECT_THAT(bash.join_files, ::testing::ElementsAre(procs));
  std::ifstream in(bash.script_path);
  std::string script((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(script.rfind("#!/bin/bash\n\n# joined before this script ran: " + procs +
                             "\necho wrapper\nexport ",
                         0),
            0u)
      << script;
  EXPECT_THAT(script, ::testing::Not(HasSubstr("echo $$")));
}

TEST_F(ContainerManagerHooksTest, ExitCodeWrapperGoesToTheExecutorsHelperWhenItHasOne) {
  const std::string code = root_ + "/recovery/exitcodes/c";
  loop_.RunSync([&] { hooks_.prologue = {ExitCodeWrapperLine(code)}; });
  // An executor without the helper: the script records the exit code, so bash runs it.
  ASSERT_EQ(Start(Request(Cid(kApp, 1), {"/bin/sleep", "1"})).succeeded_requests_size(), 1);
  executor_.set_writes_exit_codes(true);
  ASSERT_EQ(Start(Request(Cid(kApp, 2), {"/bin/sleep", "1"})).succeeded_requests_size(), 1);
  ASSERT_EQ(executor_.launches().size(), 2u);
  auto script_of = [](const LaunchSpec& spec) {
    std::ifstream in(spec.script_path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  LaunchSpec bash = executor_.launches()[0];
  EXPECT_TRUE(bash.argv.empty());
  EXPECT_EQ(bash.exit_code_file, "");
  EXPECT_THAT(script_of(bash), HasSubstr("\n" + ExitCodeWrapperLine(code) + "\n"));
  // With the helper: a direct launch that names the file, and no wrapper line in the script.
  LaunchSpec direct = executor_.launches()[1];
  EXPECT_EQ(direct.program, "/bin/sleep");
  EXPECT_EQ(direct.exit_code_file, code);
  EXPECT_THAT(script_of(direct),
              HasSubstr("# run by skein-exitcode-helper, which writes its exit code to " + code));
  EXPECT_THAT(script_of(direct), ::testing::Not(HasSubstr("SKEIN_EXIT_CODE_WRAPPED")));
}

}  // namespace
}  // namespace skein::nm
