// Wiring only: configuration -> loop, executor, container manager, gRPC service, status updater.
#include "nodemanager/node_manager.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/event_loop.h"
#include "common/rpc.h"
#include "nodemanager/container/container_manager.h"
#include "nodemanager/executor/posix_executor.h"
#include "nodemanager/logaggregation/log_aggregation_service.h"
#include "nodemanager/nm_config.h"
#include "nodemanager/policing.h"
#include "nodemanager/recovery/container_recovery.h"
#include "nodemanager/recovery/nm_state_store.h"
#include "nodemanager/service/container_manager_service.h"
#include "nodemanager/status_updater.h"
#include "nodemanager/web/nm_web_server.h"

namespace skein::nm {
namespace {

// How long Stop() waits for containers to die after SIGKILL was due.
constexpr absl::Duration kStopGrace = absl::Seconds(5);

absl::Status CreateDirs(const std::vector<std::string>& dirs, const char* key) {
  for (const std::string& d : dirs) {
    std::error_code ec;
    std::filesystem::create_directories(d, ec);
    if (ec || !std::filesystem::is_directory(d, ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat(key, ": cannot create directory ", d, ": ",
                       ec ? ec.message() : "a file of that name exists"));
    }
  }
  return absl::OkStatus();
}

class NodeManagerImpl final : public NodeManager {
 public:
  NodeManagerImpl(NmConfig config, Clock& clock) : config_(std::move(config)), clock_(clock) {}
  ~NodeManagerImpl() override { Stop(); }

  absl::Status Start() override {
    if (started_) return absl::FailedPreconditionError("NodeManager already started");
    if (auto s = CreateDirs(config_.local_dirs, "yarn.nodemanager.local-dirs"); !s.ok()) return s;
    if (auto s = CreateDirs(config_.log_dirs, "yarn.nodemanager.log-dirs"); !s.ok()) return s;
    const std::string state_dir = config_.recovery_enabled
                                      ? config_.recovery_dir
                                      : config_.local_dirs.front() + "/nmPrivate/state";
    absl::StatusOr<std::unique_ptr<NmStateStore>> store = OpenLevelDbStateStore(state_dir);
    if (!store.ok()) return store.status();
    store_ = *std::move(store);
    absl::StatusOr<std::unique_ptr<PosixContainerExecutor>> executor =
        PosixContainerExecutor::Create();
    if (!executor.ok()) return executor.status();
    executor_ = *std::move(executor);

    ContainerManagerOptions cm;
    cm.local_dirs = config_.local_dirs;
    cm.log_dirs = config_.log_dirs;
    cm.http_port = config_.http_port;
    cm.sigkill_delay = config_.sigkill_delay;
    for (const std::string& name : config_.env_whitelist) {
      if (const char* v = std::getenv(name.c_str()); v != nullptr) cm.inherited_env[name] = v;
    }
    if (!cm.inherited_env.count("PATH")) cm.inherited_env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
    cm.admin_env = ExpandAdminEnv(config_.admin_env,
                                  [](const std::string& name) -> std::optional<std::string> {
                                    const char* v = std::getenv(name.c_str());
                                    if (v == nullptr) return std::nullopt;
                                    return std::string(v);
                                  });
    const char* home = std::getenv("HOME");
    cm.home = home != nullptr ? home : "/home/";
    loop_ = std::make_unique<EventLoop>("nm-loop");
    StartPolicing();
    // NM restart (issue 4): every launch is recorded; see recovery/container_recovery.h.
    recording_hooks_ = std::make_unique<RecordingHooks>(
        policing_.get(), config_.recovery_enabled ? config_.recovery_dir : "",
        [this](const ContainerId& id, int pid) { recorder_->Launched(id, pid); });
    cm.hooks = recording_hooks_.get();
    // Disk health (issue 4): new containers only get good dirs.
    disk_fs_ = std::make_unique<RealDiskFs>();
    disks_ = std::make_unique<DiskChecker>(config_.disks, *disk_fs_);
    disks_->Start();
    cm.good_local_dirs = [this] { return disks_->GoodLocalDirs(); };
    cm.good_log_dirs = [this] { return disks_->GoodLogDirs(); };
    // NM restart (issue 4): the resource cache survives a restart with recovery.
    if (config_.recovery_enabled) cm.localized_resources = store_.get();

    manager_ = std::make_unique<ContainerManager>(std::move(cm), *loop_, *executor_, clock_);
    service_ = std::make_unique<ContainerManagerService>(*loop_, *manager_);
    recorder_ = std::make_unique<ContainerRecorder>(
        *store_, *manager_, config_.recovery_enabled ? config_.recovery_dir : "");
    loop_->Start();
    started_ = true;

    int port = 0;
    absl::StatusOr<std::unique_ptr<grpc::Server>> server =
        StartGrpcServer(config_.bind_address, "yarn.nodemanager.address", {service_.get()}, &port);
    if (!server.ok()) {
      Stop();
      return server.status();
    }
    server_ = *std::move(server);
    node_id_ = NodeId(config_.node_host, port);
    // Logs (issue 4): before the web server, whose snapshots read it on the loop.
    // With recovery, pending aggregations and local-log deletions survive a restart.
    log_aggregation_ = std::make_unique<logs::LogAggregationService>(
        config_.log_aggregation, node_id_, config_.recovery_enabled ? store_.get() : nullptr,
        clock_);
    log_aggregation_->Start();
    // Web (issue 6): NM REST and /metrics on yarn.nodemanager.webapp.address.
    web_ = std::make_unique<web::NmWebServer>(*loop_, [this] { return WebSnapshot(); });
    if (auto s = web_->Start(absl::StrCat("0.0.0.0:", config_.http_port)); !s.ok()) {
      Stop();
      return s;
    }

    StatusUpdaterOptions su;
    su.rm_address = config_.rm_tracker_address;
    su.node_id = node_id_;
    su.http_port = web_->port();
    su.total = config_.total;
    su.retry_cap = config_.rm_retry_cap;
    su.fill_node_status = [this](proto::NodeStatusProto* status) { FillNodeStatus(status); };
    su.on_heartbeat_response = [this](const proto::NodeHeartbeatResponse& resp) {
      OnHeartbeatResponse(resp);
    };
    updater_ = std::make_unique<StatusUpdater>(su, *loop_, *manager_);
    loop_->RunSync([this] {
      manager_->SetNodeId(node_id_);
      RecoveryResult recovered =
          RecoverContainers(*store_, *manager_, *recorder_, policing_.get(), *loop_,
                            config_.recovery_enabled, config_.recovery_dir);
      if (recovered.reattached + recovered.ended + recovered.killed > 0) {
        fprintf(stderr,
                "skein nodemanager: from the previous run: %d container(s) re-attached, %d "
                "ended while down, %d leftover(s) killed\n",
                recovered.reattached, recovered.ended, recovered.killed);
      }
      manager_->set_on_container_completed([this] {
        recorder_->Sync();
        updater_->TriggerHeartbeat();
        RecordAppUsers();
        MaybeFinishApps();
      });
    });
    updater_->Start();
    return absl::OkStatus();
  }

  void Stop() override {
    if (!started_ || stopped_) return;
    stopped_ = true;
    if (updater_ != nullptr) updater_->Stop();
    if (web_ != nullptr) web_->Stop();  // web: before the loop stops
    if (health_ != nullptr) health_->Stop();
    if (disks_ != nullptr) disks_->Stop();
    if (monitor_ != nullptr) monitor_->Stop();
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
      server_->Wait();
    }
    // yarn.nodemanager.recovery.supervised: a supervisor restarts us; containers keep running.
    const bool keep_containers = config_.recovery_enabled && config_.recovery_supervised;
    loop_->RunSync([this, keep_containers] {
      manager_->set_on_container_completed(nullptr);
      if (!keep_containers) manager_->TerminateAll();
    });
    const auto deadline = std::chrono::steady_clock::now() +
                          absl::ToChronoMilliseconds(config_.sigkill_delay + kStopGrace);
    while (!keep_containers &&
           loop_->RunSync([this] { return manager_->NumProcessesRunning(); }) > 0 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (cgroups_ != nullptr && !keep_containers)
      loop_->RunSync([this] { cgroups_->RemoveAllContainerGroups(); });
    executor_.reset();  // joins the reaper; exits it reports now are posted to a stopping loop
    loop_->Stop();
    if (log_aggregation_ != nullptr) log_aggregation_->Stop();
  }

  std::string address() const override { return node_id_.ToString(); }
  NodeId node_id() const override { return node_id_; }
  bool registered() const override { return updater_ != nullptr && updater_->registered(); }
  bool shut_down_by_rm() const override {
    return updater_ != nullptr && updater_->shut_down_by_rm();
  }

 private:
  // Monitor, cgroups and health script (policing.h); says once what cannot be enforced.
  void StartPolicing() {
    CgroupsOptions cgroups = config_.cgroups;
    // NM restart: the groups of containers about to be re-attached are not leftovers.
    if (config_.recovery_enabled) cgroups.keep_at_start = LiveContainerIds(*store_);
    CgroupsSetup cg = SetUpCgroups(cgroups);
    if (!cg.cannot_enforce.empty()) {
      fprintf(stderr, "skein nodemanager: %s\n", cg.cannot_enforce.c_str());
    }
    cgroup_fs_ = std::move(cg.fs);
    cgroups_ = std::move(cg.manager);
    MonitorOptions mo = config_.monitor;
    mo.memory_enforced_by_cgroups = cgroups_ != nullptr && config_.cgroups.memory_enforced;
    procfs_ = std::make_unique<RealProcFs>();
    monitor_ = std::make_unique<ContainersMonitor>(
        mo, *procfs_, clock_, [this](const ContainerId& id, int status, const std::string& why) {
          loop_->Post([this, id, status, why] { manager_->KillContainer(id, status, why); });
        });
    policing_ = std::make_unique<NodePolicing>(cgroups_.get(), monitor_.get());
    monitor_->Start();
    health_ = std::make_unique<HealthChecker>(config_.health, clock_);
    health_->Start();
  }

  // The script's verdict combined with the disks' (any thread).
  proto::NodeHealthStatusProto NodeHealth() const {
    return CombineHealth(health_->status(), disks_->healthy(), disks_->report());
  }

  // Web (issue 6): what the NM REST API shows; runs on the loop.
  web::NmWebSnapshot WebSnapshot() {
    web::NmWebSnapshot snap;
    snap.node_id = node_id_;
    snap.total = config_.total;
    if (health_ != nullptr) snap.health = NodeHealth();
    snap.last_update_ms = clock_.NowMillis();
    snap.containers = manager_->AllStatuses();
    snap.log_dirs = config_.log_dirs;
    const ContainerManager::Counters& counted = manager_->counters();
    snap.containers_launched = counted.launched;
    snap.containers_completed = counted.completed;
    snap.containers_failed = counted.failed;
    snap.containers_killed = counted.killed;
    snap.launch_duration_ops = counted.launch_duration_ops;
    snap.launch_duration_total_ms = counted.launch_duration_total_ms;
    for (const ContainerManager::ContainerView& v : manager_->Views()) {
      snap.container_users[v.id.ToString()] = v.user;
      if (!v.log_dir.empty()) snap.container_log_dirs[v.id.ToString()] = v.log_dir;
      const ApplicationId app = v.id.application_id();
      if (log_aggregation_ != nullptr) {
        snap.log_aggregation_status.emplace(app.ToString(), log_aggregation_->Status(app));
      }
    }
    return snap;
  }

  // Log aggregation (issue 4): remembers each application's user while its containers are
  // known (the ContainerManager forgets completed containers once the RM acknowledged them).
  void RecordAppUsers() {
    for (const ContainerManager::ContainerView& v : manager_->Views()) {
      app_users_.emplace(v.id.application_id(), v.user);
    }
  }

  // On the loop, before the ContainerManager applies `resp` (and kills the finished apps'
  // containers).
  void OnHeartbeatResponse(const proto::NodeHeartbeatResponse& resp) {
    RecordAppUsers();
    for (const proto::ApplicationIdProto& p : resp.applications_to_cleanup()) {
      finishing_apps_.insert(ApplicationId::FromProto(p));
    }
    if (resp.applications_to_cleanup_size() > 0) loop_->Post([this] { MaybeFinishApps(); });
    // After the manager applied the response (forgotten containers leave the state store).
    loop_->Post([this] { recorder_->Sync(); });
  }

  // Hands every finished application none of whose containers still runs here to the log
  // aggregation service (which works off the loop).
  void MaybeFinishApps() {
    if (finishing_apps_.empty()) return;
    std::set<ApplicationId> busy;
    for (const ContainerManager::ContainerView& v : manager_->Views()) {
      if (!v.completed) busy.insert(v.id.application_id());
    }
    for (auto it = finishing_apps_.begin(); it != finishing_apps_.end();) {
      if (busy.count(*it)) {
        ++it;
        continue;
      }
      auto user = app_users_.find(*it);
      if (user != app_users_.end()) {
        log_aggregation_->ApplicationFinished(*it, user->second);
        app_users_.erase(user);
      }
      it = finishing_apps_.erase(it);
    }
  }

  void FillNodeStatus(proto::NodeStatusProto* status) {
    *status->mutable_nodehealthstatus() = NodeHealth();
    *status->mutable_containers_utilization() = monitor_->containers_utilization();
    *status->mutable_node_utilization() = monitor_->node_utilization();
  }

  const NmConfig config_;
  Clock& clock_;
  bool started_ = false;
  bool stopped_ = false;
  NodeId node_id_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<web::NmWebServer> web_;  // web (issue 6)
  std::unique_ptr<ProcFs> procfs_;
  std::unique_ptr<CgroupFs> cgroup_fs_;
  std::unique_ptr<CgroupsManager> cgroups_;
  std::unique_ptr<ContainersMonitor> monitor_;
  std::unique_ptr<NodePolicing> policing_;
  std::unique_ptr<HealthChecker> health_;
  std::unique_ptr<DiskFs> disk_fs_;
  std::unique_ptr<DiskChecker> disks_;
  std::unique_ptr<NmStateStore> store_;
  std::unique_ptr<RecordingHooks> recording_hooks_;
  std::unique_ptr<ContainerRecorder> recorder_;
  std::unique_ptr<PosixContainerExecutor> executor_;
  std::unique_ptr<ContainerManager> manager_;
  std::unique_ptr<ContainerManagerService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<StatusUpdater> updater_;
  std::unique_ptr<logs::LogAggregationService> log_aggregation_;
  // Loop thread only.
  std::map<ApplicationId, std::string> app_users_;
  std::set<ApplicationId> finishing_apps_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<NodeManager>> NodeManager::Create(const conf::Configuration& conf,
                                                                 Clock& clock) {
  absl::StatusOr<NmConfig> config = ParseNmConfig(conf);
  if (!config.ok()) return config.status();
  return std::unique_ptr<NodeManager>(new NodeManagerImpl(*std::move(config), clock));
}

}  // namespace skein::nm
