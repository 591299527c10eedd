#include "appmaster/launcher/launcher_am.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "appmaster/am_steps.h"
#include "common/rpc.h"

namespace skein::launcher {

namespace {

// How long the AM keeps trying to reach a client-mode driver before it fails the application.
constexpr int kMaxDriverFailures = 20;

}  // namespace

void LocalDriverLink::ExecutorLost(const std::string& executor_id, const std::string& reason) {
  driver_.ExecutorLost(executor_id, reason);
}

absl::StatusOr<proto::JobStatusResponse> LocalDriverLink::Status(const std::string& abort_reason) {
  if (!abort_reason.empty()) driver_.Abort(abort_reason);
  return driver_.Status();
}

GrpcDriverLink::GrpcDriverLink(const std::string& address)
    : address_(address), stub_(proto::LauncherDriverProtocol::NewStub(MakeChannel(address))) {}

void GrpcDriverLink::ExecutorLost(const std::string& executor_id, const std::string& reason) {
  proto::ExecutorLostRequest req;
  req.set_executor_id(executor_id);
  req.set_reason(reason);
  proto::ExecutorLostResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  (void)stub_->ExecutorLost(&ctx, req, &resp);
}

absl::StatusOr<proto::JobStatusResponse> GrpcDriverLink::Status(const std::string& abort_reason) {
  proto::JobStatusRequest req;
  req.set_abort_reason(abort_reason);
  proto::JobStatusResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Status s = stub_->GetJobStatus(&ctx, req, &resp);
  if (!s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot reach the driver at ", address_, ": ", s.error_message()));
  }
  return resp;
}

proto::ContainerLaunchContextProto MakeExecutorLaunchContext(const proto::LauncherJobProto& job,
                                                             const std::string& driver_address) {
  proto::ContainerLaunchContextProto ctx;
  (*ctx.mutable_environment())[kEnvDriverAddress] = driver_address;
  ctx.add_command(job.executor_binary());
  ctx.add_command("1><LOG_DIR>/stdout");
  ctx.add_command("2><LOG_DIR>/stderr");
  // --files / --archives: in every executor's working directory.
  *ctx.mutable_local_resources() = job.local_resources();
  return ctx;
}

std::string MaxFailuresDiagnostic(int32_t limit) {
  return absl::StrCat("Max number of executor failures (", limit, ") reached");
}

LauncherAppMaster::LauncherAppMaster(proto::LauncherJobProto job, std::string driver_address,
                                     am::AMRMClient& amrm, am::ContainerLauncher& launcher,
                                     DriverLink& driver, std::ostream& log,
                                     int32_t allocate_wait_ms)
    : job_(std::move(job)),
      driver_address_(std::move(driver_address)),
      amrm_(amrm),
      launcher_(launcher),
      driver_(driver),
      log_(log),
      wait_ms_(allocate_wait_ms) {}

am::ContainerRequest LauncherAppMaster::Request() const {
  am::ContainerRequest r;
  r.capability = Resource(job_.executor_memory_mb(), job_.executor_vcores());
  r.priority = 1;
  return r;
}

void LauncherAppMaster::OnAllocated(const proto::ContainerProto& container) {
  ContainerId id = ContainerId::FromProto(container.id());
  if (!am::TakeGrant(amrm_, container, Request(), outstanding_ > 0, log_)) return;
  --outstanding_;
  log_ << "Launching executor in container " << id.ToString() << " on "
       << container.node_id().host() << ":" << container.node_id().port() << std::endl;
  absl::Status s =
      launcher_.StartContainer(container, MakeExecutorLaunchContext(job_, driver_address_));
  if (!s.ok()) {
    RecordFailure(id.ToString(), absl::StrCat("failed to start: ", s.message()));
    return;
  }
  ++started_;
  running_.insert(id);
}

void LauncherAppMaster::RecordFailure(const std::string& executor_id, const std::string& reason) {
  ++failures_;
  log_ << "Executor " << executor_id << " failed (" << reason << "); " << failures_ << " of "
       << job_.max_executor_failures() << " allowed executor failures" << std::endl;
  driver_.ExecutorLost(executor_id, reason);
  if (failures_ < job_.max_executor_failures()) {
    // Replace it.
    if (amrm_.AddContainerRequest(Request()).ok()) ++outstanding_;
  }
}

void LauncherAppMaster::OnCompleted(const proto::ContainerStatusProto& status) {
  ContainerId id = ContainerId::FromProto(status.container_id());
  if (running_.erase(id) == 0) return;
  if (status.exit_status() == 0) {
    log_ << "Executor " << id.ToString() << " exited" << std::endl;
    driver_.ExecutorLost(id.ToString(), "exited");
    return;
  }
  RecordFailure(id.ToString(),
                absl::StrCat("exit status ", status.exit_status(), ": ", status.diagnostics()));
}

int LauncherAppMaster::Run() {
  if (!am::RegisterFromThisHost(amrm_, log_)) return 1;
  log_ << "Registered; requesting " << job_.num_executors() << " executor container(s) of "
       << Request().capability.ToString() << "; driver at " << driver_address_ << std::endl;
  for (int i = 0; i < job_.num_executors(); ++i) {
    absl::Status s = amrm_.AddContainerRequest(Request());
    if (!s.ok()) {
      log_ << "Invalid executor request: " << s.message() << std::endl;
      (void)driver_.Status(s.ToString());
      (void)amrm_.Finish(proto::APP_FAILED, s.message(), "");
      return 0;
    }
    ++outstanding_;
  }

  int rpc_failures = 0;
  int driver_failures = 0;
  while (true) {
    std::string abort;
    if (failures_ >= job_.max_executor_failures())
      abort = MaxFailuresDiagnostic(job_.max_executor_failures());
    auto status = driver_.Status(abort);
    if (!status.ok()) {
      log_ << status.status().message() << std::endl;
      if (++driver_failures >= kMaxDriverFailures) {
        std::string diag = absl::StrCat("Lost the driver: ", status.status().message());
        (void)amrm_.Finish(proto::APP_FAILED, diag, "");
        return 0;
      }
    } else {
      driver_failures = 0;
      if (status->done()) {
        log_ << "The driver finished: " << (status->succeeded() ? "SUCCEEDED" : "FAILED")
             << (status->diagnostics().empty() ? "" : ": ") << status->diagnostics() << std::endl;
        absl::Status s =
            amrm_.Finish(status->succeeded() ? proto::APP_SUCCEEDED : proto::APP_FAILED,
                         status->diagnostics(), "");
        if (!s.ok()) {
          log_ << "Failed to unregister from the ResourceManager: " << s.message() << std::endl;
          return 1;
        }
        return 0;
      }
    }
    float progress = 0;
    if (status.ok() && status->tasks_total() > 0) {
      progress =
          static_cast<float>(status->tasks_done()) / static_cast<float>(status->tasks_total());
    }
    proto::AllocateResponse response;
    am::Heartbeat beat =
        am::HeartbeatOnce(amrm_, progress, wait_ms_, &rpc_failures, log_, &response);
    if (beat == am::Heartbeat::kRetry) continue;
    if (beat != am::Heartbeat::kOk) return 1;
    for (const auto& c : response.allocated_containers()) OnAllocated(c);
    for (const auto& st : response.completed_container_statuses()) OnCompleted(st);
  }
}

}  // namespace skein::launcher
