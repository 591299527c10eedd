#include "nodemanager/logaggregation/log_format.h"

#include "gtest/gtest.h"

namespace skein::logs {
namespace {

TEST(LogFormatTest, SliceForSizeFollowsYarnSemantics) {
  EXPECT_EQ(SliceForSize("abcdef", 3), "abc");
  EXPECT_EQ(SliceForSize("abcdef", -2), "ef");
  EXPECT_EQ(SliceForSize("abcdef", 0), "");
  EXPECT_EQ(SliceForSize("abcdef", 100), "abcdef");
  EXPECT_EQ(SliceForSize("abcdef", -100), "abcdef");
  EXPECT_EQ(SliceForSize("abcdef", kWholeFile), "abcdef");
}

TEST(LogFormatTest, AggregatedLayoutIsHadoops) {
  setenv("TZ", "UTC", 1);
  tzset();
  std::string out =
      FormatContainerLog("container_1_0001_01_000001", "host_8041", "stdout", "hello\n",
                         1700000000000, kWholeFile, LogAggregationType::kAggregated, false);
  const std::string first = "Container: container_1_0001_01_000001 on host_8041";
  std::string want = first + "\nLogAggregationType: AGGREGATED\n" + std::string(first.size(), '=') +
                     "\nLogType:stdout\nLogLastModifiedTime:Tue Nov 14 22:13:20 +0000 2023\n"
                     "LogLength:6\nLogContents:\nhello\n\nEnd of LogType:stdout\n" +
                     std::string(21 + 50, '*') + "\n\n";
  EXPECT_EQ(out, want);
}

TEST(LogFormatTest, LocalTrailerSaysRunning) {
  std::string t =
      FormatLogTrailer("container_1_0001_01_000001", "stderr", LogAggregationType::kLocal, true);
  EXPECT_EQ(t,
            "End of LogType:stderr.This log file belongs to a running container "
            "(container_1_0001_01_000001) and so may not be complete.\n" +
                std::string(21 + 50, '*') + "\n\n");
  EXPECT_EQ(FormatLogTrailer("c", "stderr", LogAggregationType::kLocal, false),
            "End of LogType:stderr.\n" + std::string(71, '*') + "\n\n");
}

TEST(LogFormatTest, SizeKeepsTheFullLengthInTheHeader) {
  std::string out = FormatContainerLog("c", "n", "stdout", "0123456789", 0, -3,
                                       LogAggregationType::kLocal, false);
  EXPECT_NE(out.find("LogLength:10\nLogContents:\n789End of LogType:stdout."), std::string::npos)
      << out;
}

}  // namespace
}  // namespace skein::logs
