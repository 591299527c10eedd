// A real NodeManager (real gRPC, real processes) against a fake ResourceTracker, all on
// 127.0.0.1 with ephemeral ports.
#include "nodemanager/node_manager.h"

#include <arpa/inet.h>
#include <errno.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "common/rpc.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nodemanager/logaggregation/aggregated_log_file.h"
#include "nodemanager/testing/fake_resource_tracker.h"
#include "nodemanager/testing/nm_fixture.h"
#include "protos/container_manager.grpc.pb.h"
#include "protos/resource_tracker.grpc.pb.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

using testing::ReadFile;
using testing::WaitUntil;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

const ApplicationId kApp(1700000000000, 7);
const ApplicationId kOtherApp(1700000000000, 8);

class NodeManagerTest : public testing::NodeManagerFixture {
 protected:
  NodeManagerTest() : NodeManagerFixture("nm_it") {}

  conf::Configuration Conf() {
    return testing::NmTestConfiguration(root_ + "/local1," + root_ + "/local2", root_ + "/logs",
                                        rm_port_);
  }

  void StartRegistered() {
    StartRm();
    StartNm(Conf());
    ASSERT_TRUE(WaitUntil([&] { return nm_->registered(); }));
  }

  static ContainerId Cid(const ApplicationId& app, int seq) {
    return ContainerId::Make(ApplicationAttemptId(app, 1), 0, seq);
  }

  proto::StartContainerRequest Request(const ContainerId& id, std::vector<std::string> command,
                                       std::map<std::string, std::string> env = {}) {
    proto::StartContainerRequest r = testing::SignedStartRequest(
        id, nm_address_.empty() ? nm_->address() : nm_address_, rm_.key(), 256, 1);
    for (auto& c : command) r.mutable_container_launch_context()->add_command(c);
    for (auto& [k, v] : env) (*r.mutable_container_launch_context()->mutable_environment())[k] = v;
    return r;
  }

  proto::StartContainersResponse Start(const proto::StartContainerRequest& r) {
    proto::StartContainersRequest req;
    *req.add_start_container_request() = r;
    proto::StartContainersResponse resp;
    auto ctx = MakeClientContext(10s);
    grpc::Status st = stub_->StartContainers(ctx.get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }

  void StartOk(const ContainerId& id, std::vector<std::string> command,
               std::map<std::string, std::string> env = {}) {
    auto resp = Start(Request(id, std::move(command), std::move(env)));
    ASSERT_EQ(resp.succeeded_requests_size(), 1) << resp.DebugString();
  }

  std::string LogDir(const ContainerId& id) {
    return root_ + "/logs/" + id.application_id().ToString() + "/" + id.ToString();
  }
  std::string WorkDir(const ContainerId& id) {
    return root_ + "/local1/usercache/tester/appcache/" + id.application_id().ToString() + "/" +
           id.ToString();
  }

  // The pid the container wrote to <LOG_DIR>/pid (its process group id), or 0.
  int WaitForPid(const ContainerId& id) {
    int pid = 0;
    WaitUntil([&] {
      std::string text = ReadFile(LogDir(id) + "/pid");
      if (text.empty() || text.back() != '\n') return false;
      pid = std::stoi(text);
      return true;
    });
    return pid;
  }

  // No live (non-zombie) process left in group `pgid`. Orphaned zombies are reaped by PID 1 on
  // its own schedule, so kill(-pgid, 0) alone would measure init, not the NodeManager.
  static bool GroupGone(int pgid) {
    if (kill(-pgid, 0) != 0 && errno == ESRCH) return true;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      std::string stat = ReadFile(entry.path().string() + "/stat");
      size_t paren = stat.rfind(')');
      if (paren == std::string::npos) continue;
      std::istringstream fields(stat.substr(paren + 2));
      char state = 0;
      int ppid = 0, pgrp = 0;
      fields >> state >> ppid >> pgrp;
      if (pgrp == pgid && state != 'Z' && state != 'X') return false;
    }
    return true;
  }

  std::string nm_address_;  // a NodeManager in another process (recovery tests)
};

TEST_F(NodeManagerTest, RegistersWithNodeIdResourceAndVersion) {
  StartRegistered();
  EXPECT_EQ(nm_->node_id().host(), "127.0.0.1");
  EXPECT_GT(nm_->node_id().port(), 0);
  EXPECT_EQ(nm_->address(), nm_->node_id().ToString());
  proto::RegisterNodeManagerRequest reg = rm_.last_registration();
  EXPECT_EQ(NodeId::FromProto(reg.node_id()), nm_->node_id());
  EXPECT_EQ(reg.resource().memory_mb(), 4096);
  EXPECT_EQ(reg.resource().virtual_cores(), 4);
  EXPECT_EQ(reg.nm_version(), "skein-0.1.0");
  EXPECT_TRUE(std::filesystem::is_directory(root_ + "/local2"));
  EXPECT_TRUE(std::filesystem::is_directory(root_ + "/logs"));
  EXPECT_TRUE(WaitUntil([&] { return rm_.heartbeats() >= 1; }));
}

TEST_F(NodeManagerTest, FailingContainerReportedAtOnceWithStderrTail) {
  StartRegistered();
  ASSERT_TRUE(WaitUntil([&] { return rm_.heartbeats() >= 1; }));
  ContainerId id = Cid(kApp, 1);
  StartOk(id, {"{ echo hello; echo 'it broke' >&2; exit 3; }", "1><LOG_DIR>/stdout",
               "2><LOG_DIR>/stderr"});
  // The RM's interval is 10 s: a report within 5 s is the NM's immediate heartbeat.
  ASSERT_TRUE(WaitUntil([&] { return rm_.Completed(id).has_value(); }, 5s));
  proto::ContainerStatusProto s = *rm_.Completed(id);
  EXPECT_EQ(s.exit_status(), 3);
  EXPECT_EQ(s.state(), proto::C_COMPLETE);
  EXPECT_THAT(s.diagnostics(), HasSubstr("Exit code: 3"));
  EXPECT_THAT(s.diagnostics(), HasSubstr("Last 4096 bytes of stderr :\nit broke\n"));
  EXPECT_EQ(ReadFile(LogDir(id) + "/stdout"), "hello\n");
  EXPECT_TRUE(std::filesystem::exists(WorkDir(id) + "/launch_container.sh"));
  EXPECT_TRUE(std::filesystem::exists(LogDir(id) + "/prelaunch.out"));
}

TEST_F(NodeManagerTest, CompletedContainerForgottenAfterRmAcknowledges) {
  StartRegistered();
  rm_.set_interval_ms(100);
  ContainerId id = Cid(kApp, 1);
  StartOk(id, {"true"});
  ASSERT_TRUE(WaitUntil([&] { return rm_.Completed(id).has_value(); }));
  EXPECT_EQ(rm_.Completed(id)->exit_status(), 0);
  proto::GetContainerStatusesRequest req;
  *req.add_container_id() = id.ToProto();
  proto::GetContainerStatusesResponse resp;
  ASSERT_TRUE(WaitUntil([&] {
    auto ctx = MakeClientContext(5s);
    resp.Clear();
    return stub_->GetContainerStatuses(ctx.get(), req, &resp).ok() &&
           resp.failed_requests_size() == 1;
  }));
  EXPECT_EQ(resp.failed_requests(0).exception(),
            "Container " + id.ToString() + " is not handled by this NodeManager");
}

TEST_F(NodeManagerTest, StopContainersKillsProcessGroup) {
  StartRegistered();
  ContainerId id = Cid(kApp, 2);
  StartOk(id, {"sleep 100 & echo $$ > <LOG_DIR>/pid; wait"});
  int pgid = WaitForPid(id);
  ASSERT_GT(pgid, 1);
  EXPECT_FALSE(GroupGone(pgid));

  proto::StopContainersRequest stop;
  *stop.add_container_id() = id.ToProto();
  proto::StopContainersResponse stop_resp;
  auto ctx = MakeClientContext(5s);
  ASSERT_TRUE(stub_->StopContainers(ctx.get(), stop, &stop_resp).ok());
  EXPECT_EQ(stop_resp.succeeded_requests_size(), 1);

  proto::GetContainerStatusesRequest req;
  *req.add_container_id() = id.ToProto();
  proto::ContainerStatusProto status;
  ASSERT_TRUE(WaitUntil(
      [&] {
        proto::GetContainerStatusesResponse resp;
        auto c = MakeClientContext(5s);
        if (!stub_->GetContainerStatuses(c.get(), req, &resp).ok()) return false;
        if (resp.status_size() == 1) status = resp.status(0);
        // Acknowledged by the fake RM and forgotten also counts as done.
        return status.state() == proto::C_COMPLETE || resp.failed_requests_size() == 1;
      },
      5s));
  if (status.state() != proto::C_COMPLETE) status = *rm_.Completed(id);
  EXPECT_EQ(status.exit_status(), -105);
  EXPECT_EQ(status.diagnostics(),
            "Container killed by the ApplicationMaster.\nContainer killed on request. Exit code "
            "is 143");
  // The whole group (the shell and its `sleep 100`) is gone long before the sleep could end by
  // itself: it was killed, not waited for.
  EXPECT_TRUE(WaitUntil([&] { return GroupGone(pgid); }, 30s));
}

TEST_F(NodeManagerTest, ContainerSeesYarnEnvironment) {
  StartRegistered();
  ContainerId id = Cid(kApp, 3);
  StartOk(id,
          {"echo \"$CONTAINER_ID|$PWD|$LOG_DIRS|$MY_VAR|$USER|$NM_PORT\" > <LOG_DIR>/env.txt;"
           " test -n \"$PATH\""},
          {{"MY_VAR", "a 'quoted' $value"}});
  ASSERT_TRUE(WaitUntil([&] { return rm_.Completed(id).has_value(); }));
  EXPECT_EQ(rm_.Completed(id)->exit_status(), 0) << rm_.Completed(id)->diagnostics();
  EXPECT_EQ(ReadFile(LogDir(id) + "/env.txt"), id.ToString() + "|" + WorkDir(id) + "|" +
                                                   LogDir(id) + "|a 'quoted' $value|tester|" +
                                                   std::to_string(nm_->node_id().port()) + "\n");
}

TEST_F(NodeManagerTest, ObeysCleanupOrdersFromHeartbeats) {
  rm_.set_interval_ms(100);
  StartRegistered();
  ContainerId a1 = Cid(kApp, 1), a2 = Cid(kApp, 2), b1 = Cid(kOtherApp, 1);
  for (const ContainerId& id : {a1, a2, b1}) StartOk(id, {"exec sleep 100"});
  // The RM has seen them running before it orders the cleanup.
  ASSERT_TRUE(WaitUntil([&] {
    for (const ContainerId& id : {a1, a2, b1}) {
      auto s = rm_.LastStatus(id);
      if (!s || s->state() != proto::C_RUNNING) return false;
    }
    return true;
  }));
  rm_.CleanupContainer(b1);
  rm_.CleanupApp(kApp);
  ASSERT_TRUE(
      WaitUntil([&] { return rm_.Completed(a1) && rm_.Completed(a2) && rm_.Completed(b1); }, 5s));
  EXPECT_EQ(rm_.Completed(a1)->exit_status(), -107);
  EXPECT_EQ(rm_.Completed(a2)->exit_status(), -107);
  EXPECT_THAT(rm_.Completed(a1)->diagnostics(),
              HasSubstr("Container killed on application-finish event."));
  EXPECT_EQ(rm_.Completed(b1)->exit_status(), -106);
  EXPECT_THAT(rm_.Completed(b1)->diagnostics(),
              HasSubstr("Container killed by the ResourceManager."));
}

// A listening socket on `port` that accepts (and drops) connections and counts them: where the
// RM will be, before it is there.
class CountingListener {
 public:
  explicit CountingListener(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ok_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 && listen(fd_, 16) == 0;
  }
  ~CountingListener() { close(fd_); }
  bool ok() const { return ok_; }
  // Accepts for up to `timeout`; returns how many connections came.
  int AcceptFor(std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    int count = 0;
    while (count == 0 && std::chrono::steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) == 1) {
        int c = accept(fd_, nullptr, nullptr);
        if (c >= 0) {
          ++count;
          close(c);
        }
      }
    }
    return count;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

TEST_F(NodeManagerTest, RegistersWhenRmAppearsLater) {
  rm_port_ = FreePort();
  std::optional<CountingListener> absent_rm(rm_port_);
  ASSERT_TRUE(absent_rm->ok());
  StartNm(Conf());
  // The NodeManager tries to reach the RM's address while nothing answers there.
  EXPECT_GE(absent_rm->AcceptFor(30000ms), 1);
  absent_rm.reset();
  EXPECT_FALSE(nm_->registered());
  // Containers are refused until the RM has handed out its key.
  auto refused = Start(Request(Cid(kApp, 1), {"true"}));
  ASSERT_EQ(refused.failed_requests_size(), 1);
  EXPECT_EQ(refused.failed_requests(0).exception(),
            "NodeManager has not registered with the ResourceManager yet");
  StartRm(rm_port_);
  EXPECT_TRUE(WaitUntil([&] { return nm_->registered(); }, 30s));
}

TEST_F(NodeManagerTest, ShutdownAtRegistrationStopsTrying) {
  rm_.set_register_action(proto::SHUTDOWN);
  StartRm();
  StartNm(Conf());
  ASSERT_TRUE(WaitUntil([&] { return rm_.registrations() >= 1; }));
  ASSERT_TRUE(WaitUntil([&] { return nm_->shut_down_by_rm(); }, 30s));
  // From now on the RM would accept: a NodeManager still trying would register. Watched for 10
  // of its retry periods (StatusUpdaterOptions::retry_initial, 100 ms), it does not.
  rm_.set_register_action(proto::NORMAL);
  EXPECT_FALSE(WaitUntil([&] { return rm_.registrations() > 1; }, 1s));
  EXPECT_EQ(rm_.registrations(), 1);
  EXPECT_FALSE(nm_->registered());
  EXPECT_EQ(rm_.heartbeats(), 0);
}

TEST_F(NodeManagerTest, ResyncRegistersAgain) {
  rm_.set_interval_ms(100);
  StartRegistered();
  ASSERT_EQ(rm_.registrations(), 1);
  rm_.set_next_heartbeat_action(proto::RESYNC);
  EXPECT_TRUE(WaitUntil([&] { return rm_.registrations() >= 2; }, 5s));
  EXPECT_TRUE(WaitUntil([&] { return nm_->registered(); }));
}

TEST_F(NodeManagerTest, WrongHostTokenRefused) {
  StartRegistered();
  proto::StartContainerRequest r = Request(Cid(kApp, 1), {"true"});
  proto::ContainerTokenIdentifierProto ident;
  ident.ParseFromString(r.container_token().identifier());
  ident.set_nm_host_port("elsewhere:1");
  r.mutable_container_token()->set_identifier(ident.SerializeAsString());
  testing::SignContainerToken(rm_.key(), &r);
  auto resp = Start(r);
  ASSERT_EQ(resp.failed_requests_size(), 1);
  EXPECT_THAT(resp.failed_requests(0).exception(),
              HasSubstr("token is for elsewhere:1, this NodeManager is " + nm_->address()));
}

TEST_F(NodeManagerTest, StopKillsRunningContainers) {
  StartRegistered();
  ContainerId id = Cid(kApp, 4);
  StartOk(id, {"echo $$ > <LOG_DIR>/pid; exec sleep 100"});
  int pgid = WaitForPid(id);
  ASSERT_GT(pgid, 1);
  auto t0 = std::chrono::steady_clock::now();
  nm_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 8s);
  EXPECT_TRUE(WaitUntil([&] { return GroupGone(pgid); }, 2s));
  nm_->Stop();  // idempotent
}

TEST_F(NodeManagerTest, UncreatableDirIsAClearError) {
  StartRm();
  std::filesystem::create_directories(root_);
  std::ofstream(root_ + "/file") << "x";
  conf::Configuration c = Conf();
  c.Set("yarn.nodemanager.log-dirs", root_ + "/file/logs");
  auto nm = NodeManager::Create(c, RealClock::Get());
  ASSERT_TRUE(nm.ok());
  absl::Status s = (*nm)->Start();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("yarn.nodemanager.log-dirs"));
  EXPECT_THAT(s.message(), HasSubstr(root_ + "/file/logs"));
}

TEST_F(NodeManagerTest, BadConfigurationFailsCreate) {
  conf::Configuration c = Conf();
  c.Set("yarn.nodemanager.resource.memory-mb", "0");
  auto nm = NodeManager::Create(c, RealClock::Get());
  ASSERT_FALSE(nm.ok());
  EXPECT_THAT(nm.status().message(), HasSubstr("yarn.nodemanager.resource.memory-mb"));
}

// The submitting user from the container token reaches the NM REST API.
TEST_F(NodeManagerTest, WebApiShowsTheSubmittingUser) {
  StartRegistered();
  ContainerId id = Cid(kApp, 1);
  StartOk(id, {"sleep 30"});
  httplib::Client web("127.0.0.1", rm_.last_registration().http_port());
  auto res = web.Get("/ws/v1/node/containers/" + id.ToString());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->body, HasSubstr("\"user\":\"tester\""));
  EXPECT_THAT(res->body, HasSubstr("/node/containerlogs/" + id.ToString() + "/tester"));
  res = web.Get("/ws/v1/node/apps/" + kApp.ToString());
  ASSERT_TRUE(res);
  EXPECT_THAT(res->body, HasSubstr("\"user\":\"tester\""));
}

// Log aggregation: once the RM says the app finished and its containers are done, the logs of
// its containers land in ONE file per node and the local copies go.
TEST_F(NodeManagerTest, FinishedAppLogsAreAggregatedAndLocalLogsRemoved) {
  rm_.set_interval_ms(100);
  StartRm();
  conf::Configuration conf = Conf();
  conf.Set("yarn.log-aggregation-enable", "true");
  conf.Set("yarn.nodemanager.remote-app-log-dir", root_ + "/remote");
  StartNm(conf);
  ASSERT_TRUE(WaitUntil([&] { return nm_->registered(); }));
  ContainerId done = Cid(kApp, 1);
  ContainerId running = Cid(kApp, 2);
  StartOk(done, {"echo finished-output", "1><LOG_DIR>/stdout", "2><LOG_DIR>/stderr"});
  StartOk(running, {"{ echo still-here; exec sleep 30; }", "1><LOG_DIR>/stdout"});
  ASSERT_TRUE(WaitUntil([&] { return rm_.Completed(done).has_value(); }));
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(LogDir(running) + "/stdout") == "still-here\n"; }));
  rm_.CleanupApp(kApp);  // kills `running` (KILLED_AFTER_APP_COMPLETION), then aggregation
  const std::string remote =
      root_ + "/remote/tester/logs/" + kApp.ToString() + "/" + logs::NodeFileName(nm_->node_id());
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(remote); }));
  auto logs = logs::ReadAggregatedLogFile(remote);
  ASSERT_TRUE(logs.ok()) << logs.status();
  ASSERT_EQ(logs->size(), 2u);
  EXPECT_EQ((*logs)[0].container_id, done.ToString());
  std::map<std::string, std::string> files;
  for (const auto& f : (*logs)[0].files) files[f.name] = f.contents;
  EXPECT_EQ(files["stdout"], "finished-output\n");
  EXPECT_EQ(files.count("stderr"), 1u);
  EXPECT_EQ((*logs)[1].container_id, running.ToString());
  EXPECT_EQ((*logs)[1].files.back().name, "stdout");
  EXPECT_EQ((*logs)[1].files.back().contents, "still-here\n");
  EXPECT_TRUE(
      WaitUntil([&] { return !std::filesystem::exists(root_ + "/logs/" + kApp.ToString()); }));
}

// NodeManager restart: a real `yarn nodemanager` process, SIGKILLed and started again.
class NodeManagerRestartTest : public NodeManagerTest {
 protected:
  void SetUp() override {
    NodeManagerTest::SetUp();
    if (access(SKEIN_BIN_DIR "/yarn", X_OK) != 0) {
      GTEST_SKIP() << SKEIN_BIN_DIR "/yarn is not built (configure without skipping client/)";
    }
  }
  void TearDown() override {
    if (nm_process_ > 0) {
      kill(nm_process_, SIGKILL);
      waitpid(nm_process_, nullptr, 0);
    }
    NodeManagerTest::TearDown();
  }
  void WriteSite(bool recovery) {
    port_ = FreePort();
    nm_address_ = "127.0.0.1:" + std::to_string(port_);
    conf_dir_ = root_ + "/conf";
    std::filesystem::create_directories(conf_dir_);
    std::map<std::string, std::string> props = {
        {"yarn.nodemanager.address", nm_address_},
        {"yarn.nodemanager.webapp.address", "127.0.0.1:0"},
        {"yarn.nodemanager.local-dirs", root_ + "/local1"},
        {"yarn.nodemanager.log-dirs", root_ + "/logs"},
        {"yarn.resourcemanager.resource-tracker.address", "127.0.0.1:" + std::to_string(rm_port_)},
        {"yarn.resourcemanager.connect.retry-interval.ms", "200"},
        {"yarn.nodemanager.recovery.enabled", recovery ? "true" : "false"},
        {"yarn.nodemanager.recovery.dir", root_ + "/recovery"}};
    std::ofstream out(conf_dir_ + "/yarn-site.xml");
    out << "<configuration>";
    for (const auto& [k, v] : props) {
      out << "<property><name>" << k << "</name><value>" << v << "</value></property>";
    }
    out << "</configuration>";
  }
  void StartNmProcess() {
    const int before = rm_.registrations();
    nm_process_ = fork();
    if (nm_process_ == 0) {
      freopen((root_ + "/nm.err").c_str(), "a", stderr);
      execl(SKEIN_BIN_DIR "/yarn", "yarn", "--config", conf_dir_.c_str(), "nodemanager", nullptr);
      _exit(127);
    }
    ASSERT_TRUE(WaitUntil([&] { return rm_.registrations() > before; }))
        << ReadFile(root_ + "/nm.err");
    stub_ = proto::ContainerManagementProtocol::NewStub(MakeChannel(nm_address_));
  }
  void KillNmProcess() {
    kill(nm_process_, SIGKILL);
    waitpid(nm_process_, nullptr, 0);
    nm_process_ = -1;
  }
  int port_ = 0;
  std::string conf_dir_;
  pid_t nm_process_ = -1;
};

TEST_F(NodeManagerRestartTest, RecoveryKeepsRunningContainerAndReportsItsExitCode) {
  rm_.set_interval_ms(200);
  StartRm();
  WriteSite(true);
  StartNmProcess();
  ASSERT_TRUE(WaitUntil([&] { return rm_.heartbeats() >= 1; }));
  ContainerId id = Cid(kApp, 1);
  // Runs until told to stop through a file, then exits 7.
  const std::string stop = root_ + "/stop";
  StartOk(id, {"cut -d' ' -f5 /proc/$$/stat > <LOG_DIR>/pid; while [ ! -e " + stop +
               " ]; do sleep 0.1; done; exit 7"});
  const int pgid = WaitForPid(id);
  ASSERT_GT(pgid, 0);
  ASSERT_TRUE(WaitUntil([&] {
    auto s = rm_.LastStatus(id);
    return s.has_value() && s->state() == proto::C_RUNNING;
  }));
  KillNmProcess();
  EXPECT_FALSE(GroupGone(pgid)) << "the container died with its NodeManager";
  StartNmProcess();
  proto::RegisterNodeManagerRequest reg = rm_.last_registration();
  ASSERT_EQ(reg.container_statuses_size(), 1) << reg.DebugString();
  EXPECT_EQ(ContainerId::FromProto(reg.container_statuses(0).container_id()), id);
  EXPECT_EQ(reg.container_statuses(0).state(), proto::C_RUNNING);
  EXPECT_FALSE(GroupGone(pgid));
  std::ofstream(stop) << "now";
  ASSERT_TRUE(WaitUntil([&] { return rm_.Completed(id).has_value(); }, 20s))
      << ReadFile(root_ + "/nm.err");
  EXPECT_EQ(rm_.Completed(id)->exit_status(), 7);
}

TEST_F(NodeManagerRestartTest, WithoutRecoveryLeftoverContainersAreKilled) {
  rm_.set_interval_ms(200);
  StartRm();
  WriteSite(false);
  StartNmProcess();
  // The fake RM counts a registration when the call arrives; the NM takes containers only once
  // it has the answer, which its first heartbeat proves.
  ASSERT_TRUE(WaitUntil([&] { return rm_.heartbeats() >= 1; }));
  ContainerId id = Cid(kApp, 1);
  StartOk(id, {"cut -d' ' -f5 /proc/$$/stat > <LOG_DIR>/pid; exec sleep 60"});
  const int pgid = WaitForPid(id);
  ASSERT_GT(pgid, 0);
  KillNmProcess();
  EXPECT_FALSE(GroupGone(pgid));
  StartNmProcess();
  EXPECT_TRUE(WaitUntil([&] { return GroupGone(pgid); })) << ReadFile(root_ + "/nm.err");
  EXPECT_EQ(rm_.last_registration().container_statuses_size(), 0);
  EXPECT_THAT(ReadFile(root_ + "/nm.err"), HasSubstr("1 leftover(s) killed"));
}

TEST_F(NodeManagerTest, RecoveryNeedsAFixedPort) {
  StartRm();
  conf::Configuration conf = Conf();
  conf.Set("yarn.nodemanager.recovery.enabled", "true");
  auto nm = NodeManager::Create(conf, RealClock::Get());
  ASSERT_FALSE(nm.ok());
  EXPECT_THAT(std::string(nm.status().message()),
              HasSubstr("Cannot support recovery with an ephemeral server port. Check the "
                        "setting of yarn.nodemanager.address"));
}

}  // namespace
}  // namespace skein::nm
