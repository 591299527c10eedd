// Direct launches (no bash) with a real NodeManager, real processes and a fake ResourceTracker
// on 127.0.0.1: the container's program gets the YARN environment, its working directory, its
// stdout/stderr redirections and its exit code exactly as through launch_container.sh.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/rpc.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nodemanager/node_manager.h"
#include "nodemanager/testing/fake_resource_tracker.h"
#include "nodemanager/testing/nm_fixture.h"
#include "protos/container_manager.grpc.pb.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
using testing::ReadFile;
using testing::WaitUntil;

const ApplicationId kApp(1700000000000, 11);

// Prints what a container sees. As a bash script it counts its own shell level: 1 when the
// NodeManager exec'ed it directly, more through launch_container.sh and `bash -c`.
constexpr char kProbe[] = R"sh(#!/bin/bash
echo "args:$1|$2"
echo "pwd:$(pwd)"
echo "env:$CONTAINER_ID|$PWD|$LOG_DIRS|$MY_VAR|$USER|$NM_PORT"
echo "pid:$JVM_PID|$$|$(ps -o pgid= -p $$ | tr -d ' ')"
echo "shlvl:${SHLVL:-unset}"
echo "cgroup:$(grep -E '[:,]cpu[:,]' /proc/self/cgroup)"
echo "to stderr" >&2
exit 7
)sh";

class DirectLaunchTest : public testing::NodeManagerFixture {
 protected:
  DirectLaunchTest() : NodeManagerFixture("direct_launch") {}

  void SetUp() override {
    NodeManagerFixture::SetUp();
    std::filesystem::create_directories(root_ + "/bin");
    probe_ = root_ + "/bin/probe.sh";
    std::ofstream(probe_) << kProbe;
    chmod(probe_.c_str(), 0755);
    StartRm();
  }

  void StartRegistered(const std::map<std::string, std::string>& extra = {}) {
    conf::Configuration c =
        testing::NmTestConfiguration(root_ + "/local", root_ + "/logs", rm_port_);
    for (const auto& [k, v] : extra) c.Set(k, v);
    StartNm(c);
    ASSERT_TRUE(WaitUntil([&] { return nm_->registered(); }));
  }

  ContainerId StartOk(int seq, const std::vector<std::string>& command,
                      const std::map<std::string, std::string>& env = {}) {
    const ContainerId id = ContainerId::Make(ApplicationAttemptId(kApp, 1), 0, seq);
    proto::StartContainersRequest req;
    proto::StartContainerRequest* r = req.add_start_container_request();
    *r = testing::SignedStartRequest(id, nm_->address(), rm_.key(), 256, 1);
    for (const auto& c : command) r->mutable_container_launch_context()->add_command(c);
    for (const auto& [k, v] : env) {
      (*r->mutable_container_launch_context()->mutable_environment())[k] = v;
    }
    proto::StartContainersResponse resp;
    auto ctx = MakeClientContext(10s);
    EXPECT_TRUE(stub_->StartContainers(ctx.get(), req, &resp).ok());
    EXPECT_EQ(resp.succeeded_requests_size(), 1) << resp.DebugString();
    return id;
  }

  proto::ContainerStatusProto WaitCompleted(const ContainerId& id) {
    EXPECT_TRUE(WaitUntil([&] { return rm_.Completed(id).has_value(); }, 30s)) << id.ToString();
    return rm_.Completed(id).value_or(proto::ContainerStatusProto());
  }

  std::string LogDir(const ContainerId& id) {
    return root_ + "/logs/" + kApp.ToString() + "/" + id.ToString();
  }
  std::string WorkDir(const ContainerId& id) {
    return root_ + "/local/usercache/tester/appcache/" + kApp.ToString() + "/" + id.ToString();
  }

  std::string probe_;
};

TEST_F(DirectLaunchTest, ContainerGetsEnvironmentWorkDirRedirectionsAndExitCode) {
  StartRegistered();
  ContainerId id =
      StartOk(1, {probe_, "'two words'", "x", "1><LOG_DIR>/stdout", "2><LOG_DIR>/stderr"},
              {{"MY_VAR", "a 'quoted' $value"}});
  proto::ContainerStatusProto s = WaitCompleted(id);
  EXPECT_EQ(s.exit_status(), 7);
  EXPECT_THAT(s.diagnostics(), HasSubstr("Exit code: 7"));
  EXPECT_THAT(s.diagnostics(), HasSubstr("Last 4096 bytes of stderr :\nto stderr\n"));
  const std::string out = ReadFile(LogDir(id) + "/stdout");
  EXPECT_THAT(out, HasSubstr("args:two words|x\n"));
  EXPECT_THAT(out, HasSubstr("pwd:" + WorkDir(id) + "\n"));
  EXPECT_THAT(
      out, HasSubstr("env:" + id.ToString() + "|" + WorkDir(id) + "|" + LogDir(id) +
                     "|a 'quoted' $value|tester|" + std::to_string(nm_->node_id().port()) + "\n"));
  EXPECT_THAT(out, HasSubstr("shlvl:1\n"));  // no bash in between
  // JVM_PID is the container's pid, which leads its own process group.
  std::string pids = out.substr(out.find("pid:") + 4);
  pids = pids.substr(0, pids.find('\n'));
  const std::string pid = pids.substr(0, pids.find('|'));
  EXPECT_EQ(pids, pid + "|" + pid + "|" + pid);
  EXPECT_EQ(ReadFile(LogDir(id) + "/stderr"), "to stderr\n");
  EXPECT_TRUE(std::filesystem::exists(LogDir(id) + "/prelaunch.out"));
  // launch_container.sh is still written and runs the same command.
  EXPECT_THAT(ReadFile(WorkDir(id) + "/launch_container.sh"),
              HasSubstr("exec '" + probe_ + "' 'two words' 'x' 1>'" + LogDir(id) + "/stdout'"));
}

TEST_F(DirectLaunchTest, ShellCommandsStillGoThroughBash) {
  StartRegistered();
  ContainerId id = StartOk(2, {probe_, "\"$USER\"", "1><LOG_DIR>/stdout"});
  EXPECT_EQ(WaitCompleted(id).exit_status(), 7);
  const std::string out = ReadFile(LogDir(id) + "/stdout");
  EXPECT_THAT(out, HasSubstr("args:tester|\n"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("shlvl:1\n")));  // bash ran first
}

TEST_F(DirectLaunchTest, StopKillsADirectContainer) {
  StartRegistered();
  ContainerId id = StartOk(3, {"exec", "sleep", "100"});
  proto::StopContainersRequest stop;
  *stop.add_container_id() = id.ToProto();
  proto::StopContainersResponse resp;
  auto ctx = MakeClientContext(5s);
  ASSERT_TRUE(stub_->StopContainers(ctx.get(), stop, &resp).ok());
  proto::ContainerStatusProto s = WaitCompleted(id);
  EXPECT_EQ(s.exit_status(), -105);
  // 143 = 128 + SIGTERM: the stop killed `sleep 100`; it did not run to its end.
  EXPECT_THAT(s.diagnostics(), HasSubstr("Exit code is 143"));
}

bool CanUseCpuCgroup() {
  if (geteuid() != 0) return false;
  const std::string probe = "/sys/fs/cgroup/cpu/skein-direct-probe-" + std::to_string(getpid());
  if (mkdir(probe.c_str(), 0755) != 0) return false;
  rmdir(probe.c_str());
  return true;
}

TEST_F(DirectLaunchTest, DirectContainerRunsInsideItsCgroup) {
  if (!CanUseCpuCgroup()) {
    GTEST_SKIP() << "needs root and a writable cgroup v1 cpu controller at /sys/fs/cgroup/cpu";
  }
  const std::string hierarchy = "/skein-direct-test-" + std::to_string(getpid());
  StartRegistered({{"yarn.nodemanager.resource.cpu.enabled", "true"},
                   {"yarn.nodemanager.linux-container-executor.cgroups.hierarchy", hierarchy}});
  ContainerId id = StartOk(4, {probe_, "1><LOG_DIR>/stdout"});
  EXPECT_EQ(WaitCompleted(id).exit_status(), 7);
  const std::string out = ReadFile(LogDir(id) + "/stdout");
  EXPECT_THAT(out, HasSubstr("shlvl:1\n"));
  EXPECT_THAT(out, HasSubstr(":" + hierarchy + "/" + id.ToString() + "\n"));
  nm_->Stop();
  rmdir(("/sys/fs/cgroup/cpu" + hierarchy).c_str());
}

}  // namespace
}  // namespace skein::nm
