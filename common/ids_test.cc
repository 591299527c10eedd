#include "common/ids.h"

#include "gtest/gtest.h"

namespace skein {
namespace {

TEST(IdsTest, ApplicationIdRoundTrip) {
  ApplicationId id(1438831879245, 1);
  EXPECT_EQ(id.ToString(), "application_1438831879245_0001");
  auto parsed = ApplicationId::Parse("application_1438831879245_0001");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, id);
  // More than four digits are printed in full.
  EXPECT_EQ(ApplicationId(5, 12345).ToString(), "application_5_12345");
  EXPECT_EQ(*ApplicationId::Parse("application_5_12345"), ApplicationId(5, 12345));
}

TEST(IdsTest, AttemptIdRoundTrip) {
  ApplicationAttemptId id(ApplicationId(1438831879245, 7), 2);
  EXPECT_EQ(id.ToString(), "appattempt_1438831879245_0007_000002");
  EXPECT_EQ(*ApplicationAttemptId::Parse(id.ToString()), id);
}

TEST(IdsTest, ContainerIdRoundTripWithAndWithoutEpoch) {
  ApplicationAttemptId attempt(ApplicationId(1438831879245, 1), 2);
  ContainerId c = ContainerId::Make(attempt, 0, 1);
  EXPECT_EQ(c.ToString(), "container_1438831879245_0001_02_000001");
  EXPECT_EQ(*ContainerId::Parse(c.ToString()), c);
  ContainerId e = ContainerId::Make(attempt, 3, 42);
  EXPECT_EQ(e.ToString(), "container_e03_1438831879245_0001_02_000042");
  auto parsed = ContainerId::Parse(e.ToString());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, e);
  EXPECT_EQ(parsed->epoch(), 3);
  EXPECT_EQ(parsed->sequence(), 42);
  EXPECT_EQ(parsed->application_id(), attempt.application_id());
}

TEST(IdsTest, ProtoRoundTrip) {
  ContainerId c = ContainerId::Make(ApplicationAttemptId(ApplicationId(99, 3), 1), 1, 5);
  EXPECT_EQ(ContainerId::FromProto(c.ToProto()), c);
  NodeId n("host1", 45454);
  EXPECT_EQ(NodeId::FromProto(n.ToProto()), n);
  EXPECT_EQ(n.ToString(), "host1:45454");
  EXPECT_EQ(*NodeId::Parse("host1:45454"), n);
}

TEST(IdsTest, MalformedIdsAreClearErrors) {
  for (const char* bad : {"", "application_", "application_x_1", "app_1_1", "application_1_2_3",
                          "application_-1_2"}) {
    auto r = ApplicationId::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(std::string("'") + bad + "'"), std::string::npos)
        << r.status();
  }
  EXPECT_FALSE(ContainerId::Parse("container_1_2_3").ok());
  EXPECT_FALSE(ContainerId::Parse("container_x03_1_0001_01_000001").ok());
  EXPECT_FALSE(ApplicationAttemptId::Parse("appattempt_1_2").ok());
  EXPECT_FALSE(NodeId::Parse("nohost").ok());
  EXPECT_FALSE(NodeId::Parse("h:99999").ok());
}

}  // namespace
}  // namespace skein
