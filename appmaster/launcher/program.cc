#include "appmaster/launcher/program.h"

#include "absl/random/distributions.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace skein::launcher {

absl::Status ValidateProgram(const proto::LauncherJobProto& job) {
  if (job.program() == "pi") {
    if (job.slices() < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("pi: slices ", job.slices(), " must be at least 1"));
    }
    return absl::OkStatus();
  }
  if (job.program() == "shell") {
    if (job.tasks() < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("shell: --tasks ", job.tasks(), " must be at least 1"));
    }
    if (job.command_size() == 0 || job.command(0).empty()) {
      return absl::InvalidArgumentError("shell: no command given after --");
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown program '", job.program(), "': expected pi or shell"));
}

int32_t TaskCount(const proto::LauncherJobProto& job) {
  return job.program() == "pi" ? job.slices() : job.tasks();
}

proto::LauncherTaskProto MakeTask(const proto::LauncherJobProto& job, int32_t index) {
  proto::LauncherTaskProto t;
  t.set_index(index);
  t.set_program(job.program());
  if (job.program() == "pi") {
    t.set_samples(kPiSamplesPerSlice);
  } else {
    *t.mutable_command() = job.command();
  }
  return t;
}

JobOutcome Combine(const proto::LauncherJobProto& job,
                   const std::map<int32_t, proto::LauncherTaskResultProto>& results) {
  JobOutcome out;
  if (job.program() == "pi") {
    int64_t inside = 0, samples = 0;
    for (const auto& [i, r] : results) {
      inside += r.inside();
      samples += r.samples();
    }
    double pi =
        samples == 0 ? 0.0 : 4.0 * static_cast<double>(inside) / static_cast<double>(samples);
    out.succeeded = samples > 0;
    out.output = absl::StrFormat("Pi is roughly %.10f\n", pi);
    if (!out.succeeded) out.diagnostics = "pi: no samples were drawn";
    return out;
  }
  int failed = 0;
  std::string first;
  for (const auto& [i, r] : results) {
    absl::StrAppend(&out.output, "Task ", i, " exited with code ", r.exit_code(), "\n");
    if (r.exit_code() != 0) {
      if (failed == 0) first = absl::StrCat("task ", i, " exited with code ", r.exit_code());
      ++failed;
    }
  }
  out.succeeded = failed == 0;
  absl::StrAppend(&out.output, results.size() - failed, " of ", results.size(),
                  " task(s) succeeded\n");
  if (!out.succeeded) {
    out.diagnostics =
        absl::StrCat(failed, " of ", results.size(), " shell task(s) failed; first: ", first);
  }
  return out;
}

proto::LauncherTaskResultProto RunPiTask(const proto::LauncherTaskProto& task,
                                         absl::BitGenRef gen) {
  int64_t inside = 0;
  for (int64_t i = 0; i < task.samples(); ++i) {
    double x = absl::Uniform(gen, -1.0, 1.0);
    double y = absl::Uniform(gen, -1.0, 1.0);
    if (x * x + y * y <= 1.0) ++inside;
  }
  proto::LauncherTaskResultProto r;
  r.set_index(task.index());
  r.set_inside(inside);
  r.set_samples(task.samples());
  return r;
}

}  // namespace skein::launcher
