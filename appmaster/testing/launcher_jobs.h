// Job descriptions for the launcher's unit tests (test-only; header-only).
#ifndef SKEIN_APPMASTER_TESTING_LAUNCHER_JOBS_H_
#define SKEIN_APPMASTER_TESTING_LAUNCHER_JOBS_H_

#include <string>
#include <vector>

#include "protos/launcher.pb.h"

namespace skein::am::testing {

// The `pi` program over `slices` slices.
inline proto::LauncherJobProto PiJob(int slices) {
  proto::LauncherJobProto job;
  job.set_program("pi");
  job.set_slices(slices);
  return job;
}

// The `shell` program: `tasks` tasks, each running `command`.
inline proto::LauncherJobProto ShellJob(int tasks, const std::vector<std::string>& command) {
  proto::LauncherJobProto job;
  job.set_program("shell");
  job.set_tasks(tasks);
  for (const auto& c : command) job.add_command(c);
  return job;
}

}  // namespace skein::am::testing

#endif  // SKEIN_APPMASTER_TESTING_LAUNCHER_JOBS_H_
