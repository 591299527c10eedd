#include "resourcemanager/scheduler/node_index.h"

#include <algorithm>

namespace skein::rm {

NodeIndex::NodeIndex(const ResourceCalculator& calc, bool memory_only)
    : calc_(calc), memory_only_(memory_only) {}

void NodeIndex::Insert(int32_t h) {
  const Entry& e = ids_[h];
  Key key{-e.free.memory_mb, h};
  if (memory_only_) {
    by_memory_.insert(key);
  } else {
    by_vcores_[e.free.vcores].insert(key);
  }
}

void NodeIndex::Erase(int32_t h) {
  const Entry& e = ids_[h];
  Key key{-e.free.memory_mb, h};
  if (memory_only_) {
    by_memory_.erase(key);
    return;
  }
  auto bucket = by_vcores_.find(e.free.vcores);
  if (bucket == by_vcores_.end()) return;
  bucket->second.erase(key);
  if (bucket->second.empty()) by_vcores_.erase(bucket);
}

void NodeIndex::Add(const NodeId& id, const Resource& free) {
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
  Erase(it->second);
  ids_[it->second].free = free;
  Insert(it->second);
}

const NodeId* NodeIndex::Find(const Resource& ask) const {
  if (memory_only_) {
    if (by_memory_.empty()) return nullptr;
    const Entry& top = ids_[by_memory_.begin()->second];
    return calc_.FitsIn(ask, top.free) ? &top.id : nullptr;
  }
  // The node with the most free memory among those with enough vcores: the top of each
  // sufficient vcore bucket is a candidate.
  const Entry* best = nullptr;
  for (auto bucket = by_vcores_.lower_bound(ask.vcores); bucket != by_vcores_.end(); ++bucket) {
    for (const auto& [neg_mem, h] : bucket->second) {
      if (-neg_mem < ask.memory_mb) break;  // the rest of this bucket has even less memory
      if (best != nullptr && -neg_mem <= best->free.memory_mb) break;
      const Entry& e = ids_[h];
      if (calc_.FitsIn(ask, e.free)) {
        best = &e;
        break;
      }
      // Only further resource types (e.g. GPUs) can refuse here: keep looking in this bucket.
    }
  }
  if (best != nullptr) return &best->id;
  return nullptr;
}

int64_t NodeIndex::MaxFreeMemory() const {
  if (memory_only_) return by_memory_.empty() ? 0 : -by_memory_.begin()->first;
  int64_t best = 0;
  for (const auto& [vcores, bucket] : by_vcores_) best = std::max(best, -bucket.begin()->first);
  return best;
}

int64_t NodeIndex::MaxFreeVcores() const {
  if (memory_only_) {
    int64_t best = 0;
    for (const auto& e : ids_) {
      if (e.live) best = std::max(best, e.free.vcores);
    }
    return best;  // not used for placement when memory-only; kept exact for callers
  }
  return by_vcores_.empty() ? 0 : by_vcores_.rbegin()->first;
}

}  // namespace skein::rm
