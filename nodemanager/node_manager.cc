// Wiring only: configuration -> loop, executor, container manager, gRPC service, status updater.
#include "nodemanager/node_manager.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/event_loop.h"
#include "common/rpc.h"
#include "nodemanager/container/container_manager.h"
#include "nodemanager/executor/posix_executor.h"
#include "nodemanager/nm_config.h"
#include "nodemanager/policing.h"
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
    const char* home = std::getenv("HOME");
    cm.home = home != nullptr ? home : "/home/";
    loop_ = std::make_unique<EventLoop>("nm-loop");
    StartPolicing();
    cm.hooks = policing_.get();

    manager_ = std::make_unique<ContainerManager>(std::move(cm), *loop_, *executor_, clock_);
    service_ = std::make_unique<ContainerManagerService>(*loop_, *manager_);
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
    updater_ = std::make_unique<StatusUpdater>(su, *loop_, *manager_);
    loop_->RunSync([this] {
      manager_->SetNodeId(node_id_);
      manager_->set_on_container_completed([u = updater_.get()] { u->TriggerHeartbeat(); });
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
    if (monitor_ != nullptr) monitor_->Stop();
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
      server_->Wait();
    }
    loop_->RunSync([this] {
      manager_->set_on_container_completed(nullptr);
      manager_->TerminateAll();
    });
    const auto deadline = std::chrono::steady_clock::now() +
                          absl::ToChronoMilliseconds(config_.sigkill_delay + kStopGrace);
    while (loop_->RunSync([this] { return manager_->NumProcessesRunning(); }) > 0 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (cgroups_ != nullptr) loop_->RunSync([this] { cgroups_->RemoveAllContainerGroups(); });
    executor_.reset();  // joins the reaper; exits it reports now are posted to a stopping loop
    loop_->Stop();
  }

  std::string address() const override { return node_id_.ToString(); }
  NodeId node_id() const override { return node_id_; }
  bool registered() const override { return updater_ != nullptr && updater_->registered(); }

 private:
  // Monitor, cgroups and health script (policing.h); says once what cannot be enforced.
  void StartPolicing() {
    CgroupsSetup cg = SetUpCgroups(config_.cgroups);
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

  // Web (issue 6): what the NM REST API shows; runs on the loop.
  web::NmWebSnapshot WebSnapshot() {
    web::NmWebSnapshot snap;
    snap.node_id = node_id_;
    snap.total = config_.total;
    if (health_ != nullptr) snap.health = health_->status();
    snap.last_update_ms = clock_.NowMillis();
    snap.containers = manager_->AllStatuses();
    return snap;
  }

  void FillNodeStatus(proto::NodeStatusProto* status) {
    *status->mutable_nodehealthstatus() = health_->status();
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
  std::unique_ptr<PosixContainerExecutor> executor_;
  std::unique_ptr<ContainerManager> manager_;
  std::unique_ptr<ContainerManagerService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<StatusUpdater> updater_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<NodeManager>> NodeManager::Create(const conf::Configuration& conf,
                                                                 Clock& clock) {
  absl::StatusOr<NmConfig> config = ParseNmConfig(conf);
  if (!config.ok()) return config.status();
  return std::unique_ptr<NodeManager>(new NodeManagerImpl(*std::move(config), clock));
}

}  // namespace skein::nm
