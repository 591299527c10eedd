#include "common/sync.h"

#include <gtest/gtest.h>

#include <atomic>
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

// A condition that counts how often it is evaluated on the waiting thread (a wake-up) and
// elsewhere (a releasing thread checking it for the waiter).
struct CountedCondition {
  const bool* flag;
  std::thread::id waiter;
  std::atomic<int>* on_waiter;
  std::atomic<int>* elsewhere;
  bool operator()() const {
    (std::this_thread::get_id() == waiter ? *on_waiter : *elsewhere) += 1;
    return *flag;
  }
};

// Runs Await(flag) on a new thread; `done` turns true when it returned true.
std::thread AwaitOnThread(Mutex* mu, const bool* flag, std::atomic<int>* on_waiter,
                          std::atomic<int>* elsewhere, std::atomic<bool>* done) {
  return std::thread([=] {
    MutexLock lock(mu);
    CountedCondition cond{flag, std::this_thread::get_id(), on_waiter, elsewhere};
    *done = mu->AwaitWithTimeout(cond, absl::Seconds(20));
  });
}

// Locks and unlocks `mu` until a releasing thread has evaluated the waiter's condition, i.e.
// the waiter is waiting (bounded).
bool UntilWaiting(Mutex* mu, const std::atomic<int>& elsewhere) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (elsewhere == 0 && Clock::now() < deadline) {
    MutexLock lock(mu);
  }
  return elsewhere > 0;
}

TEST(MutexTest, ReleasesThatChangeNothingDoNotWakeTheWaiter) {
  Mutex mu;
  bool flag = false;
  std::atomic<int> on_waiter{0}, elsewhere{0};
  std::atomic<bool> done{false};
  std::thread waiter = AwaitOnThread(&mu, &flag, &on_waiter, &elsewhere, &done);
  ASSERT_TRUE(UntilWaiting(&mu, elsewhere));
  const int woken_before = on_waiter;
  for (int i = 0; i < 1000; ++i) {
    MutexLock lock(&mu);
  }
  // Each release evaluated the condition on the releasing thread; the waiter slept through.
  EXPECT_GE(elsewhere, 1000);
  EXPECT_EQ(on_waiter, woken_before);
  {
    MutexLock lock(&mu);
    flag = true;
  }
  waiter.join();
  EXPECT_TRUE(done);
  EXPECT_EQ(on_waiter, woken_before + 1);  // one wake-up, for the change it waited for
}

TEST(MutexTest, EachWaiterWakesForItsOwnCondition) {
  Mutex mu;
  bool a = false, b = false;
  std::atomic<int> a_waiter{0}, a_elsewhere{0}, b_waiter{0}, b_elsewhere{0};
  std::atomic<bool> a_done{false}, b_done{false};
  std::thread ta = AwaitOnThread(&mu, &a, &a_waiter, &a_elsewhere, &a_done);
  std::thread tb = AwaitOnThread(&mu, &b, &b_waiter, &b_elsewhere, &b_done);
  ASSERT_TRUE(UntilWaiting(&mu, a_elsewhere));
  ASSERT_TRUE(UntilWaiting(&mu, b_elsewhere));
  const int b_woken = b_waiter;
  {
    MutexLock lock(&mu);
    a = true;
  }
  ta.join();
  EXPECT_TRUE(a_done);
  EXPECT_FALSE(b_done);
  EXPECT_EQ(b_waiter, b_woken);
  {
    MutexLock lock(&mu);
    b = true;
  }
  tb.join();
  EXPECT_TRUE(b_done);
}

TEST(MutexTest, StateChangedBeforeWaitingWakesOtherWaiters) {
  Mutex mu;
  bool x = false;
  std::atomic<int> on_waiter{0}, elsewhere{0};
  std::atomic<bool> done{false};
  std::thread waiter = AwaitOnThread(&mu, &x, &on_waiter, &elsewhere, &done);
  ASSERT_TRUE(UntilWaiting(&mu, elsewhere));
  {
    MutexLock lock(&mu);
    x = true;
    // Releasing the mutex to wait (no Unlock) must still let the other waiter see x.
    EXPECT_FALSE(mu.AwaitWithTimeout([] { return false; }, absl::Milliseconds(20)));
  }
  waiter.join();
  EXPECT_TRUE(done);
}

TEST(MutexTest, AwaitReturnsOnlyOnceTheConditionHolds) {
  Mutex mu;
  int value = 0;
  std::thread setter([&] {
    for (int i = 1; i <= 5; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      MutexLock lock(&mu);
      value = i;
    }
  });
  {
    MutexLock lock(&mu);
    mu.Await([&] { return value == 5; });
    EXPECT_EQ(value, 5);
  }
  setter.join();
}

}  // namespace
}  // namespace skein
