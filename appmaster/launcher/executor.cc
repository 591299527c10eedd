#include "appmaster/launcher/executor.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "appmaster/launcher/program.h"
#include "common/rpc.h"

namespace skein::launcher {

namespace {

int RunCommand(const proto::LauncherTaskProto& task) {
  std::vector<std::string> args(task.command().begin(), task.command().end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string index = absl::StrCat(task.index());
  pid_t pid = fork();
  if (pid < 0) return 127;
  if (pid == 0) {
    setenv(kEnvTaskIndex, index.c_str(), 1);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 127;
}

// Runs `call` until it succeeds or the driver has been unreachable for the timeout.
template <typename Call>
bool CallDriver(const ExecutorOptions& o, std::ostream& log, const char* what, Call call) {
  auto deadline = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(o.driver_timeout);
  while (true) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status s = call(&ctx);
    if (s.ok()) return true;
    if (std::chrono::steady_clock::now() >= deadline) {
      log << "Executor " << o.executor_id << ": giving up on the driver after "
          << absl::FormatDuration(o.driver_timeout) << " (" << what << "): " << s.error_message()
          << std::endl;
      return false;
    }
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(o.wait_interval) * 2);
  }
}

}  // namespace

proto::LauncherTaskResultProto ProcessTaskRunner::Run(const proto::LauncherTaskProto& task) {
  if (task.program() == "pi") {
    absl::BitGen gen;
    return RunPiTask(task, gen);
  }
  proto::LauncherTaskResultProto r;
  r.set_index(task.index());
  r.set_exit_code(task.command_size() == 0 ? 127 : RunCommand(task));
  return r;
}

int RunExecutor(proto::LauncherDriverProtocol::StubInterface& driver, TaskRunner& runner,
                const ExecutorOptions& o, std::ostream& log) {
  proto::RegisterExecutorRequest reg;
  reg.set_executor_id(o.executor_id);
  reg.set_host(o.host);
  proto::RegisterExecutorResponse reg_resp;
  if (!CallDriver(o, log, "RegisterExecutor", [&](grpc::ClientContext* c) {
        return driver.RegisterExecutor(c, reg, &reg_resp);
      })) {
    return 1;
  }
  log << "Executor " << o.executor_id << " registered with the driver" << std::endl;
  proto::GetTaskRequest get;
  get.set_executor_id(o.executor_id);
  while (true) {
    proto::GetTaskResponse task;
    if (!CallDriver(o, log, "GetTask",
                    [&](grpc::ClientContext* c) { return driver.GetTask(c, get, &task); })) {
      return 1;
    }
    if (task.action() == proto::GetTaskResponse::SHUTDOWN) {
      log << "Executor " << o.executor_id << ": the driver ended the job; exiting" << std::endl;
      return 0;
    }
    if (task.action() == proto::GetTaskResponse::WAIT) {
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(o.wait_interval));
      continue;
    }
    log << "Running task " << task.task().index() << " (attempt " << task.task().attempt() << ")"
        << std::endl;
    proto::ReportResultRequest report;
    report.set_executor_id(o.executor_id);
    *report.mutable_result() = runner.Run(task.task());
    report.mutable_result()->set_index(task.task().index());
    proto::ReportResultResponse ack;
    if (!CallDriver(o, log, "ReportResult",
                    [&](grpc::ClientContext* c) { return driver.ReportResult(c, report, &ack); })) {
      return 1;
    }
  }
}

}  // namespace skein::launcher
