#include "nodemanager/testing/fake_resource_tracker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/clock.h"
#include "common/token.h"

namespace skein::nm::testing {

FakeResourceTracker::FakeResourceTracker() : key_(RandomBytes(32)) {}

grpc::Status FakeResourceTracker::RegisterNodeManager(
    grpc::ServerContext*, const proto::RegisterNodeManagerRequest* request,
    proto::RegisterNodeManagerResponse* response) {
  skein::MutexLock lock(&mu_);
  registrations_.push_back(*request);
  response->mutable_container_token_master_key()->set_key_id(3);
  response->mutable_container_token_master_key()->set_bytes(key_);
  response->set_nodeaction(register_action_);
  response->set_diagnostics_message("fake RM says so");
  return grpc::Status::OK;
}

grpc::Status FakeResourceTracker::NodeHeartbeat(grpc::ServerContext*,
                                                const proto::NodeHeartbeatRequest* request,
                                                proto::NodeHeartbeatResponse* response) {
  skein::MutexLock lock(&mu_);
  ++heartbeats_;
  last_node_status_ = request->node_status();
  for (const auto& s : request->node_status().containersstatuses()) {
    std::string id = ContainerId::FromProto(s.container_id()).ToString();
    last_status_[id] = s;
    if (s.state() == proto::C_COMPLETE) {
      completed_[id] = s;
      *response->add_containers_to_be_removed_from_nm() = s.container_id();
    }
  }
  response->set_response_id(request->node_status().response_id() + 1);
  response->set_nextheartbeatinterval(interval_ms_);
  response->set_nodeaction(next_action_);
  next_action_ = proto::NORMAL;
  for (const auto& c : cleanup_containers_) *response->add_containers_to_cleanup() = c;
  for (const auto& a : cleanup_apps_) *response->add_applications_to_cleanup() = a;
  cleanup_containers_.clear();
  cleanup_apps_.clear();
  return grpc::Status::OK;
}

void FakeResourceTracker::set_interval_ms(int64_t ms) {
  skein::MutexLock lock(&mu_);
  interval_ms_ = ms;
}

void FakeResourceTracker::set_register_action(proto::NodeAction action) {
  skein::MutexLock lock(&mu_);
  register_action_ = action;
}

void FakeResourceTracker::set_next_heartbeat_action(proto::NodeAction action) {
  skein::MutexLock lock(&mu_);
  next_action_ = action;
}

void FakeResourceTracker::CleanupContainer(const ContainerId& id) {
  skein::MutexLock lock(&mu_);
  cleanup_containers_.push_back(id.ToProto());
}

void FakeResourceTracker::CleanupApp(const ApplicationId& id) {
  skein::MutexLock lock(&mu_);
  cleanup_apps_.push_back(id.ToProto());
}

int FakeResourceTracker::registrations() {
  skein::MutexLock lock(&mu_);
  return static_cast<int>(registrations_.size());
}

proto::RegisterNodeManagerRequest FakeResourceTracker::last_registration() {
  skein::MutexLock lock(&mu_);
  return registrations_.back();
}

int FakeResourceTracker::heartbeats() {
  skein::MutexLock lock(&mu_);
  return heartbeats_;
}

proto::NodeStatusProto FakeResourceTracker::last_node_status() {
  skein::MutexLock lock(&mu_);
  return last_node_status_;
}

std::optional<proto::ContainerStatusProto> FakeResourceTracker::Completed(const ContainerId& id) {
  skein::MutexLock lock(&mu_);
  auto it = completed_.find(id.ToString());
  if (it == completed_.end()) return std::nullopt;
  return it->second;
}

std::optional<proto::ContainerStatusProto> FakeResourceTracker::LastStatus(const ContainerId& id) {
  skein::MutexLock lock(&mu_);
  auto it = last_status_.find(id.ToString());
  if (it == last_status_.end()) return std::nullopt;
  return it->second;
}

bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
               std::chrono::milliseconds poll) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
  return true;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string PerTestDir(const std::string& prefix) {
  return (std::filesystem::path(::testing::TempDir()) /
          (prefix + "_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name()))
      .lexically_normal()
      .string();
}

conf::Configuration NmTestConfiguration(const std::string& local_dirs, const std::string& log_dirs,
                                        int rm_port) {
  conf::Configuration c = conf::Configuration::WithYarnDefaults();
  c.Set("yarn.nodemanager.address", "127.0.0.1:0");
  c.Set("yarn.nodemanager.webapp.address", "127.0.0.1:0");
  c.Set("yarn.nodemanager.local-dirs", local_dirs);
  c.Set("yarn.nodemanager.log-dirs", log_dirs);
  c.Set("yarn.nodemanager.resource.memory-mb", "4096");
  c.Set("yarn.nodemanager.resource.cpu-vcores", "4");
  c.Set("yarn.resourcemanager.resource-tracker.address", "127.0.0.1:" + std::to_string(rm_port));
  c.Set("yarn.resourcemanager.connect.retry-interval.ms", "200");
  return c;
}

proto::StartContainerRequest SignedStartRequest(const ContainerId& id,
                                                const std::string& nm_address,
                                                const std::string& key, int memory_mb, int vcores) {
  proto::ContainerTokenIdentifierProto ident;
  *ident.mutable_container_id() = id.ToProto();
  ident.set_nm_host_port(nm_address);
  ident.set_app_submitter("tester");
  ident.mutable_resource()->set_memory_mb(memory_mb);
  ident.mutable_resource()->set_virtual_cores(vcores);
  ident.set_expiry_timestamp_ms(RealClock::Get().NowMillis() + 600000);
  ident.set_master_key_id(3);
  proto::StartContainerRequest request;
  request.mutable_container_token()->set_identifier(ident.SerializeAsString());
  SignContainerToken(key, &request);
  return request;
}

void SignContainerToken(const std::string& key, proto::StartContainerRequest* request) {
  request->mutable_container_token()->set_password(
      HmacSha256(key, request->container_token().identifier()));
}

}  // namespace skein::nm::testing
