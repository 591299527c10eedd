#include "appmaster/launcher/driver.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/rpc.h"

namespace skein::launcher {

Driver::Driver(proto::LauncherJobProto job, std::ostream* output)
    : job_(std::move(job)), total_(TaskCount(job_)), output_(output) {
  for (int32_t i = 0; i < total_; ++i) pending_.push_back(i);
}

void Driver::RegisterExecutor(const std::string& executor_id, const std::string& /*host*/) {
  skein::MutexLock lock(&mu_);
  executors_.insert(executor_id);
}

proto::GetTaskResponse Driver::NextTask(const std::string& executor_id) {
  proto::GetTaskResponse resp;
  skein::MutexLock lock(&mu_);
  if (done_ || lost_.count(executor_id) > 0) {
    resp.set_action(proto::GetTaskResponse::SHUTDOWN);
    return resp;
  }
  executors_.insert(executor_id);
  if (pending_.empty()) {
    resp.set_action(proto::GetTaskResponse::WAIT);
    return resp;
  }
  int32_t index = pending_.front();
  pending_.pop_front();
  running_[executor_id].insert(index);
  resp.set_action(proto::GetTaskResponse::RUN);
  *resp.mutable_task() = MakeTask(job_, index);
  resp.mutable_task()->set_attempt(attempts_[index]++);
  return resp;
}

void Driver::ReportResult(const std::string& executor_id,
                          const proto::LauncherTaskResultProto& result) {
  skein::MutexLock lock(&mu_);
  if (done_ || lost_.count(executor_id) > 0) return;
  auto it = running_.find(executor_id);
  if (it == running_.end() || it->second.erase(result.index()) == 0) return;  // not its task
  results_.emplace(result.index(), result);
  if (static_cast<int32_t>(results_.size()) == total_) FinishLocked(Combine(job_, results_));
}

void Driver::ExecutorLost(const std::string& executor_id, const std::string& /*reason*/) {
  skein::MutexLock lock(&mu_);
  if (!lost_.insert(executor_id).second) return;
  auto it = running_.find(executor_id);
  if (it == running_.end()) return;
  for (int32_t index : it->second) {
    if (results_.count(index) > 0) continue;
    pending_.push_front(index);
    ++reruns_;
  }
  running_.erase(it);
}

void Driver::Abort(const std::string& reason) {
  skein::MutexLock lock(&mu_);
  if (done_) return;
  JobOutcome failed;
  failed.succeeded = false;
  failed.diagnostics = reason;
  FinishLocked(std::move(failed));
}

void Driver::FinishLocked(JobOutcome outcome) {
  done_ = true;
  outcome_ = std::move(outcome);
  if (output_ != nullptr) {
    *output_ << outcome_.output;
    if (!outcome_.succeeded) *output_ << "Job failed: " << outcome_.diagnostics << "\n";
    output_->flush();
  }
}

proto::JobStatusResponse Driver::Status() const {
  skein::MutexLock lock(&mu_);
  proto::JobStatusResponse s;
  s.set_done(done_);
  s.set_succeeded(done_ && outcome_.succeeded);
  s.set_diagnostics(outcome_.diagnostics);
  s.set_tasks_done(static_cast<int32_t>(results_.size()));
  s.set_tasks_total(total_);
  return s;
}

bool Driver::done() const {
  skein::MutexLock lock(&mu_);
  return done_;
}

bool Driver::WaitUntilDone(absl::Duration timeout) const {
  skein::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout([this] { return done_; }, timeout);
  return done_;
}

JobOutcome Driver::outcome() const {
  skein::MutexLock lock(&mu_);
  return outcome_;
}

int32_t Driver::reruns() const {
  skein::MutexLock lock(&mu_);
  return reruns_;
}

size_t Driver::registered_executors() const {
  skein::MutexLock lock(&mu_);
  return executors_.size();
}

grpc::Status DriverService::RegisterExecutor(grpc::ServerContext*,
                                             const proto::RegisterExecutorRequest* req,
                                             proto::RegisterExecutorResponse*) {
  if (req->executor_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "RegisterExecutor: empty executor_id");
  }
  driver_.RegisterExecutor(req->executor_id(), req->host());
  return grpc::Status::OK;
}

grpc::Status DriverService::GetTask(grpc::ServerContext*, const proto::GetTaskRequest* req,
                                    proto::GetTaskResponse* resp) {
  if (req->executor_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "GetTask: empty executor_id");
  }
  *resp = driver_.NextTask(req->executor_id());
  return grpc::Status::OK;
}

grpc::Status DriverService::ReportResult(grpc::ServerContext*,
                                         const proto::ReportResultRequest* req,
                                         proto::ReportResultResponse*) {
  if (req->executor_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "ReportResult: empty executor_id");
  }
  driver_.ReportResult(req->executor_id(), req->result());
  return grpc::Status::OK;
}

grpc::Status DriverService::ExecutorLost(grpc::ServerContext*,
                                         const proto::ExecutorLostRequest* req,
                                         proto::ExecutorLostResponse*) {
  driver_.ExecutorLost(req->executor_id(), req->reason());
  return grpc::Status::OK;
}

grpc::Status DriverService::GetJobStatus(grpc::ServerContext*, const proto::JobStatusRequest* req,
                                         proto::JobStatusResponse* resp) {
  if (!req->abort_reason().empty()) driver_.Abort(req->abort_reason());
  *resp = driver_.Status();
  return grpc::Status::OK;
}

absl::StatusOr<std::unique_ptr<DriverServer>> DriverServer::Start(Driver& driver,
                                                                  const std::string& bind_address) {
  std::unique_ptr<DriverServer> s(new DriverServer(driver));
  auto server =
      StartGrpcServer(bind_address, "spark.driver.bindAddress", {&s->service_}, &s->port_);
  if (!server.ok()) return server.status();
  s->server_ = std::move(*server);
  return s;
}

DriverServer::~DriverServer() {
  if (server_ != nullptr)
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

std::string EncodeJob(const proto::LauncherJobProto& job) {
  return absl::Base64Escape(job.SerializeAsString());
}

absl::StatusOr<proto::LauncherJobProto> DecodeJob(const std::string& text) {
  std::string bytes;
  proto::LauncherJobProto job;
  if (text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("environment variable ", kEnvJob, " is not set: no job to run"));
  }
  if (!absl::Base64Unescape(text, &bytes) || !job.ParseFromString(bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("environment variable ", kEnvJob, " does not hold a launcher job"));
  }
  if (auto s = ValidateProgram(job); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(kEnvJob, ": ", s.message()));
  }
  return job;
}

}  // namespace skein::launcher
