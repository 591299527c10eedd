// Issue 4 end to end with real daemons: `yarn logs` reads the aggregated logs of a finished
// application, the ResourceManager deletes expired aggregated logs of finished applications
// (yarn.log-aggregation.retain-seconds), and a NodeManager whose disks are "full" leaves scheduling
// with YARN's report.
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {
namespace fs = std::filesystem;

TEST(LogsEndToEndTest, YarnLogsShowsAggregatedLogsAfterTheAppFinishes) {
  const std::string remote =
      fs::temp_directory_path().string() + "/skein_logs_e2e_" + std::to_string(getpid());
  fs::remove_all(remote);
  TestCluster cluster(1, {{"yarn.log-aggregation-enable", "true"},
                          {"yarn.nodemanager.remote-app-log-dir", remote}});
  ASSERT_TRUE(cluster.Start().ok());
  CommandResult r = cluster.Yarn({"distributedshell", "-shell_command",
                                  "echo hello-from-$CONTAINER_ID", "-num_containers", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string id = AppIdFrom(r.out);
  ASSERT_FALSE(id.empty()) << r.out;
  // Aggregation follows the RM's applications_to_cleanup on the next heartbeat.
  CommandResult logs;
  ASSERT_TRUE(WaitFor(
      [&] {
        logs = cluster.Yarn({"logs", "-applicationId", id});
        return logs.exit_code == 0;
      },
      absl::Seconds(30)))
      << logs.out << logs.err;
  EXPECT_TRUE(absl::StrContains(logs.out, "LogAggregationType: AGGREGATED")) << logs.out;
  EXPECT_TRUE(absl::StrContains(logs.out, "LogType:stdout\n")) << logs.out;
  EXPECT_TRUE(absl::StrContains(logs.out, "hello-from-container_")) << logs.out;
  EXPECT_TRUE(absl::StrContains(logs.out, "End of LogType:stdout\n")) << logs.out;
  // The local copies are gone; -am 1 shows the AM container only.
  EXPECT_TRUE(
      WaitFor([&] { return !fs::exists(cluster.nm_log_dir(0) + "/" + id); }, absl::Seconds(10)));
  CommandResult one = cluster.Yarn({"logs", "-applicationId", id, "-am", "1"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_TRUE(absl::StrContains(one.out, "_000001 on ")) << one.out;
  EXPECT_FALSE(absl::StrContains(one.out, "_000002 on ")) << one.out;
  CommandResult unknown = cluster.Yarn({"logs", "-applicationId", "application_1_0042"});
  EXPECT_EQ(unknown.exit_code, 255);
  EXPECT_TRUE(absl::StrContains(unknown.err,
                                "Can not find the logs for the application: "
                                "application_1_0042"))
      << unknown.err;
  fs::remove_all(remote);
}

// Sets a path's modification time to `seconds_ago` before now.
void Age(const std::string& path, int seconds_ago) {
  struct timespec times[2];
  clock_gettime(CLOCK_REALTIME, &times[0]);
  times[0].tv_sec -= seconds_ago;
  times[1] = times[0];
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

TEST(LogsEndToEndTest, ResourceManagerDeletesExpiredAggregatedLogsOfFinishedAppsOnly) {
  const std::string remote =
      fs::temp_directory_path().string() + "/skein_retention_e2e_" + std::to_string(getpid());
  fs::remove_all(remote);
  TestCluster cluster(1, {{"yarn.log-aggregation-enable", "true"},
                          {"yarn.nodemanager.remote-app-log-dir", remote},
                          {"yarn.log-aggregation.retain-seconds", "1"},
                          {"yarn.log-aggregation.retain-check-interval-seconds", "1"}});
  ASSERT_TRUE(cluster.Start().ok());
  // A finished application: its aggregated logs are written, then deleted a second later.
  CommandResult r = cluster.Yarn(
      {"distributedshell", "-shell_command", "echo retained-briefly", "-num_containers", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string finished = AppIdFrom(r.out);
  ASSERT_FALSE(finished.empty()) << r.out;
  auto report = cluster.Report(finished);
  ASSERT_TRUE(report.ok()) << report.status();
  const std::string user_dir = remote + "/" + report->user() + "/logs/";
  const std::string deleted_line = "deleted aggregated logs in " + user_dir + finished;
  ASSERT_TRUE(WaitFor(
      [&] {
        return absl::StrContains(ReadFileOrEmpty(cluster.base_dir() + "/rm.err"), deleted_line);
      },
      absl::Seconds(30)))
      << ReadFileOrEmpty(cluster.base_dir() + "/rm.err");
  EXPECT_FALSE(fs::exists(user_dir + finished));

  // A running application, with an (old) aggregated directory planted under its id: it stays.
  Process client;
  const std::string running = cluster.StartClient(
      client, {"distributedshell", "-shell_command", "sleep 120", "-num_containers", "1"});
  ASSERT_FALSE(running.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  ASSERT_TRUE(cluster.WaitForState(running, {proto::RUNNING}, absl::Seconds(30)).ok());
  const std::string running_dir = user_dir + running;
  fs::create_directories(running_dir);
  { std::ofstream(running_dir + "/somehost_1") << "rolled logs"; }
  Age(running_dir + "/somehost_1", 3600);
  Age(running_dir, 3600);
  // Walks that started after it was planted have passed over it: each is seen deleting an old
  // directory of an application the RM does not know, planted after the previous one went.
  for (const std::string canary : {"application_1_0098", "application_1_0099"}) {
    fs::create_directories(user_dir + canary);
    { std::ofstream(user_dir + canary + "/somehost_1") << "old"; }
    Age(user_dir + canary + "/somehost_1", 3600);
    Age(user_dir + canary, 3600);
    EXPECT_TRUE(WaitFor(
        [&] {
          return absl::StrContains(ReadFileOrEmpty(cluster.base_dir() + "/rm.err"),
                                   "deleted aggregated logs in " + user_dir + canary);
        },
        absl::Seconds(30)))
        << canary << "\n"
        << ReadFileOrEmpty(cluster.base_dir() + "/rm.err");
  }
  EXPECT_TRUE(fs::exists(running_dir + "/somehost_1"));
  EXPECT_EQ(cluster.Report(running)->yarn_application_state(), proto::RUNNING);

  // Once killed, it is finished: its directory goes too (with whatever the NM aggregated).
  CommandResult kill = cluster.Yarn({"application", "-kill", running});
  ASSERT_EQ(kill.exit_code, 0) << kill.out << kill.err;
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(running_dir); }, absl::Seconds(30)))
      << ReadFileOrEmpty(cluster.base_dir() + "/rm.err");
  (void)client.Wait(absl::Seconds(30));
  fs::remove_all(remote);
}

TEST(LogsEndToEndTest, FullDisksMakeTheNodeUnhealthy) {
  // Any real disk is above 0.0001 % used.
  TestCluster cluster(
      1, {{"yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage",
           "0.0001"}});
  // Start() waits for a RUNNING node, which normally never comes (the node reports unhealthy at
  // once): the daemons are up all the same, so its timeout is expected. On a loaded machine the
  // node may register before its first disk check and be RUNNING for a moment; either way it
  // must end UNHEALTHY below.
  absl::Status started = cluster.Start();
  EXPECT_TRUE(started.ok() || absl::IsDeadlineExceeded(started)) << started;
  ASSERT_TRUE(
      WaitFor([&] { return cluster.CountNodes(proto::NS_UNHEALTHY) == 1; }, absl::Seconds(30)));
  CommandResult list = cluster.Yarn({"node", "-list", "-all"});
  std::string node_id;
  for (absl::string_view line : absl::StrSplit(list.out, '\n')) {
    if (absl::StrContains(line, "UNHEALTHY")) {
      absl::string_view rest = absl::StripLeadingAsciiWhitespace(line);
      node_id = std::string(rest.substr(0, rest.find_first_of(" \t")));
    }
  }
  ASSERT_FALSE(node_id.empty()) << list.out;
  CommandResult status = cluster.Yarn({"node", "-status", node_id});
  EXPECT_TRUE(absl::StrContains(status.out,
                                "1/1 local-dirs usable space is below configured utilization "
                                "percentage/no more usable space [ "))
      << status.out;
  EXPECT_TRUE(absl::StrContains(status.out, "used space above threshold of 0.0001%")) << status.out;
}

}  // namespace
}  // namespace skein::testing
