// The two ready programs of the launcher, as pure task factories and result combiners (any
// thread; no I/O).
//   pi     SparkPi: S slices of kPiSamplesPerSlice Monte-Carlo samples each; the driver prints
//          "Pi is roughly 3.14…".
//   shell  runs COMMAND once per task with TASK_INDEX in its environment; the job succeeds only
//          when every task exited 0.
#ifndef SKEIN_APPMASTER_LAUNCHER_PROGRAM_H_
#define SKEIN_APPMASTER_LAUNCHER_PROGRAM_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/random/bit_gen_ref.h"
#include "absl/status/statusor.h"
#include "protos/launcher.pb.h"

namespace skein::launcher {

inline constexpr int64_t kPiSamplesPerSlice = 100000;
inline constexpr char kEnvTaskIndex[] = "TASK_INDEX";

// Checks a job's program part; errors name the field ("pi: slices 0 must be at least 1").
absl::Status ValidateProgram(const proto::LauncherJobProto& job);
int32_t TaskCount(const proto::LauncherJobProto& job);
proto::LauncherTaskProto MakeTask(const proto::LauncherJobProto& job, int32_t index);

struct JobOutcome {
  bool succeeded = false;
  std::string output;       // printed by the driver ("Pi is roughly …" / per-task exit codes)
  std::string diagnostics;  // empty on success
};
// Combines one result per task (keyed by task index).
JobOutcome Combine(const proto::LauncherJobProto& job,
                   const std::map<int32_t, proto::LauncherTaskResultProto>& results);

// pi: draws task.samples() points in the unit square.
proto::LauncherTaskResultProto RunPiTask(const proto::LauncherTaskProto& task, absl::BitGenRef gen);

}  // namespace skein::launcher

#endif  // SKEIN_APPMASTER_LAUNCHER_PROGRAM_H_
