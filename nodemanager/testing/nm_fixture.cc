#include "nodemanager/testing/nm_fixture.h"

#include <chrono>
#include <filesystem>

#include "common/clock.h"
#include "common/rpc.h"

namespace skein::nm::testing {

void NodeManagerFixture::SetUp() {
  root_ = PerTestDir(dir_prefix_);
  std::filesystem::remove_all(root_);
}

void NodeManagerFixture::TearDown() {
  if (nm_) nm_->Stop();
  nm_.reset();
  if (rm_server_) rm_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  std::filesystem::remove_all(root_);
}

void NodeManagerFixture::StartRm(int port) {
  auto server = StartGrpcServer("127.0.0.1:" + std::to_string(port), "test.rm", {&rm_}, &rm_port_);
  ASSERT_TRUE(server.ok()) << server.status();
  rm_server_ = *std::move(server);
}

void NodeManagerFixture::StartNm(const conf::Configuration& conf) {
  auto nm = NodeManager::Create(conf, RealClock::Get());
  ASSERT_TRUE(nm.ok()) << nm.status();
  nm_ = *std::move(nm);
  ASSERT_TRUE(nm_->Start().ok());
  stub_ = proto::ContainerManagementProtocol::NewStub(MakeChannel(nm_->address()));
}

}  // namespace skein::nm::testing
