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
#include "nodemanager/service/container_manager_service.h"
#include "nodemanager/status_updater.h"

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

    StatusUpdaterOptions su;
    su.rm_address = config_.rm_tracker_address;
    su.node_id = node_id_;
    su.http_port = config_.http_port;
    su.total = config_.total;
    su.retry_cap = config_.rm_retry_cap;
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
    executor_.reset();  // joins the reaper; exits it reports now are posted to a stopping loop
    loop_->Stop();
  }

  std::string address() const override { return node_id_.ToString(); }
  NodeId node_id() const override { return node_id_; }
  bool registered() const override { return updater_ != nullptr && updater_->registered(); }

 private:
  const NmConfig config_;
  Clock& clock_;
  bool started_ = false;
  bool stopped_ = false;
  NodeId node_id_;
  std::unique_ptr<EventLoop> loop_;
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
