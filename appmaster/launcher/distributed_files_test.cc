#include "appmaster/launcher/distributed_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/url.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::launcher {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class DistributedFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::absolute(::testing::TempDir()).lexically_normal().string() + "dfiles_" +
           std::to_string(getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/sub");
    std::ofstream(dir_ + "/a.txt") << "aaa";
    std::ofstream(dir_ + "/sub/b.txt") << "bb";
    std::ofstream(dir_ + "/env.tgz") << "not really";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(DistributedFilesTest, LocalFilesBecomeCheckedFileUrls) {
  LocalResources out;
  ASSERT_TRUE(AddDistributedFiles("--files", dir_ + "/a.txt, file://" + dir_ + "/sub/b.txt#bee",
                                  proto::FILE, &out)
                  .ok());
  ASSERT_TRUE(AddDistributedFiles("--archives", dir_ + "/env.tgz#env", proto::ARCHIVE, &out).ok());
  ASSERT_EQ(out.size(), 3u);
  const proto::LocalResourceProto& a = out.at("a.txt");
  EXPECT_EQ(UrlText(a.resource()), "file://" + dir_ + "/a.txt");
  EXPECT_EQ(a.size(), 3);
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/a.txt").c_str(), &st), 0);
  EXPECT_EQ(a.timestamp(), st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000);
  EXPECT_EQ(a.type(), proto::FILE);
  EXPECT_EQ(a.visibility(), proto::APPLICATION);
  EXPECT_EQ(UrlText(out.at("bee").resource()), "file://" + dir_ + "/sub/b.txt");
  EXPECT_EQ(out.at("bee").size(), 2);
  EXPECT_EQ(out.at("env").type(), proto::ARCHIVE);
}

TEST_F(DistributedFilesTest, RelativePathsAndUrls) {
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  LocalResources out;
  absl::Status s =
      AddDistributedFiles("--files", "sub/b.txt,https://h:1/x/lib.jar?v=1", proto::FILE, &out);
  fs::current_path(cwd);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(UrlText(out.at("b.txt").resource()), "file://" + dir_ + "/sub/b.txt");
  EXPECT_EQ(UrlText(out.at("lib.jar").resource()), "https://h:1/x/lib.jar?v=1");
  EXPECT_EQ(out.at("lib.jar").size(), 0);  // not checked
}

TEST_F(DistributedFilesTest, BadEntriesAreClearErrors) {
  LocalResources out;
  absl::Status missing = AddDistributedFiles("--files", dir_ + "/nope.txt", proto::FILE, &out);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("--files: " + dir_ + "/nope.txt does not exist"));
  EXPECT_THAT(AddDistributedFiles("--files", dir_ + "/sub", proto::FILE, &out).message(),
              HasSubstr("--files: " + dir_ + "/sub is not a regular file"));
  EXPECT_THAT(
      AddDistributedFiles("--archives", "hdfs://nn/env.tgz", proto::ARCHIVE, &out).message(),
      HasSubstr("--archives: hdfs://nn/env.tgz: only local files and http(s):// URLs"));
  EXPECT_THAT(AddDistributedFiles("--files", dir_ + "/a.txt#../x", proto::FILE, &out).message(),
              HasSubstr("the name after '#' (\"../x\") must be a plain file name"));
  EXPECT_THAT(AddDistributedFiles("--files", ",", proto::FILE, &out).message(),
              HasSubstr("--files: no file given"));
  EXPECT_THAT(AddDistributedFiles("--files", "http://h:1/", proto::FILE, &out).message(),
              HasSubstr("cannot tell the file name"));
  ASSERT_TRUE(AddDistributedFiles("--files", dir_ + "/a.txt", proto::FILE, &out).ok());
  EXPECT_THAT(
      AddDistributedFiles("--archives", dir_ + "/env.tgz#a.txt", proto::ARCHIVE, &out).message(),
      HasSubstr("the name \"a.txt\" is already used by file://" + dir_ + "/a.txt"));
}

}  // namespace
}  // namespace skein::launcher
