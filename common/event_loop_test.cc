#include "common/event_loop.h"

#include <atomic>
#include <future>
#include <thread>
#include <vector>

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
  std::promise<void> fired_promise;
  auto fired = fired_promise.get_future();
  std::atomic<bool> cancelled_ran{false};
  auto id = loop.PostDelayed(absl::Milliseconds(5), [&] { cancelled_ran = true; });
  loop.Cancel(id);
  loop.PostDelayed(absl::Milliseconds(20), [&] { fired_promise.set_value(); });
  EXPECT_EQ(fired.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_FALSE(cancelled_ran.load());
}

TEST(EventLoopTest, PeriodicTimerRepeatsUntilCancelled) {
  EventLoop loop("test");
  loop.Start();
  std::atomic<int> count{0};
  std::promise<void> three_promise;
  auto three = three_promise.get_future();
  std::atomic<EventLoop::TimerId> id{0};  // the timer may fire before PostPeriodic returns
  id = loop.PostPeriodic(absl::Milliseconds(2), [&] {
    if (++count == 3) {
      loop.Cancel(id.load());
      three_promise.set_value();
    }
  });
  EXPECT_EQ(three.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  loop.RunSync([] {});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
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
