// A standby RM that knows no active RM answers as Hadoop's RMWebAppFilter: a 307 with a Refresh
// header that retries with an exponentially growing interval, then a plain "no active RM" page.
#include "resourcemanager/ha/standby_web.h"

#include <httplib.h>

#include <mutex>

#include "gtest/gtest.h"

namespace skein::rm::ha {
namespace {

class StandbyWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StandbyWebOptions o;
    o.zk_connection_state = [] { return std::string("CONNECTED"); };
    o.find_active_webapp = [this]() -> std::optional<std::string> {
      std::lock_guard<std::mutex> lock(mu_);
      return active_;
    };
    web_ = std::make_unique<StandbyWebServer>(std::move(o));
    ASSERT_TRUE(web_->Start("127.0.0.1:0").ok());
    http_ = std::make_unique<httplib::Client>("127.0.0.1", web_->port());
    http_->set_read_timeout(5, 0);
  }
  std::mutex mu_;
  std::optional<std::string> active_;  // guarded by mu_
  std::unique_ptr<StandbyWebServer> web_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(StandbyWebTest, NoActiveRmServesHadoopsRefreshPage) {
  auto r = http_->Get("/cluster/apps?user.name=alice");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 307);
  EXPECT_EQ(r->get_header_value("Refresh"),
            "5;url=/cluster/apps?user.name=alice&next.fresh.interval=1");
  EXPECT_EQ(r->body,
            "Can not find any active RM. Will retry in next 5 seconds.\n"
            "HA Zookeeper Connection State: CONNECTED\n");
  r = http_->Get("/cluster/apps?next.fresh.interval=2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Refresh"), "20;url=/cluster/apps?next.fresh.interval=3");
  // 5 s << 6 = 320 s is past Hadoop's 5-minute cap: stop refreshing.
  r = http_->Get("/ws/v1/cluster/apps?next.fresh.interval=6");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->has_header("Refresh"));
  EXPECT_EQ(r->body,
            "There is no active RM right now.\nHA Zookeeper Connection State: CONNECTED\n");
  r = http_->Get("/cluster?next.fresh.interval=x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // Once an RM is active, the standby redirects there.
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_ = "127.0.0.1:18088";
  }
  r = http_->Get("/cluster/apps");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 307);
  EXPECT_EQ(r->get_header_value("Location"), "http://127.0.0.1:18088/cluster/apps");
}

}  // namespace
}  // namespace skein::rm::ha
