#include "resourcemanager/resource_manager.h"

#include <grp.h>
#include <pwd.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/event_loop.h"
#include "common/rpc.h"
#include "resourcemanager/core/am_launcher.h"
#include "resourcemanager/core/rm_config.h"
#include "resourcemanager/core/rm_core.h"
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
                      std::unique_ptr<Scheduler> scheduler, std::unique_ptr<RMStateStore> store)
      : config_(std::move(config)),
        calc_(std::move(calc)),
        scheduler_(std::move(scheduler)),
        store_(std::move(store)),
        loop_("rm-loop"),
        core_(config_, clock, loop_, *scheduler_, *calc_, *store_, launcher_),
        client_service_(core_, loop_),
        am_service_(core_, loop_),
        tracker_service_(core_, loop_),
        web_(core_, loop_, clock) {}

  ~ResourceManagerImpl() override { Stop(); }

  absl::Status Start() override {
    loop_.Start();
    int port = 0;
    auto client = StartGrpcServer(config_.client_address, "yarn.resourcemanager.address",
                                  {&client_service_}, &port);
    if (!client.ok()) return Fail(client.status());
    client_server_ = std::move(*client);
    client_address_ = BoundAddress(config_.client_address, port);
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
    loop_.RunSync([this] {
      core_.set_scheduler_connect_address(ConnectAddress(scheduler_address_));
      core_.Start();
    });
    // Web (issue 6): REST, UI and /metrics, after the gRPC servers.
    if (auto s = web_.Start(webapp_configured_); !s.ok()) return Fail(s);
    webapp_address_ = BoundAddress(webapp_configured_, web_.port());
    started_ = true;
    return absl::OkStatus();
  }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(2);
    for (auto* s : {&client_server_, &scheduler_server_, &tracker_server_}) {
      if (*s) (*s)->Shutdown(deadline);
    }
    web_.Stop();  // before the loop: HTTP threads RunSync onto it
    launcher_.Stop();
    loop_.Stop();
  }

  std::string client_address() const override { return client_address_; }
  std::string scheduler_address() const override { return scheduler_address_; }
  std::string resource_tracker_address() const override { return tracker_address_; }
  std::string admin_address() const override { return config_.admin_address; }
  int64_t cluster_timestamp() const override { return core_.cluster_timestamp(); }
  std::string webapp_address() const override { return webapp_address_; }
  std::string webapp_configured_;  // yarn.resourcemanager.webapp.address, set by Create

 private:
  absl::Status Fail(absl::Status s) {
    Stop();
    return s;
  }

  RmConfig config_;
  std::unique_ptr<ResourceCalculator> calc_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<RMStateStore> store_;
  GrpcAmLauncher launcher_;
  EventLoop loop_;
  RmCore core_;
  ClientService client_service_;
  AmService am_service_;
  TrackerService tracker_service_;
  web::RmWebServer web_;
  std::string webapp_address_;
  std::unique_ptr<grpc::Server> client_server_, scheduler_server_, tracker_server_;
  std::string client_address_, scheduler_address_, tracker_address_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ResourceManager>> ResourceManager::Create(
    const conf::Configuration& conf, Clock& clock) {
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
  auto store = MakeStateStore(config->store_class);
  if (!store.ok()) return store.status();
  auto rm = std::make_unique<ResourceManagerImpl>(std::move(*config), clock, std::move(*calc),
                                                  std::move(*scheduler), std::move(*store));
  rm->webapp_configured_ = conf.Get("yarn.resourcemanager.webapp.address", "0.0.0.0:8088");
  return std::unique_ptr<ResourceManager>(std::move(rm));
}

}  // namespace skein::rm
