// The driver of a launcher job: hands tasks to executors, re-runs the task of an executor that
// was lost, combines the results and finishes when every task is done.
//
// Executors are named by their container id. An executor asks for one task at a time
// (NextTask); a result for a task that is already done (a re-run raced the original) is ignored.
// An executor reported lost (by the AM, which sees its container complete) gets its running task
// re-queued and is told to shut down if it ever calls again.
//
// Threading: every method is thread-safe (gRPC threads, the AM loop and the client's main thread
// call in concurrently).
#ifndef SKEIN_APPMASTER_LAUNCHER_DRIVER_H_
#define SKEIN_APPMASTER_LAUNCHER_DRIVER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "appmaster/launcher/program.h"
#include "common/sync.h"
#include "grpcpp/grpcpp.h"
#include "protos/launcher.grpc.pb.h"

namespace skein::launcher {

class Driver {
 public:
  // `job` must pass ValidateProgram. When the job ends, its output is written to `output` (may
  // be null; it must outlive the driver).
  explicit Driver(proto::LauncherJobProto job, std::ostream* output = nullptr);

  void RegisterExecutor(const std::string& executor_id, const std::string& host);
  proto::GetTaskResponse NextTask(const std::string& executor_id);
  void ReportResult(const std::string& executor_id, const proto::LauncherTaskResultProto& result);
  void ExecutorLost(const std::string& executor_id, const std::string& reason);
  // Ends the job as failed with `reason` (no-op when already done).
  void Abort(const std::string& reason);

  proto::JobStatusResponse Status() const;
  bool done() const;
  // Blocks until the job is done or `timeout` passed; returns done().
  bool WaitUntilDone(absl::Duration timeout) const;
  // The combined outcome; meaningful once done().
  JobOutcome outcome() const;
  int32_t reruns() const;
  size_t registered_executors() const;

 private:
  void FinishLocked(JobOutcome outcome) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const proto::LauncherJobProto job_;
  const int32_t total_;
  std::ostream* output_;

  mutable skein::Mutex mu_;
  std::deque<int32_t> pending_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::set<int32_t>> running_ ABSL_GUARDED_BY(mu_);  // executor -> tasks
  std::set<std::string> executors_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> lost_ ABSL_GUARDED_BY(mu_);
  std::map<int32_t, int32_t> attempts_ ABSL_GUARDED_BY(mu_);
  std::map<int32_t, proto::LauncherTaskResultProto> results_ ABSL_GUARDED_BY(mu_);
  int32_t reruns_ ABSL_GUARDED_BY(mu_) = 0;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  JobOutcome outcome_ ABSL_GUARDED_BY(mu_);
};

// gRPC face of a Driver (LauncherDriverProtocol). Any gRPC thread.
class DriverService final : public proto::LauncherDriverProtocol::Service {
 public:
  explicit DriverService(Driver& driver) : driver_(driver) {}
  grpc::Status RegisterExecutor(grpc::ServerContext*, const proto::RegisterExecutorRequest* req,
                                proto::RegisterExecutorResponse*) override;
  grpc::Status GetTask(grpc::ServerContext*, const proto::GetTaskRequest* req,
                       proto::GetTaskResponse* resp) override;
  grpc::Status ReportResult(grpc::ServerContext*, const proto::ReportResultRequest* req,
                            proto::ReportResultResponse*) override;
  grpc::Status ExecutorLost(grpc::ServerContext*, const proto::ExecutorLostRequest* req,
                            proto::ExecutorLostResponse*) override;
  grpc::Status GetJobStatus(grpc::ServerContext*, const proto::JobStatusRequest* req,
                            proto::JobStatusResponse* resp) override;

 private:
  Driver& driver_;
};

// A running driver server. Construct with Start; destroying it shuts the server down.
class DriverServer {
 public:
  // Serves `driver` on `bind_address` ("0.0.0.0:0" = every interface, ephemeral port).
  static absl::StatusOr<std::unique_ptr<DriverServer>> Start(Driver& driver,
                                                             const std::string& bind_address);
  ~DriverServer();
  int port() const { return port_; }

 private:
  explicit DriverServer(Driver& driver) : service_(driver) {}
  DriverService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// Encodes / decodes the job for the SKEIN_LAUNCHER_JOB environment variable (base64 of the
// serialized proto). Decoding errors name the variable.
inline constexpr char kEnvJob[] = "SKEIN_LAUNCHER_JOB";
inline constexpr char kEnvDriverAddress[] = "SKEIN_LAUNCHER_DRIVER_ADDRESS";
std::string EncodeJob(const proto::LauncherJobProto& job);
absl::StatusOr<proto::LauncherJobProto> DecodeJob(const std::string& text);

}  // namespace skein::launcher

#endif  // SKEIN_APPMASTER_LAUNCHER_DRIVER_H_
