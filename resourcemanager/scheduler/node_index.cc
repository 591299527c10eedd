#include "resourcemanager/scheduler/node_index.h"

#include <algorithm>

namespace skein::rm {

NodeIndex::NodeIndex(const ResourceCalculator& calc, bool memory_only)
    : calc_(calc), memory_only_(memory_only) {}

void NodeIndex::SiftUp(Heap& heap, Positions& pos, size_t i) {
  Slot slot = heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / kArity;
    if (!Before(slot, heap[parent])) break;
    heap[i] = heap[parent];
    pos[heap[i].handle] = static_cast<int32_t>(i);
    i = parent;
  }
  heap[i] = slot;
  pos[slot.handle] = static_cast<int32_t>(i);
}

void NodeIndex::SiftDown(Heap& heap, Positions& pos, size_t i) {
  Slot slot = heap[i];
  const size_t n = heap.size();
  while (true) {
    size_t first = kArity * i + 1;
    if (first >= n) break;
    size_t child = first;  // the best of up to kArity children
    for (size_t c = first + 1; c < std::min(first + kArity, n); ++c) {
      if (Before(heap[c], heap[child])) child = c;
    }
    if (!Before(heap[child], slot)) break;
    heap[i] = heap[child];
    pos[heap[i].handle] = static_cast<int32_t>(i);
    i = child;
  }
  heap[i] = slot;
  pos[slot.handle] = static_cast<int32_t>(i);
}

void NodeIndex::HeapPush(Heap& heap, Positions& pos, Slot slot) {
  heap.push_back(slot);
  SiftUp(heap, pos, heap.size() - 1);
}

void NodeIndex::HeapErase(Heap& heap, Positions& pos, int32_t h) {
  size_t i = static_cast<size_t>(pos[h]);
  Slot last = heap.back();
  heap.pop_back();
  pos[h] = -1;
  if (last.handle == h) return;
  heap[i] = last;
  pos[last.handle] = static_cast<int32_t>(i);
  SiftUp(heap, pos, i);
  SiftDown(heap, pos, static_cast<size_t>(pos[last.handle]));
}

void NodeIndex::HeapFix(Heap& heap, Positions& pos, int32_t h, int64_t memory) {
  size_t i = static_cast<size_t>(pos[h]);
  int64_t old = heap[i].memory;
  heap[i].memory = memory;
  if (memory > old) {
    SiftUp(heap, pos, i);
  } else {
    SiftDown(heap, pos, i);
  }
}

size_t NodeIndex::FirstBucket(int64_t vcores) const {
  if (vcores >= 0 && vcores < static_cast<int64_t>(first_bucket_.size())) {
    return first_bucket_[vcores];
  }
  return std::lower_bound(buckets_.begin(), buckets_.end(), vcores,
                          [](const Bucket& b, int64_t v) { return b.vcores < v; }) -
         buckets_.begin();
}

NodeIndex::Bucket& NodeIndex::BucketFor(int64_t vcores) {
  size_t i = FirstBucket(vcores);
  if (i < buckets_.size() && buckets_[i].vcores == vcores) return buckets_[i];
  buckets_.insert(buckets_.begin() + i, Bucket{vcores, kEmptyTop, {}});
  // A new free-vcore value (rare: the values a node can take are few): rebuild the table.
  constexpr int64_t kTableLimit = 1024;
  first_bucket_.assign(std::clamp<int64_t>(buckets_.back().vcores + 1, 0, kTableLimit), 0);
  size_t b = 0;
  for (size_t v = 0; v < first_bucket_.size(); ++v) {
    while (b < buckets_.size() && buckets_[b].vcores < static_cast<int64_t>(v)) ++b;
    first_bucket_[v] = static_cast<uint32_t>(b);
  }
  return buckets_[i];
}

void NodeIndex::SetOthers(int32_t h, const std::map<std::string, int64_t>& others) {
  if (others.empty() && !HasOthers(h)) return;
  if (others_.size() < ids_.size()) others_.resize(ids_.size());  // HasOthers reads any handle
  nodes_with_others_ += (others.empty() ? 0 : 1) - (others_[h].empty() ? 0 : 1);
  others_[h] = others;
}

Resource NodeIndex::FreeOf(int32_t h) const {
  Resource free(free_[h].memory, free_[h].vcores);
  if (HasOthers(h)) free.others = others_[h];
  return free;
}

void NodeIndex::Insert(int32_t h) {
  if (static_cast<size_t>(h) >= pos_.size()) pos_.resize(h + 1, -1);
  const FreeSlot& free = free_[h];
  Slot slot{free.memory, h};
  if (memory_only_) {
    HeapPush(all_, pos_, slot);
    return;
  }
  Bucket& bucket = BucketFor(free.vcores);
  HeapPush(bucket.heap, pos_, slot);
  bucket.RefreshTop();
}

void NodeIndex::Erase(int32_t h) {
  if (memory_only_) {
    HeapErase(all_, pos_, h);
    return;
  }
  Bucket& bucket = BucketFor(free_[h].vcores);
  HeapErase(bucket.heap, pos_, h);
  bucket.RefreshTop();
}

int32_t NodeIndex::Add(const NodeId& id, const Resource& free) {
  if (handles_.contains(id)) Remove(id);
  int32_t h;
  if (!free_handles_.empty()) {
    h = free_handles_.back();
    free_handles_.pop_back();
  } else {
    h = static_cast<int32_t>(ids_.size());
    ids_.emplace_back();
    free_.emplace_back();
    if (nodes_with_others_ > 0 || !free.others.empty()) others_.resize(ids_.size());
  }
  ids_[h] = id;
  free_[h] = FreeSlot{free.memory_mb, free.vcores};
  SetOthers(h, free.others);
  handles_[id] = h;
  Insert(h);
  return h;
}

void NodeIndex::Remove(const NodeId& id) {
  auto it = handles_.find(id);
  if (it == handles_.end()) return;
  int32_t h = it->second;
  if (pos_[h] != kHidden) Erase(h);
  pos_[h] = kRemoved;
  SetOthers(h, {});
  free_handles_.push_back(h);
  handles_.erase(it);
}

void NodeIndex::Update(const NodeId& id, const Resource& free) {
  auto it = handles_.find(id);
  if (it == handles_.end()) return;
  UpdateHandle(it->second, free);
}

void NodeIndex::Hide(int32_t h) {
  if (!Live(h) || pos_[h] == kHidden) return;
  Erase(h);
  pos_[h] = kHidden;
}

void NodeIndex::Unhide(int32_t h) {
  if (static_cast<size_t>(h) >= pos_.size() || pos_[h] != kHidden) return;
  Insert(h);
}

void NodeIndex::UpdateHandle(int32_t h, const Resource& free) {
  if (!Live(h)) return;
  FreeSlot& e = free_[h];
  if (pos_[h] == kHidden) {
    // Out of the heaps: only the record changes; Unhide places it by the latest value.
  } else if (memory_only_) {
    if (e.memory != free.memory_mb) HeapFix(all_, pos_, h, free.memory_mb);
  } else if (e.vcores != free.vcores) {
    Bucket& from = BucketFor(e.vcores);
    HeapErase(from.heap, pos_, h);
    from.RefreshTop();
    Bucket& to = BucketFor(free.vcores);  // may add a bucket: `from` is not used past here
    HeapPush(to.heap, pos_, Slot{free.memory_mb, h});
    to.RefreshTop();
  } else if (e.memory != free.memory_mb) {
    Bucket& bucket = BucketFor(free.vcores);
    HeapFix(bucket.heap, pos_, h, free.memory_mb);
    bucket.RefreshTop();
  }
  e = FreeSlot{free.memory_mb, free.vcores};
  SetOthers(h, free.others);
}

void NodeIndex::Adjust(int32_t h, const Resource& r, int sign) {
  if (!Live(h)) return;
  Resource free = FreeOf(h);
  if (sign > 0) {
    free += r;
  } else {
    free -= r;
  }
  UpdateHandle(h, free);
}

int32_t NodeIndex::HandleOf(const NodeId& id) const {
  auto it = handles_.find(id);
  return it == handles_.end() ? -1 : it->second;
}

const NodeId* NodeIndex::Find(const Resource& ask) const {
  int32_t h = FindHandle(ask);
  return h < 0 ? nullptr : &ids_[h];
}

int32_t NodeIndex::FindHandle(const Resource& ask) const {
  if (memory_only_) {  // memory alone decides, as the Default calculator's FitsIn
    return all_.empty() || all_[0].memory < ask.memory_mb ? -1 : all_[0].handle;
  }
  // The node with the most free memory among those with enough vcores: the top of each
  // sufficient vcore bucket is a candidate (ties: the lower bucket, then the lower handle).
  int32_t best = -1;
  int64_t best_memory = 0;
  for (auto bucket = buckets_.begin() + FirstBucket(ask.vcores); bucket != buckets_.end();
       ++bucket) {
    // Empty buckets have kEmptyTop; the rest of a bucket has even less memory than its top.
    if (bucket->top < ask.memory_mb) continue;
    if (best >= 0 && bucket->top <= best_memory) continue;
    const Heap& heap = bucket->heap;
    const Slot& top = heap[0];
    // Memory and vcores suffice by construction; only further types (e.g. GPUs) need a look.
    if (ask.others.empty() || calc_.FitsIn(ask, FreeOf(top.handle))) {
      best = top.handle;
      best_memory = top.memory;
      continue;
    }
    // Only further resource types can refuse here: look through this bucket for its best node
    // that fits (rare: asks for such types only).
    int32_t bucket_best = -1;
    for (const Slot& slot : heap) {
      if (!calc_.FitsIn(ask, FreeOf(slot.handle))) continue;
      if (bucket_best < 0 || Before(slot, Slot{free_[bucket_best].memory, bucket_best})) {
        bucket_best = slot.handle;
      }
    }
    if (bucket_best >= 0 && (best < 0 || free_[bucket_best].memory > best_memory)) {
      best = bucket_best;
      best_memory = free_[bucket_best].memory;
    }
  }
  return best;
}

int64_t NodeIndex::MaxFreeMemory() const {
  if (memory_only_) return all_.empty() ? 0 : all_[0].memory;
  int64_t best = 0;
  bool any = false;
  for (const Bucket& bucket : buckets_) {
    if (bucket.heap.empty()) continue;
    best = any ? std::max(best, bucket.top) : bucket.top;
    any = true;
  }
  return best;
}

int64_t NodeIndex::MaxFreeVcores() const {
  if (memory_only_) {
    int64_t best = 0;
    for (int32_t h = 0; h < handle_limit(); ++h) {
      if (Live(h)) best = std::max(best, free_[h].vcores);
    }
    return best;  // not used for placement when memory-only; kept exact for callers
  }
  for (auto bucket = buckets_.rbegin(); bucket != buckets_.rend(); ++bucket) {
    if (!bucket->heap.empty()) return bucket->vcores;
  }
  return 0;
}

}  // namespace skein::rm
