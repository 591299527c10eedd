#include "resourcemanager/resource_manager.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <iostream>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/event_loop.h"
#include "common/rm_failover.h"
#include "common/rpc.h"
#include "resourcemanager/core/am_launcher.h"
#include "resourcemanager/core/rm_config.h"
#include "resourcemanager/core/rm_core.h"
#include "resourcemanager/ha/ha_resource_manager.h"
#include "resourcemanager/logretention/aggregated_log_deletion.h"
#include "resourcemanager/service/services.h"
#include "resourcemanager/web/rm_web_server.h"

namespace skein::rm {
namespace {

// The user's groups from the OS, primary group first (Hadoop's shell-based group mapping).
std::vector<std::string> UserGroups(const std::string& user) {
  // Reentrant lookups only: other threads resolve users at the same time.
  std::vector<std::string> out;
  std::vector<char> buf(16384);
  struct passwd pw;
  struct passwd* found = nullptr;
  if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return out;
  }
  const gid_t primary = found->pw_gid;
  int n = 64;
  std::vector<gid_t> gids(n);
  if (getgrouplist(user.c_str(), primary, gids.data(), &n) < 0) {
    gids.resize(n);
    if (getgrouplist(user.c_str(), primary, gids.data(), &n) < 0) n = 0;
  }
  gids.resize(n);
  auto name_of = [&buf](gid_t g) -> std::string {
    struct group gr;
    struct group* hit = nullptr;
    if (getgrgid_r(g, &gr, buf.data(), buf.size(), &hit) == 0 && hit != nullptr) {
      return hit->gr_name;
    }
    return std::to_string(g);
  };
  out.push_back(name_of(primary));
  for (gid_t g : gids) {
    if (g != primary) out.push_back(name_of(g));
  }
  return out;
}

std::string BoundAddress(const std::string& configured, int port) {
  std::string host = configured.substr(0, configured.rfind(':'));
  return absl::StrCat(host, ":", port);
}

class ResourceManagerImpl final : public ResourceManager {
 public:
  ResourceManagerImpl(RmConfig config, Clock& clock, std::unique_ptr<ResourceCalculator> calc,
                      std::unique_ptr<Scheduler> scheduler, std::unique_ptr<RMStateStore> store,
                      conf::Configuration startup_conf, std::optional<std::string> conf_dir,
                      ActiveServicesOptions ha_options)
      : ha_options_(std::move(ha_options)),
        config_(std::move(config)),
        clock_(clock),
        startup_conf_(std::move(startup_conf)),
        conf_dir_(std::move(conf_dir)),
        calc_(std::move(calc)),
        scheduler_(std::move(scheduler)),
        store_(std::move(store)),
        loop_("rm-loop"),
        core_(config_, clock, loop_, *scheduler_, *calc_, *store_, launcher_),
        client_handlers_(core_, loop_),
        admin_handlers_(core_, loop_, [this] { return LoadConf(); }),
        client_service_(client_handlers_),
        am_service_(core_, loop_),
        tracker_service_(core_, loop_),
        admin_service_(admin_handlers_),
        web_(core_, loop_, clock) {
    core_.set_user_groups(&UserGroups);
  }

  ~ResourceManagerImpl() override { Stop(); }

  absl::Status Start() override {
    loop_.Start();
    // RM restart: recover from the state store before any service accepts a call.
    if (auto s = loop_.RunSync([this] { return core_.Recover(); }); !s.ok()) return Fail(s);
    int port = 0;
    // The client and admin ports serve gRPC (Skein's tools) and Hadoop IPC (Hadoop's tools) on
    // one socket each, told apart by the connection's first bytes.
    AddClientProtocol(client_methods_, client_handlers_);
    client_ipc_ = std::make_unique<hrpc::HadoopRpcServer>(client_methods_,
                                                          IpcOptions("ApplicationClientProtocol"));
    auto client = StartSharedPort(config_.client_address, "yarn.resourcemanager.address",
                                  {&client_service_}, client_ipc_.get(), &client_listener_);
    if (!client.ok()) return Fail(client.status());
    client_server_ = std::move(*client);
    client_address_ = BoundAddress(config_.client_address, client_listener_->port());
    auto sched = StartGrpcServer(config_.scheduler_address,
                                 "yarn.resourcemanager.scheduler.address", {&am_service_}, &port);
    if (!sched.ok()) return Fail(sched.status());
    scheduler_server_ = std::move(*sched);
    scheduler_address_ = BoundAddress(config_.scheduler_address, port);
    auto tracker = StartGrpcServer(config_.resource_tracker_address,
                                   "yarn.resourcemanager.resource-tracker.address",
                                   {&tracker_service_}, &port);
    if (!tracker.ok()) return Fail(tracker.status());
    tracker_server_ = std::move(*tracker);
    tracker_address_ = BoundAddress(config_.resource_tracker_address, port);
    std::vector<grpc::Service*> admin_services = {&admin_service_};
    admin_services.insert(admin_services.end(), ha_options_.extra_admin_services.begin(),
                          ha_options_.extra_admin_services.end());
    AddAdminProtocol(admin_methods_, admin_handlers_);
    if (ha_options_.add_admin_methods) ha_options_.add_admin_methods(admin_methods_);
    admin_ipc_ = std::make_unique<hrpc::HadoopRpcServer>(
        admin_methods_, IpcOptions("ResourceManagerAdministrationProtocol"));
    auto admin = StartSharedPort(config_.admin_address, "yarn.resourcemanager.admin.address",
                                 admin_services, admin_ipc_.get(), &admin_listener_);
    if (!admin.ok()) return Fail(admin.status());
    admin_server_ = std::move(*admin);
    admin_address_ = BoundAddress(config_.admin_address, admin_listener_->port());
    loop_.RunSync([this] {
      core_.set_scheduler_connect_address(ha_options_.am_scheduler_addresses.empty()
                                              ? ConnectAddress(scheduler_address_)
                                              : ha_options_.am_scheduler_addresses);
      core_.Start();
      for (const std::string& f : core_.ReloadableFiles()) file_mtimes_[f] = ModificationTime(f);
      loop_.PostPeriodic(absl::Milliseconds(config_.reload_check_interval_ms),
                         [this] { CheckReloadableFiles(); });
    });
    // Web (issue 6): REST, UI and /metrics, after the gRPC servers.
    web_.set_ha_zk_state(ha_options_.ha_zk_connection_state);
    web_.set_rpc_addresses({{"ApplicationClientProtocol", client_address_},
                            {"ApplicationMasterProtocol", scheduler_address_},
                            {"ResourceTracker", tracker_address_},
                            {"ResourceManagerAdministrationProtocol", admin_address_}});
    if (auto s = web_.Start(webapp_configured_); !s.ok()) return Fail(s);
    webapp_address_ = BoundAddress(webapp_configured_, web_.port());
    // Aggregated-log retention (issue 4): walks the remote log dir on its own thread; asks the
    // loop once per walk which applications still run.
    log_deletion_ = std::make_unique<AggregatedLogDeletionService>(
        log_retention_, clock_, [this] { return RunningApplications(); });
    log_deletion_->Start();
    started_ = true;
    return absl::OkStatus();
  }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(2);
    // No new connections; then the servers finish the calls in flight (relayed gRPC calls too);
    // then whatever is still relayed is ended.
    for (auto* l : {&client_listener_, &admin_listener_}) {
      if (*l) (*l)->StopAccepting();
    }
    for (auto* ipc : {&client_ipc_, &admin_ipc_}) {
      if (*ipc) (*ipc)->Shutdown();
    }
    for (auto* s : {&client_server_, &scheduler_server_, &tracker_server_, &admin_server_}) {
      if (*s) (*s)->Shutdown(deadline);
    }
    for (auto* l : {&client_listener_, &admin_listener_}) {
      if (*l) (*l)->Stop();
    }
    web_.Stop();  // before the loop: HTTP threads RunSync onto it
    if (log_deletion_ != nullptr) log_deletion_->Stop();  // it RunSyncs onto the loop too
    launcher_.Stop();
    loop_.Stop();
  }

  std::string client_address() const override { return client_address_; }
  std::string scheduler_address() const override { return scheduler_address_; }
  std::string resource_tracker_address() const override { return tracker_address_; }
  std::string admin_address() const override { return admin_address_; }
  int64_t cluster_timestamp() const override { return core_.cluster_timestamp(); }
  std::string webapp_address() const override { return webapp_address_; }
  std::string webapp_configured_;      // yarn.resourcemanager.webapp.address, set by Create
  LogRetentionOptions log_retention_;  // yarn.log-aggregation.retain-*, set by Create

 private:
  absl::Status Fail(absl::Status s) {
    Stop();
    return s;
  }

  // Hadoop IPC limits from the startup configuration (Hadoop's core-default.xml keys).
  hrpc::ServerOptions IpcOptions(const std::string& name) const {
    hrpc::ServerOptions o;
    o.name = "ResourceManager " + name;
    o.max_data_length = static_cast<size_t>(
        startup_conf_.GetInt("ipc.maximum.data.length", 128 << 20).value_or(128 << 20));
    // Hadoop's server closes connections idle for twice the client's idle time.
    o.max_idle = absl::Milliseconds(
        2 * startup_conf_.GetInt("ipc.client.connection.maxidletime", 10000).value_or(10000));
    int64_t max_connections = startup_conf_.GetInt("ipc.server.max.connections", 0).value_or(0);
    o.max_connections = max_connections > 0 ? static_cast<int>(max_connections) : 1024;
    return o;
  }

  // A gRPC server behind a listener on `address` that also serves Hadoop IPC.
  static absl::StatusOr<std::unique_ptr<grpc::Server>> StartSharedPort(
      const std::string& address, const std::string& key,
      const std::vector<grpc::Service*>& services, hrpc::HadoopRpcServer* ipc,
      std::unique_ptr<hrpc::SharedPortListener>* listener) {
    // The gRPC server itself listens on a loopback port of its own; the listener relays to it.
    int grpc_port = 0;
    auto server = StartGrpcServer("127.0.0.1:0", key + " (its gRPC backend)", services, &grpc_port);
    if (!server.ok()) return server.status();
    auto l =
        hrpc::SharedPortListener::Start(address, key, absl::StrCat("127.0.0.1:", grpc_port), ipc);
    if (!l.ok()) return l.status();
    *listener = std::move(*l);
    return server;
  }

  // The configuration as it is on disk now (refreshes), or the startup one without a directory.
  absl::StatusOr<conf::Configuration> LoadConf() const {
    if (!conf_dir_.has_value()) return startup_conf_;
    return conf::LoadYarnConfiguration(conf_dir_);
  }

  // The applications in a non-final state (the log retention thread; hops onto the loop).
  std::set<ApplicationId> RunningApplications() {
    return loop_.RunSync([this] {
      proto::GetApplicationsRequest filter;
      for (proto::YarnApplicationState s :
           {proto::NEW, proto::NEW_SAVING, proto::SUBMITTED, proto::ACCEPTED, proto::RUNNING}) {
        filter.add_application_states(s);
      }
      std::set<ApplicationId> out;
      for (const proto::ApplicationReportProto& r : core_.ListApplications(filter)) {
        out.insert(ApplicationId::FromProto(r.application_id()));
      }
      return out;
    });
  }

  static int64_t ModificationTime(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return -1;
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  }

  // RM loop, every reload_check_interval_ms: a scheduler file (the Fair allocation file) whose
  // modification time changed is re-read and applied; a bad file is logged and the running
  // queues stay (as YARN's AllocationFileLoaderService). Only stat() runs on the loop unless a
  // file changed.
  void CheckReloadableFiles() {
    bool changed = false;
    std::map<std::string, int64_t> now;
    for (const std::string& f : core_.ReloadableFiles()) {
      now[f] = ModificationTime(f);
      auto seen = file_mtimes_.find(f);
      if (seen == file_mtimes_.end() || seen->second != now[f]) changed = true;
    }
    file_mtimes_ = std::move(now);
    if (!changed) return;
    auto conf = LoadConf();
    absl::Status s = conf.ok() ? core_.RefreshQueues(*conf) : conf.status();
    if (!s.ok()) {
      std::cerr << "ResourceManager: reloading the scheduler configuration failed; keeping the "
                   "running queues: "
                << s.message() << std::endl;
    }
  }

  const ActiveServicesOptions ha_options_;
  RmConfig config_;
  Clock& clock_;
  const conf::Configuration startup_conf_;
  const std::optional<std::string> conf_dir_;
  std::map<std::string, int64_t> file_mtimes_;  // RM loop only
  std::unique_ptr<ResourceCalculator> calc_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<RMStateStore> store_;
  GrpcAmLauncher launcher_;
  EventLoop loop_;
  RmCore core_;
  ClientHandlers client_handlers_;
  AdminHandlers admin_handlers_;
  ClientService client_service_;
  AmService am_service_;
  TrackerService tracker_service_;
  AdminService admin_service_;
  hrpc::MethodTable client_methods_, admin_methods_;
  std::unique_ptr<hrpc::HadoopRpcServer> client_ipc_, admin_ipc_;
  std::unique_ptr<hrpc::SharedPortListener> client_listener_, admin_listener_;
  web::RmWebServer web_;
  std::unique_ptr<AggregatedLogDeletionService> log_deletion_;
  std::string webapp_address_;
  std::unique_ptr<grpc::Server> client_server_, scheduler_server_, tracker_server_, admin_server_;
  std::string client_address_, scheduler_address_, tracker_address_, admin_address_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ResourceManager>> ResourceManager::Create(
    const conf::Configuration& conf, Clock& clock, std::optional<std::string> conf_dir) {
  auto ha = conf.GetBool(kHaEnabledKey, false);
  if (!ha.ok()) return ha.status();
  if (*ha) return ha::CreateHaResourceManager(conf, clock, std::move(conf_dir));
  return CreateActiveServices(conf, clock, std::move(conf_dir), ActiveServicesOptions());
}

absl::StatusOr<std::unique_ptr<ResourceManager>> ResourceManager::CreateActiveServices(
    const conf::Configuration& conf, Clock& clock, std::optional<std::string> conf_dir,
    ActiveServicesOptions ha_options) {
  auto config = RmConfig::FromConfiguration(conf);
  if (!config.ok()) return config.status();
  auto calc = MakeResourceCalculator(config->calculator_class);
  if (!calc.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("yarn.scheduler.capacity.resource-calculator: ", calc.status().message()));
  }
  SchedulerOptions options;
  options.calculator = calc->get();
  options.conf = &conf;
  options.user_groups = &UserGroups;
  auto scheduler = MakeScheduler(config->scheduler_class, options);
  if (!scheduler.ok()) return scheduler.status();
  auto store = MakeStateStore(conf);
  if (!store.ok()) return store.status();
  auto rm = std::make_unique<ResourceManagerImpl>(std::move(*config), clock, std::move(*calc),
                                                  std::move(*scheduler), std::move(*store), conf,
                                                  std::move(conf_dir), std::move(ha_options));
  rm->webapp_configured_ = conf.Get("yarn.resourcemanager.webapp.address", "0.0.0.0:8088");
  auto retention = ParseLogRetentionOptions(conf);
  if (!retention.ok()) return retention.status();
  rm->log_retention_ = *std::move(retention);
  return std::unique_ptr<ResourceManager>(std::move(rm));
}

}  // namespace skein::rm
