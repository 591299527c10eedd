// The launcher's ApplicationMaster (Spark's ApplicationMaster / ExecutorLauncher): asks the RM
// for N executor containers, starts skein-executor in them with the driver's address, replaces
// executors that die (up to a failure limit), and unregisters with the driver's outcome.
//
// Cluster mode: the driver runs in the AM process (LocalDriverLink). Client mode: the driver
// runs in the `yarn submit` process and the AM reaches it over gRPC (GrpcDriverLink); the AM
// learns the job, including the driver's address, from SKEIN_LAUNCHER_JOB.
//
// Failure limit: when the number of executors that exited abnormally reaches
// job.max_executor_failures (spark.executor.maxNumFailures), the job is aborted and the
// application fails with "Max number of executor failures (N) reached".
//
// Threading: LauncherAppMaster::Run is called once, from one thread.
#ifndef SKEIN_APPMASTER_LAUNCHER_LAUNCHER_AM_H_
#define SKEIN_APPMASTER_LAUNCHER_LAUNCHER_AM_H_

#include <memory>
#include <ostream>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "appmaster/amrm_client.h"
#include "appmaster/launcher/driver.h"
#include "appmaster/nm_client.h"
#include "protos/launcher.grpc.pb.h"

namespace skein::launcher {

// The AM's view of the driver.
class DriverLink {
 public:
  virtual ~DriverLink() = default;
  virtual void ExecutorLost(const std::string& executor_id, const std::string& reason) = 0;
  // The job's state; a non-empty `abort_reason` first fails the job with it.
  virtual absl::StatusOr<proto::JobStatusResponse> Status(const std::string& abort_reason) = 0;
};

class LocalDriverLink final : public DriverLink {
 public:
  explicit LocalDriverLink(Driver& driver) : driver_(driver) {}
  void ExecutorLost(const std::string& executor_id, const std::string& reason) override;
  absl::StatusOr<proto::JobStatusResponse> Status(const std::string& abort_reason) override;

 private:
  Driver& driver_;
};

class GrpcDriverLink final : public DriverLink {
 public:
  explicit GrpcDriverLink(const std::string& address);
  void ExecutorLost(const std::string& executor_id, const std::string& reason) override;
  absl::StatusOr<proto::JobStatusResponse> Status(const std::string& abort_reason) override;

 private:
  std::string address_;
  std::unique_ptr<proto::LauncherDriverProtocol::Stub> stub_;
};

// The launch context of one executor container (the job's --files / --archives included).
proto::ContainerLaunchContextProto MakeExecutorLaunchContext(const proto::LauncherJobProto& job,
                                                             const std::string& driver_address);

// "Max number of executor failures (3) reached"
std::string MaxFailuresDiagnostic(int32_t limit);

class LauncherAppMaster {
 public:
  // The clients and the link must outlive the object. `driver_address` is what executors dial.
  LauncherAppMaster(proto::LauncherJobProto job, std::string driver_address, am::AMRMClient& amrm,
                    am::ContainerLauncher& launcher, DriverLink& driver, std::ostream& log,
                    int32_t allocate_wait_ms = 500);

  // Registers, keeps the executors running until the driver's job is done, unregisters with
  // its outcome. Returns the process exit code: 0 after a successful Finish, 1 when the RM
  // ordered a shutdown or could not be reached.
  int Run();

  int executor_failures() const { return failures_; }
  int executors_started() const { return started_; }

 private:
  am::ContainerRequest Request() const;
  void OnAllocated(const proto::ContainerProto& container);
  void OnCompleted(const proto::ContainerStatusProto& status);
  void RecordFailure(const std::string& executor_id, const std::string& reason);

  proto::LauncherJobProto job_;
  std::string driver_address_;
  am::AMRMClient& amrm_;
  am::ContainerLauncher& launcher_;
  DriverLink& driver_;
  std::ostream& log_;
  int32_t wait_ms_;

  std::set<ContainerId> running_;
  int outstanding_ = 0;  // executors asked for and not yet granted
  int started_ = 0;
  int failures_ = 0;
};

}  // namespace skein::launcher

#endif  // SKEIN_APPMASTER_LAUNCHER_LAUNCHER_AM_H_
