// A pool of records addressed by dense int32 slots, for the schedulers' running containers.
//
// Records live in fixed-size chunks that never move: growing the pool allocates one more chunk
// and copies nothing (a doubling vector would copy every running container each time it grows,
// and in a large cluster that copy, not the scheduling, dominated the cost of a fill). Freed
// slots are reused, newest first.
//
// Thread rules: not thread-safe; the scheduler's (RM loop) thread calls everything.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_SLAB_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_SLAB_H_

#include <cstdint>
#include <memory>
#include <vector>

namespace skein::rm {

template <typename T>
class Slab {
 public:
  // A slot holding a default-constructed T: a freed one if any, else a new one.
  int32_t Take() {
    if (!free_.empty()) {
      int32_t slot = free_.back();
      free_.pop_back();
      return slot;
    }
    if ((limit_ & kChunkMask) == 0) chunks_.push_back(std::make_unique<T[]>(kChunkSize));
    return limit_++;
  }
  // Resets the slot's record and makes the slot available to Take.
  void Free(int32_t slot) {
    (*this)[slot] = T();
    free_.push_back(slot);
  }
  T& operator[](int32_t slot) { return chunks_[slot >> kChunkBits][slot & kChunkMask]; }
  const T& operator[](int32_t slot) const { return chunks_[slot >> kChunkBits][slot & kChunkMask]; }
  // Every slot ever taken is in [0, limit()); freed ones hold a default T.
  int32_t limit() const { return limit_; }

 private:
  static constexpr int kChunkBits = 12;  // 4096 records a chunk
  static constexpr int32_t kChunkSize = int32_t{1} << kChunkBits;
  static constexpr int32_t kChunkMask = kChunkSize - 1;
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::vector<int32_t> free_;
  int32_t limit_ = 0;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_SLAB_H_
