// End to end (issue 4): NodeManager policing seen from the ResourceManager and the AM, with real
// `yarn` daemons on loopback. An unhealthy node (health script) leaves scheduling and returns; a
// distributed-shell container over its physical-memory limit is killed with YARN's diagnostic.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "common/ids.h"
#include "common/resource.h"
#include "common/rpc.h"
#include "gtest/gtest.h"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {
namespace fs = std::filesystem;

TEST(PolicingEndToEndTest, UnhealthyNodeGetsNoContainersUntilItsScriptPassesAgain) {
  const std::string dir =
      fs::path(::testing::TempDir()) / ("health_e2e_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string flag = dir + "/unhealthy";
  const std::string script = dir + "/health.sh";
  std::ofstream(script) << "#!/bin/bash\n[ -e " << flag
                        << " ] && echo 'ERROR flagged by test'\ntrue\n";
  chmod(script.c_str(), 0755);
  TestCluster cluster(1, {{"yarn.nodemanager.health-checker.script.path", script},
                          {"yarn.nodemanager.health-checker.interval-ms", "200"}});
  ASSERT_TRUE(cluster.Start().ok());  // healthy at first: Start waits for RUNNING nodes
  std::ofstream(flag) << "x";
  ASSERT_TRUE(
      WaitFor([&] { return cluster.CountNodes(proto::NS_UNHEALTHY) == 1; }, absl::Seconds(30)))
      << cluster.Yarn({"node", "-list", "-all"}).out
      << ReadFileOrEmpty(cluster.base_dir() + "/nm0/nm.err");
  CommandResult nodes = cluster.Yarn({"node", "-list", "-all"});
  EXPECT_TRUE(absl::StrContains(nodes.out, "UNHEALTHY")) << nodes.out << nodes.err;

  proto::GetNewApplicationResponse fresh;
  {
    auto ctx = MakeClientContext();
    ASSERT_TRUE(cluster.client().GetNewApplication(ctx.get(), {}, &fresh).ok());
  }
  proto::SubmitApplicationRequest req;
  auto* app = req.mutable_application_submission_context();
  *app->mutable_application_id() = fresh.application_id();
  app->set_application_name("waits-for-a-healthy-node");
  *app->mutable_resource() = Resource(256, 1).ToProto();
  app->mutable_am_container_spec()->add_command("true");
  {
    proto::SubmitApplicationResponse resp;
    auto ctx = MakeClientContext();
    ASSERT_TRUE(cluster.client().SubmitApplication(ctx.get(), req, &resp).ok());
  }
  const std::string id = ApplicationId::FromProto(fresh.application_id()).ToString();
  // Nothing may run while the only node is unhealthy.
  EXPECT_FALSE(WaitFor(
      [&] {
        auto r = cluster.Report(id);
        return r.ok() && r->yarn_application_state() != proto::ACCEPTED &&
               r->yarn_application_state() != proto::SUBMITTED;
      },
      absl::Seconds(3)));
  fs::remove(flag);
  ASSERT_TRUE(
      WaitFor([&] { return cluster.CountNodes(proto::NS_RUNNING) == 1; }, absl::Seconds(30)));
  auto done = cluster.WaitForState(id, {proto::FINISHED, proto::FAILED}, absl::Seconds(60));
  EXPECT_TRUE(done.ok()) << done.status();
  fs::remove_all(dir);
}

TEST(PolicingEndToEndTest, ContainerOverItsPhysicalMemoryIsKilledAndTheAmSeesWhy) {
  TestCluster cluster(1, {{"yarn.nodemanager.container-monitor.interval-ms", "300"},
                          {"yarn.nodemanager.vmem-check-enabled", "false"},
                          {"yarn.scheduler.minimum-allocation-mb", "128"}});
  ASSERT_TRUE(cluster.Start().ok());
  CommandResult r = cluster.Yarn(
      {"distributedshell", "-shell_command",
       "exec python3 -c 'import time; a = b\"x\" * (300 * 1024 * 1024); time.sleep(60)'",
       "-num_containers", "1", "-container_memory", "128"});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  std::string id = AppIdFrom(r.out);
  auto report = cluster.Report(id);
  ASSERT_TRUE(report.ok()) << r.out << r.err;
  EXPECT_EQ(report->final_application_status(), proto::APP_FAILED);
  EXPECT_TRUE(absl::StrContains(report->diagnostics(), "beyond the 'PHYSICAL' memory limit"))
      << report->diagnostics();
  EXPECT_TRUE(absl::StrContains(report->diagnostics(), "of 128 MB physical memory used"))
      << report->diagnostics();
}

}  // namespace
}  // namespace skein::testing
