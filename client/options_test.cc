#include "client/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace skein::cli {
namespace {

using ::testing::ElementsAre;

const std::map<std::string, Arity> kSpec = {{"list", Arity::kNone},
                                            {"status", Arity::kOne},
                                            {"appStates", Arity::kMany},
                                            {"shell_args", Arity::kOne}};

TEST(OptionsTest, ManySplitsCommasAndTakesFollowingValues) {
  auto p = ParseOptions({"-list", "-appStates", "RUNNING,FINISHED", "KILLED"}, kSpec);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->Has("list"));
  EXPECT_THAT(p->values.at("appStates"), ElementsAre("RUNNING", "FINISHED", "KILLED"));
}

TEST(OptionsTest, OneTakesADashValueThatIsNotAnOption) {
  auto p = ParseOptions({"-shell_args", "-la", "-list"}, kSpec);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->Value("shell_args"), "-la");
  EXPECT_TRUE(p->Has("list"));
}

TEST(OptionsTest, UnknownOptionIsNamed) {
  auto p = ParseOptions({"-lst"}, kSpec);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message(), "Unrecognized option: -lst");
}

TEST(OptionsTest, MissingValueIsNamed) {
  auto p = ParseOptions({"-status"}, kSpec);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(p.status().message(), "Missing argument for option: -status");
  p = ParseOptions({"-status", "-list"}, kSpec);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(OptionsTest, StrayValueIsNamed) {
  auto p = ParseOptions({"-status", "a", "b"}, kSpec);
  EXPECT_EQ(p.status().message(), "Unexpected argument 'b'");
}

}  // namespace
}  // namespace skein::cli
