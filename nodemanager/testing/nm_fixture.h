// A gtest fixture for tests that run a real NodeManager (in this process, real gRPC and real
// processes) against the FakeResourceTracker, all on 127.0.0.1 with ephemeral ports.
//
// Test-only (library skein_nm_testing). Threading: the test's main thread only.
#ifndef SKEIN_NODEMANAGER_TESTING_NM_FIXTURE_H_
#define SKEIN_NODEMANAGER_TESTING_NM_FIXTURE_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/conf/configuration.h"
#include "nodemanager/node_manager.h"
#include "nodemanager/testing/fake_resource_tracker.h"
#include "protos/container_manager.grpc.pb.h"

namespace skein::nm::testing {

class NodeManagerFixture : public ::testing::Test {
 protected:
  // `dir_prefix` names the per-test directory (see PerTestDir).
  explicit NodeManagerFixture(std::string dir_prefix) : dir_prefix_(std::move(dir_prefix)) {}

  // root_ = a fresh, empty per-test directory (not created: the NM creates what it needs).
  void SetUp() override;
  // Stops and destroys the NodeManager, shuts the fake RM's server down, removes root_.
  void TearDown() override;

  // Serves rm_ on 127.0.0.1:`port` (0: ephemeral) and sets rm_port_; a fatal failure if not.
  void StartRm(int port = 0);
  // Creates and starts a NodeManager from `conf` (nm_) and a ContainerManagementProtocol stub
  // to it (stub_); a fatal failure if either fails.
  void StartNm(const conf::Configuration& conf);

  std::string root_;
  FakeResourceTracker rm_;
  std::unique_ptr<grpc::Server> rm_server_;
  int rm_port_ = 0;
  std::unique_ptr<NodeManager> nm_;
  std::unique_ptr<proto::ContainerManagementProtocol::Stub> stub_;

 private:
  std::string dir_prefix_;
};

}  // namespace skein::nm::testing

#endif  // SKEIN_NODEMANAGER_TESTING_NM_FIXTURE_H_
