#include "common/event_loop.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace skein {
namespace {

TEST(EventLoopTest, RunsPostedClosuresInOrderOnTheLoopThread) {
  EventLoop loop("test");
  loop.Start();
  std::vector<int> seen;
  for (int i = 0; i < 100; ++i) {
    loop.Post([&seen, &loop, i] {
      EXPECT_TRUE(loop.IsLoopThread());
      seen.push_back(i);
    });
  }
  int size = loop.RunSync([&seen] { return static_cast<int>(seen.size()); });
  EXPECT_EQ(size, 100);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[i], i);
  EXPECT_FALSE(loop.IsLoopThread());
}

TEST(EventLoopTest, TimersFireAndCanBeCancelled) {
  EventLoop loop("test");
  loop.Start();
  absl::Notification fired;
  std::atomic<bool> cancelled_ran{false};
  auto id = loop.PostDelayed(absl::Milliseconds(5), [&] { cancelled_ran = true; });
  loop.Cancel(id);
  loop.PostDelayed(absl::Milliseconds(20), [&] { fired.Notify(); });
  EXPECT_TRUE(fired.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(cancelled_ran.load());
}

TEST(EventLoopTest, PeriodicTimerRepeatsUntilCancelled) {
  EventLoop loop("test");
  loop.Start();
  std::atomic<int> count{0};
  absl::Notification three;
  EventLoop::TimerId id = 0;
  id = loop.PostPeriodic(absl::Milliseconds(2), [&] {
    if (++count == 3) {
      loop.Cancel(id);
      three.Notify();
    }
  });
  EXPECT_TRUE(three.WaitForNotificationWithTimeout(absl::Seconds(5)));
  loop.RunSync([] {});
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(count.load(), 3);
}

TEST(EventLoopTest, RunSyncInlineOnLoopThread) {
  EventLoop loop("test");
  loop.Start();
  int v = loop.RunSync([&loop] { return loop.RunSync([] { return 7; }); });
  EXPECT_EQ(v, 7);
}

}  // namespace
}  // namespace skein
