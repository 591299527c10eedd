#include "nodemanager/monitor/process_tree.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nodemanager/monitor/fake_procfs_for_test.h"

namespace skein::nm {
namespace {

using ::testing::HasSubstr;

TEST(ParseProcStatTest, ReadsFieldsAndCommWithSpacesAndParens) {
  absl::StatusOr<ProcStat> s = ParseProcStat(
      "4242 (my (odd) prog) R 10 4242 4242 0 -1 4194304 99 0 0 0 7 3 0 0 20 0 1 0 218378 "
      "3133440 389 18446744073709551615 1 2 3 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->pid, 4242);
  EXPECT_EQ(s->name, "my (odd) prog");
  EXPECT_EQ(s->ppid, 10);
  EXPECT_EQ(s->pgrp, 4242);
  EXPECT_EQ(s->session, 4242);
  EXPECT_EQ(s->utime_ticks, 7);
  EXPECT_EQ(s->stime_ticks, 3);
  EXPECT_EQ(s->vsize_bytes, 3133440);
  EXPECT_EQ(s->rss_pages, 389);
}

TEST(ParseProcStatTest, RejectsMalformedLinesNamingThem) {
  EXPECT_THAT(ParseProcStat("garbage").status().message(), HasSubstr("no (comm)"));
  EXPECT_THAT(ParseProcStat("12 (x) S 1 2").status().message(), HasSubstr("too few fields"));
  EXPECT_THAT(ParseProcStat("x12 (x) S 1 2").status().message(), HasSubstr("pid"));
}

TEST(ParseMemInfoTest, UsesMemAvailableOrFallsBack) {
  auto m = ParseMemInfo("MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\n");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->total_bytes, 1000 * 1024);
  EXPECT_EQ(m->available_bytes, 600 * 1024);
  m = ParseMemInfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 50 kB\n");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->available_bytes, 200 * 1024);
  EXPECT_FALSE(ParseMemInfo("nothing here").ok());
}

TEST(ParseCpuTimesTest, SumsTicksAndIdle) {
  auto t = ParseCpuTimes("cpu  10 0 5 80 5 0 0 0 0 0\ncpu0 1 2 3 4\n");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->total_ticks, 100);
  EXPECT_EQ(t->idle_ticks, 85);
  EXPECT_THAT(ParseCpuTimes("cpu  1 x 3").status().message(), HasSubstr("'x'"));
  EXPECT_FALSE(ParseCpuTimes("intr 5").ok());
}

TEST(ProcessTreeTest, CollectsDescendantsOnlyAndAgesThem) {
  FakeProcFs fs;
  fs.Set(100, 1, "bash", 1000, 10);
  fs.Set(101, 100, "python3", 2000, 20);
  fs.Set(102, 101, "child", 4000, 40);
  fs.Set(200, 1, "other", 999999, 9999);  // not in the tree
  ProcessTree tree(100, fs);
  tree.Update(0);
  EXPECT_EQ(tree.VirtualMemoryBytes(), 7000);
  EXPECT_EQ(tree.RssBytes(), 70 * 4096);
  EXPECT_EQ(tree.VirtualMemoryBytes(2), 0);  // nothing seen before
  fs.Set(103, 100, "late", 8000, 80);
  tree.Update(1000);
  EXPECT_EQ(tree.VirtualMemoryBytes(), 15000);
  EXPECT_EQ(tree.VirtualMemoryBytes(2), 7000);  // the newcomer is not aged yet
  EXPECT_EQ(tree.RssBytes(2), 70 * 4096);
  fs.Remove(100);
  tree.Update(2000);
  EXPECT_TRUE(tree.empty());
}

TEST(ProcessTreeTest, CpuPercentNeedsTwoSamples) {
  FakeProcFs fs;
  fs.Set(100, 1, "bash", 1000, 10, /*utime=*/100, /*stime=*/0);
  ProcessTree tree(100, fs);
  tree.Update(10000);
  EXPECT_LT(tree.CpuUsagePercent(), 0);
  fs.Set(100, 1, "bash", 1000, 10, /*utime=*/250, /*stime=*/50);  // +2 s of CPU in 1 s
  tree.Update(11000);
  EXPECT_DOUBLE_EQ(tree.CpuUsagePercent(), 200.0);
}

TEST(ProcessTreeTest, DumpHasHadoopsShape) {
  FakeProcFs fs;
  fs.Set(100, 1, "bash", 108650496, 300, 12, 3, "/bin/bash -c sleep 1 ");
  ProcessTree tree(100, fs);
  tree.Update(0);
  EXPECT_EQ(tree.Dump(),
            "\t|- PID PPID PGRPID SESSID CMD_NAME USER_MODE_TIME(MILLIS) SYSTEM_TIME(MILLIS) "
            "VMEM_USAGE(BYTES) RSSMEM_USAGE(PAGES) FULL_CMD_LINE\n"
            "\t|- 100 1 100 100 (bash) 120 30 108650496 300 /bin/bash -c sleep 1 \n");
}

TEST(TraditionalBinaryPrefixTest, MatchesHadoopsLong2String) {
  EXPECT_EQ(TraditionalBinaryPrefix(0), "0");
  EXPECT_EQ(TraditionalBinaryPrefix(1023), "1023");
  EXPECT_EQ(TraditionalBinaryPrefix(1024), "1 K");
  EXPECT_EQ(TraditionalBinaryPrefix(128LL << 20), "128 M");
  EXPECT_EQ(TraditionalBinaryPrefix(1LL << 30), "1 G");
  EXPECT_EQ(TraditionalBinaryPrefix(365328384), "348.4 M");
  EXPECT_EQ(TraditionalBinaryPrefix(static_cast<int64_t>(2.1 * (1LL << 30))), "2.1 G");
  EXPECT_EQ(TraditionalBinaryPrefix((1LL << 30) - 1), "1.0 G");  // rounds into the next prefix
  EXPECT_EQ(TraditionalBinaryPrefix(-2048), "-2 K");
}

}  // namespace
}  // namespace skein::nm
