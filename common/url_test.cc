#include "common/url.h"

#include "gtest/gtest.h"

namespace skein {
namespace {

TEST(UrlTest, ParsesAsHadoopsUrlFromUri) {
  proto::URLProto u = ParseUrl("hdfs://alice@nn.example:8020/user/alice/a.jar");
  EXPECT_EQ(u.scheme(), "hdfs");
  EXPECT_EQ(u.user_info(), "alice");
  EXPECT_EQ(u.host(), "nn.example");
  EXPECT_EQ(u.port(), 8020);
  EXPECT_EQ(u.file(), "/user/alice/a.jar");
  proto::URLProto f = ParseUrl("file:///tmp/x y.txt");
  EXPECT_EQ(f.scheme(), "file");
  EXPECT_FALSE(f.has_host());
  EXPECT_EQ(f.port(), -1);  // Hadoop's "no port"
  EXPECT_EQ(f.file(), "/tmp/x y.txt");
}

TEST(UrlTest, RoundTripsTheTextSkeinUses) {
  for (const char* text : {"file:///data/a.txt", "hdfs://nn:8020/user/x",
                           "https://h:1/x/lib.jar?v=1", "http://host/path", "s3a://bucket/key"}) {
    EXPECT_EQ(UrlText(ParseUrl(text)), text);
  }
}

TEST(UrlTest, JavaStyleFileUrlsPrintWithThreeSlashes) {
  // Java's Path.toUri() gives "file:/tmp/a": URL.fromURI makes {scheme=file, file=/tmp/a}.
  proto::URLProto java;
  java.set_scheme("file");
  java.set_port(-1);
  java.set_file("/tmp/a");
  EXPECT_EQ(UrlText(java), "file:///tmp/a");
  EXPECT_EQ(UrlText(ParseUrl("file:/tmp/a")), "file:///tmp/a");
}

}  // namespace
}  // namespace skein
