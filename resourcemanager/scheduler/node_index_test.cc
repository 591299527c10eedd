#include "resourcemanager/scheduler/node_index.h"

#include <vector>

#include "gtest/gtest.h"
#include "resourcemanager/scheduler/slab.h"

namespace skein::rm {
namespace {

TEST(NodeIndexTest, MemoryOnlyPicksMostFreeMemory) {
  DefaultResourceCalculator calc;
  NodeIndex index(calc, /*memory_only=*/true);
  EXPECT_EQ(index.Find(Resource(1, 1)), nullptr);
  index.Add(NodeId("a", 1), Resource(2048, 1));
  index.Add(NodeId("b", 1), Resource(4096, 0));
  ASSERT_NE(index.Find(Resource(1024, 8)), nullptr);
  EXPECT_EQ(*index.Find(Resource(1024, 8)), NodeId("b", 1));  // vcores ignored
  EXPECT_EQ(index.Find(Resource(8192, 1)), nullptr);
  index.Update(NodeId("b", 1), Resource(1024, 0));
  EXPECT_EQ(*index.Find(Resource(1024, 1)), NodeId("a", 1));
  index.Remove(NodeId("a", 1));
  EXPECT_EQ(*index.Find(Resource(1024, 1)), NodeId("b", 1));
  EXPECT_EQ(index.size(), 1u);
}

TEST(NodeIndexTest, DominantNeedsEveryTypeAndPrefersMostMemory) {
  DominantResourceCalculator calc;
  NodeIndex index(calc, /*memory_only=*/false);
  index.Add(NodeId("cpu-rich", 1), Resource(2048, 16));
  index.Add(NodeId("mem-rich", 1), Resource(16384, 1));
  index.Add(NodeId("both", 1), Resource(8192, 4));
  EXPECT_EQ(*index.Find(Resource(1024, 1)), NodeId("mem-rich", 1));
  EXPECT_EQ(*index.Find(Resource(1024, 2)), NodeId("both", 1));
  EXPECT_EQ(*index.Find(Resource(1024, 8)), NodeId("cpu-rich", 1));
  EXPECT_EQ(index.Find(Resource(4096, 8)), nullptr);
  Resource gpu_ask(1024, 1);
  gpu_ask.others["yarn.io/gpu"] = 1;
  EXPECT_EQ(index.Find(gpu_ask), nullptr);
  Resource gpu_node(4096, 4);
  gpu_node.others["yarn.io/gpu"] = 2;
  index.Add(NodeId("gpu", 1), gpu_node);
  EXPECT_EQ(*index.Find(gpu_ask), NodeId("gpu", 1));
  // Re-adding a node replaces it; handles are reused after removal.
  index.Add(NodeId("gpu", 1), Resource(1024, 1));
  EXPECT_EQ(index.Find(gpu_ask), nullptr);
  index.Remove(NodeId("both", 1));
  index.Add(NodeId("new", 1), Resource(32768, 2));
  EXPECT_EQ(*index.Find(Resource(1024, 2)), NodeId("new", 1));
  EXPECT_EQ(index.size(), 4u);
}

TEST(AskFloorTest, NothingFitsOnlyWhenNoNodeHoldsTheSmallestAsk) {
  DominantResourceCalculator calc;
  NodeIndex nodes(calc, /*memory_only=*/false);
  AskFloor floor;
  EXPECT_TRUE(floor.NothingFits(nodes));  // nothing pending
  floor.Add(Resource(2048, 1));
  floor.Add(Resource(1024, 4));
  EXPECT_TRUE(floor.NothingFits(nodes));  // no nodes
  nodes.Add(NodeId("a", 1), Resource(1536, 2));
  // 1536 MB holds the 1024 MB ask's memory and 2 vcores the 2048 MB ask's vcores: not provably
  // full, so the scheduler must look.
  EXPECT_FALSE(floor.NothingFits(nodes));
  nodes.Update(NodeId("a", 1), Resource(512, 8));
  EXPECT_TRUE(floor.NothingFits(nodes));  // less memory than any ask
  nodes.Update(NodeId("a", 1), Resource(8192, 0));
  EXPECT_TRUE(floor.NothingFits(nodes));  // no vcores for any ask
  floor.Remove(Resource(1024, 4));
  nodes.Update(NodeId("a", 1), Resource(4096, 1));
  EXPECT_FALSE(floor.NothingFits(nodes));
  EXPECT_EQ(nodes.MaxFreeMemory(), 4096);
  EXPECT_EQ(nodes.MaxFreeVcores(), 1);
  DefaultResourceCalculator def;
  NodeIndex memory_only(def, /*memory_only=*/true);
  memory_only.Add(NodeId("b", 1), Resource(4096, 0));
  EXPECT_FALSE(floor.NothingFits(memory_only));  // vcores do not count for the Default calculator
}

TEST(AskFloorTest, MemoryAndVcoresMustBeOnTheSameNode) {
  DominantResourceCalculator calc;
  NodeIndex nodes(calc, /*memory_only=*/false);
  AskFloor floor;
  floor.Add(Resource(1024, 1));
  nodes.Add(NodeId("memory-left", 1), Resource(8192, 0));
  nodes.Add(NodeId("vcores-left", 1), Resource(512, 8));
  // The most free memory and the most free vcores each cover the ask, but on different nodes.
  EXPECT_TRUE(floor.NothingFits(nodes));
  nodes.Update(NodeId("vcores-left", 1), Resource(1024, 8));
  EXPECT_FALSE(floor.NothingFits(nodes));
}

TEST(NodeIndexTest, AllocateReleaseAndHideKeepTheFreeResourceAndPlacementRight) {
  DominantResourceCalculator calc;
  NodeIndex index(calc, /*memory_only=*/false);
  int32_t a = index.Add(NodeId("a", 1), Resource(8192, 8));
  int32_t b = index.Add(NodeId("b", 1), Resource(4096, 8));
  index.Allocate(a, Resource(6144, 2));
  EXPECT_EQ(index.FreeOf(a), Resource(2048, 6));
  EXPECT_EQ(index.FindHandle(Resource(1024, 1)), b);  // b now has the most free memory
  index.Hide(b);
  EXPECT_EQ(index.FindHandle(Resource(1024, 1)), a);
  EXPECT_EQ(index.FindHandle(Resource(4096, 1)), -1);  // b is hidden, a too small
  index.Release(b, Resource());                        // updates of a hidden node are kept
  index.Allocate(b, Resource(1024, 1));
  EXPECT_EQ(index.FreeOf(b), Resource(3072, 7));
  index.Unhide(b);
  EXPECT_EQ(index.FindHandle(Resource(3072, 1)), b);
  index.Release(a, Resource(6144, 2));
  EXPECT_EQ(index.FindHandle(Resource(8192, 8)), a);
  // Further types are kept apart and still decide placement.
  Resource gpu(1024, 1);
  gpu.others["yarn.io/gpu"] = 1;
  Resource with_gpu(4096, 4);
  with_gpu.others["yarn.io/gpu"] = 2;
  int32_t g = index.Add(NodeId("g", 1), with_gpu);
  EXPECT_EQ(index.FindHandle(gpu), g);
  index.Allocate(g, Resource(0, 0) + gpu + gpu);
  EXPECT_EQ(index.FindHandle(gpu), -1);
  EXPECT_EQ(index.FreeOf(g), Resource(2048, 2));
  index.Remove(NodeId("g", 1));
  index.Hide(a);
  index.Remove(NodeId("a", 1));  // a hidden node can be removed
  EXPECT_EQ(index.FindHandle(Resource(1024, 1)), b);
  EXPECT_EQ(index.size(), 1u);
}

TEST(SlabTest, SlotsAreStableAndReused) {
  Slab<int64_t> slab;
  std::vector<int32_t> slots;
  for (int i = 0; i < 10000; ++i) {  // several chunks
    slots.push_back(slab.Take());
    slab[slots.back()] = i;
  }
  int64_t* first = &slab[slots[0]];
  for (int i = 0; i < 10000; ++i) EXPECT_EQ(slab[slots[i]], i);
  EXPECT_EQ(first, &slab[slots[0]]);  // growing moved nothing
  EXPECT_EQ(slab.limit(), 10000);
  slab.Free(slots[5]);
  EXPECT_EQ(slab[slots[5]], 0);
  EXPECT_EQ(slab.Take(), slots[5]);
  EXPECT_EQ(slab.limit(), 10000);
}

}  // namespace
}  // namespace skein::rm
