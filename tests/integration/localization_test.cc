// End to end for resource localization (issue 4) and `yarn submit --files / --archives`
// (issue 5): real daemons; executors read a distributed file, a renamed one and a file inside an
// unpacked archive from their working directories.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/integration/test_cluster.h"

namespace skein::testing {
namespace {
namespace fs = std::filesystem;

// How many times `text` appears in executor stdout files under the NM's log dir (the AM's log
// is not an executor's: it says "Initializing ApplicationMaster"). Counted per occurrence, not
// per file: under load one executor may run both tasks.
int ExecutorLogsContaining(const TestCluster& cluster, const std::string& text) {
  int n = 0;
  for (const auto& f : FindFiles(cluster.nm_log_dir(0), "stdout")) {
    std::string log = ReadFileOrEmpty(f);
    if (absl::StrContains(log, "ApplicationMaster")) continue;
    n += CountOccurrences(log, text);
  }
  return n;
}

class LocalizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.Start().ok());
    data_ = cluster_.base_dir() + "/data";
    fs::create_directories(data_ + "/envsrc/conf");
    std::ofstream(data_ + "/f.txt") << "contents-of-f\n";
    std::ofstream(data_ + "/b.txt") << "contents-of-b\n";
    std::ofstream(data_ + "/envsrc/conf/app.conf") << "setting-from-archive\n";
    const std::string tar = "tar czf '" + data_ + "/env.tgz' -C '" + data_ + "/envsrc' conf";
    ASSERT_EQ(std::system(tar.c_str()), 0) << tar;
  }
  // `yarn submit` a shell job whose two tasks print the three localized files.
  CommandResult SubmitCat(const std::string& mode) {
    return cluster_.Yarn(
        {"submit", "--deploy-mode", mode, "--num-executors", "2", "--executor-memory", "512m",
         "--files", data_ + "/f.txt," + data_ + "/b.txt#bee", "--archives", data_ + "/env.tgz#env",
         "shell", "--tasks", "2", "--", "cat", "f.txt", "bee", "env/conf/app.conf"});
  }
  TestCluster cluster_{1};
  std::string data_;
};

TEST_F(LocalizationTest, ClusterModeExecutorsReadFilesAndArchives) {
  CommandResult r = SubmitCat("cluster");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "final status: SUCCEEDED")) << r.out;
  // Both executors ran `cat` in their working directories.
  EXPECT_GE(ExecutorLogsContaining(cluster_, "contents-of-f\ncontents-of-b\nsetting-from-archive"),
            2);
  // The application finished: once its containers are gone, the NodeManager removes its
  // APPLICATION resources (the unpacked archive among them) from the cache.
  const std::string local = cluster_.base_dir() + "/nm0/local";
  EXPECT_TRUE(WaitFor([&] { return FindFiles(local, "app.conf").empty(); }, absl::Seconds(30)))
      << FindFiles(local, "app.conf")[0];
}

TEST_F(LocalizationTest, ClientModeExecutorsReadFilesAndArchives) {
  CommandResult r = SubmitCat("client");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GE(ExecutorLogsContaining(cluster_, "contents-of-f\ncontents-of-b\nsetting-from-archive"),
            2);
}

TEST_F(LocalizationTest, MissingLocalFileIsRefusedBeforeSubmission) {
  CommandResult r =
      cluster_.Yarn({"submit", "--files", data_ + "/nope.txt", "shell", "--", "true"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "--files: " + data_ + "/nope.txt does not exist")) << r.err;
  EXPECT_FALSE(absl::StrContains(r.out, "Submitted application")) << r.out;
}

TEST_F(LocalizationTest, UnreachableResourceFailsTheAmContainerWithLocalizationFailed) {
  CommandResult r =
      cluster_.Yarn({"submit", "--deploy-mode", "cluster", "--conf", "spark.yarn.maxAppAttempts=1",
                     "--files", "http://127.0.0.1:1/missing.txt", "shell", "--", "true"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "LOCALIZATION_FAILED")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "http://127.0.0.1:1/missing.txt could not be downloaded"))
      << r.out;
}

}  // namespace
}  // namespace skein::testing
