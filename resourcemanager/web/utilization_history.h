// The cluster utilization chart's data: a fixed-size ring of samples (the last hour at one
// sample per 10 s), oldest first on read. Thread-safe: the web server's sampler thread adds,
// HTTP workers read.
#ifndef SKEIN_RESOURCEMANAGER_WEB_UTILIZATION_HISTORY_H_
#define SKEIN_RESOURCEMANAGER_WEB_UTILIZATION_HISTORY_H_

#include <cstddef>
#include <mutex>
#include <vector>

#include "resourcemanager/web/rm_ui.h"

namespace skein::web {

class UtilizationHistory {
 public:
  // 361 samples: an hour at 10 s, both ends included.
  static constexpr size_t kHourAt10s = 361;
  explicit UtilizationHistory(size_t capacity = kHourAt10s) : ring_(capacity > 0 ? capacity : 1) {}

  // Overwrites the oldest sample once full.
  void Add(const UtilizationSample& s) {
    std::lock_guard<std::mutex> lock(mu_);
    ring_[next_] = s;
    next_ = (next_ + 1) % ring_.size();
    if (size_ < ring_.size()) ++size_;
  }
  // Oldest first.
  std::vector<UtilizationSample> Samples() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<UtilizationSample> out;
    out.reserve(size_);
    size_t start = (next_ + ring_.size() - size_) % ring_.size();
    for (size_t i = 0; i < size_; ++i) out.push_back(ring_[(start + i) % ring_.size()]);
    return out;
  }

 private:
  mutable std::mutex mu_;  // std::mutex: visible to ThreadSanitizer
  std::vector<UtilizationSample> ring_;
  size_t next_ = 0;  // where the next sample goes
  size_t size_ = 0;
};

}  // namespace skein::web

#endif  // SKEIN_RESOURCEMANAGER_WEB_UTILIZATION_HISTORY_H_
