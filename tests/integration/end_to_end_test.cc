// End to end: real ResourceManager and NodeManager processes on loopback, driven by the real
// `yarn` command, as a user would.
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/conf/configuration.h"
#include "common/ids.h"
#include "common/resource.h"
#include "common/rpc.h"
#include "gtest/gtest.h"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {
namespace fs = std::filesystem;

std::string SubmitRawApp(const TestCluster& cluster, const std::string& am_command) {
  proto::GetNewApplicationResponse fresh;
  {
    auto ctx = MakeClientContext();
    EXPECT_TRUE(cluster.client().GetNewApplication(ctx.get(), {}, &fresh).ok());
  }
  proto::SubmitApplicationRequest req;
  auto* app = req.mutable_application_submission_context();
  *app->mutable_application_id() = fresh.application_id();
  app->set_application_name("raw");
  *app->mutable_resource() = Resource(256, 1).ToProto();
  app->mutable_am_container_spec()->add_command(am_command);
  proto::SubmitApplicationResponse resp;
  auto ctx = MakeClientContext();
  grpc::Status s = cluster.client().SubmitApplication(ctx.get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return ApplicationId::FromProto(fresh.application_id()).ToString();
}

TEST(EndToEndTest, DistributedShellRunsFourContainersThatEachWriteAFile) {
  TestCluster cluster(2);
  ASSERT_TRUE(cluster.Start().ok());
  std::string out_dir = cluster.base_dir() + "/out";
  fs::create_directories(out_dir);
  CommandResult r = cluster.Yarn({"distributedshell", "-shell_command",
                                  "echo \"ran on $NM_HOST\" > " + out_dir + "/$CONTAINER_ID",
                                  "-num_containers", "4", "-container_memory", "512"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string id = AppIdFrom(r.out);
  ASSERT_FALSE(id.empty()) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "Submitted application " + id)) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "state: ACCEPTED") || absl::StrContains(r.out, "RUNNING"))
      << r.out;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(out_dir)) {
    EXPECT_TRUE(absl::StartsWith(entry.path().filename().string(), "container_"));
    EXPECT_TRUE(absl::StrContains(ReadFileOrEmpty(entry.path()), "ran on 127.0.0.1"));
    ++files;
  }
  EXPECT_EQ(files, 4);
  auto report = cluster.Report(id);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->yarn_application_state(), proto::FINISHED);
  EXPECT_EQ(report->final_application_status(), proto::APP_SUCCEEDED);
  // The AM's own log is where YARN puts it.
  std::vector<std::string> am_logs;
  for (int i = 0; i < 2; ++i) {
    for (auto& f : FindFiles(cluster.nm_log_dir(i), "AppMaster.stdout")) am_logs.push_back(f);
  }
  ASSERT_EQ(am_logs.size(), 1u);
  EXPECT_TRUE(absl::StrContains(am_logs[0], id));
}

TEST(EndToEndTest, FailingContainerFailsTheApplicationWithItsDiagnostics) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  CommandResult r = cluster.Yarn(
      {"distributedshell", "-shell_command", "echo oops >&2; exit 3", "-num_containers", "2"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  std::string id = AppIdFrom(r.out);
  auto report = cluster.Report(id);
  ASSERT_TRUE(report.ok()) << r.out << r.err;
  EXPECT_EQ(report->yarn_application_state(), proto::FINISHED);
  EXPECT_EQ(report->final_application_status(), proto::APP_FAILED);
  EXPECT_TRUE(absl::StrContains(report->diagnostics(), "failed=2")) << report->diagnostics();
  EXPECT_TRUE(absl::StrContains(report->diagnostics(), "oops")) << report->diagnostics();
}

TEST(EndToEndTest, ApplicationListStatusAndKillAgainstARunningApp) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  Process client;
  std::string id = cluster.StartClient(client, {"distributedshell", "-shell_command", "sleep 60",
                                                "-num_containers", "1", "-appname", "sleepy"});
  ASSERT_FALSE(id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  ASSERT_TRUE(cluster.WaitForState(id, {proto::RUNNING}, absl::Seconds(30)).ok());

  CommandResult list = cluster.Yarn({"application", "-list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(absl::StrContains(
      list.out,
      "Total number of applications (application-types: [], states: [SUBMITTED, ACCEPTED, "
      "RUNNING] and tags: []):1"))
      << list.out;
  EXPECT_TRUE(absl::StrContains(list.out, "Application-Id")) << list.out;
  EXPECT_TRUE(absl::StrContains(list.out, id)) << list.out;
  EXPECT_TRUE(absl::StrContains(list.out, "sleepy")) << list.out;

  CommandResult status = cluster.Yarn({"application", "-status", id});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_TRUE(absl::StrContains(status.out, "Application Report : ")) << status.out;
  EXPECT_TRUE(absl::StrContains(status.out, "\tApplication-Id : " + id)) << status.out;
  EXPECT_TRUE(absl::StrContains(status.out, "\tState : RUNNING")) << status.out;

  CommandResult kill = cluster.Yarn({"application", "-kill", id});
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_TRUE(absl::StrContains(kill.out + kill.err, "Killing application " + id)) << kill.out;
  auto killed = cluster.WaitForState(id, {proto::KILLED}, absl::Seconds(10));
  ASSERT_TRUE(killed.ok()) << killed.status();
  EXPECT_EQ(killed->final_application_status(), proto::APP_KILLED);
  auto client_exit = client.Wait(absl::Seconds(20));
  ASSERT_TRUE(client_exit.ok());
  EXPECT_NE(*client_exit, 0);

  CommandResult again = cluster.Yarn({"application", "-kill", id});
  EXPECT_TRUE(absl::StrContains(again.out + again.err, "has already finished")) << again.out;
  CommandResult killed_list = cluster.Yarn({"application", "-list", "-appStates", "KILLED"});
  EXPECT_TRUE(absl::StrContains(killed_list.out, id)) << killed_list.out;
  // The containers are really gone: the node reports none running.
  EXPECT_TRUE(WaitFor(
      [&] {
        CommandResult nodes = cluster.Yarn({"node", "-list"});
        return absl::StrContains(nodes.out, "Total Nodes:1") &&
               absl::StrContains(nodes.out, "\t                           0");
      },
      absl::Seconds(15)));

  std::string bogus = absl::StrCat("application_", id.substr(12, 13), "_9999");
  CommandResult unknown = cluster.Yarn({"application", "-status", bogus});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(unknown.out + unknown.err,
                                "Application with id '" + bogus + "' doesn't exist in RM"))
      << unknown.out << unknown.err;
}

TEST(EndToEndTest, AmThatExitsNonZeroGetsASecondAttemptThenFails) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  std::string id = SubmitRawApp(cluster, "echo failing-am >&2; exit 7");
  auto report = cluster.WaitForState(id, {proto::FAILED}, absl::Seconds(60));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->final_application_status(), proto::APP_FAILED);
  EXPECT_TRUE(absl::StrContains(report->diagnostics(), "failed 2 times")) << report->diagnostics();
  EXPECT_TRUE(absl::StrContains(report->diagnostics(), "exitCode: 7")) << report->diagnostics();
  proto::GetApplicationAttemptsRequest req;
  *req.mutable_application_id() = ApplicationId::Parse(id)->ToProto();
  proto::GetApplicationAttemptsResponse resp;
  auto ctx = MakeClientContext();
  ASSERT_TRUE(cluster.client().GetApplicationAttempts(ctx.get(), req, &resp).ok());
  ASSERT_EQ(resp.application_attempts_size(), 2);
  EXPECT_EQ(resp.application_attempts(1).yarn_application_attempt_state(),
            proto::APP_ATTEMPT_FAILED);
}

TEST(EndToEndTest, KilledNodeManagerBecomesLostAndItsContainersAborted) {
  TestCluster cluster(2, {{"yarn.nm.liveness-monitor.expiry-interval-ms", "3000"},
                          {"yarn.resourcemanager.nm.liveness-monitor.interval-ms", "500"}});
  ASSERT_TRUE(cluster.Start().ok());
  Process client;
  std::string id =
      cluster.StartClient(client, {"distributedshell", "-shell_command", "sleep 6",
                                   "-num_containers", "4", "-container_memory", "2048"});
  ASSERT_FALSE(id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  ASSERT_TRUE(cluster.WaitForState(id, {proto::RUNNING}, absl::Seconds(30)).ok());
  // Which node runs the AM? Kill the other one once containers run on it.
  int am_node = -1;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (int i = 0; i < 2; ++i) {
          if (!FindFiles(cluster.nm_log_dir(i), "AppMaster.stdout").empty()) am_node = i;
        }
        if (am_node < 0 || FindFiles(cluster.nm_log_dir(1 - am_node), "stdout").empty()) {
          return false;
        }
        // Only once the AM has every StartContainers reply: killed earlier, the NM would fail a
        // start (a different path from the one tested here).
        std::string am_log =
            ReadFileOrEmpty(FindFiles(cluster.nm_log_dir(am_node), "AppMaster.stdout").at(0));
        return CountOccurrences(am_log, "Succeeded to start Container") == 4;
      },
      absl::Seconds(30)));
  cluster.KillNodeManager(1 - am_node);
  EXPECT_TRUE(WaitFor([&] { return cluster.CountNodes(proto::NS_LOST) == 1; }, absl::Seconds(20)));
  CommandResult nodes = cluster.Yarn({"node", "-list", "-all"});
  EXPECT_TRUE(absl::StrContains(nodes.out, "LOST")) << nodes.out;
  auto client_exit = client.Wait(absl::Seconds(60));
  ASSERT_TRUE(client_exit.ok());
  std::string am_log =
      ReadFileOrEmpty(FindFiles(cluster.nm_log_dir(am_node), "AppMaster.stdout").at(0));
  EXPECT_TRUE(absl::StrContains(am_log, "exitStatus=-100")) << am_log;
  EXPECT_TRUE(absl::StrContains(am_log, "lost")) << am_log;
}

TEST(EndToEndTest, BadInputGetsClearErrorsAndNoDaemonCrashes) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  // AM ask above the maximum allocation.
  CommandResult big =
      cluster.Yarn({"distributedshell", "-shell_command", "true", "-master_memory", "99999"});
  EXPECT_NE(big.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(big.out + big.err, "99999")) << big.out << big.err;
  EXPECT_TRUE(absl::StrContains(big.out + big.err, "8192")) << big.out << big.err;
  // Negative container memory is refused before anything is submitted.
  CommandResult neg =
      cluster.Yarn({"distributedshell", "-shell_command", "true", "-container_memory", "-5"});
  EXPECT_NE(neg.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(neg.out + neg.err, "-5")) << neg.out << neg.err;
  // Malformed configuration: file and line named, no crash.
  std::string bad_conf = cluster.base_dir() + "/bad-conf";
  fs::create_directories(bad_conf);
  std::ofstream(bad_conf + "/yarn-site.xml") << "<configuration>\n<property>\n<name>x</name>\n"
                                                "<value>1</value>\n</configuration>\n";
  CommandResult malformed = RunCommand(
      {TestCluster::YarnBinary(), "--config", bad_conf, "application", "-list"}, absl::Seconds(30));
  EXPECT_NE(malformed.exit_code, 0);
  EXPECT_LT(malformed.exit_code, 128) << "crashed";
  EXPECT_TRUE(absl::StrContains(malformed.err + malformed.out, "yarn-site.xml:")) << malformed.err;
  // A second ResourceManager on a port in use fails clearly.
  conf::Configuration client_conf;
  ASSERT_TRUE(client_conf.AddResourceFile(cluster.conf_dir() + "/yarn-site.xml").ok());
  std::string taken = *client_conf.Get("yarn.resourcemanager.address");
  std::string dup_conf = cluster.base_dir() + "/dup-conf";
  fs::create_directories(dup_conf);
  std::ofstream(dup_conf + "/yarn-site.xml")
      << "<configuration><property><name>yarn.resourcemanager.address</name><value>" << taken
      << "</value></property></configuration>\n";
  CommandResult dup = RunCommand(
      {TestCluster::YarnBinary(), "--config", dup_conf, "resourcemanager"}, absl::Seconds(30));
  EXPECT_NE(dup.exit_code, 0);
  EXPECT_LT(dup.exit_code, 128) << "crashed";
  EXPECT_TRUE(absl::StrContains(dup.err + dup.out, taken)) << dup.err;
  // The cluster is still healthy after all that.
  EXPECT_EQ(cluster.CountNodes(proto::NS_RUNNING), 1);
  CommandResult ok = cluster.Yarn({"distributedshell", "-shell_command", "true"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
}

}  // namespace
}  // namespace skein::testing
