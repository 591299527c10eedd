#include "resourcemanager/scheduler/node_index.h"

#include "gtest/gtest.h"

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

}  // namespace
}  // namespace skein::rm
