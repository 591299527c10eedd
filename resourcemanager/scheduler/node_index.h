// Finds a node with room for an ask without scanning every node: the shared placement index of
// the schedulers (pure library; not thread-safe, the RM loop calls it).
//
// Nodes are kept ordered by free memory, and — for calculators that schedule vcores — also
// bucketed by free vcores, so one lookup costs O(log nodes) with the Default calculator and
// O(distinct free-vcore values × log nodes) with the Dominant one, whatever the cluster size.
// Node ids are interned to dense integers so ordering never compares host strings.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_NODE_INDEX_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_NODE_INDEX_H_

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/ids.h"
#include "common/resource.h"

namespace skein::rm {

class NodeIndex {
 public:
  // `memory_only`: place by memory alone (DefaultResourceCalculator).
  NodeIndex(const ResourceCalculator& calc, bool memory_only);

  void Add(const NodeId& id, const Resource& free);
  void Remove(const NodeId& id);
  // The node's free resource changed.
  void Update(const NodeId& id, const Resource& free);
  // The node with the most free memory where `ask` fits (per the calculator), or nullptr.
  const NodeId* Find(const Resource& ask) const;
  size_t size() const { return ids_.size() - free_handles_.size(); }
  bool memory_only() const { return memory_only_; }
  // The most free memory / vcores on any one node (0 without nodes).
  int64_t MaxFreeMemory() const;
  int64_t MaxFreeVcores() const;

 private:
  using Key = std::pair<int64_t, int32_t>;  // -free memory, handle
  struct Entry {
    NodeId id;
    Resource free;
    bool live = false;
  };
  void Insert(int32_t h);
  void Erase(int32_t h);

  const ResourceCalculator& calc_;
  const bool memory_only_;
  absl::flat_hash_map<NodeId, int32_t> handles_;
  std::vector<Entry> ids_;
  std::vector<int32_t> free_handles_;
  std::set<Key> by_memory_;                     // memory-only placement
  std::map<int64_t, std::set<Key>> by_vcores_;  // free vcores -> nodes by free memory
};

// The smallest pending ask over every ask line of every application, so a scheduling pass can
// stop as soon as no node could hold even that: with the cluster full, a pass costs O(1) instead
// of visiting every application with demand.
class AskFloor {
 public:
  void Add(const Resource& r) {
    memory_.insert(r.memory_mb);
    vcores_.insert(r.vcores);
  }
  void Remove(const Resource& r) {
    if (auto it = memory_.find(r.memory_mb); it != memory_.end()) memory_.erase(it);
    if (auto it = vcores_.find(r.vcores); it != vcores_.end()) vcores_.erase(it);
  }
  // True when no node can hold the smallest ask (nothing pending counts as nothing fitting).
  bool NothingFits(const NodeIndex& nodes) const {
    if (memory_.empty()) return true;
    if (nodes.MaxFreeMemory() < *memory_.begin()) return true;
    return !nodes.memory_only() && nodes.MaxFreeVcores() < *vcores_.begin();
  }

 private:
  std::multiset<int64_t> memory_;
  std::multiset<int64_t> vcores_;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_NODE_INDEX_H_
