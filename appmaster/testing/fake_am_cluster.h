// An in-process fake ResourceManager + NodeManager for ApplicationMaster unit tests: the RM side
// (FakeAmrmProtocol) grants every container asked for, and the NM side (FakeContainerLauncher)
// completes started containers on the AM's next heartbeat with the exit status the test chose.
// Both record what the AM sent so that tests can assert on it.
//
// Test-only (library skein_appmaster_testing, linked by tests only). Threading: none; the AMs
// under test call both fakes from their single main-loop thread.
#ifndef SKEIN_APPMASTER_TESTING_FAKE_AM_CLUSTER_H_
#define SKEIN_APPMASTER_TESTING_FAKE_AM_CLUSTER_H_

#include <cstdint>
#include <vector>

#include "appmaster/amrm_client.h"
#include "appmaster/nm_client.h"
#include "common/ids.h"
#include "protos/am_protocol.pb.h"
#include "protos/records.pb.h"

namespace skein::am::testing {

// The state both fakes share. Tests set the knobs before running the AM and read the records
// after.
struct FakeAmCluster {
  explicit FakeAmCluster(ApplicationId app) : app(app) {}

  // Granted containers belong to attempt 1 of this application, sequence numbers from 2 on
  // (1 is the AM's own container), all on node 127.0.0.1:45454.
  ApplicationId app;

  // --- Knobs.
  // Exit statuses by launch order. A container started beyond the end of this list exits 0 when
  // `unlisted_exit_zero` is set, else it keeps running.
  std::vector<int> exit_statuses;
  bool unlisted_exit_zero = true;
  int extra_grants = 0;                     // surplus containers handed out once, unasked
  bool shutdown = false;                    // every Allocate answers "shutdown"
  bool shutdown_after_first_grant = false;  // Allocate answers "shutdown" once anything was granted
  bool fail_starts = false;                 // StartContainer fails as an NM refusing the token

  // --- What the AM sent.
  std::vector<proto::AllocateRequest> allocates;
  std::vector<proto::ContainerLaunchContextProto> launched;  // by launch order
  std::vector<proto::FinishApplicationMasterRequest> finishes;
  int grants = 0;

  // The capability of every ask line of every Allocate, in the order sent.
  std::vector<proto::ResourceProto> AskedCapabilities() const;

  // --- The fake RM's own state.
  int outstanding = 0;  // the RM's copy of the ask total (absolute; decremented on grant)
  int64_t next_seq = 2;
  std::vector<proto::ContainerStatusProto> to_complete;  // reported on the next Allocate

  // A new container of `app` on the fake node.
  proto::ContainerProto Grant();
};

// ApplicationMasterProtocol of the fake RM. Allocate takes each ask line's total as the number
// still wanted and grants all of it at once; it answers InternalError after 1000 calls so that
// a runaway AM loop fails its test instead of hanging it.
class FakeAmrmProtocol final : public AMRMProtocol {
 public:
  explicit FakeAmrmProtocol(FakeAmCluster* cluster) : c_(cluster) {}
  absl::StatusOr<proto::RegisterApplicationMasterResponse> Register(
      const proto::RegisterApplicationMasterRequest& request) override;
  absl::StatusOr<proto::AllocateResponse> Allocate(const proto::AllocateRequest& request) override;
  absl::StatusOr<proto::FinishApplicationMasterResponse> Finish(
      const proto::FinishApplicationMasterRequest& request) override;

 private:
  FakeAmCluster* c_;
};

// ContainerManagementProtocol of the fake NM, as the AM's ContainerLauncher. A failed exit
// carries the NM's "Exception from container-launch" diagnostics.
class FakeContainerLauncher final : public ContainerLauncher {
 public:
  explicit FakeContainerLauncher(FakeAmCluster* cluster) : c_(cluster) {}
  absl::Status StartContainer(const proto::ContainerProto& container,
                              const proto::ContainerLaunchContextProto& context) override;
  absl::Status StopContainer(const ContainerId& id, const NodeId& node) override;
  // Unimplemented: the AMs under test learn completions from Allocate.
  absl::StatusOr<proto::ContainerStatusProto> GetContainerStatus(const ContainerId& id,
                                                                 const NodeId& node) override;

 private:
  FakeAmCluster* c_;
};

}  // namespace skein::am::testing

#endif  // SKEIN_APPMASTER_TESTING_FAKE_AM_CLUSTER_H_
