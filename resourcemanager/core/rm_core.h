// The ResourceManager's core state: applications and their attempts, nodes, containers, and the
// adapter that feeds the scheduler and applies its decisions.
//
// Thread rules: every method runs on the RM event loop (services RunSync onto it). The only
// exception is `news()`, which gRPC threads use to long-poll for an attempt's news.
//
// Application states follow YARN: NEW -> NEW_SAVING -> SUBMITTED -> ACCEPTED -> RUNNING ->
// FINISHED / FAILED / KILLED; an app whose AM unregistered reports FINISHED with the AM's final
// status. A failed attempt is retried up to the app's max attempts; failures caused by the
// platform (lost node, preemption, disk failure) do not count, as in YARN.
#ifndef SKEIN_RESOURCEMANAGER_CORE_RM_CORE_H_
#define SKEIN_RESOURCEMANAGER_CORE_RM_CORE_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "common/conf/configuration.h"
#include "common/event_loop.h"
#include "common/ids.h"
#include "common/resource.h"
#include "protos/am_protocol.pb.h"
#include "protos/client_protocol.pb.h"
#include "protos/resource_tracker.pb.h"
#include "resourcemanager/core/am_launcher.h"
#include "resourcemanager/core/rm_config.h"
#include "resourcemanager/scheduler/capacity/capacity_config.h"
#include "resourcemanager/scheduler/scheduler.h"
#include "resourcemanager/store/state_store.h"

namespace skein::rm {

// Does an AM container that ended with `exit_status` count against the app's max attempts?
// Not when the platform caused it (ABORTED, PREEMPTED, DISKS_FAILED, KILLED_BY_RESOURCEMANAGER).
bool CountsTowardsMaxAttempts(int32_t exit_status);

// The gRPC status of Allocate from an attempt that is not (or no longer, after an RM restart)
// registered: FAILED_PRECONDITION with a message that starts with this text (Hadoop's
// ApplicationMasterNotRegisteredException). The AM library re-registers and resends its whole
// ask table and unconfirmed releases when it sees it (appmaster/amrm_client.h says the same).
inline constexpr char kAmNotRegisteredException[] = "ApplicationMasterNotRegisteredException";

// Version counters per attempt, bumped when the attempt gets an allocation, a completion or is
// told to stop; gRPC threads wait on them for Allocate's long poll. Thread-safe.
class AttemptNews {
 public:
  uint64_t Version(const ApplicationAttemptId& a);
  void Bump(const ApplicationAttemptId& a);
  void Forget(const ApplicationAttemptId& a);
  // Waits until the version differs from `seen` or `timeout` passes. Returns true on news.
  bool WaitForChange(const ApplicationAttemptId& a, uint64_t seen, absl::Duration timeout);

 private:
  // std::mutex, not absl::Mutex: ThreadSanitizer cannot see Debian's uninstrumented Abseil.
  std::mutex mu_;
  std::condition_variable changed_;
  absl::flat_hash_map<ApplicationAttemptId, uint64_t> versions_;  // guarded by mu_
};

class RmCore {
 public:
  RmCore(const RmConfig& config, Clock& clock, EventLoop& loop, Scheduler& scheduler,
         const ResourceCalculator& calculator, RMStateStore& store, AmLauncher& launcher);
  ~RmCore();  // store callbacks still queued afterwards no longer reach the loop

  int64_t cluster_timestamp() const { return cluster_timestamp_; }
  // The address AMs use for ApplicationMasterProtocol (set once the port is bound).
  void set_scheduler_connect_address(std::string a) { scheduler_connect_address_ = std::move(a); }
  AttemptNews& news() { return news_; }
  // The groups of a user, primary group first (yarn.admin.acl group entries). Unset: no groups.
  void set_user_groups(std::function<std::vector<std::string>(const std::string&)> f) {
    user_groups_ = std::move(f);
  }
  // Starts the NM liveness monitor and, when the scheduler asks for it, the preemption monitor.
  void Start();

  // --- Restart and recovery (rm_core_recovery.cc) ---
  // THE entry point when an RM starts or becomes active (HA): call `RmCore::Recover()` on the RM
  // loop (loop.RunSync) before the client, AM and resource-tracker services accept calls, once
  // per activation, on a fresh RmCore. It bumps the store's epoch, adopts the stored AMRM and
  // container-token master keys (or stores this RM's), and with
  // yarn.resourcemanager.recovery.enabled restores every application from RMStateStore::Load():
  // finished ones with their final state; running ones with their current attempt. Work-preserving
  // (default): the attempt waits LAUNCHED for its AM to re-register (Allocate answers
  // kAmNotRegisteredException until then) and its containers are taken back as NodeManagers
  // re-register (Scheduler::RecoverContainer); new containers are scheduled once every node that
  // ran a recovered AM is back or work-preserving-recovery.scheduling-wait-ms passed; an AM
  // container no NodeManager reported within yarn.nm.liveness-monitor.expiry-interval-ms fails
  // its attempt without counting (exit ABORTED) and a new attempt starts. Not work-preserving:
  // each running app gets a new attempt that does not count, and NodeManagers are told to stop
  // the old containers. Blocks on the store; errors (unreadable store) name it.
  absl::Status Recover();
  int64_t epoch() const { return epoch_; }  // this start's epoch (0 before Recover)

  // --- ApplicationClientProtocol ---
  proto::GetNewApplicationResponse NewApplication();
  absl::Status Submit(const proto::ApplicationSubmissionContextProto& context,
                      const std::string& user);
  absl::StatusOr<proto::ApplicationReportProto> Report(const ApplicationId& id) const;
  std::vector<proto::ApplicationReportProto> ListApplications(
      const proto::GetApplicationsRequest& filter) const;
  std::vector<proto::ApplicationAttemptReportProto> ListAttempts(const ApplicationId& id) const;
  // Returns true when the application is already in a final state (nothing to kill).
  absl::StatusOr<bool> Kill(const ApplicationId& id, const std::string& user,
                            const std::string& diagnostics);
  proto::ClusterMetricsProto ClusterMetrics() const;
  std::vector<proto::NodeReportProto> Nodes(const std::set<proto::NodeState>& states) const;
  // The queue (with children / applications as asked), plus the fields Hadoop 3's `yarn queue
  // -status` prints beyond QueueInfoProto (weight, maximum parallel apps). NotFound naming the
  // queue when the scheduler does not know it.
  absl::StatusOr<proto::GetQueueInfoResponse> QueueInfo(
      const proto::GetQueueInfoRequest& req) const;
  // `yarn application -movetoqueue` and PUT /ws/v1/cluster/apps/{id}/queue (rm_core_admin.cc).
  // NotFound for an unknown app; FailedPrecondition ("App in FINISHED state cannot be moved.") for
  // a finished one; PermissionDenied (with yarn.acl.enable) for anyone but the owner, the queue's
  // administrators and yarn.admin.acl, or when `user` may not submit to the target queue; the
  // scheduler's error (naming the queue and limit) otherwise. Nothing changes on error. The app
  // report and the state store show the new queue.
  absl::Status MoveApplication(const ApplicationId& id, const std::string& queue,
                               const std::string& user);
  // `yarn application -updatePriority` and PUT /apps/{id}/priority. NotFound / PermissionDenied
  // as MoveApplication. Returns the priority applied (the scheduler caps it at
  // yarn.cluster.max-application-priority). As YARN, an app in a final state keeps its priority:
  // the call succeeds and returns the old value.
  absl::StatusOr<int32_t> UpdateApplicationPriority(const ApplicationId& id, int32_t priority,
                                                    const std::string& user);
  // With yarn.acl.enable: may `user` kill / move / re-prioritize the app? (owner, queue
  // administrators, yarn.admin.acl). Always true when ACLs are off. NotFound for unknown apps.
  absl::StatusOr<bool> CanModifyApplication(const ApplicationId& id, const std::string& user) const;
  // `yarn container -signal`: queues the signal for the container's node (next heartbeat).
  // NotFound ("Container with id '...' doesn't exist in RM.") unless the container is live;
  // PermissionDenied as MoveApplication; InvalidArgument for an unspecified command.
  absl::Status SignalContainer(const ContainerId& id, proto::SignalContainerCommandProto command,
                               const std::string& user);

  // Hadoop's getQueueUserAcls: every queue (parents too) with the ACLs `user` holds there
  // (all of them when yarn.acl.enable is off or `user` is an administrator).
  std::vector<proto::QueueUserACLInfoProto> QueueUserAcls(const std::string& user) const;

  // --- ResourceManagerAdministrationProtocol (rm_core_admin.cc) ---
  // `yarn rmadmin -getGroups`: the groups the RM resolves for `user` (the OS's, uncached).
  std::vector<std::string> GroupsForUser(const std::string& user) const;
  // With yarn.acl.enable, PermissionDenied unless `user` is in yarn.admin.acl, in YARN's words:
  // "User u doesn't have permission to call 'refreshQueues'". OK when ACLs are off.
  absl::Status CheckAdminAccess(const std::string& user, absl::string_view operation) const;
  // `yarn rmadmin -refreshQueues`: hands the freshly loaded configuration to the scheduler
  // (Scheduler::Reinitialize) and schedules again. On error the running queues stay and the
  // error (naming file:line / key) is returned.
  absl::Status RefreshQueues(const conf::Configuration& conf);
  // `yarn rmadmin -refreshAdminAcls`: takes yarn.admin.acl from the freshly loaded configuration.
  void RefreshAdminAcls(const conf::Configuration& conf);
  // Files whose modification should trigger RefreshQueues (the scheduler's ReloadableFiles).
  std::vector<std::string> ReloadableFiles() const { return scheduler_.ReloadableFiles(); }
  // One preemption round (run every Scheduler::PreemptionIntervalMs() once started): containers
  // to warn go into their attempt's next AllocateResponse.preempt.strict_contract; containers to
  // kill are stopped on their node and completed towards the AM with exit status PREEMPTED (-102)
  // and "Container preempted by scheduler". A preempted AM container fails its attempt without
  // counting against max attempts.
  void RunPreemption();

  // --- Node administration (rm_core_decommission.cc; Hadoop's NodesListManager and
  // DecommissioningNodesWatcher). Nodes are matched by their NodeId host (see hosts_file.h). ---
  // `yarn rmadmin -refreshNodes`: installs freshly loaded host lists (the admin service reads the
  // files off the loop; a malformed file never gets here, so the running lists stay) and applies
  // them to the active nodes (RUNNING, UNHEALTHY, DECOMMISSIONING):
  //  * no longer excluded and DECOMMISSIONING -> RUNNING with its full resource (recommission);
  //  * excluded, `graceful` false -> DECOMMISSIONED (SHUTDOWN when the host is in neither list
  //    of a non-empty include list): its containers end ABORTED ("Container released on a *lost*
  //    node"), its capacity leaves the cluster, the NM is told SHUTDOWN on its next heartbeat;
  //  * excluded, `graceful` true -> DECOMMISSIONING: the scheduler's total for the node becomes
  //    what it uses (Scheduler::UpdateNodeResource), so nothing new lands there; running
  //    containers go on. The node becomes DECOMMISSIONED at the heartbeat that finds no
  //    container on it and no running application that had one there, or once its timeout has
  //    passed (the exclude file's per-host <timeout>, else `timeout_s`; negative: none).
  void RefreshNodes(HostsLists lists, bool graceful, int32_t timeout_s);
  // `-refreshNodes -g -client` after its wait: every DECOMMISSIONING node is decommissioned now.
  void DecommissionNodesForcefully();
  // Hadoop's checkForDecommissioningNodes, in NodeId order.
  std::vector<NodeId> DecommissioningNodes() const;
  // `yarn rmadmin -updateNodeResource`: the node's total (reports, scheduler) becomes `total`;
  // running containers stay even when they no longer fit (`overcommit_timeout_s` is accepted but
  // Skein never kills them, as Hadoop's default of -1). NotFound in Hadoop's words for a node the
  // RM does not know; InvalidArgument naming a negative value. A DECOMMISSIONING node keeps
  // taking nothing new; the new total is what a recommission restores. A NodeManager that
  // registers again offers its own resource anew.
  absl::Status UpdateNodeResource(const NodeId& node, const Resource& total,
                                  int32_t overcommit_timeout_s);

  // --- ApplicationMasterProtocol (callers identify themselves with their AMRM token) ---
  absl::StatusOr<ApplicationAttemptId> AttemptForToken(const std::string& token) const;
  absl::StatusOr<proto::RegisterApplicationMasterResponse> RegisterAm(
      const ApplicationAttemptId& attempt, const proto::RegisterApplicationMasterRequest& req);
  absl::StatusOr<proto::AllocateResponse> Allocate(const ApplicationAttemptId& attempt,
                                                   const proto::AllocateRequest& req);
  absl::StatusOr<proto::FinishApplicationMasterResponse> FinishAm(
      const ApplicationAttemptId& attempt, const proto::FinishApplicationMasterRequest& req);

  // --- ResourceTracker ---
  proto::RegisterNodeManagerResponse RegisterNode(const proto::RegisterNodeManagerRequest& req);
  proto::NodeHeartbeatResponse NodeHeartbeat(const proto::NodeHeartbeatRequest& req);
  // Marks nodes silent for longer than the expiry interval LOST (also run periodically).
  void CheckNodeLiveness();

  // --- Web/metrics --- (rm_core_web.cc; RM loop only, like everything else here)
  struct WebCounters {
    int64_t apps_submitted = 0;
    int64_t apps_completed = 0;  // reached FINISHED
    int64_t apps_failed = 0;
    int64_t apps_killed = 0;
    // Hadoop's ClusterMetrics MutableRates (ms): attempt start -> AM container allocated,
    // launch asked -> NM started it, started -> AM registered.
    struct Rate {
      int64_t ops = 0;
      int64_t total_ms = 0;
      void Add(int64_t ms) {
        ++ops;
        total_ms += ms < 0 ? 0 : ms;
      }
    };
    Rate am_container_allocation_delay;
    Rate am_launch_delay;
    Rate am_register_delay;
  };
  struct WebClusterMetrics {
    WebCounters counters;
    int64_t apps_pending = 0;  // NEW_SAVING, SUBMITTED, ACCEPTED
    int64_t apps_running = 0;
    Resource total;
    Resource allocated;
    int64_t containers_allocated = 0;
    std::map<proto::NodeState, int64_t> nodes;  // by state
    int64_t total_nodes = 0;                    // as YARN: every state but NEW
  };
  struct WebAttempt {
    proto::ApplicationAttemptReportProto report;
    bool has_am_container = false;
    NodeId am_node;
    std::string am_node_http_address;
  };
  struct WebContainer {
    ContainerId id;
    NodeId node;
    std::string node_http_address;
    Resource resource;
    int32_t priority = 0;
    int64_t start_time = 0;
  };
  WebClusterMetrics WebMetrics() const;
  // Live containers of one attempt; NotFound when the attempt is unknown.
  absl::StatusOr<std::vector<WebContainer>> WebContainers(const ApplicationAttemptId& id) const;
  // The attempts of an app with their AM container's node; NotFound for an unknown app.
  absl::StatusOr<std::vector<WebAttempt>> WebAttempts(const ApplicationId& id) const;
  std::string SchedulerClassName() const { return scheduler_.ClassName(); }
  absl::StatusOr<QueueSnapshot> WebQueue(const std::string& name) const {
    return scheduler_.GetQueue(name);
  }
  const RmConfig& config() const { return config_; }

 private:
  struct RMContainer {
    ContainerId id;
    NodeId node;
    Resource resource;
    int32_t priority = 0;
    bool is_am = false;
    int64_t start_time = 0;
  };  // in containers_ exactly while live: a completed container is erased at once
  struct Attempt {
    ApplicationAttemptId id;
    proto::YarnApplicationAttemptState state = proto::APP_ATTEMPT_NEW;
    std::string token;
    bool has_am_container = false;
    proto::ContainerProto am_container;
    std::string host = "N/A";
    int32_t rpc_port = -1;
    std::string tracking_url;
    std::string diagnostics;
    proto::FinalApplicationStatus final_status = proto::APP_UNDEFINED;
    float progress = 0;
    int32_t am_exit_status = -1000;
    int64_t start_time = 0;
    int64_t finish_time = 0;
    int64_t launch_asked_ms = 0;  // /jmx AMLaunchDelay / AMRegisterDelay
    int64_t launched_ms = 0;
    std::vector<proto::ContainerProto> new_allocations;
    std::vector<proto::ContainerStatusProto> new_completions;
    std::vector<ContainerId> to_preempt;  // next AllocateResponse.preempt.strict_contract
    std::set<std::tuple<int32_t, int64_t, std::string>> ask_keys;  // to clear the ask table
    bool shutdown = false;  // the AM must stop (app killed or failed)
    int32_t response_id = 0;
  };
  struct App {
    ApplicationId id;
    proto::ApplicationSubmissionContextProto context;
    std::string user;
    std::string queue;
    proto::YarnApplicationState state = proto::NEW;
    proto::FinalApplicationStatus final_status = proto::APP_UNDEFINED;
    std::string diagnostics;
    int64_t submit_time = 0;
    int64_t start_time = 0;
    int64_t launch_time = 0;
    int64_t finish_time = 0;
    int32_t max_attempts = 2;
    int32_t counted_failures = 0;
    Resource am_resource;
    std::vector<std::unique_ptr<Attempt>> attempts;
    absl::flat_hash_set<NodeId> nodes_used;  // where its containers ran, for cleanup
    // Its containers still in containers_: reports and cleanup never scan every container.
    absl::flat_hash_set<ContainerId> live_containers;
    int64_t memory_seconds = 0;
    int64_t vcore_seconds = 0;
    int64_t preempted_memory_seconds = 0;
    int64_t preempted_vcore_seconds = 0;
    Attempt* current() const { return attempts.empty() ? nullptr : attempts.back().get(); }
    bool done() const {
      return state == proto::FINISHED || state == proto::FAILED || state == proto::KILLED;
    }
  };
  struct Node {
    NodeId id;
    int32_t http_port = 0;
    Resource total;
    proto::NodeState state = proto::NS_NEW;
    int64_t last_heartbeat = 0;
    std::string health_report;
    int64_t last_health_report_time = 0;
    std::string version;
    int32_t response_id = 0;
    absl::flat_hash_set<ContainerId> containers;
    std::vector<ContainerId> to_cleanup;
    std::vector<ApplicationId> apps_to_cleanup;
    std::vector<proto::SignalContainerRequest> to_signal;  // next heartbeat response
    // DECOMMISSIONING (rm_core_decommission.cc): since when, for how long (seconds, negative:
    // no limit), and the applications that ran containers here and may still need it.
    int64_t decommission_start_ms = 0;
    int32_t decommission_timeout_s = -1;
    absl::flat_hash_set<ApplicationId> decommission_apps;
  };

  // Lifecycle (rm_core.cc).
  void OnAppSaved(const ApplicationId& id, absl::Status status);
  void StartAttempt(App& app);
  void RunScheduling();
  void LaunchAm(App& app, Attempt& attempt);
  void OnAmLaunched(const ApplicationAttemptId& id, absl::Status status);
  void ContainerCompleted(const ContainerId& id, const proto::ContainerStatusProto& status);
  void OnAmContainerFinished(App& app, Attempt& attempt, const proto::ContainerStatusProto& s);
  void FailAttempt(App& app, Attempt& attempt, const std::string& diagnostics, int32_t exit);
  // Ends the attempt: takes it out of the scheduler and stops its containers (all but the AM
  // when `keep_am`).
  void EndAttempt(Attempt& attempt, bool keep_am, int32_t exit_status,
                  const std::string& diagnostics);
  void FinishApp(App& app, proto::YarnApplicationState state,
                 proto::FinalApplicationStatus final_status, const std::string& diagnostics);
  void PersistApp(const App& app);
  void PersistAttempt(const App& app, const Attempt& attempt);
  void CleanupAppOnNodes(const App& app);
  void RetireCompletedApps();
  App* FindApp(const ApplicationId& id);
  const App* FindApp(const ApplicationId& id) const;
  Attempt* FindAttempt(const ApplicationAttemptId& id);
  proto::TokenProto MakeContainerToken(const RMContainer& c, const App& app) const;
  proto::ApplicationReportProto BuildReport(const App& app) const;

  // Recovery (rm_core_recovery.cc).
  std::string AmrmToken(const ApplicationAttemptId& id) const;
  void RecoverApp(const ApplicationId& id, const RMState::App& stored);
  // A registering node's reported containers. At the node's first registration with this RM,
  // those of attempts recovered work-preserving are taken back and their completions reach the
  // AM; every other running container is stopped.
  void RecoverNodeContainers(Node& node, const proto::RegisterNodeManagerRequest& req,
                             bool first_registration);
  bool SchedulingHeld();  // work-preserving wait after recovery
  void ExpireUnreportedAms(const std::vector<ApplicationAttemptId>& attempts);

  // Nodes (rm_core_nodes.cc).
  void LoseNode(Node& node, proto::NodeState new_state, const std::string& why);
  // A RUNNING node re-registers with the containers it recovered after an NM restart: they keep
  // running (and their allocation); reported completions end with their real exit status.
  proto::RegisterNodeManagerResponse ReconnectNode(Node& node,
                                                   const proto::RegisterNodeManagerRequest& req,
                                                   proto::RegisterNodeManagerResponse resp);

  // Decommissioning (rm_core_decommission.cc).
  // Diagnostics when `id` may not join or stay (excluded, or not included); "" when it may.
  std::string DisallowedReason(const NodeId& id, bool registering) const;
  void StartDecommissioning(Node& node, int32_t timeout_s);
  void Recommission(Node& node);
  // Ends a node for good: DECOMMISSIONED (or SHUTDOWN for an untracked host).
  void DecommissionNode(Node& node);
  // On a DECOMMISSIONING node's heartbeat: keeps the scheduler's total at what it uses and
  // decommissions the node when it is drained or timed out. Returns true when it did.
  bool UpdateDecommissioning(Node& node);

  // Administration (rm_core_admin.cc).
  bool IsAdmin(const std::string& user) const;
  std::vector<std::string> GroupsOf(const std::string& user) const;
  void PreemptContainer(const ContainerId& id);
  // (Re)starts the preemption monitor when the scheduler's interval changed (after a refresh).
  void SchedulePreemption();

  const RmConfig config_;
  Clock& clock_;
  EventLoop& loop_;
  Scheduler& scheduler_;
  const ResourceCalculator& calc_;
  RMStateStore& store_;
  // Store callbacks run on the store's thread, possibly after this core and its loop are gone (a
  // write queued at shutdown): they post through this gate, which the destructor closes.
  struct LoopGate {
    std::mutex mu;
    EventLoop* loop = nullptr;  // guarded by mu
  };
  std::shared_ptr<LoopGate> gate_ = std::make_shared<LoopGate>();
  AmLauncher& launcher_;
  const int64_t cluster_timestamp_;
  std::string master_key_;  // signs container tokens (adopted from the store by Recover)
  std::string amrm_key_;    // AMRM tokens are HMACs of attempt ids under it (idem)
  int64_t epoch_ = 0;
  bool scheduling_held_ = false;               // recovery: until the wait ends
  int64_t scheduling_hold_until_ = 0;          // clock millis
  absl::flat_hash_set<NodeId> awaited_nodes_;  // ran recovered AMs, not re-registered yet
  absl::flat_hash_set<ApplicationAttemptId> recovered_attempts_;  // work-preserving
  std::deque<ApplicationId> completed_in_store_;  // finished apps still in the store
  std::string scheduler_connect_address_;
  AttemptNews news_;

  int32_t next_app_id_ = 1;
  std::map<ApplicationId, std::unique_ptr<App>> apps_;
  std::deque<ApplicationId> completed_apps_;
  absl::flat_hash_map<std::string, ApplicationAttemptId> tokens_;
  absl::flat_hash_map<ContainerId, RMContainer> containers_;
  std::map<NodeId, Node> nodes_;
  WebCounters web_counters_;  // Web/metrics: bumped in Submit and FinishApp
  std::function<std::vector<std::string>(const std::string&)> user_groups_;
  QueueAcl admin_acl_;
  // Include / exclude lists: the start-up ones from config_ (declared first, so initialized
  // before this), then whatever RefreshNodes installs.
  HostsLists hosts_ = config_.hosts;
  int64_t preemption_interval_ms_ = 0;  // of the running preemption monitor; 0: none
  EventLoop::TimerId preemption_timer_{};
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_CORE_RM_CORE_H_
