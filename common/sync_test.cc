#include "common/sync.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace skein {
namespace {

using Clock = std::chrono::steady_clock;

// Sets `flag` under `mu` after `delay`, from another thread.
std::thread SetLater(Mutex* mu, bool* flag, std::chrono::milliseconds delay) {
  return std::thread([mu, flag, delay] {
    std::this_thread::sleep_for(delay);
    MutexLock lock(mu);
    *flag = true;
  });
}

TEST(MutexTest, InfiniteTimeoutWaitsForTheCondition) {
  Mutex mu;
  bool flag = false;
  std::thread setter = SetLater(&mu, &flag, std::chrono::milliseconds(100));
  const auto start = Clock::now();
  bool ready = false;
  {
    MutexLock lock(&mu);
    ready = mu.AwaitWithTimeout([&] { return flag; }, absl::InfiniteDuration());
  }
  setter.join();
  // It used to overflow steady_clock::now() + nanoseconds::max() and return false at once.
  EXPECT_TRUE(ready);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(90));
}

TEST(MutexTest, HugeFiniteTimeoutWaitsForTheCondition) {
  Mutex mu;
  bool flag = false;
  std::thread setter = SetLater(&mu, &flag, std::chrono::milliseconds(50));
  bool ready = false;
  {
    MutexLock lock(&mu);
    ready = mu.AwaitWithTimeout([&] { return flag; }, absl::Hours(24 * 365 * 1000));
  }
  setter.join();
  EXPECT_TRUE(ready);
}

TEST(MutexTest, TimeoutExpiresWhenTheConditionNeverHolds) {
  Mutex mu;
  const auto start = Clock::now();
  MutexLock lock(&mu);
  EXPECT_FALSE(mu.AwaitWithTimeout([] { return false; }, absl::Milliseconds(50)));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(45));
}

TEST(MutexTest, ReadyConditionReturnsAtOnce) {
  Mutex mu;
  MutexLock lock(&mu);
  EXPECT_TRUE(mu.AwaitWithTimeout([] { return true; }, absl::ZeroDuration()));
  EXPECT_TRUE(mu.AwaitWithTimeout([] { return true; }, absl::InfiniteDuration()));
}

}  // namespace
}  // namespace skein
