#include "common/rm_failover.h"

#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

conf::Configuration HaConf() {
  conf::Configuration c = conf::Configuration::WithYarnDefaults();
  c.Set("yarn.resourcemanager.ha.enabled", "true");
  c.Set("yarn.resourcemanager.ha.rm-ids", "rm1, rm2");
  c.Set("yarn.resourcemanager.address.rm1", "127.0.0.1:1001");
  c.Set("yarn.resourcemanager.hostname.rm2", "0.0.0.0");
  return c;
}

TEST(ConfiguredRmsTest, HaListsEveryRmIdInOrder) {
  auto rms = ConfiguredRms(HaConf(), "yarn.resourcemanager.address", 8032);
  ASSERT_TRUE(rms.ok()) << rms.status();
  ASSERT_EQ(rms->size(), 2u);
  EXPECT_EQ((*rms)[0].rm_id, "rm1");
  EXPECT_EQ((*rms)[0].address, "127.0.0.1:1001");
  EXPECT_EQ((*rms)[1].rm_id, "rm2");
  EXPECT_EQ((*rms)[1].address, "127.0.0.1:8032");  // hostname.rm2 + the default port
  EXPECT_THAT(ConfiguredRmIds(HaConf()), ElementsAre("rm1", "rm2"));
}

TEST(ConfiguredRmsTest, WithoutHaThePlainKey) {
  conf::Configuration c = conf::Configuration::WithYarnDefaults();
  c.Set("yarn.resourcemanager.address", "127.0.0.1:5555");
  auto rms = ConfiguredRms(c, "yarn.resourcemanager.address", 8032);
  ASSERT_TRUE(rms.ok()) << rms.status();
  ASSERT_EQ(rms->size(), 1u);
  EXPECT_EQ((*rms)[0].address, "127.0.0.1:5555");
  EXPECT_EQ((*rms)[0].rm_id, "");
}

TEST(ConfiguredRmsTest, ErrorsNameTheKeys) {
  conf::Configuration c = HaConf();
  c.Set("yarn.resourcemanager.ha.rm-ids", "rm2,rm3");
  auto missing = ConfiguredRms(c, "yarn.resourcemanager.admin.address", 8033);
  EXPECT_TRUE(absl::IsInvalidArgument(missing.status())) << missing.status();
  EXPECT_THAT(missing.status().message(), HasSubstr("yarn.resourcemanager.admin.address.rm3"));
  EXPECT_THAT(missing.status().message(), HasSubstr("yarn.resourcemanager.hostname.rm3"));
  c.Set("yarn.resourcemanager.ha.rm-ids", " ");
  auto none = ConfiguredRms(c, "yarn.resourcemanager.address", 8032);
  EXPECT_THAT(none.status().message(), HasSubstr("yarn.resourcemanager.ha.rm-ids"));
  c = HaConf();
  c.Set("yarn.resourcemanager.address.rm1", "nocolon");
  auto bad = ConfiguredRms(c, "yarn.resourcemanager.address", 8032);
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_THAT(bad.status().message(), HasSubstr("yarn.resourcemanager.address.rm1"));
}

TEST(FailoverPolicyTest, HadoopDefaultsDeriveFromTheConnectKeys) {
  auto p = FailoverPolicy::FromConfiguration(conf::Configuration::WithYarnDefaults());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->sleep_base, absl::Seconds(30));
  EXPECT_EQ(p->sleep_max, absl::Seconds(30));
  EXPECT_EQ(p->max_failovers, 30);  // 900000 / 30000
  conf::Configuration c = conf::Configuration::WithYarnDefaults();
  c.Set("yarn.client.failover-sleep-base-ms", "100");
  c.Set("yarn.client.failover-sleep-max-ms", "1000");
  c.Set("yarn.client.failover-max-attempts", "7");
  p = FailoverPolicy::FromConfiguration(c);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->max_failovers, 7);
  EXPECT_EQ(p->SleepBeforeRound(1), absl::Milliseconds(100));
  EXPECT_EQ(p->SleepBeforeRound(3), absl::Milliseconds(400));
  EXPECT_EQ(p->SleepBeforeRound(10), absl::Milliseconds(1000));
  c.Set("yarn.client.failover-max-attempts", "many");
  EXPECT_THAT(FailoverPolicy::FromConfiguration(c).status().message(),
              HasSubstr("yarn.client.failover-max-attempts"));
}

class RmFailoverTest : public ::testing::Test {
 protected:
  std::unique_ptr<RmFailover> Make(int max_failovers) {
    FailoverPolicy p;
    p.max_failovers = max_failovers;
    p.sleep_base = absl::Milliseconds(10);
    p.sleep_max = absl::Milliseconds(40);
    auto f = std::make_unique<RmFailover>(
        std::vector<RmEndpoint>{{"rm1", "127.0.0.1:1", "k.rm1"}, {"rm2", "127.0.0.1:2", "k.rm2"}},
        p);
    f->set_sleep_for_testing([this](absl::Duration d) { sleeps.push_back(d); });
    return f;
  }
  std::vector<absl::Duration> sleeps;
};

TEST_F(RmFailoverTest, StandbyMovesToTheNextRmAndStaysThere) {
  auto f = Make(10);
  std::vector<size_t> calls;
  auto call = [&](size_t i) {
    calls.push_back(i);
    return i == 1
               ? grpc::Status::OK
               : grpc::Status(grpc::StatusCode::UNAVAILABLE, "ResourceManager rm1 is not Active!");
  };
  EXPECT_TRUE(f->Call(call).ok());
  EXPECT_TRUE(f->Call(call).ok());
  EXPECT_THAT(calls, ElementsAre(0, 1, 1));
  EXPECT_EQ(f->current().rm_id, "rm2");
  EXPECT_TRUE(sleeps.empty());  // the first failover is immediate
}

TEST_F(RmFailoverTest, ACallCancelledByAShuttingDownServerFailsOverToo) {
  auto f = Make(10);
  int n = 0;
  grpc::Status s = f->Call([&](size_t i) {
    ++n;
    return i == 0 ? grpc::Status(grpc::StatusCode::CANCELLED, "server shutting down")
                  : grpc::Status::OK;
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(n, 2);
}

TEST_F(RmFailoverTest, OtherErrorsAreAnswersNotFailovers) {
  auto f = Make(10);
  int n = 0;
  grpc::Status s = f->Call([&](size_t) {
    ++n;
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such app");
  });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(f->current_index(), 0u);
}

TEST_F(RmFailoverTest, GivesUpAfterMaxFailoversNamingEveryRm) {
  auto f = Make(5);
  int n = 0;
  grpc::Status s = f->Call([&](size_t) {
    ++n;
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused");
  });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(n, 6);
  EXPECT_THAT(
      s.error_message(),
      HasSubstr(
          "rm1 at 127.0.0.1:1 (connection refused), rm2 at 127.0.0.1:2 (connection refused)"));
  EXPECT_THAT(s.error_message(), HasSubstr("connection refused"));
  // A sleep after each full round of both RMs, doubling up to the cap.
  EXPECT_THAT(sleeps, ElementsAre(absl::Milliseconds(10), absl::Milliseconds(20)));
}

}  // namespace
}  // namespace skein
