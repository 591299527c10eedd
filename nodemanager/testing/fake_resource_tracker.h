// Test support for NodeManager tests that run a real NodeManager on 127.0.0.1: a fake
// ResourceManager (ResourceTracker service) that records registrations, heartbeats and container
// statuses and answers as the RM does, plus the helpers those tests share (bounded waits, the
// NM's base configuration, RM-signed container start requests).
//
// Test-only (library skein_nm_testing, linked by tests only).
#ifndef SKEIN_NODEMANAGER_TESTING_FAKE_RESOURCE_TRACKER_H_
#define SKEIN_NODEMANAGER_TESTING_FAKE_RESOURCE_TRACKER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/conf/configuration.h"
#include "common/ids.h"
#include "common/sync.h"
#include "protos/container_manager.pb.h"
#include "protos/resource_tracker.grpc.pb.h"

namespace skein::nm::testing {

// The ResourceTracker side of a fake RM. Registration hands out container-token master key 3
// (bytes: key()); every heartbeat records the node status and the last status of each
// container, acknowledges completed containers (containers_to_be_removed_from_nm, as the RM
// does) and delivers the cleanups queued since the last heartbeat.
//
// Threading: the service methods run on gRPC threads; every other method may be called from
// any thread (one mutex guards the state).
class FakeResourceTracker final : public proto::ResourceTracker::Service {
 public:
  FakeResourceTracker();  // a fresh random key

  grpc::Status RegisterNodeManager(grpc::ServerContext* context,
                                   const proto::RegisterNodeManagerRequest* request,
                                   proto::RegisterNodeManagerResponse* response) override;
  grpc::Status NodeHeartbeat(grpc::ServerContext* context,
                             const proto::NodeHeartbeatRequest* request,
                             proto::NodeHeartbeatResponse* response) override;

  // The master key's secret: what a container token's password is an HMAC with.
  const std::string& key() const { return key_; }

  // The heartbeat interval the fake asks for (default 10 s, so that a test sees a completion
  // within seconds only if the NM reports it at once).
  void set_interval_ms(int64_t ms);
  // The node action answered at registration (default NORMAL).
  void set_register_action(proto::NodeAction action);
  // The node action answered by the next heartbeat only.
  void set_next_heartbeat_action(proto::NodeAction action);
  // Queue a container or every container of an application for cleanup on the next heartbeat.
  void CleanupContainer(const ContainerId& id);
  void CleanupApp(const ApplicationId& id);

  int registrations();
  proto::RegisterNodeManagerRequest last_registration();  // precondition: registrations() > 0
  int heartbeats();
  proto::NodeStatusProto last_node_status();  // empty before the first heartbeat
  // The status that reported `id` complete, if any.
  std::optional<proto::ContainerStatusProto> Completed(const ContainerId& id);
  // The latest status reported for `id`, if any.
  std::optional<proto::ContainerStatusProto> LastStatus(const ContainerId& id);

 private:
  skein::Mutex mu_;
  const std::string key_;
  int64_t interval_ms_ = 10000;
  proto::NodeAction register_action_ = proto::NORMAL;
  proto::NodeAction next_action_ = proto::NORMAL;
  std::vector<proto::RegisterNodeManagerRequest> registrations_;
  int heartbeats_ = 0;
  proto::NodeStatusProto last_node_status_;
  std::map<std::string, proto::ContainerStatusProto> last_status_;
  std::map<std::string, proto::ContainerStatusProto> completed_;
  std::vector<proto::ContainerIdProto> cleanup_containers_;
  std::vector<proto::ApplicationIdProto> cleanup_apps_;
};

// Polls `pred` every `poll` until it holds (true) or `timeout` passes (false).
bool WaitUntil(const std::function<bool()>& pred,
               std::chrono::milliseconds timeout = std::chrono::seconds(10),
               std::chrono::milliseconds poll = std::chrono::milliseconds(10));

// The whole file at `path`, or "" when it cannot be read.
std::string ReadFile(const std::string& path);

// A directory name for the running test: <gtest TempDir>/<prefix>_<pid>_<test name>.
std::string PerTestDir(const std::string& prefix);

// A NodeManager configuration for loopback tests: ephemeral RPC and web ports, the given local
// and log dirs (comma-separated), 4096 MB and 4 vcores, the fake RM on 127.0.0.1:`rm_port` and a
// 200 ms connect retry interval.
conf::Configuration NmTestConfiguration(const std::string& local_dirs, const std::string& log_dirs,
                                        int rm_port);

// A StartContainerRequest for `id` on the NM at `nm_address`, submitted by "tester", whose
// container token (master key 3, expiring in 10 minutes) is signed with `key`.
proto::StartContainerRequest SignedStartRequest(const ContainerId& id,
                                                const std::string& nm_address,
                                                const std::string& key, int memory_mb, int vcores);

// Re-signs `request`'s token identifier with `key` (after a test changed the identifier).
void SignContainerToken(const std::string& key, proto::StartContainerRequest* request);

}  // namespace skein::nm::testing

#endif  // SKEIN_NODEMANAGER_TESTING_FAKE_RESOURCE_TRACKER_H_
