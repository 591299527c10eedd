// A single-threaded event loop: the one thread that owns a daemon's core state.
//
// Any thread may Post() closures or schedule timers; closures run in order on the loop thread.
// RPC handlers use RunSync() to hand a request to the loop and wait for its answer. Blocking work
// (disk, RPCs to peers, process launch) must not run on the loop: do it elsewhere and Post() the
// result back.
#ifndef SKEIN_COMMON_EVENT_LOOP_H_
#define SKEIN_COMMON_EVENT_LOOP_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include "absl/time/time.h"

namespace skein {

class EventLoop {
 public:
  using TimerId = uint64_t;

  explicit EventLoop(std::string name);
  ~EventLoop();  // Stop()s and joins
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void Start();
  // Stops after the closure running now; queued closures and timers are dropped. Idempotent.
  void Stop();

  void Post(std::function<void()> fn);
  // Runs `fn` on the loop after `delay`. Returns an id for Cancel().
  TimerId PostDelayed(absl::Duration delay, std::function<void()> fn);
  // Runs `fn` every `period` until cancelled.
  TimerId PostPeriodic(absl::Duration period, std::function<void()> fn);
  void Cancel(TimerId id);

  bool IsLoopThread() const { return std::this_thread::get_id() == thread_id_; }

  // Runs `fn` on the loop and returns its result; runs inline when called on the loop thread.
  // Must not be called after Stop() from another thread (it would wait forever): daemons stop
  // their RPC servers before their loop.
  template <typename F>
  auto RunSync(F fn) -> std::invoke_result_t<F> {
    using R = std::invoke_result_t<F>;
    if (IsLoopThread()) return fn();
    std::promise<R> promise;
    std::future<R> future = promise.get_future();
    Post([&promise, &fn] {
      if constexpr (std::is_void_v<R>) {
        fn();
        promise.set_value();
      } else {
        promise.set_value(fn());
      }
    });
    return future.get();
  }

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Timer {
    std::function<void()> fn;
    absl::Duration period;  // zero: one-shot
  };

  void Run();

  const std::string name_;
  // std::mutex rather than absl::Mutex: Debian's Abseil is not built with ThreadSanitizer, so
  // TSan cannot see absl::Mutex's ordering; pthread-based locks are intercepted everywhere.
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  std::multimap<SteadyTime, TimerId> due_;   // guarded by mu_
  std::map<TimerId, Timer> timers_;          // guarded by mu_
  TimerId next_timer_id_ = 1;                // guarded by mu_
  uint64_t timer_epoch_ = 0;                 // guarded by mu_; bumped per new timer
  bool stopping_ = false;                    // guarded by mu_
  std::thread thread_;
  std::thread::id thread_id_;
};

}  // namespace skein

#endif  // SKEIN_COMMON_EVENT_LOOP_H_
