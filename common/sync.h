// skein::Mutex: the subset of absl::Mutex the project uses, on top of std::mutex, so that
// ThreadSanitizer sees every lock (Debian's Abseil is not TSan-instrumented, so absl::Mutex's
// ordering is invisible to TSan and drowns real races in false ones).
//
// As with absl::Mutex, a waiter's condition is re-checked whenever the mutex is released, so
// code that changes guarded state under MutexLock needs no explicit notify. Any thread.
#ifndef SKEIN_COMMON_SYNC_H_
#define SKEIN_COMMON_SYNC_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/time/time.h"

namespace skein {

class Mutex {
 public:
  void Lock() { mu_.lock(); }
  void Unlock() {
    mu_.unlock();
    changed_.notify_all();
  }
  // BasicLockable, for std::condition_variable_any.
  void lock() { Lock(); }
  void unlock() { Unlock(); }

  // With the mutex held: waits until `ready()` holds or `timeout` passes; returns ready().
  // An infinite (or longer than kForever) timeout waits for `ready()` alone.
  template <typename Pred>
  bool AwaitWithTimeout(Pred ready, absl::Duration timeout) {
    // wait_for adds the timeout to steady_clock::now(): nanoseconds::max() (what an infinite
    // absl::Duration converts to) overflows into the past, and the wait would return at once.
    if (timeout >= kForever) {
      changed_.wait(mu_, ready);
      return true;
    }
    return changed_.wait_for(mu_, absl::ToChronoNanoseconds(timeout), ready);
  }
  static constexpr absl::Duration kForever = absl::Hours(24 * 365 * 100);
  // With the mutex held: waits until `ready()` holds.
  template <typename Pred>
  void Await(Pred ready) {
    changed_.wait(mu_, ready);
  }

 private:
  std::mutex mu_;
  std::condition_variable_any changed_;
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
