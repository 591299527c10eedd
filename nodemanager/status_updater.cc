#include "nodemanager/status_updater.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/rpc.h"
#include "nodemanager/nm_config.h"

namespace skein::nm {

StatusUpdater::StatusUpdater(StatusUpdaterOptions options, EventLoop& loop,
                             ContainerManager& manager)
    : options_(std::move(options)),
      loop_(loop),
      manager_(manager),
      backoff_(options_.retry_initial) {
  std::vector<RmEndpoint> rms;
  for (absl::string_view a : absl::StrSplit(options_.rm_address, ',', absl::SkipEmpty())) {
    rms.push_back({"", std::string(a), "yarn.resourcemanager.resource-tracker.address"});
  }
  // The updater keeps its own retry loop (yarn.resourcemanager.connect.*); only the RM list and
  // the moves to the next RM come from RmFailover.
  rms_ = std::make_unique<RmFailover>(std::move(rms), FailoverPolicy());
  for (size_t i = 0; i < rms_->size(); ++i) {
    stubs_.push_back(proto::ResourceTracker::NewStub(rms_->channel(i)));
  }
}

void StatusUpdater::FailOver() {
  if (rms_->size() < 2) return;
  {
    skein::MutexLock lock(&mu_);
    if (stopping_) return;  // the call was cancelled by Stop(), not by the RM
  }
  rms_->FailOver();
  registered_ = false;  // a new active RM learns of this node (and its containers) afresh
  last_rpc_failed_ = false;
  Log(absl::StrCat("failing over to the ResourceManager at ", rm_address()));
}

StatusUpdater::~StatusUpdater() { Stop(); }

void StatusUpdater::Start() {
  thread_ = std::thread([this] { Run(); });
}

void StatusUpdater::Stop() {
  {
    skein::MutexLock lock(&mu_);
    stopping_ = true;
    if (in_flight_ != nullptr) in_flight_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void StatusUpdater::TriggerHeartbeat() {
  skein::MutexLock lock(&mu_);
  triggered_ = true;
}

void StatusUpdater::Log(const std::string& message) {
  fprintf(stderr, "skein nodemanager %s: %s\n", options_.node_id.ToString().c_str(),
          message.c_str());
}

bool StatusUpdater::Wait(absl::Duration d, bool wake_on_trigger) {
  skein::MutexLock lock(&mu_);
  auto ready = [this, wake_on_trigger]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return stopping_ || (wake_on_trigger && triggered_);
  };
  mu_.AwaitWithTimeout(ready, d);
  if (wake_on_trigger) triggered_ = false;
  return !stopping_;
}

void StatusUpdater::Run() {
  bool first_heartbeat = false;
  while (true) {
    {
      skein::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    if (shutdown_by_rm_) {
      if (!Wait(absl::InfiniteDuration(), false)) return;
      continue;
    }
    if (!registered_) {
      if (Register()) {
        first_heartbeat = true;  // report at once, then on the RM's interval
        backoff_ = options_.retry_initial;
        continue;
      }
      if (shutdown_by_rm_) continue;
      if (!Wait(backoff_, false)) return;
      backoff_ = std::min(backoff_ * 2, options_.retry_cap);
      continue;
    }
    if (!first_heartbeat && !Wait(interval_, true)) return;
    first_heartbeat = false;
    if (Heartbeat()) {
      backoff_ = options_.retry_initial;
    } else {
      if (!Wait(backoff_, false)) return;
      backoff_ = std::min(backoff_ * 2, options_.retry_cap);
      first_heartbeat = true;  // retry without waiting a full interval on top
    }
  }
}

bool StatusUpdater::Register() {
  proto::RegisterNodeManagerRequest req;
  *req.mutable_node_id() = options_.node_id.ToProto();
  req.set_http_port(options_.http_port);
  *req.mutable_resource() = options_.total.ToProto();
  req.set_nm_version(kNmVersion);
  for (proto::ContainerStatusProto& s : loop_.RunSync([this] { return manager_.AllStatuses(); })) {
    *req.add_container_statuses() = std::move(s);
  }
  proto::RegisterNodeManagerResponse resp;
  auto ctx = MakeClientContext(absl::ToChronoMilliseconds(options_.rpc_timeout));
  {
    skein::MutexLock lock(&mu_);
    if (stopping_) return false;
    in_flight_ = ctx.get();
  }
  grpc::Status st = stub().RegisterNodeManager(ctx.get(), req, &resp);
  {
    skein::MutexLock lock(&mu_);
    in_flight_ = nullptr;
  }
  if (!st.ok()) {
    if (!last_rpc_failed_) {
      Log(absl::StrCat("cannot register with the ResourceManager at ", rm_address(), ": ",
                       st.error_message(), " (retrying every ",
                       absl::FormatDuration(options_.retry_cap), " at most)"));
    }
    last_rpc_failed_ = true;
    if (RmFailover::ShouldFailOver(st)) FailOver();
    return false;
  }
  last_rpc_failed_ = false;
  if (resp.nodeaction() == proto::SHUTDOWN) {
    // Hadoop's NodeStatusUpdaterImpl wording (its spelling too), then the process stops.
    Log(
        absl::StrCat("Recieved SHUTDOWN signal from Resourcemanager, Registration of NodeManager "
                     "failed, Message from ResourceManager: ",
                     resp.diagnostics_message(), " -- stopping the NodeManager"));
    shutdown_by_rm_ = true;
    return false;
  }
  loop_.RunSync([this, &resp] { manager_.SetMasterKey(resp.container_token_master_key()); });
  response_id_ = 0;
  registered_ = true;
  Log(absl::StrCat("registered with the ResourceManager at ", rm_address(), " offering ",
                   options_.total.ToString()));
  return true;
}

bool StatusUpdater::Heartbeat() {
  proto::NodeHeartbeatRequest req;
  proto::NodeStatusProto* status = req.mutable_node_status();
  *status->mutable_node_id() = options_.node_id.ToProto();
  status->set_response_id(response_id_);
  status->mutable_nodehealthstatus()->set_is_node_healthy(true);
  if (options_.fill_node_status) options_.fill_node_status(status);
  for (proto::ContainerStatusProto& s : loop_.RunSync([this] { return manager_.AllStatuses(); })) {
    *status->add_containersstatuses() = std::move(s);
  }
  proto::NodeHeartbeatResponse resp;
  auto ctx = MakeClientContext(absl::ToChronoMilliseconds(options_.rpc_timeout));
  {
    skein::MutexLock lock(&mu_);
    if (stopping_) return true;
    in_flight_ = ctx.get();
  }
  grpc::Status st = stub().NodeHeartbeat(ctx.get(), req, &resp);
  {
    skein::MutexLock lock(&mu_);
    in_flight_ = nullptr;
  }
  if (!st.ok()) {
    if (!last_rpc_failed_) {
      Log(absl::StrCat("heartbeat to the ResourceManager at ", rm_address(),
                       " failed: ", st.error_message(), " (retrying)"));
    }
    last_rpc_failed_ = true;
    if (RmFailover::ShouldFailOver(st)) FailOver();
    return false;
  }
  last_rpc_failed_ = false;
  response_id_ = resp.response_id();
  interval_ = resp.nextheartbeatinterval() > 0 ? absl::Milliseconds(resp.nextheartbeatinterval())
                                               : absl::Seconds(1);
  if (resp.nodeaction() == proto::SHUTDOWN) {
    Log(
        absl::StrCat("Recieved SHUTDOWN signal from Resourcemanager as part of heartbeat, hence "
                     "shutting down. Message from ResourceManager: ",
                     resp.diagnostics_message()));
    registered_ = false;
    shutdown_by_rm_ = true;
    return true;
  }
  if (resp.nodeaction() == proto::RESYNC) {
    Log(absl::StrCat("the ResourceManager asked this node to resync: ",
                     resp.diagnostics_message()));
    registered_ = false;
    return true;
  }
  loop_.RunSync([this, &resp] {
    if (options_.on_heartbeat_response) options_.on_heartbeat_response(resp);
    manager_.ApplyHeartbeatResponse(resp);
  });
  return true;
}

}  // namespace skein::nm
