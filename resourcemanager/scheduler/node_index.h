// Finds a node with room for an ask without scanning every node: the shared placement index of
// the schedulers (pure library; not thread-safe, the RM loop calls it).
//
// Memory-only (Default calculator): one (4-ary) max-heap of nodes by free memory (ties: the
// earlier-added handle). Otherwise one such heap per free-vcore value, the buckets kept in a small
// vector sorted by vcores, so a lookup reads the top of each bucket with enough vcores
// (O(distinct free-vcore values), contiguous) and an update costs O(log nodes) in at most two
// heaps, whatever the cluster size. The heaps are flat arrays with each node's position kept
// beside it: no allocation per update. Node ids are interned to dense integers (handles) so
// ordering never compares host strings; what a lookup or an update reads (free memory and vcores,
// 16 bytes a node) is kept apart from the ids, which only IdOf reads, and from further resource
// types, which are read only when some node has them.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_NODE_INDEX_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_NODE_INDEX_H_

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/ids.h"
#include "common/resource.h"

namespace skein::rm {

class NodeIndex {
 public:
  // `memory_only`: place by memory alone (DefaultResourceCalculator).
  NodeIndex(const ResourceCalculator& calc, bool memory_only);

  // Returns the node's handle: a dense integer in [0, handle_limit()), stable while the node is
  // present and reused after Remove, so callers may keep per-node state in a plain vector.
  int32_t Add(const NodeId& id, const Resource& free);
  void Remove(const NodeId& id);
  // The node's free resource changed.
  void Update(const NodeId& id, const Resource& free);
  void UpdateHandle(int32_t handle, const Resource& free);
  // A container of `r` was placed on the node (its free resource shrinks by r) / ended there
  // (grows by r): for callers that keep no copy of the node's free resource.
  void Allocate(int32_t handle, const Resource& r) { Adjust(handle, r, -1); }
  void Release(int32_t handle, const Resource& r) { Adjust(handle, r, +1); }
  // Takes a live node out of placement (Find never returns it) until Unhide, keeping its free
  // resource up to date meanwhile: the Fair scheduler's per-pass assignment limit.
  void Hide(int32_t handle);
  void Unhide(int32_t handle);
  // The node with the most free memory where `ask` fits (per the calculator), or nullptr.
  const NodeId* Find(const Resource& ask) const;
  // The same choice as Find, as a handle; -1 when nothing fits.
  int32_t FindHandle(const Resource& ask) const;
  // -1 for an unknown node.
  int32_t HandleOf(const NodeId& id) const;
  const NodeId& IdOf(int32_t handle) const { return ids_[handle]; }
  // The free resource last given for a live handle.
  Resource FreeOf(int32_t handle) const;
  int32_t handle_limit() const { return static_cast<int32_t>(ids_.size()); }
  size_t size() const { return ids_.size() - free_handles_.size(); }
  bool memory_only() const { return memory_only_; }
  // The most free memory / vcores on any one node (0 without nodes).
  int64_t MaxFreeMemory() const;
  int64_t MaxFreeVcores() const;

 private:
  // What an update and a placement read of a node, packed: 16 bytes, four nodes a cache line.
  // Further resource types (rare) live apart in others_.
  struct FreeSlot {
    int64_t memory = 0;
    int64_t vcores = 0;
  };
  // Heap slots carry the key, so sifting reads only the heap array.
  struct Slot {
    int64_t memory;
    int32_t handle;
  };
  // Children of slot i are kArity * i + 1 ... kArity * i + kArity: a 4-ary heap is half as deep
  // as a binary one, so an update touches half as many cache lines in a large cluster.
  static constexpr size_t kArity = 4;
  using Heap = std::vector<Slot>;          // [0] has the most free memory
  using Positions = std::vector<int32_t>;  // handle -> index in its heap, -1 if absent
  // `top` repeats heap[0].memory (kEmptyTop when empty) so a lookup scans the bucket array alone,
  // not one heap per bucket.
  static constexpr int64_t kEmptyTop = std::numeric_limits<int64_t>::min();
  struct Bucket {
    int64_t vcores;
    int64_t top = kEmptyTop;
    Heap heap;
    void RefreshTop() { top = heap.empty() ? kEmptyTop : heap[0].memory; }
  };

  static bool Before(const Slot& a, const Slot& b) {
    return a.memory > b.memory || (a.memory == b.memory && a.handle < b.handle);
  }
  static void HeapPush(Heap& heap, Positions& pos, Slot slot);
  static void HeapErase(Heap& heap, Positions& pos, int32_t h);
  // After h's free memory changed to `memory`.
  static void HeapFix(Heap& heap, Positions& pos, int32_t h, int64_t memory);
  static void SiftUp(Heap& heap, Positions& pos, size_t i);
  static void SiftDown(Heap& heap, Positions& pos, size_t i);
  void Insert(int32_t h);
  void Erase(int32_t h);
  // The bucket of nodes with `vcores` free (not memory_only), created on first sight.
  Bucket& BucketFor(int64_t vcores);
  // Index of the first bucket with at least `vcores` (buckets_.size() if none).
  size_t FirstBucket(int64_t vcores) const;

  void Adjust(int32_t h, const Resource& r, int sign);
  static constexpr int32_t kRemoved = -1;
  static constexpr int32_t kHidden = -2;
  bool Live(int32_t h) const { return static_cast<size_t>(h) < pos_.size() && pos_[h] != kRemoved; }
  // Whether the node's free resource has further types, reading others_ only when any node has.
  bool HasOthers(int32_t h) const { return nodes_with_others_ > 0 && !others_[h].empty(); }
  void SetOthers(int32_t h, const std::map<std::string, int64_t>& others);

  const ResourceCalculator& calc_;
  const bool memory_only_;
  absl::flat_hash_map<NodeId, int32_t> handles_;
  std::vector<NodeId> ids_;                             // by handle (cold: IdOf only)
  std::vector<FreeSlot> free_;                          // by handle (hot)
  std::vector<std::map<std::string, int64_t>> others_;  // by handle: free further types
  int32_t nodes_with_others_ = 0;
  std::vector<int32_t> free_handles_;
  Heap all_;  // memory_only: every live node
  // In all_ (memory_only) or in the node's vcore bucket; kRemoved, or kHidden. Kept apart from
  // free_ (4 bytes a node) because every step of a heap sift writes one.
  Positions pos_;
  // Not memory_only: one heap per free-vcore value, sorted by that value. Emptied buckets stay,
  // so moving a node between buckets allocates nothing once the values have been seen.
  std::vector<Bucket> buckets_;
  // FirstBucket for small non-negative values, rebuilt when a bucket is added: no search per
  // update or lookup.
  std::vector<uint32_t> first_bucket_;
};

// The smallest pending ask over every ask line of every application, so a scheduling pass can
// stop as soon as no node could hold even that: with the cluster full, a pass costs
// O(distinct free-vcore values) instead of visiting every application with demand. "That" is the
// per-type minimum (smallest memory of any ask, fewest vcores of any ask): every ask is at least
// as large in each type, so when no single node holds it, no ask fits anywhere. (Checking the
// largest free memory and the largest free vcores separately is weaker: after a release, one
// node with memory but no vcores and another with vcores but no memory kept whole passes
// walking every application.)
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
    return nodes.FindHandle(Resource(*memory_.begin(), *vcores_.begin())) < 0;
  }

 private:
  std::multiset<int64_t> memory_;
  std::multiset<int64_t> vcores_;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_NODE_INDEX_H_
