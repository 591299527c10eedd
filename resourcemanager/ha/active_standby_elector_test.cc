#include "resourcemanager/ha/active_standby_elector.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "common/testing/zk_test_fixture.h"
#include "gtest/gtest.h"

namespace skein::rm::ha {
namespace {

using testing::WaitUntil;

// One RM's view: how often it was told to become active / standby, and its current session.
struct FakeRm {
  std::atomic<int> activations{0};
  std::atomic<int> standbys{0};
  std::atomic<bool> active{false};
  std::atomic<bool> fail_activation{false};
  std::mutex mu;
  int64_t session_id = 0;
  std::string session_password;
  std::string fenced;

  ElectorCallbacks Callbacks() {
    ElectorCallbacks cb;
    cb.become_active = [this]() -> absl::Status {
      ++activations;
      if (fail_activation.load()) return absl::InternalError("cannot start the active services");
      active = true;
      return absl::OkStatus();
    };
    cb.become_standby = [this] {
      ++standbys;
      active = false;
    };
    cb.fence_old_active = [this](const std::string& old) {
      std::lock_guard<std::mutex> lock(mu);
      fenced = old;
    };
    cb.on_new_session = [this](const zk::ZkClient& c) {
      std::lock_guard<std::mutex> lock(mu);
      session_id = c.session_id();
      session_password = c.session_password();
    };
    return cb;
  }
};

class ElectorTest : public testing::ZooKeeperTest {
 protected:
  std::unique_ptr<ActiveStandbyElector> MakeElector(const std::string& id, FakeRm& rm,
                                                    absl::Duration session = kSession) {
    ElectorOptions o;
    o.zk_connect = zk_server_->connect_string();
    o.session_timeout = session;
    o.parent_path = "/yarn-leader-election/cluster1";
    o.id = id;
    o.retry_interval = absl::Milliseconds(200);
    o.rejoin_delay = absl::Milliseconds(500);
    return std::make_unique<ActiveStandbyElector>(o, rm.Callbacks());
  }

  // rm1 active first, then rm2 standby.
  void StartPair(FakeRm& rm1, FakeRm& rm2, std::unique_ptr<ActiveStandbyElector>* e1,
                 std::unique_ptr<ActiveStandbyElector>* e2, absl::Duration session = kSession) {
    *e1 = MakeElector("rm1", rm1, session);
    (*e1)->Join();
    ASSERT_TRUE(WaitUntil([&] { return rm1.active.load(); }, absl::Seconds(15)));
    *e2 = MakeElector("rm2", rm2, session);
    (*e2)->Join();
    ASSERT_TRUE(WaitUntil([&] { return rm2.standbys.load() == 1; }, absl::Seconds(15)));
  }

  std::unique_ptr<zk::ZkClient> Observer() {
    zk::ZkClient::Options o;
    o.connect = zk_server_->connect_string();
    auto c = zk::ZkClient::Connect(o);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(*c) : nullptr;
  }

  static constexpr absl::Duration kSession = absl::Seconds(2);
};

TEST_F(ElectorTest, ExactlyOneActiveAndTheLockNamesIt) {
  FakeRm rm1, rm2;
  std::unique_ptr<ActiveStandbyElector> e1, e2;
  ASSERT_NO_FATAL_FAILURE(StartPair(rm1, rm2, &e1, &e2));
  EXPECT_TRUE(e1->active());
  EXPECT_FALSE(e2->active());
  EXPECT_FALSE(rm2.active.load());
  EXPECT_EQ(rm2.activations.load(), 0);
  EXPECT_EQ(e1->zk_connection_state(), "CONNECTED");
  auto zk = Observer();
  ASSERT_NE(zk, nullptr);
  EXPECT_EQ(zk->Get("/yarn-leader-election/cluster1/ActiveStandbyElectorLock")->data, "rm1");
  EXPECT_EQ(zk->Get("/yarn-leader-election/cluster1/ActiveBreadCrumb")->data, "rm1");
}

TEST_F(ElectorTest, ClosingTheActivesSessionMakesTheOtherActiveWithoutFencing) {
  FakeRm rm1, rm2;
  std::unique_ptr<ActiveStandbyElector> e1, e2;
  // Sessions longer than the wait below (40 s: the test server's maxSessionTimeout, 200 ticks of
  // 200 ms): rm2 can only become active through rm1's quit (its lock deleted at once), never
  // through rm1's session expiring.
  constexpr absl::Duration kLongSession = absl::Seconds(40);
  ASSERT_NO_FATAL_FAILURE(StartPair(rm1, rm2, &e1, &e2, kLongSession));
  e1->Quit();  // graceful: deletes the breadcrumb and the lock
  ASSERT_TRUE(WaitUntil([&] { return rm2.active.load(); }, absl::Seconds(25)));
  std::lock_guard<std::mutex> lock(rm2.mu);
  EXPECT_EQ(rm2.fenced, "");
}

TEST_F(ElectorTest, ServerSideExpiryHandsOverAndTheOldActiveRejoinsAsStandby) {
  FakeRm rm1, rm2;
  std::unique_ptr<ActiveStandbyElector> e1, e2;
  ASSERT_NO_FATAL_FAILURE(StartPair(rm1, rm2, &e1, &e2));
  int64_t id = 0;
  std::string password;
  {
    std::lock_guard<std::mutex> lock(rm1.mu);
    id = rm1.session_id;
    password = rm1.session_password;
  }
  ASSERT_TRUE(zk_server_->ExpireSession(id, password).ok());  // rm1's session, on the server
  ASSERT_TRUE(WaitUntil([&] { return rm2.active.load(); }, kSession * 2));
  // rm1 learns of the expiry, steps down and rejoins as standby; the breadcrumb named it, so
  // rm2 fenced it.
  ASSERT_TRUE(
      WaitUntil([&] { return !rm1.active.load() && rm1.standbys.load() >= 1; }, absl::Seconds(15)));
  EXPECT_FALSE(e1->active());
  {
    std::lock_guard<std::mutex> lock(rm2.mu);
    EXPECT_EQ(rm2.fenced, "rm1");
  }
  ASSERT_TRUE(
      WaitUntil([&] { return e1->zk_connection_state() == "CONNECTED"; }, absl::Seconds(15)));
  EXPECT_TRUE(e2->active());
  EXPECT_EQ(rm1.activations.load(), 1);
}

TEST_F(ElectorTest, FailedActivationGivesTheLockToTheOther) {
  FakeRm rm1, rm2;
  rm1.fail_activation = true;
  auto e1 = MakeElector("rm1", rm1);
  e1->Join();
  ASSERT_TRUE(WaitUntil([&] { return rm1.activations.load() >= 1; }, absl::Seconds(15)));
  auto e2 = MakeElector("rm2", rm2);
  e2->Join();
  ASSERT_TRUE(WaitUntil([&] { return rm2.active.load(); }, absl::Seconds(15)));
  EXPECT_FALSE(rm1.active.load());
  EXPECT_FALSE(e1->active());
}

TEST_F(ElectorTest, StaysStandbyWhileZooKeeperIsDownAndJoinsWhenItReturns) {
  FakeRm rm1;
  zk_server_->Stop();
  auto e1 = MakeElector("rm1", rm1);
  e1->Join();
  ASSERT_TRUE(WaitUntil([&] { return rm1.standbys.load() == 1; }, absl::Seconds(15)));
  EXPECT_EQ(e1->zk_connection_state(), "TERMINATED");
  ASSERT_TRUE(zk_server_->Restart().ok());
  ASSERT_TRUE(WaitUntil([&] { return rm1.active.load(); }, absl::Seconds(20)));
}

TEST_F(ElectorTest, ActiveStepsDownWhenZooKeeperStaysAwayForASessionTimeout) {
  FakeRm rm1;
  auto e1 = MakeElector("rm1", rm1);
  e1->Join();
  ASSERT_TRUE(WaitUntil([&] { return rm1.active.load(); }, absl::Seconds(15)));
  zk_server_->Stop();
  ASSERT_TRUE(WaitUntil([&] { return !rm1.active.load(); }, kSession + absl::Seconds(10)));
  EXPECT_NE(e1->zk_connection_state(), "CONNECTED");
  ASSERT_TRUE(zk_server_->Restart().ok());
  // Back as active: with its old session if it survived, else with a new one.
  ASSERT_TRUE(WaitUntil([&] { return rm1.active.load(); }, absl::Seconds(20)));
}

}  // namespace
}  // namespace skein::rm::ha
