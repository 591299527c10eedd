#include "nodemanager/localizer/unpack.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nodemanager/localizer/archive_for_test.h"

namespace skein::nm {
namespace {

namespace fs = std::filesystem;
using testing::ArchiveKind;
using ::testing::HasSubstr;
using testing::WriteArchive;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class UnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/unpack_test_" + std::to_string(getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(UnpackTest, TarGzTarAndZipAreUnpacked) {
  const std::vector<std::pair<std::string, std::string>> entries = {
      {"top.txt", "top\n"}, {"bin/run.sh", "echo hi\n"}, {"a/b/c.txt", "deep\n"}};
  for (auto [kind, name] :
       std::vector<std::pair<ArchiveKind, std::string>>{{ArchiveKind::kTarGz, "env.tgz"},
                                                        {ArchiveKind::kTar, "env.tar"},
                                                        {ArchiveKind::kZip, "env.zip"}}) {
    const std::string archive = dir_ + "/" + name;
    ASSERT_TRUE(WriteArchive(archive, kind, entries)) << name;
    const std::string out = dir_ + "/out-" + name;
    ASSERT_EQ(UnpackArchive(archive, out), absl::OkStatus()) << name;
    EXPECT_EQ(Read(out + "/top.txt"), "top\n") << name;
    EXPECT_EQ(Read(out + "/bin/run.sh"), "echo hi\n") << name;
    EXPECT_EQ(Read(out + "/a/b/c.txt"), "deep\n") << name;
  }
}

TEST_F(UnpackTest, EntryEscapingTheTargetIsRefused) {
  const std::string archive = dir_ + "/evil.tar.gz";
  ASSERT_TRUE(WriteArchive(archive, ArchiveKind::kTarGz, {{"../escaped.txt", "gotcha"}}));
  absl::Status s = UnpackArchive(archive, dir_ + "/out");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("entry '../escaped.txt' would be written outside"));
  EXPECT_THAT(s.message(), HasSubstr(archive));
  EXPECT_FALSE(fs::exists(dir_ + "/escaped.txt"));

  const std::string nested = dir_ + "/nested.zip";
  ASSERT_TRUE(WriteArchive(nested, ArchiveKind::kZip, {{"ok/../../x", "gotcha"}}));
  EXPECT_THAT(UnpackArchive(nested, dir_ + "/out2").message(), HasSubstr("'ok/../../x'"));
}

TEST_F(UnpackTest, PatternKeepsOnlyMatchingEntries) {
  const std::string jar = dir_ + "/lib.jar";
  ASSERT_TRUE(
      WriteArchive(jar, ArchiveKind::kZip,
                   {{"META-INF/MANIFEST.MF", "m"}, {"com/x/A.class", "a"}, {"res/r.txt", "r"}}));
  UnpackOptions o;
  o.pattern = "com/.*\\.class";
  ASSERT_EQ(UnpackArchive(jar, dir_ + "/out", o), absl::OkStatus());
  EXPECT_TRUE(fs::exists(dir_ + "/out/com/x/A.class"));
  EXPECT_FALSE(fs::exists(dir_ + "/out/res/r.txt"));
  EXPECT_FALSE(fs::exists(dir_ + "/out/META-INF/MANIFEST.MF"));
}

TEST_F(UnpackTest, BadInputsAreClearErrors) {
  const std::string text = dir_ + "/notes.txt";
  std::ofstream(text) << "just text, not an archive";
  absl::Status s = UnpackArchive(text, dir_ + "/out");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("cannot unpack " + text));

  EXPECT_THAT(UnpackArchive(dir_ + "/missing.tgz", dir_ + "/out").message(),
              HasSubstr("cannot unpack " + dir_ + "/missing.tgz"));

  const std::string jar = dir_ + "/lib.jar";
  ASSERT_TRUE(WriteArchive(jar, ArchiveKind::kZip, {{"a", "a"}}));
  UnpackOptions o;
  o.pattern = "([unclosed";
  EXPECT_THAT(UnpackArchive(jar, dir_ + "/out", o).message(),
              HasSubstr("pattern '([unclosed' is not a valid regular expression"));
}

}  // namespace
}  // namespace skein::nm
