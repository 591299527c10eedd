// skein::Mutex: the subset of absl::Mutex the project uses, on top of std::mutex and
// std::condition_variable, so that ThreadSanitizer sees every lock (Debian's Abseil is not
// TSan-instrumented, so absl::Mutex's ordering is invisible to TSan and drowns real races in
// false ones).
//
// As with absl::Mutex, code that changes guarded state under MutexLock needs no explicit notify:
// whenever the mutex is released (Unlock, or a thread starting to wait), the releasing thread
// evaluates the conditions of the threads waiting on it and wakes exactly those whose condition
// now holds. A release that changes nothing a waiter waits for wakes nobody, and a release with
// no waiter costs one pointer test. Conditions therefore run on whichever thread releases the
// mutex, with the mutex held: they must only read state the mutex guards, and be cheap.
// Any thread.
#ifndef SKEIN_COMMON_SYNC_H_
#define SKEIN_COMMON_SYNC_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/time/time.h"

namespace skein {

class Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() { mu_.lock(); }
  void Unlock() {
    WakeReadyWaiters();
    mu_.unlock();
  }
  // BasicLockable (std::lock_guard, std::unique_lock).
  void lock() { Lock(); }
  void unlock() { Unlock(); }

  // With the mutex held: waits until `ready()` holds or `timeout` passes; returns ready().
  // An infinite (or longer than kForever) timeout waits for `ready()` alone.
  template <typename Pred>
  bool AwaitWithTimeout(Pred ready, absl::Duration timeout) {
    if (ready()) return true;
    if (timeout <= absl::ZeroDuration()) return false;
    // wait_until with steady_clock::now() + nanoseconds::max() (what an infinite absl::Duration
    // converts to) would overflow into the past and return at once: such waits have no deadline.
    const bool forever = timeout >= kForever;
    const auto deadline =
        std::chrono::steady_clock::now() +
        (forever ? std::chrono::nanoseconds(0) : absl::ToChronoNanoseconds(timeout));
    Waiter self(&ready);
    Link(&self);
    bool result = false;
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    while (true) {
      // This thread may have changed guarded state before waiting: others' turn to look (not
      // its own: ready() was just false).
      self.woken = true;
      WakeReadyWaiters();
      self.woken = false;
      if (forever) {
        self.cv.wait(lock, [&] { return self.woken; });
      } else if (!self.cv.wait_until(lock, deadline, [&] { return self.woken; })) {
        result = ready();
        break;
      }
      // Woken because ready() held when the waker released; it may not hold any more.
      if (ready()) {
        result = true;
        break;
      }
    }
    lock.release();
    Unlink(&self);
    return result;
  }
  static constexpr absl::Duration kForever = absl::Hours(24 * 365 * 100);
  // With the mutex held: waits until `ready()` holds.
  template <typename Pred>
  void Await(Pred ready) {
    AwaitWithTimeout(ready, absl::InfiniteDuration());
  }

 private:
  // A thread blocked in AwaitWithTimeout, on its own stack, linked while it waits.
  struct Waiter {
    template <typename Pred>
    explicit Waiter(Pred* ready)
        : pred(ready), eval([](void* p) -> bool { return (*static_cast<Pred*>(p))(); }) {}
    void* pred;
    bool (*eval)(void*);
    std::condition_variable cv;
    bool woken = false;  // set by a releasing thread that saw the condition hold
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
  };

  // With mu_ held. Notifies under the lock: a waiter that timed out cannot destroy its
  // condition variable before the notify, since it needs mu_ to return.
  void WakeReadyWaiters() {
    for (Waiter* w = waiters_; w != nullptr; w = w->next) {
      if (!w->woken && w->eval(w->pred)) {
        w->woken = true;
        w->cv.notify_one();
      }
    }
  }
  void Link(Waiter* w) {
    w->next = waiters_;
    if (waiters_ != nullptr) waiters_->prev = w;
    waiters_ = w;
  }
  void Unlink(Waiter* w) {
    if (w->prev != nullptr) w->prev->next = w->next;
    if (w->next != nullptr) w->next->prev = w->prev;
    if (waiters_ == w) waiters_ = w->next;
  }

  std::mutex mu_;
  Waiter* waiters_ = nullptr;  // guarded by mu_
};

class MutexLock {
 public:
  explicit MutexLock(Mutex* mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* mu_;
};

}  // namespace skein

#endif  // SKEIN_COMMON_SYNC_H_
