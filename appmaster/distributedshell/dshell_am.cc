#include "appmaster/distributedshell/dshell_am.h"

#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "appmaster/am_steps.h"

namespace skein::dshell {

namespace {

// How many Allocate calls in a row may fail before the AM gives up on the RM.

absl::StatusOr<int64_t> ParseIntVar(const std::map<std::string, std::string>& env, const char* name,
                                    int64_t default_value, int64_t minimum) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return default_value;
  int64_t value;
  if (!absl::SimpleAtoi(it->second, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("environment variable ", name, "='", it->second, "' is not an integer"));
  }
  if (value < minimum) {
    return absl::InvalidArgumentError(absl::StrCat("environment variable ", name, "=", value,
                                                   " is below the minimum of ", minimum));
  }
  return value;
}

}  // namespace

std::string DShellJob::CommandLine() const {
  if (shell_args.empty()) return shell_command;
  return absl::StrCat(shell_command, " ", shell_args);
}

absl::StatusOr<std::map<std::string, std::string>> ParseShellEnv(const std::string& text) {
  std::map<std::string, std::string> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat(kEnvShellEnv, " line ", line_no, " '", line,
                                                     "' is not of the form KEY=VALUE"));
    }
    out[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return out;
}

absl::StatusOr<DShellJob> ParseDShellJob(const std::map<std::string, std::string>& env) {
  DShellJob job;
  auto cmd = env.find(kEnvShellCommand);
  if (cmd == env.end() || cmd->second.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("environment variable ", kEnvShellCommand,
                                                   " is not set: no shell command to run"));
  }
  job.shell_command = cmd->second;
  if (auto it = env.find(kEnvShellArgs); it != env.end()) job.shell_args = it->second;
  auto n = ParseIntVar(env, kEnvNumContainers, 1, 1);
  if (!n.ok()) return n.status();
  auto mem = ParseIntVar(env, kEnvContainerMemory, 10, 1);
  if (!mem.ok()) return mem.status();
  auto vcores = ParseIntVar(env, kEnvContainerVcores, 1, 1);
  if (!vcores.ok()) return vcores.status();
  auto prio = ParseIntVar(env, kEnvPriority, 0, 0);
  if (!prio.ok()) return prio.status();
  job.num_containers = static_cast<int32_t>(*n);
  job.container_memory_mb = *mem;
  job.container_vcores = static_cast<int32_t>(*vcores);
  job.priority = static_cast<int32_t>(*prio);
  if (auto it = env.find(kEnvShellEnv); it != env.end()) {
    auto parsed = ParseShellEnv(it->second);
    if (!parsed.ok()) return parsed.status();
    job.shell_env = std::move(*parsed);
  }
  return job;
}

std::map<std::string, std::string> DShellJobEnvironment(const DShellJob& job) {
  std::map<std::string, std::string> env;
  env[kEnvShellCommand] = job.shell_command;
  if (!job.shell_args.empty()) env[kEnvShellArgs] = job.shell_args;
  env[kEnvNumContainers] = absl::StrCat(job.num_containers);
  env[kEnvContainerMemory] = absl::StrCat(job.container_memory_mb);
  env[kEnvContainerVcores] = absl::StrCat(job.container_vcores);
  env[kEnvPriority] = absl::StrCat(job.priority);
  if (!job.shell_env.empty()) {
    std::string lines;
    for (const auto& [k, v] : job.shell_env) absl::StrAppend(&lines, k, "=", v, "\n");
    env[kEnvShellEnv] = lines;
  }
  return env;
}

proto::ContainerLaunchContextProto MakeShellLaunchContext(const DShellJob& job) {
  proto::ContainerLaunchContextProto ctx;
  auto& env = *ctx.mutable_environment();
  for (const auto& [k, v] : job.shell_env) env[k] = v;
  env[kEnvShellCommandLine] = job.CommandLine();
  ctx.add_command("/bin/bash");
  ctx.add_command("-c");
  ctx.add_command(absl::StrCat("\"$", kEnvShellCommandLine, "\""));
  ctx.add_command("1><LOG_DIR>/stdout");
  ctx.add_command("2><LOG_DIR>/stderr");
  return ctx;
}

std::string FailureDiagnostics(int total, int completed, int allocated, int failed,
                               const std::string& first_failure) {
  std::string out = absl::StrCat("Diagnostics., total=", total, ", completed=", completed,
                                 ", allocated=", allocated, ", failed=", failed);
  if (!first_failure.empty()) absl::StrAppend(&out, ". First failure: ", first_failure);
  return out;
}

std::string ContainerStatusLine(const proto::ContainerStatusProto& status) {
  absl::string_view state = status.state() == proto::C_COMPLETE  ? "COMPLETE"
                            : status.state() == proto::C_RUNNING ? "RUNNING"
                                                                 : "NEW";
  return absl::StrCat("Got container status for containerID=",
                      ContainerId::FromProto(status.container_id()).ToString(), ", state=", state,
                      ", exitStatus=", status.exit_status(),
                      ", diagnostics=", status.diagnostics());
}

DShellAppMaster::DShellAppMaster(DShellJob job, am::AMRMClient& amrm,
                                 am::ContainerLauncher& launcher, std::ostream& log,
                                 int32_t allocate_wait_ms)
    : job_(std::move(job)),
      amrm_(amrm),
      launcher_(launcher),
      log_(log),
      wait_ms_(allocate_wait_ms) {}

am::ContainerRequest DShellAppMaster::Request() const {
  am::ContainerRequest r;
  r.capability = Resource(job_.container_memory_mb, job_.container_vcores);
  r.priority = job_.priority;
  return r;
}

void DShellAppMaster::OnAllocated(const proto::ContainerProto& container) {
  ContainerId id = ContainerId::FromProto(container.id());
  if (!am::TakeGrant(amrm_, container, Request(), allocated_ < job_.num_containers, log_)) return;
  ++allocated_;
  log_ << "Launching shell command on a new container, containerId=" << id.ToString()
       << ", containerNode=" << container.node_id().host() << ":" << container.node_id().port()
       << std::endl;
  absl::Status s = launcher_.StartContainer(container, MakeShellLaunchContext(job_));
  if (!s.ok()) {
    log_ << "Failed to start container " << id.ToString() << ": " << s.message() << std::endl;
    ++completed_;
    ++failed_;
    if (first_failure_.empty()) {
      first_failure_ = absl::StrCat(id.ToString(), " failed to start: ", s.message());
    }
    return;
  }
  log_ << "Succeeded to start Container " << id.ToString() << std::endl;
  running_.insert(id);
}

void DShellAppMaster::OnCompleted(const proto::ContainerStatusProto& status) {
  ContainerId id = ContainerId::FromProto(status.container_id());
  if (running_.erase(id) == 0) return;  // a released surplus container, or a duplicate report
  log_ << ContainerStatusLine(status) << std::endl;
  ++completed_;
  if (status.exit_status() != 0) {
    ++failed_;
    if (first_failure_.empty()) {
      first_failure_ = absl::StrCat(id.ToString(), " exited with exitStatus=", status.exit_status(),
                                    ": ", status.diagnostics());
    }
  }
}

int DShellAppMaster::Run() {
  if (!am::RegisterFromThisHost(amrm_, log_)) return 1;
  log_ << "Registered; requesting " << job_.num_containers << " container(s) of "
       << Resource(job_.container_memory_mb, job_.container_vcores).ToString() << " at priority "
       << job_.priority << " to run: " << job_.CommandLine() << std::endl;
  for (int i = 0; i < job_.num_containers; ++i) {
    absl::Status s = amrm_.AddContainerRequest(Request());
    if (!s.ok()) {
      log_ << "Invalid container request: " << s.message() << std::endl;
      (void)amrm_.Finish(proto::APP_FAILED, s.message(), "");
      return 0;
    }
  }

  int consecutive_failures = 0;
  while (completed_ < job_.num_containers) {
    float progress = static_cast<float>(completed_) / static_cast<float>(job_.num_containers);
    proto::AllocateResponse response;
    am::Heartbeat beat =
        am::HeartbeatOnce(amrm_, progress, wait_ms_, &consecutive_failures, log_, &response);
    if (beat == am::Heartbeat::kRetry) continue;
    if (beat != am::Heartbeat::kOk) return 1;
    for (const auto& c : response.allocated_containers()) OnAllocated(c);
    for (const auto& st : response.completed_container_statuses()) OnCompleted(st);
  }

  bool success = failed_ == 0;
  std::string diagnostics = success ? ""
                                    : FailureDiagnostics(job_.num_containers, completed_,
                                                         allocated_, failed_, first_failure_);
  log_ << "Application completed. " << (success ? "SUCCEEDED" : "FAILED")
       << ", total=" << job_.num_containers << ", completed=" << completed_
       << ", failed=" << failed_ << std::endl;
  absl::Status s =
      amrm_.Finish(success ? proto::APP_SUCCEEDED : proto::APP_FAILED, diagnostics, "");
  if (!s.ok()) {
    log_ << "Failed to unregister from the ResourceManager: " << s.message() << std::endl;
    return 1;
  }
  return 0;
}

}  // namespace skein::dshell
