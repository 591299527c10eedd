#include "common/zk/zk_client.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/testing/zk_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::zk {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Records session events from the C client's thread.
struct EventLog {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<SessionEvent> events;

  void Add(SessionEvent e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(e);
    cv.notify_all();
  }
  bool WaitFor(SessionEvent e, std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [&] {
      for (SessionEvent seen : events) {
        if (seen == e) return true;
      }
      return false;
    });
  }
};

class ZkClientTest : public testing::ZooKeeperTest {
 protected:
  std::unique_ptr<ZkClient> Connect(EventLog* log = nullptr,
                                    absl::Duration session = absl::Seconds(4)) {
    ZkClient::Options o;
    o.connect = zk_server_->connect_string();
    o.session_timeout = session;
    if (log != nullptr) o.on_session_event = [log](SessionEvent e) { log->Add(e); };
    auto c = ZkClient::Connect(o);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(*c) : nullptr;
  }
};

TEST_F(ZkClientTest, CreateGetSetDelete) {
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->connected());
  auto made = c->Create("/a", "one");
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(*made, "/a");
  auto got = c->Get("/a");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->data, "one");
  EXPECT_EQ(got->version, 0);
  EXPECT_EQ(got->ephemeral_owner, 0);
  auto v = c->Set("/a", "two", 0);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, 1);
  EXPECT_EQ(c->Get("/a")->data, "two");
  EXPECT_TRUE(*c->Exists("/a"));
  ASSERT_TRUE(c->Delete("/a", 1).ok());
  EXPECT_FALSE(*c->Exists("/a"));
}

TEST_F(ZkClientTest, LargeDataRoundTrips) {
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  const std::string big(300 * 1024, 'x');  // larger than the first read buffer
  ASSERT_TRUE(c->Create("/big", big).ok());
  EXPECT_EQ(c->Get("/big")->data, big);
}

TEST_F(ZkClientTest, ErrorsNameThePathAndZooKeepersText) {
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  auto missing = c->Get("/nope");
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_THAT(missing.status().message(), HasSubstr("ZooKeeper get /nope"));
  EXPECT_THAT(missing.status().message(), HasSubstr("ZNONODE"));

  ASSERT_TRUE(c->Create("/x", "").ok());
  auto twice = c->Create("/x", "");
  EXPECT_TRUE(absl::IsAlreadyExists(twice.status()));
  EXPECT_THAT(twice.status().message(), HasSubstr("ZooKeeper create /x: "));
  EXPECT_THAT(twice.status().message(), HasSubstr("ZNODEEXISTS"));

  auto no_parent = c->Create("/p/q", "");
  EXPECT_TRUE(absl::IsNotFound(no_parent.status())) << no_parent.status();

  auto bad = c->Create("relative", "");
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
  EXPECT_THAT(bad.status().message(), HasSubstr("relative"));

  ASSERT_TRUE(c->Create("/x/child", "").ok());
  absl::Status not_empty = c->Delete("/x");
  EXPECT_TRUE(absl::IsFailedPrecondition(not_empty)) << not_empty;
  EXPECT_THAT(not_empty.message(), HasSubstr("ZNOTEMPTY"));
}

TEST_F(ZkClientTest, VersionConflictsAreAborted) {
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Create("/v", "0").ok());
  ASSERT_TRUE(c->Set("/v", "1", 0).ok());
  auto stale = c->Set("/v", "stale", 0);
  EXPECT_TRUE(absl::IsAborted(stale.status())) << stale.status();
  EXPECT_THAT(stale.status().message(), HasSubstr("ZooKeeper set /v"));
  EXPECT_THAT(stale.status().message(), HasSubstr("ZBADVERSION"));
  absl::Status del = c->Delete("/v", 7);
  EXPECT_TRUE(absl::IsAborted(del)) << del;
  EXPECT_EQ(c->Get("/v")->data, "1");
}

TEST_F(ZkClientTest, CreateWithParentsSequentialAndChildren) {
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  auto made = c->CreateWithParents("/r/s/t", "leaf");
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(c->Get("/r/s/t")->data, "leaf");
  EXPECT_TRUE(c->EnsurePath("/r/s").ok());  // existing is fine
  auto s1 = c->Create("/r/seq-", "", CreateMode::kPersistentSequential);
  auto s2 = c->Create("/r/seq-", "", CreateMode::kPersistentSequential);
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_EQ(*s1, "/r/seq-0000000001");
  EXPECT_EQ(*s2, "/r/seq-0000000002");
  auto kids = c->Children("/r");
  ASSERT_TRUE(kids.ok()) << kids.status();
  EXPECT_THAT(*kids, ElementsAre("s", "seq-0000000001", "seq-0000000002"));
  EXPECT_TRUE(absl::IsNotFound(c->Children("/none").status()));
  ASSERT_TRUE(c->DeleteRecursive("/r").ok());
  EXPECT_FALSE(*c->Exists("/r"));
  EXPECT_TRUE(c->DeleteRecursive("/r").ok());  // already gone
}

TEST_F(ZkClientTest, MultiIsAllOrNothingAndNamesTheFailingOp) {
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Create("/fence", "").ok());
  ASSERT_TRUE(
      c->Multi({ZkOp::Check("/fence", 0), ZkOp::Create("/m1", "a"), ZkOp::Set("/fence", "b", 0)})
          .ok());
  EXPECT_EQ(c->Get("/m1")->data, "a");
  // The fence moved to version 1: a writer holding version 0 is refused and nothing applies.
  absl::Status s = c->Multi({ZkOp::Check("/fence", 0), ZkOp::Create("/m2", "a")});
  EXPECT_TRUE(absl::IsAborted(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("multi op 1 (check) /fence"));
  EXPECT_FALSE(*c->Exists("/m2"));
  absl::Status s2 = c->Multi({ZkOp::Create("/m3", ""), ZkOp::Delete("/missing")});
  EXPECT_TRUE(absl::IsNotFound(s2)) << s2;
  EXPECT_THAT(s2.message(), HasSubstr("multi op 2 (delete) /missing"));
  EXPECT_FALSE(*c->Exists("/m3"));
}

TEST_F(ZkClientTest, EphemeralNodeVanishesWhenTheSessionCloses) {
  auto owner = Connect();
  auto other = Connect();
  ASSERT_NE(owner, nullptr);
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(owner->Create("/lock", "me", CreateMode::kEphemeral).ok());
  EXPECT_EQ(other->Get("/lock")->ephemeral_owner, owner->session_id());
  std::mutex mu;
  std::condition_variable cv;
  std::vector<WatchEvent> seen;
  auto exists = other->ExistsWatch("/lock", [&](WatchEvent e) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(e);
    cv.notify_all();
  });
  ASSERT_TRUE(exists.ok());
  EXPECT_TRUE(*exists);
  owner.reset();  // closes the session
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return !seen.empty(); }));
  EXPECT_EQ(seen.front(), WatchEvent::kDeleted);
  lock.unlock();
  EXPECT_FALSE(*other->Exists("/lock"));
}

TEST_F(ZkClientTest, SessionEventsOnServerStopAndRestart) {
  EventLog log;
  auto c = Connect(&log, absl::Seconds(20));
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Create("/e", "", CreateMode::kEphemeral).ok());
  zk_server_->Stop();
  ASSERT_TRUE(log.WaitFor(SessionEvent::kDisconnected, std::chrono::seconds(15)));
  EXPECT_FALSE(c->connected());
  auto during = c->Get("/e");
  EXPECT_TRUE(absl::IsUnavailable(during.status())) << during.status();
  ASSERT_TRUE(zk_server_->Restart().ok());
  ASSERT_TRUE(log.WaitFor(SessionEvent::kConnected, std::chrono::seconds(30)));
  // The session outlived the short outage: its ephemeral node is still there.
  EXPECT_TRUE(*c->Exists("/e"));
}

TEST_F(ZkClientTest, ServerSideExpiryIsReportedAndCallsFail) {
  EventLog log;
  auto c = Connect(&log, absl::Seconds(2));
  auto other = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(c->Create("/gone", "", CreateMode::kEphemeral).ok());
  ASSERT_TRUE(zk_server_->ExpireSession(*c).ok());
  ASSERT_TRUE(log.WaitFor(SessionEvent::kExpired, std::chrono::seconds(15)));
  auto after = c->Get("/gone");
  EXPECT_TRUE(absl::IsUnavailable(after.status())) << after.status();
  EXPECT_FALSE(*other->Exists("/gone"));
}

TEST(ZkClientConnectTest, BadConnectStringsAndDeadServers) {
  ZkClient::Options o;
  auto empty = ZkClient::Connect(o);
  EXPECT_TRUE(absl::IsInvalidArgument(empty.status()));
  EXPECT_THAT(empty.status().message(), HasSubstr("hadoop.zk.address"));
  o.connect = "127.0.0.1:1";  // nothing listens there
  o.connect_timeout = absl::Milliseconds(700);
  auto dead = ZkClient::Connect(o);
  EXPECT_TRUE(absl::IsDeadlineExceeded(dead.status())) << dead.status();
  EXPECT_THAT(dead.status().message(), HasSubstr("127.0.0.1:1"));
}

}  // namespace
}  // namespace skein::zk
