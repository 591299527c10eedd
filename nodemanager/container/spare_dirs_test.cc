#include "nodemanager/container/spare_dirs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::nm {
namespace {

namespace fs = std::filesystem;

class SpareDirsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/spare_dirs_test_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/logs/app");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(SpareDirsTest, SparesBecomeDirectoriesWithTheirFiles) {
  // A spare left by an earlier NodeManager is cleared at the first refill.
  fs::create_directories(dir_ + "/logs/.skein-spare/7");
  SpareDirs spares(dir_ + "/logs/.skein-spare", {"prelaunch.out", "prelaunch.err"}, 2);
  spares.Refill();
  EXPECT_EQ(spares.ready(), 2);
  EXPECT_FALSE(fs::exists(dir_ + "/logs/.skein-spare/7"));
  ino_t spare_inode = 0;
  {
    struct stat st;
    ASSERT_EQ(stat((dir_ + "/logs/.skein-spare/1").c_str(), &st), 0);
    spare_inode = st.st_ino;
  }
  ASSERT_TRUE(spares.Make(dir_ + "/logs/app/c1").ok());
  EXPECT_EQ(spares.ready(), 1);
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/logs/app/c1").c_str(), &st), 0);
  EXPECT_EQ(st.st_ino, spare_inode);  // renamed, not created
  EXPECT_TRUE(fs::is_regular_file(dir_ + "/logs/app/c1/prelaunch.out"));
  EXPECT_TRUE(fs::is_regular_file(dir_ + "/logs/app/c1/prelaunch.err"));
  spares.Refill();
  EXPECT_EQ(spares.ready(), 2);
}

TEST_F(SpareDirsTest, WithoutSparesOrWhenTheyVanishedItMakesTheDirectory) {
  SpareDirs spares(dir_ + "/spare", {}, 1);
  ASSERT_TRUE(spares.Make(dir_ + "/logs/app/c1").ok());  // never refilled: mkdir
  EXPECT_TRUE(fs::is_directory(dir_ + "/logs/app/c1"));
  spares.Refill();
  fs::remove_all(dir_ + "/spare");  // someone removed the spares
  ASSERT_TRUE(spares.Make(dir_ + "/logs/app/c2").ok());
  EXPECT_TRUE(fs::is_directory(dir_ + "/logs/app/c2"));
  EXPECT_EQ(spares.ready(), 0);
}

TEST_F(SpareDirsTest, AnExistingDirectoryIsKeptAndAFileInTheWayIsAnError) {
  SpareDirs spares(dir_ + "/spare", {}, 1);
  spares.Refill();
  fs::create_directories(dir_ + "/logs/app/c1");
  std::ofstream(dir_ + "/logs/app/c1/keep") << "x";
  ASSERT_TRUE(spares.Make(dir_ + "/logs/app/c1").ok());
  EXPECT_TRUE(fs::exists(dir_ + "/logs/app/c1/keep"));
  EXPECT_EQ(spares.ready(), 1);  // not used up

  std::ofstream(dir_ + "/logs/app/file") << "x";
  SpareDirs none(dir_ + "/none", {}, 0);
  absl::Status s = none.Make(dir_ + "/logs/app/file");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), ::testing::HasSubstr("cannot create " + dir_ + "/logs/app/file"));
  s = none.Make(dir_ + "/no/such/parent/c");
  EXPECT_THAT(s.message(), ::testing::HasSubstr("No such file or directory"));
}

}  // namespace
}  // namespace skein::nm
