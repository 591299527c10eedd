// End to end for `yarn submit` (issue 5): Spark-style driver/executor jobs on a real local
// cluster, in cluster and client deploy modes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/resource.h"
#include "common/rpc.h"
#include "gtest/gtest.h"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {
namespace fs = std::filesystem;

std::string ReadTrimmed(const std::string& path) {
  std::string s = ReadFileOrEmpty(path);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(SubmitTest, BadArgumentsAreClearErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"--deploy-mode", "local", "pi"}, "--deploy-mode: \"local\" is not a deploy mode"},
      {{"--executor-memory", "lots", "pi"}, "--executor-memory: invalid memory size \"lots\""},
      {{"--num-executors", "0", "pi"}, "--num-executors: 0 is below the minimum of 1"},
      {{"pi", "0"}, "pi: SLICES: 0 must be at least 1"},
      {{"pi", "many"}, "pi: SLICES: \"many\" is not a whole number"},
      {{"pi", "2", "3"}, "pi: unexpected argument \"3\""},
      {{"shell", "--tasks", "2"}, "shell: no command given"},
      {{"shell", "--tasks", "0", "--", "true"}, "shell: --tasks: 0 must be at least 1"},
      {{"wordcount"}, "unknown program \"wordcount\""},
      {{"--conf", "novalue", "pi"}, "--conf: \"novalue\" is not of the form KEY=VALUE"},
      {{"--conf", "spark.yarn.maxAppAttempts=0", "pi"}, "spark.yarn.maxAppAttempts: 0"},
      {{"--files", "/nonexistent/a.txt", "pi"}, "--files: /nonexistent/a.txt does not exist"},
      {{"--archives", "hdfs://nn/env.tgz", "pi"}, "only local files and http(s):// URLs"},
      {{"--master", "local[2]", "pi"}, "--master: \"local[2]\" is not supported"},
      {{"--bogus", "pi"}, "unknown option --bogus"},
      {{"--queue"}, "--queue needs a value"},
      {{}, "no program given"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv = {TestCluster::YarnBinary(), "submit"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    CommandResult r = RunCommand(argv, absl::Seconds(30));
    EXPECT_EQ(r.exit_code, 1) << c.message;
    EXPECT_TRUE(absl::StrContains(r.err, c.message)) << "want: " << c.message << "\ngot: " << r.err;
  }
  CommandResult help =
      RunCommand({TestCluster::YarnBinary(), "submit", "--help"}, absl::Seconds(30));
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(help.out, "usage: yarn submit [options] pi [SLICES]"));
}

// Without any configuration the client says which RM address it falls back to. The test holds
// 127.0.0.1:8032 bound (not listening) so that the fallback cannot reach anybody's real RM.
TEST(SubmitTest, WithoutConfigurationItNamesTheFallbackAddress) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(8032);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    GTEST_SKIP() << "127.0.0.1:8032 is in use on this machine";
  }
  unsetenv("YARN_CONF_DIR");
  unsetenv("HADOOP_CONF_DIR");
  CommandResult r = RunCommand({TestCluster::YarnBinary(), "submit", "pi"}, absl::Seconds(60));
  close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(r.out, "falling back to 127.0.0.1:8032")) << r.out << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "Cannot reach the ResourceManager at")) << r.err;
}

TEST(SubmitTest, PiInClusterModePrintsTheResultInTheAmContainerLog) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  CommandResult r = cluster.Yarn({"submit", "--deploy-mode", "cluster", "--num-executors", "2",
                                  "--executor-memory", "512m", "--name", "pi-cluster", "pi", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(absl::StrContains(
      r.out, "Will allocate AM container, with 1408 MB memory including 384 MB overhead"))
      << r.out;
  EXPECT_TRUE(absl::StrContains(r.out,
                                "Will request 2 executor container(s), each with 1 core(s) "
                                "and 896 MB memory including 384 MB overhead"))
      << r.out;
  std::string id = AppIdFrom(r.out);
  ASSERT_FALSE(id.empty()) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "Application report for " + id + " (state: ")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "final status: SUCCEEDED")) << r.out;
  EXPECT_FALSE(absl::StrContains(r.out, "Pi is roughly")) << "cluster mode prints in the AM";
  auto report = cluster.Report(id);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->yarn_application_state(), proto::FINISHED);
  EXPECT_EQ(report->application_type(), "SPARK");
  EXPECT_EQ(report->name(), "pi-cluster");
  std::string result;
  for (const auto& f : FindFiles(cluster.nm_log_dir(0), "stdout")) {
    std::string text = ReadFileOrEmpty(f);
    if (absl::StrContains(text, "Pi is roughly")) result = text;
  }
  EXPECT_TRUE(absl::StrContains(result, "Pi is roughly 3.1")) << result;
  EXPECT_TRUE(absl::StrContains(result, "Initializing ApplicationMaster")) << result;
}

TEST(SubmitTest, PiInClientModePrintsTheResultOnStdout) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  CommandResult r = cluster.Yarn({"submit", "--driver-memory", "4g", "pi", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "--driver-memory 4g is ignored")) << r.out;
  EXPECT_TRUE(absl::StrContains(
      r.out, "Will allocate AM container, with 896 MB memory including 384 MB overhead"))
      << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "Pi is roughly 3.1")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "final status: SUCCEEDED")) << r.out;
}

// Client mode, 2 executors of 1g on a node with minimum allocation 1024: the AM (512m + 384 =
// 896 -> 1024) and two executors (1g + 384 = 1408 -> 2048) use 5120 MB. Then Ctrl-C on the
// client kills the application.
TEST(SubmitTest, NodeUsedMemoryMatchesTheSizingRulesAndSigintKillsTheApplication) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  Process client;
  std::string out = cluster.base_dir() + "/client.out";
  std::string id =
      cluster.StartClient(client, {"submit", "--num-executors", "2", "--executor-memory", "1g",
                                   "shell", "--tasks", "2", "--", "sleep", "60"});
  ASSERT_FALSE(id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  ASSERT_TRUE(cluster.WaitForState(id, {proto::RUNNING}, absl::Seconds(30)).ok());
  std::string nodes_out;
  EXPECT_TRUE(WaitFor(
      [&] {
        nodes_out = cluster.Yarn({"node", "-list", "-showDetails"}).out;
        return absl::StrContains(nodes_out, "Allocated Resources : <memory:5120, vCores:3>");
      },
      absl::Seconds(30)))
      << nodes_out;
  {
    proto::GetClusterNodesRequest req;
    proto::GetClusterNodesResponse resp;
    auto ctx = MakeClientContext();
    ASSERT_TRUE(cluster.client().GetClusterNodes(ctx.get(), req, &resp).ok());
    ASSERT_EQ(resp.node_reports_size(), 1);
    EXPECT_EQ(Resource::FromProto(resp.node_reports(0).used()).memory_mb, 5120);
    EXPECT_EQ(resp.node_reports(0).num_containers(), 3);
  }
  client.Signal(SIGINT);
  auto rc = client.Wait(absl::Seconds(30));
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(*rc, 128 + SIGINT);
  EXPECT_TRUE(absl::StrContains(ReadFileOrEmpty(out), "Killing application " + id))
      << ReadFileOrEmpty(out);
  auto killed = cluster.WaitForState(id, {proto::KILLED}, absl::Seconds(30));
  ASSERT_TRUE(killed.ok()) << killed.status();
  EXPECT_EQ(killed->yarn_application_state(), proto::KILLED);
}

TEST(SubmitTest, KillingAnExecutorMidJobStillCompletesTheJob) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  std::string dir = cluster.base_dir() + "/pids";
  fs::create_directories(dir);
  Process client;
  std::string out = cluster.base_dir() + "/client.out";
  // Each task records its executor's pid (the shell's parent) and sleeps a little.
  ASSERT_TRUE(
      client
          .Start({TestCluster::YarnBinary(), "--config", cluster.conf_dir(), "submit",
                  "--num-executors", "2", "--executor-memory", "512m", "shell", "--tasks", "4",
                  "--", "/bin/sh", "-c", "echo $PPID > " + dir + "/task-$TASK_INDEX.pid; sleep 2"},
                 out, cluster.base_dir() + "/client.err")
          .ok());
  std::string victim;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& e : fs::directory_iterator(dir)) {
          victim = ReadTrimmed(e.path().string());
          if (!victim.empty()) return true;
        }
        return false;
      },
      absl::Seconds(60)))
      << ReadFileOrEmpty(out);
  ASSERT_GT(std::stoi(victim), 1);
  ASSERT_EQ(kill(std::stoi(victim), SIGKILL), 0) << "executor pid " << victim;
  auto rc = client.Wait(absl::Seconds(90));
  ASSERT_TRUE(rc.ok()) << ReadFileOrEmpty(out);
  std::string text = ReadFileOrEmpty(out);
  EXPECT_EQ(*rc, 0) << text << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  EXPECT_TRUE(absl::StrContains(text, "4 of 4 task(s) succeeded")) << text;
  EXPECT_TRUE(absl::StrContains(text, "final status: SUCCEEDED")) << text;
  // The AM saw the executor die and replaced it.
  std::string am_log;
  for (const auto& f : FindFiles(cluster.nm_log_dir(0), "stdout")) {
    std::string log = ReadFileOrEmpty(f);
    if (absl::StrContains(log, "Initializing ApplicationMaster")) am_log = log;
  }
  EXPECT_TRUE(absl::StrContains(am_log, "1 of 4 allowed executor failures")) << am_log;
  if (getenv("SUBMIT_TEST_VERBOSE") != nullptr) std::cout << text << am_log;
}

// The pid of the process running `binary` whose environment holds CONTAINER_ID=<container>,
// or -1.
pid_t FindContainerProcess(const std::string& binary, const std::string& container) {
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = ReadFileOrEmpty(e.path().string() + "/cmdline");
    if (cmdline.rfind(binary, 0) != 0) continue;
    std::string environ = ReadFileOrEmpty(e.path().string() + "/environ");
    if (environ.find(std::string("CONTAINER_ID=") + container + '\0') == std::string::npos) {
      continue;
    }
    return static_cast<pid_t>(std::stoi(name));
  }
  return -1;
}

// Cluster mode: the driver dies with its AM; spark.yarn.maxAppAttempts=2 lets the RM start a
// second attempt, which runs the job again to success.
TEST(SubmitTest, ClusterModeAmFailureStartsANewAttempt) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  std::string dir = cluster.base_dir() + "/started";
  fs::create_directories(dir);
  Process client;
  std::string out = cluster.base_dir() + "/client.out";
  std::string id = cluster.StartClient(
      client, {"submit", "--deploy-mode", "cluster", "--num-executors", "1", "--executor-memory",
               "512m", "--conf", "spark.yarn.maxAppAttempts=2", "shell", "--tasks", "2", "--",
               "/bin/sh", "-c", "touch " + dir + "/$TASK_INDEX; sleep 2"});
  ASSERT_FALSE(id.empty()) << ReadFileOrEmpty(cluster.base_dir() + "/client.err");
  ASSERT_TRUE(WaitFor([&] { return fs::exists(dir + "/0"); }, absl::Seconds(30)));
  std::string am_container =
      "container_" + id.substr(std::string("application_").size()) + "_01_000001";
  std::string am_binary =
      (fs::path(TestCluster::YarnBinary()).parent_path() / "skein-launcher-am").string();
  pid_t am = FindContainerProcess(am_binary, am_container);
  ASSERT_GT(am, 0) << "no " << am_binary << " process for " << am_container;
  ASSERT_EQ(kill(am, SIGKILL), 0);
  auto rc = client.Wait(absl::Seconds(120));
  ASSERT_TRUE(rc.ok());
  std::string text = ReadFileOrEmpty(out);
  EXPECT_EQ(*rc, 0) << text;
  EXPECT_TRUE(absl::StrContains(text, "final status: SUCCEEDED")) << text;
  auto report = cluster.Report(id);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->current_application_attempt_id().attempt_id(), 2);
}

// Every task kills its own executor: after spark.executor.maxNumFailures executor failures the
// application fails with a diagnostic naming the limit.
TEST(SubmitTest, ExecutorFailureLimitFailsTheApplication) {
  TestCluster cluster(1);
  ASSERT_TRUE(cluster.Start().ok());
  CommandResult r = cluster.Yarn(
      {"submit", "--num-executors", "1", "--executor-memory", "512m", "--conf",
       "spark.executor.maxNumFailures=2", "shell", "--", "/bin/sh", "-c", "kill -9 $PPID"},
      absl::Seconds(120));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "Job failed: Max number of executor failures (2) reached"))
      << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "diagnostics: Max number of executor failures (2) reached"))
      << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "final status: FAILED")) << r.out;
  std::string id = AppIdFrom(r.out);
  auto report = cluster.Report(id);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->final_application_status(), proto::APP_FAILED);
}

}  // namespace
}  // namespace skein::testing
