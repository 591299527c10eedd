#include "resourcemanager/scheduler/node_index.h"

#include <algorithm>

namespace skein::rm {

NodeIndex::NodeIndex(const ResourceCalculator& calc, bool memory_only)
    : calc_(calc), memory_only_(memory_only) {}

void NodeIndex::SiftUp(Heap& heap, Positions& pos, size_t i) {
  Slot slot = heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
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
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && Before(heap[child + 1], heap[child])) ++child;
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

void NodeIndex::Insert(int32_t h) {
  if (static_cast<size_t>(h) >= pos_all_.size()) {
    pos_all_.resize(h + 1, -1);
    pos_bucket_.resize(h + 1, -1);
  }
  Slot slot{ids_[h].free.memory_mb, h};
  HeapPush(all_, pos_all_, slot);
  if (!memory_only_) HeapPush(by_vcores_[ids_[h].free.vcores], pos_bucket_, slot);
}

void NodeIndex::Erase(int32_t h) {
  HeapErase(all_, pos_all_, h);
  if (!memory_only_) HeapErase(by_vcores_[ids_[h].free.vcores], pos_bucket_, h);
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
  }
  ids_[h] = Entry{id, free, true};
  handles_[id] = h;
  Insert(h);
  return h;
}

void NodeIndex::Remove(const NodeId& id) {
  auto it = handles_.find(id);
  if (it == handles_.end()) return;
  int32_t h = it->second;
  Erase(h);
  ids_[h].live = false;
  free_handles_.push_back(h);
  handles_.erase(it);
}

void NodeIndex::Update(const NodeId& id, const Resource& free) {
  auto it = handles_.find(id);
  if (it == handles_.end()) return;
  UpdateHandle(it->second, free);
}

void NodeIndex::UpdateHandle(int32_t h, const Resource& free) {
  Entry& e = ids_[h];
  if (!e.live) return;
  bool memory_moved = e.free.memory_mb != free.memory_mb;
  if (!memory_only_ && e.free.vcores != free.vcores) {
    HeapErase(by_vcores_[e.free.vcores], pos_bucket_, h);
    HeapPush(by_vcores_[free.vcores], pos_bucket_, Slot{free.memory_mb, h});
  } else if (memory_moved && !memory_only_) {
    HeapFix(by_vcores_[free.vcores], pos_bucket_, h, free.memory_mb);
  }
  if (memory_moved) HeapFix(all_, pos_all_, h, free.memory_mb);
  e.free = free;
}

int32_t NodeIndex::HandleOf(const NodeId& id) const {
  auto it = handles_.find(id);
  return it == handles_.end() ? -1 : it->second;
}

const NodeId* NodeIndex::Find(const Resource& ask) const {
  int32_t h = FindHandle(ask);
  return h < 0 ? nullptr : &ids_[h].id;
}

int32_t NodeIndex::FindHandle(const Resource& ask) const {
  if (memory_only_) {
    if (all_.empty()) return -1;
    int32_t top = all_[0].handle;
    return calc_.FitsIn(ask, ids_[top].free) ? top : -1;
  }
  // The node with the most free memory among those with enough vcores: the top of each
  // sufficient vcore bucket is a candidate (ties: the lower bucket, then the lower handle).
  int32_t best = -1;
  for (auto bucket = by_vcores_.lower_bound(ask.vcores); bucket != by_vcores_.end(); ++bucket) {
    const Heap& heap = bucket->second;
    if (heap.empty()) continue;
    const Slot& top = heap[0];
    if (top.memory < ask.memory_mb) continue;  // the rest of this bucket has even less memory
    if (best >= 0 && top.memory <= ids_[best].free.memory_mb) continue;
    if (calc_.FitsIn(ask, ids_[top.handle].free)) {
      best = top.handle;
      continue;
    }
    // Only further resource types (e.g. GPUs) can refuse here: look through this bucket for
    // its best node that fits (rare: asks for such types only).
    int32_t bucket_best = -1;
    for (const Slot& slot : heap) {
      if (!calc_.FitsIn(ask, ids_[slot.handle].free)) continue;
      if (bucket_best < 0 || Before(slot, Slot{ids_[bucket_best].free.memory_mb, bucket_best})) {
        bucket_best = slot.handle;
      }
    }
    if (bucket_best >= 0 &&
        (best < 0 || ids_[bucket_best].free.memory_mb > ids_[best].free.memory_mb)) {
      best = bucket_best;
    }
  }
  return best;
}

int64_t NodeIndex::MaxFreeMemory() const { return all_.empty() ? 0 : all_[0].memory; }

int64_t NodeIndex::MaxFreeVcores() const {
  if (memory_only_) {
    int64_t best = 0;
    for (const auto& e : ids_) {
      if (e.live) best = std::max(best, e.free.vcores);
    }
    return best;  // not used for placement when memory-only; kept exact for callers
  }
  for (auto bucket = by_vcores_.rbegin(); bucket != by_vcores_.rend(); ++bucket) {
    if (!bucket->second.empty()) return bucket->first;
  }
  return 0;
}

}  // namespace skein::rm
