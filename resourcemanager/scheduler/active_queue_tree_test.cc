#include "resourcemanager/scheduler/active_queue_tree.h"

#include <vector>

#include "gtest/gtest.h"

namespace skein::rm {
namespace {

// root(0) -> a(1) -> {a1(3), a2(4)}; root -> b(2) (a leaf).
class ActiveQueueTreeTest : public ::testing::Test {
 protected:
  void ActivateAll() {
    tree_.Resize(5);
    tree_.Activate(3, 1, 0.5);
    tree_.Activate(4, 1, 0.2);
    tree_.Activate(1, 0, 0.3);
    tree_.Activate(2, 0, 0.4);
  }
  ActiveQueueTree<double> tree_;
};

TEST_F(ActiveQueueTreeTest, EmptyTreePicksNothing) {
  EXPECT_EQ(tree_.PickLeaf(), -1);
  tree_.Resize(3);
  EXPECT_EQ(tree_.PickLeaf(), -1);
  EXPECT_FALSE(tree_.IsActive(1));
  EXPECT_FALSE(tree_.IsActive(7));  // past the end
}

TEST_F(ActiveQueueTreeTest, PicksTheSmallestKeyAtEveryLevel) {
  ActivateAll();
  EXPECT_EQ(tree_.PickLeaf(), 4);  // a (0.3) before b (0.4), then a2 (0.2) before a1 (0.5)
  EXPECT_TRUE(tree_.IsActive(4));
  EXPECT_EQ(tree_.KeyOf(4), 0.2);
}

TEST_F(ActiveQueueTreeTest, RekeyReordersSiblings) {
  ActivateAll();
  tree_.Rekey(4, 0.9);
  EXPECT_EQ(tree_.PickLeaf(), 3);
  tree_.Rekey(1, 0.8);  // a now after b
  EXPECT_EQ(tree_.PickLeaf(), 2);
  tree_.Rekey(1, 0.1);
  tree_.Rekey(1, 0.1);  // unchanged: no effect
  EXPECT_EQ(tree_.PickLeaf(), 3);
  EXPECT_EQ(tree_.KeyOf(1), 0.1);
}

TEST_F(ActiveQueueTreeTest, EqualKeysBreakTiesByIndex) {
  tree_.Resize(4);
  tree_.Activate(3, 0, 1.0);
  tree_.Activate(2, 0, 1.0);
  tree_.Activate(1, 0, 1.0);
  EXPECT_EQ(tree_.PickLeaf(), 1);
}

TEST_F(ActiveQueueTreeTest, RekeyOfAnInactiveQueueIsIgnored) {
  ActivateAll();
  tree_.Deactivate(2);
  tree_.Rekey(2, 0.0);
  EXPECT_FALSE(tree_.IsActive(2));
  EXPECT_EQ(tree_.PickLeaf(), 4);
}

TEST_F(ActiveQueueTreeTest, DeactivatingTheLastChildDeactivatesTheParent) {
  ActivateAll();
  tree_.Deactivate(4);
  EXPECT_TRUE(tree_.IsActive(1));
  EXPECT_EQ(tree_.PickLeaf(), 3);
  tree_.Deactivate(3);
  EXPECT_FALSE(tree_.IsActive(1));  // a had no active child left
  EXPECT_EQ(tree_.PickLeaf(), 2);
  tree_.Deactivate(2);
  EXPECT_EQ(tree_.PickLeaf(), -1);
  tree_.Deactivate(2);  // twice: no effect
  EXPECT_EQ(tree_.PickLeaf(), -1);
}

TEST_F(ActiveQueueTreeTest, ClearEndsThePass) {
  ActivateAll();
  tree_.Clear();
  EXPECT_EQ(tree_.PickLeaf(), -1);
  for (int q = 0; q < 5; ++q) EXPECT_FALSE(tree_.IsActive(q)) << q;
  // The next pass starts from scratch.
  tree_.Activate(2, 0, 0.0);
  EXPECT_EQ(tree_.PickLeaf(), 2);
}

struct PairKey {
  int cls = 0;
  double ratio = 0;
  bool operator<(const PairKey& o) const { return cls != o.cls ? cls < o.cls : ratio < o.ratio; }
  bool operator==(const PairKey& o) const { return cls == o.cls && ratio == o.ratio; }
};

TEST(ActiveQueueTreeStructKeyTest, WorksWithACompositeKey) {
  ActiveQueueTree<PairKey> tree;
  tree.Resize(3);
  tree.Activate(1, 0, PairKey{1, 0.1});
  tree.Activate(2, 0, PairKey{0, 0.9});
  EXPECT_EQ(tree.PickLeaf(), 2);  // class 0 (below min share) first
  tree.Rekey(2, PairKey{1, 0.9});
  EXPECT_EQ(tree.PickLeaf(), 1);
}

struct Item {
  int32_t pos = -1;
};
using Heap = IntrusiveHeap<int, Item, &Item::pos>;

TEST(IntrusiveHeapTest, PopsInKeyOrderAndTracksPositions) {
  Item items[5];
  Heap heap;
  EXPECT_TRUE(heap.empty());
  const int keys[5] = {50, 10, 40, 20, 30};
  for (int i = 0; i < 5; ++i) heap.Push(&items[i], keys[i]);
  EXPECT_EQ(heap.size(), 5u);
  EXPECT_EQ(heap.Top(), &items[1]);
  for (const Item& item : items) EXPECT_TRUE(Heap::Contains(item));
  std::vector<Item*> order;
  while (!heap.empty()) order.push_back(heap.Pop());
  EXPECT_EQ(order, (std::vector<Item*>{&items[1], &items[3], &items[4], &items[2], &items[0]}));
  for (const Item& item : items) EXPECT_FALSE(Heap::Contains(item));
}

TEST(IntrusiveHeapTest, RekeyMovesBothWays) {
  Item items[4];
  Heap heap;
  for (int i = 0; i < 4; ++i) heap.Push(&items[i], 10 * (i + 1));  // 10 20 30 40
  heap.Rekey(&items[0], 35);                                       // the top goes down
  EXPECT_EQ(heap.Top(), &items[1]);
  heap.Rekey(&items[3], 5);  // the last comes up
  EXPECT_EQ(heap.Top(), &items[3]);
  heap.Rekey(&items[3], 5);  // unchanged
  EXPECT_EQ(heap.Pop(), &items[3]);
  EXPECT_EQ(heap.Pop(), &items[1]);
  EXPECT_EQ(heap.Pop(), &items[2]);
  EXPECT_EQ(heap.Pop(), &items[0]);
}

TEST(IntrusiveHeapTest, EraseFromTheMiddleKeepsTheOrder) {
  Item items[6];
  Heap heap;
  for (int i = 0; i < 6; ++i) heap.Push(&items[i], i);
  heap.Erase(&items[2]);
  heap.Erase(&items[5]);  // the last slot
  EXPECT_FALSE(Heap::Contains(items[2]));
  std::vector<Item*> order;
  while (!heap.empty()) order.push_back(heap.Pop());
  EXPECT_EQ(order, (std::vector<Item*>{&items[0], &items[1], &items[3], &items[4]}));
  heap.Push(&items[2], 7);  // an erased item may come back
  EXPECT_EQ(heap.Top(), &items[2]);
}

}  // namespace
}  // namespace skein::rm
