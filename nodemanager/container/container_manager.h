// The NodeManager's containers: verifies container tokens, lays out working and log directories,
// writes launch_container.sh, launches through the ContainerExecutor, kills (SIGTERM to the
// process group, SIGKILL after yarn.nodemanager.sleep-delay-before-sigkill.ms), and keeps the
// statuses the status updater reports to the RM.
//
// Thread rules: construct on any thread; after that every method runs on `loop`'s thread (gRPC
// handlers and the status updater reach it through EventLoop::RunSync). Process exits arrive on
// the executor's thread and are posted to the loop. Directory creation, the script write and
// the spawn happen on the loop: they are short local operations (a few hundred microseconds);
// the container's directories are spares renamed into place (spare_dirs.h), refilled after the
// StartContainers answer.
// LocalResources are fetched off the loop by the ResourceLocalizer (nodemanager/localizer/), which
// posts the result back; a container without resources launches within StartContainers.
#ifndef SKEIN_NODEMANAGER_CONTAINER_CONTAINER_MANAGER_H_
#define SKEIN_NODEMANAGER_CONTAINER_CONTAINER_MANAGER_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/event_loop.h"
#include "common/ids.h"
#include "nodemanager/container/container.h"
#include "nodemanager/container/container_hooks.h"
#include "nodemanager/container/spare_dirs.h"
#include "nodemanager/container/token_verifier.h"
#include "nodemanager/executor/container_executor.h"
#include "nodemanager/localizer/resource_localizer.h"
#include "protos/container_manager.pb.h"
#include "protos/resource_tracker.pb.h"

namespace skein::nm {

inline constexpr char kKilledByAppMaster[] = "Container killed by the ApplicationMaster.";
inline constexpr char kKilledByResourceManager[] = "Container killed by the ResourceManager.";
inline constexpr char kKilledAfterAppCompletion[] = "Container killed on application-finish event.";

struct ContainerManagerOptions {
  std::vector<std::string> local_dirs;  // must exist
  std::vector<std::string> log_dirs;    // must exist
  // The dirs a new container may use (the disk health checker's good dirs; loop thread). Null or
  // empty: local_dirs / log_dirs.
  std::function<std::vector<std::string>()> good_local_dirs;
  std::function<std::vector<std::string>()> good_log_dirs;
  int http_port = 0;
  absl::Duration sigkill_delay = absl::Milliseconds(250);
  // Whitelisted variables of the NodeManager's environment, passed to containers that do not set
  // them. PATH is expected here.
  std::map<std::string, std::string> inherited_env;
  // yarn.nodemanager.admin-env, expanded (ExpandAdminEnv): set in every container, over the
  // launch context's own values.
  std::map<std::string, std::string> admin_env;
  std::string home;  // HOME for containers
  // Isolation and policing (cgroups, memory monitor); null = none. Must outlive the manager.
  ContainerHooks* hooks = nullptr;
  // Concurrent container localizations (yarn.nodemanager.localizer.fetch.thread-count).
  int localizer_threads = 4;
  // NodeManager restart: where the localizer records its cache (null = not recorded). Must
  // outlive the manager.
  LocalizedResourceStore* localized_resources = nullptr;
};

class ContainerManager {
 public:
  ContainerManager(ContainerManagerOptions options, EventLoop& loop, ContainerExecutor& executor,
                   Clock& clock);
  ContainerManager(const ContainerManager&) = delete;
  ContainerManager& operator=(const ContainerManager&) = delete;

  // Set once the RPC server is bound, before containers arrive.
  void SetNodeId(const NodeId& node_id) { node_id_ = node_id; }
  // From the RM (registration, key roll); the previous key stays valid for tokens in flight.
  void SetMasterKey(const proto::MasterKeyProto& key);
  bool has_master_key() const { return !keys_.empty(); }
  // Runs on the loop each time a container completes (the status updater heartbeats at once).
  void set_on_container_completed(std::function<void()> fn) { on_completed_ = std::move(fn); }

  proto::StartContainersResponse StartContainers(const proto::StartContainersRequest& request);
  proto::StopContainersResponse StopContainers(const proto::StopContainersRequest& request);
  proto::GetContainerStatusesResponse GetContainerStatuses(
      const proto::GetContainerStatusesRequest& request);

  // Every known container's status: running ones and completed ones the RM has not yet
  // acknowledged through containers_to_be_removed_from_nm.
  std::vector<proto::ContainerStatusProto> AllStatuses() const;
  // Obeys containers_to_cleanup, applications_to_cleanup, containers_to_be_removed_from_nm,
  // containers_to_signal (`yarn container -signal`: OUTPUT_THREAD_DUMP -> SIGQUIT,
  // GRACEFUL_SHUTDOWN -> SIGTERM, FORCEFUL_SHUTDOWN -> SIGKILL to the process group) and a
  // rolled container_token_master_key.
  void ApplyHeartbeatResponse(const proto::NodeHeartbeatResponse& response);

  // Shutdown: SIGTERM every running container (then SIGKILL after the delay). Containers that
  // were not otherwise asked to die complete with the signal's status (143).
  void TerminateAll();
  // A kill decided on the node (memory limits): the container completes with `exit_status`
  // (KILLED_EXCEEDED_PMEM, ...) and `diagnostics`. Unknown or completed containers are ignored.
  void KillContainer(const ContainerId& id, int exit_status, absl::string_view diagnostics) {
    Kill(id, exit_status, diagnostics);
  }
  int NumProcessesRunning() const;

  // Hadoop's NodeManagerMetrics counters since this process started (the NM's /jmx):
  // containers launched, completed with exit 0, failed (non-zero exit or launch failure) and
  // killed, and the launch duration (StartContainers to the process running, ms).
  struct Counters {
    int64_t launched = 0;
    int64_t completed = 0;
    int64_t failed = 0;
    int64_t killed = 0;
    int64_t launch_duration_ops = 0;
    int64_t launch_duration_total_ms = 0;
  };
  const Counters& counters() const { return counters_; }

  // Read-only view of one container for the NodeManager's log aggregation, web pages and
  // recovery (loop thread).
  struct ContainerView {
    ContainerId id;
    std::string user;
    Resource resource;
    std::string log_dir;   // <log-dir>/<app>/<container>
    std::string work_dir;  // working directory
    int pid = 0;           // 0 until launched
    bool completed = false;
    bool process_running = false;
  };
  std::vector<ContainerView> Views() const;
  // One container's view (one hash lookup), or nullopt when it is not known.
  std::optional<ContainerView> View(const ContainerId& id) const;

  // NodeManager restart (nodemanager/recovery/): adopts a container a previous NodeManager
  // process launched, as RUNNING with process group `pid`; the caller watches the process and
  // calls RecoveredExit when it ends (with its exit code file's value, or LOST).
  void AdoptRunning(const ContainerId& id, const std::string& user, const Resource& resource,
                    int pid, const std::string& work_dir, const std::string& log_dir);
  void RecoveredExit(const ContainerId& id, ProcessExit exit) { OnProcessExit(id, exit); }

 private:
  struct Entry {
    std::unique_ptr<Container> container;
    int pid = 0;
    std::string work_dir;
    std::string log_dir;
    std::string local_root;  // the local dir and log dir the two above are in
    std::string log_root;
    bool hooks_prepared = false;  // hooks->Cleanup is owed
    int64_t started_ms = 0;       // StartContainers accepted it (counters_ launch duration)
  };

  static ContainerView ViewOf(const ContainerId& id, const Entry& entry);
  absl::Status StartOne(const proto::StartContainerRequest& request, ContainerId* id);
  // The spare directories of local dir (`log` false) or log dir `dir`.
  SpareDirs& Spares(const std::string& dir, bool log);
  void Launch(Entry& entry, const proto::ContainerLaunchContextProto& context);
  // Checks the resource names and makes the container's directories.
  absl::Status PrepareDirs(const Entry& entry, const proto::ContainerLaunchContextProto& context,
                           const std::vector<std::string>& app_dirs);
  absl::Status LinkResources(const Entry& entry, const ResourceLocalizer::Paths& paths);
  // The localizer's answer, on the loop.
  void OnLocalized(const ContainerId& id, const absl::StatusOr<ResourceLocalizer::Paths>& paths,
                   const proto::ContainerLaunchContextProto& context,
                   const std::vector<std::string>& app_dirs);
  // LOCALIZED -> RUNNING: hooks, launch_container.sh, spawn.
  void Run(Entry& entry, const proto::ContainerLaunchContextProto& context,
           const std::vector<std::string>& app_dirs);
  // Finished applications none of whose containers is still alive lose their APPLICATION
  // resources.
  void ReleaseFinishedApps();
  void Kill(const ContainerId& id, int exit_status, absl::string_view diagnostics);
  // SIGTERM the group now and SIGKILL it after the delay if anything is left.
  void TerminateGroup(int pgid);
  void OnProcessExit(const ContainerId& id, ProcessExit exit);
  void Completed(Entry& entry);
  void CleanupHooks(const ContainerId& id, int attempts_left);

  const ContainerManagerOptions options_;
  EventLoop& loop_;
  ContainerExecutor& executor_;
  Clock& clock_;
  NodeId node_id_;
  std::vector<MasterKey> keys_;  // newest last, at most two
  std::function<void()> on_completed_;
  Counters counters_;
  absl::flat_hash_map<ContainerId, Entry> containers_;
  // Completed containers the RM acknowledged: a token for one of them is refused.
  absl::flat_hash_set<ContainerId> forgotten_;
  // Applications the RM said finished whose APPLICATION resources are still cached.
  absl::flat_hash_set<ApplicationId> finished_apps_;
  // Last member: destroyed first, so no fetch outlives what its callback touches.
  absl::flat_hash_map<std::string, std::unique_ptr<SpareDirs>> spares_;  // by local / log dir
  std::unique_ptr<ResourceLocalizer> localizer_;
};

}  // namespace skein::nm

#endif  // SKEIN_NODEMANAGER_CONTAINER_CONTAINER_MANAGER_H_
