#include "resourcemanager/ha/ha_resource_manager.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/event_loop.h"
#include "common/hadoop_rpc/server.h"
#include "common/rpc.h"
#include "protos/ha_protocol.grpc.pb.h"
#include "resourcemanager/core/rm_config.h"
#include "resourcemanager/ha/active_standby_elector.h"
#include "resourcemanager/ha/ha_config.h"
#include "resourcemanager/ha/standby_web.h"

namespace skein::rm::ha {
namespace {

constexpr char kManualRefused[] =
    "Manual failover control for this ResourceManager is disallowed, because automatic failover "
    "is enabled (use --forcemanual only if you are sure no other ResourceManager is active)";

// Answers every call of every method with UNAVAILABLE: what a standby RM says on the ports
// (and methods) only an active RM serves.
class RefuseAllService final : public grpc::CallbackGenericService {
 public:
  explicit RefuseAllService(std::string message) : message_(std::move(message)) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    class Refusal final : public grpc::ServerGenericBidiReactor {
     public:
      explicit Refusal(const std::string& message) {
        Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, message));
      }
      void OnDone() override { delete this; }
    };
    return new Refusal(message_);
  }

 private:
  const std::string message_;
};

class HaResourceManagerImpl;

// HAServiceProtocol; one instance per gRPC server (standby admin server, active admin server).
class HaService final : public proto::HAServiceProtocol::Service {
 public:
  explicit HaService(HaResourceManagerImpl& rm) : rm_(rm) {}
  grpc::Status GetServiceStatus(grpc::ServerContext*, const proto::GetServiceStatusRequest*,
                                proto::GetServiceStatusResponse* resp) override;
  grpc::Status TransitionToActive(grpc::ServerContext*, const proto::HATransitionRequest* req,
                                  proto::HATransitionResponse*) override;
  grpc::Status TransitionToStandby(grpc::ServerContext*, const proto::HATransitionRequest* req,
                                   proto::HATransitionResponse*) override;
  grpc::Status MonitorHealth(grpc::ServerContext*, const proto::MonitorHealthRequest*,
                             proto::MonitorHealthResponse*) override {
    return grpc::Status::OK;  // serving at all is this RM's health
  }

 private:
  HaResourceManagerImpl& rm_;
};

class HaResourceManagerImpl final : public ResourceManager {
 public:
  HaResourceManagerImpl(HaConfig ha, Clock& clock, std::optional<std::string> conf_dir,
                        std::string store_class)
      : ha_(std::move(ha)),
        clock_(clock),
        conf_dir_(std::move(conf_dir)),
        store_class_(std::move(store_class)),
        refusal_(absl::StrCat("ResourceManager ", ha_.rm_id, " is not Active!")),
        ha_loop_("rm-ha") {}

  ~HaResourceManagerImpl() override { Stop(); }

  absl::Status Start() override {
    ha_loop_.Start();
    if (ha_.automatic_failover && ha_.embedded_elector) {
      // Made before any listener runs: HAServiceProtocol handlers read it (never reassigned).
      ElectorOptions o;
      o.zk_connect = ha_.zk_address;
      o.session_timeout = ha_.zk_timeout;
      o.parent_path = ha_.election_path();
      o.id = ha_.rm_id;
      ElectorCallbacks cb;
      cb.become_active = [this] { return TransitionToActive(); };
      cb.become_standby = [this] { TransitionToStandby(); };
      // Fencing of the old active is the state store's (its writes check a fencing node).
      elector_ = std::make_unique<ActiveStandbyElector>(std::move(o), std::move(cb));
    }
    {
      std::lock_guard<std::mutex> lock(transition_mu_);
      if (auto s = StartStandbyListeners(); !s.ok()) {
        StopStandbyListeners();
        return s;
      }
      // Later (re)binds, active or standby, reuse the ports bound now (port 0 = ephemeral).
      for (const RmAddressKey& k : RmAddressKeys()) {
        ha_.active_conf.Set(k.key, bound_.at(k.key));
        ha_.addresses[k.key][ha_.rm_id] = bound_.at(k.key);
      }
      state_ = State::kStandby;
    }
    std::cerr << "ResourceManager " << ha_.rm_id << " started in standby" << std::endl;
    if (elector_ != nullptr) elector_->Join();
    return absl::OkStatus();
  }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    if (elector_ != nullptr) elector_->Quit();  // the lock vanishes now: another RM takes over
    ha_loop_.Stop();
    std::lock_guard<std::mutex> lock(transition_mu_);
    state_ = State::kStopping;
    if (active_ != nullptr) active_->Stop();
    active_.reset();
    StopStandbyListeners();
  }

  std::string client_address() const override { return Bound("yarn.resourcemanager.address"); }
  std::string scheduler_address() const override {
    return Bound("yarn.resourcemanager.scheduler.address");
  }
  std::string resource_tracker_address() const override {
    return Bound("yarn.resourcemanager.resource-tracker.address");
  }
  std::string admin_address() const override { return Bound("yarn.resourcemanager.admin.address"); }
  std::string webapp_address() const override {
    return Bound("yarn.resourcemanager.webapp.address");
  }
  int64_t cluster_timestamp() const override {
    std::lock_guard<std::mutex> lock(active_mu_);
    return active_ != nullptr ? active_->cluster_timestamp() : 0;
  }
  std::string ha_state() const override {
    switch (state_.load()) {
      case State::kActive:
        return "active";
      case State::kStandby:
        return "standby";
      case State::kInitializing:
        return "initializing";
      case State::kStopping:
        return "stopping";
    }
    return "initializing";
  }

  // --- for HaService ---
  void Status(proto::GetServiceStatusResponse* resp) const {
    switch (state_.load()) {
      case State::kActive:
        resp->set_state(proto::HA_ACTIVE);
        break;
      case State::kStandby:
        resp->set_state(proto::HA_STANDBY);
        break;
      case State::kInitializing:
        resp->set_state(proto::HA_INITIALIZING);
        break;
      case State::kStopping:
        resp->set_state(proto::HA_STOPPING);
        break;
    }
    resp->set_ready_to_become_active(state_.load() != State::kStopping);
    resp->set_rm_id(ha_.rm_id);
    resp->set_automatic_failover(ha_.automatic_failover);
    resp->set_zk_connection_state(ZkConnectionState());
  }
  // Starts a transition on the rm-ha thread (the gRPC server that carries the request restarts
  // during it, so the reply cannot wait for it).
  absl::Status RequestTransition(bool to_active, proto::HARequestSourceProto source) {
    if (ha_.automatic_failover && source == proto::REQUEST_BY_USER) {
      // Hadoop's AdminService refuses it with AccessControlException.
      return hrpc::WithJavaException(absl::FailedPreconditionError(kManualRefused),
                                     hrpc::kAccessControlException);
    }
    ha_loop_.Post([this, to_active] {
      if (!to_active) {
        TransitionToStandby();
        return;
      }
      if (absl::Status s = TransitionToActive(); !s.ok()) {
        std::cerr << "ResourceManager " << ha_.rm_id
                  << ": transition to active failed: " << s.message() << std::endl;
      }
    });
    return absl::OkStatus();
  }

  // HAServiceProtocol over Hadoop IPC (`yarn rmadmin -getServiceState` of Hadoop's CLI), on the
  // admin port in both states.
  void AddHaProtocol(hrpc::MethodTable& t) {
    t.Add<proto::GetServiceStatusRequest, proto::GetServiceStatusResponse>(
        hrpc::kHaProtocol, "getServiceStatus",
        [this](const hrpc::CallContext&, const proto::GetServiceStatusRequest&)
            -> absl::StatusOr<proto::GetServiceStatusResponse> {
          proto::GetServiceStatusResponse r;
          Status(&r);
          if (r.state() == proto::HA_STOPPING) {  // not a Hadoop state: a stopping RM is standby
            r.set_state(proto::HA_STANDBY);
            r.set_not_ready_reason("the ResourceManager is stopping");
          }
          return r;
        });
    for (bool to_active : {true, false}) {
      t.Add<proto::HATransitionRequest, proto::HATransitionResponse>(
          hrpc::kHaProtocol, to_active ? "transitionToActive" : "transitionToStandby",
          [this, to_active](const hrpc::CallContext&, const proto::HATransitionRequest& req)
              -> absl::StatusOr<proto::HATransitionResponse> {
            if (auto s = RequestTransition(to_active, req.req_info().req_source()); !s.ok()) {
              return s;
            }
            return proto::HATransitionResponse();
          });
    }
    t.Add<proto::MonitorHealthRequest, proto::MonitorHealthResponse>(
        hrpc::kHaProtocol, "monitorHealth",
        [](const hrpc::CallContext&,
           const proto::MonitorHealthRequest&) -> absl::StatusOr<proto::MonitorHealthResponse> {
          return proto::MonitorHealthResponse();
        });
  }

 private:
  enum class State { kInitializing, kActive, kStandby, kStopping };

  std::string Bound(const std::string& key) const {
    std::lock_guard<std::mutex> lock(active_mu_);
    auto it = bound_.find(key);
    return it == bound_.end() ? "" : it->second;
  }

  std::string ZkConnectionState() const {
    if (elector_ == nullptr) {
      return "Could not find leader elector. Verify both HA and automatic failover are enabled.";
    }
    return elector_->zk_connection_state();
  }

  // Asks the other RMs (HAServiceProtocol, 1 s each) which one is active; its web address.
  std::optional<std::string> FindActiveWebapp() const {
    for (const std::string& id : ha_.rm_ids) {
      if (id == ha_.rm_id) continue;
      auto stub = proto::HAServiceProtocol::NewStub(
          MakeChannel(ha_.addresses.at("yarn.resourcemanager.admin.address").at(id)));
      auto ctx = MakeClientContext(std::chrono::milliseconds(1000));
      proto::GetServiceStatusResponse resp;
      if (stub->GetServiceStatus(ctx.get(), proto::GetServiceStatusRequest(), &resp).ok() &&
          resp.state() == proto::HA_ACTIVE) {
        return ConnectAddress(ha_.addresses.at("yarn.resourcemanager.webapp.address").at(id));
      }
    }
    return std::nullopt;
  }

  // transition_mu_ held.
  absl::Status StartStandbyListeners() {
    std::lock_guard<std::mutex> lock(active_mu_);
    standby_ha_service_ = std::make_unique<HaService>(*this);
    for (const RmAddressKey& k : RmAddressKeys()) {
      const std::string key = k.key;
      if (key == "yarn.resourcemanager.webapp.address") continue;
      const std::string address = ha_.own(key);
      std::string host;
      int port = 0;
      if (auto s = SplitHostPort(address, key, &host, &port); !s.ok()) return s;
      // The client and admin ports also answer Hadoop IPC (shared with gRPC as on the active):
      // StandbyException for everything but HAServiceProtocol, so Hadoop's failover proxy
      // moves on to the active RM.
      const bool shared =
          key == "yarn.resourcemanager.address" || key == "yarn.resourcemanager.admin.address";
      grpc::ServerBuilder builder;
      builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
      int bound_port = 0, grpc_port = 0;
      if (!shared) {
        builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &bound_port);
      } else {
        // The shared port's listener relays gRPC connections to this loopback port.
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port);
      }
      if (key == "yarn.resourcemanager.admin.address") {
        builder.RegisterService(standby_ha_service_.get());
      }
      // gRPC binds a generic service to one server for good: a fresh one per server.
      refusers_.push_back(std::make_unique<RefuseAllService>(refusal_));
      builder.RegisterCallbackGenericService(refusers_.back().get());
      std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
      if (server != nullptr && shared && grpc_port != 0) {
        auto table = std::make_unique<hrpc::MethodTable>();
        if (key == "yarn.resourcemanager.admin.address") AddHaProtocol(*table);
        table->SetFallback(
            hrpc::WithJavaException(absl::UnavailableError(refusal_), hrpc::kStandbyException));
        hrpc::ServerOptions o;
        o.name = absl::StrCat("ResourceManager ", ha_.rm_id, " (standby) ", key);
        auto ipc = std::make_unique<hrpc::HadoopRpcServer>(*table, o);
        auto listener = hrpc::SharedPortListener::Start(
            address, key, absl::StrCat("127.0.0.1:", grpc_port), ipc.get());
        if (!listener.ok()) {
          server->Shutdown();
          return absl::Status(listener.status().code(),
                              absl::StrCat(listener.status().message(), " (", ha_.rm_id, ")"));
        }
        bound_port = (*listener)->port();
        standby_ipc_.push_back({std::move(table), std::move(ipc), std::move(*listener)});
      }
      if (server == nullptr || bound_port == 0) {
        return absl::UnavailableError(absl::StrCat("cannot listen on ", key, ".", ha_.rm_id, "=",
                                                   address,
                                                   ": the address is in use or not local"));
      }
      standby_servers_.push_back(std::move(server));
      bound_[key] = absl::StrCat(host, ":", bound_port);
    }
    StandbyWebOptions web;
    web.store_class = store_class_;
    web.zk_connection_state = [this] { return ZkConnectionState(); };
    web.find_active_webapp = [this] { return FindActiveWebapp(); };
    standby_web_ = std::make_unique<StandbyWebServer>(std::move(web));
    const std::string web_address = ha_.own("yarn.resourcemanager.webapp.address");
    if (auto s = standby_web_->Start(web_address); !s.ok()) return s;
    bound_["yarn.resourcemanager.webapp.address"] =
        absl::StrCat(web_address.substr(0, web_address.rfind(':')), ":", standby_web_->port());
    return absl::OkStatus();
  }

  // transition_mu_ held.
  void StopStandbyListeners() {
    const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(2);
    for (auto& ipc : standby_ipc_) {
      ipc.listener->StopAccepting();
      ipc.server->Shutdown();
    }
    // Graceful: the call that asked for this transition still gets its answer.
    for (auto& s : standby_servers_) s->Shutdown(deadline);
    for (auto& ipc : standby_ipc_) ipc.listener->Stop();
    standby_servers_.clear();
    standby_ipc_.clear();
    refusers_.clear();
    if (standby_web_ != nullptr) standby_web_->Stop();
    standby_web_.reset();
    standby_ha_service_.reset();
  }

  absl::Status TransitionToActive() {
    std::lock_guard<std::mutex> lock(transition_mu_);
    if (state_.load() == State::kStopping) return absl::UnavailableError("stopping");
    if (state_.load() == State::kActive) return absl::OkStatus();
    std::cerr << "ResourceManager " << ha_.rm_id << ": transitioning to active" << std::endl;
    StopStandbyListeners();
    auto service = std::make_unique<HaService>(*this);
    ActiveServicesOptions options;
    options.extra_admin_services = {service.get()};
    options.add_admin_methods = [this](hrpc::MethodTable& t) { AddHaProtocol(t); };
    options.am_scheduler_addresses = ha_.am_scheduler_addresses();
    options.ha_zk_connection_state = [this] { return ZkConnectionState(); };
    auto rm = ResourceManager::CreateActiveServices(ha_.active_conf, clock_, conf_dir_, options);
    absl::Status s = rm.ok() ? (*rm)->Start() : rm.status();
    if (!s.ok()) {
      if (rm.ok()) (*rm)->Stop();
      if (absl::Status back = StartStandbyListeners(); !back.ok()) {
        std::cerr << "ResourceManager " << ha_.rm_id
                  << ": cannot listen as standby again: " << back.message() << std::endl;
      }
      return absl::Status(s.code(), absl::StrCat("ResourceManager ", ha_.rm_id,
                                                 " could not become active: ", s.message()));
    }
    {
      std::lock_guard<std::mutex> l(active_mu_);
      active_ = std::move(*rm);
      active_ha_service_ = std::move(service);
    }
    state_ = State::kActive;
    std::cerr << "ResourceManager " << ha_.rm_id << " is active" << std::endl;
    return absl::OkStatus();
  }

  void TransitionToStandby() {
    std::lock_guard<std::mutex> lock(transition_mu_);
    if (state_.load() == State::kStopping || state_.load() == State::kStandby) return;
    std::cerr << "ResourceManager " << ha_.rm_id << ": transitioning to standby" << std::endl;
    std::unique_ptr<ResourceManager> old;
    {
      std::lock_guard<std::mutex> l(active_mu_);
      old = std::move(active_);
    }
    if (old != nullptr) old->Stop();  // joins its threads; its in-memory state goes with it
    old.reset();
    active_ha_service_.reset();
    state_ = State::kStandby;
    if (absl::Status s = StartStandbyListeners(); !s.ok()) {
      std::cerr << "ResourceManager " << ha_.rm_id << ": cannot listen as standby: " << s.message()
                << std::endl;
    }
  }

  HaConfig ha_;
  Clock& clock_;
  const std::optional<std::string> conf_dir_;
  const std::string store_class_;
  const std::string refusal_;
  EventLoop ha_loop_;
  std::unique_ptr<ActiveStandbyElector> elector_;
  std::atomic<State> state_{State::kInitializing};
  std::atomic<bool> stopped_{false};
  std::mutex transition_mu_;  // one transition at a time; guards the listeners below
  std::vector<std::unique_ptr<grpc::Server>> standby_servers_;
  std::vector<std::unique_ptr<RefuseAllService>> refusers_;  // outlive their servers
  struct StandbyIpc {
    std::unique_ptr<hrpc::MethodTable> methods;
    std::unique_ptr<hrpc::HadoopRpcServer> server;
    std::unique_ptr<hrpc::SharedPortListener> listener;
  };
  std::vector<StandbyIpc> standby_ipc_;
  std::unique_ptr<StandbyWebServer> standby_web_;
  std::unique_ptr<HaService> standby_ha_service_;
  std::unique_ptr<HaService> active_ha_service_;
  mutable std::mutex active_mu_;  // guards active_ and bound_ for the accessors
  std::unique_ptr<ResourceManager> active_;
  std::map<std::string, std::string> bound_;  // plain key -> bound host:port
};

grpc::Status HaService::GetServiceStatus(grpc::ServerContext*,
                                         const proto::GetServiceStatusRequest*,
                                         proto::GetServiceStatusResponse* resp) {
  rm_.Status(resp);
  return grpc::Status::OK;
}

grpc::Status HaService::TransitionToActive(grpc::ServerContext*,
                                           const proto::HATransitionRequest* req,
                                           proto::HATransitionResponse*) {
  return ToGrpcStatus(rm_.RequestTransition(true, req->req_info().req_source()));
}

grpc::Status HaService::TransitionToStandby(grpc::ServerContext*,
                                            const proto::HATransitionRequest* req,
                                            proto::HATransitionResponse*) {
  return ToGrpcStatus(rm_.RequestTransition(false, req->req_info().req_source()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ResourceManager>> CreateHaResourceManager(
    const conf::Configuration& conf, Clock& clock, std::optional<std::string> conf_dir) {
  auto ha = HaConfig::FromConfiguration(conf);
  if (!ha.ok()) return ha.status();
  // Validate the active services' settings now, not at the first failover (without building
  // them: the state store must not be opened by a standby).
  auto config = RmConfig::FromConfiguration(ha->active_conf);
  if (!config.ok()) return config.status();
  return std::unique_ptr<ResourceManager>(
      new HaResourceManagerImpl(*std::move(ha), clock, std::move(conf_dir), config->store_class));
}

}  // namespace skein::rm::ha
