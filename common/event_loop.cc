#include "common/event_loop.h"

#include <sys/prctl.h>

#include <chrono>

#include "common/clock.h"

namespace skein {

int64_t RealClock::NowMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RealClock& RealClock::Get() {
  static RealClock* clock = new RealClock();
  return *clock;
}

EventLoop::EventLoop(std::string name) : name_(std::move(name)) {}

EventLoop::~EventLoop() { Stop(); }

void EventLoop::Start() {
  std::promise<void> started;
  auto ready = started.get_future();
  thread_ = std::thread([this, &started] {
    thread_id_ = std::this_thread::get_id();
    prctl(PR_SET_NAME, name_.substr(0, 15).c_str());
    started.set_value();
    Run();
  });
  ready.wait();
}

void EventLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    if (IsLoopThread()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

void EventLoop::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(fn));
  }
  wake_.notify_one();
}

EventLoop::TimerId EventLoop::PostDelayed(absl::Duration delay, std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  TimerId id = next_timer_id_++;
  timers_[id] = Timer{std::move(fn), absl::ZeroDuration()};
  due_.emplace(std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(delay), id);
  ++timer_epoch_;  // wakes a loop that sleeps without a deadline or with a later one
  wake_.notify_one();
  return id;
}

EventLoop::TimerId EventLoop::PostPeriodic(absl::Duration period, std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  TimerId id = next_timer_id_++;
  timers_[id] = Timer{std::move(fn), period};
  due_.emplace(std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(period), id);
  ++timer_epoch_;
  wake_.notify_one();
  return id;
}

void EventLoop::Cancel(TimerId id) {
  std::lock_guard<std::mutex> lock(mu_);
  timers_.erase(id);  // its entry in due_ is skipped when it comes up
}

void EventLoop::Run() {
  while (true) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mu_);
      while (true) {
        if (stopping_) return;
        if (!queue_.empty()) {
          fn = std::move(queue_.front());
          queue_.pop_front();
          break;
        }
        auto now = std::chrono::steady_clock::now();
        if (!due_.empty() && due_.begin()->first <= now) {
          TimerId id = due_.begin()->second;
          due_.erase(due_.begin());
          auto it = timers_.find(id);
          if (it == timers_.end()) continue;  // cancelled
          if (it->second.period > absl::ZeroDuration()) {
            fn = it->second.fn;
            due_.emplace(now + absl::ToChronoNanoseconds(it->second.period), id);
          } else {
            fn = std::move(it->second.fn);
            timers_.erase(it);
          }
          break;
        }
        const uint64_t epoch = timer_epoch_;
        auto has_work = [this, epoch] {
          return stopping_ || !queue_.empty() || timer_epoch_ != epoch;
        };
        if (due_.empty()) {
          wake_.wait(lock, has_work);
        } else {
          wake_.wait_until(lock, due_.begin()->first, has_work);
        }
      }
    }
    fn();
  }
}

}  // namespace skein
