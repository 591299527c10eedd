// The queues that still have demand in one scheduling pass, each parent's active children kept in
// the parent's policy order: the structure the Capacity scheduler (key: used / guaranteed) and the
// Fair scheduler (key: min-share need, then usage / weight) walk to pick the next leaf to serve.
//
// A pass activates every leaf with demand and every parent with an active child (children first),
// then repeatedly takes PickLeaf(), re-keys the queues whose usage changed (Rekey re-sorts in place
// by reusing the set node, so an allocation allocates nothing here), deactivates a leaf that can
// get nothing more (its parents follow when they run out of active children) and ends with
// Clear(). Queues are dense indices, 0 being the root.
//
// Cost: Activate / Rekey / Deactivate O(log siblings) per level; PickLeaf O(depth).
//
// IntrusiveHeap, below, is the per-leaf counterpart for applications: a min-heap whose items keep
// their own position, so the app just served is re-keyed with a few swaps in a flat array.
//
// Thread rules: not thread-safe; the scheduler's (RM loop) thread calls everything.
#ifndef SKEIN_RESOURCEMANAGER_SCHEDULER_ACTIVE_QUEUE_TREE_H_
#define SKEIN_RESOURCEMANAGER_SCHEDULER_ACTIVE_QUEUE_TREE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <utility>
#include <vector>

namespace skein::rm {

// `Key` orders siblings (smaller first; ties by queue index) and needs < and ==.
template <typename Key>
class ActiveQueueTree {
 public:
  // Makes room for queues [0, n); existing queues keep their state. Call between passes (or
  // before one) when the queue tree grew or shrank.
  void Resize(size_t n) { entries_.resize(n); }
  size_t size() const { return entries_.size(); }

  // Whether q is in its parent's order in this pass. False for an index past size().
  bool IsActive(int q) const {
    return q >= 0 && static_cast<size_t>(q) < entries_.size() && entries_[q].active;
  }
  bool HasActiveChildren(int q) const { return !entries_[q].children.empty(); }
  // q's current key; meaningful while IsActive(q).
  const Key& KeyOf(int q) const { return entries_[q].key; }

  // Puts q (not the root, not active) into `parent`'s order under `key`.
  void Activate(int q, int parent, const Key& key) {
    Entry& e = entries_[q];
    e.key = key;
    e.parent = parent;
    e.active = true;
    entries_[parent].children.insert({key, q});
  }

  // q's key is now `key`: re-sorted among its siblings. No-op when q is not active or the key is
  // unchanged.
  void Rekey(int q, const Key& key) {
    if (!IsActive(q)) return;
    Entry& e = entries_[q];
    if (e.key == key) return;
    auto& siblings = entries_[e.parent].children;
    auto node = siblings.extract({e.key, q});
    e.key = key;
    node.value().first = key;
    siblings.insert(std::move(node));
  }

  // Takes q out of its parent's order; a parent (other than the root) left without active
  // children goes out of its own parent's order, and so on up.
  void Deactivate(int q) {
    while (q > 0 && entries_[q].active) {
      Entry& e = entries_[q];
      int parent = e.parent;
      entries_[parent].children.erase({e.key, q});
      e.active = false;
      if (parent == 0 || !entries_[parent].children.empty()) return;
      q = parent;
    }
  }

  // The leaf reached from the root by always taking the first active child, or -1 when the root
  // has no active child.
  int PickLeaf() const {
    if (entries_.empty()) return -1;
    int q = 0;
    while (!entries_[q].children.empty()) q = entries_[q].children.begin()->second;
    return q == 0 ? -1 : q;
  }

  // Ends the pass: nothing is active.
  void Clear() {
    for (Entry& e : entries_) {
      e.children.clear();
      e.active = false;
    }
  }

 private:
  struct Entry {
    Key key{};
    int parent = -1;
    bool active = false;
    std::set<std::pair<Key, int>> children;  // active children by (key, index)
  };
  std::vector<Entry> entries_;
};

// A binary min-heap of items by (Key, item address) where each item stores its own position in
// the member `Pos` (-1 while out of the heap): Top is O(1), and Push / Pop / Erase / Rekey are
// O(log n) without a search; nothing is allocated once the array has grown. Items must outlive
// their stay in the heap and not move. The address only breaks ties between equal keys (callers
// that need determinism use unique keys).
template <typename Key, typename Item, int32_t Item::*Pos>
class IntrusiveHeap {
 public:
  bool empty() const { return slots_.empty(); }
  size_t size() const { return slots_.size(); }
  // The item with the smallest key; the heap must not be empty.
  Item* Top() const { return slots_.front().item; }
  static bool Contains(const Item& item) { return item.*Pos >= 0; }

  // `item` must not be in a heap.
  void Push(Item* item, const Key& key) {
    slots_.push_back(Slot{key, item});
    SiftUp(slots_.size() - 1);
  }
  // Removes and returns Top().
  Item* Pop() {
    Item* item = Top();
    RemoveAt(0);
    return item;
  }
  // `item` must be in this heap.
  void Erase(Item* item) { RemoveAt(static_cast<size_t>(item->*Pos)); }
  // `item` (in this heap) now has `key`.
  void Rekey(Item* item, const Key& key) {
    size_t i = static_cast<size_t>(item->*Pos);
    Slot old = slots_[i];
    slots_[i].key = key;
    if (Less(slots_[i], old)) {
      SiftUp(i);
    } else {
      SiftDown(i);
    }
  }

 private:
  struct Slot {
    Key key;
    Item* item;
  };
  static bool Less(const Slot& a, const Slot& b) {
    if (a.key < b.key) return true;
    if (b.key < a.key) return false;
    return std::less<const Item*>()(a.item, b.item);
  }
  void Put(size_t i, const Slot& slot) {
    slots_[i] = slot;
    slot.item->*Pos = static_cast<int32_t>(i);
  }
  void SiftUp(size_t i) {
    Slot slot = slots_[i];
    for (size_t parent; i > 0 && Less(slot, slots_[parent = (i - 1) / 2]); i = parent) {
      Put(i, slots_[parent]);
    }
    Put(i, slot);
  }
  void SiftDown(size_t i) {
    Slot slot = slots_[i];
    for (size_t child; (child = 2 * i + 1) < slots_.size(); i = child) {
      if (child + 1 < slots_.size() && Less(slots_[child + 1], slots_[child])) ++child;
      if (!Less(slots_[child], slot)) break;
      Put(i, slots_[child]);
    }
    Put(i, slot);
  }
  void RemoveAt(size_t i) {
    slots_[i].item->*Pos = -1;
    Slot last = slots_.back();
    slots_.pop_back();
    if (i == slots_.size()) return;
    Put(i, last);
    SiftUp(i);
    SiftDown(static_cast<size_t>(last.item->*Pos));
  }

  std::vector<Slot> slots_;
};

}  // namespace skein::rm

#endif  // SKEIN_RESOURCEMANAGER_SCHEDULER_ACTIVE_QUEUE_TREE_H_
