// Time, injected. Daemons take a Clock& so state machines and liveness monitors can be driven
// by a FakeClock in tests. Thread-safe.
#ifndef SKEIN_COMMON_CLOCK_H_
#define SKEIN_COMMON_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace skein {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (YARN's timestamps are in this unit).
  virtual int64_t NowMillis() const = 0;
};

class RealClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  static RealClock& Get();  // the process's real clock
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1700000000000) : now_(start_ms) {}
  int64_t NowMillis() const override { return now_.load(); }
  void AdvanceMillis(int64_t ms) { now_ += ms; }
  void SetMillis(int64_t ms) { now_ = ms; }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace skein

#endif  // SKEIN_COMMON_CLOCK_H_
