#include "appmaster/launcher/driver.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "appmaster/launcher/executor.h"
#include "appmaster/testing/launcher_jobs.h"
#include "common/rpc.h"
#include "gtest/gtest.h"

namespace skein::launcher {
namespace {

using am::testing::PiJob;
using am::testing::ShellJob;

proto::LauncherTaskResultProto PiResult(int index) {
  proto::LauncherTaskResultProto r;
  r.set_index(index);
  r.set_inside(3);
  r.set_samples(4);
  return r;
}

TEST(DriverTest, HandsOutEveryTaskOnceAndFinishes) {
  std::ostringstream out;
  Driver d(PiJob(3), &out);
  std::set<int> seen;
  for (int i = 0; i < 3; ++i) {
    auto t = d.NextTask(i % 2 == 0 ? "e1" : "e2");
    ASSERT_EQ(t.action(), proto::GetTaskResponse::RUN);
    EXPECT_TRUE(seen.insert(t.task().index()).second);
  }
  EXPECT_EQ(d.NextTask("e1").action(), proto::GetTaskResponse::WAIT);
  d.ReportResult("e1", PiResult(0));
  d.ReportResult("e2", PiResult(1));
  EXPECT_FALSE(d.done());
  EXPECT_EQ(d.Status().tasks_done(), 2);
  d.ReportResult("e1", PiResult(2));
  EXPECT_TRUE(d.done());
  EXPECT_TRUE(d.Status().succeeded());
  EXPECT_EQ(out.str(), "Pi is roughly 3.0000000000\n");
  EXPECT_EQ(d.NextTask("e1").action(), proto::GetTaskResponse::SHUTDOWN);
  EXPECT_EQ(d.registered_executors(), 2u);
}

TEST(DriverTest, ReRunsTheTaskOfALostExecutorAndIgnoresItsLateResult) {
  Driver d(PiJob(2));
  auto t0 = d.NextTask("e1");
  auto t1 = d.NextTask("e2");
  ASSERT_EQ(t0.action(), proto::GetTaskResponse::RUN);
  d.ExecutorLost("e1", "killed");
  EXPECT_EQ(d.reruns(), 1);
  EXPECT_EQ(d.NextTask("e1").action(), proto::GetTaskResponse::SHUTDOWN);
  d.ReportResult("e1", PiResult(t0.task().index()));  // late: ignored
  EXPECT_EQ(d.Status().tasks_done(), 0);
  auto again = d.NextTask("e3");
  ASSERT_EQ(again.action(), proto::GetTaskResponse::RUN);
  EXPECT_EQ(again.task().index(), t0.task().index());
  EXPECT_EQ(again.task().attempt(), 1);
  d.ReportResult("e3", PiResult(again.task().index()));
  d.ReportResult("e2", PiResult(t1.task().index()));
  EXPECT_TRUE(d.WaitUntilDone(absl::Seconds(1)));
  EXPECT_TRUE(d.outcome().succeeded);
}

TEST(DriverTest, IgnoresResultsForTasksTheExecutorDoesNotRun) {
  Driver d(PiJob(1));
  d.ReportResult("stranger", PiResult(0));
  auto t = d.NextTask("e1");
  d.ReportResult("e2", PiResult(0));
  EXPECT_FALSE(d.done());
  d.ReportResult("e1", PiResult(t.task().index()));
  d.ReportResult("e1", PiResult(t.task().index()));
  EXPECT_TRUE(d.done());
}

TEST(DriverTest, AbortFailsTheJobWithTheReason) {
  std::ostringstream out;
  Driver d(PiJob(2), &out);
  EXPECT_FALSE(d.WaitUntilDone(absl::Milliseconds(10)));
  d.Abort("Max number of executor failures (3) reached");
  EXPECT_TRUE(d.done());
  auto s = d.Status();
  EXPECT_FALSE(s.succeeded());
  EXPECT_EQ(s.diagnostics(), "Max number of executor failures (3) reached");
  EXPECT_TRUE(absl::StrContains(out.str(), "Job failed: Max number")) << out.str();
  d.Abort("again");  // no-op
  EXPECT_EQ(d.Status().diagnostics(), "Max number of executor failures (3) reached");
}

TEST(DriverTest, JobEncodingRoundTripsAndBadTextIsAClearError) {
  proto::LauncherJobProto job = ShellJob(2, {"echo", "a b"});
  job.set_num_executors(3);
  auto back = DecodeJob(EncodeJob(job));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->command(1), "a b");
  EXPECT_EQ(back->num_executors(), 3);
  EXPECT_TRUE(absl::StrContains(DecodeJob("").status().message(), "SKEIN_LAUNCHER_JOB is not set"));
  EXPECT_TRUE(
      absl::StrContains(DecodeJob("!!!").status().message(), "does not hold a launcher job"));
  EXPECT_TRUE(absl::StrContains(DecodeJob(EncodeJob(PiJob(0))).status().message(),
                                "SKEIN_LAUNCHER_JOB: pi: slices 0"));
}

// A driver served over gRPC on loopback with executors running in threads.
struct Served {
  explicit Served(proto::LauncherJobProto job) : driver(std::move(job), &out) {
    auto s = DriverServer::Start(driver, "127.0.0.1:0");
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) server = std::move(*s);
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", server->port()); }
  std::ostringstream out;
  Driver driver;
  std::unique_ptr<DriverServer> server;
};

std::string ReadPid(const std::string& path) {
  std::ifstream in(path);
  std::string pid;
  in >> pid;
  return pid;
}

int RunThreadExecutor(const std::string& address, const std::string& id, std::ostream& log) {
  auto stub = proto::LauncherDriverProtocol::NewStub(MakeChannel(address));
  ProcessTaskRunner runner;
  ExecutorOptions o;
  o.executor_id = id;
  o.driver_timeout = absl::Seconds(10);
  o.wait_interval = absl::Milliseconds(10);
  return RunExecutor(*stub, runner, o, log);
}

TEST(DriverServiceTest, PiOverGrpcWithTwoExecutors) {
  Served s(PiJob(4));
  ASSERT_NE(s.server, nullptr);
  std::ostringstream log1, log2;
  int rc1 = -1, rc2 = -1;
  std::thread a([&] { rc1 = RunThreadExecutor(s.address(), "e1", log1); });
  std::thread b([&] { rc2 = RunThreadExecutor(s.address(), "e2", log2); });
  EXPECT_TRUE(s.driver.WaitUntilDone(absl::Seconds(30)));
  a.join();
  b.join();
  EXPECT_EQ(rc1, 0) << log1.str();
  EXPECT_EQ(rc2, 0) << log2.str();
  EXPECT_TRUE(absl::StartsWith(s.out.str(), "Pi is roughly 3.1")) << s.out.str();
  EXPECT_TRUE(s.driver.outcome().succeeded);
}

TEST(DriverServiceTest, ShellTasksSeeTheirIndexAndExitCodesAreCollected) {
  Served s(ShellJob(3, {"/bin/sh", "-c", "exit $TASK_INDEX"}));
  ASSERT_NE(s.server, nullptr);
  std::ostringstream log;
  EXPECT_EQ(RunThreadExecutor(s.address(), "e1", log), 0) << log.str();
  ASSERT_TRUE(s.driver.done());
  JobOutcome o = s.driver.outcome();
  EXPECT_FALSE(o.succeeded);
  EXPECT_TRUE(absl::StrContains(o.output, "Task 0 exited with code 0")) << o.output;
  EXPECT_TRUE(absl::StrContains(o.output, "Task 2 exited with code 2")) << o.output;
  EXPECT_EQ(o.diagnostics, "2 of 3 shell task(s) failed; first: task 1 exited with code 1");
}

TEST(DriverServiceTest, AMissingCommandExits127) {
  Served s(ShellJob(1, {"/nonexistent/command"}));
  std::ostringstream log;
  EXPECT_EQ(RunThreadExecutor(s.address(), "e1", log), 0);
  EXPECT_TRUE(absl::StrContains(s.driver.outcome().output, "Task 0 exited with code 127"));
}

TEST(DriverServiceTest, EmptyExecutorIdIsRejected) {
  Served s(PiJob(1));
  auto stub = proto::LauncherDriverProtocol::NewStub(MakeChannel(s.address()));
  grpc::ClientContext ctx;
  proto::GetTaskRequest req;
  proto::GetTaskResponse resp;
  grpc::Status st = stub->GetTask(&ctx, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "GetTask: empty executor_id");
}

TEST(DriverServiceTest, AbortOverGrpcFailsTheJob) {
  Served s(PiJob(1));
  auto stub = proto::LauncherDriverProtocol::NewStub(MakeChannel(s.address()));
  grpc::ClientContext ctx;
  proto::JobStatusRequest req;
  req.set_abort_reason("Max number of executor failures (2) reached");
  proto::JobStatusResponse resp;
  ASSERT_TRUE(stub->GetJobStatus(&ctx, req, &resp).ok());
  EXPECT_TRUE(resp.done());
  EXPECT_FALSE(resp.succeeded());
  EXPECT_EQ(resp.diagnostics(), "Max number of executor failures (2) reached");
}

TEST(ExecutorTest, GivesUpWhenTheDriverIsUnreachable) {
  std::ostringstream log;
  auto stub = proto::LauncherDriverProtocol::NewStub(MakeChannel("127.0.0.1:1"));
  ProcessTaskRunner runner;
  ExecutorOptions o;
  o.executor_id = "e1";
  o.driver_timeout = absl::Milliseconds(300);
  o.wait_interval = absl::Milliseconds(20);
  EXPECT_EQ(RunExecutor(*stub, runner, o, log), 1);
  EXPECT_TRUE(absl::StrContains(log.str(), "giving up on the driver")) << log.str();
}

// The real skein-executor binary: killed mid-task, its task is re-run by a second executor.
TEST(ExecutorBinaryTest, KilledExecutorsTaskIsReRunByAnother) {
  std::string dir = ::testing::TempDir() + "/launcher_exec_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  // Task 0 sleeps (long enough to be killed) the first time, and finishes at once on a re-run.
  Served s(ShellJob(1, {"/bin/sh", "-c",
                        "if [ -e " + dir + "/ran ]; then exit 0; fi; touch " + dir +
                            "/ran; echo $$ > " + dir + "/pid; exec sleep 30"}));
  ASSERT_NE(s.server, nullptr);
  std::string binary = std::string(SKEIN_BIN_DIR) + "/skein-executor";
  auto spawn = [&](const std::string& id) {
    pid_t pid = fork();
    if (pid == 0) {
      setenv(kEnvDriverAddress, s.address().c_str(), 1);
      setenv("CONTAINER_ID", id.c_str(), 1);
      execl(binary.c_str(), binary.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  };
  pid_t first = spawn("container_1");
  auto deadline = absl::Now() + absl::Seconds(20);
  while (ReadPid(dir + "/pid").empty() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_FALSE(ReadPid(dir + "/pid").empty()) << "the first executor never ran its task";
  kill(first, SIGKILL);
  int status = 0;
  waitpid(first, &status, 0);
  s.driver.ExecutorLost("container_1", "killed");  // what the AM does when the container ends
  pid_t second = spawn("container_2");
  EXPECT_TRUE(s.driver.WaitUntilDone(absl::Seconds(20)));
  waitpid(second, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(s.driver.outcome().succeeded) << s.driver.outcome().output;
  EXPECT_EQ(s.driver.reruns(), 1);
  // The killed executor's orphaned task, by its own pid.
  std::string orphan = ReadPid(dir + "/pid");
  if (!orphan.empty()) kill(std::stoi(orphan), SIGKILL);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace skein::launcher
