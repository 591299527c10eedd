// The executor side of a launcher job: register with the driver, pull tasks one at a time, run
// them, report results, exit when the driver says the job is over.
//
// An executor container learns the driver from SKEIN_LAUNCHER_DRIVER_ADDRESS (host:port) and
// names itself by CONTAINER_ID (set by the NodeManager).
//
// Threading: RunExecutor is called once, from one thread; TaskRunner implementations are called
// from that thread.
#ifndef SKEIN_APPMASTER_LAUNCHER_EXECUTOR_H_
#define SKEIN_APPMASTER_LAUNCHER_EXECUTOR_H_

#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "protos/launcher.grpc.pb.h"

namespace skein::launcher {

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  virtual proto::LauncherTaskResultProto Run(const proto::LauncherTaskProto& task) = 0;
};

// pi: Monte-Carlo with a fresh random generator; shell: fork/exec of task.command() with
// TASK_INDEX=<index> added to this process's environment, its output going to this process's
// stdout/stderr; exit code 128+N when killed by signal N, 127 when the command cannot be run.
class ProcessTaskRunner final : public TaskRunner {
 public:
  proto::LauncherTaskResultProto Run(const proto::LauncherTaskProto& task) override;
};

struct ExecutorOptions {
  std::string executor_id;
  std::string host;
  // Give up when the driver stays unreachable this long.
  absl::Duration driver_timeout = absl::Seconds(30);
  absl::Duration wait_interval = absl::Milliseconds(100);
};

// Returns the process exit code: 0 when the driver said SHUTDOWN, 1 when the driver could not
// be reached for options.driver_timeout.
int RunExecutor(proto::LauncherDriverProtocol::StubInterface& driver, TaskRunner& runner,
                const ExecutorOptions& options, std::ostream& log);

}  // namespace skein::launcher

#endif  // SKEIN_APPMASTER_LAUNCHER_EXECUTOR_H_
