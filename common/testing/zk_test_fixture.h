// Tests only: a gtest fixture that starts a real ZooKeeper test server per test (skipped, with the
// reason, when java or ZooKeeper are missing). Derive from it and use `zk_server_`.
#ifndef SKEIN_COMMON_TESTING_ZK_TEST_FIXTURE_H_
#define SKEIN_COMMON_TESTING_ZK_TEST_FIXTURE_H_

#include <memory>

#include "common/testing/zk_test_server.h"
#include "gtest/gtest.h"

namespace skein::testing {

class ZooKeeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_IF_NO_ZOOKEEPER();
    auto server = ZkTestServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    zk_server_ = std::move(*server);
  }

  std::unique_ptr<ZkTestServer> zk_server_;
};

}  // namespace skein::testing

#endif  // SKEIN_COMMON_TESTING_ZK_TEST_FIXTURE_H_
