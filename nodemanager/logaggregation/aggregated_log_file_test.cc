#include "nodemanager/logaggregation/aggregated_log_file.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::logs {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class AggregatedLogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("agg_log_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  fs::path dir_;
};

TEST_F(AggregatedLogFileTest, PathsAreYarnLayout) {
  ApplicationId app(1700, 7);
  EXPECT_EQ(RemoteAppLogDir("/tmp/logs/", "alice", "logs", app),
            "/tmp/logs/alice/logs/application_1700_0007");
  EXPECT_EQ(NodeFileName(NodeId("host1", 8041)), "host1_8041");
}

TEST_F(AggregatedLogFileTest, CollectWriteReadRoundTrip) {
  Write(dir_ / "c1" / "stdout", "hello\n");
  Write(dir_ / "c1" / "stderr", "");
  Write(dir_ / "c2" / "stdout", std::string("bin\0ary\nfile line\n", 18));
  std::vector<ContainerLogs> logs =
      CollectContainerLogs({{"container_1_0001_01_000002", (dir_ / "c2").string()},
                            {"container_1_0001_01_000001", (dir_ / "c1").string()},
                            {"container_1_0001_01_000009", (dir_ / "missing").string()}});
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].container_id, "container_1_0001_01_000001");
  ASSERT_EQ(logs[0].files.size(), 2u);
  EXPECT_EQ(logs[0].files[0].name, "stderr");
  EXPECT_EQ(logs[0].files[1].name, "stdout");
  EXPECT_GT(logs[0].files[1].last_modified_ms, 0);

  std::string path = (dir_ / "remote" / "a" / "host_1").string();
  ASSERT_TRUE(WriteAggregatedLogFile(path, logs).ok());
  EXPECT_FALSE(fs::exists(path + ".tmp." + std::to_string(getpid())));
  absl::StatusOr<std::vector<ContainerLogs>> back = ReadAggregatedLogFile(path);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].files[1].contents, "hello\n");
  EXPECT_EQ((*back)[0].files[0].contents, "");
  EXPECT_EQ((*back)[1].files[0].contents, std::string("bin\0ary\nfile line\n", 18));
  EXPECT_EQ((*back)[1].files[0].last_modified_ms, logs[1].files[0].last_modified_ms);
}

TEST_F(AggregatedLogFileTest, MissingFileIsNotFound) {
  auto r = ReadAggregatedLogFile((dir_ / "nope").string());
  EXPECT_TRUE(absl::IsNotFound(r.status()));
  EXPECT_THAT(r.status().message(), HasSubstr("nope"));
}

TEST_F(AggregatedLogFileTest, ForeignFileIsDataLoss) {
  Write(dir_ / "foreign", "TFile garbage");
  auto r = ReadAggregatedLogFile((dir_ / "foreign").string());
  EXPECT_TRUE(absl::IsDataLoss(r.status()));
  EXPECT_THAT(r.status().message(), HasSubstr("not a Skein aggregated log file"));
}

TEST_F(AggregatedLogFileTest, TruncatedContentsAreDataLoss) {
  Write(dir_ / "t", "skein-aggregated-logs 1\ncontainer c 1\nfile stdout 100 5\nshort\n");
  auto r = ReadAggregatedLogFile((dir_ / "t").string());
  EXPECT_TRUE(absl::IsDataLoss(r.status()));
  EXPECT_THAT(r.status().message(), HasSubstr("contents of stdout are truncated"));
  Write(dir_ / "u", "skein-aggregated-logs 1\ncontainer c x\n");
  r = ReadAggregatedLogFile((dir_ / "u").string());
  EXPECT_THAT(r.status().message(), HasSubstr("expected 'container <id> <files>'"));
}

TEST_F(AggregatedLogFileTest, UnwritableTargetNamesThePath) {
  Write(dir_ / "blocker", "a file where a directory should be");
  std::string path = (dir_ / "blocker" / "sub" / "host_1").string();
  absl::Status s = WriteAggregatedLogFile(path, {});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr((dir_ / "blocker").string()));
}

}  // namespace
}  // namespace skein::logs
