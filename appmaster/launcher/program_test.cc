#include "appmaster/launcher/program.h"

#include <random>

#include "absl/strings/match.h"
#include "appmaster/testing/launcher_jobs.h"
#include "gtest/gtest.h"

namespace skein::launcher {
namespace {

using am::testing::PiJob;
using am::testing::ShellJob;

TEST(ProgramTest, ValidatesEachProgramWithClearErrors) {
  EXPECT_TRUE(ValidateProgram(PiJob(3)).ok());
  EXPECT_EQ(ValidateProgram(PiJob(0)).message(), "pi: slices 0 must be at least 1");
  EXPECT_TRUE(ValidateProgram(ShellJob(2, {"true"})).ok());
  EXPECT_EQ(ValidateProgram(ShellJob(0, {"true"})).message(),
            "shell: --tasks 0 must be at least 1");
  EXPECT_EQ(ValidateProgram(ShellJob(1, {})).message(), "shell: no command given after --");
  proto::LauncherJobProto other;
  other.set_program("wordcount");
  EXPECT_EQ(ValidateProgram(other).message(), "unknown program 'wordcount': expected pi or shell");
}

TEST(ProgramTest, TasksCarryTheirIndexAndPayload) {
  EXPECT_EQ(TaskCount(PiJob(5)), 5);
  EXPECT_EQ(TaskCount(ShellJob(3, {"echo", "hi"})), 3);
  auto t = MakeTask(PiJob(5), 4);
  EXPECT_EQ(t.index(), 4);
  EXPECT_EQ(t.samples(), kPiSamplesPerSlice);
  auto s = MakeTask(ShellJob(3, {"echo", "hi"}), 2);
  EXPECT_EQ(s.index(), 2);
  ASSERT_EQ(s.command_size(), 2);
  EXPECT_EQ(s.command(1), "hi");
}

TEST(ProgramTest, PiTaskEstimatesPi) {
  std::mt19937_64 gen(42);
  proto::LauncherTaskProto task = MakeTask(PiJob(1), 0);
  auto r = RunPiTask(task, gen);
  EXPECT_EQ(r.samples(), kPiSamplesPerSlice);
  double pi = 4.0 * static_cast<double>(r.inside()) / static_cast<double>(r.samples());
  EXPECT_NEAR(pi, 3.14159, 0.05);
}

TEST(ProgramTest, CombinePiPrintsTheEstimate) {
  std::map<int32_t, proto::LauncherTaskResultProto> results;
  results[0].set_inside(785);
  results[0].set_samples(1000);
  results[1].set_inside(786);
  results[1].set_samples(1000);
  JobOutcome o = Combine(PiJob(2), results);
  EXPECT_TRUE(o.succeeded);
  EXPECT_EQ(o.output, "Pi is roughly 3.1420000000\n");
  EXPECT_TRUE(o.diagnostics.empty());
}

TEST(ProgramTest, CombineShellCollectsExitCodes) {
  std::map<int32_t, proto::LauncherTaskResultProto> results;
  results[0].set_exit_code(0);
  results[1].set_exit_code(3);
  results[2].set_exit_code(0);
  JobOutcome o = Combine(ShellJob(3, {"x"}), results);
  EXPECT_FALSE(o.succeeded);
  EXPECT_TRUE(absl::StrContains(o.output, "Task 1 exited with code 3\n")) << o.output;
  EXPECT_TRUE(absl::StrContains(o.output, "2 of 3 task(s) succeeded")) << o.output;
  EXPECT_EQ(o.diagnostics, "1 of 3 shell task(s) failed; first: task 1 exited with code 3");
  results[1].set_exit_code(0);
  EXPECT_TRUE(Combine(ShellJob(3, {"x"}), results).succeeded);
}

}  // namespace
}  // namespace skein::launcher
