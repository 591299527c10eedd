#include "nodemanager/container/token_verifier.h"

#include "common/ids.h"
#include "common/token.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1700000000000;

struct Fixture {
  MasterKey key{7, "0123456789abcdef0123456789abcdef"};
  ContainerId cid =
      ContainerId::Make(ApplicationAttemptId(ApplicationId(1700000000000, 1), 1), 0, 2);

  proto::TokenProto Token(const std::string& host_port, int64_t expiry,
                          const MasterKey& signing) const {
    proto::ContainerTokenIdentifierProto ident;
    *ident.mutable_container_id() = cid.ToProto();
    ident.set_nm_host_port(host_port);
    ident.set_app_submitter("alice");
    ident.mutable_resource()->set_memory_mb(1024);
    ident.set_expiry_timestamp_ms(expiry);
    ident.set_master_key_id(signing.key_id);
    proto::TokenProto token;
    token.set_identifier(ident.SerializeAsString());
    token.set_password(HmacSha256(signing.bytes, token.identifier()));
    return token;
  }
};

TEST(TokenVerifierTest, GoodToken) {
  Fixture f;
  auto ident = VerifyContainerToken(f.Token("127.0.0.1:4545", kNow + 1000, f.key), {f.key},
                                    "127.0.0.1:4545", kNow);
  ASSERT_TRUE(ident.ok()) << ident.status();
  EXPECT_EQ(ContainerId::FromProto(ident->container_id()), f.cid);
  EXPECT_EQ(ident->app_submitter(), "alice");
}

TEST(TokenVerifierTest, PreviousKeyStillAccepted) {
  Fixture f;
  MasterKey newer{8, "another key, rolled by the RM!!!"};
  auto ident =
      VerifyContainerToken(f.Token("h:1", kNow + 1000, f.key), {f.key, newer}, "h:1", kNow);
  EXPECT_TRUE(ident.ok()) << ident.status();
}

TEST(TokenVerifierTest, TamperedIdentifier) {
  Fixture f;
  proto::TokenProto token = f.Token("h:1", kNow + 1000, f.key);
  proto::ContainerTokenIdentifierProto ident;
  ASSERT_TRUE(ident.ParseFromString(token.identifier()));
  ident.mutable_resource()->set_memory_mb(999999);  // ask for more than granted
  token.set_identifier(ident.SerializeAsString());
  auto r = VerifyContainerToken(token, {f.key}, "h:1", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().message(),
            "Invalid container token for container_1700000000000_0001_01_000002: signature "
            "mismatch");
}

TEST(TokenVerifierTest, TamperedPassword) {
  Fixture f;
  proto::TokenProto token = f.Token("h:1", kNow + 1000, f.key);
  std::string pw = token.password();
  pw[0] ^= 1;
  token.set_password(pw);
  auto r = VerifyContainerToken(token, {f.key}, "h:1", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("signature mismatch"));
}

TEST(TokenVerifierTest, SignedWithAnotherKeyOfSameId) {
  Fixture f;
  MasterKey forged{7, "not the RM's key, same id........"};
  auto r = VerifyContainerToken(f.Token("h:1", kNow + 1000, forged), {f.key}, "h:1", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("signature mismatch"));
}

TEST(TokenVerifierTest, UnknownKeyId) {
  Fixture f;
  MasterKey other{9, "x"};
  auto r = VerifyContainerToken(f.Token("h:1", kNow + 1000, other), {f.key}, "h:1", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("master key 9"));
}

TEST(TokenVerifierTest, WrongHost) {
  Fixture f;
  auto r = VerifyContainerToken(f.Token("otherhost:1", kNow + 1000, f.key), {f.key},
                                "127.0.0.1:4545", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "Invalid container token for container_1700000000000_0001_01_000002: token is for "
            "otherhost:1, this NodeManager is 127.0.0.1:4545");
}

TEST(TokenVerifierTest, Expired) {
  Fixture f;
  auto r = VerifyContainerToken(f.Token("h:1", kNow, f.key), {f.key}, "h:1", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("token expired at 1700000000000 ms"));
}

TEST(TokenVerifierTest, GarbageIdentifier) {
  Fixture f;
  proto::TokenProto token;
  token.set_identifier("\xff\xff\xff not a proto");
  auto r = VerifyContainerToken(token, {f.key}, "h:1", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("Invalid container token"));

  auto empty = VerifyContainerToken(proto::TokenProto(), {f.key}, "h:1", kNow);
  EXPECT_FALSE(empty.ok());
}

}  // namespace
}  // namespace skein::nm
