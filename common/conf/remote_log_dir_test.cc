#include "common/conf/remote_log_dir.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::conf {
namespace {

using ::testing::HasSubstr;

TEST(RemoteLogDirTest, DefaultsAreHadoops) {
  Configuration conf = Configuration::WithYarnDefaults();
  auto dir = ReadRemoteLogDir(conf);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(dir->root, "/tmp/logs");
  EXPECT_EQ(dir->suffix, "logs");
}

TEST(RemoteLogDirTest, AFileUrlBecomesItsPath) {
  Configuration conf;
  conf.Set("yarn.nodemanager.remote-app-log-dir", "file:///data/app-logs");
  conf.Set("yarn.nodemanager.remote-app-log-dir-suffix", "logs-tfile");
  auto dir = ReadRemoteLogDir(conf);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(dir->root, "/data/app-logs");
  EXPECT_EQ(dir->suffix, "logs-tfile");
}

TEST(RemoteLogDirTest, ANonLocalRootIsRefusedNamingKeyAndValue) {
  for (const char* bad : {"hdfs://nn:8020/app-logs", "relative/dir", "file://"}) {
    Configuration conf;
    conf.Set("yarn.nodemanager.remote-app-log-dir", bad);
    auto dir = ReadRemoteLogDir(conf);
    ASSERT_FALSE(dir.ok()) << bad;
    EXPECT_EQ(dir.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(dir.status().message(),
                HasSubstr(std::string("yarn.nodemanager.remote-app-log-dir='") + bad + "'"));
  }
}

TEST(RemoteLogDirTest, ASuffixMustBeOnePlainDirectoryName) {
  for (const char* bad : {"", "a/b", ".", ".."}) {
    Configuration conf;
    conf.Set("yarn.nodemanager.remote-app-log-dir-suffix", bad);
    auto dir = ReadRemoteLogDir(conf);
    ASSERT_FALSE(dir.ok()) << bad;
    EXPECT_THAT(dir.status().message(),
                HasSubstr(std::string("yarn.nodemanager.remote-app-log-dir-suffix='") + bad +
                          "' must be a plain directory name"));
  }
}

}  // namespace
}  // namespace skein::conf
